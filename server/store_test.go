package server

import (
	"context"
	"testing"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/store"
	"github.com/scvhq/scv/store/bolt"
)

// openStore opens a real bbolt store under t.TempDir() holding recs,
// assigned to profiles by assign (record key to profile id). Cleanup
// closes it.
func openStore(t testing.TB, recs []customer.Record, assign map[string]string) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(t.TempDir(), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	ctx := context.Background()
	if _, err := db.PutRecords(ctx, store.Batch{Records: recs}); err != nil {
		t.Fatal(err)
	}
	if err := db.ApplyResolution(ctx, store.Resolution{Assign: assign, Full: true}); err != nil {
		t.Fatal(err)
	}
	return db
}
