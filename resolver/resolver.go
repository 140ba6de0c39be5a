// Package resolver decides which customer records belong to the same
// person and gives each person a stable profile id.
//
// It follows Fellegi and Sunter: blocking rules pick candidate pairs, each
// pair is compared field by field into comparison levels, each level
// weighs log2(m/u) with u estimated from random pairs and m trained by
// expectation–maximisation on the candidates (no labels needed), exact
// agreement on a value is adjusted by how common the value is, and pairs
// whose posterior match probability reaches the threshold are linked.
// Every estimate is blended with a default (per-level m and u, a prior of
// 1/N, a default share per value) by pseudo-counts, so that a handful of
// records gets a sensible model and many records get their own.
// Links join records into clusters strongest first. A merge is refused
// when it would put a cannot-link pair into one cluster, or conflicting
// records (different strong identifiers, dates of birth or given names,
// with a low match probability; members of one household, see
// scorer.conflictField) unless the linking pairs between the two
// clusters outnumber the conflicting ones more than two to one; so chains
// through a shared household address, phone or email do not merge people.
package resolver

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/hashicorp/go-hclog"
	"golang.org/x/sync/errgroup"

	"github.com/scvhq/scv/customer"
)

// Options configure a Resolver. The zero value works.
type Options struct {
	Logger hclog.Logger // nil means hclog.NewNullLogger()
	// Threshold is the posterior match probability that links two
	// records; 0 means 0.9. Of 0.5, 0.8, 0.9, 0.95 and 0.99, 0.9 gives
	// the best worst-case pairwise F1 over the Febrl sets (with and
	// without their id) and scv gen data, whose calibration differs
	// (scv eval --calibration): Febrl's pairs scored 0.5-0.9 are mostly
	// true, scv gen's pairs scored 0.9-0.99 only half, so a lower
	// threshold gains on one what it loses on the other.
	Threshold    float64
	MustLink     [][2]string // record-key pairs always in one profile
	CannotLink   [][2]string // record-key pairs never in one profile
	Blocking     []string    // blocking rules (see BlockingRules); nil means every rule whose fields the records carry
	MaxBlockSize int         // records per block above which the block is skipped and reported; 0 means 500
	// Stage, when set, is called as resolution enters each of its steps
	// ("preparing", "estimating u", "blocking", "training", "scoring",
	// "clustering"), so that a long run can show where it is.
	Stage func(stage string)
	// Model is a trained model to use instead of training one on the
	// records; nil means train.
	Model *Model
}

// Resolver clusters records into profiles.
type Resolver struct {
	opts Options
}

// New returns a Resolver with opts.
func New(opts Options) *Resolver {
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	if opts.Threshold == 0 {
		opts.Threshold = 0.9
	}
	if opts.MaxBlockSize == 0 {
		opts.MaxBlockSize = 500
	}
	return &Resolver{opts: opts}
}

// Result is the outcome of a resolution.
type Result struct {
	Assign     map[string]string // record key -> profile id, for every record resolved
	Profiles   int               // number of distinct profiles
	Model      *Model            // the model used: trained on the records unless Options.Model was set; nil when there was nothing to train on (fewer than two records, no comparable field)
	Candidates int               // record pairs compared
	Links      int               // pairs whose match probability reached the threshold
	Refused    int               // merges refused because members conflicted or a cannot-link pair forbade them
	Oversized  []OversizedBlock  // blocks skipped for holding too many records, largest first
	Unknown    int               // must-link or cannot-link keys naming no given record
	Took       time.Duration

	// Confidence holds, per profile id, the match probability of the
	// weakest link that holds the profile together; a profile missing
	// from it has confidence 1 (one record, or joined by overrides only).
	Confidence map[string]float64
}

// Resolve clusters recs, the complete set of live records, and assigns
// each cluster a profile id. prev is the previous assignment (record key to
// profile id); ids are kept from it as described by AssignIDs.
func (r *Resolver) Resolve(ctx context.Context, recs []customer.Record, prev map[string]string) (*Result, error) {
	start := time.Now()
	res := &Result{Assign: make(map[string]string, len(recs))}
	s, err := r.session(ctx, recs)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return r.finish(res, recs, newClusterer(len(recs), nil), prev, start), nil
	}
	res.Model, res.Oversized = s.m, s.over
	r.stage("scoring")
	edges, n, err := s.score(ctx)
	if err != nil {
		return nil, err
	}
	res.Candidates, res.Links = n, len(edges)
	r.stage("clustering")
	cl := r.cluster(s, recs, edges, res)
	return r.finish(res, recs, cl, prev, start), nil
}

// stage reports that resolution enters a step.
func (r *Resolver) stage(name string) {
	if r.opts.Stage != nil {
		r.opts.Stage(name)
	}
}

// session is one resolution's state once its records are prepared, its
// model trained (or given) and its blocks built.
type session struct {
	fs     []features
	m      *Model
	sc     *scorer
	bl     *blocker
	groups []group
	over   []OversizedBlock
	// threshold is the match probability that links two records.
	threshold float64
}

// session prepares recs, trains a model on them unless one is given,
// and blocks them. It returns nil when there is nothing to train on.
func (r *Resolver) session(ctx context.Context, recs []customer.Record) (*session, error) {
	r.stage("preparing")
	s, has, err := r.prepare(ctx, recs)
	if err != nil || s == nil {
		return nil, err
	}
	trained := r.opts.Model == nil
	if trained {
		r.stage("estimating u")
		if err := estimateU(ctx, s.fs, s.m, s.sc); err != nil {
			return nil, fmt.Errorf("resolver: estimate u: %w", err)
		}
	} else {
		// A given model blocks on the fields it compares, as Keyer does,
		// however few of the records (a profile being re-resolved) carry
		// them.
		has = modelFields(s.m)
	}
	if s.bl, err = r.blocker(s.m, s.sc, has, !trained); err != nil {
		return nil, err
	}
	r.stage("blocking")
	s.groups, s.over = s.bl.build(s.fs, r.opts.MaxBlockSize)
	if trained {
		s.m.Split = s.bl.splitKeys()
	}
	for _, o := range s.over {
		r.opts.Logger.Debug("oversized block skipped", "rule", o.Rule, "key", o.Key, "records", o.Records)
	}
	if trained {
		r.stage("training")
		if err := s.train(ctx, r.opts.Logger); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// prepare computes the features of recs and the untrained (or given)
// model, and reports which fields the records carry. It returns a nil
// session when there is nothing to train on.
func (r *Resolver) prepare(ctx context.Context, recs []customer.Record) (*session, [numKinds]bool, error) {
	var has [numKinds]bool
	m := r.opts.Model
	var idKinds []string
	var nn nicknames
	if m == nil {
		idKinds = identifierKinds(recs, minShare, maxComparisons-int(kIdentifier))
		nn = nicknameTable()
	} else {
		if err := m.validate(); err != nil {
			return nil, has, err
		}
		sc, err := m.compile()
		if err != nil {
			return nil, has, err
		}
		idKinds, nn = sc.idKind, sc.nick
	}
	fs, err := prepareAll(ctx, recs, idKinds, nn)
	if err != nil {
		return nil, has, err
	}
	has = presence(fs)
	if m == nil {
		comps := newComparisons(has, idKinds)
		if len(comps) == 0 || len(recs) < 2 {
			r.opts.Logger.Warn("too few records or fields to train on: each record is its own profile", "records", len(recs), "fields", len(comps))
			return nil, has, nil
		}
		m = &Model{Version: ModelVersion, Comparisons: comps, Lambda: initialLambda}
		m.TF = termFrequencies(fs, comps)
	}
	// A given model is compiled once and reused across resolutions (an
	// incremental one resolves a few records at a time).
	sc, err := m.compile()
	if err != nil {
		return nil, has, err
	}
	for i := range fs {
		sc.setTF(&fs[i])
	}
	return &session{fs: fs, m: m, sc: sc, threshold: r.opts.Threshold}, has, nil
}

// train trains the session's model by EM on a deterministic sample of
// the candidate pairs, so that memory stays bounded however many pairs
// the blocks hold; the prior scales the sample back to all of them.
func (s *session) train(ctx context.Context, lg hclog.Logger) error {
	bound := pairBound(s.groups)
	rate := min(1, float64(maxTrainPairs)/float64(max(bound, 1)))
	cands, n, err := walk(ctx, s.bl, s.groups, func(i, j int32, out []candidate) []candidate {
		if !sampled(i, j, rate) {
			return out
		}
		return append(out, candidate{a: i, b: j, rules: s.bl.shared(i, j), g: s.sc.gamma(&s.fs[i], &s.fs[j])})
	})
	if err != nil {
		return fmt.Errorf("resolver: compare: %w", err)
	}
	train(s.m, cands, s.bl.rules, s.sc, len(s.fs), float64(n)/float64(max(len(cands), 1)))
	if s.sc, err = s.m.rebuild(); err != nil {
		return err
	}
	lg.Debug("model trained", "pairs", len(cands), "of", n, "iterations", s.m.Iterations, "lambda", s.m.Lambda)
	return nil
}

// probability returns the match probability of records i and j and
// their comparison levels.
func (s *session) probability(i, j int32) (float64, uint64) {
	g := s.sc.gamma(&s.fs[i], &s.fs[j])
	return probability(s.sc.weight(g, &s.fs[i], &s.fs[j])), g
}

// score compares every candidate pair and returns those whose match
// probability reaches the threshold, and the number of pairs compared.
func (s *session) score(ctx context.Context) ([]edge, int, error) {
	threshold := s.threshold
	edges, n, err := walk(ctx, s.bl, s.groups, func(i, j int32, out []edge) []edge {
		g := s.sc.gamma(&s.fs[i], &s.fs[j])
		if w := s.sc.weight(g, &s.fs[i], &s.fs[j]); probability(w) >= threshold {
			out = append(out, edge{i, j, w})
		}
		return out
	})
	if err != nil {
		return nil, 0, fmt.Errorf("resolver: score: %w", err)
	}
	return edges, n, nil
}

// cluster joins the records along edges, after the must-link overrides
// and under the cannot-link ones, and counts in res the refused merges
// and the overrides naming unknown records.
func (r *Resolver) cluster(s *session, recs []customer.Record, edges []edge, res *Result) *clusterer {
	index := make(map[string]int32, len(recs))
	for i := range recs {
		index[recs[i].Key()] = int32(i)
	}
	cl := newClusterer(len(recs), func(i, j int32) (bool, bool) {
		p, g := s.probability(i, j)
		return p >= s.threshold, s.sc.conflictField(g, p) >= 0
	})
	pairsOf := func(list [][2]string) [][2]int32 {
		var out [][2]int32
		for _, p := range list {
			i, ok1 := index[p[0]]
			j, ok2 := index[p[1]]
			if !ok1 || !ok2 {
				res.Unknown++
				continue
			}
			out = append(out, [2]int32{i, j})
		}
		return out
	}
	for _, p := range pairsOf(r.opts.MustLink) {
		cl.union(p[0], p[1])
	}
	if cannot := pairsOf(r.opts.CannotLink); len(cannot) > 0 {
		cl.cannot = make(map[int32][]int32)
		for _, p := range cannot {
			cl.cannot[p[0]] = append(cl.cannot[p[0]], p[1])
			cl.cannot[p[1]] = append(cl.cannot[p[1]], p[0])
		}
	}
	if res.Unknown > 0 {
		r.opts.Logger.Warn("override names unknown records", "pairs", res.Unknown)
	}
	cl.link(edges)
	res.Refused = cl.refused
	return cl
}

// finish gives the clusters of cl profile ids and fills res.
func (r *Resolver) finish(res *Result, recs []customer.Record, cl *clusterer, prev map[string]string, start time.Time) *Result {
	groupsIdx := cl.clusters()
	clusters := make([][]string, len(groupsIdx))
	for c, members := range groupsIdx {
		keys := make([]string, len(members))
		for k, i := range members {
			keys[k] = recs[i].Key()
		}
		clusters[c] = keys
	}
	ids := AssignIDs(clusters, prev)
	for c, members := range clusters {
		for _, k := range members {
			res.Assign[k] = ids[c]
		}
		if w := cl.confidence(groupsIdx[c][0]); w < 1 {
			if res.Confidence == nil {
				res.Confidence = make(map[string]float64)
			}
			res.Confidence[ids[c]] = w
		}
	}
	res.Profiles = len(clusters)
	res.Took = time.Since(start)
	r.opts.Logger.Debug("resolved", "records", len(recs), "candidates", res.Candidates, "links", res.Links,
		"refused", res.Refused, "profiles", res.Profiles, "took", res.Took)
	return res
}

// maxTrainPairs is how many candidate pairs, at most, EM trains on.
const maxTrainPairs = 2000000

// minShare is the share of records that must carry a field for it to be
// compared and blocked on by default.
const minShare = 0.01

// prepareAll computes every record's features on all cores.
func prepareAll(ctx context.Context, recs []customer.Record, idKinds []string, nn nicknames) ([]features, error) {
	fs := make([]features, len(recs))
	workers := runtime.GOMAXPROCS(0)
	g, ctx := errgroup.WithContext(ctx)
	step := (len(recs) + workers - 1) / workers
	for s := 0; s < len(recs); s += step {
		e := min(s+step, len(recs))
		g.Go(func() error {
			for i := s; i < e; i++ {
				if i%4096 == 0 && ctx.Err() != nil {
					return ctx.Err()
				}
				fs[i] = prepare(&recs[i], idKinds, nn)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return fs, nil
}

// blocker returns the blocker for the configured rules, or the default
// rules whose fields the records carry (has). With fixed, the blocks
// split are those of model m (Model.Split), not those the records' block
// sizes call for.
func (r *Resolver) blocker(m *Model, sc *scorer, has [numKinds]bool, fixed bool) (*blocker, error) {
	has[kIdentifier] = len(sc.idKind) > 0
	names := r.opts.Blocking
	configured := names != nil
	if !configured {
		names = BlockingRules()
	}
	bl := &blocker{}
	for _, name := range names {
		need, ok := ruleNeeds[name]
		if !ok {
			return nil, fmt.Errorf("resolver: unknown blocking rule %q (known: %v)", name, BlockingRules())
		}
		usable := true
		for _, k := range need {
			usable = usable && has[k]
		}
		if !usable {
			if configured {
				r.opts.Logger.Warn("blocking rule unused: the records lack its fields", "rule", name)
			}
			continue
		}
		if name == RuleIdentifier {
			for slot := range sc.idKind {
				bl.rules = append(bl.rules, newBlockRule(name, slot))
			}
			continue
		}
		bl.rules = append(bl.rules, newBlockRule(name, 0))
	}
	if len(bl.rules) == 0 {
		return nil, fmt.Errorf("resolver: no usable blocking rule among %v for fields %v", names, m.comparisonNames())
	}
	if fixed {
		bl.fixed = true
		bl.split = make(map[uint64]bool, len(m.Split))
		for _, k := range m.Split {
			bl.split[k] = true
		}
	}
	return bl, nil
}

// personalKind reports whether comparisons of kind k are personal
// evidence: what differs between people who share a home.
func personalKind(k kind) bool {
	return k == kGiven || k == kDOB || k == kGender
}

// modelFields reports which field kinds model m compares, counting the
// parts of the address comparison.
func modelFields(m *Model) [numKinds]bool {
	var has [numKinds]bool
	for _, c := range m.Comparisons {
		k, _, _ := parseComparison(c.Name)
		has[k] = true
		if k == kPlace {
			has[kAddress1], has[kPostcode], has[kLocality] = true, true, true
		}
	}
	return has
}

// comparisonNames lists the model's comparisons.
func (m *Model) comparisonNames() []string {
	var out []string
	for _, c := range m.Comparisons {
		out = append(out, c.Name)
	}
	return out
}

// conflictField returns the comparison whose outright disagreement keeps
// a pair with gamma g and match probability p apart in clustering, or -1.
// A shared strong identifier rules out any conflict. Otherwise a pair
// conflicts when it disagrees outright on a strong identifier, the given
// name or the date of birth and is unlikely to match (p below
// conflictBelow), or when it looks like two members of one household
// whatever p says: the same or a near family name and another given name
// (not a nickname, typo or sound-alike), living together (the same or a
// similar street address) or sharing an email or phone, with two valid
// dates of birth that differ by more than a typo. The birth dates are what
// tells a household from one person's records with a wrong given name, so
// that a household's shared landline, family email or address never merges
// its members, and records of one person never split for their given name
// alone. A shared email or phone with a birth date missing on either side
// counts as a household too; a shared address with a birth date missing
// does not: in data whose duplicates may carry a wrong given name and no
// birth date at the same address (Febrl's), that would split true
// matches.
func (s *scorer) conflictField(g uint64, p float64) int {
	first, given, family, contact, home := -1, false, false, false, false
	dob := levelNull
	for c, cc := range s.comps {
		l := level(g, c)
		switch cc.kind {
		case kIdentifier:
			if l == levelExact {
				return -1
			}
		case kFamily:
			family = l == levelExact || l == familyNear
		case kDOB:
			dob = l
		case kEmail, kPhone:
			contact = contact || l == levelExact || (cc.kind == kPhone && l == phoneLast7)
		case kPlace:
			home = l >= placeFull && l <= placeSimilarStreet
		}
		if l != elseLevel(cc.kind) {
			continue
		}
		switch cc.kind {
		case kIdentifier, kDOB, kGiven:
			if first < 0 {
				first = c
			}
			given = given || cc.kind == kGiven
		}
	}
	if first < 0 {
		return -1
	}
	apartDOB := dob == elseLevel(kDOB)
	household := given && family && (apartDOB && (contact || home) || dob == levelNull && contact)
	if p < conflictBelow || household {
		return first
	}
	return -1
}
