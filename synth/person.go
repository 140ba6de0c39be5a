package synth

import (
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/scvhq/scv/customer"
)

// date is a calendar date.
type date struct{ y, m, d int }

// address is where a household lives.
type address struct {
	number   string
	street   string // "High Street", "Hauptstraße", "rue de la Paix"
	short    string // the street with its kind abbreviated: "High St"
	flat     string // "Flat 3"; empty for a house
	city     *city
	postcode string
}

// household is people sharing an address and, when there are several of
// them, a landline and perhaps a family email.
type household struct {
	c        *country
	cul      *culture
	addr     *address
	old      *address  // the address before moving; nil when it never moved
	movedAt  time.Time // records older than this show the old address
	landline string    // national significant number; empty for one person
	email    string    // shared family email; empty when none
}

// person is one real customer: the truth every record of theirs is a
// view of.
type person struct {
	entity       int
	h            *household
	male         bool
	given        *givenName
	nick         string
	middle       string
	family       string
	family2      string // second surname in Spanish naming; empty otherwise
	dob          date
	email        string
	oldEmail     string
	emailChanged time.Time
	mobile       string // national significant number
	since        time.Time
	loyalty      string
}

// household generates one household and the records of its people.
func (g *generator) household() {
	size := 1
	// The share of people in shared households is Household; shared
	// households hold 2 (60%), 3 (25%) or 4 (15%) people, 2.55 on average.
	const mean = 2.55
	if share := g.rates.Household; share > 0 && g.chance(share/(mean*(1-share)+share)) {
		switch x := g.rng.Float64(); {
		case x < 0.6:
			size = 2
		case x < 0.85:
			size = 3
		default:
			size = 4
		}
	}
	size = min(size, g.options.Customers-g.entity)
	c := g.countries[g.pick(g.countryCum)]
	h := &household{c: c, addr: g.address(c)}
	h.cul = g.cultures[c.cultures[g.pick(c.culCum)].name]
	if g.chance(g.rates.Moved) {
		h.old = g.address(c)
		h.movedAt = g.now.Add(-time.Duration(30+g.rng.IntN(4*365)) * 24 * time.Hour)
	}
	family, family2 := g.surnames(h.cul)
	if size > 1 {
		g.sum.Households++
		h.landline = g.uniquePhone(c, func() string { return c.landline(g, h.addr.city) })
		if g.chance(g.rates.SharedEmail) {
			h.email = g.uniqueEmail(slug(family)+one(g, []string{"family", "household", "s", "home", ".family"}), one(g, c.emails).name)
		}
	}
	var first *person
	used := make(map[string]bool, size)
	for i := range size {
		p := g.person(h, i, first, used)
		if i == 0 {
			first = p
			p.family, p.family2 = family, family2
		}
		g.emailsOf(p)
		g.records(p)
	}
}

// surnames draws a family name, and a second one for Spanish naming.
func (g *generator) surnames(cul *culture) (string, string) {
	f := cul.family[g.pick(cul.familyCum)]
	if cul.code != "es" {
		return f, ""
	}
	return f, cul.family[g.pick(cul.familyCum)]
}

// person generates member i of h; first is member 0 once it exists.
func (g *generator) person(h *household, i int, first *person, used map[string]bool) *person {
	g.entity++
	p := &person{entity: g.entity, h: h}
	age := 0
	switch {
	case i == 0:
		p.male = g.rng.IntN(2) == 0
		age = 20 + g.rng.IntN(40) + g.rng.IntN(30)
	case i == 1:
		// A partner: mostly of the other sex, of a similar age, mostly
		// sharing the family name.
		p.male = !first.male
		if g.chance(0.08) {
			p.male = first.male
		}
		age = max(18, first.age(g.now)+g.rng.IntN(13)-6)
		p.family, p.family2 = first.family, first.family2
		if g.chance(0.25) {
			p.family, p.family2 = g.surnames(p.h.cul)
		}
	default:
		// A grown-up child, or else a lodger.
		p.male = g.rng.IntN(2) == 0
		age = first.age(g.now) - 22 - g.rng.IntN(16)
		p.family, p.family2 = first.family, g.secondSurname(p.h.cul, first)
		if age < 18 {
			age = 18 + g.rng.IntN(30)
			p.family, p.family2 = g.surnames(p.h.cul)
		}
	}
	sex := 0
	if p.male {
		sex = 1
	}
	for range 20 {
		p.given = &p.h.cul.given[sex][g.pick(p.h.cul.givenCum[sex])]
		if !used[p.given.name] {
			break
		}
	}
	used[p.given.name] = true
	if len(p.given.nicks) > 0 {
		p.nick = one(g, p.given.nicks)
	}
	if p.h.cul.code == "en" && g.chance(0.3) {
		p.middle = p.h.cul.given[sex][g.pick(p.h.cul.givenCum[sex])].name
	}
	p.dob = g.birthday(age)
	p.since = g.now.Add(-time.Duration(30*24*3600+g.rng.IntN(8*365*24*3600)) * time.Second)
	p.mobile = g.uniquePhone(h.c, func() string { return h.c.mobile(g) })
	if g.chance(0.45) {
		p.loyalty = loyaltyID(p.entity)
	}
	return p
}

// secondSurname is the second surname of a child of first in Spanish
// naming: anyone's, as the mother's first surname is not modelled.
func (g *generator) secondSurname(cul *culture, first *person) string {
	if first.family2 == "" {
		return ""
	}
	return cul.family[g.pick(cul.familyCum)]
}

// emailsOf gives p an email address, and an older one when it changed.
func (g *generator) emailsOf(p *person) {
	c := p.h.c
	p.email = g.personalEmail(p, one(g, c.emails).name)
	if g.chance(g.rates.EmailChanged) {
		old := one(g, c.emails).name
		p.oldEmail = g.personalEmail(p, old)
		span := g.now.Sub(p.since)
		p.emailChanged = p.since.Add(time.Duration(g.rng.Int64N(int64(span))))
	}
}

// age returns p's age in whole years at now.
func (p *person) age(now time.Time) int {
	a := now.Year() - p.dob.y
	if int(now.Month()) < p.dob.m || (int(now.Month()) == p.dob.m && now.Day() < p.dob.d) {
		a--
	}
	return a
}

// birthday draws a date of birth of someone age years old at g.now.
func (g *generator) birthday(age int) date {
	end := g.now.AddDate(-age, 0, 0)
	t := end.Add(-time.Duration(1+g.rng.IntN(364)) * 24 * time.Hour)
	return date{t.Year(), int(t.Month()), t.Day()}
}

// loyaltyID is a unique, scrambled loyalty card number for person n.
func loyaltyID(n int) string {
	// 387420489 is odd and not a multiple of 5, so multiplying by it
	// permutes the residues modulo 10^9.
	v := (uint64(n) * 387420489) % 1_000_000_000
	b := append(make([]byte, 0, 11), "LY"...)
	s := strconv.FormatUint(v, 10)
	for range 9 - len(s) {
		b = append(b, '0')
	}
	return string(append(b, s...))
}

// address draws an address in country c.
func (g *generator) address(c *country) *address {
	ci := &c.cities[g.rng.IntN(len(c.cities))]
	base := one(g, c.streets)
	kind := one(g, c.kinds)
	a := &address{
		number:   strconv.Itoa(1 + g.rng.IntN(30) + g.rng.IntN(30)*g.rng.IntN(6)),
		street:   streetName(base, kind.full, kind.before),
		short:    streetName(base, kind.short, kind.before),
		city:     ci,
		postcode: c.postcode(g, ci),
	}
	if g.chance(0.15) {
		a.flat = c.flat + " " + strconv.Itoa(1+g.rng.IntN(40))
		if g.chance(0.2) {
			a.flat += string(rune('A' + g.rng.IntN(4)))
		}
	}
	return a
}

// streetName joins a street's name and kind in its country's order.
func streetName(base, kind string, before bool) string {
	switch {
	case before:
		return kind + " " + base
	case kind[0] >= 'a' && kind[0] <= 'z':
		// German kinds join the name ("Hauptstraße"), except after a
		// name of several words ("Am Markt").
		if strings.ContainsRune(base, ' ') {
			return base
		}
		return base + kind
	}
	return base + " " + kind
}

// line1 writes an address's first line in its country's style, with the
// street as given.
func line1(c *country, number, street string) string {
	switch {
	case c.numFirst:
		return number + " " + street
	case c.code == "ES":
		return street + ", " + number
	}
	return street + " " + number
}

// slug makes a name fit for an email address: its customer.FoldName key
// with only the ASCII letters and digits kept.
func slug(s string) string {
	k := customer.FoldName(s)
	b := make([]byte, 0, len(k))
	for i := 0; i < len(k); i++ {
		if c := k[i]; c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b = append(b, c)
		}
	}
	if len(b) == len(k) {
		return k
	}
	return string(b)
}

// personalEmail makes a new address for p at provider in one of the
// common patterns.
func (g *generator) personalEmail(p *person, provider string) string {
	first, last := slug(p.given.name), slug(p.family)
	if last == "" {
		last = "x"
	}
	yy := strconv.Itoa(p.dob.y % 100)
	var local string
	switch x := g.rng.IntN(100); {
	case x < 30:
		local = first + "." + last
	case x < 42:
		local = first + last
	case x < 52:
		local = first[:1] + "." + last
	case x < 60:
		local = first[:1] + last
	case x < 66:
		local = first + "_" + last
	case x < 76:
		local = first + "." + last + yy
	case x < 84:
		local = first + last[:1] + g.digits(2+g.rng.IntN(3))
	case x < 89:
		local = last + "." + first
	case x < 94 && p.nick != "":
		local = slug(p.nick) + last
	default:
		local = first + g.digits(2+g.rng.IntN(3))
	}
	return g.uniqueEmail(local, provider)
}

// uniqueEmail returns local@provider, with digits added to local until
// the address has not been handed out before.
func (g *generator) uniqueEmail(local, provider string) string {
	e := local + "@" + provider
	for try := 1; ; try++ {
		h := sum64(e)
		if _, taken := g.emails[h]; !taken {
			g.emails[h] = struct{}{}
			return e
		}
		e = local + g.digits(min(try, 6)) + "@" + provider
	}
}

// uniquePhone draws numbers of country c until one has not been handed
// out before: strangers never share a phone.
func (g *generator) uniquePhone(c *country, draw func() string) string {
	for {
		nsn := draw()
		h := sum64(c.dial + ":" + nsn)
		if _, taken := g.phones[h]; !taken {
			g.phones[h] = struct{}{}
			return nsn
		}
	}
}

// sum64 is the 64-bit FNV-1a hash of s.
func sum64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s)) // never fails; the conversion does not copy
	return h.Sum64()
}
