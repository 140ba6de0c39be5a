package override_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/override"
	"github.com/scvhq/scv/pipeline"
	"github.com/scvhq/scv/store"
	"github.com/scvhq/scv/store/bolt"
)

const testConfig = `
data_dir = "./data"
source "crm" {
  type            = "csv"
  path            = "crm.csv"
  id              = "id"
  default_country = "GB"
  map {
    given_name  = "first"
    family_name = "last"
    email       = "email"
  }
}
resolver {
  must_link   = [["crm/E1", "crm/E2"]]
  cannot_link = [["crm/F1", "crm/F2"]]
}
`

// crmCSV holds Ann twice (one email), Bob and Dan, E1 and E2 (joined by
// the configuration) and F1 and F2 (kept apart by it).
const crmCSV = "id,first,last,email\n" +
	"A1,Ann,Lee,ann@example.com\n" +
	"A2,Ann,Lee,ann@example.com\n" +
	"B1,Bob,Ray,bob@example.com\n" +
	"D1,Dan,Orr,dan@example.com\n" +
	"E1,Eve,Kim,eve@example.com\n" +
	"E2,Ed,Park,ed@example.com\n" +
	"F1,Fay,Wu,fay@example.com\n" +
	"F2,Fay,Wu,fay@example.com\n"

type env struct {
	p   *pipeline.Pipeline
	db  *bolt.DB
	svc *override.Service
}

func setup(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{"scv.hcl": testConfig, "crm.csv": crmCSV} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(filepath.Join(dir, "scv.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(cfg.DataDir, bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Check(context.Background()); err != nil {
			t.Error(err)
		}
		db.Close()
	})
	p := pipeline.New(cfg, db, pipeline.Options{})
	if _, err := p.Sync(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	resolve := func(ctx context.Context) error { _, err := p.ResolvePending(ctx); return err }
	svc := override.New(db, resolve, override.Options{MustLink: cfg.Resolver.MustLink, CannotLink: cfg.Resolver.CannotLink})
	return &env{p, db, svc}
}

// profileOf returns the profile id of the record key.
func (e *env) profileOf(t *testing.T, key string) string {
	t.Helper()
	a, err := e.db.AssignmentsOf(context.Background(), []string{key})
	if err != nil {
		t.Fatal(err)
	}
	if a[key] == "" {
		t.Fatalf("record %s has no profile", key)
	}
	return a[key]
}

// together reports whether the record keys share one profile.
func (e *env) together(t *testing.T, keys ...string) bool {
	t.Helper()
	first := e.profileOf(t, keys[0])
	for _, k := range keys[1:] {
		if e.profileOf(t, k) != first {
			return false
		}
	}
	return true
}

func memberKeys(p customer.Profile) []string {
	var out []string
	for _, m := range p.Members {
		out = append(out, m.Key())
	}
	return out
}

func TestMergeAndSplitSurviveResolution(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	if !e.together(t, "crm/A1", "crm/A2") || e.together(t, "crm/B1", "crm/D1") {
		t.Fatal("fixture: want Ann's records together and Bob apart from Dan")
	}

	merged, added, err := e.svc.Merge(ctx, []string{e.profileOf(t, "crm/B1"), e.profileOf(t, "crm/D1")})
	if err != nil {
		t.Fatal(err)
	}
	if got := memberKeys(merged); !slices.Equal(got, []string{"crm/B1", "crm/D1"}) {
		t.Errorf("merged profile members %q, want [crm/B1 crm/D1]", got)
	}
	if len(added) != 1 || added[0].Kind != store.MustLink || added[0].A != "crm/B1" || added[0].B != "crm/D1" || added[0].ID == 0 {
		t.Errorf("merge stored %+v, want one must-link of crm/B1 and crm/D1", added)
	}
	split, _, err := e.svc.Split(ctx, e.profileOf(t, "crm/A1"), []string{"crm/A2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(split) != 2 || !slices.Equal(memberKeys(split[0]), []string{"crm/A2"}) || !slices.Equal(memberKeys(split[1]), []string{"crm/A1"}) {
		t.Errorf("split returned %v, want crm/A2's profile then crm/A1's", split)
	}
	check := func(when string) {
		t.Helper()
		if !e.together(t, "crm/B1", "crm/D1") {
			t.Errorf("%s: the merge did not hold", when)
		}
		if e.together(t, "crm/A1", "crm/A2") {
			t.Errorf("%s: the split did not hold", when)
		}
		if !e.together(t, "crm/E1", "crm/E2") || e.together(t, "crm/F1", "crm/F2") {
			t.Errorf("%s: the configuration's overrides did not hold", when)
		}
	}
	check("after the changes")
	// A full resolution trains the model again from every record.
	if _, err := e.p.Resolve(ctx); err != nil {
		t.Fatal(err)
	}
	check("after a full resolution")
	if _, err := e.p.Sync(ctx, ""); err != nil {
		t.Fatal(err)
	}
	check("after a sync")

	list, err := e.svc.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range list {
		got = append(got, o.Kind.String()+" "+o.A+" "+o.B)
	}
	if want := []string{"must_link crm/B1 crm/D1", "cannot_link crm/A1 crm/A2"}; !slices.Equal(got, want) {
		t.Fatalf("List = %q, want %q", got, want)
	}
	// Deleting the split's override lets the resolver join Ann again.
	if err := e.svc.Delete(ctx, list[1].ID); err != nil {
		t.Fatal(err)
	}
	if !e.together(t, "crm/A1", "crm/A2") {
		t.Error("after deleting the split's override Ann's records stay apart")
	}
	if err := e.svc.Delete(ctx, list[1].ID); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("deleting it again: err = %v, want ErrNotFound", err)
	}
	// Merging what a split kept apart removes the split's override.
	if _, _, err := e.svc.Split(ctx, e.profileOf(t, "crm/B1"), []string{"crm/D1"}); err != nil {
		t.Fatal(err)
	}
	if e.together(t, "crm/B1", "crm/D1") {
		t.Fatal("split of the merged profile did not hold")
	}
	if _, _, err := e.svc.Merge(ctx, []string{e.profileOf(t, "crm/B1"), e.profileOf(t, "crm/D1")}); err != nil {
		t.Fatal(err)
	}
	if !e.together(t, "crm/B1", "crm/D1") {
		t.Error("merge after a split did not hold")
	}
	if list, _ = e.svc.List(ctx); len(list) != 1 || list[0].Kind != store.MustLink {
		t.Errorf("overrides after merge, split, merge = %+v, want one must-link", list)
	}
}

func TestChangesRejected(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	var pe *override.ProfileError
	_, _, err := e.svc.Merge(ctx, []string{e.profileOf(t, "crm/B1"), "nope"})
	if !errors.As(err, &pe) || pe.ID != "nope" || !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("merge with an unknown profile: err = %v, want a ProfileError for nope wrapping ErrNotFound", err)
	}
	if _, _, err := e.svc.Merge(ctx, []string{e.profileOf(t, "crm/B1"), e.profileOf(t, "crm/B1")}); !errors.Is(err, override.ErrInvalid) {
		t.Errorf("merge of one profile: err = %v, want ErrInvalid", err)
	}
	var ce *override.ConflictError
	if _, _, err := e.svc.Merge(ctx, []string{e.profileOf(t, "crm/F1"), e.profileOf(t, "crm/F2")}); !errors.As(err, &ce) || ce.Kind != store.CannotLink {
		t.Errorf("merge against the config's cannot_link: err = %v, want a ConflictError", err)
	}
	if _, _, err := e.svc.Split(ctx, e.profileOf(t, "crm/E1"), []string{"crm/E2"}); !errors.As(err, &ce) || ce.Kind != store.MustLink {
		t.Errorf("split against the config's must_link: err = %v, want a ConflictError", err)
	}
	var re *override.RecordError
	if _, _, err := e.svc.Split(ctx, e.profileOf(t, "crm/A1"), []string{"crm/A2", "crm/B1"}); !errors.As(err, &re) || re.Index != 1 || !strings.Contains(re.Reason, "not a member") {
		t.Errorf("split of a record of another profile: err = %v, want a RecordError at 1", err)
	}
	if _, _, err := e.svc.Split(ctx, e.profileOf(t, "crm/A1"), []string{"crm/A1", "crm/A2"}); !errors.Is(err, override.ErrInvalid) {
		t.Errorf("split of every member: err = %v, want ErrInvalid", err)
	}
	small := override.New(e.db, func(context.Context) error { return nil }, override.Options{MaxPairs: 1})
	if _, _, err := small.Split(ctx, e.profileOf(t, "crm/A1"), []string{"crm/A2"}); err != nil {
		t.Errorf("split needing 1 pair with MaxPairs 1: %v", err)
	}
	if list, _ := e.svc.List(ctx); len(list) != 1 {
		t.Errorf("rejected changes stored overrides: %+v", list)
	}
}

func TestStoredOverrideAgainstConfigIsIgnored(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	// Written straight to the store, as an older config would have allowed.
	_, err := e.db.ChangeOverrides(ctx, store.OverrideChange{Add: []store.Override{
		{Kind: store.CannotLink, A: "crm/E1", B: "crm/E2"},
		{Kind: store.MustLink, A: "crm/F1", B: "crm/F2"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.ResolvePending(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.Resolve(ctx); err != nil {
		t.Fatal(err)
	}
	if !e.together(t, "crm/E1", "crm/E2") || e.together(t, "crm/F1", "crm/F2") {
		t.Error("a stored override beat the configuration's")
	}
}

func TestCanceledChangeStoresNothing(t *testing.T) {
	e := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	b, d := e.profileOf(t, "crm/B1"), e.profileOf(t, "crm/D1")
	cancel()
	if _, _, err := e.svc.Merge(ctx, []string{b, d}); !errors.Is(err, context.Canceled) {
		t.Errorf("merge with a canceled context: err = %v, want context.Canceled", err)
	}
	if list, _ := e.svc.List(context.Background()); len(list) != 0 {
		t.Errorf("a canceled merge stored %+v", list)
	}
}

// TestResolutionCutShortIsFinishedLater: a change whose resolution fails
// stays stored and pending, and the next resolution applies it.
func TestResolutionCutShortIsFinishedLater(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	failing := override.New(e.db, func(context.Context) error { return context.DeadlineExceeded }, override.Options{})
	if _, _, err := failing.Merge(ctx, []string{e.profileOf(t, "crm/B1"), e.profileOf(t, "crm/D1")}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("merge whose resolution fails: err = %v", err)
	}
	if e.together(t, "crm/B1", "crm/D1") {
		t.Fatal("merged before any resolution")
	}
	if _, err := e.p.Sync(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if !e.together(t, "crm/B1", "crm/D1") {
		t.Error("the next sync did not finish the merge's resolution")
	}
}
