package resolver

import (
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/scvhq/scv/customer"
)

func TestJaroWinkler(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.9611},
		{"dwayne", "duane", 0.84},
		{"dixon", "dicksonx", 0.8133},
		{"smith", "smith", 1},
		{"", "smith", 0},
		{"abc", "xyz", 0},
	} {
		if got := jaroWinkler(tt.a, tt.b); math.Abs(got-tt.want) > 1e-3 {
			t.Errorf("jaroWinkler(%q, %q) = %.4f, want %.4f", tt.a, tt.b, got, tt.want)
		}
		if got := jaroWinkler(tt.b, tt.a); math.Abs(got-tt.want) > 1e-3 {
			t.Errorf("jaroWinkler(%q, %q) = %.4f, want %.4f (symmetry)", tt.b, tt.a, got, tt.want)
		}
	}
}

// TestJaroWinklerMinBound checks that the cheap bound never hides a
// similarity that reaches the floor.
func TestJaroWinklerMinBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		b := make([]byte, 1+rng.IntN(10))
		for i := range b {
			b[i] = byte('a' + rng.IntN(6))
		}
		return string(b)
	}
	for range 20000 {
		a, b := word(), word()
		full := jaroWinkler(a, b)
		for _, floor := range []float64{0.8, 0.9} {
			got := jaroWinklerMin(a, b, floor)
			if full >= floor && got != full {
				t.Fatalf("jaroWinklerMin(%q, %q, %v) = %v, full %v", a, b, floor, got, full)
			}
		}
	}
}

// osaDistance is the optimal-string-alignment Damerau–Levenshtein
// distance of a and b, the plain quadratic way: the oracle that
// withinOneEdit is checked against.
func osaDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func TestWithinOneEdit(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"smith", "smith", true},
		{"smith", "smyth", true},
		{"smith", "smiht", true},
		{"19560409", "19560490", true},
		{"kitten", "sitting", false},
		{"", "a", true},
		{"ca", "abc", false},
	} {
		if got := withinOneEdit(tt.a, tt.b); got != tt.want {
			t.Errorf("withinOneEdit(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	// withinOneEdit agrees with the full distance.
	rng := rand.New(rand.NewPCG(3, 4))
	word := func() string {
		b := make([]byte, rng.IntN(6))
		for i := range b {
			b[i] = byte('a' + rng.IntN(3))
		}
		return string(b)
	}
	for range 20000 {
		a, b := word(), word()
		if got, want := withinOneEdit(a, b), osaDistance(a, b) <= 1; got != want {
			t.Fatalf("withinOneEdit(%q, %q) = %v, distance %d", a, b, got, osaDistance(a, b))
		}
	}
}

func TestPhonetic(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"smith", "smyth", true},
		{"phillips", "filips", true},
		{"catherine", "kathryn", true},
		{"knight", "night", true},
		{"macdonald", "mcdonald", true},
		{"john", "mary", false},
		{"smith", "jones", false},
		{"green", "greene", true},
	} {
		pa, pb := phonetic(tt.a), phonetic(tt.b)
		if (pa == pb) != tt.same {
			t.Errorf("phonetic(%q) = %q, phonetic(%q) = %q; same = %v, want %v", tt.a, pa, tt.b, pb, pa == pb, tt.same)
		}
	}
	if phonetic("") != "" || phonetic("123") != "" {
		t.Error("phonetic of no letters is not empty")
	}
}

func TestTokenOverlap(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want float64
	}{
		{"7 wallaby place", "7 wallaby pl", 2.0 / 3},
		{"flat 2", "2 flat high street", 1},
		{"a", "", 0},
		{"1 main st", "9 other rd", 0},
	} {
		if got := tokenOverlap(tt.a, tt.b); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("tokenOverlap(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestLevels(t *testing.T) {
	nn := newNicknames()
	name := func(given, family string) *features {
		return &features{given: given, family: family, givenPh: phonetic(given), familyPh: phonetic(family), nick: nn.groups(given)}
	}
	for _, tt := range []struct {
		name string
		got  int
		want string
		k    kind
	}{
		{"given exact", compareGiven(name("john", "smith"), name("john", "smyth"), false), "exact", kGiven},
		{"given null", compareGiven(name("", "smith"), name("john", "smith"), false), "null", kGiven},
		{"given nickname", compareGiven(name("william", "smith"), name("bill", "smith"), false), "nickname", kGiven},
		{"given typo", compareGiven(name("ignatius", "x"), name("ignatios", "x"), false), "jaro-winkler >= 0.92", kGiven},
		{"given listed typo", compareGiven(name("jonathan", "x"), name("jonathon", "x"), false), "nickname", kGiven},
		{"given else", compareGiven(name("mary", "x"), name("peter", "x"), false), "else", kGiven},
		{"given initial", compareGiven(name("j", "smith"), name("john", "smith"), false), "initial of the other", kGiven},
		{"given other initial", compareGiven(name("j", "smith"), name("mary", "smith"), false), "else", kGiven},
		{"given half swapped", compareGiven(name("ebdell", "madison"), name("madison", ""), false), "the other's family name", kGiven},
		{"given swapped", compareGiven(name("john", "smith"), name("smith", "john"), swapped(name("john", "smith"), name("smith", "john"))), "swapped with family name", kGiven},
		{"family one edit", compareFamily(name("", "smith"), name("", "smiht")), "one edit, jaro-winkler >= 0.94 or part of the other", kFamily},
		{"family part of a double surname", compareFamily(name("", "moreno gutierrez"), name("", "gutierrez")), "one edit, jaro-winkler >= 0.94 or part of the other", kFamily},
		{"family part of a double-barrelled name", compareFamily(name("", "jones"), name("", "smith jones")), "one edit, jaro-winkler >= 0.94 or part of the other", kFamily},
		{"family sound", compareFamily(name("", "phillips"), name("", "filips")), "same sound", kFamily},
		{"family else", compareFamily(name("", "smith"), name("", "jones")), "else", kFamily},
		{"dob exact", compareDOB("19560409", "19560409"), "exact", kDOB},
		{"dob one digit", compareDOB("19560409", "19560419"), "one digit off or transposed", kDOB},
		{"dob transposed", compareDOB("19560409", "19560490"), "one digit off or transposed", kDOB},
		{"dob day month swapped", compareDOB("19560412", "19561204"), "day and month swapped", kDOB},
		{"dob two digits", compareDOB("19560409", "19570419"), "two digits differ", kDOB},
		{"dob else", compareDOB("19560409", "19830217"), "else", kDOB},
		{"dob null", compareDOB("", "19830217"), "null", kDOB},
		{"email exact", compareEmail(&features{emails: []string{"a@x.com", "j@y.org"}}, &features{emails: []string{"j@y.org"}}), "exact", kEmail},
		{"email local", compareEmail(&features{emails: []string{"jd1977@x.com"}}, &features{emails: []string{"jd1977@y.org"}}), "same local part", kEmail},
		{"email local made of the name", compareEmail(&features{given: "jane", emails: []string{"jane.doe@x.com"}}, &features{emails: []string{"jane.doe@y.org"}}), "null", kEmail},
		{"email typo", compareEmail(&features{emails: []string{"jane@x.com"}}, &features{emails: []string{"jame@x.com"}}), "one edit", kEmail},
		{"email else", compareEmail(&features{emails: []string{"jane@x.com"}}, &features{emails: []string{"bob@y.com"}}), "else", kEmail},
		{"phone last 7", comparePhone([]string{"+61291234567"}, []string{"+61391234567"}), "same last 7 digits", kPhone},
		{"phone else", comparePhone([]string{"+61291234567"}, []string{"+61399999999"}), "else", kPhone},
		{"address near", compareAddress1("7 wallaby place", "7 walaby place"), "jaro-winkler >= 0.90", kAddress1},
		{"place full", comparePlace(&features{addr1: "1 main st", postcode: "2000", locality: "sydney"}, &features{addr1: "1 main st", postcode: "2000", locality: "sydney"}), "same street address, postcode and locality", kPlace},
		{"place street", comparePlace(&features{addr1: "1 main st", postcode: "2000"}, &features{addr1: "1 main st", postcode: "2001", locality: "sydney"}), "same street address", kPlace},
		{"place similar", comparePlace(&features{addr1: "12 main street", locality: "sydney"}, &features{addr1: "12 main stret", locality: "sydney"}), "similar street address", kPlace},
		{"place other number", comparePlace(&features{addr1: "12 main street", postcode: "2000"}, &features{addr1: "14 main street", postcode: "2000"}), "same postcode", kPlace},
		{"place other town", comparePlace(&features{addr1: "1 main st", postcode: "2000", locality: "sydney"}, &features{addr1: "1 main st", postcode: "3999", locality: "melbourne"}), "else", kPlace},
		{"place locality", comparePlace(&features{locality: "sydney"}, &features{addr1: "1 main st", locality: "sydney"}), "near postcode or same locality", kPlace},
		{"place null", comparePlace(&features{}, &features{addr1: "1 main st"}), "null", kPlace},
		{"address tokens", compareAddress1("flat 2 high street", "high street"), "token overlap >= 0.5", kAddress1},
		{"postcode sector", comparePostcode("SW1A 1AA", "SW1A 1BB"), "one edit or same sector", kPostcode},
		{"postcode one edit", comparePostcode("2119", "2191"), "one edit or same sector", kPostcode},
		{"postcode else", comparePostcode("2119", "3000"), "else", kPostcode},
		{"identifier one edit", compareIdentifier("1804974", "1804975"), "one edit", kIdentifier},
		{"identifier else", compareIdentifier("1804974", "6089216"), "else", kIdentifier},
		{"region", compareExact("nsw", "vic"), "else", kRegion},
	} {
		if got := kinds[tt.k].levels[tt.got]; got != tt.want {
			t.Errorf("%s: level %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestLinesSwapped(t *testing.T) {
	for _, tt := range []struct {
		a, b features
		want bool
	}{
		{features{addr1: "3 fawkner street", addr2: "emerald college"}, features{addr1: "8 emerald colege", addr2: "fawkner street"}, true},
		{features{addr1: "3 fawkner street", addr2: "flat 2"}, features{addr1: "3 fawkner street", addr2: "flat 2"}, false},
		{features{addr1: "3 fawkner street", addr2: "emerald college"}, features{addr1: "9 other road", addr2: "fawkner street"}, false},
		{features{addr1: "3 fawkner street"}, features{addr1: "emerald college", addr2: "fawkner street"}, false},
	} {
		if got := linesSwapped(&tt.a, &tt.b); got != tt.want {
			t.Errorf("linesSwapped(%+v, %+v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestNicknames(t *testing.T) {
	nn := newNicknames()
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"william", "bill", true},
		{"bill", "liam", true},
		{"alex", "sandra", true}, // alexandra
		{"alex", "xander", true}, // alexander
		{"sandy", "xander", true},
		{"imogen", "immy", true},
		{"francisco", "paco", true},
		{"maxime", "max", true},
		{"concepcion", "conchi", true},
		{"peter", "bill", false},
		{"zed", "zed", false},      // unknown names share no group
		{"bil", "william", true},   // a short form with a typo
		{"wiliam", "bill", true},   // a formal name with a typo
		{"williams", "bill", true}, // one edit from william
		{"al", "albert", true},     // listed, so no typo look-up
		{"ak", "albert", false},    // too short to be taken for a typo
		{"petra", "bill", false},   // a listed name's neighbour, not a listed one
	} {
		if got := sameGroup(nn.groups(tt.a), nn.groups(tt.b)); got != tt.want {
			t.Errorf("sameGroup(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	// A name in more groups than a features value keeps would lose some.
	groups := make(map[string]int)
	for line := range strings.SplitSeq(nicknameGroups, "\n") {
		seen := make(map[string]bool)
		for _, n := range strings.Fields(line) {
			if !seen[n] {
				seen[n] = true
				groups[n]++
			}
		}
	}
	for n, k := range groups {
		if k > maxNickGroups {
			t.Errorf("%q is in %d nickname groups, at most %d are kept", n, k, maxNickGroups)
		}
	}
}

func BenchmarkJaroWinkler(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		jaroWinkler("hoseason street", "hosaeson st")
	}
}

// BenchmarkGamma compares prepared record pairs: the per-pair hot path of
// blocking and u estimation. It must not allocate.
func BenchmarkGamma(b *testing.B) {
	recs, _ := loadFebrl(b, true, "dataset3.csv")
	m := testModel()
	sc, err := m.compile()
	if err != nil {
		b.Fatal(err)
	}
	fs := make([]features, 200)
	for i := range fs {
		fs[i] = prepare(&recs[i], sc.idKind, sc.nick)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		x, y := i%len(fs), (i*7+1)%len(fs)
		g := sc.gamma(&fs[x], &fs[y])
		sc.weight(g, &fs[x], &fs[y])
		i++
	}
}

// BenchmarkKeyHash hashes a typical block key (a rule's seed, a date of
// birth and a name's sound) with the inlined FNV-1a of the block keys and
// with hash/fnv, to show why the block keys keep their own.
func BenchmarkKeyHash(b *testing.B) {
	parts := []string{"19560409", "S530"}
	b.Run("inlined", func(b *testing.B) {
		b.ReportAllocs()
		var sink uint64
		for b.Loop() {
			h := hash64(0xcbf29ce484222325)
			for _, p := range parts {
				h = h.str(p)
			}
			sink += uint64(h)
		}
		_ = sink
	})
	b.Run("hash_fnv", func(b *testing.B) {
		b.ReportAllocs()
		var sink uint64
		for b.Loop() {
			h := fnv.New64a()
			for _, p := range parts {
				io.WriteString(h, p)
				h.Write([]byte{0xff})
			}
			sink += h.Sum64()
		}
		_ = sink
	})
}

// TestLevelNames checks that each named level constant is the position of
// its level in kinds, so that the two cannot drift apart.
func TestLevelNames(t *testing.T) {
	for _, tt := range []struct {
		k     kind
		level int
		name  string
	}{
		{kGiven, givenSwapped, "swapped with family name"},
		{kGiven, givenNickname, "nickname"},
		{kGiven, givenClose, "jaro-winkler >= 0.92"},
		{kGiven, givenSimilar, "jaro-winkler >= 0.80 or same sound"},
		{kGiven, givenInitial, "initial of the other"},
		{kGiven, givenHalfSwap, "the other's family name"},
		{kGiven, givenElse, "else"},
		{kFamily, familyNear, "one edit, jaro-winkler >= 0.94 or part of the other"},
		{kFamily, familySound, "same sound"},
		{kFamily, familySimilar, "jaro-winkler >= 0.80"},
		{kFamily, familyElse, "else"},
		{kDOB, dobOneDigit, "one digit off or transposed"},
		{kDOB, dobSwapped, "day and month swapped"},
		{kDOB, dobTwoDigits, "two digits differ"},
		{kDOB, dobElse, "else"},
		{kEmail, emailLocal, "same local part"},
		{kEmail, emailOneEdit, "one edit"},
		{kEmail, emailElse, "else"},
		{kPhone, phoneLast7, "same last 7 digits"},
		{kPhone, phoneOneEdit, "one edit"},
		{kPhone, phoneElse, "else"},
		{kAddress1, addr1Close, "jaro-winkler >= 0.90"},
		{kAddress1, addr1Tokens, "token overlap >= 0.5"},
		{kAddress1, addr1Else, "else"},
		{kAddress2, nearClose, "jaro-winkler >= 0.90"},
		{kAddress2, nearElse, "else"},
		{kLocality, nearClose, "jaro-winkler >= 0.90"},
		{kLocality, nearElse, "else"},
		{kPostcode, postcodeNear, "one edit or same sector"},
		{kPostcode, postcodeElse, "else"},
		{kRegion, exactElse, "else"},
		{kGender, exactElse, "else"},
		{kIdentifier, idOneEdit, "one edit"},
		{kIdentifier, idElse, "else"},
		{kPlace, placeFull, "same street address, postcode and locality"},
		{kPlace, placeStreet, "same street address"},
		{kPlace, placeSimilarStreet, "similar street address"},
		{kPlace, placePostcodeLocality, "same postcode and locality"},
		{kPlace, placePostcode, "same postcode"},
		{kPlace, placeNear, "near postcode or same locality"},
		{kPlace, placeElse, "else"},
	} {
		if got := kinds[tt.k].levels[tt.level]; got != tt.name {
			t.Errorf("%s level %d is %q, want %q", kinds[tt.k].name, tt.level, got, tt.name)
		}
	}
}

// BenchmarkNicknameTypo looks up the groups of a given name missing from
// the nickname table: the symmetric-delete search for one-typo
// neighbours that prepare runs for every such record.
func BenchmarkNicknameTypo(b *testing.B) {
	nn := nicknameTable()
	b.ReportAllocs()
	for b.Loop() {
		nn.groups("wiliam")
	}
}

func TestStripTitle(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"john", "john"},
		{"dr john smith", "john smith"},
		{"mr dr john", "john"},
		{"sir", ""},
		{"missy", "missy"},
		{"", ""},
	} {
		if got := stripTitle(tt.in); got != tt.want {
			t.Errorf("stripTitle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestInvalidDateKeepsDigits: a date of birth that is no real date (a
// typo such as day and month swapped past 12) still compares with the
// right date at a near level, though it is invalid.
func TestInvalidDateKeepsDigits(t *testing.T) {
	opt := customer.Options{DateFormat: customer.DateISO, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	rec := func(dob string) customer.Record {
		var r customer.Record
		r.Fields[customer.DateOfBirth] = customer.NormalizeDate(dob, opt)
		return r
	}
	valid, swapped, placeholder := rec("1981-12-31"), rec("1981-31-12"), rec("2099-12-31")
	if swapped.Fields[customer.DateOfBirth].Status != customer.Invalid {
		t.Fatalf("1981-31-12 is %v, want invalid", swapped.Fields[customer.DateOfBirth].Status)
	}
	nn := newNicknames()
	fa, fb, fc := prepare(&valid, nil, nn), prepare(&swapped, nil, nn), prepare(&placeholder, nil, nn)
	if got := compareDOB(fa.dob, fb.dob); got != dobSwapped {
		t.Errorf("valid against its swapped typo: level %d, want %d (day and month swapped)", got, dobSwapped)
	}
	if fc.dob != "" {
		t.Errorf("a real date out of range keeps %q for matching, want nothing", fc.dob)
	}
}
