package main

import (
	"context"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/eval"
	"github.com/scvhq/scv/store"
	"github.com/scvhq/scv/store/bolt"
	"github.com/scvhq/scv/synth"
)

// crashCustomers is the size of the crash test's generated silos unless
// SCV_CRASH_CUSTOMERS says otherwise (make crash-test runs 50,000).
const crashCustomers = 2000

// TestCrashedSyncsConverge kills scv sync with SIGKILL at 20 random
// moments of a sync of generated silos, running it again each time (a run
// that ends before its kill has converged, so the store is wiped and the
// next run starts over), and then once more to the end. The store must open and pass its own check
// after every kill, and the end state must equal that of one
// uninterrupted sync on a fresh store: the same live records, counts and
// quarantine, every live record in a profile, nothing pending, and the
// same clusters (pairwise F1 = 1).
func TestCrashedSyncsConverge(t *testing.T) {
	customers := crashCustomers
	if v := os.Getenv("SCV_CRASH_CUSTOMERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("SCV_CRASH_CUSTOMERS=%q is not a positive number", v)
		}
		customers = n
	}
	kills := 20
	ctx := context.Background()
	gen := func() string {
		dir := t.TempDir()
		if _, err := synth.Generate(ctx, dir, synth.Options{Customers: customers, Seed: 7}); err != nil {
			t.Fatal(err)
		}
		return filepath.Join(dir, "scv.hcl")
	}

	refCfg := gen()
	start := time.Now()
	if r := scv(t, "sync", "--config", refCfg); r.code != 0 {
		t.Fatalf("uninterrupted sync: exit %d\n%s", r.code, r.stderr)
	}
	whole := time.Since(start)
	want := storeState(t, refCfg)

	cfg := gen()
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("%d customers, %d records, an uninterrupted sync takes %v; kill seed %d", customers, len(want.live), whole, seed)
	finished := 0
	for killed := 0; killed < kills; {
		if finished > 10*kills {
			t.Fatalf("only %d of %d kills landed in %d runs", killed, kills, killed+finished)
		}
		at := time.Duration(rng.Int64N(int64(whole)))
		if killAt(t, cfg, at) {
			finished++
			if err := os.RemoveAll(filepath.Join(filepath.Dir(cfg), "scv-data")); err != nil {
				t.Fatal(err)
			}
			continue
		}
		killed++
		checkStore(t, cfg, killed)
	}
	t.Logf("%d runs ended before their kill and started over", finished)
	if r := scv(t, "sync", "--config", cfg); r.code != 0 {
		t.Fatalf("final sync: exit %d\n%s", r.code, r.stderr)
	}
	got := storeState(t, cfg)

	if !maps.Equal(got.sources, want.sources) {
		t.Errorf("source counts = %v, want %v", got.sources, want.sources)
	}
	if !maps.Equal(got.live, want.live) {
		t.Errorf("%d live records, want the %d of the uninterrupted sync", len(got.live), len(want.live))
	}
	for key := range got.live {
		if got.assign[key] == "" {
			t.Errorf("live record %s has no profile", key)
		}
	}
	if len(got.pending) != 0 {
		t.Errorf("%d records still pending, such as %s", len(got.pending), got.pending[0])
	}
	rep := eval.Compare(eval.Clustering(got.assign), eval.Clustering(want.assign), 3)
	if rep.F1 != 1 || rep.Records != len(want.live) {
		t.Errorf("clusters after the crashes against the uninterrupted run: %d records, precision %.4f, recall %.4f, F1 %.4f; want F1 1",
			rep.Records, rep.Precision, rep.Recall, rep.F1)
	}
}

// killAt starts scv sync and sends it SIGKILL after d, and reports
// whether it ended on its own first.
func killAt(t *testing.T, cfg string, d time.Duration) bool {
	t.Helper()
	cmd := exec.Command(scvBin, "sync", "--config", cfg, "--log-level", "error")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("sync ended on its own with %v", err)
		}
		return true
	case <-time.After(d):
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-done
		return false
	}
}

// checkStore opens the store of cfg as the next run would and runs the
// store's own consistency check.
func checkStore(t *testing.T, cfg string, run int) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(filepath.Dir(cfg), "scv-data"), bolt.Options{})
	if err != nil {
		t.Fatalf("after kill %d: %v", run, err)
	}
	defer db.Close()
	if err := db.Check(context.Background()); err != nil {
		t.Fatalf("after kill %d: %v", run, err)
	}
}

// state is what the crash test compares between two stores.
type state struct {
	live    map[string]bool // live record keys
	assign  map[string]string
	sources map[string]store.SourceStats
	pending []string
}

func storeState(t *testing.T, cfg string) state {
	t.Helper()
	ctx := context.Background()
	db, err := bolt.Open(filepath.Join(filepath.Dir(cfg), "scv-data"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(ctx); err != nil {
		t.Fatal(err)
	}
	st := state{live: make(map[string]bool)}
	err = db.ForEachRecord(ctx, func(r *customer.Record) error {
		st.live[r.Key()] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.assign, err = db.Assignments(ctx); err != nil {
		t.Fatal(err)
	}
	if st.sources, err = db.Sources(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := db.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.pending = p.Keys
	return st
}
