package bolt

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/scvhq/scv/customer"
)

func TestPutRecordsCounts(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	base := []customer.Record{rec("crm", "1", "a@x.com", "+441"), rec("crm", "2", "b@x.com", ""), rec("shop", "1", "a@x.com", "")}

	moved := rec("crm", "1", "a@x.com", "+441")
	moved.Row = 42
	edited := rec("crm", "2", "b2@x.com", "")
	gone := rec("crm", "2", "b2@x.com", "")
	gone.Deleted = true
	back := rec("crm", "2", "b2@x.com", "")
	twice := rec("new", "9", "", "")
	twice2 := rec("new", "9", "c@x.com", "")

	for _, step := range []struct {
		name        string
		recs        []customer.Record
		want        PutStats
		wantLive    []string
		wantSources map[string]SourceStats
	}{
		{
			name:     "insert",
			recs:     base,
			want:     PutStats{Inserted: 3, Changed: []string{"crm/1", "crm/2", "shop/1"}},
			wantLive: []string{"crm/1", "crm/2", "shop/1"},
			wantSources: map[string]SourceStats{
				"crm": {Records: 2}, "shop": {Records: 1},
			},
		},
		{
			name:     "same again",
			recs:     base,
			want:     PutStats{Unchanged: 3},
			wantLive: []string{"crm/1", "crm/2", "shop/1"},
			wantSources: map[string]SourceStats{
				"crm": {Records: 2}, "shop": {Records: 1},
			},
		},
		{
			name:     "only the row moved",
			recs:     []customer.Record{moved},
			want:     PutStats{Unchanged: 1},
			wantLive: []string{"crm/1", "crm/2", "shop/1"},
			wantSources: map[string]SourceStats{
				"crm": {Records: 2}, "shop": {Records: 1},
			},
		},
		{
			name:     "edited",
			recs:     []customer.Record{edited},
			want:     PutStats{Updated: 1, Changed: []string{"crm/2"}},
			wantLive: []string{"crm/1", "crm/2", "shop/1"},
			wantSources: map[string]SourceStats{
				"crm": {Records: 2}, "shop": {Records: 1},
			},
		},
		{
			name:     "deleted",
			recs:     []customer.Record{gone},
			want:     PutStats{Updated: 1, Changed: []string{"crm/2"}},
			wantLive: []string{"crm/1", "shop/1"},
			wantSources: map[string]SourceStats{
				"crm": {Records: 1, Deleted: 1}, "shop": {Records: 1},
			},
		},
		{
			name:     "undeleted",
			recs:     []customer.Record{back},
			want:     PutStats{Updated: 1, Changed: []string{"crm/2"}},
			wantLive: []string{"crm/1", "crm/2", "shop/1"},
			wantSources: map[string]SourceStats{
				"crm": {Records: 2}, "shop": {Records: 1},
			},
		},
		{
			name:     "same key twice in a batch",
			recs:     []customer.Record{twice, twice2},
			want:     PutStats{Inserted: 1, Updated: 1, Changed: []string{"new/9"}},
			wantLive: []string{"crm/1", "crm/2", "new/9", "shop/1"},
			wantSources: map[string]SourceStats{
				"crm": {Records: 2}, "new": {Records: 1}, "shop": {Records: 1},
			},
		},
	} {
		t.Run(step.name, func(t *testing.T) {
			got := put(t, db, step.recs...)
			if got.Inserted != step.want.Inserted || got.Updated != step.want.Updated ||
				got.Unchanged != step.want.Unchanged || !slices.Equal(got.Changed, step.want.Changed) {
				t.Errorf("stats = %+v, want %+v", got, step.want)
			}
			if live := liveKeys(t, db); !slices.Equal(live, step.wantLive) {
				t.Errorf("live records = %q, want %q", live, step.wantLive)
			}
			src, err := db.Sources(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(src) != len(step.wantSources) {
				t.Errorf("sources = %v, want %v", src, step.wantSources)
			}
			for name, want := range step.wantSources {
				if src[name] != want {
					t.Errorf("source %q = %+v, want %+v", name, src[name], want)
				}
			}
			if err := checkConsistent(db); err != nil {
				t.Error(err)
			}
		})
	}

	r, err := db.Record(ctx, "crm/1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Row != 42 {
		t.Errorf("Row after a row-only change = %d, want 42", r.Row)
	}
}

func TestRecordRoundTripThroughStore(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	want := typicalRecord("crm", 35)
	want.Identifiers["national_id"] = customer.Value{Raw: "x", Status: customer.Invalid, Reason: "bad checksum"}
	put(t, db, want)
	got, err := db.Record(ctx, want.Key())
	if err != nil {
		t.Fatal(err)
	}
	if !sameRecord(t, got, want) {
		t.Errorf("Record = %+v, want %+v", got, want)
	}
	if _, err := db.Record(ctx, "crm/missing"); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("absent record: err = %v, want ErrNotFound", err)
	}
}

func TestPutRecordsRejectsBadKeys(t *testing.T) {
	db := openTest(t)
	for _, tt := range []struct {
		name string
		rec  customer.Record
	}{
		{"no source", customer.Record{ID: "1"}},
		{"no id", customer.Record{Source: "crm"}},
		{"slash in source", customer.Record{Source: "a/b", ID: "1"}},
		{"nul in source", customer.Record{Source: "a\x00", ID: "1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ok := rec("crm", "ok", "ok@x.com", "")
			if _, err := db.PutRecords(context.Background(), []customer.Record{ok, tt.rec}); err == nil {
				t.Fatal("no error")
			}
			// The batch is one transaction: the good record is not stored either.
			if _, err := db.Record(context.Background(), "crm/ok"); !errors.Is(err, customer.ErrNotFound) {
				t.Errorf("good record of a failed batch: err = %v, want ErrNotFound", err)
			}
		})
	}
}

func TestDeleteMissing(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name      string
		seen      []string
		wantGone  []string
		wantLive  []string
		wantStats SourceStats
	}{
		{"all seen", []string{"1", "2", "3"}, nil, []string{"crm/1", "crm/2", "crm/3", "crmx/1"}, SourceStats{Records: 3}},
		{"one gone", []string{"1", "3"}, []string{"crm/2"}, []string{"crm/1", "crm/3", "crmx/1"}, SourceStats{Records: 2, Deleted: 1}},
		{"all gone", nil, []string{"crm/1", "crm/2", "crm/3"}, []string{"crmx/1"}, SourceStats{Deleted: 3}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			put(t, db, rec("crm", "1", "a@x.com", ""), rec("crm", "2", "b@x.com", ""),
				rec("crm", "3", "c@x.com", ""), rec("crmx", "1", "d@x.com", ""))
			if err := db.SetAssignments(ctx, map[string]string{"crm/1": "p1", "crm/2": "p1", "crm/3": "p2", "crmx/1": "p3"}, true); err != nil {
				t.Fatal(err)
			}
			gone, err := db.DeleteMissing(ctx, "crm", func(id string) bool { return slices.Contains(tt.seen, id) })
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(gone, tt.wantGone) {
				t.Errorf("gone = %q, want %q", gone, tt.wantGone)
			}
			if live := liveKeys(t, db); !slices.Equal(live, tt.wantLive) {
				t.Errorf("live = %q, want %q", live, tt.wantLive)
			}
			src, err := db.Sources(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if src["crm"] != tt.wantStats {
				t.Errorf("crm stats = %+v, want %+v", src["crm"], tt.wantStats)
			}
			for _, k := range tt.wantGone {
				r, err := db.Record(ctx, k)
				if err != nil || !r.Deleted {
					t.Errorf("record %s: deleted = %v, err = %v; want a deleted record", k, r.Deleted, err)
				}
			}
			// A second pass finds nothing more to delete.
			again, err := db.DeleteMissing(ctx, "crm", func(id string) bool { return slices.Contains(tt.seen, id) })
			if err != nil || len(again) != 0 {
				t.Errorf("second pass: gone = %q, err = %v; want none", again, err)
			}
		})
	}
}

func TestForEachRecordCopiesAreSafe(t *testing.T) {
	db := openTest(t)
	var recs []customer.Record
	for i := range 300 {
		recs = append(recs, typicalRecord("crm", i))
	}
	deleted := typicalRecord("crm", 1000)
	deleted.Deleted = true
	put(t, db, append(recs, deleted)...)

	var kept []customer.Record
	err := db.ForEachRecord(context.Background(), func(r *customer.Record) error {
		kept = append(kept, *r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Writes after the scan must not disturb what it returned.
	for i := range recs {
		recs[i].Attributes["segment"] = "changed"
	}
	put(t, db, recs...)

	if len(kept) != len(recs) {
		t.Fatalf("got %d records, want %d", len(kept), len(recs))
	}
	for i := range kept {
		want := typicalRecord("crm", i)
		if !sameRecord(t, kept[i], want) {
			t.Fatalf("record %d = %+v, want %+v", i, kept[i], want)
		}
	}
}

func TestForEachRecordStops(t *testing.T) {
	db := openTest(t)
	put(t, db, rec("a", "1", "", ""), rec("a", "2", "", ""))
	stop := errors.New("stop")
	n := 0
	err := db.ForEachRecord(context.Background(), func(*customer.Record) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("err = %v after %d calls, want stop after 1", err, n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.ForEachRecord(ctx, func(*customer.Record) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: err = %v", err)
	}
	if _, err := db.PutRecords(ctx, []customer.Record{rec("a", "3", "", "")}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled put: err = %v", err)
	}
}
