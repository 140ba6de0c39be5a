package resolver

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/eval"
)

// febrlDir returns the folder of the Febrl benchmark files (see
// ../../shared/data/README.md): $SCV_FEBRL_DIR, or shared/ beside the
// repository.
func febrlDir() string {
	if d := os.Getenv("SCV_FEBRL_DIR"); d != "" {
		return d
	}
	return "../../shared/data/febrl"
}

// loadFebrl reads Febrl files into normalized records, one source per
// file, mapped as testdata/febrl/*.hcl maps them, and their truth.
func loadFebrl(tb testing.TB, withID bool, files ...string) ([]customer.Record, eval.Clustering) {
	tb.Helper()
	var recs []customer.Record
	truth := make(eval.Clustering)
	for _, name := range files {
		f, err := os.Open(filepath.Join(febrlDir(), name))
		if os.IsNotExist(err) {
			tb.Skipf("Febrl data not found: %v", err)
		}
		if err != nil {
			tb.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		src := strings.TrimSuffix(name, ".csv")
		for n, row := range rows[1:] {
			for i := range row {
				row[i] = strings.TrimSpace(row[i])
			}
			r := customer.Record{Source: src, ID: row[0], Row: int64(n + 2)}
			set := func(fl customer.Field, v string) { r.Fields[fl] = customer.Value{Raw: strings.TrimSpace(v)} }
			set(customer.GivenName, row[1])
			set(customer.FamilyName, row[2])
			set(customer.AddressLine1, row[3]+" "+row[4])
			set(customer.AddressLine2, row[5])
			set(customer.Locality, row[6])
			set(customer.PostalCode, row[7])
			set(customer.Region, row[8])
			set(customer.DateOfBirth, row[9])
			if withID {
				r.Identifiers = map[string]customer.Value{"national_id": {Raw: row[10]}}
			}
			customer.Normalize(&r, customer.Options{DefaultCountry: "AU", DateFormat: "yyyymmdd"})
			recs = append(recs, r)
			ent, ok := febrlEntity(row[0])
			if !ok {
				tb.Fatalf("%s row %d: rec_id %q breaks the Febrl rule", name, n+2, row[0])
			}
			truth[r.Key()] = ent
		}
	}
	return recs, truth
}

// febrlEntity returns the person number N of a Febrl record id
// ("rec-N-org" or "rec-N-dup-K"): the Febrl truth rule.
func febrlEntity(recID string) (string, bool) {
	s, ok := strings.CutPrefix(recID, "rec-")
	if !ok {
		return "", false
	}
	n, rest, ok := strings.Cut(s, "-")
	if !ok || n == "" || (rest != "org" && !strings.HasPrefix(rest, "dup-")) {
		return "", false
	}
	return n, true
}

var febrlSets = []struct {
	name  string
	files []string
	minF1 float64
}{
	{"dataset1", []string{"dataset1.csv"}, 0.98},
	{"dataset2", []string{"dataset2.csv"}, 0.98},
	{"dataset3", []string{"dataset3.csv"}, 0.99},
	{"dataset4", []string{"dataset4a.csv", "dataset4b.csv"}, 0.99},
}

// TestFebrlAccuracy resolves each Febrl set with the default options,
// with and without the social-security id, and checks pairwise F1.
func TestFebrlAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("accuracy run skipped in -short mode")
	}
	for _, set := range febrlSets {
		for _, withID := range []bool{true, false} {
			name := set.name + "/without_id"
			if withID {
				name = set.name + "/with_id"
			}
			t.Run(name, func(t *testing.T) {
				recs, truth := loadFebrl(t, withID, set.files...)
				res, err := New(Options{}).Resolve(context.Background(), recs, nil)
				if err != nil {
					t.Fatal(err)
				}
				rep := eval.Compare(eval.Clustering(res.Assign), truth, 3)
				t.Logf("F1 %.4f precision %.4f recall %.4f profiles %d/%d candidates %d links %d refused %d took %s",
					rep.F1, rep.Precision, rep.Recall, rep.PredictedClusters, rep.TrueClusters,
					res.Candidates, res.Links, res.Refused, res.Took)
				if rep.F1 < set.minF1 {
					var b strings.Builder
					rep.WriteText(&b)
					t.Errorf("F1 %.4f < %.2f\n%s", rep.F1, set.minF1, b.String())
				}
			})
		}
	}
}

// BenchmarkFebrl3 trains and resolves Febrl dataset3 (5,000 records)
// from normalized records.
func BenchmarkFebrl3(b *testing.B) {
	for _, withID := range []bool{true, false} {
		name := "without_id"
		if withID {
			name = "with_id"
		}
		b.Run(name, func(b *testing.B) {
			recs, _ := loadFebrl(b, withID, "dataset3.csv")
			b.ReportAllocs()
			for b.Loop() {
				if _, err := New(Options{}).Resolve(context.Background(), recs, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBlockBuild computes the block keys and blocks of Febrl
// dataset3, splitting the blocks that pass splitAt.
func BenchmarkBlockBuild(b *testing.B) {
	recs, _ := loadFebrl(b, false, "dataset3.csv")
	r := New(Options{})
	s, has, err := r.prepare(context.Background(), recs)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		bl, err := r.blocker(s.m, s.sc, has, false)
		if err != nil {
			b.Fatal(err)
		}
		bl.build(s.fs, 500)
	}
}
