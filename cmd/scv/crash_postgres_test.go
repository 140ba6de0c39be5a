package main

import (
	"context"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/scvhq/scv/eval"
	"github.com/scvhq/scv/internal/servicetest"
	"github.com/scvhq/scv/store/bolt"
)

// TestCrashedPostgresSyncsConverge is TestCrashedSyncsConverge for a
// PostgreSQL source: scv sync is killed with SIGKILL at random moments of
// an incremental pull (each run resuming from the checkpoint the last
// killed one stored with its records), and the end state must equal one
// uninterrupted sync's: the same live records and counts, the same
// checkpoint, nothing pending and the same clusters. A change is thus
// neither skipped nor stored twice.
func TestCrashedPostgresSyncsConverge(t *testing.T) {
	dsn, _ := servicetest.Postgres(t)
	t.Setenv("SCV_E2E_DSN", dsn)
	servicetest.PostgresExec(t, dsn, databases[0].create, `INSERT INTO customers (id, first_name, last_name, email, updated_at)
		SELECT i, (ARRAY['Ann','Bob','Cat','Dan','Eve','Fay','Gus','Hal','Ivy','Jon'])[1 + (i / 2) % 10] || chr(97 + (i / 20) % 26),
		 'Surname' || (i / 2), 'user' || (i / 2) || '@example.com', timestamp '2024-01-01' + (i / 7) * interval '1 second'
		FROM generate_series(1, 20000) AS i`)
	config := func() string {
		cfg := writeDBConfig(t, "postgres")
		b, err := os.ReadFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		// Small pages, so a kill lands between many checkpoints.
		b = append([]byte("data_dir = \"./scv-data\"\n"), b...)
		if err := os.WriteFile(cfg, append(b[:len(b)-2], []byte("  page_size = 500\n}\n")...), 0o644); err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	refCfg := config()
	start := time.Now()
	if r := scv(t, "sync", "--config", refCfg); r.code != 0 {
		t.Fatalf("uninterrupted sync: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	whole := time.Since(start)
	want := storeState(t, refCfg)
	wantCheckpoint := checkpointOf(t, refCfg)

	cfg := config()
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("%d records, an uninterrupted sync takes %v; kill seed %d", len(want.live), whole, seed)
	const kills = 10
	finished := 0
	for killed := 0; killed < kills; {
		if finished > 10*kills {
			t.Fatalf("only %d of %d kills landed in %d runs", killed, kills, killed+finished)
		}
		if killAt(t, cfg, time.Duration(rng.Int64N(int64(whole)))) {
			finished++
			if err := os.RemoveAll(filepath.Join(filepath.Dir(cfg), "scv-data")); err != nil {
				t.Fatal(err)
			}
			continue
		}
		killed++
		checkStore(t, cfg, killed)
	}
	if r := scv(t, "sync", "--config", cfg); r.code != 0 {
		t.Fatalf("final sync: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	got := storeState(t, cfg)
	if !maps.Equal(got.sources, want.sources) {
		t.Errorf("source counts = %v, want %v", got.sources, want.sources)
	}
	if !maps.Equal(got.live, want.live) {
		t.Errorf("%d live records, want the %d of the uninterrupted sync", len(got.live), len(want.live))
	}
	if cp := checkpointOf(t, cfg); cp != wantCheckpoint {
		t.Errorf("checkpoint %q, want %q", cp, wantCheckpoint)
	}
	if len(got.pending) != 0 {
		t.Errorf("%d records still pending", len(got.pending))
	}
	rep := eval.Compare(eval.Clustering(got.assign), eval.Clustering(want.assign), 3)
	if rep.F1 != 1 || rep.Records != len(want.live) {
		t.Errorf("clusters after the crashes: %d records, F1 %.4f; want F1 1", rep.Records, rep.F1)
	}
}

func checkpointOf(t *testing.T, cfg string) string {
	t.Helper()
	db, err := bolt.Open(filepath.Join(filepath.Dir(cfg), "scv-data"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cp, err := db.Checkpoint(context.Background(), "shop")
	if err != nil {
		t.Fatal(err)
	}
	return cp
}
