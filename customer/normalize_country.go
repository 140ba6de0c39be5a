package customer

import (
	"strings"
	"sync"
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
		if i := idx.alpha2[alpha2Slot(s[0], s[1])]; i > 0 {
			return countries[i-1].alpha2, true
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
// code, such as "United Kingdom" for "GB", or "" for an unknown code.
func CountryName(code string) string {
	if len(code) != 2 || !isASCIILetter(code[0]) || !isASCIILetter(code[1]) {
		return ""
	}
	if i := countryIndexOnce().alpha2[alpha2Slot(code[0], code[1])]; i > 0 && countries[i-1].alpha2 == code {
		return countries[i-1].name
	}
	return ""
}

// countryAliases maps further names, in any case and with or without
// accents, to alpha-2 codes.
var countryAliases = [...]struct{ name, code string }{
	{"UK", "GB"}, {"U.K.", "GB"}, {"Great Britain", "GB"}, {"Britain", "GB"}, {"England", "GB"},
	{"Scotland", "GB"}, {"Wales", "GB"}, {"Northern Ireland", "GB"}, {"N. Ireland", "GB"},
	{"United Kingdom of Great Britain and Northern Ireland", "GB"},
	{"U.S.", "US"}, {"U.S.A.", "US"}, {"United States of America", "US"}, {"America", "US"},
	{"Deutschland", "DE"}, {"Holland", "NL"}, {"The Netherlands", "NL"}, {"Nederland", "NL"},
	{"España", "ES"}, {"Italia", "IT"}, {"Österreich", "AT"}, {"Schweiz", "CH"}, {"Suisse", "CH"},
	{"Svizzera", "CH"}, {"Sverige", "SE"}, {"Norge", "NO"}, {"Danmark", "DK"}, {"Suomi", "FI"},
	{"Polska", "PL"}, {"Éire", "IE"}, {"Republic of Ireland", "IE"}, {"Brasil", "BR"}, {"México", "MX"},
	{"Czech Republic", "CZ"}, {"Ivory Coast", "CI"}, {"Viet Nam", "VN"}, {"Burma", "MM"},
	{"Macedonia", "MK"}, {"Swaziland", "SZ"}, {"Turkey", "TR"}, {"UAE", "AE"}, {"Emirates", "AE"},
	{"Korea", "KR"}, {"Republic of Korea", "KR"}, {"Russian Federation", "RU"}, {"Vatican", "VA"},
	{"Vatican City", "VA"}, {"Cape Verde", "CV"}, {"East Timor", "TL"}, {"Lao", "LA"},
	{"DR Congo", "CD"}, {"DRC", "CD"}, {"Hong Kong SAR China", "HK"}, {"Macau", "MO"},
	{"Taiwan, Province of China", "TW"}, {"Bosnia", "BA"}, {"Trinidad", "TT"},
	{"Saint Helena", "SH"}, {"Tristan da Cunha", "SH"}, {"Ascension Island", "SH"},
	{"Falkland Islands (Malvinas)", "FK"}, {"Palestinian Territories", "PS"},
}

// countryIndex finds countries by code and by folded name.
type countryIndex struct {
	alpha2 [26 * 26]uint8 // 1 + index into countries, 0 when unassigned
	alpha3 map[string]string
	names  map[string]string // FoldName of a name or alias to alpha-2
}

func alpha2Slot(a, b byte) int { return int((a&^0x20)-'A')*26 + int((b&^0x20)-'A') }

// countryIndexOnce builds the read-only country index on first use.
var countryIndexOnce = sync.OnceValue(func() *countryIndex {
	idx := &countryIndex{
		alpha3: make(map[string]string, len(countries)),
		names:  make(map[string]string, 2*len(countries)+len(countryAliases)),
	}
	for i, c := range countries {
		idx.alpha2[alpha2Slot(c.alpha2[0], c.alpha2[1])] = uint8(i + 1)
		idx.alpha3[c.alpha3] = c.alpha2
		idx.names[FoldName(c.name)] = c.alpha2
		if strings.Contains(c.name, " and ") {
			idx.names[FoldName(strings.ReplaceAll(c.name, " and ", " "))] = c.alpha2
		}
		if rest, ok := strings.CutPrefix(c.name, "Saint "); ok {
			idx.names[FoldName("St "+rest)] = c.alpha2
		}
	}
	for _, a := range countryAliases {
		idx.names[FoldName(a.name)] = a.code
	}
	idx.alpha2[alpha2Slot('U', 'K')] = idx.alpha2[alpha2Slot('G', 'B')] // "UK" is reserved for GB
	return idx
})
