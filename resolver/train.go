package resolver

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"

	"golang.org/x/sync/errgroup"
)

// Training settings.
const (
	uSamplePairs  = 150000 // random pairs that estimate u
	emMaxIter     = 100
	emTolerance   = 1e-6
	initialLambda = 0.1
)

// presence reports which field kinds at least minShare of fs carry (and
// at least two records).
func presence(fs []features) [numKinds]bool {
	var n [numKinds]int
	for i := range fs {
		for k := range numKinds {
			if k != kIdentifier && fs[i].value(k, 0) != "" {
				n[k]++
			}
		}
	}
	var has [numKinds]bool
	for k := range numKinds {
		has[k] = n[k] >= 2 && float64(n[k]) >= minShare*float64(len(fs))
	}
	return has
}

// newComparisons returns the untrained comparisons for the field kinds
// present and the identifier kinds.
func newComparisons(has [numKinds]bool, idKinds []string) []Comparison {
	var comps []Comparison
	add := func(name string, k kind) {
		lv := make([]Level, len(kinds[k].levels))
		for i, n := range kinds[k].levels {
			lv[i].Name = n
		}
		comps = append(comps, Comparison{Name: name, Levels: lv})
	}
	for k := range numKinds {
		if k != kIdentifier && !placePart(k) && has[k] {
			add(kinds[k].name, k)
		}
	}
	for _, id := range idKinds {
		if len(comps) < maxComparisons {
			add("identifier:"+id, kIdentifier)
		}
	}
	return comps
}

// termFrequencies counts, for each term-frequency-adjusted comparison, how
// many records carry each value.
func termFrequencies(fs []features, comps []Comparison) map[string]*TermFrequencies {
	out := make(map[string]*TermFrequencies)
	for _, c := range comps {
		k, _, _ := parseComparison(c.Name)
		if !kinds[k].tf {
			continue
		}
		t := &TermFrequencies{Counts: make(map[string]int), Prior: defaultU(k, levelExact), Alpha: tfAlpha}
		for i := range fs {
			if v := fs[i].value(k, 0); v != "" {
				t.Counts[v]++
				t.Total++
			}
		}
		out[c.Name] = t
		if k == kEmail {
			local := &TermFrequencies{Counts: make(map[string]int), Prior: defaultU(k, levelExact) + defaultU(k, emailLocal), Alpha: tfAlpha}
			for i := range fs {
				if v := fs[i].value(k, 0); v != "" {
					local.Counts[localPart(v)]++
					local.Total++
				}
			}
			out[c.Name+localSuffix] = local
		}
	}
	for _, t := range out {
		for v, n := range t.Counts {
			if n < 2 {
				delete(t.Counts, v)
			}
		}
	}
	return out
}

// estimateU sets the u probabilities of comps from random record pairs
// (all pairs when there are few records), on all cores. The exact level
// of a term-frequency-adjusted comparison takes the exact chance that two
// random records share a value, the sum of squared value shares.
func estimateU(ctx context.Context, fs []features, m *Model, sc *scorer) error {
	n := len(fs)
	total := int64(n) * int64(n-1) / 2
	workers := runtime.GOMAXPROCS(0)
	counts := make([][maxComparisons][16]int64, workers)
	g, ctx := errgroup.WithContext(ctx)
	for w := range workers {
		g.Go(func() error {
			cnt := &counts[w]
			tally := func(i, j int) {
				gm := sc.gamma(&fs[i], &fs[j])
				for c := range sc.comps {
					cnt[c][level(gm, c)]++
				}
			}
			if total <= uSamplePairs {
				for i := w; i < n; i += workers {
					for j := i + 1; j < n; j++ {
						tally(i, j)
					}
				}
				return ctx.Err()
			}
			rng := rand.New(rand.NewPCG(uint64(w)+1, 0x5eed))
			for s := range uSamplePairs / workers {
				if s%65536 == 0 && ctx.Err() != nil {
					return ctx.Err()
				}
				i, j := rng.IntN(n), rng.IntN(n-1)
				if j >= i {
					j++
				}
				tally(i, j)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for c := range m.Comparisons {
		k := sc.comps[c].kind
		lv := m.Comparisons[c].Levels
		var sum [16]float64
		var seen float64
		for l := 1; l < len(lv); l++ {
			for w := range workers {
				sum[l] += float64(counts[w][c][l])
			}
			seen += sum[l]
		}
		for l := 1; l < len(lv); l++ {
			lv[l].U = blend(sum[l]/max(seen, 1), seen, defaultU(k, l), uPrior)
		}
		if t := m.TF[m.Comparisons[c].Name]; t != nil && t.Total > 1 {
			// The exact chance that two records with a value share it,
			// over all such pairs.
			pairs := float64(t.Total) * float64(t.Total-1)
			exact := 0.0
			for _, n := range t.Counts {
				exact += float64(n) * float64(n-1) / pairs
			}
			exact = blend(exact, pairs/2, defaultU(k, levelExact), uPrior)
			rest := 1 - lv[levelExact].U
			for l := 2; l < len(lv); l++ {
				lv[l].U *= (1 - exact) / rest
			}
			lv[levelExact].U = exact
		}
	}
	return nil
}

// pattern is one distinct gamma among the candidates and how many
// candidates have it.
type pattern struct {
	g uint64
	n float64
}

// patterns counts the distinct gammas of the candidates that keep(c)
// accepts, with the comparisons in drop set to null.
func patterns(cands []candidate, keep func(*candidate) bool, drop uint64) []pattern {
	byG := make(map[uint64]float64)
	for i := range cands {
		if keep(&cands[i]) {
			byG[cands[i].g&^drop]++
		}
	}
	pats := make([]pattern, 0, len(byG))
	for g, n := range byG {
		pats = append(pats, pattern{g, n})
	}
	sort.Slice(pats, func(i, j int) bool { return pats[i].g < pats[j].g })
	return pats
}

// train estimates each level's m by expectation–maximisation, keeping u
// fixed, and then the prior. As Splink does, it runs one EM session per
// blocking rule on the pairs that rule blocks together, and a session
// estimates only the comparisons that the rule's key does not use: among
// pairs that share, say, a date of birth, non-matches agree on the date
// far more often than random pairs do, but on the other fields they agree
// about as often as random pairs, which is what u says. A comparison's m
// is the mean of its sessions' estimates, weighed by each session's
// expected matches. The personal comparisons (given name, date of birth,
// gender) learn only from the sessions of rules whose key holds a
// personal field or a strong identifier: the pairs that share only a
// phone, an email, an address or a family name and a place are full of
// households, whose members EM takes for one person, and it would learn
// that one person's given name or birth date often disagrees outright.
//
// The prior is the chance that two records drawn at random match: the
// expected matches among the candidates (each standing for scale
// candidates when they are a sample) over all pairs of the records,
// found as the fixed point of scoring the candidates with it.
func train(m *Model, cands []candidate, rules []blockRule, sc *scorer, records int, scale float64) {
	nc := len(m.Comparisons)
	m.Pairs = int64(len(cands))
	var sum [maxComparisons][16]float64
	var weight [maxComparisons]float64
	for q, rule := range rules {
		var drop uint64
		for c, cc := range sc.comps {
			for _, k := range ruleNeeds[rule.name] {
				if cc.kind == k || (placePart(k) && cc.kind == kPlace) {
					drop |= 0xf << (4 * c)
				}
			}
		}
		bit := uint32(1) << q
		pats := patterns(cands, func(c *candidate) bool { return c.rules&bit != 0 }, drop)
		est, matches, iters := em(m, sc, pats, drop)
		m.Iterations = max(m.Iterations, iters)
		personal := personalKey(rule.name)
		for c := range nc {
			if drop&(0xf<<(4*c)) != 0 || (personalKind(sc.comps[c].kind) && !personal) {
				continue
			}
			for l := range est[c] {
				sum[c][l] += matches * est[c][l]
			}
			weight[c] += matches
		}
	}
	// A comparison that every rule uses learns from all candidates.
	allPats := patterns(cands, func(*candidate) bool { return true }, 0)
	all, _, _ := em(m, sc, allPats, 0)
	for c := range nc {
		lv := m.Comparisons[c].Levels
		for l := 1; l < len(lv); l++ {
			if weight[c] > 0 {
				lv[l].M = sum[c][l] / weight[c]
			} else {
				lv[l].M = all[c][l]
			}
		}
	}
	m.Lambda = prior(m, allPats, records, scale)
}

// personalKey reports whether the key of rule name holds a personal field
// (given name, date of birth) or a strong identifier, which members of
// one household do not share.
func personalKey(name string) bool {
	for _, k := range ruleNeeds[name] {
		if personalKind(k) || k == kIdentifier {
			return true
		}
	}
	return false
}

// em runs expectation–maximisation on pats for the comparisons not in
// drop, starting from the default m of each level. Each step blends the
// expected counts with the default m, worth mPrior matching pairs, so
// that a few candidates cannot teach absurd m. It returns the estimated m
// per comparison and level, the expected matches and the iterations run.
func em(m *Model, sc *scorer, pats []pattern, drop uint64) ([maxComparisons][16]float64, float64, int) {
	nc := len(m.Comparisons)
	var est, def, logU [maxComparisons][16]float64
	for c := range nc {
		lv := m.Comparisons[c].Levels
		for l := 1; l < len(lv); l++ {
			def[c][l] = defaultM(sc.comps[c].kind, l)
			est[c][l] = def[c][l]
			logU[c][l] = math.Log(lv[l].U)
		}
	}
	lambda, matches := initialLambda, 0.0
	it := 0
	for it = 1; it <= emMaxIter; it++ {
		var logM [maxComparisons][16]float64
		for c := range nc {
			for l := 1; l < len(m.Comparisons[c].Levels); l++ {
				logM[c][l] = math.Log(est[c][l])
			}
		}
		var acc [maxComparisons][16]float64
		all := 0.0
		matches = 0
		prior := math.Log(lambda / (1 - lambda))
		for _, p := range pats {
			w := prior
			for c := range nc {
				l := level(p.g, c)
				w += logM[c][l] - logU[c][l]
			}
			pm := p.n / (1 + math.Exp(-w))
			matches += pm
			all += p.n
			for c := range nc {
				acc[c][level(p.g, c)] += pm
			}
		}
		if all == 0 {
			break
		}
		change := math.Abs(matches/all - lambda)
		lambda = min(max(matches/all, 1e-9), 1-1e-9)
		for c := range nc {
			if drop&(0xf<<(4*c)) != 0 {
				continue
			}
			lv := m.Comparisons[c].Levels
			sum := 0.0
			for l := 1; l < len(lv); l++ {
				sum += acc[c][l]
			}
			for l := 1; l < len(lv); l++ {
				nm := (acc[c][l] + mPrior*def[c][l]) / (sum + mPrior)
				change = max(change, math.Abs(nm-est[c][l]))
				est[c][l] = nm
			}
		}
		if change < emTolerance {
			break
		}
	}
	return est, matches, min(it, emMaxIter)
}

// prior returns the chance that two random records match: the fixed point
// of lambda = (expected matches among the candidates under lambda) / (all
// pairs of the records), with the model's trained weights, blended with
// 1/records (as if each record had one duplicate among them), worth
// lambdaPrior pairs: few records say little about how many of their pairs
// match, and without the blend lambda would fall to zero when the
// candidates are too few to lift it.
func prior(m *Model, pats []pattern, records int, scale float64) float64 {
	var w []float64
	for _, p := range pats {
		s := 0.0
		for c, cmp := range m.Comparisons {
			s += cmp.Levels[level(p.g, c)].Weight()
		}
		w = append(w, s)
	}
	def := 1 / float64(max(records, 2))
	allPairs := float64(records) * float64(records-1) / 2
	lambda := def
	if allPairs <= 0 {
		return lambda
	}
	for range emMaxIter {
		lo := logit2(lambda)
		matches := 0.0
		for i, p := range pats {
			matches += p.n * probability(lo+w[i])
		}
		next := min(max(blend(matches*scale/allPairs, allPairs, def, lambdaPrior), 1e-12), 0.5)
		if math.Abs(next-lambda) < 1e-3*lambda {
			return next
		}
		lambda = next
	}
	return lambda
}
