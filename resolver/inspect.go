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

// Inspect runs the steps of Resolve up to scoring on recs (preparing,
// training unless Options.Model is set, blocking) and calls pair for every
// candidate pair: the indices of its two records in recs, the mask of the
// blocking rules that put them in one block (bit q for Inspection.Rules[q])
// and their match probability. It clusters nothing. pair is called from
// several goroutines at once. Inspect serves measurements such as blocking
// recall and calibration against a known truth.
func (r *Resolver) Inspect(ctx context.Context, recs []customer.Record, pair func(i, j int, rules uint32, p float64)) (*Inspection, error) {
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
		p, _ := s.probability(i, j)
		pair(int(i), int(j), s.bl.shared(i, j), p)
		return out
	})
	if err != nil {
		return nil, fmt.Errorf("resolver: inspect: %w", err)
	}
	in.Candidates = n
	return in, nil
}
