package bolt

import (
	"context"
	"testing"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/store"
	"github.com/scvhq/scv/store/storetest"
)

// openTest opens a store in a fresh temporary directory and, when the test
// ends, checks that its indexes and counters agree with its records and
// closes it.
func openTest(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(tb.TempDir(), Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Check(context.Background()); err != nil {
			tb.Error(err)
		}
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

// TestConformance runs the backend-neutral store contract against bbolt,
// checking the file's own consistency after every subtest.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return openTest(t) })
}

// put stores recs in one batch and fails the test on error.
func put(tb testing.TB, db *DB, recs ...customer.Record) store.PutStats {
	tb.Helper()
	st, err := db.PutRecords(context.Background(), store.Batch{Records: recs})
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

var (
	val           = storetest.Val
	rec           = storetest.Rec
	typicalRecord = storetest.TypicalRecord
)
