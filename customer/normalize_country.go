package customer

import (
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// NormalizeCountry normalizes a country to its ISO 3166-1 alpha-2 code.
// It accepts alpha-2 codes ("gb"), alpha-3 codes ("GBR"), English short
// names ("United Kingdom"), common alternative names ("UK", "England",
// "USA", "Holland") and a few endonyms ("Deutschland", "España"), in any
// case, with or without accents. Anything else is invalid.
func NormalizeCountry(raw string) Value {
	raw = trim(raw)
	if isPlaceholder(raw) {
		return Value{Raw: raw}
	}
	if code, ok := CountryCode(raw); ok {
		return Value{Raw: raw, Norm: code, Status: Valid}
	}
	return invalid(raw, "unknown country")
}

// CountryCode returns the ISO 3166-1 alpha-2 code of the country s names,
// as NormalizeCountry accepts it, and whether there is one.
func CountryCode(s string) (string, bool) {
	idx := countryIndexOnce()
	if len(s) == 2 && isASCIILetter(s[0]) && isASCIILetter(s[1]) {
		if code := idx.alpha2[alpha2Slot(s[0], s[1])]; code != "" {
			return code, true
		}
	}
	if len(s) == 3 && isASCIILetter(s[0]) && isASCIILetter(s[1]) && isASCIILetter(s[2]) {
		var b [3]byte
		for i := range b {
			b[i] = s[i] &^ 0x20
		}
		if code, ok := idx.alpha3[string(b[:])]; ok {
			return code, true
		}
	}
	var buf [64]byte
	code, ok := idx.names[string(appendFold(buf[:0], s))]
	return code, ok
}

// CountryName returns the English short name of the ISO 3166-1 alpha-2
// code, as the Unicode CLDR writes it, such as "United Kingdom" for "GB"
// or "St. Lucia" for "LC", or "" for an unknown code.
func CountryName(code string) string {
	if len(code) != 2 || !isASCIILetter(code[0]) || !isASCIILetter(code[1]) {
		return ""
	}
	slot := alpha2Slot(code[0], code[1])
	if idx := countryIndexOnce(); idx.alpha2[slot] == code {
		return idx.name[slot]
	}
	return ""
}

// exceptionallyReserved lists the codes ISO 3166/MA reserves at another
// body's request without assigning them to a country; golang.org/x/text
// counts some of them as countries. "UK" is read as "GB" instead. As the
// codes are separated by spaces, strings.Contains matches whole codes.
const exceptionallyReserved = "AC CP DG EA EU EZ FX IC SU TA UK UN"

// countryRenames holds the current English short names of countries
// renamed after the CLDR version in golang.org/x/text.
var countryRenames = [...]struct{ code, name string }{
	{"MK", "North Macedonia"}, {"SZ", "Eswatini"}, {"TR", "Türkiye"},
}

// countryAliases maps further names, in any case and with or without
// accents, to alpha-2 codes: former names, ISO and everyday names that
// CLDR words otherwise, parts of a country and endonyms.
var countryAliases = [...]struct{ name, code string }{
	{"UK", "GB"}, {"U.K.", "GB"}, {"Great Britain", "GB"}, {"Britain", "GB"}, {"England", "GB"},
	{"Scotland", "GB"}, {"Wales", "GB"}, {"Northern Ireland", "GB"}, {"N. Ireland", "GB"},
	{"United Kingdom of Great Britain and Northern Ireland", "GB"},
	{"U.S.", "US"}, {"U.S.A.", "US"}, {"United States of America", "US"}, {"America", "US"},
	{"United States Minor Outlying Islands", "UM"}, {"United States Virgin Islands", "VI"},
	{"Deutschland", "DE"}, {"Holland", "NL"}, {"The Netherlands", "NL"}, {"Nederland", "NL"},
	{"España", "ES"}, {"Italia", "IT"}, {"Österreich", "AT"}, {"Schweiz", "CH"}, {"Suisse", "CH"},
	{"Svizzera", "CH"}, {"Sverige", "SE"}, {"Norge", "NO"}, {"Danmark", "DK"}, {"Suomi", "FI"},
	{"Polska", "PL"}, {"Éire", "IE"}, {"Republic of Ireland", "IE"}, {"Brasil", "BR"}, {"México", "MX"},
	{"Czech Republic", "CZ"}, {"Ivory Coast", "CI"}, {"Viet Nam", "VN"}, {"Burma", "MM"},
	{"Macedonia", "MK"}, {"Swaziland", "SZ"}, {"Turkey", "TR"}, {"UAE", "AE"}, {"Emirates", "AE"},
	{"Korea", "KR"}, {"Republic of Korea", "KR"}, {"Russian Federation", "RU"}, {"Vatican", "VA"},
	{"Holy See", "VA"}, {"Cabo Verde", "CV"}, {"East Timor", "TL"}, {"Lao", "LA"},
	{"Democratic Republic of the Congo", "CD"}, {"DR Congo", "CD"}, {"DRC", "CD"},
	{"Republic of the Congo", "CG"}, {"Hong Kong", "HK"}, {"Macao", "MO"}, {"Macau", "MO"},
	{"Taiwan, Province of China", "TW"}, {"Bosnia", "BA"}, {"Trinidad", "TT"},
	{"Bonaire, Sint Eustatius and Saba", "BQ"}, {"Pitcairn", "PN"}, {"Palestine", "PS"},
	{"Saint Helena, Ascension and Tristan da Cunha", "SH"}, {"Tristan da Cunha", "SH"},
	{"Ascension Island", "SH"}, {"Falkland Islands (Malvinas)", "FK"},
}

// countryIndex finds countries by code and by folded name.
type countryIndex struct {
	alpha2 [26 * 26]string // alpha-2 code by slot, "" when unassigned
	name   [26 * 26]string // English short name by slot
	alpha3 map[string]string
	names  map[string]string // FoldName of a name or alias to alpha-2
}

func alpha2Slot(a, b byte) int { return int((a&^0x20)-'A')*26 + int((b&^0x20)-'A') }

// countryIndexOnce builds the read-only country index on first use from
// the regions of golang.org/x/text that are ISO 3166-1 countries: not
// private use, not deprecated, not exceptionally reserved, and named.
var countryIndexOnce = sync.OnceValue(func() *countryIndex {
	idx := &countryIndex{
		alpha3: make(map[string]string, 256),
		names:  make(map[string]string, 512),
	}
	en := display.English.Regions()
	for a := byte('A'); a <= 'Z'; a++ {
		for b := byte('A'); b <= 'Z'; b++ {
			code := string([]byte{a, b})
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() || r.IsPrivateUse() || r.Canonicalize() != r ||
				r.String() != code || strings.Contains(exceptionallyReserved, code) {
				continue
			}
			name := en.Name(r)
			if name == "" {
				continue
			}
			slot := alpha2Slot(a, b)
			idx.alpha2[slot], idx.name[slot] = code, name
			idx.alpha3[r.ISO3()] = code
			for _, n := range nameForms(name) {
				idx.names[FoldName(n)] = code
			}
		}
	}
	for _, r := range countryRenames {
		idx.name[alpha2Slot(r.code[0], r.code[1])] = r.name
		idx.names[FoldName(r.name)] = r.code
	}
	for _, a := range countryAliases {
		for _, n := range nameForms(a.name) {
			idx.names[FoldName(n)] = a.code
		}
	}
	idx.alpha2[alpha2Slot('U', 'K')] = "GB" // "UK" is reserved for GB
	return idx
})

// nameForms returns the ways people write a country name: as is,
// without a parenthesis ("Myanmar (Burma)"), with "and" for "&" and
// "Saint" for "St." and back.
func nameForms(name string) []string {
	forms := []string{name}
	if i, j := strings.Index(name, " ("), strings.Index(name, ")"); i > 0 && j > i {
		forms = append(forms, name[:i]+name[j+1:])
	}
	swap := func(from, to string, prefix bool) {
		for _, f := range forms {
			switch {
			case prefix && strings.HasPrefix(f, from):
				forms = append(forms, to+f[len(from):])
			case !prefix && strings.Contains(f, from):
				forms = append(forms, strings.ReplaceAll(f, from, to))
			}
		}
	}
	swap(" & ", " and ", false)
	swap(" and ", " & ", false)
	swap("St. ", "Saint ", true)
	swap("Saint ", "St. ", true)
	return forms
}
