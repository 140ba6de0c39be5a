package server

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	scvv1 "github.com/scvhq/scv/proto/scv/v1"
	"github.com/scvhq/scv/resolver"
)

// maxExplainMembers bounds ExplainProfile: n members make n(n-1)/2 pairs.
const maxExplainMembers = 100

// ExplainProfile explains every pair of the members of the profile named
// by req.Name under the trained model, most probable pair first, with notes
// naming each member's closest member and each outright disagreement.
func (p *profileService) ExplainProfile(ctx context.Context, req *scvv1.ExplainProfileRequest) (*scvv1.ExplainProfileResponse, error) {
	id, ok := parseProfileName(req.GetName())
	if !ok {
		var bad badRequestError
		bad.add("name", `must be "profiles/{id}"`)
		return nil, &bad
	}
	if p.explain == nil {
		return nil, &preconditionError{kind: "MODEL", subject: "resolver model", desc: "the server was started without a trained resolver model; run scv resolve, then restart the server", reason: reasonNoModel}
	}
	prof, err := p.store.Profile(ctx, id)
	if err != nil {
		return nil, profileError(req.GetName(), err)
	}
	m := prof.Members
	if len(m) > maxExplainMembers {
		return nil, &preconditionError{kind: "SIZE", subject: req.GetName(), reason: reasonTooLarge,
			desc: fmt.Sprintf("the profile has %d members; ExplainProfile compares at most %d pairwise", len(m), maxExplainMembers)}
	}
	resp := &scvv1.ExplainProfileResponse{Name: req.GetName(), Pairs: make([]*scvv1.PairExplanation, 0, len(m)*(len(m)-1)/2)}
	for i := range m {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for j := i + 1; j < len(m); j++ {
			e, err := p.explain(&m[i], &m[j])
			if err != nil {
				return nil, fmt.Errorf("profile %q: explain %s and %s: %w", id, m[i].Key(), m[j].Key(), err)
			}
			resp.Pairs = append(resp.Pairs, pairToProto(m[i].Key(), m[j].Key(), &e))
		}
	}
	slices.SortStableFunc(resp.Pairs, func(a, b *scvv1.PairExplanation) int {
		return cmp.Compare(b.GetProbability(), a.GetProbability())
	})
	resp.Notes = explainNotes(prof.Members[0].Key(), len(m), resp.Pairs)
	return resp, nil
}

// explainNotes names each member's closest member, from pairs sorted most
// probable first and built from members in key order, and then every pair
// that disagrees outright.
func explainNotes(firstKey string, members int, pairs []*scvv1.PairExplanation) []string {
	if members == 1 {
		return []string{fmt.Sprintf("the profile has one member, %s: there is nothing to compare", firstKey)}
	}
	var notes []string
	closest := make(map[string]bool, members)
	note := func(key, other string, pe *scvv1.PairExplanation) {
		if !closest[key] {
			closest[key] = true
			notes = append(notes, fmt.Sprintf("%s is closest to %s (probability %.4g, weight %+.2f)", key, other, pe.GetProbability(), pe.GetWeight()))
		}
	}
	for _, pe := range pairs {
		note(pe.GetRecordA(), pe.GetRecordB(), pe)
		note(pe.GetRecordB(), pe.GetRecordA(), pe)
	}
	slices.Sort(notes)
	for _, pe := range pairs {
		if pe.GetConflict() != "" {
			notes = append(notes, fmt.Sprintf("%s and %s disagree outright on %s, so they share a profile only if other members link them more than two to one", pe.GetRecordA(), pe.GetRecordB(), pe.GetConflict()))
		}
	}
	return notes
}

func pairToProto(a, b string, e *resolver.Explanation) *scvv1.PairExplanation {
	out := &scvv1.PairExplanation{
		RecordA:     a,
		RecordB:     b,
		PriorWeight: e.Prior,
		Comparisons: make([]*scvv1.ComparisonExplanation, len(e.Fields)),
		Weight:      e.Weight,
		Probability: e.Probability,
		Conflict:    e.Conflict,
	}
	for i, f := range e.Fields {
		out.Comparisons[i] = &scvv1.ComparisonExplanation{
			Field:        f.Comparison,
			Level:        f.Level,
			ValueA:       f.A,
			ValueB:       f.B,
			M:            f.M,
			U:            f.U,
			TfAdjustment: f.TFAdjustment,
			Weight:       f.Weight,
		}
	}
	return out
}
