package customer

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// maxPhoneDigits is the most digits a phone value may hold; E.164 allows
// 15, and international prefixes and trunk prefixes add a few.
const maxPhoneDigits = 24

// NormalizePhone reads a phone number and formats it as E.164
// ("+447700900123"). A number in national format is read as a number of
// defaultCountry (an ISO 3166-1 alpha-2 code); "+" and "00" (or the
// region's own international prefix) introduce a country calling code.
// Spaces, dots, hyphens, slashes and parentheses are ignored, and an
// extension ("x123", "ext. 123", "#123") is dropped.
//
// The number is invalid when it holds letters or other symbols, is all
// zeros, has an unknown country calling code, or its length is not
// possible for its country (github.com/nyaruka/phonenumbers'
// IsPossibleNumber); a number that is only possible without its area
// code, such as a British local number, is invalid too.
//
// Common shapes are read without phonenumbers.Parse, which costs several
// microseconds, by the same steps on the same metadata; anything else
// goes through Parse. The two agree, as a fuzz test checks.
func NormalizePhone(raw, defaultCountry string) Value {
	raw = trim(raw)
	if missing(raw) {
		return Value{Raw: raw}
	}
	// One buffer for the digits and the E.164 form: the regexp engine
	// makes it escape, so it costs one allocation, not two.
	var buf [2*maxPhoneDigits + 4]byte
	plus, digits, reason := phoneDigits(raw, buf[:0:maxPhoneDigits])
	if reason != "" {
		return invalid(raw, reason)
	}
	region := upperASCII(defaultCountry)
	if !plus && phoneMetaOnce().regions[region] == nil {
		if region == "" {
			return invalid(raw, "phone number has no country calling code and the source has no default country")
		}
		return invalid(raw, "phone number has no country calling code and the default country "+strconv.Quote(region)+" has no telephone numbering plan")
	}
	res := parsePhone(plus, digits, region)
	if reason := res.reason(); reason != "" {
		return invalid(raw, reason)
	}
	e164 := append(strconv.AppendInt(append(buf[maxPhoneDigits:maxPhoneDigits], '+'), int64(res.cc), 10), res.nsn...)
	if again := parsePhone(true, e164[1:], region); again.err != nil || again.cc != res.cc || string(again.nsn) != string(res.nsn) {
		// Read again, the E.164 form would lose a leading zero as a
		// trunk prefix: "+84 0000000000000" is no number.
		return invalid(raw, "phone number has extra leading zeros")
	}
	if string(e164) == raw {
		return Value{Raw: raw, Norm: raw, Status: Valid}
	}
	return Value{Raw: raw, Norm: string(e164), Status: Valid}
}

// phoneDigits collects the digits of s into b and reports whether they
// follow a leading "+". It stops at an extension and returns a reason
// when s holds letters, symbols or no digits at all.
func phoneDigits(s string, b []byte) (plus bool, digits []byte, reason string) {
	if len(s) > 4 && strings.EqualFold(s[:4], "tel:") {
		s = s[4:]
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if len(b) == cap(b) {
				return false, nil, "phone number is too long"
			}
			b = append(b, c)
			i++
			continue
		case c == '+':
			if plus || len(b) > 0 {
				return false, nil, "phone number has a + after its start"
			}
			plus = true
			i++
			continue
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t':
			i++
			continue
		}
		if len(b) > 0 && isExtension(s[i:]) {
			break
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= '０' && r <= '９':
			if len(b) == cap(b) {
				return false, nil, "phone number is too long"
			}
			b = append(b, byte('0'+r-'０'))
		case r == '＋' && !plus && len(b) == 0:
			plus = true
		case isBlank(r) || isInvisible(r) || r >= '\u2010' && r <= '\u2015' || r == '\u2212':
		case unicode.IsLetter(r):
			return false, nil, "phone number contains letters"
		default:
			return false, nil, "phone number contains " + strconv.QuoteRune(r)
		}
		i += n
	}
	if len(b) == 0 {
		return false, nil, "phone number has no digits"
	}
	for _, c := range b {
		if c != '0' {
			return plus, b, ""
		}
	}
	return false, nil, "phone number is all zeros"
}

// isExtension reports whether s, the rest of a phone value after its
// digits, is an extension: a marker such as "x", "ext.", "extension", "#"
// or ";ext=" followed by digits only.
func isExtension(s string) bool {
	rest, ok := "", false
	for _, marker := range [...]string{"extension", ";ext=", "ext.", "ext", "ex", "x", "#", ","} {
		if len(s) >= len(marker) && strings.EqualFold(s[:len(marker)], marker) {
			rest, ok = s[len(marker):], true
			break
		}
	}
	return ok && allDigits(strings.TrimRight(strings.TrimLeft(rest, " .:"), " #"))
}

// phoneResult is a parsed phone number: its country calling code and
// national significant number, or why it could not be parsed, and how
// possible its length is.
type phoneResult struct {
	cc     int
	nsn    []byte
	err    error
	length phonenumbers.ValidationResult
}

// reason returns why the number is not a usable phone number, or "".
func (p phoneResult) reason() string {
	switch {
	case errors.Is(p.err, phonenumbers.ErrInvalidCountryCode):
		return "phone number has an unknown country calling code"
	case errors.Is(p.err, phonenumbers.ErrTooShortNSN), errors.Is(p.err, phonenumbers.ErrTooShortAfterIDD):
		return "phone number is too short"
	case errors.Is(p.err, phonenumbers.ErrNumTooLong):
		return "phone number is too long"
	case p.err != nil:
		return "not a phone number"
	}
	where := phonenumbers.GetRegionCodeForCountryCode(p.cc)
	switch p.length {
	case phonenumbers.IS_POSSIBLE:
		return ""
	case phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return "phone number lacks its area code"
	case phonenumbers.TOO_SHORT:
		return "phone number is too short for " + where
	case phonenumbers.TOO_LONG:
		return "phone number is too long for " + where
	case phonenumbers.INVALID_COUNTRY_CODE:
		return "phone number has an unknown country calling code"
	}
	return "phone number has an impossible length for " + where
}

// parsePhone parses digits, after a "+" when plus is set, in region.
func parsePhone(plus bool, digits []byte, region string) phoneResult {
	if res, ok := phoneMetaOnce().parse(plus, digits, region); ok {
		return res
	}
	return parsePhoneSlow(plus, digits, region)
}

// parsePhoneSlow parses digits with phonenumbers.Parse.
func parsePhoneSlow(plus bool, digits []byte, region string) phoneResult {
	s := string(digits)
	if plus {
		s = "+" + s
	}
	num, err := phonenumbers.Parse(s, region)
	if err != nil {
		return phoneResult{err: err}
	}
	return phoneResult{
		cc:     int(num.GetCountryCode()),
		nsn:    []byte(phonenumbers.GetNationalSignificantNumber(num)),
		length: phonenumbers.IsPossibleNumberWithReason(num),
	}
}

// phoneRegion is the metadata of one region that the fast path needs,
// with its patterns compiled.
type phoneRegion struct {
	id       string
	cc       int
	ccDigits string
	idd      prefix         // international prefix
	npp      prefix         // national prefix for parsing
	general  *regexp.Regexp // every national number, anchored at both ends
	possible []int32        // possible lengths of a national number
	local    []int32        // lengths possible only for local dialling
	fast     bool           // the fast path can parse numbers of this region
}

// phoneMeta indexes phonenumbers' metadata for the fast path.
type phoneMeta struct {
	regions map[string]*phoneRegion // by region code
	main    map[int]*phoneRegion    // main region of each geographic calling code
	known   [1000]bool              // every calling code phonenumbers knows
}

// phoneMetaOnce builds the read-only phone metadata on first use.
var phoneMetaOnce = sync.OnceValue(func() *phoneMeta {
	m := &phoneMeta{regions: make(map[string]*phoneRegion, 256), main: make(map[int]*phoneRegion, 256)}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil { // the metadata is embedded in phonenumbers; every number takes the slow path
		return m
	}
	for _, md := range coll.GetMetadata() {
		if md.GetId() == "001" {
			continue
		}
		m.regions[md.GetId()] = newPhoneRegion(md)
	}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		if cc > 0 && cc < len(m.known) {
			m.known[cc] = true
		}
		if r := m.regions[phonenumbers.GetRegionCodeForCountryCode(cc)]; r != nil {
			m.main[cc] = r
		}
	}
	return m
})

// newPhoneRegion compiles the patterns of md. A region whose national
// prefix is rewritten by a transform rule, or whose patterns do not
// compile, is left to the slow path.
func newPhoneRegion(md *phonenumbers.PhoneMetadata) *phoneRegion {
	gd := md.GetGeneralDesc()
	r := &phoneRegion{
		id:       md.GetId(),
		cc:       int(md.GetCountryCode()),
		ccDigits: strconv.Itoa(int(md.GetCountryCode())),
		possible: gd.GetPossibleLength(),
		local:    gd.GetPossibleLengthLocalOnly(),
	}
	if md.GetNationalPrefixTransformRule() != "" || gd.GetNationalNumberPattern() == "" || len(r.possible) == 0 {
		return r
	}
	var err error
	if r.general, err = regexp.Compile(`^(?:` + gd.GetNationalNumberPattern() + `)$`); err != nil {
		return r
	}
	if r.idd, err = newPrefix(md.GetInternationalPrefix()); err != nil {
		return r
	}
	if r.npp, err = newPrefix(md.GetNationalPrefixForParsing()); err != nil {
		return r
	}
	r.fast = true
	return r
}

// testLength tells how possible a national number of n digits is in r,
// as phonenumbers' testNumberLength does for an unknown number type.
func (r *phoneRegion) testLength(n int) phonenumbers.ValidationResult {
	if r.possible[0] == -1 {
		return phonenumbers.INVALID_LENGTH
	}
	l := int32(n)
	for _, x := range r.local {
		if x == l {
			return phonenumbers.IS_POSSIBLE_LOCAL_ONLY
		}
	}
	switch {
	case l == r.possible[0]:
		return phonenumbers.IS_POSSIBLE
	case l < r.possible[0]:
		return phonenumbers.TOO_SHORT
	case l > r.possible[len(r.possible)-1]:
		return phonenumbers.TOO_LONG
	}
	for _, x := range r.possible[1:] {
		if x == l {
			return phonenumbers.IS_POSSIBLE
		}
	}
	return phonenumbers.INVALID_LENGTH
}

// stripNationalPrefix removes r's national prefix from the start of
// number unless that would turn a number that fits r's pattern into one
// that does not.
func (r *phoneRegion) stripNationalPrefix(number []byte) []byte {
	n := r.npp.match(number)
	if n < 0 {
		return number
	}
	if r.general.Match(number) && !r.general.Match(number[n:]) {
		return number
	}
	return number[n:]
}

// parse follows phonenumbers.Parse for digits that are already
// normalized, and reports false when the number needs a step it does not
// take: a region with a national-prefix transform rule, a non-geographic
// calling code, too few digits, or a "+" with no known calling code.
func (m *phoneMeta) parse(plus bool, d []byte, region string) (phoneResult, bool) {
	def := m.regions[region]
	if def != nil && !def.fast || len(d) < 3 {
		return phoneResult{}, false
	}
	if def == nil && !plus {
		return phoneResult{err: phonenumbers.ErrInvalidCountryCode}, true
	}
	cc := 0
	var nat []byte
	switch {
	case plus:
		if len(d) <= 2 {
			return phoneResult{err: phonenumbers.ErrTooShortAfterIDD}, true
		}
		if cc, nat = m.callingCode(d); cc == 0 {
			return phoneResult{}, false
		}
	case def.iddLength(d) >= 0:
		full := d[def.iddLength(d):]
		if len(full) <= 2 {
			return phoneResult{err: phonenumbers.ErrTooShortAfterIDD}, true
		}
		if cc, nat = m.callingCode(full); cc == 0 {
			return phoneResult{err: phonenumbers.ErrInvalidCountryCode}, true
		}
	case len(d) >= len(def.ccDigits) && string(d[:len(def.ccDigits)]) == def.ccDigits:
		national := def.stripNationalPrefix(d[len(def.ccDigits):])
		if !def.general.Match(d) && def.general.Match(national) || def.testLength(len(d)) == phonenumbers.TOO_LONG {
			cc, nat = def.cc, national
		}
	}
	md := def
	if cc == 0 {
		cc, nat = def.cc, d
	} else if md = m.main[cc]; md == nil || !md.fast {
		return phoneResult{}, false
	} else if md.id == region {
		md = def
	}
	if len(nat) < 2 {
		return phoneResult{err: phonenumbers.ErrTooShortNSN}, true
	}
	stripped := md.stripNationalPrefix(nat)
	switch md.testLength(len(stripped)) {
	case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY, phonenumbers.INVALID_LENGTH:
	default:
		nat = stripped
	}
	switch {
	case len(nat) < 2:
		return phoneResult{err: phonenumbers.ErrTooShortNSN}, true
	case len(nat) > 17:
		return phoneResult{err: phonenumbers.ErrNumTooLong}, true
	}
	main := m.main[cc]
	if main == nil || !main.fast {
		return phoneResult{}, false
	}
	return phoneResult{cc: cc, nsn: nat, length: main.testLength(len(nat))}, true
}

// iddLength returns the length of r's international prefix at the start
// of d, or -1 when d does not start with one followed by a digit other
// than 0.
func (r *phoneRegion) iddLength(d []byte) int {
	n := r.idd.match(d)
	if n < 0 || n < len(d) && d[n] == '0' {
		return -1
	}
	return n
}

// prefix is a pattern of phonenumbers' metadata that must match at the
// start of a number: an alternation of digit strings ("0|180020"), which
// it matches without the regexp engine, or any other pattern.
type prefix struct {
	literals []string       // the alternatives, when all are digit strings
	re       *regexp.Regexp // the pattern anchored at the start, otherwise
}

// newPrefix compiles pattern; an empty pattern matches nothing.
func newPrefix(pattern string) (prefix, error) {
	if pattern == "" {
		return prefix{}, nil
	}
	alts := strings.Split(pattern, "|")
	literal := true
	for _, a := range alts {
		literal = literal && allDigits(a)
	}
	if literal {
		return prefix{literals: alts}, nil
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)`)
	return prefix{re: re}, err
}

// match returns the length of the prefix of d that p matches, as the
// regexp engine's leftmost-first match would, or -1.
func (p prefix) match(d []byte) int {
	if p.re != nil {
		if loc := p.re.FindIndex(d); loc != nil {
			return loc[1]
		}
		return -1
	}
	for _, l := range p.literals {
		if len(d) >= len(l) && string(d[:len(l)]) == l {
			return len(l)
		}
	}
	return -1
}

// callingCode splits the known country calling code of one to three
// digits off the start of d; it returns 0 when there is none.
func (m *phoneMeta) callingCode(d []byte) (int, []byte) {
	if d[0] == '0' {
		return 0, nil
	}
	cc := 0
	for i := 0; i < 3 && i < len(d); i++ {
		cc = cc*10 + int(d[i]-'0')
		if m.known[cc] {
			return cc, d[i+1:]
		}
	}
	return 0, nil
}
