package resolver

import "strings"

// maxCompare is the longest prefix, in bytes, that the string comparators
// look at; their work buffers live on the stack at this size so that a
// comparison never allocates.
const maxCompare = 64

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
