package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/store"
)

func testEnsureMeta(t *testing.T, s Store) {
	ctx := context.Background()
	got, err := s.EnsureMeta(ctx, "key", []byte("first"))
	if err != nil || string(got) != "first" {
		t.Fatalf("EnsureMeta on a new key = %q, %v; want first", got, err)
	}
	got, err = s.EnsureMeta(ctx, "key", []byte("second"))
	if err != nil || string(got) != "first" {
		t.Fatalf("EnsureMeta on a set key = %q, %v; want the stored first", got, err)
	}
	got[0] = 'X'
	if v, _ := s.Meta(ctx, "key"); string(v) != "first" {
		t.Errorf("Meta after editing EnsureMeta's result = %q, want first", v)
	}
}

// overrides returns the stored overrides as "kind A B" strings.
func overrides(t *testing.T, s Store) []string {
	t.Helper()
	os, err := s.Overrides(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range os {
		out = append(out, o.Kind.String()+" "+o.A+" "+o.B)
	}
	return out
}

func testOverrides(t *testing.T, s Store) {
	ctx := context.Background()
	put(t, s, Rec("crm", "1", "a@x.com", ""), Rec("crm", "2", "b@x.com", ""), Rec("web", "7", "c@x.com", ""))
	resolveAll := func() {
		t.Helper()
		p, err := s.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ApplyResolution(ctx, store.Resolution{Full: true, PendingSeq: p.Seq,
			Assign: map[string]string{"crm/1": "p1", "crm/2": "p2", "web/7": "p3"}}); err != nil {
			t.Fatal(err)
		}
	}
	resolveAll()
	at := time.Date(2026, 5, 4, 3, 2, 1, 500, time.UTC)
	got, err := s.ChangeOverrides(ctx, store.OverrideChange{Add: []store.Override{
		{Kind: store.MustLink, A: "crm/2", B: "crm/1", Created: at},
		{Kind: store.CannotLink, A: "crm/1", B: "web/7", Created: at},
		{Kind: store.MustLink, A: "web/7", B: "shop/404"}, // a record not stored yet
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ID == 0 || got[1].ID <= got[0].ID || got[2].ID <= got[1].ID {
		t.Fatalf("ChangeOverrides = %+v, want three increasing ids", got)
	}
	if got[0].A != "crm/1" || got[0].B != "crm/2" || !got[0].Created.Equal(at) {
		t.Errorf("first override = %+v, want crm/1 < crm/2 created %v", got[0], at)
	}
	want := []string{"must_link crm/1 crm/2", "cannot_link crm/1 web/7", "must_link shop/404 web/7"}
	if o := overrides(t, s); !slices.Equal(o, want) {
		t.Errorf("Overrides = %q, want %q", o, want)
	}
	// Only stored records are marked pending, in the same transaction.
	if p := pendingKeys(t, s); !slices.Equal(p, []string{"crm/1", "crm/2", "web/7"}) {
		t.Errorf("pending after adding overrides = %q, want [crm/1 crm/2 web/7]", p)
	}
	resolveAll()

	// The same pair again keeps its override; the other kind replaces it.
	again, err := s.ChangeOverrides(ctx, store.OverrideChange{Add: []store.Override{
		{Kind: store.MustLink, A: "crm/1", B: "crm/2"},
		{Kind: store.MustLink, A: "web/7", B: "crm/1"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if again[0].ID != got[0].ID || !again[0].Created.Equal(at) {
		t.Errorf("re-adding a pair = %+v, want the stored %+v", again[0], got[0])
	}
	if again[1].ID <= got[2].ID {
		t.Errorf("replacing a pair's kind got id %d, want a fresh one above %d", again[1].ID, got[2].ID)
	}
	want = []string{"must_link crm/1 crm/2", "must_link shop/404 web/7", "must_link crm/1 web/7"}
	if o := overrides(t, s); !slices.Equal(o, want) {
		t.Errorf("Overrides after replacing = %q, want %q", o, want)
	}
	if p := pendingKeys(t, s); !slices.Equal(p, []string{"crm/1", "web/7"}) {
		t.Errorf("pending after replacing = %q, want [crm/1 web/7]: an unchanged pair is not marked", p)
	}
	resolveAll()

	// Removing marks the pair's records; an unknown id changes nothing.
	_, err = s.ChangeOverrides(ctx, store.OverrideChange{Remove: []uint64{got[0].ID, 999}})
	if !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("removing an unknown id: err = %v, want ErrNotFound", err)
	}
	if o := overrides(t, s); len(o) != 3 {
		t.Errorf("a failed change removed overrides: %q", o)
	}
	if p := pendingKeys(t, s); len(p) != 0 {
		t.Errorf("a failed change marked %q pending", p)
	}
	if _, err := s.ChangeOverrides(ctx, store.OverrideChange{Remove: []uint64{got[0].ID}}); err != nil {
		t.Fatal(err)
	}
	want = []string{"must_link shop/404 web/7", "must_link crm/1 web/7"}
	if o := overrides(t, s); !slices.Equal(o, want) {
		t.Errorf("Overrides after removing = %q, want %q", o, want)
	}
	if p := pendingKeys(t, s); !slices.Equal(p, []string{"crm/1", "crm/2"}) {
		t.Errorf("pending after removing = %q, want [crm/1 crm/2]", p)
	}
	// A removed pair added again gets a fresh id.
	re, err := s.ChangeOverrides(ctx, store.OverrideChange{Add: []store.Override{{Kind: store.MustLink, A: "crm/1", B: "crm/2"}}})
	if err != nil {
		t.Fatal(err)
	}
	if re[0].ID <= again[1].ID {
		t.Errorf("re-added pair got id %d, want one above %d", re[0].ID, again[1].ID)
	}
}

func testOverridesRejectBadPairs(t *testing.T, s Store) {
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		o    store.Override
	}{
		{"same record", store.Override{Kind: store.MustLink, A: "crm/1", B: "crm/1"}},
		{"not a key", store.Override{Kind: store.MustLink, A: "crm", B: "crm/1"}},
		{"empty id", store.Override{Kind: store.CannotLink, A: "crm/", B: "crm/1"}},
		{"unknown kind", store.Override{A: "crm/1", B: "crm/2"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.ChangeOverrides(ctx, store.OverrideChange{Add: []store.Override{tt.o}}); err == nil {
				t.Errorf("ChangeOverrides(%+v): no error", tt.o)
			}
		})
	}
	if o := overrides(t, s); len(o) != 0 {
		t.Errorf("rejected overrides were stored: %q", o)
	}
}
