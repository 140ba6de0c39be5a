// Package demo holds the bundled demo silos that scv demo resolves: a
// CRM, a web shop and a support desk of a fictional retailer, with the
// messiness real silos have, and the scv.hcl that reads them.
package demo

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FS holds the demo files: scv.hcl, crm.csv, shop.csv, support.csv and
// truth.csv, which says which records are the same person.
//
//go:embed scv.hcl crm.csv shop.csv support.csv truth.csv
var FS embed.FS

// The names of the demo configuration and of the truth file within FS.
// The truth file has the header "source,record_id,entity_id" that scv
// eval reads.
const (
	ConfigFile = "scv.hcl"
	TruthFile  = "truth.csv"
)

// WriteTo writes every file of FS into dir, creating dir if needed and
// replacing files of the same names. The configuration's paths are
// relative, so dir/scv.hcl is ready to load.
func WriteTo(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for _, e := range entries {
		b, err := FS.ReadFile(e.Name())
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return nil
}
