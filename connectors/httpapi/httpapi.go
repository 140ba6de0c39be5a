// Package httpapi reads a paginated JSON API for package connectors. A
// page is a JSON document whose records sit at a dotted path (such as
// "data.customers", or the document itself when it is an array); the next
// page comes from a page number, an offset, a cursor found in the page, or
// the Link header's rel="next". Credentials (a bearer token, or basic
// auth) come from the config, normally through env(). With updated_since
// set, a read after a checkpoint asks only for records updated since the
// newest updated_at the last read saw.
//
// A 429 or 5xx answer, or a request that fails in transit, is retried
// with exponential backoff and full jitter, waiting at least what
// Retry-After asks; each request has its own timeout. An answer in HTML (a
// login page, a proxy's error page) is an error that says so.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors/row"
)

// Errors a read can end with, for errors.Is.
var (
	ErrHTML   = errors.New("the API answered HTML, not JSON")
	ErrStatus = errors.New("unexpected HTTP status")
	ErrAuth   = errors.New("the API refused the credentials")
	ErrPage   = errors.New("unexpected page shape")
)

// Options control a Stream. The zero value works.
type Options struct {
	Logger hclog.Logger // nil means hclog.NewNullLogger()
	Client *http.Client // nil means a client without its own timeout (each request has src.Timeout)
	// Sleep waits between attempts; nil means a timer that ends early
	// with ctx. Tests pass one that does not wait.
	Sleep func(ctx context.Context, d time.Duration) error
	// BaseDelay is the first retry's backoff; 0 means 500ms.
	BaseDelay time.Duration
}

// MaxDelay caps one wait between attempts.
const MaxDelay = 30 * time.Second

// maxBody bounds a page.
const maxBody = 256 << 20

// Stream reads one source's records page by page. It is not safe for
// concurrent use.
type Stream struct {
	src  config.Source
	opts Options
	lg   hclog.Logger
	cols []string

	next    *url.URL // the next page to fetch; nil after the last
	page    []any
	i       int
	line    int64
	offset  int
	pageNum int
	from    string
	newest  time.Time
	done    bool
}

// Open prepares a read of src's API after position from (the newest
// updated_at of the last read, RFC 3339; "" reads everything) and fetches
// the first page, so a wrong URL, refused credentials or an HTML answer
// show at once.
func Open(ctx context.Context, src config.Source, from string, opts Options) (*Stream, error) {
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	if opts.Sleep == nil {
		opts.Sleep = sleep
	}
	if opts.BaseDelay <= 0 {
		opts.BaseDelay = 500 * time.Millisecond
	}
	u, err := url.Parse(src.URL)
	if err != nil {
		return nil, fmt.Errorf("http: url: %w", err)
	}
	s := &Stream{src: src, opts: opts, lg: opts.Logger.With("source", src.Name), cols: src.Columns(), from: from, pageNum: 1}
	if src.PageSize <= 0 {
		s.src.PageSize = config.DefaultHTTPPageSize
	}
	if src.Timeout <= 0 {
		s.src.Timeout = config.DefaultHTTPTimeout
	}
	q := u.Query()
	switch src.Pagination {
	case "page":
		q.Set(src.PageParam, "1")
	case "offset":
		q.Set(src.PageParam, "0")
	}
	if src.SizeParam != "" && src.Pagination != "none" && src.Pagination != "" {
		q.Set(src.SizeParam, strconv.Itoa(s.src.PageSize))
	}
	if from != "" && src.UpdatedSince != "" {
		q.Set(src.UpdatedSince, from)
	}
	u.RawQuery = q.Encode()
	s.next = u
	if err := s.fetch(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Header returns the columns: those src.Columns() names, as dotted paths.
func (s *Stream) Header() []string { return s.cols }

// Next returns the next record as a row, io.EOF after the last one, or a
// *row.Error for a record that is not an object or holds an unreadable
// value.
func (s *Stream) Next(ctx context.Context) (row.Row, error) {
	for s.i >= len(s.page) {
		if s.next == nil {
			s.done = true
			return row.Row{}, io.EOF
		}
		if err := s.fetch(ctx); err != nil {
			return row.Row{}, err
		}
	}
	v := s.page[s.i]
	s.i++
	s.line++
	raw, _ := json.Marshal(v)
	obj, ok := v.(map[string]any)
	if !ok {
		return row.Row{}, &row.Error{Line: s.line, Raw: string(raw), Err: row.ErrMalformed,
			Reason: "malformed record: not a JSON object"}
	}
	if s.src.UpdatedAt != "" {
		if t, ok := parseTime(row.Lookup(obj, s.src.UpdatedAt)); ok && t.After(s.newest) {
			s.newest = t
		}
	}
	return row.FromJSON(obj, s.cols, s.line, string(raw))
}

// Final returns the newest updated_at seen (RFC 3339), or the position
// the read started after when it saw none newer, once the last page is
// read; "" before that.
func (s *Stream) Final() string {
	if !s.done || s.src.UpdatedSince == "" {
		return ""
	}
	if s.newest.IsZero() {
		return s.from
	}
	if f, err := time.Parse(time.RFC3339Nano, s.from); err == nil && !s.newest.After(f) {
		return s.from
	}
	return s.newest.UTC().Format(time.RFC3339Nano)
}

// Close does nothing: every answer is read and closed as it comes.
func (s *Stream) Close() error { return nil }

// fetch gets the page at s.next, retrying, and works out the page after.
func (s *Stream) fetch(ctx context.Context) error {
	u := s.next
	body, hdr, err := s.get(ctx, u)
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return fmt.Errorf("http GET %s: the answer is not JSON: %v", redact(u), err)
	}
	recs := doc
	if s.src.Records != "" {
		recs = row.Lookup(doc, s.src.Records)
	}
	page, ok := recs.([]any)
	if !ok && recs != nil {
		return fmt.Errorf("http GET %s: %w: %q is not an array of records", redact(u), ErrPage, s.src.Records)
	}
	s.page, s.i = page, 0
	s.next = nil
	if len(page) == 0 {
		return nil
	}
	next := *u
	q := next.Query()
	switch s.src.Pagination {
	case "page":
		if len(page) >= s.src.PageSize {
			s.pageNum++
			q.Set(s.src.PageParam, strconv.Itoa(s.pageNum))
			next.RawQuery = q.Encode()
			s.next = &next
		}
	case "offset":
		s.offset += len(page)
		if len(page) >= s.src.PageSize {
			q.Set(s.src.PageParam, strconv.Itoa(s.offset))
			next.RawQuery = q.Encode()
			s.next = &next
		}
	case "cursor":
		if c, ok := row.Lookup(doc, s.src.NextCursor).(string); ok && c != "" {
			q.Set(s.src.CursorParam, c)
			next.RawQuery = q.Encode()
			s.next = &next
		} else if n, ok := row.Lookup(doc, s.src.NextCursor).(json.Number); ok {
			q.Set(s.src.CursorParam, n.String())
			next.RawQuery = q.Encode()
			s.next = &next
		}
	case "link":
		if l := nextLink(hdr.Values("Link")); l != "" {
			ref, err := url.Parse(l)
			if err != nil {
				return fmt.Errorf("http GET %s: %w: bad Link header: %v", redact(u), ErrPage, err)
			}
			s.next = u.ResolveReference(ref)
		}
	}
	return nil
}

// get fetches u with the source's credentials, retrying 429, 5xx and
// failures in transit.
func (s *Stream) get(ctx context.Context, u *url.URL) ([]byte, http.Header, error) {
	var last error
	for attempt := 0; ; attempt++ {
		body, hdr, retryAfter, err := s.once(ctx, u)
		if err == nil {
			return body, hdr, nil
		}
		var perm *permanent
		if errors.As(err, &perm) || ctx.Err() != nil {
			return nil, nil, err
		}
		last = err
		if attempt >= s.src.Retries {
			return nil, nil, fmt.Errorf("%w (gave up after %d attempts)", last, attempt+1)
		}
		wait := s.backoff(attempt)
		if retryAfter > wait {
			wait = min(retryAfter, 5*MaxDelay)
		}
		s.lg.Warn("http request failed; retrying", "url", redact(u), "attempt", attempt+1, "wait", wait, "error", err)
		if err := s.opts.Sleep(ctx, wait); err != nil {
			return nil, nil, err
		}
	}
}

// permanent marks an answer that retrying cannot change.
type permanent struct{ error }

func (p *permanent) Unwrap() error { return p.error }

func (s *Stream) once(ctx context.Context, u *url.URL) ([]byte, http.Header, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, s.src.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, 0, &permanent{fmt.Errorf("http: %w", err)}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "scv")
	switch {
	case s.src.Token != "":
		req.Header.Set("Authorization", "Bearer "+s.src.Token)
	case s.src.Username != "":
		req.SetBasicAuth(s.src.Username, s.src.Password)
	}
	resp, err := s.opts.Client.Do(req)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("http GET %s: %s", redact(u), s.scrub(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, nil, 0, fmt.Errorf("http GET %s: reading the answer: %s", redact(u), s.scrub(err.Error()))
	}
	code := resp.StatusCode
	switch {
	case code == http.StatusTooManyRequests || code >= 500:
		return nil, nil, retryAfter(resp.Header.Get("Retry-After")), fmt.Errorf("http GET %s: %w %s", redact(u), ErrStatus, resp.Status)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return nil, nil, 0, &permanent{fmt.Errorf("http GET %s: %w: %s", redact(u), ErrAuth, resp.Status)}
	case code < 200 || code > 299:
		return nil, nil, 0, &permanent{fmt.Errorf("http GET %s: %w %s: %s", redact(u), ErrStatus, resp.Status, snippet(s.scrub(string(body))))}
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == "text/html" || mt == "application/xhtml+xml" || bytes.HasPrefix(bytes.TrimSpace(body), []byte("<")) {
		return nil, nil, 0, &permanent{fmt.Errorf("http GET %s: %w (Content-Type %q%s); check the url and the credentials",
			redact(u), ErrHTML, resp.Header.Get("Content-Type"), title(body))}
	}
	return body, resp.Header, 0, nil
}

// backoff is the wait before attempt+1: full jitter over an exponential
// ceiling.
func (s *Stream) backoff(attempt int) time.Duration {
	ceil := s.opts.BaseDelay << min(attempt, 16)
	if ceil > MaxDelay || ceil <= 0 {
		ceil = MaxDelay
	}
	return ceil/2 + rand.N(ceil/2+1)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return time.Until(t)
	}
	return 0
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// nextLink finds rel="next" in Link headers.
func nextLink(headers []string) string {
	for _, h := range headers {
		for _, part := range strings.Split(h, ",") {
			ref, params, ok := strings.Cut(part, ";")
			if !ok {
				continue
			}
			for _, p := range strings.Split(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(k, "rel") && slicesContainsFold(strings.Fields(strings.Trim(v, `"`)), "next") {
					return strings.Trim(strings.TrimSpace(ref), "<>")
				}
			}
		}
	}
	return ""
}

func slicesContainsFold(ss []string, want string) bool {
	for _, s := range ss {
		if strings.EqualFold(s, want) {
			return true
		}
	}
	return false
}

// title returns `, title "…"` for an HTML page with one.
func title(body []byte) string {
	lower := bytes.ToLower(body)
	i := bytes.Index(lower, []byte("<title>"))
	if i < 0 {
		return ""
	}
	rest := body[i+len("<title>"):]
	j := bytes.Index(bytes.ToLower(rest), []byte("</title>"))
	if j < 0 {
		return ""
	}
	return fmt.Sprintf(", title %q", snippet(strings.TrimSpace(string(rest[:j]))))
}

func snippet(s string) string { return row.Truncate(s, 200) }

// scrub masks the source's secrets in a message.
func (s *Stream) scrub(msg string) string {
	for _, secret := range []string{s.src.Token, s.src.Password} {
		if secret != "" {
			msg = strings.ReplaceAll(msg, secret, "xxxxx")
		}
	}
	return msg
}

// redact drops user info from a URL for messages.
func redact(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}

func parseTime(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	for _, l := range []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05", time.DateOnly} {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
