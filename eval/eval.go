// Package eval scores a predicted clustering of records against a known
// truth: pairwise precision, recall and F1, cluster counts, and the worst
// false merges and false splits, so that a resolver's accuracy can be
// measured on labelled data.
package eval

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Clustering maps a record key ("source/record_id") to the id of its
// cluster: a profile id for a prediction, an entity id for the truth.
type Clustering map[string]string

// ErrHeader is returned when a CSV file lacks one of the required columns.
var ErrHeader = errors.New("eval: missing column")

// Read reads a clustering from CSV with a header naming the columns
// "source", "record_id" and idColumn ("profile_id" for a prediction,
// "entity_id" for a truth). Surrounding spaces of headers and values are
// trimmed. A record listed twice is an error.
func Read(r io.Reader, idColumn string) (Clustering, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	col := map[string]int{"source": -1, "record_id": -1, idColumn: -1}
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, ok := col[h]; ok {
			col[h] = i
		}
	}
	for _, name := range []string{"source", "record_id", idColumn} {
		if col[name] < 0 {
			return nil, fmt.Errorf("header: column %q: %w", name, ErrHeader)
		}
	}
	c := make(Clustering)
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return c, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read: %w", err)
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) (string, error) {
			i := col[name]
			if i >= len(row) {
				return "", fmt.Errorf("line %d: column %q: %w", line, name, ErrHeader)
			}
			return strings.TrimSpace(row[i]), nil
		}
		src, err := get("source")
		if err != nil {
			return nil, err
		}
		id, err := get("record_id")
		if err != nil {
			return nil, err
		}
		cl, err := get(idColumn)
		if err != nil {
			return nil, err
		}
		key := src + "/" + id
		if _, dup := c[key]; dup {
			return nil, fmt.Errorf("line %d: record %q listed twice", line, key)
		}
		c[key] = cl
	}
}

// ReadFile reads a clustering from the CSV file at path; see Read.
func ReadFile(path, idColumn string) (Clustering, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := Read(f, idColumn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Group is one cluster that went wrong: a predicted cluster holding
// several true entities (a false merge) or a true entity spread over
// several predicted clusters (a false split).
type Group struct {
	ID    string     // the predicted cluster id (merge) or the entity id (split)
	Pairs int64      // record pairs wrongly linked (merge) or missed (split)
	Parts [][]string // record keys, one sorted list per entity (merge) or per predicted cluster (split), largest first
}

// Report is the outcome of comparing a prediction with the truth. Only
// records present in both are scored.
type Report struct {
	Records           int   // records in both files
	OnlyPredicted     int   // records only in the prediction
	OnlyTruth         int   // records only in the truth
	TruePairs         int64 // pairs of records of the same entity
	PredictedPairs    int64 // pairs of records in the same predicted cluster
	CorrectPairs      int64 // pairs in both
	Precision         float64
	Recall            float64
	F1                float64
	TrueClusters      int // entities
	PredictedClusters int // predicted clusters
	FalseMerges       []Group
	FalseSplits       []Group
}

// Compare scores pred against truth and keeps the worst n false merges
// and false splits (n <= 0 keeps none).
func Compare(pred, truth Clustering, n int) *Report {
	rep := &Report{}
	type cell struct{ p, t string }
	cells := make(map[cell][]string)
	predSize := make(map[string]int64)
	truthSize := make(map[string]int64)
	for k, p := range pred {
		t, ok := truth[k]
		if !ok {
			rep.OnlyPredicted++
			continue
		}
		rep.Records++
		cells[cell{p, t}] = append(cells[cell{p, t}], k)
		predSize[p]++
		truthSize[t]++
	}
	for k := range truth {
		if _, ok := pred[k]; !ok {
			rep.OnlyTruth++
		}
	}
	pairs := func(n int64) int64 { return n * (n - 1) / 2 }
	for _, n := range predSize {
		rep.PredictedPairs += pairs(n)
	}
	for _, n := range truthSize {
		rep.TruePairs += pairs(n)
	}
	byPred := make(map[string][][]string)
	byTruth := make(map[string][][]string)
	for c, keys := range cells {
		rep.CorrectPairs += pairs(int64(len(keys)))
		sort.Strings(keys)
		byPred[c.p] = append(byPred[c.p], keys)
		byTruth[c.t] = append(byTruth[c.t], keys)
	}
	rep.TrueClusters = len(truthSize)
	rep.PredictedClusters = len(predSize)
	rep.Precision = ratio(rep.CorrectPairs, rep.PredictedPairs)
	rep.Recall = ratio(rep.CorrectPairs, rep.TruePairs)
	if rep.Precision+rep.Recall > 0 {
		rep.F1 = 2 * rep.Precision * rep.Recall / (rep.Precision + rep.Recall)
	}
	if n > 0 {
		rep.FalseMerges = worst(byPred, n)
		rep.FalseSplits = worst(byTruth, n)
	}
	return rep
}

// ratio returns a/b, and 1 when there is nothing to get wrong (b == 0).
func ratio(a, b int64) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// worst returns the n groups with more than one part whose cross-part
// pairs are most numerous.
func worst(groups map[string][][]string, n int) []Group {
	var out []Group
	for id, parts := range groups {
		if len(parts) < 2 {
			continue
		}
		var total, within int64
		for _, p := range parts {
			k := int64(len(p))
			total += k
			within += k * (k - 1) / 2
		}
		sort.Slice(parts, func(i, j int) bool {
			if len(parts[i]) != len(parts[j]) {
				return len(parts[i]) > len(parts[j])
			}
			return parts[i][0] < parts[j][0]
		})
		out = append(out, Group{ID: id, Pairs: total*(total-1)/2 - within, Parts: parts})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Pairs != out[j].Pairs {
			return out[i].Pairs > out[j].Pairs
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// WriteText writes the report for a person to read.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("records          %d scored", r.Records)
	if r.OnlyPredicted > 0 || r.OnlyTruth > 0 {
		ew.printf(" (%d only in predicted, %d only in truth)", r.OnlyPredicted, r.OnlyTruth)
	}
	ew.printf("\nprecision        %.4f  (%d of %d predicted pairs)\n", r.Precision, r.CorrectPairs, r.PredictedPairs)
	ew.printf("recall           %.4f  (%d of %d true pairs)\n", r.Recall, r.CorrectPairs, r.TruePairs)
	ew.printf("f1               %.4f\n", r.F1)
	ew.printf("clusters         %d predicted, %d true\n", r.PredictedClusters, r.TrueClusters)
	section := func(title, part string, gs []Group) {
		if len(gs) == 0 {
			return
		}
		ew.printf("\n%s\n", title)
		for _, g := range gs {
			ew.printf("  %s %s: %d pairs\n", part, g.ID, g.Pairs)
			for _, p := range g.Parts {
				ew.printf("    %s\n", strings.Join(p, " "))
			}
		}
	}
	section("worst false merges (one line per true entity)", "profile", r.FalseMerges)
	section("worst false splits (one line per predicted profile)", "entity", r.FalseSplits)
	return ew.err
}

// errWriter keeps the first write error so a report is written without a
// check after every line.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
