package pipeline

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/store"
	"github.com/scvhq/scv/store/bolt"
)

var update = flag.Bool("update", false, "rewrite the want.txt files of ../testdata/badinput")

// TestBadInput runs the bad-input corpus: each case under
// ../testdata/badinput holds a scv.hcl whose source file is
// before.EXT on a first sync and after.EXT on a second, and want.txt, what
// the two syncs report, the quarantined rows and the store's counts.
// Bad input must never lose data: an incomplete read marks nothing deleted
// and a long value is never echoed whole.
func TestBadInput(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join("..", "testdata", "badinput", "*"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got := runBadInput(t, dir)
			wantPath := filepath.Join(dir, "want.txt")
			if *update {
				if err := os.WriteFile(wantPath, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatalf("%v (run go test ./pipeline -run TestBadInput -update)", err)
			}
			if got != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func runBadInput(t *testing.T, caseDir string) string {
	t.Helper()
	dir := t.TempDir()
	cfgText, err := os.ReadFile(filepath.Join(caseDir, "scv.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "scv.hcl", string(cfgText))
	befores, _ := filepath.Glob(filepath.Join(caseDir, "before.*"))
	if len(befores) != 1 {
		t.Fatalf("want one before.* file, have %v", befores)
	}
	ext := strings.TrimPrefix(filepath.Base(befores[0]), "before")
	target := "crm" + ext
	copyFile := func(from string) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		write(t, dir, target, string(b))
	}
	var out strings.Builder
	clean := func(s string) string { return strings.ReplaceAll(s, dir+string(filepath.Separator), "") }

	copyFile(befores[0])
	cfg, err := config.Load(filepath.Join(dir, "scv.hcl"))
	if err != nil {
		fmt.Fprintf(&out, "config: %s\n", clean(err.Error()))
		return out.String()
	}
	db, err := bolt.Open(cfg.DataDir, bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := New(cfg, db, Options{})
	ctx := context.Background()
	step := func(name string) {
		sum, err := p.Sync(ctx, "")
		if sum != nil {
			for _, s := range sum.Sources {
				fmt.Fprintf(&out, "%s: read %d inserted %d updated %d unchanged %d deleted %d quarantined %d\n",
					name, s.Read, s.Inserted, s.Updated, s.Unchanged, s.Deleted, s.Quarantined)
				if s.Incomplete != "" {
					fmt.Fprintf(&out, "  incomplete: %s\n", s.Incomplete)
				}
				if q := s.Quality; q != nil {
					for _, f := range q.Fields {
						for _, x := range f.Samples {
							fmt.Fprintf(&out, "  invalid %s row %d: %s; raw %d bytes\n", f.Name, x.Row, x.Reason, len(x.Raw))
						}
					}
				}
			}
		}
		if err != nil {
			fmt.Fprintf(&out, "%s: error: %s\n", name, clean(err.Error()))
		}
	}
	step("sync 1")
	if after, _ := filepath.Glob(filepath.Join(caseDir, "after.*")); len(after) == 1 {
		copyFile(after[0])
		step("sync 2")
	}
	err = db.ForEachQuarantined(ctx, "crm", func(q store.Quarantined) error {
		fmt.Fprintf(&out, "quarantined row %d field %q: %s; raw %d bytes %.50q\n", q.Row, q.Field, q.Reason, len(q.Raw), q.Raw)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := db.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&out, "store: %d live, %d deleted\n", st["crm"].Records, st["crm"].Deleted)
	if err := db.Check(ctx); err != nil {
		t.Error(err)
	}
	return out.String()
}
