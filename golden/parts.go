package golden

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scvhq/scv/customer"
)

// buildAddress lets the address components survive together: the
// candidates are whole addresses, one per member with a valid component,
// and every component of the winner comes from the same record.
func (b *build) buildAddress(p *Profile, live []*customer.Record) {
	var cands []cand
	var key []byte
	for _, r := range live {
		key = key[:0]
		n, size := 0, 0
		for _, f := range addressFields {
			v := r.Fields[f]
			if v.Status == customer.Invalid {
				p.Beat[f] = append(p.Beat[f], Beaten{Value: v.Raw, Rule: RuleValid, From: []Origin{b.origin(r, f, v.Raw)}})
			}
			key = append(key, 0)
			if v.Usable() {
				n++
				size += utf8.RuneCountInString(v.Norm)
				key = append(key, foldKey(f, v.Norm)...)
			}
		}
		if n > 0 {
			cands = append(cands, cand{rec: r, norm: r.Fields[customer.AddressLine1].Norm, key: string(key), size: n*1000 + size})
		}
	}
	if len(cands) == 0 {
		return
	}
	// A postal address (a first line, and a postcode or locality) beats a
	// fragment such as a bare town, whatever the rules: the fragment would
	// otherwise take the whole address with it.
	full := func(c cand) bool {
		f := &c.rec.Fields
		return f[customer.AddressLine1].Usable() && (f[customer.PostalCode].Usable() || f[customer.Locality].Usable())
	}
	var fragments []*customer.Record
	if slices.ContainsFunc(cands, full) && slices.ContainsFunc(cands, func(c cand) bool { return !full(c) }) {
		kept := cands[:0]
		for _, c := range cands {
			if full(c) {
				kept = append(kept, c)
			} else {
				fragments = append(fragments, c.rec)
			}
		}
		cands = kept
	}
	gs := b.rank(b.address, cands)
	rule := ChoseOnly
	if len(gs) > 1 {
		rule = b.decisive(b.address, &gs[0], &gs[1])
	}
	win := gs[0].cands[0].rec
	for _, f := range addressFields {
		v := win.Fields[f]
		if !v.Usable() {
			continue
		}
		val := Value{Value: v.Norm, Key: foldKey(f, v.Norm), Rule: rule}
		for _, c := range gs[0].cands {
			val.From = append(val.From, b.origin(c.rec, f, c.rec.Fields[f].Raw))
		}
		p.Fields[f] = []Value{val}
	}
	for _, r := range fragments {
		for _, f := range addressFields {
			if v := r.Fields[f]; v.Usable() && foldKey(f, v.Norm) != foldKey(f, win.Fields[f].Norm) {
				p.Beat[f] = append(p.Beat[f], Beaten{Value: v.Norm, Rule: "postal address", From: []Origin{b.origin(r, f, v.Raw)}})
			}
		}
	}
	for i := 1; i < len(gs); i++ {
		lost := b.decisive(b.address, &gs[0], &gs[i])
		for _, f := range addressFields {
			v := gs[i].cands[0].rec.Fields[f]
			if !v.Usable() || foldKey(f, v.Norm) == foldKey(f, win.Fields[f].Norm) {
				continue
			}
			bt := Beaten{Value: v.Norm, Rule: lost}
			for _, c := range gs[i].cands {
				bt.From = append(bt.From, b.origin(c.rec, f, c.rec.Fields[f].Raw))
			}
			p.Beat[f] = append(p.Beat[f], bt)
		}
	}
}

// attrCand is one member's value of an attribute.
type attrCand struct {
	rec *customer.Record
	raw string
	num float64
	ok  bool // raw is a number
}

// buildAttributes applies each attribute's rule.
func (b *build) buildAttributes(p *Profile, live []*customer.Record) {
	var names []string
	for _, r := range live {
		for k := range r.Attributes {
			if !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
	}
	if len(names) == 0 {
		return
	}
	slices.Sort(names)
	p.Attributes = make(map[string]Attribute, len(names))
	for _, name := range names {
		rule := b.opts.Attributes[name]
		if rule == "" {
			rule = AttrLatest
		}
		var cs []attrCand
		for _, r := range live {
			raw, ok := r.Attributes[name]
			if !ok || raw == "" {
				continue
			}
			n, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
			cs = append(cs, attrCand{rec: r, raw: raw, num: n, ok: err == nil})
		}
		if len(cs) > 0 {
			p.Attributes[name] = b.attribute(name, rule, cs)
		}
	}
}

func (b *build) attribute(name, rule string, cs []attrCand) Attribute {
	origin := func(c attrCand) Origin {
		return Origin{Record: b.key(c.rec), Column: b.opts.Sources[c.rec.Source].Attributes[name], Raw: c.raw, UpdatedAt: c.rec.UpdatedAt}
	}
	byKey := func(x, y attrCand) int {
		return cmp.Or(strings.Compare(x.rec.Source, y.rec.Source), strings.Compare(x.rec.ID, y.rec.ID))
	}
	recent := func(x, y attrCand) int { return y.rec.UpdatedAt.Compare(x.rec.UpdatedAt) }
	trust := func(x, y attrCand) int { return cmp.Compare(b.trust(y.rec.Source), b.trust(x.rec.Source)) }
	var a Attribute
	a.Rule = rule
	numeric := rule == AttrMax || rule == AttrMin || rule == AttrSum
	if numeric {
		kept := cs[:0:0]
		for _, c := range cs {
			if c.ok {
				kept = append(kept, c)
			} else {
				a.Beat = append(a.Beat, Beaten{Value: c.raw, Rule: "not a number", From: []Origin{origin(c)}})
			}
		}
		cs = kept
		if len(cs) == 0 {
			return a
		}
	}
	switch rule {
	case AttrSum:
		slices.SortFunc(cs, byKey)
		sum := 0.0
		for _, c := range cs {
			sum += c.num
			a.From = append(a.From, origin(c))
		}
		a.Value = strconv.FormatFloat(sum, 'f', -1, 64)
		return a
	case AttrMax:
		slices.SortFunc(cs, func(x, y attrCand) int { return cmp.Or(cmp.Compare(y.num, x.num), recent(x, y), byKey(x, y)) })
	case AttrMin:
		slices.SortFunc(cs, func(x, y attrCand) int { return cmp.Or(cmp.Compare(x.num, y.num), recent(x, y), byKey(x, y)) })
	case AttrTrust:
		slices.SortFunc(cs, func(x, y attrCand) int { return cmp.Or(trust(x, y), recent(x, y), byKey(x, y)) })
	default:
		slices.SortFunc(cs, func(x, y attrCand) int { return cmp.Or(recent(x, y), trust(x, y), byKey(x, y)) })
	}
	a.Value = cs[0].raw
	a.From = []Origin{origin(cs[0])}
	for _, c := range cs[1:] {
		if c.raw == a.Value {
			a.From = append(a.From, origin(c))
			continue
		}
		a.Beat = append(a.Beat, Beaten{Value: c.raw, Rule: rule, From: []Origin{origin(c)}})
	}
	return a
}

// buildConsent finds, per channel, the most recent explicit statement
// among the members (customer.Consent.Supersedes): a newer denial beats
// an older grant and a newer grant an older denial; unknown stays unknown.
func (b *build) buildConsent(p *Profile, live []*customer.Record) {
	p.Consent = make(map[string]Consent, 4)
	channels := Channels()
	for _, r := range live {
		for ch := range r.Consent {
			if !slices.Contains(channels, ch) {
				channels = append(channels, ch)
			}
		}
	}
	for _, ch := range channels {
		var best customer.Consent
		var bestRec *customer.Record
		var all []*customer.Record
		for _, r := range live {
			c, ok := r.Consent[ch]
			if !ok {
				continue
			}
			all = append(all, r)
			if c.Supersedes(best) || (bestRec != nil && !best.Supersedes(c) && c.Status == best.Status && b.key(r) < b.key(bestRec)) {
				best, bestRec = c, r
			}
		}
		g := Consent{Status: best.Status, At: best.At}
		if bestRec != nil {
			o := b.consentOrigin(bestRec, ch)
			g.From = &o
		}
		for _, r := range all {
			if r == bestRec {
				continue
			}
			c := r.Consent[ch]
			var why string
			switch {
			case c.Invalid():
				why = RuleValid
			case c.Status == customer.ConsentUnknown:
				continue
			case c.Status == best.Status:
				why = "same answer"
			case c.At.IsZero() && !best.At.IsZero():
				why = "dated statement"
			case !best.At.Equal(c.At):
				why = "newer statement"
			default:
				why = "denial on the same date"
			}
			val := c.Status.String()
			if c.Invalid() {
				val = c.Raw
			}
			g.Beat = append(g.Beat, Beaten{Value: val, Rule: why, From: []Origin{b.consentOrigin(r, ch)}})
		}
		p.Consent[ch] = g
	}
}

func (b *build) consentOrigin(r *customer.Record, ch string) Origin {
	c := r.Consent[ch]
	return Origin{Record: b.key(r), Column: b.opts.Sources[r.Source].Consent[ch], Raw: c.Raw, UpdatedAt: c.At}
}

// buildReach decides reachability per channel: a valid golden contact
// value, consent granted (or not denied on an opt-out channel) and no
// suppression.
func (b *build) buildReach(p *Profile) {
	p.Reach = make(map[string]Reach, len(p.Consent))
	for ch, c := range p.Consent {
		var why string
		switch {
		case p.Suppressed:
			why = NotReachableSuppressed
		case !HasContact(p, ch):
			why = NotReachableNoValue
		case c.Status == customer.ConsentDenied:
			why = NotReachableDenied
		case c.Status == customer.ConsentUnknown && !b.opts.OptOut[ch]:
			why = NotReachableUnknown
		}
		p.Reach[ch] = Reach{Reachable: why == "", Reason: why}
	}
}

// HasContact reports whether p has a valid golden value to contact it on
// channel ch: an email, a phone (sms and phone), or a postal address (a
// first line and a postcode or locality).
func HasContact(p *Profile, ch string) bool {
	switch ch {
	case "email":
		return len(p.Fields[customer.Email]) > 0
	case "sms", "phone":
		return len(p.Fields[customer.Phone]) > 0
	case "post":
		return len(p.Fields[customer.AddressLine1]) > 0 &&
			(len(p.Fields[customer.PostalCode]) > 0 || len(p.Fields[customer.Locality]) > 0)
	}
	return false
}
