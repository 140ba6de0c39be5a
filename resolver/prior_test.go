package resolver

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/scvhq/scv/customer"
)

// TestSmallDataTrained trains on a handful of records, where the defaults
// must carry the model: the same name and email link, a shared family
// name or a shared name with another email and birth date does not.
func TestSmallDataTrained(t *testing.T) {
	for _, tt := range []struct {
		name       string
		recs       []customer.Record
		same, diff [][2]string
	}{
		{
			name: "same name and email across sources",
			recs: []customer.Record{
				rec("C1", "ann", "lee", "", "ann.lee@example.com", "+447700900001", ""),
				rec("C2", "bob", "ray", "", "bob@example.com", "+447700900002", ""),
				rec("C3", "cat", "fox", "", "", "+447700900003", ""),
				rec("S1", "ann", "lee", "", "ann.lee@example.com", "", ""),
				rec("S2", "dan", "orr", "", "dan@example.com", "", ""),
			},
			same: [][2]string{{"C1", "S1"}},
			diff: [][2]string{{"C1", "C2"}, {"C2", "S2"}, {"C3", "S2"}},
		},
		{
			name: "family name alone",
			recs: []customer.Record{
				rec("1", "ann", "lee", "1980-01-02", "ann@a.org", "", ""),
				rec("2", "bob", "lee", "1975-07-08", "bob@b.org", "", ""),
				rec("3", "cat", "fox", "1990-03-04", "cat@c.org", "", ""),
			},
			diff: [][2]string{{"1", "2"}, {"1", "3"}},
		},
		{
			name: "same name and birth date, another email",
			recs: []customer.Record{
				rec("1", "ann", "lee", "1980-01-02", "ann@a.org", "", ""),
				rec("2", "ann", "lee", "1980-01-02", "ann.lee@b.org", "", ""),
				rec("3", "cat", "fox", "1990-03-04", "cat@c.org", "", ""),
				rec("4", "bob", "fox", "1971-05-06", "bob@c.org", "", ""),
			},
			same: [][2]string{{"1", "2"}},
			diff: [][2]string{{"1", "3"}, {"3", "4"}},
		},
		{
			name: "typo in the family name, same email and birth date",
			recs: []customer.Record{
				rec("1", "maria", "gonzalez", "1980-01-02", "mg@a.org", "", ""),
				rec("2", "maria", "gonzales", "1980-01-02", "mg@a.org", "", ""),
				rec("3", "peter", "novak", "1970-05-06", "pn@b.org", "", ""),
				rec("4", "jan", "novak", "1972-09-10", "jn@b.org", "", ""),
			},
			same: [][2]string{{"1", "2"}},
			diff: [][2]string{{"3", "4"}},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := New(Options{}).Resolve(context.Background(), tt.recs, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Model == nil {
				t.Fatal("no model trained")
			}
			n := float64(len(tt.recs))
			if l := res.Model.Lambda; l < 0.2/n || l > 5/n {
				t.Errorf("prior %.3g, want about 1/%d", l, len(tt.recs))
			}
			for _, p := range tt.same {
				if a, b := res.Assign["t/"+p[0]], res.Assign["t/"+p[1]]; a != b {
					t.Errorf("%s and %s in profiles %s and %s, want one", p[0], p[1], a, b)
				}
			}
			for _, p := range tt.diff {
				if a, b := res.Assign["t/"+p[0]], res.Assign["t/"+p[1]]; a == b {
					t.Errorf("%s and %s both in profile %s, want two", p[0], p[1], a)
				}
			}
		})
	}
}

// TestTermFrequencySmoothing checks that few records leave a value's share
// near the default, and many records give their own share.
func TestTermFrequencySmoothing(t *testing.T) {
	const def = 0.005
	for _, tt := range []struct {
		name        string
		total, seen int
		lo, hi      float64
	}{
		{"twice among 5 is not common", 5, 2, def / 2, def * 2},
		{"once among 5 is not rare", 5, 1, def / 2, def * 2},
		{"common among 100000", 100000, 2000, 0.0195, 0.0205},
		{"twice among 100000 is rare", 100000, 2, 0.000005, 0.00002},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tf := &TermFrequencies{Total: tt.total, Counts: map[string]int{}, Prior: def, Alpha: tfAlpha}
			if tt.seen >= 2 {
				tf.Counts["v"] = tt.seen
			}
			if f := tf.freq("v"); f < tt.lo || f > tt.hi {
				t.Errorf("share %.6f, want within [%g, %g]", f, tt.lo, tt.hi)
			}
		})
	}
	plain := &TermFrequencies{Total: 10, Counts: map[string]int{"v": 4}}
	if f := plain.freq("v"); f != 0.4 {
		t.Errorf("unsmoothed share %v, want 0.4 (a model stored without priors)", f)
	}
}

// TestDefaultsAreProbabilities checks that every kind's default m and u
// are probabilities summing to one over the non-null levels, and that an
// agreeing level weighs more than the "else" level.
func TestDefaultsAreProbabilities(t *testing.T) {
	for k := range numKinds {
		t.Run(kinds[k].name, func(t *testing.T) {
			d := levelDefaults[k]
			if len(d.m) != len(kinds[k].levels) || len(d.u) != len(kinds[k].levels) {
				t.Fatalf("%d m and %d u defaults for %d levels", len(d.m), len(d.u), len(kinds[k].levels))
			}
			var sm, su float64
			for l := 1; l < len(d.m); l++ {
				m, u := defaultM(k, l), defaultU(k, l)
				if !(m > 0 && m < 1 && u > 0 && u < 1) {
					t.Errorf("level %q: m %v, u %v", kinds[k].levels[l], m, u)
				}
				sm += m
				su += u
			}
			if math.Abs(sm-1) > 1e-9 || math.Abs(su-1) > 1e-9 {
				t.Errorf("m sums to %v, u to %v", sm, su)
			}
			if last := elseLevel(k); defaultM(k, levelExact)/defaultU(k, levelExact) <= defaultM(k, last)/defaultU(k, last) {
				t.Error("exact agreement weighs no more than disagreement")
			}
		})
	}
}

// TestBlend checks the pseudo-count mean at its ends.
func TestBlend(t *testing.T) {
	for _, tt := range []struct {
		est, n, def, prior, want float64
	}{
		{0.5, 0, 0.01, 100, 0.01},
		{0.5, 100, 0.1, 100, 0.3},
		{0.5, 1e9, 0.1, 100, 0.5},
	} {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			if got := blend(tt.est, tt.n, tt.def, tt.prior); math.Abs(got-tt.want) > 1e-6 {
				t.Errorf("blend = %v, want %v", got, tt.want)
			}
		})
	}
}
