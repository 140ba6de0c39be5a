package resolver

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxCompare is the longest prefix, in bytes, that the string comparators
// look at; their work buffers live on the stack at this size so that a
// comparison never allocates.
const maxCompare = 64

// fold returns s lower-cased, with accents removed, apostrophes and other
// punctuation dropped, hyphens and runs of spaces turned into one space.
// An already folded ASCII string is returned as is, without allocating.
func fold(s string) string {
	if isFolded(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	emit := func(r rune) {
		switch {
		case r == ' ' || r == '-' || r == '_' || r == '/' || r == ',' || r == '.' || unicode.IsSpace(r):
			space = b.Len() > 0
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(unicode.ToLower(r))
		}
	}
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case 'ß':
			emit('s')
			emit('s')
		case 'æ', 'Æ':
			emit('a')
			emit('e')
		case 'œ', 'Œ':
			emit('o')
			emit('e')
		case 'ø', 'Ø':
			emit('o')
		case 'ł', 'Ł':
			emit('l')
		case 'đ', 'Đ':
			emit('d')
		case 'ı':
			emit('i')
		default:
			emit(r)
		}
	}
	return b.String()
}

// isFolded reports whether s is lower-case ASCII letters and digits with
// single inner spaces.
func isFolded(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == ' ':
			if i == 0 || i == len(s)-1 || s[i-1] == ' ' {
				return false
			}
		default:
			return false
		}
	}
	return utf8.ValidString(s)
}

// jaroWinkler returns the Jaro–Winkler similarity of a and b in [0, 1]
// (prefix scale 0.1, up to four prefix bytes). It compares bytes, which
// is exact for folded ASCII, and only the first maxCompare bytes.
func jaroWinkler(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	if len(a) > maxCompare {
		a = a[:maxCompare]
	}
	if len(b) > maxCompare {
		b = b[:maxCompare]
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	window := len(b)/2 - 1
	if window < 0 {
		window = 0
	}
	var am, bm [maxCompare]bool
	matches := 0
	for i := 0; i < len(a); i++ {
		lo, hi := max(0, i-window), min(len(b), i+window+1)
		for j := lo; j < hi; j++ {
			if !bm[j] && a[i] == b[j] {
				am[i], bm[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	trans, j := 0, 0
	for i := 0; i < len(a); i++ {
		if !am[i] {
			continue
		}
		for !bm[j] {
			j++
		}
		if a[i] != b[j] {
			trans++
		}
		j++
	}
	m := float64(matches)
	sim := (m/float64(len(a)) + m/float64(len(b)) + (m-float64(trans/2))/m) / 3
	prefix := 0
	for prefix < 4 && prefix < len(a) && a[prefix] == b[prefix] {
		prefix++
	}
	return sim + float64(prefix)*0.1*(1-sim)
}

// editDistance returns the optimal-string-alignment Damerau–Levenshtein
// distance of a and b (insertions, deletions, substitutions and adjacent
// transpositions), over their first maxCompare bytes.
func editDistance(a, b string) int {
	if a == b {
		return 0
	}
	if len(a) > maxCompare {
		a = a[:maxCompare]
	}
	if len(b) > maxCompare {
		b = b[:maxCompare]
	}
	if len(a) == 0 {
		return len(b)
	}
	if len(b) == 0 {
		return len(a)
	}
	var r0, r1, r2 [maxCompare + 1]int // rows i-2, i-1, i
	prev2, prev, cur := r0[:len(b)+1], r1[:len(b)+1], r2[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// jaroWinklerMin returns jaroWinkler(a, b) when it can reach floor and
// 0 when a cheap upper bound shows it cannot: no more characters of a can
// match than a has characters that occur anywhere in b.
func jaroWinklerMin(a, b string, floor float64) float64 {
	if a == "" || b == "" {
		return 0
	}
	var set [4]uint64
	for i := 0; i < len(b); i++ {
		set[b[i]>>6] |= 1 << (b[i] & 63)
	}
	m := 0
	for i := 0; i < len(a); i++ {
		if set[a[i]>>6]&(1<<(a[i]&63)) != 0 {
			m++
		}
	}
	la, lb := float64(min(len(a), maxCompare)), float64(min(len(b), maxCompare))
	mf := min(float64(m), la, lb)
	jaro := (mf/la + mf/lb + 1) / 3
	if jaro+0.4*(1-jaro) < floor {
		return 0
	}
	return jaroWinkler(a, b)
}

// withinOneEdit reports whether a and b differ by at most one insertion,
// deletion, substitution or adjacent transposition, in linear time.
func withinOneEdit(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	return a[i:] == b[i+1:] // insertion into a
}

// tokenOverlap returns the share of the shorter token list that also
// occurs in the other list (space-separated tokens, compared exactly).
func tokenOverlap(a, b string) float64 {
	if a == "" || b == "" {
		return 0
	}
	if strings.Count(a, " ") > strings.Count(b, " ") {
		a, b = b, a
	}
	hit, n := 0, 0
	for rest := a; rest != ""; {
		t := rest
		if i := strings.IndexByte(rest, ' '); i >= 0 {
			t, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		n++
		if hasWord(b, t) {
			hit++
		}
	}
	return float64(hit) / float64(n)
}
