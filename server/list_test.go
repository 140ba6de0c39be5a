package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/scvhq/scv/customer"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
	"github.com/scvhq/scv/store"
	"github.com/scvhq/scv/store/bolt"
)

// manyStore returns a store with the fixture plus n one-record profiles
// p000…, alternately of sources "web" and "app", updated a day apart
// from 2025-01-01.
func manyStore(t *testing.T, n int) *bolt.DB {
	t.Helper()
	recs, assign := fixture()
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		src := []string{"web", "app"}[i%2]
		r := record(src, fmt.Sprint(i), map[customer.Field][]string{customer.GivenName: {"N"}}, nil)
		r.UpdatedAt = day.Add(time.Duration(i) * 24 * time.Hour)
		recs = append(recs, r)
		assign[r.Key()] = fmt.Sprintf("p%03d", i)
	}
	return openStore(t, recs, assign)
}

// listAll pages through ListProfiles with page size size and returns the
// ids in order and the number of pages.
func listAll(t *testing.T, client scvv1.ProfileServiceClient, filter string, size int32) ([]string, int) {
	t.Helper()
	var ids []string
	req := &scvv1.ListProfilesRequest{PageSize: size, Filter: filter, View: scvv1.ProfileView_PROFILE_VIEW_MARKETING}
	for pages := 1; ; pages++ {
		resp, err := client.ListProfiles(context.Background(), req)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		if size > 0 && len(resp.GetProfiles()) > int(size) {
			t.Fatalf("page %d holds %d profiles, more than %d", pages, len(resp.GetProfiles()), size)
		}
		for _, p := range resp.GetProfiles() {
			ids = append(ids, p.GetId())
		}
		if resp.GetNextPageToken() == "" {
			return ids, pages
		}
		req.PageToken = resp.GetNextPageToken()
		if pages > 1000 {
			t.Fatal("more than 1000 pages")
		}
	}
}

func TestListProfiles(t *testing.T) {
	client := scvv1.NewProfileServiceClient(serve(t, manyStore(t, 120), Options{}))
	var all []string
	for i := range 120 {
		all = append(all, fmt.Sprintf("p%03d", i))
	}
	all = append(all, "pAlice", "pBob")
	for _, tt := range []struct {
		name   string
		filter string
		size   int32
		want   []string
		pages  int
	}{
		{"default page size", "", 0, all, 3},
		{"pages of 7", "", 7, all, 18},
		{"page size above the maximum", "", 5000, all, 1},
		{"source", `source = "crm"`, 10, []string{"pAlice"}, 1},
		{"source with has", `source:desk`, 10, []string{"pBob"}, 1},
		{"not a source", `source != "app" AND source != "web"`, 0, []string{"pAlice", "pBob"}, 1},
		{"update_time", `update_time >= "2025-04-10T00:00:00Z" AND source = "app"`, 0, []string{"p099", "p101", "p103", "p105", "p107", "p109", "p111", "p113", "p115", "p117", "p119"}, 1},
		{"update_time equal", `update_time = "2025-01-03T00:00:00Z"`, 0, []string{"p002"}, 1},
		{"update_time before", `update_time < "2025-01-03T00:00:00+00:00"`, 0, []string{"p000", "p001"}, 1},
		{"nothing matches", `source = "nope"`, 0, nil, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, pages := listAll(t, client, tt.filter, tt.size)
			if !slices.Equal(got, tt.want) {
				t.Errorf("ids %q, want %q", got, tt.want)
			}
			if pages != tt.pages {
				t.Errorf("%d pages, want %d", pages, tt.pages)
			}
		})
	}
}

func TestListProfilesTokens(t *testing.T) {
	client := scvv1.NewProfileServiceClient(serve(t, manyStore(t, 10), Options{}))
	ctx := context.Background()
	first, err := client.ListProfiles(ctx, &scvv1.ListProfilesRequest{PageSize: 3, Filter: `source = "web"`})
	if err != nil {
		t.Fatal(err)
	}
	token := first.GetNextPageToken()
	if token == "" || strings.Contains(token, "p00") {
		t.Fatalf("token %q: want an opaque token", token)
	}
	// Flip each byte's lowest bit in turn: every changed token is refused.
	tampered := []string{"x", token[:len(token)-2], token + "A", strings.Repeat("A", len(token))}
	for i := range len(token) {
		b := []byte(token)
		b[i] ^= 1
		tampered = append(tampered, string(b))
	}
	for _, tok := range tampered {
		_, err := client.ListProfiles(ctx, &scvv1.ListProfilesRequest{PageSize: 3, Filter: `source = "web"`, PageToken: tok})
		if status.Code(err) != codes.InvalidArgument {
			t.Fatalf("token %q: %v, want InvalidArgument", tok, err)
		}
		details(t, err, "INVALID_PAGE_TOKEN")
	}
	// Another filter, or a token of another method, is refused; another
	// page size and view are fine.
	_, err = client.ListProfiles(ctx, &scvv1.ListProfilesRequest{PageSize: 3, Filter: `source = "app"`, PageToken: token})
	if v := violations(t, err); len(v) != 1 || !strings.Contains(v[0], "another filter") {
		t.Errorf("token with another filter: %q", v)
	}
	resp, err := client.ListProfiles(ctx, &scvv1.ListProfilesRequest{PageSize: 50, Filter: `source = "web"`, PageToken: token, View: scvv1.ProfileView_PROFILE_VIEW_MARKETING})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range resp.GetProfiles() {
		ids = append(ids, p.GetId())
	}
	if want := []string{"p006", "p008"}; !slices.Equal(ids, want) || resp.GetNextPageToken() != "" {
		t.Errorf("second page %q (token %q), want %q and no token", ids, resp.GetNextPageToken(), want)
	}
}

func TestListProfilesTokenSurvivesRestart(t *testing.T) {
	st := manyStore(t, 5)
	client := scvv1.NewProfileServiceClient(serve(t, st, Options{}))
	first, err := client.ListProfiles(context.Background(), &scvv1.ListProfilesRequest{PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	again := scvv1.NewProfileServiceClient(serve(t, st, Options{}))
	resp, err := again.ListProfiles(context.Background(), &scvv1.ListProfilesRequest{PageSize: 2, PageToken: first.GetNextPageToken()})
	if err != nil {
		t.Fatalf("a second server over the same store refused the first one's token: %v", err)
	}
	if got := resp.GetProfiles(); len(got) != 2 || got[0].GetId() != "p002" {
		t.Errorf("second page %v, want p002 first", got)
	}
}

func TestListProfilesBadRequests(t *testing.T) {
	client := fixtureServer(t, Options{})
	for _, tt := range []struct {
		name   string
		req    *scvv1.ListProfilesRequest
		want   string // a violation's prefix
		reason string
	}{
		{"negative page size", &scvv1.ListProfilesRequest{PageSize: -1}, "page_size: must not be negative", "BAD_REQUEST"},
		{"unknown field", &scvv1.ListProfilesRequest{Filter: `email = "a@b.c"`}, `filter: unknown field "email": the fields are source, update_time`, "BAD_REQUEST"},
		{"or", &scvv1.ListProfilesRequest{Filter: `source = "a" OR source = "b"`}, "filter: OR is not supported", "BAD_REQUEST"},
		{"bad time", &scvv1.ListProfilesRequest{Filter: `update_time > "yesterday"`}, `filter: update_time "yesterday" is not an RFC 3339 time`, "BAD_REQUEST"},
		{"source less than", &scvv1.ListProfilesRequest{Filter: `source < "a"`}, "filter: source takes = or !=", "BAD_REQUEST"},
		{"half a condition", &scvv1.ListProfilesRequest{Filter: `source =`}, "filter: a condition is", "BAD_REQUEST"},
		{"unterminated", &scvv1.ListProfilesRequest{Filter: `source = "crm`}, "filter: unterminated string", "BAD_REQUEST"},
		{"garbage token", &scvv1.ListProfilesRequest{PageToken: "not a token"}, "page_token: is not a page token", "INVALID_PAGE_TOKEN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.ListProfiles(context.Background(), tt.req)
			if status.Code(err) != codes.InvalidArgument {
				t.Fatalf("%v, want InvalidArgument", err)
			}
			details(t, err, tt.reason)
			if v := violations(t, err); len(v) != 1 || !strings.HasPrefix(v[0], tt.want) {
				t.Errorf("violations %q, want one starting %q", v, tt.want)
			}
		})
	}
}

func TestBatchGetProfiles(t *testing.T) {
	client := fixtureServer(t, Options{})
	ctx := context.Background()
	resp, err := client.BatchGetProfiles(ctx, &scvv1.BatchGetProfilesRequest{
		Names: []string{"profiles/pBob", "profiles/pAlice", "profiles/pBob"},
		View:  scvv1.ProfileView_PROFILE_VIEW_FULL,
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range resp.GetProfiles() {
		ids = append(ids, p.GetId())
	}
	if want := []string{"pBob", "pAlice", "pBob"}; !slices.Equal(ids, want) {
		t.Errorf("ids %q, want %q", ids, want)
	}
	wantEqual(t, legacy(resp.GetProfiles()[0]), bobProfile())

	// One unknown profile fails the batch, naming it.
	_, err = client.BatchGetProfiles(ctx, &scvv1.BatchGetProfilesRequest{Names: []string{"profiles/pAlice", "profiles/pNobody"}})
	if status.Code(err) != codes.NotFound || !strings.Contains(status.Convert(err).Message(), "pNobody") {
		t.Errorf("unknown profile: %v, want NotFound naming pNobody", err)
	}
	details(t, err, "PROFILE_NOT_FOUND")

	names := make([]string, 1001)
	for i := range names {
		names[i] = "profiles/pAlice"
	}
	_, err = client.BatchGetProfiles(ctx, &scvv1.BatchGetProfilesRequest{Names: names})
	if v := violations(t, err); len(v) != 1 || !strings.HasPrefix(v[0], "names: holds 1001 names, more than the 1000 allowed") {
		t.Errorf("1001 names: %q", v)
	}
	if _, err := client.BatchGetProfiles(ctx, &scvv1.BatchGetProfilesRequest{Names: names[:1000]}); err != nil {
		t.Errorf("1000 names: %v", err)
	}
	_, err = client.BatchGetProfiles(ctx, &scvv1.BatchGetProfilesRequest{Names: []string{"profiles/pAlice", "pBob"}})
	if v := violations(t, err); len(v) != 1 || !strings.HasPrefix(v[0], `names[1]: must be "profiles/{id}"`) {
		t.Errorf("malformed name: %q", v)
	}
	_, err = client.BatchGetProfiles(ctx, &scvv1.BatchGetProfilesRequest{})
	if v := violations(t, err); len(v) != 1 || !strings.HasPrefix(v[0], "names: is required") {
		t.Errorf("no names: %q", v)
	}
}

// TestListProfilesWhileProfilesChange re-resolves between pages: the
// token holds the last id read, not an offset, so no profile is listed
// twice and none that stays is skipped.
func TestListProfilesWhileProfilesChange(t *testing.T) {
	db := manyStore(t, 10)
	client := scvv1.NewProfileServiceClient(serve(t, db, Options{}))
	ctx := context.Background()
	first, err := client.ListProfiles(ctx, &scvv1.ListProfilesRequest{PageSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	// p001 (read) and p005 (not yet read) join p007; p002 becomes pZ.
	err = db.ApplyResolution(ctx, store.Resolution{Assign: map[string]string{"app/1": "p007", "app/5": "p007", "web/2": "pZ"}})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, p := range first.GetProfiles() {
		ids = append(ids, p.GetId())
	}
	req := &scvv1.ListProfilesRequest{PageSize: 4, PageToken: first.GetNextPageToken()}
	for req.PageToken != "" {
		resp, err := client.ListProfiles(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range resp.GetProfiles() {
			ids = append(ids, p.GetId())
		}
		req.PageToken = resp.GetNextPageToken()
	}
	want := []string{"p000", "p001", "p002", "p003", "p004", "p006", "p007", "p008", "p009", "pAlice", "pBob", "pZ"}
	if !slices.Equal(ids, want) {
		t.Errorf("ids %q, want %q", ids, want)
	}
}
