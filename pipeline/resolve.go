package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/resolver"
)

// ResolveSummary is what a resolution did.
type ResolveSummary struct {
	Records    int
	Profiles   int
	Candidates int // record pairs compared
	Links      int // pairs at or above the match threshold
	Refused    int // merges refused because members conflict
	Oversized  int // blocks skipped for holding too many records
	Took       time.Duration
}

// Resolve re-resolves every live stored record into profiles, keeping
// profile ids from the previous assignment, and stores the assignment.
func (p *Pipeline) Resolve(ctx context.Context) (*ResolveSummary, error) {
	start := time.Now()
	lg := p.lg.Named("resolve")
	// Size the slice from the store's counters: growing it by appending
	// would copy every record several times and, at a million records,
	// hold gigabytes of dead copies at the peak.
	stats, err := p.db.Sources(ctx)
	if err != nil {
		return nil, err
	}
	live := 0
	for _, st := range stats {
		live += st.Records
	}
	recs := make([]customer.Record, 0, live)
	err = p.db.ForEachRecord(ctx, func(r *customer.Record) error {
		recs = append(recs, *r)
		if len(recs)%50000 == 0 {
			p.progress(Progress{Stage: "resolve", Done: len(recs)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	prev, err := p.db.Assignments(ctx)
	if err != nil {
		return nil, err
	}
	res, err := resolver.New(p.resolverOptions()).Resolve(ctx, recs, prev)
	if err != nil {
		return nil, err
	}
	if err := p.db.SetAssignments(ctx, res.Assign, true); err != nil {
		return nil, err
	}
	model, err := res.Model.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("encode the trained model: %w", err)
	}
	if err := p.db.PutMeta(ctx, modelKey, model); err != nil {
		return nil, err
	}
	for _, b := range res.Oversized {
		lg.Warn("oversized block skipped", "rule", b.Rule, "key", b.Key, "records", b.Records)
	}
	sum := &ResolveSummary{
		Records: len(recs), Profiles: res.Profiles, Candidates: res.Candidates, Links: res.Links,
		Refused: res.Refused, Oversized: len(res.Oversized), Took: time.Since(start),
	}
	lg.Info("resolve finished", "records", sum.Records, "profiles", sum.Profiles, "candidates", sum.Candidates,
		"links", sum.Links, "refused", sum.Refused, "oversized_blocks", sum.Oversized, "took", sum.Took)
	return sum, nil
}

// modelKey is the meta key of the trained resolver model.
const modelKey = "resolver/model"

// Model returns the model trained by the last resolution, or
// customer.ErrNotFound when the store has never been resolved.
func (p *Pipeline) Model(ctx context.Context) (*resolver.Model, error) {
	b, err := p.db.Meta(ctx, modelKey)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, fmt.Errorf("trained model: %w (run scv resolve first)", customer.ErrNotFound)
	}
	m := new(resolver.Model)
	if err := m.UnmarshalBinary(b); err != nil {
		return nil, fmt.Errorf("decode the stored model: %w", err)
	}
	return m, nil
}

func (p *Pipeline) resolverOptions() resolver.Options {
	rc := p.cfg.Resolver
	return resolver.Options{
		Logger:       p.lg.Named("resolver"),
		Threshold:    rc.MatchThreshold,
		MustLink:     rc.MustLink,
		CannotLink:   rc.CannotLink,
		Blocking:     rc.Blocking,
		MaxBlockSize: rc.MaxBlockSize,
	}
}
