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
	b := buf[:0]
	space := false
	put := func(r rune) {
		if space {
			if len(b) > 0 {
				b = append(b, ' ')
			}
			space = false
		}
		b = utf8.AppendRune(b, r)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				put(rune(c))
			case c >= 'A' && c <= 'Z':
				put(rune(c + 'a' - 'A'))
			case c == '\'' || c == '.' || c == '`':
			default:
				space = true
			}
			continue
		}
		p := norm.NFD.PropertiesString(s[i:])
		size := p.Size()
		if size == 0 { // invalid UTF-8: skip the byte
			i++
			continue
		}
		d := p.Decomposition()
		if d == nil {
			r, _ := utf8.DecodeRuneInString(s[i:])
			foldRune(r, put, &space)
		} else {
			for len(d) > 0 {
				r, n := utf8.DecodeRune(d)
				d = d[n:]
				foldRune(r, put, &space)
			}
		}
		i += size
	}
	return string(b)
}

// foldRune writes the folded form of the non-ASCII or decomposed rune r
// with put, or marks a word break in space.
func foldRune(r rune, put func(rune), space *bool) {
	if r < utf8.RuneSelf {
		switch c := byte(r); {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			put(r)
		case c >= 'A' && c <= 'Z':
			put(r + 'a' - 'A')
		case c == '\'' || c == '.' || c == '`':
		default:
			*space = true
		}
		return
	}
	switch r {
	case 'ß', 'ẞ':
		put('s')
		put('s')
		return
	case 'æ', 'Æ':
		put('a')
		put('e')
		return
	case 'œ', 'Œ':
		put('o')
		put('e')
		return
	case 'þ', 'Þ':
		put('t')
		put('h')
		return
	case 'ø', 'Ø':
		put('o')
		return
	case 'ł', 'Ł':
		put('l')
		return
	case 'đ', 'Đ', 'ð', 'Ð':
		put('d')
		return
	case 'ı':
		put('i')
		return
	case '\u2019', '\u2018', '\u02BC', '\u00B4':
		return // apostrophes
	}
	switch {
	case unicode.Is(unicode.M, r) || isInvisible(r) || r == utf8.RuneError:
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		put(unicode.ToLower(r))
	default:
		*space = true
	}
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
