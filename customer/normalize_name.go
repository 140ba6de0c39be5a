package customer

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormalizeName normalizes a given, middle, family or full name: it trims,
// drops invisible characters, collapses runs of spaces and composes the
// name to Unicode NFC, keeping accents. A name written all in capitals or
// all in lower case is title-cased ("JOSÉ O'NEIL" becomes "José O'Neil");
// a name in mixed case is kept as written. A name with a digit or a symbol
// other than an apostrophe, hyphen, period or comma is invalid.
func NormalizeName(raw string) Value {
	raw = trim(raw)
	if isPlaceholder(raw) {
		return Value{Raw: raw}
	}
	for _, r := range raw {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return invalid(raw, "name contains the control character "+strconv.QuoteRune(r))
		}
	}
	n := cleanText(raw)
	letters := false
	for _, r := range n {
		switch {
		case r >= '0' && r <= '9' || unicode.IsDigit(r):
			return invalid(raw, "name contains a digit")
		case unicode.IsLetter(r):
			letters = true
		case unicode.Is(unicode.M, r), r == ' ', isNamePunct(r):
		default:
			return invalid(raw, "name contains the symbol "+strconv.QuoteRune(r))
		}
	}
	if !letters {
		return invalid(raw, "name has no letter")
	}
	return Value{Raw: raw, Norm: titleCase(n), Status: Valid}
}

// isNamePunct reports whether r is punctuation that names carry: an
// apostrophe, a hyphen, a period or a comma.
func isNamePunct(r rune) bool {
	switch r {
	case '\'', '-', '.', ',', '\u2019', '\u2018', '\u02BC', '\u2010', '\u2011':
		return true
	}
	return false
}

// titleCase title-cases s when it has cased letters all of one case: the
// first letter of each word (after a space, hyphen, apostrophe or period)
// is upper-cased and the others lower-cased. Mixed case is kept.
func titleCase(s string) string {
	upper, lower := false, false
	for _, r := range s {
		if r < utf8.RuneSelf {
			upper = upper || r >= 'A' && r <= 'Z'
			lower = lower || r >= 'a' && r <= 'z'
			continue
		}
		upper = upper || unicode.IsUpper(r)
		lower = lower || unicode.IsLower(r)
	}
	if upper == lower { // mixed case, or no cased letter
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, r := range s {
		switch {
		case !unicode.IsLetter(r):
			b.WriteRune(r)
			start = !unicode.Is(unicode.M, r)
		case start:
			b.WriteRune(unicode.ToTitle(r))
			start = false
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	if isASCII(s) {
		return b.String()
	}
	return norm.NFC.String(b.String())
}

// FoldName returns the matching key of a name: lower-cased, accents
// removed ("Zoë" and "Zoe" fold alike), ligatures and special letters
// spelled out ("ß" as "ss", "Æ" as "ae", "Ø" as "o"), apostrophes and
// periods dropped ("O'Neil" folds to "oneil"), hyphens, commas and other
// separators turned into single spaces ("Smith-Jones" folds to
// "smith jones"). An already folded ASCII name is returned without
// allocating; otherwise FoldName allocates once.
func FoldName(s string) string {
	if isFolded(s) {
		return s
	}
	var buf [64]byte
	return string(appendFold(buf[:0], s))
}

// appendFold appends the FoldName key of s to dst.
func appendFold(dst []byte, s string) []byte {
	b, space := dst, false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			b, space = foldRune(b, space, rune(c))
			i++
			continue
		}
		p := norm.NFD.PropertiesString(s[i:])
		size := p.Size()
		if size == 0 { // invalid UTF-8: skip the byte
			i++
			continue
		}
		if d := p.Decomposition(); d != nil {
			for len(d) > 0 {
				r, n := utf8.DecodeRune(d)
				d = d[n:]
				b, space = foldRune(b, space, r)
			}
		} else {
			r, _ := utf8.DecodeRuneInString(s[i:])
			b, space = foldRune(b, space, r)
		}
		i += size
	}
	return b
}

// foldRune appends to b the folded form of r, a base rune or part of a
// decomposition, or marks a pending word break in space; the break is
// written before the next letter, so that keys have no outer spaces.
func foldRune(b []byte, space bool, r rune) ([]byte, bool) {
	var out string // folded letters of r
	if r < utf8.RuneSelf {
		switch c := byte(r); {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c >= 'A' && c <= 'Z':
			r += 'a' - 'A'
		case c == '\'' || c == '.' || c == '`':
			return b, space
		default:
			return b, true
		}
	} else {
		switch r {
		case 'ß', 'ẞ':
			out = "ss"
		case 'æ', 'Æ':
			out = "ae"
		case 'œ', 'Œ':
			out = "oe"
		case 'þ', 'Þ':
			out = "th"
		case 'ø', 'Ø':
			out = "o"
		case 'ł', 'Ł':
			out = "l"
		case 'đ', 'Đ', 'ð', 'Ð':
			out = "d"
		case 'ı':
			out = "i"
		case '\u2019', '\u2018', '\u02BC', '\u00B4': // apostrophes
			return b, space
		default:
			switch {
			case unicode.Is(unicode.M, r) || isInvisible(r) || r == utf8.RuneError:
				return b, space
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				r = unicode.ToLower(r)
			default:
				return b, true
			}
		}
	}
	if space && len(b) > 0 {
		b = append(b, ' ')
	}
	if out != "" {
		return append(b, out...), false
	}
	return utf8.AppendRune(b, r), false
}

// isFolded reports whether s is lower-case ASCII letters and digits with
// single inner spaces: a string FoldName returns as is.
func isFolded(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == ' ':
			if i == 0 || i == len(s)-1 || s[i-1] == ' ' {
				return false
			}
		default:
			return false
		}
	}
	return true
}
