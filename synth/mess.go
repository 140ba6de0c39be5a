package synth

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// records plans p's records over the sources and generates them: one to
// four sources, and sometimes a second record in one of them.
func (g *generator) records(p *person) {
	var k int
	switch x := g.rng.Float64(); {
	case x < 0.35:
		k = 1
	case x < 0.7:
		k = 2
	case x < 0.9:
		k = 3
	default:
		k = 4
	}
	k = min(k, len(g.srcs))
	var chosen [8]int
	n := 0
	for n < k {
		i := g.pick(g.srcCum)
		dup := false
		for _, c := range chosen[:n] {
			dup = dup || c == i
		}
		if !dup {
			chosen[n] = i
			n++
		}
	}
	for _, i := range chosen[:n] {
		g.emit(g.srcs[i], p)
	}
	if g.chance(g.rates.Duplicate) {
		g.count(KindDuplicate)
		g.emit(g.srcs[chosen[g.rng.IntN(n)]], p)
	}
}

// emit generates one record of p in source s.
func (g *generator) emit(s *sourceState, p *person) {
	r := s.next(p.entity)
	if g.chance(g.rates.MissingID) {
		r.noID = true
		g.count(KindMissingID)
	}
	span := g.now.Sub(p.since)
	v := view{p: p, at: p.since.Add(time.Duration(g.rng.Int64N(int64(span))))}
	g.names(&v, s.def)
	s.def.row(g, &v, r.vals)
}

// view is one record's version of a person: what a source wrote down at
// time at.
type view struct {
	p              *person
	at             time.Time
	given, family  string
	middle         string
	street, short  string
	number, flat   string
	city, postcode string
	addr           *address
}

// names fills v's names and address, with nicknames, dropped accents,
// typos and swaps at their rates.
func (g *generator) names(v *view, def *sourceDef) {
	p := v.p
	v.given, v.middle, v.family = p.given.name, p.middle, p.family
	if p.family2 != "" && g.chance(def.bothSurnames) {
		v.family += " " + p.family2
	}
	if p.nick != "" && g.chance(g.rates.Nickname) {
		v.given = p.nick
		g.count(KindNickname)
	}
	a := p.h.addr
	if p.h.old != nil && v.at.Before(p.h.movedAt) {
		a = p.h.old
		g.count(KindOldAddress)
	}
	v.addr = a
	v.street, v.short, v.number, v.flat = a.street, a.short, a.number, a.flat
	v.city, v.postcode = a.city.name, a.postcode
	if hasAccent(v.given+v.family+v.street+v.city) && g.chance(g.rates.DropAccents) {
		v.given, v.family, v.street, v.short, v.city = fold(v.given), fold(v.family), fold(v.street), fold(v.short), fold(v.city)
		g.count(KindAccentsDropped)
	}
	if g.chance(g.rates.Typo) {
		g.count(KindTypo)
		switch x := g.rng.IntN(10); {
		case x < 4:
			v.given = g.typo(v.given)
		case x < 8:
			v.family = g.typo(v.family)
		default:
			v.street, v.short = g.typo(v.street), g.typo(v.short)
		}
	}
	if g.chance(g.rates.SwapNames) {
		v.given, v.family = v.family, v.given
		g.count(KindSwapNames)
	}
}

// email returns the address v's record holds: the household's, an older
// one or the current one, perhaps malformed or mistyped; or, at the rates
// of absent(scale), nothing.
func (g *generator) email(v *view, scale float64) string {
	if s, absent := g.absent(scale); absent {
		return s
	}
	p := v.p
	e := p.email
	switch {
	case p.h.email != "" && g.chance(0.5):
		e = p.h.email
		g.count(KindSharedEmail)
	case p.oldEmail != "" && v.at.Before(p.emailChanged):
		e = p.oldEmail
		g.count(KindOldEmail)
	}
	switch {
	case g.chance(g.rates.InvalidEmail):
		g.count(KindInvalidEmail)
		return g.breakEmail(e)
	case g.chance(g.rates.EmailTypo):
		g.count(KindEmailTypo)
		local, domain, _ := strings.Cut(e, "@")
		label, rest, _ := strings.Cut(domain, ".")
		return local + "@" + g.typo(label) + "." + rest
	case g.chance(0.1):
		return mixedCase(e)
	}
	return e
}

// breakEmail makes a malformed address of e, as people type them.
func (g *generator) breakEmail(e string) string {
	local, domain, _ := strings.Cut(e, "@")
	label, _, _ := strings.Cut(domain, ".")
	switch g.rng.IntN(6) {
	case 0:
		return local + "@"
	case 1:
		return local + "@" + label
	case 2:
		return local + "@@" + domain
	case 3:
		return local + "." + domain
	case 4:
		return strings.Replace(local, ".", " ", 1) + " @" + domain
	}
	return local + "@" + strings.Replace(domain, ".", ",", 1)
}

// mixedCase capitalises the words of an email address, as some forms do.
func mixedCase(e string) string {
	b := []byte(e)
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '.' || c == '@' || c == '_'
	}
	return string(b)
}

// phone returns the number v's record holds: the household's landline or
// the person's mobile, formatted as a source whose default country is
// home writes it, perhaps broken; or, at the rates of absent(scale),
// nothing.
func (g *generator) phone(v *view, home string, scale float64) string {
	if s, absent := g.absent(scale); absent {
		return s
	}
	p := v.p
	c := p.h.c
	nsn := p.mobile
	if p.h.landline != "" && g.chance(0.35) {
		nsn = p.h.landline
		g.count(KindSharedPhone)
	}
	national := g.chance(0.6)
	if c.code != home {
		national = g.chance(g.rates.NationalAbroad)
		if national {
			g.count(KindNationalAbroad)
		}
	}
	var s string
	f := one(g, c.format)
	if national {
		s = group(c.trunk+nsn, f)
	} else {
		f = international(f, c.trunk)
		switch g.rng.IntN(4) {
		case 0:
			s = "+" + c.dial + nsn
		case 1:
			s = "00" + c.dial + " " + group(nsn, f)
		case 2:
			if c.trunk != "" {
				s = "+" + c.dial + " (" + c.trunk + ")" + group(nsn, f)
				break
			}
			fallthrough
		default:
			s = "+" + c.dial + " " + group(nsn, f)
		}
	}
	if g.chance(g.rates.InvalidPhone) {
		g.count(KindInvalidPhone)
		return g.breakPhone(s)
	}
	return s
}

// international adapts a national format to the digits after the
// country code: no parentheses, and the trunk prefix gone from the first
// group.
func international(f phoneFormat, trunk string) phoneFormat {
	out := phoneFormat{groups: slices.Clone(f.groups), sep: f.sep}
	if out.groups[0] > len(trunk) {
		out.groups[0] -= len(trunk)
	}
	return out
}

// group splits digits into groups of f's lengths, the rest forming the
// last group.
func group(digits string, f phoneFormat) string {
	if len(f.groups) == 1 && f.groups[0] == 0 {
		return digits
	}
	var b strings.Builder
	rest := digits
	for i, n := range f.groups {
		if n >= len(rest) {
			break
		}
		switch {
		case i == 0 && f.paren:
			b.WriteString("(" + rest[:n] + ") ")
		default:
			b.WriteString(rest[:n])
			b.WriteString(f.sep)
		}
		rest = rest[n:]
	}
	b.WriteString(rest)
	return b.String()
}

// breakPhone makes a number that is not a possible one.
func (g *generator) breakPhone(s string) string {
	switch g.rng.IntN(4) {
	case 0:
		return s[:len(s)-4]
	case 1:
		return s + "99"
	case 2:
		return "0000 000000"
	}
	return s[:min(len(s), 5)]
}

// birthDate returns v's date of birth as its record holds it in layout
// (see formatDate): perhaps with day and month swapped or impossible; or,
// at the rates of absent(scale), nothing.
func (g *generator) birthDate(v *view, layout string, scale float64) string {
	if s, absent := g.absent(scale); absent {
		return s
	}
	d := v.p.dob
	if g.chance(g.rates.BadDate) {
		g.count(KindBadDate)
		d.y = g.now.Year() + 1 + g.rng.IntN(60)
	}
	swap := g.chance(g.rates.SwapDayMonth)
	if swap {
		g.count(KindSwapDayMonth)
	}
	return formatDate(d, layout, swap)
}

// formatDate writes d in layout "iso", "yyyymmdd", "dd/mm/yyyy" or
// "mm/dd/yyyy", with day and month swapped when swap is set.
func formatDate(d date, layout string, swap bool) string {
	day, month := d.d, d.m
	if swap {
		day, month = month, day
	}
	b := make([]byte, 0, 10)
	two := func(n int) {
		b = append(b, byte('0'+n/10), byte('0'+n%10))
	}
	year := func() { b = strconv.AppendInt(b, int64(d.y), 10) }
	switch layout {
	case "yyyymmdd":
		year()
		two(month)
		two(day)
	case "dd/mm/yyyy":
		two(day)
		b = append(b, '/')
		two(month)
		b = append(b, '/')
		year()
	case "mm/dd/yyyy":
		two(month)
		b = append(b, '/')
		two(day)
		b = append(b, '/')
		year()
	default:
		year()
		b = append(b, '-')
		two(month)
		b = append(b, '-')
		two(day)
	}
	return string(b)
}

// placeholder returns what forms put where a value is missing; scv treats
// every one of them as missing.
func placeholder(g *generator) string {
	return one(g, []string{"n/a", "N/A", "-", "none", "unknown", "NULL", "?"})
}

// optional returns s, or, at the rates Missing×scale and Placeholder, an
// empty value or a placeholder.
func (g *generator) optional(s string, scale float64) string {
	if s == "" {
		return s
	}
	if p, absent := g.absent(scale); absent {
		return p
	}
	return s
}

// absent decides whether an optional value is left out, at the rates
// Missing×scale and Placeholder, and returns what stands in its place: an
// empty value or a placeholder.
func (g *generator) absent(scale float64) (string, bool) {
	x := g.rng.Float64()
	miss := g.rates.Missing * scale
	switch {
	case x < miss:
		g.count(KindMissing)
		return "", true
	case x < miss+g.rates.Placeholder:
		g.count(KindPlaceholder)
		return placeholder(g), true
	}
	return "", false
}

// keyboard neighbours of lower-case letters on a QWERTY layout.
const qwerty = "qwertyuiop asdfghjkl zxcvbnm"

// ocr are pairs that optical character recognition and hurried typists
// confuse; the last two put digits into names.
func ocr() [][2]string {
	return [][2]string{{"rn", "m"}, {"m", "rn"}, {"cl", "d"}, {"e", "c"}, {"i", "l"}, {"vv", "w"}, {"h", "b"}, {"l", "1"}, {"o", "0"}}
}

// typo applies one typing error to s: a transposition, a dropped or
// doubled letter, a neighbouring key or an OCR-like confusion.
func (g *generator) typo(s string) string {
	r := []rune(s)
	if len(r) < 3 {
		return s
	}
	i := 1 + g.rng.IntN(len(r)-2)
	switch g.rng.IntN(5) {
	case 0:
		r[i], r[i+1] = r[i+1], r[i]
	case 1:
		r = append(r[:i], r[i+1:]...)
	case 2:
		r = append(r[:i+1], r[i:]...)
	case 3:
		if k := strings.IndexRune(qwerty, unicode.ToLower(r[i])); k >= 0 {
			n := k + 1
			if n >= len(qwerty) || qwerty[n] == ' ' || (k > 0 && qwerty[k-1] != ' ' && g.rng.IntN(2) == 0) {
				n = k - 1
			}
			r[i] = rune(qwerty[n])
		} else {
			r = append(r[:i], r[i+1:]...)
		}
	default:
		// Confuse a random pair found after the first letter.
		pairs := ocr()
		k := g.rng.IntN(len(pairs))
		lower := strings.ToLower(s)
		skip := utf8.RuneLen(r[0])
		for range pairs {
			pair := pairs[k]
			if j := strings.Index(lower[skip:], pair[0]); j >= 0 {
				j += skip
				return s[:j] + pair[1] + s[j+len(pair[0]):]
			}
			k = (k + 1) % len(pairs)
		}
		r[i], r[i+1] = r[i+1], r[i]
	}
	return string(r)
}
