package pipeline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/store/bolt"
)

func open(t testing.TB, dir string) *Pipeline {
	t.Helper()
	cfg, err := config.Load(filepath.Join(dir, "scv.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Open(cfg, Options{Store: bolt.Options{NoSync: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
