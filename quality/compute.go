package quality

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/scvhq/scv/customer"
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
}

// Compute reads every live record, quarantined row and profile assignment
// of st once and returns the data-quality report. The counts are exact.
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
	return a.report(), nil
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
// channel and agreement with each profile's consensus value.
type profileStats struct {
	t        *Tally
	byKey    map[string]int32 // record key -> profile index
	size     []int32          // assigned members per profile index
	profiles int

	srcIndex map[string]int
	srcNames []string
	lastSrc  int
	keyBuf   []byte

	pairs   []uint64 // profile<<16 | source, one per record
	reach   Reach
	contact []contact // per profile index

	members []member
	values  []value

	perSource []sourceProfiles
	overlap   map[[2]int]int
}

type sourceProfiles struct {
	profiles int
	agree    [customer.NumFields]int
	compared [customer.NumFields]int
}

// contact is what a profile offers marketing, gathered over its members.
type contact struct {
	email, phone, post bool
	consent            [3]customer.Consent // email, phone, post: the latest answer
}

var channels = [3]string{"email", "phone", "post"}

// member is a record of a profile with several members, for consensus.
type member struct {
	src     int
	trust   float64
	updated int64
}

// value is one usable value of a member: the FNV-1a hash of its normal
// form stands for it.
type value struct {
	profile int32
	field   customer.Field
	member  int32
	hash    uint64
}

func newProfileStats(assign map[string]string, t *Tally) *profileStats {
	pa := &profileStats{
		t:        t,
		byKey:    make(map[string]int32, len(assign)),
		srcIndex: make(map[string]int),
		lastSrc:  -1,
		overlap:  make(map[[2]int]int),
	}
	ids := make(map[string]int32)
	for key, id := range assign {
		if id == "" {
			continue
		}
		idx, ok := ids[id]
		if !ok {
			idx = int32(len(pa.size))
			ids[id] = idx
			pa.size = append(pa.size, 0)
		}
		pa.size[idx]++
		pa.byKey[key] = idx
	}
	pa.contact = make([]contact, len(pa.size))
	// Size the gathering slices for the assignment: one pair per record,
	// and about eight usable values per record of a shared profile.
	shared := 0
	for _, n := range pa.size {
		if n > 1 {
			shared += int(n)
		}
	}
	pa.pairs = make([]uint64, 0, len(assign))
	pa.members = make([]member, 0, shared)
	pa.values = make([]value, 0, 8*shared)
	return pa
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

func (pa *profileStats) add(r *customer.Record) {
	src := pa.sourceIdx(r.Source)
	pa.keyBuf = append(append(append(pa.keyBuf[:0], r.Source...), '/'), r.ID...)
	p, ok := pa.byKey[string(pa.keyBuf)]
	if !ok {
		// An unassigned record is a profile of its own.
		p = int32(len(pa.size))
		pa.size = append(pa.size, 1)
		pa.contact = append(pa.contact, contact{})
	}
	pa.pairs = append(pa.pairs, uint64(p)<<16|uint64(src))

	c := &pa.contact[p]
	c.email = c.email || usable(r, customer.Email)
	c.phone = c.phone || usable(r, customer.Phone)
	c.post = c.post || r.Fields[customer.AddressLine1].Usable() &&
		(r.Fields[customer.Locality].Usable() || r.Fields[customer.PostalCode].Usable())
	for i, ch := range channels {
		if cs, ok := r.Consent[ch]; ok && cs.Supersedes(c.consent[i]) {
			c.consent[i] = cs
		}
	}

	if pa.size[p] < 2 {
		return
	}
	m := int32(len(pa.members))
	mb := member{src: src}
	if s := pa.t.byName[r.Source]; s != nil {
		mb.trust = s.cfg.Trust
	}
	if !r.UpdatedAt.IsZero() {
		mb.updated = r.UpdatedAt.UnixNano()
	}
	pa.members = append(pa.members, mb)
	for f := customer.Field(0); f < customer.NumFields; f++ {
		r.Each(f, func(v customer.Value) bool {
			if v.Usable() {
				pa.values = append(pa.values, value{profile: p, field: f, member: m, hash: sum64(v.Norm)})
			}
			return true
		})
	}
}

// usable reports whether any value of f in r is usable.
func usable(r *customer.Record, f customer.Field) bool {
	ok := false
	r.Each(f, func(v customer.Value) bool {
		ok = v.Usable()
		return !ok
	})
	return ok
}

// sum64 is the 64-bit FNV-1a hash of s.
func sum64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s)) // never fails; the conversion does not copy
	return h.Sum64()
}

// finish turns the gathered pairs, contacts and values into counts.
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

	for i := range pa.contact {
		c := &pa.contact[i]
		for ch, ok := range [3]bool{c.email, c.phone, c.post} {
			if !ok {
				continue
			}
			cr := [3]*ChannelReach{&pa.reach.Email, &pa.reach.Phone, &pa.reach.Post}[ch]
			cr.Reachable++
			switch c.consent[ch].Status {
			case customer.ConsentGranted:
				cr.Consented++
			case customer.ConsentDenied:
				cr.Denied++
			default:
				cr.Unknown++
			}
		}
	}
	pa.consensus()
}

// consensus finds, for every profile and field with usable values from at
// least two members, the consensus value: the value most members hold,
// ties broken by the highest source trust, then the latest update, then
// the value's hash. Each member with a usable value is compared and
// agrees when one of its values is the consensus.
func (pa *profileStats) consensus() {
	vs := pa.values
	slices.SortFunc(vs, func(a, b value) int {
		if c := cmp.Compare(a.profile, b.profile); c != 0 {
			return c
		}
		if c := cmp.Compare(a.field, b.field); c != 0 {
			return c
		}
		if c := cmp.Compare(a.hash, b.hash); c != 0 {
			return c
		}
		return cmp.Compare(a.member, b.member)
	})
	// Groups are numbered from 1; seen[m] is the number of the last group
	// that met member m (negated once m is counted) and agrees[m] that of
	// the last group whose consensus m holds.
	seen := make([]int, len(pa.members))
	agrees := make([]int, len(pa.members))
	gnum := 0
	for start := 0; start < len(vs); {
		end := start + 1
		for end < len(vs) && vs[end].profile == vs[start].profile && vs[end].field == vs[start].field {
			end++
		}
		gnum++
		pa.consensusGroup(vs[start:end], gnum, seen, agrees)
		start = end
	}
}

func (pa *profileStats) consensusGroup(g []value, gnum int, seen, agrees []int) {
	distinct := 0
	for _, v := range g {
		if seen[v.member] != gnum {
			seen[v.member] = gnum
			distinct++
		}
	}
	if distinct < 2 {
		return
	}
	type cand struct {
		start, end int
		count      int
		trust      float64
		updated    int64
	}
	var best cand
	for s := 0; s < len(g); {
		c := cand{start: s, trust: -1, updated: -1 << 63}
		e := s
		for ; e < len(g) && g[e].hash == g[s].hash; e++ {
			if e == s || g[e].member != g[e-1].member {
				c.count++
			}
			m := pa.members[g[e].member]
			c.trust = max(c.trust, m.trust)
			c.updated = max(c.updated, m.updated)
		}
		c.end = e
		if s == 0 || c.count > best.count ||
			c.count == best.count && (c.trust > best.trust || c.trust == best.trust && c.updated > best.updated) {
			best = c
		}
		s = e
	}
	for _, v := range g[best.start:best.end] {
		agrees[v.member] = gnum
	}
	f := g[0].field
	for _, v := range g {
		if seen[v.member] != gnum {
			continue
		}
		seen[v.member] = -gnum // count each member once
		ps := &pa.perSource[pa.members[v.member].src]
		ps.compared[f]++
		if agrees[v.member] == gnum {
			ps.agree[f]++
		}
	}
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
