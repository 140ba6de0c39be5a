package resolver

import (
	"context"
	"fmt"

	"github.com/scvhq/scv/customer"
)

// Inspection is what Inspect found.
type Inspection struct {
	// Rules are the blocking rules applied, one per bit of the rules mask
	// that Inspect passes for each pair: bit q is Rules[q].
	Rules      []string
	Records    int
	Candidates int              // deduplicated candidate pairs
	Oversized  []OversizedBlock // blocks skipped for holding too many records
	Model      *Model           // the model that scored the pairs; nil when there was nothing to train on
}

// Pair is one candidate pair that Inspect found.
type Pair struct {
	I, J  int     // the indices of the two records in the records given to Inspect
	Rules uint32  // the blocking rules that put them in one block: bit q for Inspection.Rules[q]
	P     float64 // their match probability
	gamma uint64
}

// Level returns the pair's level under comparison c of the model
// (Inspection.Model.Comparisons[c]), as an index into its Levels.
func (p Pair) Level(c int) int { return level(p.gamma, c) }

// Inspect runs the steps of Resolve up to scoring on recs (preparing,
// training unless Options.Model is set, blocking) and calls pair for every
// candidate pair. It clusters nothing. pair is called from several
// goroutines at once. Inspect serves measurements such as blocking recall,
// calibration and the true m of each level against a known truth.
func (r *Resolver) Inspect(ctx context.Context, recs []customer.Record, pair func(Pair)) (*Inspection, error) {
	in := &Inspection{Records: len(recs)}
	s, err := r.session(ctx, recs)
	if err != nil || s == nil {
		return in, err
	}
	in.Model, in.Oversized = s.m, s.over
	for _, rule := range s.bl.rules {
		in.Rules = append(in.Rules, rule.String())
	}
	r.stage("scoring")
	_, n, err := walk(ctx, s.bl, s.groups, func(i, j int32, out []struct{}) []struct{} {
		p, g := s.probability(i, j)
		pair(Pair{I: int(i), J: int(j), Rules: s.bl.shared(i, j), P: p, gamma: g})
		return out
	})
	if err != nil {
		return nil, fmt.Errorf("resolver: inspect: %w", err)
	}
	in.Candidates = n
	return in, nil
}
