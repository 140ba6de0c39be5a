package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/resolver"
)

// maxIncrementalShare is the share of live records above which a sync's
// changes are resolved in full (and the model trained again) rather than
// incrementally.
const maxIncrementalShare = 0.05

// resolveChanged brings the profiles up to date after the records with
// the given keys changed (inserted, updated or deleted). When the store
// has a trained model and a block index built with it, and the changes are
// few, only the profiles the changed records touch are resolved again;
// otherwise every record is.
func (p *Pipeline) resolveChanged(ctx context.Context, changed []string) (*ResolveSummary, error) {
	live, err := p.liveRecords(ctx)
	if err != nil {
		return nil, err
	}
	if float64(len(changed)) > maxIncrementalShare*float64(live) && len(changed) > 1000 {
		return p.Resolve(ctx)
	}
	m, err := p.indexedModel(ctx)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return p.Resolve(ctx)
	}
	return p.resolveIncremental(ctx, m, changed)
}

// indexedModel returns the stored model when the block index was built
// with it, or nil; nil too when another resolver version trained it.
func (p *Pipeline) indexedModel(ctx context.Context) (*resolver.Model, error) {
	m, enc, err := p.storedModel(ctx)
	if errors.Is(err, customer.ErrNotFound) {
		return nil, nil
	}
	if errors.Is(err, resolver.ErrStaleModel) {
		p.lg.Named("resolve").Info("stored model is from another resolver version: resolving in full to re-index blocks", "error", err)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	indexed, err := p.db.Meta(ctx, blocksKey)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(enc)
	if !bytes.Equal(indexed, sum[:]) {
		return nil, nil
	}
	return m, nil
}

// resolveIncremental compares each changed record with the records that
// share one of its blocks, takes the profiles of the records it now links
// to and the profile it belonged to, and resolves the members of those
// profiles again under the stored model, keeping their ids where it can.
func (p *Pipeline) resolveIncremental(ctx context.Context, m *resolver.Model, changed []string) (*ResolveSummary, error) {
	start := time.Now()
	lg := p.lg.Named("resolve")
	opts := p.resolverOptions()
	opts.Model = m
	keyer, err := resolver.New(opts).Keyer(m)
	if err != nil {
		return nil, err
	}

	blocks := make(map[string][]uint64, len(changed))
	subset := make(map[string]*customer.Record) // the records to resolve again
	var touched []string                        // keys whose profiles are resolved again
	linkedProfile := make(map[string]bool)      // profiles a changed record links to
	var oversized int
	for _, key := range changed {
		rec, err := p.db.Record(ctx, key)
		if errors.Is(err, customer.ErrNotFound) {
			blocks[key] = nil
			continue
		}
		if err != nil {
			return nil, err
		}
		keys := keyer.Keys(&rec, nil)
		touched = append(touched, key)
		if rec.Deleted {
			// The store has taken a deleted record out of its profile;
			// the records it linked to find that profile, whose rest
			// may now fall apart.
			blocks[key] = nil
		} else {
			blocks[key] = keys
			subset[key] = &rec
		}
		cands, over, err := p.candidates(ctx, key, keys, keyer.MaxBlockSize())
		if err != nil {
			return nil, err
		}
		oversized += over
		// Compare with the candidates profile by profile: one link is
		// enough to resolve a profile again.
		profileOf, err := p.db.AssignmentsOf(ctx, cands)
		if err != nil {
			return nil, err
		}
		slices.SortStableFunc(cands, func(a, b string) int { return strings.Compare(profileOf[a], profileOf[b]) })
		linked := keyer.Linker(&rec)
		err = p.db.Records(ctx, cands, func(c *customer.Record) error {
			ck := c.Key()
			pid := profileOf[ck]
			if pid != "" && linkedProfile[pid] {
				return nil
			}
			if linked(c) {
				touched = append(touched, ck)
				if pid != "" {
					linkedProfile[pid] = true
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}

	prevOf, err := p.db.AssignmentsOf(ctx, touched)
	if err != nil {
		return nil, err
	}
	prev := make(map[string]string)
	profiles := make(map[string]bool)
	for _, id := range prevOf {
		if profiles[id] {
			continue
		}
		profiles[id] = true
		prof, err := p.db.Profile(ctx, id)
		if errors.Is(err, customer.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for i := range prof.Members {
			r := &prof.Members[i]
			k := r.Key()
			prev[k] = id
			if _, isChanged := blocks[k]; !isChanged {
				subset[k] = r
			}
		}
	}
	recs := make([]customer.Record, 0, len(subset))
	for _, r := range subset {
		recs = append(recs, *r)
	}
	slices.SortFunc(recs, func(a, b customer.Record) int { return strings.Compare(a.Key(), b.Key()) })
	opts.MustLink = within(opts.MustLink, subset)
	opts.CannotLink = within(opts.CannotLink, subset)
	res, err := resolver.New(opts).Resolve(ctx, recs, prev)
	if err != nil {
		return nil, err
	}

	// A fresh id must not belong to a profile outside the subset.
	for _, id := range res.Assign {
		if profiles[id] {
			continue
		}
		if _, err := p.db.Profile(ctx, id); err == nil {
			lg.Warn("new profile id already in use: resolving every record", "profile", id)
			return p.Resolve(ctx)
		} else if !errors.Is(err, customer.ErrNotFound) {
			return nil, err
		}
	}
	assign := res.Assign
	for _, key := range changed {
		if subset[key] == nil {
			assign[key] = "" // deleted: out of every profile
		}
	}
	if err := p.db.UpdateProfiles(ctx, assign, blocks); err != nil {
		return nil, err
	}
	sum := &ResolveSummary{
		Incremental: true, Records: len(recs), Profiles: res.Profiles, Candidates: res.Candidates,
		Links: res.Links, Refused: res.Refused, Oversized: oversized, Took: time.Since(start),
	}
	lg.Info("incremental resolve finished", "changed", len(changed), "records", sum.Records,
		"profiles", sum.Profiles, "links", sum.Links, "refused", sum.Refused, "took", sum.Took)
	return sum, nil
}

// candidates returns the keys of the records that share a block with the
// record key (whose block keys are blocks), each once, and the number of
// its blocks skipped for holding more than maxBlock records.
func (p *Pipeline) candidates(ctx context.Context, key string, blocks []uint64, maxBlock int) ([]string, int, error) {
	seen := map[string]bool{key: true}
	var out []string
	oversized := 0
	for _, b := range blocks {
		members, over, err := p.db.BlockMembers(ctx, b, maxBlock)
		if err != nil {
			return nil, 0, err
		}
		if over {
			oversized++
			continue
		}
		for _, m := range members {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out, oversized, nil
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
