package customer

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Options control how a source's values are normalized. The zero value
// works: no default country, ISO dates, dates of birth from 1900-01-01 up
// to the current time.
type Options struct {
	DefaultCountry string    // ISO 3166-1 alpha-2 region for phones and postcodes, such as "GB"; empty means none
	DateFormat     string    // layout of dates of birth: "iso" (default) or any ParseDateFormat reads, such as "dd.mm.yyyy"
	EarliestDate   time.Time // dates of birth before it are invalid; zero means 1900-01-01
	Now            time.Time // dates of birth after it are invalid; zero means time.Now()
	MaxValue       int       // bytes in one raw value; a longer one is invalid and kept cut to it; 0 means DefaultMaxValue
}

// DefaultMaxValue bounds a raw value when Options.MaxValue is 0.
const DefaultMaxValue = 4096

// tooLong returns the value of a raw value over max bytes: invalid, its
// Raw cut to max bytes on a rune boundary, so a runaway field is never
// kept or echoed whole.
func tooLong(raw string, max int) (Value, bool) {
	if len(raw) <= max {
		return Value{}, false
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(raw[cut]) {
		cut--
	}
	return Value{Raw: raw[:cut], Status: Invalid,
		Reason: "longer than " + strconv.Itoa(max) + " bytes (" + strconv.Itoa(len(raw)) + "); kept cut"}, true
}

// Normalize fills Norm, Status and Reason of every value of r (fields,
// extra values and identifiers) from its Raw value, following the field's
// rule and opt. Raw is kept, trimmed.
//
// The record's own country, once valid, is the region for its phone
// numbers and postcode; opt.DefaultCountry is used when the record has
// none. A missing country is left missing, never guessed.
func Normalize(r *Record, opt Options) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.MaxValue <= 0 {
		opt.MaxValue = DefaultMaxValue
	}
	normalize := func(f Field, raw string) Value {
		if v, long := tooLong(raw, opt.MaxValue); long {
			return v
		}
		return NormalizeField(f, raw, opt)
	}
	country := normalize(Country, r.Fields[Country].Raw)
	r.Fields[Country] = country
	if country.Status == Valid {
		opt.DefaultCountry = country.Norm
	}
	for f := Field(0); f < NumFields; f++ {
		if f != Country {
			r.Fields[f] = normalize(f, r.Fields[f].Raw)
		}
	}
	for i := range r.Extra {
		r.Extra[i].Value = normalize(r.Extra[i].Field, r.Extra[i].Value.Raw)
	}
	for k, v := range r.Identifiers {
		if lv, long := tooLong(v.Raw, opt.MaxValue); long {
			r.Identifiers[k] = lv
			continue
		}
		r.Identifiers[k] = NormalizeIdentifier(v.Raw)
	}
}

// NormalizeField normalizes one raw value of field f. opt.DefaultCountry
// is the region of phone numbers and postcodes.
func NormalizeField(f Field, raw string, opt Options) Value {
	switch f {
	case GivenName, MiddleName, FamilyName, FullName:
		return NormalizeName(raw)
	case Email:
		return NormalizeEmail(raw)
	case Phone:
		return NormalizePhone(raw, opt.DefaultCountry)
	case AddressLine1, AddressLine2, Locality:
		return NormalizeText(raw)
	case Region:
		return NormalizeRegion(raw)
	case PostalCode:
		return NormalizePostcode(raw, opt.DefaultCountry)
	case Country:
		return NormalizeCountry(raw)
	case DateOfBirth:
		return NormalizeDate(raw, opt)
	case Gender:
		return NormalizeGender(raw)
	}
	return NormalizeText(raw)
}

// NormalizeIdentifier cleans a strong identifier: surrounding and
// invisible spaces go, inner runs of spaces become one; case is kept
// because identifiers compare exactly.
func NormalizeIdentifier(raw string) Value {
	raw = trim(raw)
	if isPlaceholder(raw) {
		return Value{Raw: raw}
	}
	return Value{Raw: raw, Norm: cleanText(raw), Status: Valid}
}

// NormalizeText normalizes free text such as an address line or a
// locality: it trims, drops invisible characters, collapses runs of spaces
// (including line breaks and non-breaking spaces) into one and composes
// the text to Unicode NFC. A value without any letter or digit, such as
// "...", is invalid.
func NormalizeText(raw string) Value {
	raw = trim(raw)
	if isPlaceholder(raw) {
		return Value{Raw: raw}
	}
	n := cleanText(raw)
	if !hasAlnum(n) {
		return invalid(raw, "has no letter or digit")
	}
	return Value{Raw: raw, Norm: n, Status: Valid}
}

// NormalizeRegion normalizes a state, county or province: like
// NormalizeText, and a short code of up to three letters, such as the
// Australian "nsw", is upper-cased.
func NormalizeRegion(raw string) Value {
	v := NormalizeText(raw)
	if v.Status != Valid || len(v.Norm) > 3 {
		return v
	}
	for i := 0; i < len(v.Norm); i++ {
		if !isASCIILetter(v.Norm[i]) {
			return v
		}
	}
	v.Norm = upperASCII(v.Norm)
	return v
}

// invalid returns an Invalid value of raw with reason.
func invalid(raw, reason string) Value {
	return Value{Raw: raw, Status: Invalid, Reason: reason}
}

// isPlaceholder reports whether s, already trimmed, is a stand-in for a
// missing value such as "n/a", "none" or "-". It does not count "NA",
// which is a name and Namibia's country code; see isNA.
func isPlaceholder(s string) bool {
	if len(s) > 16 {
		return false
	}
	if s == "" {
		return true
	}
	var buf [16]byte
	b := buf[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	switch string(b) {
	case "-", "--", "---", ".", "..", "...", "?", "??", "???", "*", "#n/a", "n/a", "n.a.", "n.a", "none",
		"null", "(null)", "nil", "undefined", "unknown", "unk", "not known", "not provided", "not given",
		"not available", "not applicable", "none given", "refused", "declined", "tbc", "tbd", "no email",
		"no e-mail", "no phone", "no number", "0":
		return true
	}
	return false
}

// isNA reports whether s is "na" in any case: a placeholder for most
// fields, but a valid name and country code.
func isNA(s string) bool {
	return len(s) == 2 && (s[0]|0x20) == 'n' && (s[1]|0x20) == 'a'
}

// missing reports whether s is a placeholder or "NA": the rule of the
// fields with a fixed format (email, phone, postcode, date, gender), where
// "NA" cannot be a value. Names, countries, addresses, regions and
// identifiers use isPlaceholder alone.
func missing(s string) bool { return isPlaceholder(s) || isNA(s) }

// isInvisible reports whether r is a character that carries no text and
// that exports leave behind: a byte-order mark, a zero-width space or
// joiner, a soft hyphen, or a control character other than whitespace.
func isInvisible(r rune) bool {
	switch r {
	case '\uFEFF', '\u200B', '\u200C', '\u200D', '\u2060', '\u00AD':
		return true
	}
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\v' && r != '\f' || r == 0x7F
}

// isBlank reports whether r separates words: whitespace, including line
// breaks and no-break spaces.
func isBlank(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == '\u00A0' || r == '\u202F' || r == '\u2007' || unicode.IsSpace(r)
}

// trim removes leading and trailing whitespace and invisible characters
// (byte-order marks, zero-width spaces, no-break spaces, CR and LF) from
// s, returning a substring of s.
func trim(s string) string {
	for len(s) > 0 {
		c := s[0]
		if c < utf8.RuneSelf {
			if c > ' ' && c != 0x7F {
				break
			}
			s = s[1:]
			continue
		}
		r, n := utf8.DecodeRuneInString(s)
		if !isBlank(r) && !isInvisible(r) {
			break
		}
		s = s[n:]
	}
	for len(s) > 0 {
		c := s[len(s)-1]
		if c < utf8.RuneSelf {
			if c > ' ' && c != 0x7F {
				break
			}
			s = s[:len(s)-1]
			continue
		}
		r, n := utf8.DecodeLastRuneInString(s)
		if !isBlank(r) && !isInvisible(r) {
			break
		}
		s = s[:len(s)-n]
	}
	return s
}

// isCleanASCII reports whether s is printable ASCII without leading,
// trailing or repeated spaces: text that cleanText returns as is.
func isCleanASCII(s string) bool {
	space := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			if space {
				return false
			}
			space = true
		case c < ' ' || c >= 0x7F:
			return false
		default:
			space = false
		}
	}
	return !space || s == ""
}

// cleanText trims s, drops invisible characters, turns every run of
// whitespace into one space, replaces invalid UTF-8 with U+FFFD and
// composes the result to NFC. Clean input is returned without allocating.
func cleanText(s string) string {
	if isCleanASCII(s) {
		return s
	}
	ascii := isASCII(s)
	if !ascii && utf8.ValidString(s) && norm.NFC.IsNormalString(s) && isCleanUnicode(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s { // invalid bytes arrive as U+FFFD
		switch {
		case isInvisible(r):
		case isBlank(r):
			space = b.Len() > 0
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	if ascii {
		return b.String()
	}
	return norm.NFC.String(b.String())
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isCleanUnicode reports whether s has no invisible characters, no
// whitespace but single inner ASCII spaces.
func isCleanUnicode(s string) bool {
	space := true
	for _, r := range s {
		switch {
		case r == ' ':
			if space {
				return false
			}
			space = true
		case isInvisible(r) || isBlank(r):
			return false
		default:
			space = false
		}
	}
	return !space || s == ""
}

// hasAlnum reports whether s holds at least one letter or digit.
func hasAlnum(s string) bool {
	for _, r := range s {
		if r < utf8.RuneSelf {
			if isASCIILetter(byte(r)) || r >= '0' && r <= '9' {
				return true
			}
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// upperASCII upper-cases the ASCII letters of s, returning s itself when
// it has no lower-case ASCII letter.
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// lowerASCII lower-cases the ASCII letters of s, returning s itself when
// it has no upper-case ASCII letter.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
