package demo

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/scvhq/scv/config"
)

func TestConfigMatchesFiles(t *testing.T) {
	dir := t.TempDir()
	if err := WriteTo(dir); err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	cfg, err := config.Load(filepath.Join(dir, ConfigFile))
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	if got := len(cfg.Sources); got != 3 {
		t.Fatalf("%d sources, want 3", got)
	}
	for _, src := range cfg.Sources {
		header, rows := readCSV(t, src.Path)
		for _, col := range mappedColumns(src) {
			if !slices.Contains(header, col) {
				t.Errorf("source %q maps column %q, not in %s header %q", src.Name, col, filepath.Base(src.Path), header)
			}
		}
		if n := len(rows); n < 30 || n > 60 {
			t.Errorf("source %q has %d rows, want 30..60", src.Name, n)
		}
	}
}

func TestSilosHaveOneQuarantinedRowAndUniqueIDs(t *testing.T) {
	dir := t.TempDir()
	if err := WriteTo(dir); err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	cfg, err := config.Load(filepath.Join(dir, ConfigFile))
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	noID := 0
	for _, src := range cfg.Sources {
		header, rows := readCSV(t, src.Path)
		col := slices.Index(header, src.ID)
		seen := map[string]int{}
		for i, r := range rows {
			id := r[col]
			if id == "" {
				noID++
				continue
			}
			if first, dup := seen[id]; dup {
				t.Errorf("source %q: id %q on rows %d and %d", src.Name, id, first, i+2)
			}
			seen[id] = i + 2
		}
	}
	if noID != 1 {
		t.Errorf("%d rows without an id, want exactly 1 to show quarantine", noID)
	}
}

func TestTruthCoversEveryRecord(t *testing.T) {
	dir := t.TempDir()
	if err := WriteTo(dir); err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	cfg, err := config.Load(filepath.Join(dir, ConfigFile))
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	header, truth := readCSV(t, filepath.Join(dir, TruthFile))
	if !slices.Equal(header, []string{"source", "record_id", "entity_id"}) {
		t.Fatalf("truth header %q", header)
	}
	entityOf := map[string]string{}
	people := map[string]bool{}
	for _, r := range truth {
		entityOf[r[0]+"/"+r[1]] = r[2]
		people[r[2]] = true
	}
	records := 0
	for _, src := range cfg.Sources {
		header, rows := readCSV(t, src.Path)
		col := slices.Index(header, src.ID)
		for i, r := range rows {
			if r[col] == "" {
				continue
			}
			records++
			if _, ok := entityOf[src.Name+"/"+r[col]]; !ok {
				t.Errorf("%s row %d: %s/%s is not in %s", filepath.Base(src.Path), i+2, src.Name, r[col], TruthFile)
			}
		}
	}
	if records != len(truth) {
		t.Errorf("%d records with an id, %d truth rows", records, len(truth))
	}
	// The story of the demo: 35 CRM customers and 8 more who only shop
	// or call support.
	if len(people) != 43 {
		t.Errorf("%d people in the truth, want 43", len(people))
	}
}

func TestWriteToCopiesEveryFile(t *testing.T) {
	dir := t.TempDir()
	if err := WriteTo(dir); err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	for _, name := range []string{ConfigFile, TruthFile, "crm.csv", "shop.csv", "support.csv"} {
		want, err := FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from the embedded file", name)
		}
	}
}

// mappedColumns lists every column src reads.
func mappedColumns(src config.Source) []string {
	cols := []string{src.ID}
	if src.UpdatedAt != "" {
		cols = append(cols, src.UpdatedAt)
	}
	for _, cs := range src.Map {
		cols = append(cols, cs...)
	}
	for _, m := range []map[string]string{src.Identifiers, src.Attributes} {
		for _, c := range m {
			cols = append(cols, c)
		}
	}
	for _, c := range src.Consent {
		cols = append(cols, c.Column)
		if c.At != "" {
			cols = append(cols, c.At)
		}
	}
	return cols
}

// readCSV reads a whole demo file; every row must have the header's
// number of fields.
func readCSV(t *testing.T, path string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows[0], rows[1:]
}
