package resolver

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/scvhq/scv/customer"
)

// Explanation says why a model scores two records as it does: the prior,
// one entry per compared field, and their total, like a waterfall. The
// field weights and the prior add up to Weight.
type Explanation struct {
	Prior       float64            // log2 prior odds that two random records match
	Fields      []FieldExplanation // one per comparison of the model
	Weight      float64            // Prior plus every field's Weight
	Probability float64            // posterior match probability, from Weight
	// Conflict names the comparison whose outright disagreement keeps the
	// two records in different profiles, even when their probability or
	// other records link them, unless the links between their clusters
	// outnumber the conflicts more than two to one: an outright
	// disagreement on a strong identifier, given name or date of birth
	// when the probability is below 0.01, or a household (the same or a
	// near family name and another given name, sharing an address, email
	// or phone, with two valid dates of birth that differ outright, or
	// sharing an email or phone with a date of birth missing). Empty when
	// there is none.
	Conflict string
}

// FieldExplanation is one compared field of an Explanation.
type FieldExplanation struct {
	Comparison   string  // such as "given_name" or "identifier:national_id"
	Level        string  // the comparison level the pair reached
	A, B         string  // the compared values as prepared for matching (first value of a multi-valued field)
	M, U         float64 // the level's probabilities; 0 for the null level
	TFAdjustment float64 // term-frequency adjustment of an exact agreement (or of an email's shared local part)
	Weight       float64 // log2(M/U) plus TFAdjustment; 0 for the null level
}

// Explain compares a and b under the model and explains their score.
func (m *Model) Explain(a, b *customer.Record) (Explanation, error) {
	sc, err := m.compile()
	if err != nil {
		return Explanation{}, err
	}
	fa, fb := prepare(a, sc.idKind, sc.nick), prepare(b, sc.idKind, sc.nick)
	sc.setTF(&fa)
	sc.setTF(&fb)
	g := sc.gamma(&fa, &fb)
	e := Explanation{Prior: sc.prior, Weight: sc.prior}
	for c, cc := range sc.comps {
		l := level(g, c)
		lv := m.Comparisons[c].Levels[l]
		fe := FieldExplanation{Comparison: m.Comparisons[c].Name, Level: lv.Name,
			A: fa.value(cc.kind, cc.slot), B: fb.value(cc.kind, cc.slot), Weight: cc.w[l]}
		if l != levelNull {
			fe.M, fe.U = lv.M, lv.U
		}
		if l == levelExact || l == emailLocal {
			fe.TFAdjustment = sc.tfAdjust(c, l, &fa, &fb)
			fe.Weight += fe.TFAdjustment
		}
		e.Fields = append(e.Fields, fe)
		e.Weight += fe.Weight
	}
	e.Probability = probability(e.Weight)
	if c := sc.conflictField(g, e.Probability); c >= 0 {
		e.Conflict = m.Comparisons[c].Name
	}
	return e, nil
}

// WriteText writes the explanation as a waterfall table.
func (e Explanation) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "comparison\tlevel\ta\tb\tm\tu\ttf\tweight\trunning\n")
	run := e.Prior
	fmt.Fprintf(tw, "prior\t\t\t\t\t\t\t%+.2f\t%+.2f\n", e.Prior, run)
	for _, f := range e.Fields {
		run += f.Weight
		if f.M == 0 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t-\t-\t\t%+.2f\t%+.2f\n", f.Comparison, f.Level, f.A, f.B, f.Weight, run)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.4f\t%.6f\t%+.2f\t%+.2f\t%+.2f\n", f.Comparison, f.Level, f.A, f.B, f.M, f.U, f.TFAdjustment, f.Weight, run)
	}
	fmt.Fprintf(tw, "total\t\t\t\t\t\t\t%+.2f\tprobability %.6f\n", e.Weight, e.Probability)
	if e.Conflict != "" {
		fmt.Fprintf(tw, "conflict: %s disagrees outright, so these two share a profile only if other members link them more than two to one\n", e.Conflict)
	}
	return tw.Flush()
}
