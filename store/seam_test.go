package store_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOnlyWiringImportsBackends checks the seam: no package's code but
// cmd/scv, which opens the store, and the backends themselves imports a
// backend package. Tests may open a real backend anywhere.
func TestOnlyWiringImportsBackends(t *testing.T) {
	const module = "github.com/scvhq/scv"
	backends := map[string]bool{module + "/store/bolt": true}
	allowed := map[string]bool{"cmd/scv": true, "store/bolt": true}
	root := ".."
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(p))
		if err != nil {
			return err
		}
		pkg := path.Clean(filepath.ToSlash(rel))
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			if backends[ip] && !allowed[pkg] {
				t.Errorf("%s imports %s: only cmd/scv wires a backend; declare the interface you need instead", p, ip)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
