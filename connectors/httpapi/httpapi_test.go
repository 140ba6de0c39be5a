package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors/httpapi"
)

// api serves n customers at /customers, paginated as pagination says,
// with the records under data.customers, requiring the bearer token
// "t0ken", and failing the requests fail names (by number, 1-based) with
// the status given.
type api struct {
	n          int
	pagination string
	fail       map[int]int
	mu         sync.Mutex
	requests   []string
}

func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.requests = append(a.requests, r.URL.RequestURI())
	nreq := len(a.requests)
	a.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer t0ken" {
		http.Error(w, "no", http.StatusUnauthorized)
		return
	}
	if code, ok := a.fail[nreq]; ok {
		if code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "2")
		}
		http.Error(w, "busy", code)
		return
	}
	q := r.URL.Query()
	size, _ := strconv.Atoi(q.Get("limit"))
	if size == 0 {
		size, _ = strconv.Atoi(q.Get("per_page"))
	}
	start := 0
	switch a.pagination {
	case "page":
		p, _ := strconv.Atoi(q.Get("page"))
		start = (p - 1) * size
	case "offset":
		start, _ = strconv.Atoi(q.Get("offset"))
	case "cursor", "link":
		start, _ = strconv.Atoi(q.Get("cursor"))
	}
	since := q.Get("updated_since")
	var recs []map[string]any
	end := min(start+size, a.n)
	for i := start; i < end; i++ {
		ts := time.Date(2024, 1, 1, 0, 0, i, 0, time.UTC).Format(time.RFC3339)
		if since != "" && ts < since {
			continue
		}
		recs = append(recs, map[string]any{"id": i + 1, "email": fmt.Sprintf("c%d@example.com", i+1), "updated_at": ts})
	}
	doc := map[string]any{"data": map[string]any{"customers": recs}}
	if end < a.n {
		switch a.pagination {
		case "cursor":
			doc["meta"] = map[string]any{"next": strconv.Itoa(end)}
		case "link":
			w.Header().Set("Link", fmt.Sprintf(`</customers?cursor=%d&limit=%d>; rel="next"`, end, size))
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(doc)
}

func source(url, pagination string) config.Source {
	s := config.Source{
		Name: "saas", Type: "http", URL: url + "/customers", Records: "data.customers", Pagination: pagination,
		ID: "id", UpdatedAt: "updated_at", Map: map[string][]string{"email": {"email"}},
		Token: "t0ken", PageSize: 3, Timeout: 5 * time.Second, Retries: 3, UpdatedSince: "updated_since",
	}
	switch pagination {
	case "page":
		s.PageParam, s.SizeParam = "page", "per_page"
	case "offset":
		s.PageParam, s.SizeParam = "offset", "limit"
	case "cursor":
		s.CursorParam, s.NextCursor, s.SizeParam = "cursor", "meta.next", "limit"
	case "link":
		s.SizeParam = "limit"
	}
	return s
}

// readIDs reads every record's id.
func readIDs(ctx context.Context, s *httpapi.Stream) ([]string, error) {
	var ids []string
	for {
		r, err := s.Next(ctx)
		if err == io.EOF {
			return ids, nil
		}
		if err != nil {
			return ids, err
		}
		ids = append(ids, r.Values[0])
	}
}

func TestPagination(t *testing.T) {
	for _, p := range []string{"page", "offset", "cursor", "link"} {
		t.Run(p, func(t *testing.T) {
			a := &api{n: 10, pagination: p, fail: map[int]int{2: http.StatusTooManyRequests, 4: http.StatusInternalServerError}}
			srv := httptest.NewServer(a)
			defer srv.Close()
			var waits []time.Duration
			opts := httpapi.Options{Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
			s, err := httpapi.Open(context.Background(), source(srv.URL, p), "", opts)
			if err != nil {
				t.Fatal(err)
			}
			ids, err := readIDs(context.Background(), s)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(ids) != "[1 2 3 4 5 6 7 8 9 10]" {
				t.Errorf("ids %v, want 1..10 once each", ids)
			}
			if len(waits) != 2 || waits[0] < 2*time.Second {
				t.Errorf("waits %v: want two retries, the first honouring Retry-After: 2", waits)
			}
			if want := "2024-01-01T00:00:09Z"; s.Final() != want {
				t.Errorf("Final = %q, want %q", s.Final(), want)
			}
		})
	}
}

func TestUpdatedSince(t *testing.T) {
	a := &api{n: 10, pagination: "page"}
	srv := httptest.NewServer(a)
	defer srv.Close()
	s, err := httpapi.Open(context.Background(), source(srv.URL, "page"), "2024-01-01T00:00:08Z", httpapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readIDs(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.requests[0], "updated_since=2024-01-01T00%3A00%3A08Z") {
		t.Errorf("first request %q lacks updated_since", a.requests[0])
	}
}

func TestErrors(t *testing.T) {
	html := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<html><head><title>Sign in</title></head><body>…</body></html>")
	})
	down := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusBadGateway) })
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	})
	notArray := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"data": {"customers": {"id": 1}}}`)
	})
	for _, tt := range []struct {
		name    string
		h       http.Handler
		token   string
		timeout time.Duration
		want    string
		is      error
	}{
		{"html", html, "t0ken", 0, `the API answered HTML, not JSON (Content-Type "text/html; charset=utf-8", title "Sign in")`, httpapi.ErrHTML},
		{"wrong token", &api{n: 1, pagination: "page"}, "wr0ng", 0, "the API refused the credentials: 401 Unauthorized", httpapi.ErrAuth},
		{"5xx after retries", down, "t0ken", 0, "unexpected HTTP status 502 Bad Gateway (gave up after 4 attempts)", httpapi.ErrStatus},
		{"timeout", slow, "t0ken", 50 * time.Millisecond, "context deadline exceeded (gave up after 4 attempts)", nil},
		{"records not an array", notArray, "t0ken", 0, `unexpected page shape: "data.customers" is not an array`, httpapi.ErrPage},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.h)
			defer srv.Close()
			src := source(srv.URL, "page")
			src.Token = tt.token
			if tt.timeout > 0 {
				src.Timeout = tt.timeout
			}
			opts := httpapi.Options{Sleep: func(context.Context, time.Duration) error { return nil }}
			_, err := httpapi.Open(context.Background(), src, "", opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), tt.token) {
				t.Errorf("error %v, want it to hold %q and not the token", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
}

func BenchmarkNext(b *testing.B) {
	a := &api{n: 100000, pagination: "page"}
	srv := httptest.NewServer(a)
	defer srv.Close()
	src := source(srv.URL, "page")
	src.PageSize = 1000
	b.ReportAllocs()
	var s *httpapi.Stream
	for b.Loop() {
		if s == nil {
			var err error
			if s, err = httpapi.Open(context.Background(), src, "", httpapi.Options{}); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.Next(context.Background()); err == io.EOF {
			s = nil
		} else if err != nil {
			b.Fatal(err)
		}
	}
}
