package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/demo"
	"github.com/scvhq/scv/golden"
	"github.com/scvhq/scv/store/bolt"
	"github.com/scvhq/scv/synth"
)

// openGolden opens cfg's store with the survivorship of cfg, as cmd/scv
// does, and checks its consistency when the test ends.
func openGolden(t testing.TB, cfg *config.Config) *testPipeline {
	t.Helper()
	gb := golden.New(GoldenOptions(cfg))
	db, err := bolt.Open(cfg.DataDir, bolt.Options{NoSync: true,
		Golden: func(id string, ms []customer.Record) *golden.Profile { return gb.Build(id, ms, false) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Check(context.Background()); err != nil {
			t.Error(err)
		}
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return &testPipeline{New(cfg, db, Options{}), db}
}

// TestLineageOfGeneratedStore syncs a generated store of 20,000 customers
// and checks that every origin of every golden value, consent statement
// and trait names a live member of its profile, the column the source
// maps, and a raw value that record holds.
func TestLineageOfGeneratedStore(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and resolves 20,000 customers")
	}
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := synth.Generate(ctx, dir, synth.Options{Customers: 20000, Seed: synth.DefaultSeed}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "scv.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	p := openGolden(t, cfg)
	if _, err := p.Sync(ctx, ""); err != nil {
		t.Fatal(err)
	}
	assign, err := p.db.Assignments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	profiles, origins := 0, 0
	check := func(g *golden.Profile, what string, o golden.Origin, raw func(*customer.Record) bool) {
		origins++
		if assign[o.Record] != g.ID {
			t.Fatalf("profile %s %s: origin %s is in profile %q", g.ID, what, o.Record, assign[o.Record])
		}
		r, err := p.db.Record(ctx, o.Record)
		if err != nil || r.Deleted {
			t.Fatalf("profile %s %s: origin %s: %v (deleted %v)", g.ID, what, o.Record, err, r.Deleted)
		}
		if o.Column == "" || !r.UpdatedAt.Equal(o.UpdatedAt) && !strings.HasPrefix(what, "consent") {
			t.Fatalf("profile %s %s: origin %+v has no column or another update time than %v", g.ID, what, o, r.UpdatedAt)
		}
		if !raw(&r) {
			t.Fatalf("profile %s %s: %s holds no raw value %q", g.ID, what, o.Record, o.Raw)
		}
	}
	err = p.db.ForEachGolden(ctx, func(g *golden.Profile) error {
		profiles++
		for f := customer.Field(0); f < customer.NumFields; f++ {
			origins := func(os []golden.Origin) {
				for _, o := range os {
					check(g, f.String(), o, func(r *customer.Record) bool {
						found := false
						r.Each(f, func(v customer.Value) bool { found = found || v.Raw == o.Raw; return !found })
						return found
					})
				}
			}
			for _, v := range g.Fields[f] {
				origins(v.From)
			}
			for _, b := range g.Beat[f] {
				origins(b.From)
			}
		}
		for name, a := range g.Attributes {
			for _, o := range append(append([]golden.Origin(nil), a.From...), beatenOrigins(a.Beat)...) {
				check(g, "trait "+name, o, func(r *customer.Record) bool { return r.Attributes[name] == o.Raw })
			}
		}
		for ch, c := range g.Consent {
			var os []golden.Origin
			if c.From != nil {
				os = append(os, *c.From)
			}
			for _, o := range append(os, beatenOrigins(c.Beat)...) {
				check(g, "consent "+ch, o, func(r *customer.Record) bool { return r.Consent[ch].Raw == o.Raw })
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, id := range assign {
		ids[id] = true
	}
	if profiles != len(ids) || profiles < 10000 {
		t.Errorf("%d golden profiles for %d profiles", profiles, len(ids))
	}
	t.Logf("%d golden profiles, %d origins checked", profiles, origins)
}

func beatenOrigins(bs []golden.Beaten) []golden.Origin {
	var out []golden.Origin
	for _, b := range bs {
		out = append(out, b.From...)
	}
	return out
}

// TestSurvivorshipChangeRebuilds checks that a full resolution after a
// change of the survivorship block rebuilds golden profiles whose
// members stayed, and appends an updated entry for each that changed.
func TestSurvivorshipChangeRebuilds(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := demo.WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	ltv := func(rule string) (string, uint64) {
		t.Helper()
		hcl, err := os.ReadFile(filepath.Join(dir, "scv.hcl"))
		if err != nil {
			t.Fatal(err)
		}
		hcl = regexp.MustCompile(`rule = "[a-z]+"`).ReplaceAll(hcl, []byte(`rule = "`+rule+`"`))
		write(t, dir, "scv.hcl", string(hcl))
		cfg := load(t, dir)
		gb := golden.New(GoldenOptions(cfg))
		db, err := bolt.Open(cfg.DataDir, bolt.Options{NoSync: true,
			Golden: func(id string, ms []customer.Record) *golden.Profile { return gb.Build(id, ms, false) }})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		p := New(cfg, db, Options{})
		if err := p.EnsureSynced(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Resolve(ctx); err != nil {
			t.Fatal(err)
		}
		ids, err := db.Lookup(ctx, customer.KindSourceRecord, "crm/C1001")
		if err != nil {
			t.Fatal(err)
		}
		_, g, err := db.GoldenProfile(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		changes, err := db.Changes(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		return g.Attributes["lifetime_value"].Value, changes[len(changes)-1].Seq
	}
	v, seq := ltv("max")
	if v != "312.40" {
		t.Fatalf("lifetime_value by max = %q", v)
	}
	if v2, seq2 := ltv("max"); v2 != v || seq2 != seq {
		t.Errorf("resolving again under the same rules: %q, last change %d; want %q and no new change after %d", v2, seq2, v, seq)
	}
	if v, seq2 := ltv("min"); v != "22.00" || seq2 <= seq {
		t.Errorf("lifetime_value by min = %q, last change %d; want 22.00 and new updated entries after %d", v, seq2, seq)
	}
}
