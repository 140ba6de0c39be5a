package eval

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestPairs(t *testing.T) {
	keys := []string{"s/1", "s/2", "s/3", "s/4", "s/5"}
	truth := Clustering{"s/1": "A", "s/2": "A", "s/3": "A", "s/4": "B", "s/5": "C"}
	p := NewPairs(keys, truth)
	for _, c := range []struct {
		i, j int
		mask uint32
		prob float64
	}{
		{0, 1, 0b01, 0.9995}, // true, rule 0
		{0, 2, 0b11, 0.95},   // true, rules 0 and 1
		{0, 3, 0b10, 0.05},   // false, rule 1
		{3, 4, 0b10, 0.97},   // false, rule 1
	} {
		p.Add(c.i, c.j, c.mask, c.prob)
	}
	b := p.Blocking([]string{"a", "b"}, 5)
	if len(b.Missed) != 1 || b.Missed[0] != [2]string{"s/2", "s/3"} {
		t.Errorf("missed = %v, want [s/2 s/3]", b.Missed)
	}
	if b.TruePairs != 3 || b.Found != 2 || math.Abs(b.Recall-2.0/3) > 1e-9 || b.Candidates != 4 || b.PairsPerRecord != 0.8 {
		t.Errorf("blocking = %+v", b)
	}
	for _, tt := range []struct {
		rule                   string
		pairs, newPairs, found int64
	}{
		{"a", 2, 2, 2},
		{"b", 3, 2, 1},
	} {
		var got RuleRecall
		for _, r := range b.Rules {
			if r.Rule == tt.rule {
				got = r
			}
		}
		if got.Pairs != tt.pairs || got.NewPairs != tt.newPairs || got.TruePairs != tt.found {
			t.Errorf("rule %s = %+v, want pairs %d new %d true %d", tt.rule, got, tt.pairs, tt.newPairs, tt.found)
		}
	}
	c := p.Calibration()
	for _, tt := range []struct {
		bin            int
		pairs, matches int64
	}{{0, 1, 0}, {9, 2, 1}, {11, 1, 1}} {
		if got := c.Bins[tt.bin]; got.Pairs != tt.pairs || got.Matches != tt.matches {
			t.Errorf("bin %d = %+v, want %d pairs, %d true", tt.bin, got, tt.pairs, tt.matches)
		}
	}
	var out bytes.Buffer
	if err := b.WriteText(&out); err != nil || !strings.Contains(out.String(), "blocking recall  0.6667") {
		t.Errorf("blocking text: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := c.WriteText(&out); err != nil || !strings.Contains(out.String(), "[0.999, 1.000)") {
		t.Errorf("calibration text: %v\n%s", err, out.String())
	}
}
