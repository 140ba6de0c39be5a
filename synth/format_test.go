package synth

import (
	"testing"
)

func TestFormatDate(t *testing.T) {
	d := date{1984, 3, 7}
	for _, tt := range []struct {
		layout string
		swap   bool
		want   string
	}{
		{"iso", false, "1984-03-07"},
		{"yyyymmdd", false, "19840307"},
		{"dd/mm/yyyy", false, "07/03/1984"},
		{"mm/dd/yyyy", false, "03/07/1984"},
		{"iso", true, "1984-07-03"},
		{"dd/mm/yyyy", true, "03/07/1984"},
	} {
		t.Run(tt.layout, func(t *testing.T) {
			if got := formatDate(d, tt.layout, tt.swap); got != tt.want {
				t.Errorf("formatDate(%v, %q, %v) = %q, want %q", d, tt.layout, tt.swap, got, tt.want)
			}
		})
	}
}

func TestPhoneGroups(t *testing.T) {
	for _, tt := range []struct {
		name, digits, trunk string
		f                   phoneFormat
		national, intl      string
	}{
		{"GB mobile", "7700900123", "0", phoneFormat{groups: []int{5}, sep: " "}, "07700 900123", "7700 900123"},
		{"US", "4155550134", "", phoneFormat{groups: []int{3, 3}, sep: "-", paren: true}, "(415) 555-0134", "415-555-0134"},
		{"FR", "612345678", "0", phoneFormat{groups: []int{2, 2, 2, 2}, sep: " "}, "06 12 34 56 78", "6 12 34 56 78"},
		{"AU landline", "298765432", "0", phoneFormat{groups: []int{2, 4}, sep: " ", paren: true}, "(02) 9876 5432", "2 9876 5432"},
		{"ungrouped", "612345678", "", phoneFormat{groups: []int{0}}, "612345678", "612345678"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := group(tt.trunk+tt.digits, tt.f); got != tt.national {
				t.Errorf("national %q, want %q", got, tt.national)
			}
			if got := group(tt.digits, international(tt.f, tt.trunk)); got != tt.intl {
				t.Errorf("international %q, want %q", got, tt.intl)
			}
		})
	}
}

func TestAddressStyles(t *testing.T) {
	byCode := map[string]*country{}
	for _, c := range countries() {
		byCode[c.code] = c
	}
	for _, tt := range []struct {
		country, base string
		kind          streetKind
		want          string
	}{
		{"GB", "High", streetKind{"Street", "St", false}, "12 High Street"},
		{"DE", "Haupt", streetKind{"straße", "str.", false}, "Hauptstraße 12"},
		{"DE", "Am Markt", streetKind{"straße", "str.", false}, "Am Markt 12"},
		{"FR", "de la Paix", streetKind{"rue", "r.", true}, "12 rue de la Paix"},
		{"ES", "Mayor", streetKind{"Calle", "C/", true}, "Calle Mayor, 12"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			got := line1(byCode[tt.country], "12", streetName(tt.base, tt.kind.full, tt.kind.before))
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNameFolding(t *testing.T) {
	for _, tt := range []struct{ in, fold, slug string }{
		{"José", "Jose", "jose"},
		{"Müller", "Muller", "muller"},
		{"Weiß", "Weiss", "weiss"},
		{"O'Brien", "O'Brien", "obrien"},
		{"de la Cruz", "de la Cruz", "delacruz"},
		{"Jean-Luc", "Jean-Luc", "jeanluc"},
		{"Ángela", "Angela", "angela"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := fold(tt.in); got != tt.fold {
				t.Errorf("fold = %q, want %q", got, tt.fold)
			}
			if got := slug(tt.in); got != tt.slug {
				t.Errorf("slug = %q, want %q", got, tt.slug)
			}
		})
	}
}

func TestEmbeddedListsFold(t *testing.T) {
	cul, err := cultures()
	if err != nil {
		t.Fatal(err)
	}
	check := func(what, s string) {
		if f := fold(s); hasAccent(f) {
			t.Errorf("%s %q folds to %q, still not ASCII", what, s, f)
		}
	}
	given, family := 0, 0
	for _, c := range cul {
		for sex := range c.given {
			for _, g := range c.given[sex] {
				given++
				check("given name", g.name)
				for _, n := range g.nicks {
					check("nickname", n)
				}
			}
		}
		for _, f := range c.family {
			family++
			check("family name", f)
		}
	}
	for _, c := range countries() {
		for _, ci := range c.cities {
			check("city", ci.name)
		}
		for _, s := range c.streets {
			check("street", s)
		}
	}
	if given < 400 || family < 400 {
		t.Errorf("%d given and %d family names, want several hundred of each", given, family)
	}
}

func TestLoyaltyIDsAreUnique(t *testing.T) {
	seen := make(map[string]int, 50000)
	for n := 1; n <= 50000; n++ {
		id := loyaltyID(n)
		if len(id) != 11 {
			t.Fatalf("loyaltyID(%d) = %q, want LY and 9 digits", n, id)
		}
		if m, dup := seen[id]; dup {
			t.Fatalf("loyaltyID(%d) = loyaltyID(%d) = %q", n, m, id)
		}
		seen[id] = n
	}
}

func TestNameFrequencies(t *testing.T) {
	cul, err := cultures()
	if err != nil {
		t.Fatal(err)
	}
	en := cul["en"]
	share := func(cum []float64, i int) float64 {
		prev := 0.0
		if i > 0 {
			prev = cum[i-1]
		}
		return (cum[i] - prev) / cum[len(cum)-1]
	}
	for _, tt := range []struct {
		what     string
		cum      []float64
		min, max float64
	}{
		{"top English family name", en.familyCum, 0.012, 0.025},
		{"top English male given name", en.givenCum[1], 0.015, 0.04},
	} {
		top, last := share(tt.cum, 0), share(tt.cum, len(tt.cum)-1)
		if top < tt.min || top > tt.max {
			t.Errorf("%s has a share of %.4f, want %.3f..%.3f", tt.what, top, tt.min, tt.max)
		}
		if top < 5*last {
			t.Errorf("%s: top share %.4f under 5 times the last %.4f: not Zipf-like", tt.what, top, last)
		}
	}
}
