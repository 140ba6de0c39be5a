package resolver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"text/tabwriter"
)

// Model is a trained Fellegi–Sunter model: for each compared field the
// probability of each comparison level among matching pairs (m) and among
// non-matching pairs (u), the prior share of matches among candidate
// pairs, and the term frequencies of the values whose exact agreement is
// weighed by how common they are. A Model is serialised with
// MarshalBinary (JSON) so that a pipeline can store it and use it again.
type Model struct {
	Version     int                         `json:"version"`     // ModelVersion of the resolver that trained it
	Lambda      float64                     `json:"lambda"`      // prior probability that two records drawn at random match
	Comparisons []Comparison                `json:"comparisons"` // compared fields, in gamma order
	TF          map[string]*TermFrequencies `json:"tf,omitempty"`
	Iterations  int                         `json:"em_iterations"` // EM iterations run in training
	Pairs       int64                       `json:"em_pairs"`      // candidate pairs EM trained on
	// Split lists the blocking keys whose blocks grew past the split size
	// in training and were split in two sub-blocks, sorted; the keys of
	// any record under the model follow it.
	Split []uint64 `json:"split_blocks,omitempty"`

	mu sync.Mutex // guards sc
	sc *scorer    // compiled form, built on first use
}

// Comparison is one compared field of a Model and its levels, best first;
// level 0 is "null" and carries no weight.
type Comparison struct {
	Name   string  `json:"name"` // "given_name", ..., or "identifier:KIND"
	Levels []Level `json:"levels"`
}

// Level is one comparison level with its m and u probabilities.
type Level struct {
	Name string  `json:"name"`
	M    float64 `json:"m"`
	U    float64 `json:"u"`
}

// Weight returns the level's match weight log2(M/U); 0 for a level
// without estimates (the null level).
func (l Level) Weight() float64 {
	if l.M <= 0 || l.U <= 0 {
		return 0
	}
	return math.Log2(l.M / l.U)
}

// TermFrequencies counts the values of one field over the records the
// model was trained on; only values seen at least twice are kept. The
// share of a value is smoothed towards Prior by Alpha pseudo-records per
// value, so that in few records no value looks common or rare by chance.
type TermFrequencies struct {
	Total  int            `json:"total"`           // records with a value
	Counts map[string]int `json:"counts"`          // value -> records, for values seen at least twice
	Prior  float64        `json:"prior,omitempty"` // default share of one value; 0 means no smoothing
	Alpha  float64        `json:"alpha,omitempty"` // pseudo-records per value that Prior is worth
}

// freq returns the chance that a third record has value v, given that two
// records agree on it: the share of v among the other records, smoothed
// towards the default share. Without a prior it is v's plain share.
func (t *TermFrequencies) freq(v string) float64 {
	if t == nil || t.Total == 0 {
		return 0
	}
	n := t.Counts[v]
	if t.Prior <= 0 || t.Alpha <= 0 {
		return float64(max(n, 1)) / float64(t.Total)
	}
	return (float64(max(n-2, 0)) + t.Alpha) / (float64(max(t.Total-2, 0)) + t.Alpha/t.Prior)
}

// ModelVersion numbers the resolver's block keys and comparison levels.
// It changes whenever a model trained before could not be used as it is:
// the keys of a record would differ from those a stored block index
// holds, or the levels from the model's. Version 0 is every model from
// before versions were kept; 1 folds names with customer.FoldName and
// splits large blocks; 2 adds the given-name levels "initial of the
// other" and "the other's family name"; 3 splits a block into one chain
// of sub-blocks rather than two.
const ModelVersion = 3

// ErrStaleModel is returned when decoding a model trained by a resolver
// of another ModelVersion: its block keys (and perhaps its levels) are
// not this resolver's, so it must be trained again and any block index
// built with it rebuilt.
var ErrStaleModel = errors.New("resolver: model trained by another resolver version")

// MarshalBinary encodes the model as JSON.
func (m *Model) MarshalBinary() ([]byte, error) {
	return json.Marshal(m)
}

// UnmarshalBinary decodes a model written by MarshalBinary and checks it.
func (m *Model) UnmarshalBinary(data []byte) error {
	var n Model
	if err := json.Unmarshal(data, &n); err != nil {
		return fmt.Errorf("resolver: decode model: %w", err)
	}
	if n.Version != ModelVersion {
		return fmt.Errorf("%w: version %d, want %d", ErrStaleModel, n.Version, ModelVersion)
	}
	if err := n.validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Version, m.Lambda, m.Comparisons, m.TF, m.Iterations, m.Pairs, m.Split, m.sc = n.Version, n.Lambda, n.Comparisons, n.TF, n.Iterations, n.Pairs, n.Split, n.sc
	return nil
}

// WriteTable writes the model as a table: one row per comparison level
// with m, u and the match weight, as `scv resolve --show-model` shows it.
func (m *Model) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "prior match probability of two random records: %.3g (weight %+.2f)\n", m.Lambda, logit2(m.Lambda))
	fmt.Fprintf(tw, "EM: at most %d iterations per session on %d candidate pairs\n\n", m.Iterations, m.Pairs)
	fmt.Fprintf(tw, "comparison\tlevel\tm\tu\tweight\n")
	for _, c := range m.Comparisons {
		tf := ""
		if m.TF[c.Name] != nil {
			tf = " (term-frequency adjusted)"
		}
		for i, l := range c.Levels {
			if i == levelNull {
				fmt.Fprintf(tw, "%s%s\t%s\t-\t-\t0\n", c.Name, tf, l.Name)
				continue
			}
			fmt.Fprintf(tw, "\t%s\t%.6f\t%.6f\t%+.2f\n", l.Name, l.M, l.U, l.Weight())
		}
	}
	return tw.Flush()
}

// logit2 returns the log2 odds of p.
func logit2(p float64) float64 { return math.Log2(p / (1 - p)) }

// probability returns the probability of log2 odds w.
func probability(w float64) float64 { return 1 / (1 + math.Exp2(-w)) }

// compiled is one comparison ready for scoring.
type compiled struct {
	kind   kind
	slot   int       // identifier slot for kIdentifier
	w      []float64 // weight per level
	uExact float64
	tf     *TermFrequencies
	// For emails: the "same local part" level's u and the local parts'
	// term frequencies.
	uLocal  float64
	tfLocal *TermFrequencies
}

// localSuffix names the term-frequency table of email local parts: the
// email comparison's name plus this suffix.
const localSuffix = ":local_part"

// scorer compares and weighs pairs of prepared records under a model.
type scorer struct {
	comps  []compiled
	prior  float64  // log2 prior odds
	idKind []string // identifier kind per slot
	swap   bool     // both name comparisons exist, so swapped names are recognised
	lines  bool     // both address comparisons exist, so swapped address lines are recognised
	nick   nicknames
}

// maxComparisons is how many comparisons fit in a gamma word (4 bits each).
const maxComparisons = 16

// parseComparison returns the kind and identifier kind of a comparison name.
func parseComparison(name string) (kind, string, bool) {
	if id, ok := strings.CutPrefix(name, "identifier:"); ok && id != "" {
		return kIdentifier, id, true
	}
	for k := range numKinds {
		if k != kIdentifier && kinds[k].name == name {
			return k, "", true
		}
	}
	return 0, "", false
}

// validate checks the model's probabilities and its comparisons.
func (m *Model) validate() error {
	if !(m.Lambda > 0 && m.Lambda < 1) {
		return fmt.Errorf("resolver: model prior %v outside (0, 1)", m.Lambda)
	}
	for _, c := range m.Comparisons {
		for i, l := range c.Levels {
			if i != levelNull && (!(l.M > 0 && l.M <= 1) || !(l.U > 0 && l.U <= 1)) {
				return fmt.Errorf("resolver: model comparison %q level %q: m %v, u %v outside (0, 1]", c.Name, l.Name, l.M, l.U)
			}
		}
	}
	_, err := m.compile()
	return err
}

// compile builds the model's scorer once; rebuild after changing the model.
func (m *Model) compile() (*scorer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sc != nil {
		return m.sc, nil
	}
	if len(m.Comparisons) > maxComparisons {
		return nil, fmt.Errorf("resolver: model has %d comparisons, at most %d fit", len(m.Comparisons), maxComparisons)
	}
	sc := &scorer{nick: nicknameTable()}
	if m.Lambda > 0 && m.Lambda < 1 {
		sc.prior = logit2(m.Lambda)
	}
	has := [numKinds]bool{}
	for _, c := range m.Comparisons {
		k, id, ok := parseComparison(c.Name)
		if !ok {
			return nil, fmt.Errorf("resolver: model comparison %q: unknown", c.Name)
		}
		if len(c.Levels) != len(kinds[k].levels) {
			return nil, fmt.Errorf("resolver: model comparison %q: %d levels, want %d", c.Name, len(c.Levels), len(kinds[k].levels))
		}
		cc := compiled{kind: k, w: make([]float64, len(c.Levels)), uExact: c.Levels[levelExact].U, tf: m.TF[c.Name]}
		if k == kEmail {
			cc.uLocal, cc.tfLocal = c.Levels[emailLocal].U, m.TF[c.Name+localSuffix]
		}
		for i, l := range c.Levels {
			if i != levelNull {
				cc.w[i] = l.Weight()
			}
		}
		if k == kIdentifier {
			cc.slot = len(sc.idKind)
			sc.idKind = append(sc.idKind, id)
		}
		has[k] = true
		sc.comps = append(sc.comps, cc)
	}
	sc.swap = has[kGiven] && has[kFamily]
	sc.lines = has[kPlace] && has[kAddress2]
	m.sc = sc
	return sc, nil
}

// rebuild drops the compiled scorer and compiles the model again.
func (m *Model) rebuild() (*scorer, error) {
	m.mu.Lock()
	m.sc = nil
	m.mu.Unlock()
	return m.compile()
}

// gamma compares a and b and packs the level of each comparison, 4 bits
// each, in model order.
func (s *scorer) gamma(a, b *features) uint64 {
	swap := s.swap && swapped(a, b)
	lines := s.lines && linesSwapped(a, b)
	var g uint64
	for c := range s.comps {
		var l int
		switch cc := &s.comps[c]; cc.kind {
		case kGiven:
			l = compareGiven(a, b, swap)
		case kFamily:
			if !swap {
				l = compareFamily(a, b)
			}
		case kDOB:
			l = compareDOB(a.dob, b.dob)
		case kEmail:
			l = compareEmail(a, b)
		case kPhone:
			l = comparePhone(a.phones, b.phones)
		case kAddress1:
			l = compareAddress1(a.addr1, b.addr1)
		case kAddress2:
			if !lines {
				l = compareNear(a.addr2, b.addr2)
			}
		case kLocality:
			l = compareNear(a.locality, b.locality)
		case kPostcode:
			l = comparePostcode(a.postcode, b.postcode)
		case kRegion:
			l = compareExact(a.region, b.region)
		case kGender:
			l = compareExact(a.gender, b.gender)
		case kIdentifier:
			l = compareIdentifier(a.ids[cc.slot], b.ids[cc.slot])
		case kPlace:
			l = comparePlace(a, b)
			if lines && l > placeSimilarStreet {
				l = placeSimilarStreet
			}
		}
		g |= uint64(l) << (4 * c)
	}
	return g
}

// level returns comparison c's level in gamma g.
func level(g uint64, c int) int { return int(g>>(4*c)) & 0xf }

// tfAdjust returns the term-frequency adjustment of comparison c at level
// l: for an exact agreement log2(u_exact / frequency of the value), using
// the more common of the two records' first values, and likewise for
// emails that share only their local part ("george.jones" is common).
func (s *scorer) tfAdjust(c, l int, a, b *features) float64 {
	cc := &s.comps[c]
	var u, f float64
	switch {
	case l == levelExact && cc.tf != nil:
		u, f = cc.uExact, float64(max(a.tf[cc.kind], b.tf[cc.kind]))
	case l == emailLocal && cc.kind == kEmail && cc.tfLocal != nil:
		u, f = cc.uLocal, float64(max(a.tfLocal, b.tfLocal))
	}
	if f <= 0 {
		return 0
	}
	return math.Log2(u / f)
}

// localPart returns the part of an email address before the @.
func localPart(email string) string {
	for i := 0; i < len(email); i++ {
		if email[i] == '@' {
			return email[:i]
		}
	}
	return email
}

// weight returns the total match weight of a pair with gamma g: the prior
// plus each comparison's weight and term-frequency adjustment.
func (s *scorer) weight(g uint64, a, b *features) float64 {
	w := s.prior
	for c := range s.comps {
		l := level(g, c)
		w += s.comps[c].w[l]
		if l == levelExact || l == emailLocal {
			w += s.tfAdjust(c, l, a, b)
		}
	}
	return w
}

// setTF fills f's term frequencies from the model's tables.
func (s *scorer) setTF(f *features) {
	for _, cc := range s.comps {
		if cc.tf != nil {
			f.tf[cc.kind] = float32(cc.tf.freq(f.value(cc.kind, cc.slot)))
		}
		if cc.tfLocal != nil {
			f.tfLocal = float32(cc.tfLocal.freq(localPart(f.value(cc.kind, cc.slot))))
		}
	}
}
