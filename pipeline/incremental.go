package pipeline

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/resolver"
	"github.com/scvhq/scv/store"
)

// maxIncrementalShare is the share of live records above which a sync's
// changes are resolved in full (and the model trained again) rather than
// incrementally.
const maxIncrementalShare = 0.05

// ResolvePending brings the profiles up to date with every change the
// store marks pending: those of this run's syncs, and those an earlier
// run stored but was stopped before it resolved them. It returns nil
// when nothing is pending. When the store has a trained model and a
// block index built with it, and the changes are few, only the profiles
// the changed records touch are resolved again; otherwise every record
// is.
func (p *Pipeline) ResolvePending(ctx context.Context) (*ResolveSummary, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.notify()
	return p.resolvePending(ctx)
}

// resolvePending is ResolvePending with p.mu held.
func (p *Pipeline) resolvePending(ctx context.Context) (*ResolveSummary, error) {
	pending, err := p.db.Pending(ctx)
	if err != nil || len(pending.Keys) == 0 {
		return nil, err
	}
	live, err := p.liveRecords(ctx)
	if err != nil {
		return nil, err
	}
	if float64(len(pending.Keys)) > maxIncrementalShare*float64(live) && len(pending.Keys) > 1000 {
		return p.Resolve(ctx)
	}
	m, err := p.indexedModel(ctx)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return p.Resolve(ctx)
	}
	return p.resolveIncremental(ctx, m, pending)
}

// indexedModel returns the stored model when the block index was built
// with it, or nil; nil too when another resolver version trained it.
func (p *Pipeline) indexedModel(ctx context.Context) (*resolver.Model, error) {
	m, enc, err := p.storedModel(ctx)
	if errors.Is(err, resolver.ErrStaleModel) {
		p.lg.Named("resolve").Info("stored model is from another resolver version: resolving in full to re-index blocks", "error", err)
		return nil, nil
	}
	if errors.Is(err, customer.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	tag, err := p.db.BlockIndexTag(ctx)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(tag, modelTag(enc)) {
		p.lg.Named("resolve").Info("the block index was not built under the stored model: resolving every record and indexing them again")
		return nil, nil
	}
	return m, nil
}

// incremental is one incremental resolution: the changed records, the
// profiles they touch and the records resolved again.
type incremental struct {
	p     *Pipeline
	opts  resolver.Options
	keyer *resolver.Keyer

	blocks        map[string][]uint64         // new block keys of each changed record; nil when gone
	subset        map[string]*customer.Record // the records to resolve again
	touched       []string                    // keys whose profiles are resolved again
	linkedProfile map[string]bool             // profiles a changed record links to
	oversized     int                         // blocks skipped for holding too many records

	prev     map[string]string // previous profile of each record in subset
	profiles map[string]bool   // the previous profiles resolved again
}

// resolveIncremental compares each changed record with the records that
// share one of its blocks, takes the profiles of the records it now links
// to and the profile it belonged to, and resolves the members of those
// profiles again under the stored model, keeping their ids where it can.
func (p *Pipeline) resolveIncremental(ctx context.Context, m *resolver.Model, pending store.Pending) (*ResolveSummary, error) {
	start := time.Now()
	lg := p.lg.Named("resolve")
	opts, err := p.linkOptions(ctx)
	if err != nil {
		return nil, err
	}
	opts.Model = m
	keyer, err := resolver.New(opts).Keyer(m)
	if err != nil {
		return nil, err
	}
	inc := &incremental{
		p: p, opts: opts, keyer: keyer,
		blocks:        make(map[string][]uint64, len(pending.Keys)),
		subset:        make(map[string]*customer.Record),
		linkedProfile: make(map[string]bool),
	}
	for _, key := range pending.Keys {
		if err := inc.addChanged(ctx, key); err != nil {
			return nil, err
		}
	}
	if err := inc.addProfiles(ctx); err != nil {
		return nil, err
	}
	res, err := inc.resolve(ctx)
	if err != nil {
		return nil, err
	}
	if clash, err := inc.freshIDInUse(ctx, res.Assign); err != nil {
		return nil, err
	} else if clash != "" {
		lg.Warn("new profile id already in use: resolving every record", "profile", clash)
		return p.Resolve(ctx)
	}
	assign := res.Assign
	for key := range inc.blocks {
		if inc.subset[key] == nil {
			assign[key] = "" // deleted: out of every profile
		}
	}
	err = p.db.ApplyResolution(ctx, store.Resolution{
		Assign: assign, Blocks: inc.blocks, Resolved: pending.Keys, PendingSeq: pending.Seq,
		Confidence: res.Confidence,
	})
	if err != nil {
		return nil, err
	}
	sum := &ResolveSummary{
		Incremental: true, Records: len(inc.subset), Profiles: res.Profiles, Candidates: res.Candidates,
		Links: res.Links, Refused: res.Refused, Oversized: inc.oversized, Took: time.Since(start),
	}
	lg.Info("incremental resolve finished", "changed", len(pending.Keys), "records", sum.Records,
		"profiles", sum.Profiles, "links", sum.Links, "refused", sum.Refused, "took", sum.Took)
	return sum, nil
}

// addChanged takes in the changed record key: its new block keys, and
// the records of its blocks that it links to under the model, one per
// profile, since one link is enough to resolve a profile again.
func (inc *incremental) addChanged(ctx context.Context, key string) error {
	db := inc.p.db
	rec, err := db.Record(ctx, key)
	if errors.Is(err, customer.ErrNotFound) {
		inc.blocks[key] = nil
		return nil
	}
	if err != nil {
		return err
	}
	keys := inc.keyer.Keys(&rec, nil)
	inc.touched = append(inc.touched, key)
	if rec.Deleted {
		// The store has taken a deleted record out of its profile; the
		// records it linked to find that profile, whose rest may now fall
		// apart.
		inc.blocks[key] = nil
	} else {
		inc.blocks[key] = keys
		inc.subset[key] = &rec
	}
	cands, err := inc.candidates(ctx, key, keys)
	if err != nil {
		return err
	}
	profileOf, err := db.AssignmentsOf(ctx, cands)
	if err != nil {
		return err
	}
	slices.SortStableFunc(cands, func(a, b string) int { return strings.Compare(profileOf[a], profileOf[b]) })
	linked := inc.keyer.Linker(&rec)
	return db.Records(ctx, cands, func(c *customer.Record) error {
		ck := c.Key()
		pid := profileOf[ck]
		if pid != "" && inc.linkedProfile[pid] {
			return nil
		}
		if linked(c) {
			inc.touched = append(inc.touched, ck)
			if pid != "" {
				inc.linkedProfile[pid] = true
			}
		}
		return nil
	})
}

// candidates returns the keys of the records that share a block with the
// record key (whose block keys are blocks), each once, and counts its
// blocks skipped for holding more than the keyer's maximum.
func (inc *incremental) candidates(ctx context.Context, key string, blocks []uint64) ([]string, error) {
	seen := map[string]bool{key: true}
	var out []string
	for _, b := range blocks {
		members, over, err := inc.p.db.BlockMembers(ctx, b, inc.keyer.MaxBlockSize())
		if err != nil {
			return nil, err
		}
		if over {
			inc.oversized++
			continue
		}
		for _, m := range members {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// addProfiles adds every member of the touched records' profiles to the
// subset to resolve again, with its previous profile.
func (inc *incremental) addProfiles(ctx context.Context) error {
	prevOf, err := inc.p.db.AssignmentsOf(ctx, inc.touched)
	if err != nil {
		return err
	}
	inc.prev = make(map[string]string)
	inc.profiles = make(map[string]bool)
	for _, id := range prevOf {
		if inc.profiles[id] {
			continue
		}
		inc.profiles[id] = true
		prof, err := inc.p.db.Profile(ctx, id)
		if errors.Is(err, customer.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		for i := range prof.Members {
			r := &prof.Members[i]
			k := r.Key()
			inc.prev[k] = id
			if _, isChanged := inc.blocks[k]; !isChanged {
				inc.subset[k] = r
			}
		}
	}
	return nil
}

// resolve resolves the subset under the stored model, with the overrides
// whose records are both in it.
func (inc *incremental) resolve(ctx context.Context) (*resolver.Result, error) {
	recs := make([]customer.Record, 0, len(inc.subset))
	for _, r := range inc.subset {
		recs = append(recs, *r)
	}
	slices.SortFunc(recs, func(a, b customer.Record) int { return strings.Compare(a.Key(), b.Key()) })
	opts := inc.opts
	opts.MustLink = within(opts.MustLink, inc.subset)
	opts.CannotLink = within(opts.CannotLink, inc.subset)
	return resolver.New(opts).Resolve(ctx, recs, inc.prev)
}

// freshIDInUse returns a profile id of assign that belongs to a profile
// outside the subset, or "" when there is none.
func (inc *incremental) freshIDInUse(ctx context.Context, assign map[string]string) (string, error) {
	for _, id := range assign {
		if inc.profiles[id] {
			continue
		}
		_, err := inc.p.db.Profile(ctx, id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, customer.ErrNotFound) {
			return "", err
		}
	}
	return "", nil
}

// within keeps the override pairs whose records are both in subset.
func within(pairs [][2]string, subset map[string]*customer.Record) [][2]string {
	var out [][2]string
	for _, pr := range pairs {
		if subset[pr[0]] != nil && subset[pr[1]] != nil {
			out = append(out, pr)
		}
	}
	return out
}
