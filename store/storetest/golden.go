package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
	"github.com/scvhq/scv/store"
)

// testGoldenProfiles checks that every write that changes a profile
// leaves its golden profile built from its current live members.
func testGoldenProfiles(t *testing.T, s Store) {
	ctx := context.Background()
	a, b := TypicalRecord("crm", 1), TypicalRecord("shop", 2)
	put(t, s, a, b)
	if _, _, err := s.GoldenProfile(ctx, "p1"); !errors.Is(err, customer.ErrNotFound) {
		t.Fatalf("golden profile before any assignment: %v, want ErrNotFound", err)
	}
	check := func(id string, wantMembers ...string) {
		t.Helper()
		p, g, err := s.GoldenProfile(ctx, id)
		if len(wantMembers) == 0 {
			if !errors.Is(err, customer.ErrNotFound) {
				t.Errorf("%s: %v, want ErrNotFound", id, err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, m := range p.Members {
			keys = append(keys, m.Key())
		}
		if !slices.Equal(keys, wantMembers) {
			t.Fatalf("%s members %q, want %q", id, keys, wantMembers)
		}
		if g.ID != id {
			t.Errorf("golden id %q, want %q", g.ID, id)
		}
		// Every golden value traces back to a member.
		for f := customer.Field(0); f < customer.NumFields; f++ {
			for _, v := range g.Fields[f] {
				for _, o := range v.From {
					if !slices.Contains(wantMembers, o.Record) {
						t.Errorf("%s %s %q comes from %s, no member", id, f, v.Value, o.Record)
					}
				}
			}
		}
	}
	if err := s.ApplyResolution(ctx, store.Resolution{Assign: map[string]string{a.Key(): "p1", b.Key(): "p1"}, Full: true,
		Confidence: map[string]float64{"p1": 0.97}}); err != nil {
		t.Fatal(err)
	}
	check("p1", a.Key(), b.Key())
	_, g, _ := s.GoldenProfile(ctx, "p1")
	if g.Confidence != 0.97 {
		t.Errorf("confidence %v, want 0.97", g.Confidence)
	}
	if got := g.Get(customer.GivenName); got == "" {
		t.Errorf("no given name survived: %+v", g.Fields)
	}

	// A member's content changes at sync: its profile's golden profile
	// follows in the same write, keeping the resolver's confidence.
	b2 := b
	b2.Fields[customer.GivenName] = Val("Zed", "zed")
	b2.UpdatedAt = b.UpdatedAt.AddDate(1, 0, 0)
	put(t, s, b2)
	_, g, _ = s.GoldenProfile(ctx, "p1")
	if g.Confidence != 0.97 {
		t.Errorf("confidence after a content change %v, want 0.97 kept", g.Confidence)
	}
	found := false
	for _, bt := range g.Beat[customer.GivenName] {
		found = found || bt.Value == "zed"
	}
	if g.Get(customer.GivenName) != "zed" && !found {
		t.Errorf("the changed name is neither golden nor beaten: %+v / %+v", g.Fields[customer.GivenName], g.Beat[customer.GivenName])
	}

	// Deleting a member rebuilds; deleting the last one removes it.
	del := a
	del.Deleted = true
	put(t, s, del)
	check("p1", b.Key())
	del = b2
	del.Deleted = true
	put(t, s, del)
	check("p1")
	n := 0
	if err := s.ForEachGolden(ctx, func(*golden.Profile) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d golden profiles left, want 0", n)
	}
}

// testChangeLog checks that a create, a merge, a split and a delete each
// append exactly one entry per affected profile, with increasing
// sequence numbers.
func testChangeLog(t *testing.T, s Store) {
	ctx := context.Background()
	recs := []customer.Record{TypicalRecord("crm", 1), TypicalRecord("crm", 2), TypicalRecord("shop", 3)}
	put(t, s, recs...)
	var since uint64
	if last, err := s.LastChangeSeq(ctx); err != nil || last != 0 {
		t.Errorf("LastChangeSeq of an empty log = %d, %v; want 0", last, err)
	}
	step := func(name string, write func(), want ...string) {
		t.Helper()
		write()
		got, err := s.Changes(ctx, since, 0)
		if err != nil {
			t.Fatal(err)
		}
		if last, err := s.LastChangeSeq(ctx); err != nil || len(got) > 0 && last != got[len(got)-1].Seq || len(got) == 0 && last != since {
			t.Errorf("%s: LastChangeSeq = %d, %v; want the newest entry's", name, last, err)
		}
		var lines []string
		for _, c := range got {
			if c.Seq <= since {
				t.Errorf("%s: seq %d not after %d", name, c.Seq, since)
			}
			since = c.Seq
			if c.At.IsZero() {
				t.Errorf("%s: entry %d has no time", name, c.Seq)
			}
			line := c.Profile + " " + string(c.Kind)
			if len(c.MergedFrom) > 0 {
				line += " from " + strings.Join(c.MergedFrom, ",")
			}
			if len(c.SplitInto) > 0 {
				line += " into " + strings.Join(c.SplitInto, ",")
			}
			lines = append(lines, line)
		}
		slices.Sort(lines)
		if !slices.Equal(lines, want) {
			t.Errorf("%s: changes\n%s\nwant\n%s", name, strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
	}
	k := func(i int) string { return recs[i].Key() }
	step("create", func() { assign(t, s, map[string]string{k(0): "pa", k(1): "pb", k(2): "pc"}, true) },
		"pa created", "pb created", "pc created")
	step("merge", func() { assign(t, s, map[string]string{k(1): "pa", k(2): "pa"}, false) },
		"pa merged from pb,pc", "pb deleted", "pc deleted")
	step("split", func() { assign(t, s, map[string]string{k(2): "pd"}, false) },
		"pa split into pd", "pd created")
	step("unchanged resolution", func() { assign(t, s, map[string]string{k(0): "pa", k(1): "pa", k(2): "pd"}, true) })
	step("content change", func() {
		r := recs[0]
		r.Fields[customer.FamilyName] = Val("Other", "other")
		put(t, s, r)
	}, "pa updated")
	step("same content again", func() { put(t, s, recs[2]) })
	step("delete", func() {
		r := recs[2]
		r.Deleted = true
		put(t, s, r)
	}, "pd deleted")
	step("rebuild all, nothing changed", func() {
		if err := s.ApplyResolution(ctx, store.Resolution{Assign: map[string]string{k(0): "pa", k(1): "pa"}, Full: true, RebuildAll: true}); err != nil {
			t.Fatal(err)
		}
	})
	page, err := s.Changes(ctx, 0, 2)
	if err != nil || len(page) != 2 || page[0].Seq != 1 || page[1].Seq != 2 {
		t.Errorf("first page of two: %v %v", page, err)
	}
}

// testSyncHistory checks that FinishSnapshot appends its run to the
// source's history with the records it deleted.
func testSyncHistory(t *testing.T, s Store) {
	ctx := context.Background()
	put(t, s, TypicalRecord("crm", 1), TypicalRecord("crm", 2))
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for i, seen := range []string{"C0000001", "C0000002"} {
		_, err := s.FinishSnapshot(ctx, store.Snapshot{
			Source: "crm", Seen: func(id string) bool { return id == seen || i == 0 }, Checkpoint: fmt.Sprint(i),
			Run: &store.SyncRun{At: at.Add(time.Duration(i) * time.Hour), Read: 2 - i, Score: 0.5 + float64(i)/4},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	runs, err := s.SyncRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.SyncRun{
		{Source: "crm", At: at, Read: 2, Score: 0.5},
		{Source: "crm", At: at.Add(time.Hour), Read: 1, Deleted: 1, Score: 0.75},
	}
	if len(runs) != 2 || !runs[0].At.Equal(want[0].At) || !runs[1].At.Equal(want[1].At) {
		t.Fatalf("runs %+v, want %+v", runs, want)
	}
	for i := range runs {
		runs[i].At = want[i].At
		if runs[i] != want[i] {
			t.Errorf("run %d = %+v, want %+v", i, runs[i], want[i])
		}
	}
}
