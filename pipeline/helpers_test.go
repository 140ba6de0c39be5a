package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/store/bolt"
)

// open loads dir/scv.hcl and returns a pipeline over a real bbolt store
// in its data directory, with the store. When the test ends it checks the
// store's consistency and closes it.
func open(t testing.TB, dir string) *testPipeline {
	t.Helper()
	cfg := load(t, dir)
	db, err := bolt.Open(cfg.DataDir, bolt.Options{NoSync: true})
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

// testPipeline is a pipeline with the store it runs on.
type testPipeline struct {
	*Pipeline
	db *bolt.DB
}

// reload loads dir/scv.hcl again and returns a pipeline over the same
// store, as a later scv run with an edited config would.
func (p *testPipeline) reload(t testing.TB, dir string) *testPipeline {
	t.Helper()
	return &testPipeline{New(load(t, dir), p.db, Options{}), p.db}
}

func load(t testing.TB, dir string) *config.Config {
	t.Helper()
	cfg, err := config.Load(filepath.Join(dir, "scv.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
