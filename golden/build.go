package golden

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scvhq/scv/customer"
)

// Source is what survivorship knows of one configured source.
type Source struct {
	Trust      float64                   // 0..1; higher wins the trust rule
	Columns    map[customer.Field]string // the column(s) mapped to each field, joined by "+"
	Attributes map[string]string         // the column of each attribute
	Consent    map[string]string         // the column of each consent channel
}

// Options configure a Builder. The zero value works: every source has
// trust 0 and no known columns, every field takes its default rules
// (DefaultRules), every attribute the rule "latest", and every channel is
// opt-in.
type Options struct {
	Sources    map[string]Source // by source name
	Fields     map[string][]Rule // by canonical field name or AddressKey; missing means DefaultRules
	Attributes map[string]string // attribute rule by attribute name; missing means AttrLatest
	OptOut     map[string]bool   // channels on which unknown consent still reaches
}

// Builder builds golden profiles under one set of Options. It is
// read-only after New and safe for concurrent use.
type Builder struct {
	opts    Options
	rules   [customer.NumFields][]Rule
	address []Rule
}

// The address components, which survive together from one record.
var addressFields = [...]customer.Field{
	customer.AddressLine1, customer.AddressLine2, customer.Locality,
	customer.Region, customer.PostalCode, customer.Country,
}

func isAddress(f customer.Field) bool {
	return f >= customer.AddressLine1 && f <= customer.Country
}

// DefaultRules returns the rules of a field (a canonical field name or
// AddressKey) that the configuration leaves out: recency first for
// contact values and addresses, since people change them; frequency first
// for names, dates of birth and gender, so that one source's typo loses to
// what the others agree on.
func DefaultRules(key string) []Rule {
	names := []string{RuleValid, RuleFrequent, RuleTrust, RuleRecent, RuleComplete}
	switch key {
	case "email", "phone":
		names = []string{RuleValid, RuleRecent, RuleTrust, RuleFrequent}
	case AddressKey:
		names = []string{RuleValid, RuleRecent, RuleTrust, RuleComplete, RuleFrequent}
	}
	out := make([]Rule, len(names))
	for i, n := range names {
		out[i] = Rule{Name: n}
	}
	return out
}

// New returns a Builder for opts.
func New(opts Options) *Builder {
	b := &Builder{opts: opts}
	pick := func(key string) []Rule {
		if r, ok := opts.Fields[key]; ok && len(r) > 0 {
			return r
		}
		return DefaultRules(key)
	}
	b.address = pick(AddressKey)
	for f := customer.Field(0); f < customer.NumFields; f++ {
		if isAddress(f) {
			b.rules[f] = b.address
			continue
		}
		b.rules[f] = pick(f.String())
	}
	return b
}

// cand is one candidate value of one member.
type cand struct {
	rec  *customer.Record
	norm string // the normal form (for an address, of its first line)
	key  string // the folded form values group by
	size int    // completeness: length, or for an address, components and length
}

// group is one distinct value (after folding) and the members holding it.
type group struct {
	cands  []cand // best first once ranked
	trust  float64
	order  int // index in the rule's source order; len(order) when unlisted
	recent time.Time
	size   int
	low    string // the lowest record key
}

func (b *Builder) trust(src string) float64 { return b.opts.Sources[src].Trust }

// build is one Build call: the Builder and the record keys of the
// members, made once.
type build struct {
	*Builder
	keys map[*customer.Record]string
}

// key returns the record key "source/id" of member r.
func (b *build) key(r *customer.Record) string {
	if k, ok := b.keys[r]; ok {
		return k
	}
	k := r.Key()
	b.keys[r] = k
	return k
}

// Build returns the golden profile of members under id. Deleted members
// are ignored. suppressed marks a person who must never be contacted.
func (b *Builder) Build(id string, members []customer.Record, suppressed bool) *Profile {
	return (&build{Builder: b, keys: make(map[*customer.Record]string, len(members))}).build(id, members, suppressed)
}

func (b *build) build(id string, members []customer.Record, suppressed bool) *Profile {
	p := &Profile{ID: id, Suppressed: suppressed, Confidence: 1}
	live := make([]*customer.Record, 0, len(members))
	for i := range members {
		if !members[i].Deleted {
			live = append(live, &members[i])
		}
	}
	var cands []cand
	var invalid []Beaten
	for f := customer.Field(0); f < customer.NumFields; f++ {
		if isAddress(f) {
			continue
		}
		cands, invalid = cands[:0], nil
		for _, r := range live {
			r.Each(f, func(v customer.Value) bool {
				switch {
				case v.Usable():
					k := foldKey(f, v.Norm)
					cands = append(cands, cand{rec: r, norm: v.Norm, key: k, size: utf8.RuneCountInString(v.Norm)})
				case v.Status == customer.Invalid:
					invalid = append(invalid, Beaten{Value: v.Raw, Rule: RuleValid, From: []Origin{b.origin(r, f, v.Raw)}})
				}
				return true
			})
		}
		multi := f == customer.Email || f == customer.Phone
		p.Fields[f], p.Beat[f] = b.survive(f, b.rules[f], cands, multi)
		p.Beat[f] = append(p.Beat[f], invalid...)
	}
	b.buildAddress(p, live)
	b.buildAttributes(p, live)
	b.buildConsent(p, live)
	b.buildReach(p)
	return p
}

// survive groups cands by key, ranks the groups under rules and returns
// the surviving values and, for a single-valued field, the beaten ones.
func (b *build) survive(f customer.Field, rules []Rule, cands []cand, multi bool) ([]Value, []Beaten) {
	if len(cands) == 0 {
		return nil, nil
	}
	gs := b.rank(rules, cands)
	values := make([]Value, 0, len(gs))
	var beat []Beaten
	for i := range gs {
		g := &gs[i]
		var rule string
		switch {
		case i == 0 && len(gs) == 1:
			rule = ChoseOnly
		case i == 0:
			rule = b.decisive(rules, &gs[0], &gs[1])
		default:
			rule = b.decisive(rules, &gs[i-1], g)
		}
		if !multi && i > 0 {
			beat = append(beat, Beaten{Value: g.cands[0].norm, Rule: b.decisive(rules, &gs[0], g), From: b.origins(g, f)})
			continue
		}
		values = append(values, Value{Value: g.cands[0].norm, Key: g.cands[0].key, Rule: rule, From: b.origins(g, f)})
	}
	return values, beat
}

func (b *build) origins(g *group, f customer.Field) []Origin {
	out := make([]Origin, len(g.cands))
	for i, c := range g.cands {
		raw := c.norm
		c.rec.Each(f, func(v customer.Value) bool {
			if v.Norm == c.norm {
				raw = v.Raw
				return false
			}
			return true
		})
		out[i] = b.origin(c.rec, f, raw)
	}
	return out
}

func (b *build) origin(r *customer.Record, f customer.Field, raw string) Origin {
	return Origin{Record: b.key(r), Column: b.opts.Sources[r.Source].Columns[f], Raw: raw, UpdatedAt: r.UpdatedAt}
}

// rank groups cands by key and sorts the groups best first under rules,
// and each group's candidates best first under the same rules.
func (b *build) rank(rules []Rule, cands []cand) []group {
	slices.SortFunc(cands, func(x, y cand) int {
		if c := strings.Compare(x.key, y.key); c != 0 {
			return c
		}
		return b.cmpCand(rules, &x, &y)
	})
	order := sourceOrder(rules)
	var gs []group
	for i := 0; i < len(cands); {
		j := i + 1
		for j < len(cands) && cands[j].key == cands[i].key {
			j++
		}
		g := group{cands: cands[i:j:j], order: len(order)}
		if slices.ContainsFunc(g.cands, func(c cand) bool { return c.norm != g.cands[0].norm }) {
			b.preferCommonSpelling(rules, g.cands)
		}
		for _, c := range g.cands {
			g.trust = max(g.trust, b.trust(c.rec.Source))
			if k := slices.Index(order, c.rec.Source); k >= 0 && k < g.order {
				g.order = k
			}
			if c.rec.UpdatedAt.After(g.recent) {
				g.recent = c.rec.UpdatedAt
			}
			g.size = max(g.size, c.size)
			if k := b.key(c.rec); g.low == "" || k < g.low {
				g.low = k
			}
		}
		gs = append(gs, g)
		i = j
	}
	slices.SortStableFunc(gs, func(x, y group) int {
		for _, r := range rules {
			if c := cmpGroup(r, &x, &y); c != 0 {
				return c
			}
		}
		return strings.Compare(x.low, y.low)
	})
	return gs
}

// preferCommonSpelling puts first, within one group, the spelling most
// of its candidates share, when the rules rank by frequency: of "Zoë",
// "Zoë" and "Zoe" the group shows "Zoë".
func (b *build) preferCommonSpelling(rules []Rule, cs []cand) {
	if !slices.ContainsFunc(rules, func(r Rule) bool { return r.Name == RuleFrequent }) {
		return
	}
	count := make(map[string]int, 4)
	for _, c := range cs {
		count[c.norm]++
	}
	slices.SortStableFunc(cs, func(x, y cand) int { return cmp.Compare(count[y.norm], count[x.norm]) })
}

// cmpCand orders two candidates of one group: by the rules (frequency
// aside, which the group shares), then by record key.
func (b *build) cmpCand(rules []Rule, x, y *cand) int {
	for _, r := range rules {
		var c int
		switch r.Name {
		case RuleTrust:
			c = cmp.Compare(b.trust(y.rec.Source), b.trust(x.rec.Source))
		case RuleSource:
			c = cmp.Compare(orderOf(r.Sources, x.rec.Source), orderOf(r.Sources, y.rec.Source))
		case RuleRecent:
			c = y.rec.UpdatedAt.Compare(x.rec.UpdatedAt)
		case RuleComplete:
			c = cmp.Compare(y.size, x.size)
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Or(strings.Compare(x.rec.Source, y.rec.Source), strings.Compare(x.rec.ID, y.rec.ID))
}

// cmpGroup compares two groups under one rule: negative when x is better.
func cmpGroup(r Rule, x, y *group) int {
	switch r.Name {
	case RuleTrust:
		return cmp.Compare(y.trust, x.trust)
	case RuleSource:
		return cmp.Compare(x.order, y.order)
	case RuleRecent:
		return y.recent.Compare(x.recent)
	case RuleFrequent:
		return cmp.Compare(len(y.cands), len(x.cands))
	case RuleComplete:
		return cmp.Compare(y.size, x.size)
	}
	return 0
}

// decisive returns the name of the first rule that ranks x above y.
func (b *build) decisive(rules []Rule, x, y *group) string {
	for _, r := range rules {
		if cmpGroup(r, x, y) != 0 {
			return r.String()
		}
	}
	return ChoseTieBreak
}

func sourceOrder(rules []Rule) []string {
	for _, r := range rules {
		if r.Name == RuleSource {
			return r.Sources
		}
	}
	return nil
}

func orderOf(order []string, src string) int {
	if k := slices.Index(order, src); k >= 0 {
		return k
	}
	return len(order)
}
