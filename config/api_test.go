package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/scvhq/scv/config"
)

// TestAPISource checks that a source of type api needs no path, dsn or
// id and keeps its trust and normalization settings.
func TestAPISource(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "scv.hcl")
	src := `source "web" {
  type            = "api"
  trust           = 0.7
  default_country = "GB"
  date_format     = "dd/mm/yyyy"
}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Sources[0]
	if s.Type != "api" || s.Trust != 0.7 || s.DefaultCountry != "GB" || s.DateFormat != "dd/mm/yyyy" {
		t.Errorf("source = %+v", s)
	}
	bad := `source "web" {
  type = "api"
  path = "x.csv"
}
`
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := config.Load(path); err == nil {
		t.Error("an api source with a path loaded")
	}
}
