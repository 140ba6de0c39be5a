package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/resolver"
	"github.com/scvhq/scv/store"
)

// ResolveSummary is what a resolution did.
type ResolveSummary struct {
	Incremental bool // only the profiles that changed records touch were resolved again
	Records     int  // records resolved
	Profiles    int
	Candidates  int // record pairs compared
	Links       int // pairs at or above the match threshold
	Refused     int // merges refused because members conflict
	Oversized   int // blocks skipped for holding too many records
	Took        time.Duration
}

// Resolve re-resolves every live stored record into profiles, keeping
// profile ids from the previous assignment, and stores the assignment
// with the trained model in one transaction, covering every change that
// was pending when it started; then it rebuilds the block index under the
// model.
func (p *Pipeline) Resolve(ctx context.Context) (*ResolveSummary, error) {
	start := time.Now()
	lg := p.lg.Named("resolve")
	pending, err := p.db.Pending(ctx)
	if err != nil {
		return nil, err
	}
	recs, err := p.loadRecords(ctx)
	if err != nil {
		return nil, err
	}
	prev, err := p.db.Assignments(ctx)
	if err != nil {
		return nil, err
	}
	opts, err := p.linkOptions(ctx)
	if err != nil {
		return nil, err
	}
	res, err := resolver.New(opts).Resolve(ctx, recs, prev)
	if err != nil {
		return nil, err
	}
	p.progress(Progress{Stage: "resolve: storing profiles"})
	var enc []byte
	if res.Model != nil {
		if enc, err = res.Model.MarshalBinary(); err != nil {
			return nil, fmt.Errorf("encode the trained model: %w", err)
		}
	}
	// A nil model (too few records to train on) removes the stored one,
	// so the next sync resolves in full.
	// The store rebuilds the golden profiles whose members changed; a
	// change of the survivorship settings since the last full resolution
	// rebuilds every one, so that it reaches profiles whose members stayed.
	rules := goldenTag(p.cfg)
	stored, err := p.db.Meta(ctx, goldenKey)
	if err != nil {
		return nil, err
	}
	err = p.db.ApplyResolution(ctx, store.Resolution{
		Assign: res.Assign, Full: true, Meta: map[string][]byte{modelKey: enc, goldenKey: rules}, PendingSeq: pending.Seq,
		Confidence: res.Confidence, RebuildAll: !bytes.Equal(stored, rules),
	})
	if err != nil {
		return nil, err
	}
	if res.Model != nil {
		p.progress(Progress{Stage: "resolve: indexing blocks"})
		if err := p.indexBlocks(ctx, res.Model, enc, recs); err != nil {
			return nil, err
		}
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

// loadRecords reads the matching view of every live record.
func (p *Pipeline) loadRecords(ctx context.Context) ([]customer.Record, error) {
	// Size the slice from the store's counters: growing it by appending
	// would copy every record several times and, at a million records,
	// hold gigabytes of dead copies at the peak.
	live, err := p.liveRecords(ctx)
	if err != nil {
		return nil, err
	}
	recs := make([]customer.Record, 0, live)
	err = p.db.ForEachRecord(ctx, func(r *customer.Record) error {
		recs = append(recs, matchingView(r))
		if len(recs)%50000 == 0 {
			p.progress(Progress{Stage: "resolve: loading", Done: len(recs)})
		}
		return nil
	})
	return recs, err
}

// modelKey is the meta key of the trained model. The block index is
// tagged with the model's hash (modelTag) and serves incremental
// resolution only while the two agree.
const modelKey = "resolver/model"

// modelTag returns the block index tag of a model's encoding.
func modelTag(enc []byte) []byte {
	sum := sha256.Sum256(enc)
	return sum[:]
}

// indexBlocks rebuilds the block index of recs under the model m, whose
// encoding is enc.
func (p *Pipeline) indexBlocks(ctx context.Context, m *resolver.Model, enc []byte, recs []customer.Record) error {
	keyer, err := resolver.New(p.resolverOptions()).Keyer(m)
	if err != nil {
		return err
	}
	blocks := make(map[string][]uint64, len(recs))
	for i := range recs {
		blocks[recs[i].Key()] = keyer.Keys(&recs[i], nil)
	}
	return p.db.ReplaceBlocks(ctx, modelTag(enc), blocks)
}

// Model returns the model trained by the last resolution, or
// customer.ErrNotFound when the store has never been resolved.
func (p *Pipeline) Model(ctx context.Context) (*resolver.Model, error) {
	m, _, err := p.storedModel(ctx)
	return m, err
}

// storedModel returns the stored model and its encoding.
func (p *Pipeline) storedModel(ctx context.Context) (*resolver.Model, []byte, error) {
	b, err := p.db.Meta(ctx, modelKey)
	if err != nil {
		return nil, nil, err
	}
	if b == nil {
		return nil, nil, fmt.Errorf("trained model: %w (run scv resolve first)", customer.ErrNotFound)
	}
	m := new(resolver.Model)
	if err := m.UnmarshalBinary(b); errors.Is(err, resolver.ErrStaleModel) {
		// A model of another resolver version is as good as none: the
		// next resolution trains a new one.
		return nil, nil, fmt.Errorf("trained model: %w: %w (run scv resolve)", customer.ErrNotFound, err)
	} else if err != nil {
		return nil, nil, fmt.Errorf("decode the stored model: %w", err)
	}
	return m, b, nil
}

// liveRecords returns the number of live records, from the store's
// counters.
func (p *Pipeline) liveRecords(ctx context.Context) (int, error) {
	stats, err := p.db.Sources(ctx)
	if err != nil {
		return 0, err
	}
	live := 0
	for _, st := range stats {
		live += st.Records
	}
	return live, nil
}

// linkOptions returns resolverOptions with the stored overrides added to
// the configuration's must_link and cannot_link. A stored override of a
// pair that the configuration lists with the other kind is left out: the
// file is the operator's last word, and the resolver lets a must-link win
// over a cannot-link.
func (p *Pipeline) linkOptions(ctx context.Context) (resolver.Options, error) {
	opts := p.resolverOptions()
	stored, err := p.db.Overrides(ctx)
	if err != nil || len(stored) == 0 {
		return opts, err
	}
	inConfig := func(pairs [][2]string, a, b string) bool {
		return slices.ContainsFunc(pairs, func(pr [2]string) bool {
			return pr == [2]string{a, b} || pr == [2]string{b, a}
		})
	}
	opts.MustLink = slices.Clip(opts.MustLink)
	opts.CannotLink = slices.Clip(opts.CannotLink)
	skipped := 0
	for _, o := range stored {
		switch {
		case o.Kind == store.MustLink && !inConfig(p.cfg.Resolver.CannotLink, o.A, o.B):
			opts.MustLink = append(opts.MustLink, [2]string{o.A, o.B})
		case o.Kind == store.CannotLink && !inConfig(p.cfg.Resolver.MustLink, o.A, o.B):
			opts.CannotLink = append(opts.CannotLink, [2]string{o.A, o.B})
		default:
			skipped++
		}
	}
	if skipped > 0 {
		p.lg.Named("resolve").Warn("stored overrides contradict the configuration and are ignored", "overrides", skipped)
	}
	return opts, nil
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
		Stage:        func(s string) { p.progress(Progress{Stage: "resolve: " + s}) },
	}
}

// matchingView returns what of r the resolver reads: its key, the normal
// form and status of each value, and its identifiers. Dropping raw values,
// reasons, consent and attributes lets a full resolution of a million
// records hold a good deal less memory.
func matchingView(r *customer.Record) customer.Record {
	v := customer.Record{Source: r.Source, ID: r.ID, Identifiers: r.Identifiers}
	for f := range r.Fields {
		v.Fields[f] = customer.Value{Norm: r.Fields[f].Norm, Status: r.Fields[f].Status}
	}
	if len(r.Extra) > 0 {
		v.Extra = make([]customer.Extra, len(r.Extra))
		for i, e := range r.Extra {
			v.Extra[i] = customer.Extra{Field: e.Field, Value: customer.Value{Norm: e.Value.Norm, Status: e.Value.Status}}
		}
	}
	return v
}
