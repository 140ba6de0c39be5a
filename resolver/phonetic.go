package resolver

// phonetic returns a Metaphone-style sound code of a folded name, so that
// spellings that sound alike ("smith", "smyth"; "phillips", "filips";
// "catherine", "kathryn") share a code. It follows the main Metaphone
// rules (silent letters, ph/th/sh/ch, soft c and g, vowels kept only at
// the start) and keeps at most six code letters.
func phonetic(s string) string {
	var w [maxCompare]byte
	n := 0
	for i := 0; i < len(s) && n < len(w); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			w[n] = c
			n++
		}
	}
	word := w[:n]
	if n == 0 {
		return ""
	}
	at := func(i int) byte {
		if i < 0 || i >= n {
			return 0
		}
		return word[i]
	}
	vowel := func(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }
	front := func(c byte) bool { return c == 'e' || c == 'i' || c == 'y' }
	start := 0
	switch {
	case n > 1 && (string(word[:2]) == "kn" || string(word[:2]) == "gn" || string(word[:2]) == "pn" ||
		string(word[:2]) == "wr" || string(word[:2]) == "ae"):
		start = 1
	case word[0] == 'x':
		word[0] = 's'
	case n > 1 && string(word[:2]) == "wh":
		word[1] = 'w'
		start = 1
	}
	var out [6]byte
	k := 0
	put := func(c byte) {
		if k < len(out) && (k == 0 || out[k-1] != c) {
			out[k] = c
			k++
		}
	}
	for i := start; i < n && k < len(out); i++ {
		c := word[i]
		if c == at(i-1) && c != 'c' {
			continue
		}
		switch c {
		case 'a', 'e', 'i', 'o', 'u':
			if i == start {
				put('A')
			}
		case 'b':
			if !(i == n-1 && at(i-1) == 'm') {
				put('B')
			}
		case 'c':
			switch {
			case at(i+1) == 'i' && at(i+2) == 'a', at(i+1) == 'h' && at(i-1) != 's':
				put('X')
			case front(at(i + 1)):
				if at(i-1) != 's' {
					put('S')
				}
			default:
				put('K')
			}
		case 'd':
			if at(i+1) == 'g' && front(at(i+2)) {
				put('J')
				i++
			} else {
				put('T')
			}
		case 'g':
			switch {
			case at(i+1) == 'h' && i+2 < n && !vowel(at(i+2)):
			case at(i+1) == 'h' && i+2 == n:
			case at(i+1) == 'n' && (i+2 == n || (at(i+2) == 'e' && at(i+3) == 'd' && i+4 == n)):
			case front(at(i + 1)):
				put('J')
			default:
				put('K')
			}
		case 'h':
			p := at(i - 1)
			if vowel(at(i+1)) && p != 'c' && p != 's' && p != 'p' && p != 't' && p != 'g' {
				put('H')
			}
		case 'k':
			if at(i-1) != 'c' {
				put('K')
			}
		case 'p':
			if at(i+1) == 'h' {
				put('F')
			} else {
				put('P')
			}
		case 'q':
			put('K')
		case 's':
			switch {
			case at(i+1) == 'h', at(i+1) == 'i' && (at(i+2) == 'o' || at(i+2) == 'a'):
				put('X')
			case at(i+1) == 'c' && at(i+2) == 'h':
				put('S')
				put('K')
				i += 2
			default:
				put('S')
			}
		case 't':
			switch {
			case at(i+1) == 'i' && (at(i+2) == 'o' || at(i+2) == 'a'):
				put('X')
			case at(i+1) == 'h':
				put('0')
			case at(i+1) == 'c' && at(i+2) == 'h':
			default:
				put('T')
			}
		case 'v':
			put('F')
		case 'w', 'y':
			if vowel(at(i + 1)) {
				put(c - 'a' + 'A')
			}
		case 'x':
			put('K')
			put('S')
		case 'z':
			put('S')
		default: // f, j, l, m, n, r
			put(c - 'a' + 'A')
		}
	}
	return string(out[:k])
}
