package eval

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	for _, tt := range []struct {
		name, in, col string
		want          Clustering
		err           error
	}{
		{"plain", "source,record_id,entity_id\na,1,x\na,2,x\nb,1,y\n", "entity_id",
			Clustering{"a/1": "x", "a/2": "x", "b/1": "y"}, nil},
		{"spaces and reordered", "\ufeffprofile_id, source, record_id\n p1, crm, 7\n", "profile_id",
			Clustering{"crm/7": "p1"}, nil},
		{"missing column", "source,record_id\na,1\n", "entity_id", nil, ErrHeader},
		{"short row", "source,record_id,entity_id\na,1\n", "entity_id", nil, ErrHeader},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(strings.NewReader(tt.in), tt.col)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
	if _, err := Read(strings.NewReader("source,record_id,entity_id\na,1,x\na,1,y\n"), "entity_id"); err == nil {
		t.Error("duplicate record: no error")
	}
}

func TestCompare(t *testing.T) {
	truth := Clustering{"s/1": "A", "s/2": "A", "s/3": "A", "s/4": "B", "s/5": "B", "s/6": "C"}
	for _, tt := range []struct {
		name                   string
		pred                   Clustering
		precision, recall      float64
		predClusters           int
		merges, splits         int
		firstMergeID, firstKey string
	}{
		{"perfect", Clustering{"s/1": "p", "s/2": "p", "s/3": "p", "s/4": "q", "s/5": "q", "s/6": "r"}, 1, 1, 3, 0, 0, "", ""},
		{"all singletons", Clustering{"s/1": "1", "s/2": "2", "s/3": "3", "s/4": "4", "s/5": "5", "s/6": "6"}, 1, 0, 6, 0, 2, "", ""},
		// p holds A's three records and C: 3 correct of 6 predicted pairs.
		{"false merge", Clustering{"s/1": "p", "s/2": "p", "s/3": "p", "s/6": "p", "s/4": "q", "s/5": "q"}, 4.0 / 7, 1, 2, 1, 0, "p", "s/1"},
		// A split 2+1: 1 of 3 A pairs kept, B kept.
		{"false split", Clustering{"s/1": "p", "s/2": "p", "s/3": "x", "s/4": "q", "s/5": "q", "s/6": "r"}, 1, 2.0 / 4, 4, 0, 1, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := Compare(tt.pred, truth, 5)
			if math.Abs(r.Precision-tt.precision) > 1e-9 || math.Abs(r.Recall-tt.recall) > 1e-9 {
				t.Errorf("precision, recall = %v, %v; want %v, %v", r.Precision, r.Recall, tt.precision, tt.recall)
			}
			wantF1 := 0.0
			if tt.precision+tt.recall > 0 {
				wantF1 = 2 * tt.precision * tt.recall / (tt.precision + tt.recall)
			}
			if math.Abs(r.F1-wantF1) > 1e-9 {
				t.Errorf("F1 = %v, want %v", r.F1, wantF1)
			}
			if r.TrueClusters != 3 || r.PredictedClusters != tt.predClusters {
				t.Errorf("clusters = %d true, %d predicted; want 3, %d", r.TrueClusters, r.PredictedClusters, tt.predClusters)
			}
			if len(r.FalseMerges) != tt.merges || len(r.FalseSplits) != tt.splits {
				t.Fatalf("merges, splits = %d, %d; want %d, %d", len(r.FalseMerges), len(r.FalseSplits), tt.merges, tt.splits)
			}
			if tt.firstMergeID != "" {
				g := r.FalseMerges[0]
				if g.ID != tt.firstMergeID || g.Parts[0][0] != tt.firstKey || g.Pairs != 3 {
					t.Errorf("worst merge = %+v", g)
				}
			}
		})
	}
}

func TestCompareCountsUnmatchedRecords(t *testing.T) {
	r := Compare(Clustering{"a/1": "p", "a/2": "p"}, Clustering{"a/1": "x", "a/3": "x"}, 0)
	if r.Records != 1 || r.OnlyPredicted != 1 || r.OnlyTruth != 1 {
		t.Errorf("records %d, only predicted %d, only truth %d; want 1, 1, 1", r.Records, r.OnlyPredicted, r.OnlyTruth)
	}
}

func TestWriteText(t *testing.T) {
	truth := Clustering{"s/1": "A", "s/2": "A", "s/3": "B"}
	pred := Clustering{"s/1": "p", "s/2": "q", "s/3": "q"}
	var buf bytes.Buffer
	if err := Compare(pred, truth, 3).WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"precision        0.0000", "recall           0.0000", "clusters         2 predicted, 2 true",
		"worst false merges", "profile q: 1 pairs", "worst false splits", "entity A: 1 pairs", "    s/2"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	pred, truth := make(Clustering), make(Clustering)
	for i := range 100000 {
		k := "s/" + string(rune('a'+i%26)) + strings.Repeat("x", i%7) + string(rune(i))
		truth[k] = string(rune(i / 3))
		pred[k] = string(rune(i / 4))
	}
	b.ReportAllocs()
	for b.Loop() {
		Compare(pred, truth, 10)
	}
}
