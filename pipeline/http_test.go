package pipeline

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
)

// TestHTTPSnapshot syncs an API read whole (no updated_since): a page
// that still fails after its retries ends the sync with an error and
// marks nothing deleted; a complete read that lacks a record deletes it.
func TestHTTPSnapshot(t *testing.T) {
	var n, failPage atomic.Int64
	n.Store(10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if int64(page) == failPage.Load() {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		var recs []map[string]any
		for i := (page - 1) * 4; i < page*4 && i < int(n.Load()); i++ {
			recs = append(recs, map[string]any{"id": i + 1, "name": "Ann Lee", "email": "u" + strconv.Itoa(i+1) + "@example.com"})
		}
		json.NewEncoder(w).Encode(map[string]any{"customers": recs})
	}))
	defer srv.Close()
	dir := t.TempDir()
	write(t, dir, "scv.hcl", `
data_dir = "./data"
source "saas" {
  type       = "http"
  url        = "`+srv.URL+`/customers"
  records    = "customers"
  pagination = "page"
  page_size  = 4
  retries    = 0
  id         = "id"
  map {
    full_name = "name"
    email     = "email"
  }
}
`)
	p := open(t, dir)
	ctx := context.Background()
	if got, err := syncOnce(t, p, SyncOptions{}); err != nil || got != "read 10 inserted 10 updated 0 unchanged 0 deleted 0" {
		t.Fatalf("first sync: %s, %v", got, err)
	}
	n.Store(9)
	failPage.Store(2)
	if _, err := p.Sync(ctx, ""); err == nil {
		t.Fatal("a sync whose page 2 fails succeeded")
	}
	if st, _ := p.db.Sources(ctx); st["saas"].Records != 10 || st["saas"].Deleted != 0 {
		t.Fatalf("after the failed read: %+v, want 10 live and none deleted", st["saas"])
	}
	failPage.Store(0)
	if got, err := syncOnce(t, p, SyncOptions{}); err != nil || got != "read 9 inserted 0 updated 0 unchanged 9 deleted 1" {
		t.Fatalf("complete read without record 10: %s, %v", got, err)
	}
	if cp, _ := p.db.Checkpoint(ctx, "saas"); cp == "" {
		t.Error("no checkpoint after a complete read")
	}
}
