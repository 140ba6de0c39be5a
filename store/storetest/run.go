package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/store"
)

// Open returns an empty store for one subtest. It registers its own
// cleanup (closing the store, and any backend-specific checks).
type Open func(t *testing.T) Store

// Run runs every contract of package store against fresh stores from open,
// each as a subtest.
func Run(t *testing.T, open Open) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"PutRecordsCounts", testPutRecordsCounts},
		{"RecordRoundTrip", testRecordRoundTrip},
		{"PutRecordsRejectsBadKeys", testPutRecordsRejectsBadKeys},
		{"FinishSnapshot", testFinishSnapshot},
		{"ForEachRecordCopiesAreSafe", testForEachRecordCopiesAreSafe},
		{"ForEachRecordStops", testForEachRecordStops},
		{"Quarantine", testQuarantine},
		{"Checkpoints", testCheckpoints},
		{"Pending", testPending},
		{"PendingMarkedDuringResolution", testPendingMarkedDuringResolution},
		{"Assignments", testAssignments},
		{"DeletedRecordLeavesProfile", testDeletedRecordLeavesProfile},
		{"ProfileIDsPaging", testProfileIDsPaging},
		{"Lookup", testLookup},
		{"BlockIndex", testBlockIndex},
		{"Meta", testMeta},
		{"EnsureMeta", testEnsureMeta},
		{"Overrides", testOverrides},
		{"OverridesRejectBadPairs", testOverridesRejectBadPairs},
		{"ContextCanceled", testContextCanceled},
		{"ConcurrentReadersDuringWrites", testConcurrentReaders},
		{"GoldenProfiles", testGoldenProfiles},
		{"ChangeLog", testChangeLog},
		{"SyncHistory", testSyncHistory},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// put stores recs in one batch and fails the test on error.
func put(t *testing.T, s Store, recs ...customer.Record) store.PutStats {
	t.Helper()
	st, err := s.PutRecords(context.Background(), store.Batch{Records: recs})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// assign applies a resolution and fails the test on error.
func assign(t *testing.T, s Store, a map[string]string, full bool) {
	t.Helper()
	if err := s.ApplyResolution(context.Background(), store.Resolution{Assign: a, Full: full}); err != nil {
		t.Fatal(err)
	}
}

func liveKeys(t *testing.T, s Store) []string {
	t.Helper()
	var keys []string
	err := s.ForEachRecord(context.Background(), func(r *customer.Record) error {
		keys = append(keys, r.Key())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func pendingKeys(t *testing.T, s Store) []string {
	t.Helper()
	p, err := s.Pending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return p.Keys
}

func quarantined(t *testing.T, s Store, source string) []store.Quarantined {
	t.Helper()
	var out []store.Quarantined
	err := s.ForEachQuarantined(context.Background(), source, func(q store.Quarantined) error {
		out = append(out, q)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sources(t *testing.T, s Store) map[string]store.SourceStats {
	t.Helper()
	src, err := s.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// Equal reports whether two records hold the same data; nil and empty
// maps are alike, and times are compared as instants.
func Equal(a, b customer.Record) bool {
	sameConsent := func(x, y customer.Consent) bool { return x.Status == y.Status && x.At.Equal(y.At) }
	return a.Source == b.Source && a.ID == b.ID && a.Row == b.Row && a.UpdatedAt.Equal(b.UpdatedAt) &&
		a.Deleted == b.Deleted && a.Fields == b.Fields && slices.Equal(a.Extra, b.Extra) &&
		maps.Equal(a.Identifiers, b.Identifiers) && maps.EqualFunc(a.Consent, b.Consent, sameConsent) &&
		maps.Equal(a.Attributes, b.Attributes)
}

func testPutRecordsCounts(t *testing.T, s Store) {
	ctx := context.Background()
	base := []customer.Record{Rec("crm", "1", "a@x.com", "+441"), Rec("crm", "2", "b@x.com", ""), Rec("shop", "1", "a@x.com", "")}
	moved := Rec("crm", "1", "a@x.com", "+441")
	moved.Row = 42
	edited := Rec("crm", "2", "b2@x.com", "")
	gone := Rec("crm", "2", "b2@x.com", "")
	gone.Deleted = true
	back := Rec("crm", "2", "b2@x.com", "")
	twice := Rec("new", "9", "", "")
	twice2 := Rec("new", "9", "c@x.com", "")

	for _, step := range []struct {
		name        string
		recs        []customer.Record
		want        store.PutStats
		wantLive    []string
		wantSources map[string]store.SourceStats
	}{
		{"insert", base, store.PutStats{Inserted: 3, Changed: []string{"crm/1", "crm/2", "shop/1"}},
			[]string{"crm/1", "crm/2", "shop/1"}, map[string]store.SourceStats{"crm": {Records: 2}, "shop": {Records: 1}}},
		{"same again", base, store.PutStats{Unchanged: 3},
			[]string{"crm/1", "crm/2", "shop/1"}, map[string]store.SourceStats{"crm": {Records: 2}, "shop": {Records: 1}}},
		{"only the row moved", []customer.Record{moved}, store.PutStats{Unchanged: 1},
			[]string{"crm/1", "crm/2", "shop/1"}, map[string]store.SourceStats{"crm": {Records: 2}, "shop": {Records: 1}}},
		{"edited", []customer.Record{edited}, store.PutStats{Updated: 1, Changed: []string{"crm/2"}},
			[]string{"crm/1", "crm/2", "shop/1"}, map[string]store.SourceStats{"crm": {Records: 2}, "shop": {Records: 1}}},
		{"deleted", []customer.Record{gone}, store.PutStats{Updated: 1, Changed: []string{"crm/2"}},
			[]string{"crm/1", "shop/1"}, map[string]store.SourceStats{"crm": {Records: 1, Deleted: 1}, "shop": {Records: 1}}},
		{"undeleted", []customer.Record{back}, store.PutStats{Updated: 1, Changed: []string{"crm/2"}},
			[]string{"crm/1", "crm/2", "shop/1"}, map[string]store.SourceStats{"crm": {Records: 2}, "shop": {Records: 1}}},
		{"same key twice in a batch", []customer.Record{twice, twice2}, store.PutStats{Inserted: 1, Updated: 1, Changed: []string{"new/9"}},
			[]string{"crm/1", "crm/2", "new/9", "shop/1"}, map[string]store.SourceStats{"crm": {Records: 2}, "new": {Records: 1}, "shop": {Records: 1}}},
	} {
		t.Run(step.name, func(t *testing.T) {
			got := put(t, s, step.recs...)
			if got.Inserted != step.want.Inserted || got.Updated != step.want.Updated ||
				got.Unchanged != step.want.Unchanged || !slices.Equal(got.Changed, step.want.Changed) {
				t.Errorf("stats = %+v, want %+v", got, step.want)
			}
			if live := liveKeys(t, s); !slices.Equal(live, step.wantLive) {
				t.Errorf("live records = %q, want %q", live, step.wantLive)
			}
			if src := sources(t, s); !maps.Equal(src, step.wantSources) {
				t.Errorf("sources = %v, want %v", src, step.wantSources)
			}
		})
	}
	r, err := s.Record(ctx, "crm/1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Row != 42 {
		t.Errorf("Row after a row-only change = %d, want 42", r.Row)
	}
	if got, _ := s.Record(ctx, "new/9"); got.Get(customer.Email).Norm != "c@x.com" {
		t.Errorf("the last of a key given twice in a batch did not win: %+v", got)
	}
}

func testRecordRoundTrip(t *testing.T, s Store) {
	ctx := context.Background()
	want := TypicalRecord("crm", 35)
	want.Identifiers["national_id"] = customer.Value{Raw: "x", Status: customer.Invalid, Reason: "bad checksum"}
	put(t, s, want)
	got, err := s.Record(ctx, want.Key())
	if err != nil {
		t.Fatal(err)
	}
	if !Equal(got, want) {
		t.Errorf("Record = %+v, want %+v", got, want)
	}
	if _, err := s.Record(ctx, "crm/missing"); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("absent record: err = %v, want ErrNotFound", err)
	}
	var visited []string
	err = s.Records(ctx, []string{"crm/missing", want.Key()}, func(r *customer.Record) error {
		visited = append(visited, r.Key())
		if !Equal(*r, want) {
			t.Errorf("Records gave %+v, want %+v", *r, want)
		}
		return nil
	})
	if err != nil || !slices.Equal(visited, []string{want.Key()}) {
		t.Errorf("Records visited %q, err %v; want only %s", visited, err, want.Key())
	}
}

func testPutRecordsRejectsBadKeys(t *testing.T, s Store) {
	ctx := context.Background()
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
			ok := Rec("crm", "ok", "ok@x.com", "")
			cp := &store.Checkpoint{Source: "crm", Value: "bad batch"}
			if _, err := s.PutRecords(ctx, store.Batch{Records: []customer.Record{ok, tt.rec}, Checkpoint: cp}); err == nil {
				t.Fatal("no error")
			}
			// The batch is one transaction: nothing of it is stored.
			if _, err := s.Record(ctx, "crm/ok"); !errors.Is(err, customer.ErrNotFound) {
				t.Errorf("good record of a failed batch: err = %v, want ErrNotFound", err)
			}
			if cp, _ := s.Checkpoint(ctx, "crm"); cp != "" {
				t.Errorf("checkpoint of a failed batch = %q, want none", cp)
			}
			if p := pendingKeys(t, s); len(p) != 0 {
				t.Errorf("pending after a failed batch = %q", p)
			}
		})
	}
}

func testFinishSnapshot(t *testing.T, s Store) {
	ctx := context.Background()
	put(t, s, Rec("crm", "1", "a@x.com", ""), Rec("crm", "2", "b@x.com", ""),
		Rec("crm", "3", "c@x.com", ""), Rec("crmx", "1", "d@x.com", ""))
	all, err := s.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = s.ApplyResolution(ctx, store.Resolution{
		Assign: map[string]string{"crm/1": "p1", "crm/2": "p1", "crm/3": "p2", "crmx/1": "p3"},
		Full:   true, Resolved: all.Keys, PendingSeq: all.Seq,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		name      string
		seen      []string
		wantGone  []string
		wantLive  []string
		wantStats store.SourceStats
	}{
		{"all seen", []string{"1", "2", "3"}, nil, []string{"crm/1", "crm/2", "crm/3", "crmx/1"}, store.SourceStats{Records: 3}},
		{"one gone", []string{"1", "3"}, []string{"crm/2"}, []string{"crm/1", "crm/3", "crmx/1"}, store.SourceStats{Records: 2, Deleted: 1}},
		{"the same again", []string{"1", "3"}, nil, []string{"crm/1", "crm/3", "crmx/1"}, store.SourceStats{Records: 2, Deleted: 1}},
		{"all gone", nil, []string{"crm/1", "crm/3"}, []string{"crmx/1"}, store.SourceStats{Deleted: 3}},
	} {
		t.Run(step.name, func(t *testing.T) {
			before := pendingKeys(t, s)
			gone, err := s.FinishSnapshot(ctx, store.Snapshot{
				Source: "crm", Seen: func(id string) bool { return slices.Contains(step.seen, id) },
				Checkpoint: "cp " + step.name,
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(gone, step.wantGone) {
				t.Errorf("gone = %q, want %q", gone, step.wantGone)
			}
			if live := liveKeys(t, s); !slices.Equal(live, step.wantLive) {
				t.Errorf("live = %q, want %q", live, step.wantLive)
			}
			if src := sources(t, s); src["crm"] != step.wantStats {
				t.Errorf("crm stats = %+v, want %+v", src["crm"], step.wantStats)
			}
			for _, k := range step.wantGone {
				r, err := s.Record(ctx, k)
				if err != nil || !r.Deleted {
					t.Errorf("record %s: deleted = %v, err = %v; want a deleted record", k, r.Deleted, err)
				}
			}
			want := append(slices.Clone(before), step.wantGone...)
			slices.Sort(want)
			want = slices.Compact(want)
			if p := pendingKeys(t, s); !slices.Equal(p, want) {
				t.Errorf("pending = %q, want %q", p, want)
			}
			if cp, _ := s.Checkpoint(ctx, "crm"); cp != "cp "+step.name {
				t.Errorf("checkpoint = %q, want %q", cp, "cp "+step.name)
			}
		})
	}
	if _, err := s.FinishSnapshot(ctx, store.Snapshot{Source: "a/b", Seen: func(string) bool { return true }}); err == nil {
		t.Error("bad source name: no error")
	}
}

func testForEachRecordCopiesAreSafe(t *testing.T, s Store) {
	var recs []customer.Record
	for i := range 300 {
		recs = append(recs, TypicalRecord("crm", i))
	}
	deleted := TypicalRecord("crm", 1000)
	deleted.Deleted = true
	put(t, s, append(recs, deleted)...)
	var kept []customer.Record
	err := s.ForEachRecord(context.Background(), func(r *customer.Record) error {
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
	put(t, s, recs...)
	if len(kept) != len(recs) {
		t.Fatalf("got %d records, want %d", len(kept), len(recs))
	}
	for i := range kept {
		if want := TypicalRecord("crm", i); !Equal(kept[i], want) {
			t.Fatalf("record %d = %+v, want %+v", i, kept[i], want)
		}
	}
}

func testForEachRecordStops(t *testing.T, s Store) {
	put(t, s, Rec("a", "1", "", ""), Rec("a", "2", "", ""))
	stop := errors.New("stop")
	n := 0
	err := s.ForEachRecord(context.Background(), func(*customer.Record) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("err = %v after %d calls, want stop after 1", err, n)
	}
}

func testQuarantine(t *testing.T, s Store) {
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	row := func(src string, n int64, reason string) store.Quarantined {
		return store.Quarantined{Source: src, Row: n, Raw: "a,b,,", Reason: reason, Field: "customer_id", At: at}
	}
	seenAll := func(string) bool { return true }
	same := func(a, b store.Quarantined) bool {
		return a.Source == b.Source && a.Row == b.Row && a.Raw == b.Raw && a.Reason == b.Reason && a.Field == b.Field && a.At.Equal(b.At)
	}
	for _, step := range []struct {
		name    string
		do      func() error
		want    []store.Quarantined // all sources, in order
		wantCRM int
	}{
		{"snapshot into empty", func() error {
			_, err := s.FinishSnapshot(ctx, store.Snapshot{Source: "crm", Seen: seenAll, Checkpoint: "1",
				Quarantine: []store.Quarantined{row("crm", 12, "no id"), row("", 3, "bad quotes")}})
			return err
		}, []store.Quarantined{row("crm", 3, "bad quotes"), row("crm", 12, "no id")}, 2},
		{"batch appends to another source and the same row again", func() error {
			_, err := s.PutRecords(ctx, store.Batch{Quarantine: []store.Quarantined{row("shop", 1, "no id"), row("crm", 3, "again")}})
			return err
		}, []store.Quarantined{row("crm", 3, "bad quotes"), row("crm", 3, "again"), row("crm", 12, "no id"), row("shop", 1, "no id")}, 3},
		{"snapshot replaces only its source", func() error {
			_, err := s.FinishSnapshot(ctx, store.Snapshot{Source: "crm", Seen: seenAll, Checkpoint: "2",
				Quarantine: []store.Quarantined{row("crm", 7, "no id")}})
			return err
		}, []store.Quarantined{row("crm", 7, "no id"), row("shop", 1, "no id")}, 1},
		{"snapshot with nothing", func() error {
			_, err := s.FinishSnapshot(ctx, store.Snapshot{Source: "crm", Seen: seenAll, Checkpoint: "3"})
			return err
		}, []store.Quarantined{row("shop", 1, "no id")}, 0},
	} {
		t.Run(step.name, func(t *testing.T) {
			if err := step.do(); err != nil {
				t.Fatal(err)
			}
			if got := quarantined(t, s, ""); !slices.EqualFunc(got, step.want, same) {
				t.Errorf("quarantine\n got %+v\nwant %+v", got, step.want)
			}
			if n := sources(t, s)["crm"].Quarantined; n != step.wantCRM {
				t.Errorf("crm quarantined = %d, want %d", n, step.wantCRM)
			}
			if n := len(quarantined(t, s, "crm")); n != step.wantCRM {
				t.Errorf("ForEachQuarantined(crm) gave %d rows, want %d", n, step.wantCRM)
			}
		})
	}
	if _, err := s.FinishSnapshot(ctx, store.Snapshot{Source: "crm", Seen: seenAll, Quarantine: []store.Quarantined{row("shop", 1, "x")}}); err == nil {
		t.Error("snapshot with a row of another source: no error")
	}
	if _, err := s.PutRecords(ctx, store.Batch{Quarantine: []store.Quarantined{row("", 1, "x")}}); err == nil {
		t.Error("quarantined row without source: no error")
	}
	stop := errors.New("stop")
	if err := s.ForEachQuarantined(ctx, "", func(store.Quarantined) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("fn error: got %v", err)
	}
}

func testCheckpoints(t *testing.T, s Store) {
	ctx := context.Background()
	if cp, err := s.Checkpoint(ctx, "crm"); err != nil || cp != "" {
		t.Errorf("absent checkpoint = %q, %v; want empty", cp, err)
	}
	for i, v := range []string{"a", "b", ""} {
		b := store.Batch{Records: []customer.Record{Rec("crm", fmt.Sprint(i), "", "")}, Checkpoint: &store.Checkpoint{Source: "crm", Value: v}}
		if _, err := s.PutRecords(ctx, b); err != nil {
			t.Fatal(err)
		}
		if cp, err := s.Checkpoint(ctx, "crm"); err != nil || cp != v {
			t.Errorf("checkpoint = %q, %v; want %q", cp, err, v)
		}
	}
	// A checkpoint alone is a valid batch, and belongs to one source.
	if _, err := s.PutRecords(ctx, store.Batch{Checkpoint: &store.Checkpoint{Source: "shop", Value: "x"}}); err != nil {
		t.Fatal(err)
	}
	if cp, _ := s.Checkpoint(ctx, "shop"); cp != "x" {
		t.Errorf("shop checkpoint = %q, want x", cp)
	}
	if cp, _ := s.Checkpoint(ctx, "crm"); cp != "" {
		t.Errorf("crm checkpoint = %q after a shop batch, want empty", cp)
	}
}

func testPending(t *testing.T, s Store) {
	ctx := context.Background()
	if p := pendingKeys(t, s); len(p) != 0 {
		t.Fatalf("pending in an empty store = %q", p)
	}
	put(t, s, Rec("crm", "2", "b@x.com", ""), Rec("crm", "1", "a@x.com", ""))
	if p := pendingKeys(t, s); !slices.Equal(p, []string{"crm/1", "crm/2"}) {
		t.Errorf("pending = %q, want [crm/1 crm/2]", p)
	}
	// An unchanged record is not marked again.
	p, err := s.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = s.ApplyResolution(ctx, store.Resolution{Assign: map[string]string{"crm/1": "p1"}, Resolved: []string{"crm/1"}, PendingSeq: p.Seq})
	if err != nil {
		t.Fatal(err)
	}
	if got := pendingKeys(t, s); !slices.Equal(got, []string{"crm/2"}) {
		t.Errorf("pending after resolving crm/1 = %q, want [crm/2]", got)
	}
	put(t, s, Rec("crm", "1", "a@x.com", ""))
	if got := pendingKeys(t, s); !slices.Equal(got, []string{"crm/2"}) {
		t.Errorf("pending after an unchanged put = %q, want [crm/2]", got)
	}
	// A full resolution covers every pending key.
	p, err = s.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = s.ApplyResolution(ctx, store.Resolution{Assign: map[string]string{"crm/1": "p1", "crm/2": "p1"}, Full: true, PendingSeq: p.Seq})
	if err != nil {
		t.Fatal(err)
	}
	if got := pendingKeys(t, s); len(got) != 0 {
		t.Errorf("pending after a full resolution = %q", got)
	}
	// Deleting marks the record, and so does a failed resolution not.
	gone := Rec("crm", "2", "b@x.com", "")
	gone.Deleted = true
	put(t, s, gone)
	if got := pendingKeys(t, s); !slices.Equal(got, []string{"crm/2"}) {
		t.Errorf("pending after a delete = %q, want [crm/2]", got)
	}
	bad := store.Resolution{Assign: map[string]string{"crm/1": "p\x00"}, Full: true, PendingSeq: ^uint64(0)}
	if err := s.ApplyResolution(ctx, bad); err == nil {
		t.Error("profile id with 0x00: no error")
	}
	if got := pendingKeys(t, s); !slices.Equal(got, []string{"crm/2"}) {
		t.Errorf("pending after a failed resolution = %q, want [crm/2]", got)
	}
}

// testPendingMarkedDuringResolution: a record changed after the resolver
// read the pending set stays pending when the resolution is stored.
func testPendingMarkedDuringResolution(t *testing.T, s Store) {
	ctx := context.Background()
	put(t, s, Rec("crm", "1", "a@x.com", ""), Rec("crm", "2", "b@x.com", ""))
	p, err := s.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, Rec("crm", "2", "b2@x.com", ""), Rec("crm", "3", "c@x.com", ""))
	err = s.ApplyResolution(ctx, store.Resolution{
		Assign: map[string]string{"crm/1": "p1", "crm/2": "p2"}, Resolved: p.Keys, PendingSeq: p.Seq,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := pendingKeys(t, s); !slices.Equal(got, []string{"crm/2", "crm/3"}) {
		t.Errorf("pending = %q, want [crm/2 crm/3]", got)
	}
	err = s.ApplyResolution(ctx, store.Resolution{Assign: map[string]string{"crm/1": "p1"}, Full: true, PendingSeq: p.Seq})
	if err != nil {
		t.Fatal(err)
	}
	if got := pendingKeys(t, s); !slices.Equal(got, []string{"crm/2", "crm/3"}) {
		t.Errorf("pending after a full resolution of the older set = %q, want [crm/2 crm/3]", got)
	}
}

func testAssignments(t *testing.T, s Store) {
	ctx := context.Background()
	put(t, s, Rec("crm", "1", "", ""), Rec("crm", "2", "", ""), Rec("shop", "1", "", ""), Rec("shop", "2", "", ""))
	gone := Rec("desk", "1", "", "")
	gone.Deleted = true
	put(t, s, gone)
	for _, step := range []struct {
		name        string
		assign      map[string]string
		full        bool
		want        map[string]string
		wantMembers map[string][]string
	}{
		{"full", map[string]string{"crm/1": "p1", "shop/1": "p1", "crm/2": "p2", "shop/2": "p3"}, true,
			map[string]string{"crm/1": "p1", "shop/1": "p1", "crm/2": "p2", "shop/2": "p3"},
			map[string][]string{"p1": {"crm/1", "shop/1"}, "p2": {"crm/2"}, "p3": {"shop/2"}}},
		{"partial move and unassign", map[string]string{"shop/2": "p2", "crm/2": ""}, false,
			map[string]string{"crm/1": "p1", "shop/1": "p1", "shop/2": "p2"},
			map[string][]string{"p1": {"crm/1", "shop/1"}, "p2": {"shop/2"}}},
		{"partial skips absent and deleted records", map[string]string{"desk/1": "p9", "nope/1": "p9", "crm/2": "p4"}, false,
			map[string]string{"crm/1": "p1", "shop/1": "p1", "shop/2": "p2", "crm/2": "p4"},
			map[string][]string{"p1": {"crm/1", "shop/1"}, "p2": {"shop/2"}, "p4": {"crm/2"}}},
		{"full drops what is missing", map[string]string{"crm/1": "p1", "crm/2": "p1"}, true,
			map[string]string{"crm/1": "p1", "crm/2": "p1"},
			map[string][]string{"p1": {"crm/1", "crm/2"}}},
	} {
		t.Run(step.name, func(t *testing.T) {
			assign(t, s, step.assign, step.full)
			got, err := s.Assignments(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, step.want) {
				t.Errorf("assignments = %v, want %v", got, step.want)
			}
			ids, err := s.ProfileIDs(ctx, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if want := slices.Sorted(maps.Keys(step.wantMembers)); !slices.Equal(ids, want) {
				t.Errorf("profile ids = %q, want %q", ids, want)
			}
			for id, want := range step.wantMembers {
				p, err := s.Profile(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				var keys []string
				for _, m := range p.Members {
					keys = append(keys, m.Key())
				}
				if p.ID != id || !slices.Equal(keys, want) {
					t.Errorf("profile %s = %s %q, want %q", id, p.ID, keys, want)
				}
			}
		})
	}
	if _, err := s.Profile(ctx, "p3"); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("dropped profile: err = %v, want ErrNotFound", err)
	}
	got, err := s.AssignmentsOf(ctx, []string{"crm/1", "shop/2", "z/9"})
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, map[string]string{"crm/1": "p1"}) {
		t.Errorf("AssignmentsOf = %v, want only crm/1 -> p1", got)
	}
	if err := s.ApplyResolution(ctx, store.Resolution{Assign: map[string]string{"crm/1": "p\x00"}}); err == nil {
		t.Error("profile id with 0x00: no error")
	}
}

func testDeletedRecordLeavesProfile(t *testing.T, s Store) {
	ctx := context.Background()
	put(t, s, Rec("crm", "1", "a@x.com", ""), Rec("crm", "2", "a@x.com", ""))
	assign(t, s, map[string]string{"crm/1": "p1", "crm/2": "p1"}, true)
	if _, err := s.FinishSnapshot(ctx, store.Snapshot{Source: "crm", Seen: func(id string) bool { return id == "2" }, Checkpoint: "1"}); err != nil {
		t.Fatal(err)
	}
	p, err := s.Profile(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Members) != 1 || p.Members[0].Key() != "crm/2" {
		t.Errorf("members = %+v, want only crm/2", p.Members)
	}
	if _, err := s.FinishSnapshot(ctx, store.Snapshot{Source: "crm", Seen: func(string) bool { return false }, Checkpoint: "2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Profile(ctx, "p1"); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("profile without live members: err = %v, want ErrNotFound", err)
	}
	if ids, err := s.ProfileIDs(ctx, "", 0); err != nil || len(ids) != 0 {
		t.Errorf("profile ids = %q, %v; want none", ids, err)
	}
	if a, err := s.Assignments(ctx); err != nil || len(a) != 0 {
		t.Errorf("assignments = %v, %v; want none", a, err)
	}
}

func testProfileIDsPaging(t *testing.T, s Store) {
	ctx := context.Background()
	a := map[string]string{}
	var recs []customer.Record
	for i := range 50 {
		r := TypicalRecord("crm", i)
		recs = append(recs, r)
		// Profile ids that are prefixes of each other must page correctly.
		a[r.Key()] = []string{"a", "ab", "abc", "b", "b\x01"}[i%5]
	}
	put(t, s, recs...)
	assign(t, s, a, true)
	for _, tt := range []struct {
		after string
		limit int
		want  []string
	}{
		{"", 0, []string{"a", "ab", "abc", "b", "b\x01"}},
		{"", 2, []string{"a", "ab"}},
		{"ab", 2, []string{"abc", "b"}},
		{"aa", 1, []string{"ab"}},
		{"b", 5, []string{"b\x01"}},
		{"b\x01", 5, nil},
		{"z", 5, nil},
	} {
		got, err := s.ProfileIDs(ctx, tt.after, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ProfileIDs(%q, %d) = %q, want %q", tt.after, tt.limit, got, tt.want)
		}
	}
}

func testLookup(t *testing.T, s Store) {
	ctx := context.Background()
	a := Rec("crm", "1", "ann@x.com", "+447700900001")
	a.Extra = []customer.Extra{
		{Field: customer.Email, Value: Val("Ann@Work.com", "ann@work.com")},
		{Field: customer.Email, Value: customer.Value{Raw: "ann@", Status: customer.Invalid, Reason: "no domain"}},
		{Field: customer.Phone, Value: Val("07700 900002", "+447700900002")},
	}
	a.Identifiers = map[string]customer.Value{"national_id": Val("ab 12", "AB12")}
	b := Rec("shop", "7", "ann@x.com", "")
	b.Identifiers = map[string]customer.Value{"loyalty_id": {Raw: "??", Status: customer.Invalid}}
	c := Rec("desk", "3", "carl@x.com", "+447700900001")
	d := Rec("desk", "4", "dora@x.com", "")
	d.Identifiers = map[string]customer.Value{"national_id": Val("CD34", "CD34")}
	unassigned := Rec("desk", "5", "eve@x.com", "")
	put(t, s, a, b, c, d, unassigned)
	assign(t, s, map[string]string{"crm/1": "p1", "shop/7": "p1", "desk/3": "p2", "desk/4": "p3"}, true)
	// d is then deleted: it must vanish from lookups.
	d.Deleted = true
	put(t, s, d)

	for _, tt := range []struct {
		kind, value string
		want        []string
	}{
		{customer.KindEmail, "ann@x.com", []string{"p1"}},
		{customer.KindEmail, "ann@work.com", []string{"p1"}},
		{customer.KindEmail, "ANN@X.COM", nil},
		{customer.KindEmail, "ann@", nil},
		{customer.KindPhone, "+447700900001", []string{"p1", "p2"}},
		{customer.KindPhone, "+447700900002", []string{"p1"}},
		{customer.KindSourceRecord, "shop/7", []string{"p1"}},
		{customer.KindSourceRecord, "desk/4", nil},
		{customer.KindSourceRecord, "desk/5", nil},
		{customer.KindSourceRecord, "desk/99", nil},
		{"national_id", "AB12", []string{"p1"}},
		{"national_id", "CD34", nil},
		{"loyalty_id", "??", nil},
		{customer.KindEmail, "dora@x.com", nil},
		{customer.KindEmail, "eve@x.com", nil},
		{"unknown_kind", "x", nil},
		{customer.KindEmail, "", nil},
		{customer.KindEmail, "a\x00b", nil},
	} {
		t.Run(tt.kind+"="+tt.value, func(t *testing.T) {
			got, err := s.Lookup(ctx, tt.kind, tt.value)
			if tt.want == nil {
				if !errors.Is(err, customer.ErrNotFound) {
					t.Errorf("got %q, %v; want ErrNotFound", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// An edit that drops an email takes it out of the index.
	a.Extra = nil
	put(t, s, a)
	if _, err := s.Lookup(ctx, customer.KindEmail, "ann@work.com"); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("dropped extra email: err = %v, want ErrNotFound", err)
	}
	if got, err := s.Lookup(ctx, customer.KindPhone, "+447700900001"); err != nil || !slices.Equal(got, []string{"p1", "p2"}) {
		t.Errorf("kept phone: %q, %v", got, err)
	}
}

func testBlockIndex(t *testing.T, s Store) {
	ctx := context.Background()
	tag := func() []byte {
		t.Helper()
		tg, err := s.BlockIndexTag(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	if tg := tag(); tg != nil {
		t.Errorf("tag of an empty store = %q, want nil", tg)
	}
	if err := s.ReplaceBlocks(ctx, []byte("m1"), map[string][]uint64{"a/1": {10, 20}, "a/2": {10}, "b/1": {20, 30}}); err != nil {
		t.Fatal(err)
	}
	if tg := tag(); string(tg) != "m1" {
		t.Errorf("tag = %q, want m1", tg)
	}
	members := func(block uint64, limit int) ([]string, bool) {
		t.Helper()
		keys, over, err := s.BlockMembers(ctx, block, limit)
		if err != nil {
			t.Fatal(err)
		}
		return keys, over
	}
	for _, tt := range []struct {
		name  string
		block uint64
		limit int
		want  []string
		over  bool
	}{
		{"shared", 10, 0, []string{"a/1", "a/2"}, false},
		{"other rule", 20, 0, []string{"a/1", "b/1"}, false},
		{"single", 30, 0, []string{"b/1"}, false},
		{"absent", 40, 0, nil, false},
		{"at the limit", 10, 2, []string{"a/1", "a/2"}, false},
		{"over the limit", 10, 1, nil, true},
		{"top bit", 1 << 63, 0, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, over := members(tt.block, tt.limit)
			if !slices.Equal(got, tt.want) || over != tt.over {
				t.Errorf("BlockMembers(%d, %d) = %v, %v; want %v, %v", tt.block, tt.limit, got, over, tt.want, tt.over)
			}
		})
	}
	// A record's new keys replace its old ones; an empty list removes it.
	if err := s.ApplyResolution(ctx, store.Resolution{Blocks: map[string][]uint64{"a/1": {30}, "a/2": nil}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := members(10, 0); got != nil {
		t.Errorf("block 10 after ApplyResolution = %v, want empty", got)
	}
	if got, _ := members(20, 0); !slices.Equal(got, []string{"b/1"}) {
		t.Errorf("block 20 after ApplyResolution = %v, want [b/1]", got)
	}
	if got, _ := members(30, 0); !slices.Equal(got, []string{"a/1", "b/1"}) {
		t.Errorf("block 30 after ApplyResolution = %v, want [a/1 b/1]", got)
	}
	if tg := tag(); string(tg) != "m1" {
		t.Errorf("tag after an incremental change = %q, want m1", tg)
	}
	// Replacing the index drops what was there and takes the new tag.
	if err := s.ReplaceBlocks(ctx, []byte("m2"), map[string][]uint64{"c/1": {10}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := members(30, 0); got != nil {
		t.Errorf("block 30 after ReplaceBlocks = %v, want empty", got)
	}
	if got, _ := members(10, 0); !slices.Equal(got, []string{"c/1"}) {
		t.Errorf("block 10 after ReplaceBlocks = %v, want [c/1]", got)
	}
	if tg := tag(); string(tg) != "m2" {
		t.Errorf("tag = %q, want m2", tg)
	}
	if err := s.ReplaceBlocks(ctx, nil, nil); err == nil {
		t.Error("ReplaceBlocks without a tag: no error")
	}
	// An interrupted replacement leaves no complete index behind.
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.ReplaceBlocks(canceled, []byte("m3"), map[string][]uint64{"d/1": {1}}); err == nil {
		t.Error("canceled ReplaceBlocks: no error")
	}
	if tg := tag(); tg != nil && string(tg) != "m2" {
		t.Errorf("tag after a canceled replacement = %q, want m2 or none", tg)
	}
}

func testMeta(t *testing.T, s Store) {
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		put  []byte
		want []byte
	}{
		{"value", []byte("model v1"), []byte("model v1")},
		{"empty value", []byte{}, []byte{}},
		{"nil removes", nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.ApplyResolution(ctx, store.Resolution{Meta: map[string][]byte{"model": tt.put}}); err != nil {
				t.Fatal(err)
			}
			got, err := s.Meta(ctx, "model")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("Meta = %q (nil %v), want %q (nil %v)", got, got == nil, tt.want, tt.want == nil)
			}
		})
	}
	// Meta's result is a copy: changing it does not change the store.
	v := []byte("abc")
	if err := s.ApplyResolution(ctx, store.Resolution{Meta: map[string][]byte{"k": v}}); err != nil {
		t.Fatal(err)
	}
	v[0] = 'Y'
	got, _ := s.Meta(ctx, "k")
	got[0] = 'X'
	if again, _ := s.Meta(ctx, "k"); string(again) != "abc" {
		t.Errorf("Meta after editing the given and the returned slices = %q", again)
	}
}

func testContextCanceled(t *testing.T, s Store) {
	put(t, s, Rec("a", "1", "a@x.com", ""))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	isCanceled := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v, want context.Canceled", what, err)
		}
	}
	isCanceled("ForEachRecord", s.ForEachRecord(ctx, func(*customer.Record) error { return nil }))
	_, err := s.PutRecords(ctx, store.Batch{Records: []customer.Record{Rec("a", "3", "", "")}})
	isCanceled("PutRecords", err)
	_, err = s.FinishSnapshot(ctx, store.Snapshot{Source: "a", Seen: func(string) bool { return false }})
	isCanceled("FinishSnapshot", err)
	isCanceled("ApplyResolution", s.ApplyResolution(ctx, store.Resolution{Assign: map[string]string{"a/1": "p"}}))
	_, err = s.Lookup(ctx, customer.KindEmail, "a@x.com")
	isCanceled("Lookup", err)
	_, err = s.Pending(ctx)
	isCanceled("Pending", err)
	_, err = s.ChangeOverrides(ctx, store.OverrideChange{Add: []store.Override{{Kind: store.MustLink, A: "a/1", B: "a/2"}}})
	isCanceled("ChangeOverrides", err)
	_, err = s.EnsureMeta(ctx, "k", []byte("v"))
	isCanceled("EnsureMeta", err)
	// Nothing of the canceled writes landed.
	if live := liveKeys(t, s); !slices.Equal(live, []string{"a/1"}) {
		t.Errorf("live after canceled writes = %q, want [a/1]", live)
	}
}

// testConcurrentReaders reads while batches are written: every read sees
// a whole batch or none of it, and the race detector watches the rest.
func testConcurrentReaders(t *testing.T, s Store) {
	ctx := context.Background()
	const batches, per = 20, 50
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				n := 0
				err := s.ForEachRecord(ctx, func(*customer.Record) error { n++; return nil })
				if err == nil && n%per != 0 {
					err = fmt.Errorf("a read saw %d records, not whole batches of %d", n, per)
				}
				if err == nil {
					_, err = s.Lookup(ctx, customer.KindEmail, "nobody@x.com")
					if errors.Is(err, customer.ErrNotFound) {
						err = nil
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for b := range batches {
		recs := make([]customer.Record, per)
		for i := range recs {
			recs[i] = TypicalRecord("crm", b*per+i)
		}
		put(t, s, recs...)
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := sources(t, s)["crm"].Records; n != batches*per {
		t.Errorf("records = %d, want %d", n, batches*per)
	}
}
