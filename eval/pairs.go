package eval

import (
	"io"
	"math"
	"math/bits"
	"sync"
)

// Pairs tallies a resolver's scored candidate pairs against a truth, for
// the blocking recall and the calibration reports. Records are named by
// their index in the key list given to NewPairs. Add is safe for
// concurrent use.
type Pairs struct {
	keys      []string
	entity    []int32 // per record: its entity, -1 when the truth lacks it
	truePairs int64

	mu         sync.Mutex // guards the counts below
	candidates int64
	ruleAll    [32]int64         // per rule (bit of the mask): candidate pairs it blocks
	ruleFirst  [32]int64         // per rule: candidate pairs no earlier rule blocks
	ruleTrue   [32]int64         // per rule: true pairs it blocks
	ruleOnly   [32]int64         // per rule: true pairs no other rule blocks
	trueFound  int64             // true pairs among the candidates
	found      map[[2]int32]bool // the true pairs among the candidates, lower index first
	bins       [calibrationBins]bin
}

// calibrationBins is the number of probability bins of a calibration
// report: ten deciles, the last split at 0.99 and 0.999 so that the
// confident end, where most links are, is seen apart.
const calibrationBins = 12

// bin is one probability bin of the calibration report.
type bin struct {
	pairs, matches int64
	sumP           float64
}

// binOf returns the calibration bin of probability p.
func binOf(p float64) int {
	switch {
	case p >= 0.999:
		return 11
	case p >= 0.99:
		return 10
	}
	return min(int(p*10), 9)
}

// binRange returns the probability range of calibration bin b.
func binRange(b int) (lo, hi float64) {
	switch b {
	case 9:
		return 0.9, 0.99
	case 10:
		return 0.99, 0.999
	case 11:
		return 0.999, 1
	}
	return float64(b) / 10, float64(b+1) / 10
}

// NewPairs returns a tally of candidate pairs among the records with the
// given keys (source/record_id), scored against truth. The true pairs
// are those among keys.
func NewPairs(keys []string, truth Clustering) *Pairs {
	p := &Pairs{keys: keys, entity: make([]int32, len(keys)), found: make(map[[2]int32]bool)}
	ids := make(map[string]int32)
	size := make(map[int32]int64)
	for i, k := range keys {
		e, ok := truth[k]
		if !ok {
			p.entity[i] = -1
			continue
		}
		id, ok := ids[e]
		if !ok {
			id = int32(len(ids))
			ids[e] = id
		}
		p.entity[i] = id
		size[id]++
	}
	for _, n := range size {
		p.truePairs += n * (n - 1) / 2
	}
	return p
}

// Match reports whether records i and j are one entity in the truth.
func (p *Pairs) Match(i, j int) bool { return p.entity[i] >= 0 && p.entity[i] == p.entity[j] }

// Add counts candidate pair (i, j), blocked by the rules of mask (bit q
// for rule q), with match probability prob.
func (p *Pairs) Add(i, j int, mask uint32, prob float64) {
	match := p.Match(i, j)
	b := binOf(prob)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.candidates++
	if match {
		p.trueFound++
		p.found[[2]int32{int32(min(i, j)), int32(max(i, j))}] = true
		if mask != 0 && mask&(mask-1) == 0 {
			p.ruleOnly[bits.TrailingZeros32(mask)]++
		}
	}
	if mask != 0 {
		p.ruleFirst[bits.TrailingZeros32(mask)]++
	}
	for m := mask; m != 0; m &= m - 1 {
		q := bits.TrailingZeros32(m)
		p.ruleAll[q]++
		if match {
			p.ruleTrue[q]++
		}
	}
	p.bins[b].pairs++
	p.bins[b].sumP += prob
	if match {
		p.bins[b].matches++
	}
}

// RuleRecall is one blocking rule's line of a BlockingReport.
type RuleRecall struct {
	Rule      string
	Pairs     int64   // candidate pairs the rule blocks
	NewPairs  int64   // of them, pairs that no earlier rule blocks
	TruePairs int64   // true pairs the rule blocks
	OnlyRule  int64   // true pairs that no other rule blocks
	Recall    float64 // TruePairs over all true pairs
}

// BlockingReport says how many true pairs blocking made candidates.
type BlockingReport struct {
	Records        int
	Candidates     int64
	PairsPerRecord float64
	TruePairs      int64 // true pairs among the records
	Found          int64 // true pairs that were candidates
	Recall         float64
	Rules          []RuleRecall
	Missed         [][2]string // some true pairs that were never candidates, by record key
}

// Blocking returns the blocking recall report, listing up to missed true
// pairs that were never candidates; rules names the rules of the masks
// given to Add, bit q for rules[q].
func (p *Pairs) Blocking(rules []string, missed int) *BlockingReport {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := &BlockingReport{Records: len(p.entity), Candidates: p.candidates, TruePairs: p.truePairs, Found: p.trueFound,
		Recall: ratio(p.trueFound, p.truePairs)}
	if r.Records > 0 {
		r.PairsPerRecord = float64(r.Candidates) / float64(r.Records)
	}
	for q, name := range rules[:min(len(rules), len(p.ruleAll))] {
		r.Rules = append(r.Rules, RuleRecall{Rule: name, Pairs: p.ruleAll[q], NewPairs: p.ruleFirst[q],
			TruePairs: p.ruleTrue[q], OnlyRule: p.ruleOnly[q], Recall: ratio(p.ruleTrue[q], p.truePairs)})
	}
	if missed > 0 {
		byEntity := make(map[int32][]int32)
		for i, e := range p.entity {
			if e >= 0 {
				byEntity[e] = append(byEntity[e], int32(i))
			}
		}
		for i, e := range p.entity {
			if e < 0 {
				continue
			}
			for _, j := range byEntity[e] {
				if j > int32(i) && !p.found[[2]int32{int32(i), j}] && len(r.Missed) < missed {
					r.Missed = append(r.Missed, [2]string{p.keys[i], p.keys[j]})
				}
			}
		}
	}
	return r
}

// WriteText writes the report as a table.
func (r *BlockingReport) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("records          %d\n", r.Records)
	ew.printf("candidate pairs  %d (%.2f per record)\n", r.Candidates, r.PairsPerRecord)
	ew.printf("blocking recall  %.4f  (%d of %d true pairs were candidates, %d never compared)\n",
		r.Recall, r.Found, r.TruePairs, r.TruePairs-r.Found)
	ew.printf("\n%-20s %12s %12s %10s %10s %8s\n", "rule", "pairs", "new pairs", "true", "only rule", "recall")
	for _, q := range r.Rules {
		ew.printf("%-20s %12d %12d %10d %10d %8.4f\n", q.Rule, q.Pairs, q.NewPairs, q.TruePairs, q.OnlyRule, q.Recall)
	}
	if len(r.Missed) > 0 {
		ew.printf("\ntrue pairs never compared (first %d)\n", len(r.Missed))
		for _, m := range r.Missed {
			ew.printf("  %s %s\n", m[0], m[1])
		}
	}
	return ew.err
}

// CalibrationBin is one probability range of a CalibrationReport.
type CalibrationBin struct {
	Low, High   float64 // the range of match probabilities, [Low, High), the last one with 1
	Pairs       int64   // candidate pairs scored in the range
	Matches     int64   // of them, true pairs
	MeanP       float64 // mean match probability of the pairs
	ShareTrue   float64 // Matches / Pairs
	Discrepancy float64 // ShareTrue - MeanP
}

// CalibrationReport compares the match probabilities of candidate pairs
// with the share of them that are true, per probability range.
type CalibrationReport struct {
	Bins []CalibrationBin
	// Error is the mean absolute difference between the score and the
	// share that is true, weighed by pairs (the expected calibration
	// error).
	Error float64
}

// Calibration returns the calibration report.
func (p *Pairs) Calibration() *CalibrationReport {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := &CalibrationReport{}
	var all int64
	for b := range p.bins {
		lo, hi := binRange(b)
		x := p.bins[b]
		cb := CalibrationBin{Low: lo, High: hi, Pairs: x.pairs, Matches: x.matches}
		if x.pairs > 0 {
			cb.MeanP = x.sumP / float64(x.pairs)
			cb.ShareTrue = float64(x.matches) / float64(x.pairs)
			cb.Discrepancy = cb.ShareTrue - cb.MeanP
			r.Error += float64(x.pairs) * math.Abs(cb.Discrepancy)
			all += x.pairs
		}
		r.Bins = append(r.Bins, cb)
	}
	if all > 0 {
		r.Error /= float64(all)
	}
	return r
}

// WriteText writes the report as a table.
func (r *CalibrationReport) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("%-14s %10s %10s %10s %10s\n", "probability", "pairs", "true", "mean p", "share true")
	for _, b := range r.Bins {
		ew.printf("[%.3f, %.3f) %10d %10d %10.4f %10.4f\n", b.Low, b.High, b.Pairs, b.Matches, b.MeanP, b.ShareTrue)
	}
	ew.printf("calibration error (pair-weighted mean |share true - mean p|): %.4f\n", r.Error)
	return ew.err
}

// Levels tallies the comparison levels of the true pairs among the
// candidates, whose shares are the true m of each level: what a trained
// model's m estimates. It holds up to 16 comparisons of up to 16 levels
// (what a resolver's gamma holds). The zero value is ready; Add is safe
// for concurrent use.
type Levels struct {
	mu     sync.Mutex // guards counts
	counts [16][16]int64
}

// Add counts one true pair, at level(c) under each of comparisons
// comparisons c.
func (t *Levels) Add(comparisons int, level func(c int) int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for c := range min(comparisons, len(t.counts)) {
		if l := level(c); l >= 0 && l < len(t.counts[c]) {
			t.counts[c][l]++
		}
	}
}

// M returns the true m of comparison c's levels (levels of them): the
// share of the true pairs with a value on both sides (level 0, "null",
// is left out and 0) at each level.
func (t *Levels) M(c, levels int) []float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]float64, levels)
	if c >= len(t.counts) {
		return out
	}
	var n int64
	for l := 1; l < levels && l < len(t.counts[c]); l++ {
		n += t.counts[c][l]
	}
	for l := 1; l < levels && l < len(t.counts[c]) && n > 0; l++ {
		out[l] = float64(t.counts[c][l]) / float64(n)
	}
	return out
}
