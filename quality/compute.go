package quality

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
	"github.com/scvhq/scv/store"
)

// Store is what Compute reads; store/bolt's *DB satisfies it.
type Store interface {
	// ForEachRecord calls fn for every live record, sorted by key; the
	// record is valid only during the call.
	ForEachRecord(ctx context.Context, fn func(*customer.Record) error) error
	// ForEachQuarantined calls fn for every quarantined row of source, or
	// of every source when source is "".
	ForEachQuarantined(ctx context.Context, source string, fn func(store.Quarantined) error) error
	// Assignments returns the profile id of every assigned record key.
	Assignments(ctx context.Context) (map[string]string, error)
	// Sources returns the record counts of every stored source.
	Sources(ctx context.Context) (map[string]store.SourceStats, error)
	// ForEachGolden calls fn for every stored golden profile.
	ForEachGolden(ctx context.Context, fn func(*golden.Profile) error) error
	// SyncRuns returns every source's sync history, by source and time.
	SyncRuns(ctx context.Context) ([]store.SyncRun, error)
}

// Compute reads every live record, quarantined row, profile assignment
// and golden profile of st once and returns the data-quality report. The
// counts are exact.
func Compute(ctx context.Context, st Store, opts Options) (*Report, error) {
	assign, err := st.Assignments(ctx)
	if err != nil {
		return nil, fmt.Errorf("quality: read profile assignments: %w", err)
	}
	stats, err := st.Sources(ctx)
	if err != nil {
		return nil, fmt.Errorf("quality: read source counts: %w", err)
	}
	a := newAudit(opts, assign, stats)
	if err := st.ForEachGolden(ctx, func(g *golden.Profile) error {
		a.pa.addGolden(g)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("quality: read golden profiles: %w", err)
	}
	n := 0
	err = st.ForEachRecord(ctx, func(r *customer.Record) error {
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		a.add(r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("quality: read records: %w", err)
	}
	err = st.ForEachQuarantined(ctx, "", func(q store.Quarantined) error {
		a.t.AddQuarantined(q.Source, q.Row, q.Field, q.Raw, q.Reason)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("quality: read quarantine: %w", err)
	}
	runs, err := st.SyncRuns(ctx)
	if err != nil {
		return nil, fmt.Errorf("quality: read sync history: %w", err)
	}
	rep := a.report()
	for i := range rep.Sources {
		sr := &rep.Sources[i]
		for _, run := range runs {
			if run.Source == sr.Name {
				sr.History = append(sr.History, SyncPoint{At: run.At, Read: run.Read, Invalid: run.Invalid,
					Quarantined: run.Quarantined, Score: run.Score})
			}
		}
		if n := len(sr.History); n > 0 {
			sr.LastSync = sr.History[n-1].At
		}
	}
	return rep, nil
}

// audit is one Compute: a Tally and the profile statistics fed by the
// same stream of records.
type audit struct {
	t     *Tally
	pa    *profileStats
	stats map[string]store.SourceStats
}

func newAudit(opts Options, assign map[string]string, stats map[string]store.SourceStats) *audit {
	t := NewTally(opts)
	names := make([]string, 0, len(stats))
	for name := range stats {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		t.source(name, nil)
	}
	return &audit{t: t, pa: newProfileStats(assign, t), stats: stats}
}

func (a *audit) add(r *customer.Record) {
	a.t.Add(r)
	a.pa.add(r)
}

func (a *audit) report() *Report {
	a.pa.finish()
	rep := a.t.report(a.pa)
	for i := range rep.Sources {
		rep.Sources[i].Deleted = a.stats[rep.Sources[i].Name].Deleted
	}
	return rep
}

// profileStats aggregates what needs the resolver's profiles: per-source
// distinct profiles (uniqueness), the overlap of sources, reach by
// channel from the golden profiles and agreement with each profile's
// golden values.
type profileStats struct {
	t        *Tally
	byKey    map[string]int32 // record key -> profile index
	ids      map[string]int32 // profile id -> profile index
	size     []int32          // assigned members per profile index
	profiles int

	srcIndex map[string]int
	srcNames []string
	lastSrc  int
	keyBuf   []byte

	pairs []uint64 // profile<<16 | source, one per record
	reach Reach
	// primary holds, per profile index of a profile with several members,
	// the FNV-1a hash of each field's golden primary value (its folded
	// key); 0 where no value survived.
	primary map[int32]*goldenRef

	perSource []sourceProfiles
	overlap   map[[2]int]int
}

type sourceProfiles struct {
	profiles int
	agree    [customer.NumFields]int
	compared [customer.NumFields]int
	disagree [customer.NumFields][]Sample // samples of values that disagree
}

// goldenRef is what consistency needs of a golden profile: per field the
// hash of the primary value's folded key (0 where the field is not
// contested), the value and the record it came from.
type goldenRef struct {
	hash  [customer.NumFields]uint64
	value [customer.NumFields]string
	from  [customer.NumFields]string
}

func newProfileStats(assign map[string]string, t *Tally) *profileStats {
	pa := &profileStats{
		t:        t,
		byKey:    make(map[string]int32, len(assign)),
		ids:      make(map[string]int32),
		srcIndex: make(map[string]int),
		lastSrc:  -1,
		overlap:  make(map[[2]int]int),
		primary:  make(map[int32]*goldenRef),
	}
	for key, id := range assign {
		if id == "" {
			continue
		}
		idx, ok := pa.ids[id]
		if !ok {
			idx = int32(len(pa.size))
			pa.ids[id] = idx
			pa.size = append(pa.size, 0)
		}
		pa.size[idx]++
		pa.byKey[key] = idx
	}
	pa.pairs = make([]uint64, 0, len(assign))
	return pa
}

// addGolden counts g's reach per channel and keeps, for a profile of
// several members, the hash of each field's primary golden value.
func (pa *profileStats) addGolden(g *golden.Profile) {
	pa.reach.Profiles++
	for _, ch := range golden.Channels() {
		cr := pa.reach.channel(ch)
		r := g.Reach[ch]
		if r.Reachable {
			cr.Reachable++
		}
		switch {
		case g.Suppressed:
			cr.Suppressed++
			continue
		case !golden.HasContact(g, ch):
			cr.NoValue++
			continue
		}
		cr.WithValue++
		switch g.Consent[ch].Status {
		case customer.ConsentGranted:
			cr.Consented++
		case customer.ConsentDenied:
			cr.Denied++
		default:
			cr.Unknown++
		}
	}
	idx, ok := pa.ids[g.ID]
	if !ok || pa.size[idx] < 2 {
		return
	}
	h := new(goldenRef)
	for f := range g.Fields {
		if len(g.Fields[f]) > 0 && contested(g, customer.Field(f)) {
			v := g.Fields[f][0]
			h.hash[f] = sum64(v.Key)
			// Clones, so that the decoded profile is not kept whole.
			h.value[f] = strings.Clone(v.Value)
			if len(v.From) > 0 {
				h.from[f] = strings.Clone(v.From[0].Record)
			}
		}
	}
	pa.primary[idx] = h
}

// contested reports whether at least two members of g hold a valid value
// of f: only then is a member's value compared with the golden one.
func contested(g *golden.Profile, f customer.Field) bool {
	var first string
	seen := func(os []golden.Origin) bool {
		for _, o := range os {
			switch {
			case first == "":
				first = o.Record
			case o.Record != first:
				return true
			}
		}
		return false
	}
	for _, v := range g.Fields[f] {
		if seen(v.From) {
			return true
		}
	}
	for _, b := range g.Beat[f] {
		if b.Rule != golden.RuleValid && seen(b.From) {
			return true
		}
	}
	return false
}

func (pa *profileStats) sourceIdx(name string) int {
	if pa.lastSrc >= 0 && pa.srcNames[pa.lastSrc] == name {
		return pa.lastSrc
	}
	i, ok := pa.srcIndex[name]
	if !ok {
		i = len(pa.srcNames)
		pa.srcNames = append(pa.srcNames, name)
		pa.srcIndex[name] = i
		pa.perSource = append(pa.perSource, sourceProfiles{})
	}
	pa.lastSrc = i
	return i
}

// add counts r's profile for uniqueness and overlap, and compares each
// of its usable values with the golden primary value of its field: a
// field is compared when another member of r's profile also has a valid
// value of it, and agrees when one of r's values folds like the golden
// primary value.
func (pa *profileStats) add(r *customer.Record) {
	src := pa.sourceIdx(r.Source)
	pa.keyBuf = append(append(append(pa.keyBuf[:0], r.Source...), '/'), r.ID...)
	p, ok := pa.byKey[string(pa.keyBuf)]
	if !ok {
		// An unassigned record is a profile of its own.
		p = int32(len(pa.size))
		pa.size = append(pa.size, 1)
	}
	pa.pairs = append(pa.pairs, uint64(p)<<16|uint64(src))
	h := pa.primary[p]
	if h == nil {
		return
	}
	ps := &pa.perSource[src]
	for f := customer.Field(0); f < customer.NumFields; f++ {
		if h.hash[f] == 0 {
			continue
		}
		compared, agrees := false, false
		var first customer.Value
		r.Each(f, func(v customer.Value) bool {
			if v.Usable() {
				if !compared {
					first = v
				}
				compared = true
				agrees = agrees || sum64(golden.FoldKey(f, v.Norm)) == h.hash[f]
			}
			return !agrees
		})
		if !compared {
			continue
		}
		ps.compared[f]++
		if agrees {
			ps.agree[f]++
		} else if len(ps.disagree[f]) < pa.t.opts.Samples {
			sm := sample(r, f.String(), first)
			sm.Reason = fmt.Sprintf("golden value %q from %s", h.value[f], h.from[f])
			ps.disagree[f] = append(ps.disagree[f], sm)
		}
	}
}

// sum64 is the 64-bit FNV-1a hash of s with its low bit set, so that it
// is never 0, which means "no golden value".
func sum64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s)) // never fails; the conversion does not copy
	return h.Sum64() | 1
}

// finish turns the gathered pairs into counts.
func (pa *profileStats) finish() {
	slices.Sort(pa.pairs)
	pa.pairs = slices.Compact(pa.pairs)
	var group []int
	flush := func() {
		for i, a := range group {
			for _, b := range group[i+1:] {
				pa.overlap[[2]int{min(a, b), max(a, b)}]++
			}
		}
		group = group[:0]
	}
	prev := int64(-1)
	for _, pr := range pa.pairs {
		p, src := int64(pr>>16), int(pr&0xffff)
		if p != prev {
			flush()
			prev = p
			pa.profiles++
		}
		pa.perSource[src].profiles++
		group = append(group, src)
	}
	flush()
}

// source returns the profile counts of the source named name.
func (pa *profileStats) source(name string) sourceProfiles {
	if i, ok := pa.srcIndex[name]; ok {
		return pa.perSource[i]
	}
	return sourceProfiles{}
}

// overlapFor lists the profiles shared by every pair of the sources, in
// report order.
func (pa *profileStats) overlapFor(sources []SourceReport) []Overlap {
	out := []Overlap{}
	for i, a := range sources {
		for _, b := range sources[i+1:] {
			ia, oka := pa.srcIndex[a.Name]
			ib, okb := pa.srcIndex[b.Name]
			n := 0
			if oka && okb {
				n = pa.overlap[[2]int{min(ia, ib), max(ia, ib)}]
			}
			out = append(out, Overlap{A: a.Name, B: b.Name, Profiles: n})
		}
	}
	return out
}
