package synth

import (
	"bufio"
	"embed"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/scvhq/scv/customer"
)

// data holds the name lists the generator draws from.
//
//go:embed data/given.txt data/family.txt
var data embed.FS

// givenName is a given name with its usual nicknames.
type givenName struct {
	name  string
	nicks []string
}

// culture holds the names of one naming culture ("en", "de", "fr", "es",
// "in"), ranked most common first, with cumulative Zipf-like weights.
type culture struct {
	code      string
	given     [2][]givenName // by sex: 0 female, 1 male
	givenCum  [2][]float64
	family    []string
	familyCum []float64
}

// cultures parses the embedded name lists.
func cultures() (map[string]*culture, error) {
	out := map[string]*culture{}
	get := func(code string) *culture {
		c := out[code]
		if c == nil {
			c = &culture{code: code}
			out[code] = c
		}
		return c
	}
	err := eachLine("data/given.txt", func(section []string, line string) error {
		if len(section) != 2 || (section[1] != "f" && section[1] != "m") {
			return fmt.Errorf("section %q: want \"= culture f|m\"", strings.Join(section, " "))
		}
		sex := 0
		if section[1] == "m" {
			sex = 1
		}
		name, nicks, _ := strings.Cut(line, ":")
		g := givenName{name: strings.TrimSpace(name)}
		for n := range strings.SplitSeq(nicks, ",") {
			if n = strings.TrimSpace(n); n != "" {
				g.nicks = append(g.nicks, n)
			}
		}
		c := get(section[0])
		c.given[sex] = append(c.given[sex], g)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachLine("data/family.txt", func(section []string, line string) error {
		if len(section) != 1 {
			return fmt.Errorf("section %q: want \"= culture\"", strings.Join(section, " "))
		}
		c := get(section[0])
		c.family = append(c.family, line)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for code, c := range out {
		if len(c.given[0]) == 0 || len(c.given[1]) == 0 || len(c.family) == 0 {
			return nil, fmt.Errorf("synth: culture %q lacks given or family names", code)
		}
		// The lists hold only a country's commonest names, so the law
		// is flattened at the top: the top English family name then
		// takes about 2% of people (Smith: 1.3% in Britain) and the
		// top given name of a sex about 3%.
		c.givenCum[0] = zipf(len(c.given[0]), 15)
		c.givenCum[1] = zipf(len(c.given[1]), 15)
		c.familyCum = zipf(len(c.family), 20)
	}
	return out, nil
}

// eachLine calls fn for every name line of an embedded list with the
// words of the "= ..." line of its section.
func eachLine(file string, fn func(section []string, line string) error) error {
	f, err := data.Open(file)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var section []string
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "="):
			section = strings.Fields(line[1:])
			continue
		case section == nil:
			return fmt.Errorf("synth: %s line %d: name before the first section", file, n)
		}
		if err := fn(section, line); err != nil {
			return fmt.Errorf("synth: %s line %d: %w", file, n, err)
		}
	}
	return sc.Err()
}

// zipf returns the cumulative weights of n ranks where rank k weighs
// 1/(k+v): a Zipf-like law flattened at the top by v.
func zipf(n int, v float64) []float64 {
	cum := make([]float64, n)
	sum := 0.0
	for k := range n {
		sum += 1 / (float64(k) + v)
		cum[k] = sum
	}
	return cum
}

// pick draws an index from cumulative weights.
func (g *generator) pick(cum []float64) int {
	x := g.rng.Float64() * cum[len(cum)-1]
	i, _ := slices.BinarySearch(cum, x)
	return min(i, len(cum)-1)
}

// cumulative returns the cumulative weights of ws.
func cumulative(ws []weighted) []float64 {
	cum := make([]float64, len(ws))
	sum := 0.0
	for i, w := range ws {
		sum += w.weight
		cum[i] = sum
	}
	return cum
}

// fold drops the accents of s, as systems that cannot store them do:
// each non-ASCII letter is written as its customer.FoldName key, in the
// letter's case ("É" as "E", "ß" as "ss"). Letters without such a key,
// and ASCII, are kept.
func fold(s string) string {
	if !hasAccent(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		k := ""
		if r >= utf8.RuneSelf {
			k = customer.FoldName(string(r))
		}
		if k == "" || hasAccent(k) {
			b.WriteRune(r)
			continue
		}
		if unicode.IsUpper(r) && k != "ss" {
			k = strings.ToUpper(k)
		}
		b.WriteString(k)
	}
	return b.String()
}

// hasAccent reports whether s holds a non-ASCII byte.
func hasAccent(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

// round2 rounds to cents.
func round2(x float64) float64 { return math.Round(x*100) / 100 }
