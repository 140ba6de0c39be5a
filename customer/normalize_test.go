package customer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"
)

// testNow is the fixed "now" of the date tests.
var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// normCase is one row of a normalizer's table: the raw value, the normal
// form wanted ("" unless valid) and the status wanted.
type normCase struct {
	name, raw, want string
	status          Status
}

// checkNorm runs cases through normalize and checks Norm, Status, Raw
// and that Reason is set exactly on invalid values.
func checkNorm(t *testing.T, normalize func(string) Value, cases []normCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got := normalize(tt.raw)
			if got.Norm != tt.want || got.Status != tt.status {
				t.Fatalf("normalize(%q) = %+v, want Norm %q, %v", tt.raw, got, tt.want, tt.status)
			}
			if (got.Status == Invalid) != (got.Reason != "") {
				t.Errorf("normalize(%q): status %v with reason %q", tt.raw, got.Status, got.Reason)
			}
			if got.Raw != trim(tt.raw) {
				t.Errorf("normalize(%q): Raw = %q, want %q", tt.raw, got.Raw, trim(tt.raw))
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	checkNorm(t, NormalizeEmail, []normCase{
		{"plain", "john.smith@example.com", "john.smith@example.com", Valid},
		{"mixed case", "John.Smith@Example.COM", "john.smith@example.com", Valid},
		{"spaces around", "  jane@example.co.uk\t", "jane@example.co.uk", Valid},
		{"nbsp and bom", "\ufeff\u00a0jane@example.co.uk\u00a0", "jane@example.co.uk", Valid},
		{"crlf", "jane@example.co.uk\r\n", "jane@example.co.uk", Valid},
		{"plus tag", "jane+news@example.com", "jane+news@example.com", Valid},
		{"mailto", "mailto:Jane@Example.com", "jane@example.com", Valid},
		{"subdomain and digits", "j.o'brien-2@mail.example-1.ie", "j.o'brien-2@mail.example-1.ie", Valid},
		{"unicode local", "José.Núñez@Example.es", "josé.núñez@example.es", Valid},
		{"unicode domain", "info@Bücher.de", "info@bücher.de", Valid},
		{"punycode tld", "info@example.xn--p1ai", "info@example.xn--p1ai", Valid},
		{"no domain", "john.smith@", "", Invalid},
		{"double at", "jane@@example.com", "", Invalid},
		{"two ats", "jane@home@example.com", "", Invalid},
		{"no tld", "mary.jones@example", "", Invalid},
		{"words", "bob at example dot com", "", Invalid},
		{"space inside", "bob smith@example.com", "", Invalid},
		{"nbsp inside", "bob\u00a0smith@example.com", "", Invalid},
		{"no local", "@example.com", "", Invalid},
		{"leading dot", ".bob@example.com", "", Invalid},
		{"double dot", "bob..smith@example.com", "", Invalid},
		{"trailing dot domain", "bob@example.com.", "", Invalid},
		{"empty label", "bob@example..com", "", Invalid},
		{"hyphen label", "bob@-example.com", "", Invalid},
		{"underscore domain", "bob@ex_ample.com", "", Invalid},
		{"numeric tld", "bob@example.123", "", Invalid},
		{"one letter tld", "bob@example.c", "", Invalid},
		{"comma", "bob@example,com", "", Invalid},
		{"two addresses", "a@example.com;b@example.com", "", Invalid},
		{"quoted", `"bob"@example.com`, "", Invalid},
		{"ip literal", "bob@[192.0.2.1]", "", Invalid},
		{"empty", "", "", Missing},
		{"n/a", "N/A", "", Missing},
		{"none", "none", "", Missing},
		{"dash", "-", "", Missing},
		{"unknown", "Unknown", "", Missing},
		{"null", "NULL", "", Missing},
		{"na", "na", "", Missing},
		{"noemail", "noemail@example.com", "", Missing},
		{"no-email", "No-Email@shop.co.uk", "", Missing},
	})
}

func TestNormalizeName(t *testing.T) {
	checkNorm(t, NormalizeName, []normCase{
		{"plain", "John", "John", Valid},
		{"spaces", "  Mary   Ann  ", "Mary Ann", Valid},
		{"all caps", "SMITH", "Smith", Valid},
		{"all lower", "o'neil-smith", "O'Neil-Smith", Valid},
		{"mixed kept", "McDonald", "McDonald", Valid},
		{"particles kept", "van der Berg", "van der Berg", Valid},
		{"accents kept", "José", "José", Valid},
		{"accents caps", "ÉLODIE", "Élodie", Valid},
		{"decomposed to nfc", "Zoe\u0308", "Zoë", Valid},
		{"nbsp", "Anne\u00a0Marie", "Anne Marie", Valid},
		{"bom", "\ufeffAnna", "Anna", Valid},
		{"crlf", "Anna\r\n", "Anna", Valid},
		{"zero width", "Jo\u200bhn", "John", Valid},
		{"tab inside", "Mary\tAnn", "Mary Ann", Valid},
		{"initial", "J.", "J.", Valid},
		{"curly apostrophe", "D’Angelo", "D’Angelo", Valid},
		{"greek", "Νίκος", "Νίκος", Valid},
		{"cyrillic caps", "ИВАН", "Иван", Valid},
		{"cjk", "山田", "山田", Valid},
		{"turkish", "Şükrü", "Şükrü", Valid},
		{"full name comma", "Smith, John", "Smith, John", Valid},
		{"na is a name", "Na", "Na", Valid},
		{"digit", "R2D2", "", Invalid},
		{"arabic digit", "Ali ٣", "", Invalid},
		{"at sign", "john@example.com", "", Invalid},
		{"slash", "Mr/Mrs Smith", "", Invalid},
		{"no letter", "--'", "", Invalid},
		{"empty", "", "", Missing},
		{"unknown", "UNKNOWN", "", Missing},
		{"dash", "-", "", Missing},
	})
}

func TestFoldName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"john", "john"},
		{"John", "john"},
		{"José", "jose"},
		{"Zoe\u0308", "zoe"},
		{"ZOË", "zoe"},
		{"O'Neil", "oneil"},
		{"O’Neil", "oneil"},
		{"Smith-Jones", "smith jones"},
		{"  Mary   Ann ", "mary ann"},
		{"J.R.R. Tolkien", "jrr tolkien"},
		{"Strauß", "strauss"},
		{"Ærøskøbing", "aeroskobing"},
		{"Łukasz", "lukasz"},
		{"Đorđe", "dorde"},
		{"Þór", "thor"},
		{"Œuvre", "oeuvre"},
		{"Ayşe Yıldız", "ayse yildiz"},
		{"Nguyễn Thị Minh Khai", "nguyen thi minh khai"},
		{"Müller, Hans", "muller hans"},
		{"Νίκος", "νικος"},
		{"山田 太郎", "山田 太郎"},
		{"Anne\u00a0Marie", "anne marie"},
		{"\ufeffAnna\r\n", "anna"},
		{"", ""},
		{"-", ""},
		{"bad\xffbyte", "badbyte"},
	} {
		if got := FoldName(tt.in); got != tt.want {
			t.Errorf("FoldName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFoldNameAllocs(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64
	}{
		{"mary ann", 0},
		{"Mary-Ann O'Neil", 1},
		{"Zoë Ærøskøbing", 1},
	} {
		if got := testing.AllocsPerRun(100, func() { FoldName(tt.in) }); got > tt.want {
			t.Errorf("FoldName(%q) allocates %v times, want at most %v", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeDate(t *testing.T) {
	for _, format := range []string{"", DateISO, DateYYYYMMDD, DateDMY, DateMDY} {
		opt := Options{DateFormat: format, Now: testNow}
		cases := []normCase{
			{"iso", "1980-04-01", "1980-04-01", Valid},
			{"iso with time", "1980-04-01 00:00:00", "1980-04-01", Valid},
			{"iso with T", "1980-04-01T00:00:00Z", "1980-04-01", Valid},
			{"iso slashes", "1980/04/01", "1980-04-01", Valid},
			{"leap day", "2000-02-29", "2000-02-29", Valid},
			// A date that is not real keeps its digits (WrittenDate).
			{"not leap 1900", "1900-02-29", "1900-02-29", Invalid},
			{"not a real date", "2001-02-31", "2001-02-31", Invalid},
			{"month 13", "2001-13-01", "2001-13-01", Invalid},
			{"future", "2027-01-01", "", Invalid},
			{"tomorrow", "2026-11-24", "", Invalid},
			{"today", "2026-11-23", "2026-11-23", Valid},
			{"too old", "1899-12-31", "", Invalid},
			{"earliest", "1900-01-01", "1900-01-01", Valid},
			{"words", "1st April 1980", "", Invalid},
			{"empty", "", "", Missing},
			{"n/a", "n/a", "", Missing},
		}
		switch format {
		case DateYYYYMMDD:
			cases = append(cases,
				normCase{"compact", "19800401", "1980-04-01", Valid},
				normCase{"compact not real", "20010231", "2001-02-31", Invalid},
				normCase{"compact short", "1980041", "", Invalid},
				normCase{"compact future", "20991231", "", Invalid},
			)
		case DateDMY:
			cases = append(cases,
				normCase{"dmy", "01/04/1980", "1980-04-01", Valid},
				normCase{"dmy one digit", "1/4/1980", "1980-04-01", Valid},
				normCase{"dmy dots", "01.04.1980", "1980-04-01", Valid},
				normCase{"dmy dashes", "01-04-1980", "1980-04-01", Valid},
				normCase{"dmy day 31", "31/12/1980", "1980-12-31", Valid},
				normCase{"dmy swapped", "12/31/1980", "1980-31-12", Invalid},
				normCase{"dmy two-digit year", "01/04/80", "", Invalid},
				normCase{"dmy mixed separators", "01/04-1980", "", Invalid},
				normCase{"dmy with time", "01/04/1980 00:00", "1980-04-01", Valid},
			)
		case DateMDY:
			cases = append(cases,
				normCase{"mdy", "04/01/1980", "1980-04-01", Valid},
				normCase{"mdy day 31", "12/31/1980", "1980-12-31", Valid},
				normCase{"mdy swapped", "31/12/1980", "1980-31-12", Invalid},
			)
		default:
			cases = append(cases,
				normCase{"compact in iso", "19800401", "", Invalid},
				normCase{"dmy in iso", "01/04/1980", "", Invalid},
			)
		}
		t.Run("format="+format, func(t *testing.T) {
			checkNorm(t, func(s string) Value { return NormalizeDate(s, opt) }, cases)
		})
	}
}

func TestNormalizeDateBounds(t *testing.T) {
	opt := Options{Now: testNow, EarliestDate: time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)}
	if got := NormalizeDate("1805-06-15", opt); got.Norm != "1805-06-15" {
		t.Errorf("with EarliestDate 1700: %+v, want valid", got)
	}
	got := NormalizeDate("1699-12-31", opt)
	if got.Status != Invalid || got.Reason != "date of birth is before the earliest date 1700-01-01" {
		t.Errorf("before EarliestDate: %+v", got)
	}
	if got := NormalizeDate("2026-11-24", opt); got.Reason != "date of birth is in the future" {
		t.Errorf("future: %+v", got)
	}
	if got := NormalizeDate("2001-02-31", opt); got.Reason != "not a real date" {
		t.Errorf("not real: %+v", got)
	}
	if got := NormalizeDate("31/12/1980", Options{DateFormat: "DD/MM/YYYY", Now: testNow}); got.Norm != "1980-12-31" {
		t.Errorf("upper-case format: %+v", got)
	}
	if got := NormalizeDate("2099-01-01", Options{}); got.Status != Invalid {
		t.Errorf("zero Now is the current time: %+v", got)
	}
}

func TestNormalizeCountry(t *testing.T) {
	checkNorm(t, NormalizeCountry, []normCase{
		{"alpha-2", "GB", "GB", Valid},
		{"alpha-2 lower", "gb", "GB", Valid},
		{"alpha-3", "GBR", "GB", Valid},
		{"alpha-3 lower", "deu", "DE", Valid},
		{"name", "United Kingdom", "GB", Valid},
		{"name lower", "united states", "US", Valid},
		{"uk", "UK", "GB", Valid},
		{"england", "England", "GB", Valid},
		{"usa", "USA", "US", Valid},
		{"u.s.a.", "U.S.A.", "US", Valid},
		{"america", "United States of America", "US", Valid},
		{"deutschland", "Deutschland", "DE", Valid},
		{"españa", "España", "ES", Valid},
		{"espana", "ESPANA", "ES", Valid},
		{"holland", "Holland", "NL", Valid},
		{"ampersand", "Bosnia & Herzegovina", "BA", Valid},
		{"and", "Trinidad and Tobago", "TT", Valid},
		{"saint", "St. Lucia", "LC", Valid},
		{"accents", "Côte d’Ivoire", "CI", Valid},
		{"no accents", "Cote d'Ivoire", "CI", Valid},
		{"namibia", "NA", "NA", Valid},
		{"nbsp", "New\u00a0Zealand", "NZ", Valid},
		{"great britain", "Great Britain", "GB", Valid},
		{"u.k.", "u.k.", "GB", Valid},
		{"scotland", "Scotland", "GB", Valid},
		{"iso name gb", "United Kingdom of Great Britain and Northern Ireland", "GB", Valid},
		{"usa lower", "usa", "US", Valid},
		{"usvi", "United States Virgin Islands", "VI", Valid},
		{"cldr usvi", "U.S. Virgin Islands", "VI", Valid},
		{"österreich", "Österreich", "AT", Valid},
		{"osterreich", "Osterreich", "AT", Valid},
		{"suisse", "Suisse", "CH", Valid},
		{"éire", "Éire", "IE", Valid},
		{"méxico", "México", "MX", Valid},
		{"brasil", "Brasil", "BR", Valid},
		{"nederland", "Nederland", "NL", Valid},
		{"the netherlands", "The Netherlands", "NL", Valid},
		{"czech republic", "Czech Republic", "CZ", Valid},
		{"czechia", "Czechia", "CZ", Valid},
		{"former name", "Swaziland", "SZ", Valid},
		{"renamed", "Türkiye", "TR", Valid},
		{"turkey", "Turkey", "TR", Valid},
		{"north macedonia", "North Macedonia", "MK", Valid},
		{"cldr parenthesis", "Myanmar (Burma)", "MM", Valid},
		{"parenthesis dropped", "Myanmar", "MM", Valid},
		{"burma", "Burma", "MM", Valid},
		{"cldr congo", "Congo - Kinshasa", "CD", Valid},
		{"iso congo", "Democratic Republic of the Congo", "CD", Valid},
		{"drc", "DRC", "CD", Valid},
		{"congo", "Republic of the Congo", "CG", Valid},
		{"cldr hong kong", "Hong Kong SAR China", "HK", Valid},
		{"hong kong", "Hong Kong", "HK", Valid},
		{"macau", "Macau", "MO", Valid},
		{"uae", "UAE", "AE", Valid},
		{"holy see", "Holy See", "VA", Valid},
		{"vatican", "Vatican City", "VA", Valid},
		{"saint for st.", "Saint Kitts and Nevis", "KN", Valid},
		{"st for saint", "St Kitts & Nevis", "KN", Valid},
		{"alias without and", "Saint Helena, Ascension Tristan da Cunha", "SH", Valid},
		{"ascension", "Ascension Island", "SH", Valid},
		{"malvinas", "Falkland Islands (Malvinas)", "FK", Valid},
		{"palestine", "Palestine", "PS", Valid},
		{"bonaire", "Bonaire, Sint Eustatius and Saba", "BQ", Valid},
		{"reserved ascension", "AC", "", Invalid},
		{"deprecated", "YU", "", Invalid},
		{"replaced", "BU", "", Invalid},
		{"kosovo", "XK", "", Invalid},
		{"numeric", "826", "", Invalid},
		{"unknown code", "XX", "", Invalid},
		{"unknown name", "Narnia", "", Invalid},
		{"reserved", "EU", "", Invalid},
		{"empty", "", "", Missing},
		{"n/a", "N/A", "", Missing},
	})
}

// TestCountryTable checks every country the former hand-kept table
// accepted, in testdata/iso3166.txt: its alpha-2 code, alpha-3 code and
// name still give its code, it has a name, and no other code is accepted.
func TestCountryTable(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "iso3166.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for line := range strings.Lines(string(data)) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
		if len(f) != 3 {
			t.Fatalf("bad line %q", line)
		}
		alpha2 := f[0]
		want[alpha2] = true
		for _, s := range f {
			if code, ok := CountryCode(s); !ok || code != alpha2 {
				t.Errorf("CountryCode(%q) = %q, %v; want %s", s, code, ok, alpha2)
			}
		}
		if r, err := language.ParseRegion(alpha2); err != nil || r.ISO3() != f[1] {
			t.Errorf("%s: alpha-3 %s, x/text says %s", alpha2, f[1], r.ISO3())
		}
	}
	if len(want) != 249 {
		t.Errorf("%d countries in testdata, want the 249 of ISO 3166-1", len(want))
	}
	for a := byte('A'); a <= 'Z'; a++ {
		for b := byte('A'); b <= 'Z'; b++ {
			s := string([]byte{a, b})
			if got := CountryName(s) != ""; got != want[s] {
				t.Errorf("CountryName(%s) = %q, want a name: %v", s, CountryName(s), want[s])
			}
			if code, ok := CountryCode(s); ok != (want[s] || s == "UK") {
				t.Errorf("CountryCode(%s) = %q, %v", s, code, ok)
			}
		}
	}
	for _, a := range countryAliases {
		if CountryName(a.code) == "" {
			t.Errorf("alias %q: unknown code %s", a.name, a.code)
		}
	}
}

func TestCountryName(t *testing.T) {
	for _, tt := range []struct{ code, want string }{
		{"GB", "United Kingdom"},
		{"US", "United States"},
		{"CI", "Côte d’Ivoire"},
		{"LC", "St. Lucia"},
		{"MK", "North Macedonia"},
		{"SZ", "Eswatini"},
		{"TR", "Türkiye"},
		{"gb", ""},
		{"UK", ""},
		{"EU", ""},
		{"XK", ""},
		{"GBR", ""},
	} {
		if got := CountryName(tt.code); got != tt.want {
			t.Errorf("CountryName(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestNormalizePostcode(t *testing.T) {
	for _, tt := range []struct {
		name, raw, country, want string
		status                   Status
	}{
		{"gb spaced", "SW1A 1AA", "GB", "SW1A 1AA", Valid},
		{"gb compact lower", "sw1a1aa", "GB", "SW1A 1AA", Valid},
		{"gb extra spaces", " EC1A  1BB ", "GB", "EC1A 1BB", Valid},
		{"gb A9 9AA", "m1 1ae", "GB", "M1 1AE", Valid},
		{"gb A99 9AA", "B33 8TH", "GB", "B33 8TH", Valid},
		{"gb AA9 9AA", "CR2 6XH", "GB", "CR2 6XH", Valid},
		{"gb AA99 9AA", "DN55 1PT", "GB", "DN55 1PT", Valid},
		{"gb nbsp", "W1A\u00a00AX", "GB", "W1A 0AX", Valid},
		{"gb girobank", "GIR 0AA", "GB", "GIR 0AA", Valid},
		{"gb name of country", "SW1A 1AA", "United Kingdom", "SW1A 1AA", Valid},
		{"gb lower country", "SW1A 1AA", "gb", "SW1A 1AA", Valid},
		{"gb bad inward", "SW1A 1AC", "GB", "", Invalid},
		{"gb too short", "SW1", "GB", "", Invalid},
		{"gb digits only", "12345", "GB", "", Invalid},
		{"us five", "12345", "US", "12345", Valid},
		{"us zip+4", "12345-6789", "US", "12345-6789", Valid},
		{"us zip+4 compact", "123456789", "US", "12345-6789", Valid},
		{"us lost zero", "2134", "US", "", Invalid},
		{"us letters", "ABCDE", "US", "", Invalid},
		{"au", "2000", "AU", "2000", Valid},
		{"au five digits", "20000", "AU", "", Invalid},
		{"ca", "k1a0b1", "CA", "K1A 0B1", Valid},
		{"nl", "1012ab", "NL", "1012 AB", Valid},
		{"se", "11455", "SE", "114 55", Valid},
		{"de", "10115", "DE", "10115", Valid},
		{"de short", "1011", "DE", "", Invalid},
		{"fr", "75008", "FR", "75008", Valid},
		{"in spaced", "110 001", "IN", "110001", Valid},
		{"ie eircode", "d02 x285", "IE", "D02 X285", Valid},
		{"no country", " ec1a   1bb ", "", "EC1A 1BB", Valid},
		{"symbol", "SW1A#1AA", "GB", "", Invalid},
		{"unicode", "SW1A 1ÅA", "", "", Invalid},
		{"empty", "", "GB", "", Missing},
		{"n/a", "N/A", "GB", "", Missing},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := NormalizePostcode(tt.raw, tt.country)
			if got.Norm != tt.want || got.Status != tt.status || (got.Status == Invalid) != (got.Reason != "") {
				t.Fatalf("NormalizePostcode(%q, %q) = %+v, want %q %v", tt.raw, tt.country, got, tt.want, tt.status)
			}
		})
	}
}

func TestNormalizeText(t *testing.T) {
	checkNorm(t, NormalizeText, []normCase{
		{"plain", "10 Downing Street", "10 Downing Street", Valid},
		{"spaces", "  10   Downing\tStreet ", "10 Downing Street", Valid},
		{"crlf inside", "Flat 2\r\n10 High St", "Flat 2 10 High St", Valid},
		{"nbsp", "Rue\u00a0de\u00a0Rivoli", "Rue de Rivoli", Valid},
		{"nfc", "Mu\u0308nchen", "München", Valid},
		{"bom", "\ufeffLondon", "London", Valid},
		{"zero width", "Lon\u200bdon", "London", Valid},
		{"invalid utf8", "Lon\xffdon", "Lon\ufffddon", Valid},
		{"punctuation only", "...", "", Missing},
		{"symbols only", "#!", "", Invalid},
		{"empty", "", "", Missing},
		{"unknown", "unknown", "", Missing},
	})
}

func TestNormalizeRegion(t *testing.T) {
	checkNorm(t, NormalizeRegion, []normCase{
		{"au code", "nsw", "NSW", Valid},
		{"us code", "ca", "CA", Valid},
		{"code spaced", " vic ", "VIC", Valid},
		{"name kept", "Greater London", "Greater London", Valid},
		{"name nfc", "Île-de-France", "Île-de-France", Valid},
		{"four letters kept", "Kent", "Kent", Valid},
		{"empty", "", "", Missing},
	})
}

func TestNormalizeGender(t *testing.T) {
	checkNorm(t, NormalizeGender, []normCase{
		{"m", "M", GenderMale, Valid},
		{"male", "Male", GenderMale, Valid},
		{"man", "man", GenderMale, Valid},
		{"f", "f", GenderFemale, Valid},
		{"female", "FEMALE", GenderFemale, Valid},
		{"w", "W", GenderFemale, Valid},
		{"weiblich", "weiblich", GenderFemale, Valid},
		{"x", "X", GenderOther, Valid},
		{"non-binary", "Non-binary", GenderOther, Valid},
		{"diverse", "divers", GenderOther, Valid},
		{"u", "U", "", Missing},
		{"unknown", "Unknown", "", Missing},
		{"prefer not", "Prefer not to say", "", Missing},
		{"empty", "", "", Missing},
		{"nonsense", "blue", "", Invalid},
	})
}

func TestNormalizeIdentifier(t *testing.T) {
	checkNorm(t, NormalizeIdentifier, []normCase{
		{"plain", "AB123456C", "AB123456C", Valid},
		{"case kept", "ab123456c", "ab123456c", Valid},
		{"spaces", " AB 12  34 56 C\r\n", "AB 12 34 56 C", Valid},
		{"bom", "\ufeffL-0042", "L-0042", Valid},
		{"empty", "", "", Missing},
		{"n/a", "n/a", "", Missing},
	})
}

func TestNormalize(t *testing.T) {
	r := Record{Source: "crm", ID: "1", Identifiers: map[string]Value{"national_id": {Raw: " AB123456C "}, "loyalty_id": {Raw: "n/a"}}}
	raw := map[Field]string{
		GivenName:    " JOSÉ ",
		FamilyName:   "o'neil",
		Email:        "Jose.ONeil@Example.COM",
		Phone:        "06 12 34 56 78",
		AddressLine1: "12  rue de Rivoli",
		Locality:     "Paris",
		PostalCode:   "75001",
		Country:      "France",
		DateOfBirth:  "01/04/1980",
		Gender:       "M",
	}
	for f, s := range raw {
		r.Fields[f].Raw = s
	}
	r.Extra = []Extra{{Field: Email, Value: Value{Raw: "bob at example dot com"}}, {Field: Phone, Value: Value{Raw: "+44 7700 900123"}}}
	Normalize(&r, Options{DefaultCountry: "GB", DateFormat: DateDMY, Now: testNow})
	want := map[Field]string{
		GivenName:    "José",
		FamilyName:   "O'Neil",
		Email:        "jose.oneil@example.com",
		Phone:        "+33612345678", // the record's country, not the source's default
		AddressLine1: "12 rue de Rivoli",
		Locality:     "Paris",
		PostalCode:   "75001",
		Country:      "FR",
		DateOfBirth:  "1980-04-01",
		Gender:       "male",
	}
	for f := Field(0); f < NumFields; f++ {
		v := r.Fields[f]
		if v.Norm != want[f] {
			t.Errorf("%s: %+v, want %q", f, v, want[f])
		}
		if v.Raw != trim(raw[f]) {
			t.Errorf("%s: Raw %q, want %q", f, v.Raw, trim(raw[f]))
		}
		if want[f] == "" && v.Status != Missing {
			t.Errorf("%s: %+v, want missing", f, v)
		}
	}
	if e := r.Extra[0].Value; e.Status != Invalid || e.Reason == "" {
		t.Errorf("extra email: %+v, want invalid", e)
	}
	if e := r.Extra[1].Value; e.Norm != "+447700900123" {
		t.Errorf("extra phone: %+v", e)
	}
	if id := r.Identifiers["national_id"]; id.Norm != "AB123456C" || id.Raw != "AB123456C" {
		t.Errorf("national_id: %+v", id)
	}
	if id := r.Identifiers["loyalty_id"]; id.Status != Missing {
		t.Errorf("loyalty_id: %+v", id)
	}
}

// TestNormalizeDefaultCountry checks that a record without a country is
// read in the source's default country and keeps its country missing.
func TestNormalizeDefaultCountry(t *testing.T) {
	var r Record
	r.Fields[Phone].Raw = "07700 900123"
	r.Fields[PostalCode].Raw = "sw1a1aa"
	Normalize(&r, Options{DefaultCountry: "GB"})
	if got := r.Fields[Phone].Norm; got != "+447700900123" {
		t.Errorf("phone %q", got)
	}
	if got := r.Fields[PostalCode].Norm; got != "SW1A 1AA" {
		t.Errorf("postcode %q", got)
	}
	if got := r.Fields[Country]; got.Status != Missing {
		t.Errorf("country %+v, want missing", got)
	}
	r.Fields[Country].Raw = "Narnia"
	Normalize(&r, Options{DefaultCountry: "GB"})
	if r.Fields[Country].Status != Invalid || r.Fields[PostalCode].Norm != "SW1A 1AA" {
		t.Errorf("invalid country: %+v, postcode %+v", r.Fields[Country], r.Fields[PostalCode])
	}
}

// TestNormalFormsDoNotAllocate checks that values already in normal form
// are returned as they are.
func TestNormalFormsDoNotAllocate(t *testing.T) {
	opt := Options{DefaultCountry: "GB", Now: testNow}
	for _, tt := range []struct {
		f   Field
		raw string
	}{
		{GivenName, "John"}, {FamilyName, "Smith"}, {Email, "john.smith@example.com"},
		{Phone, "+447700900123"}, {AddressLine1, "10 Downing Street"}, {Locality, "London"},
		{Region, "NSW"}, {PostalCode, "SW1A 1AA"}, {Country, "GB"}, {DateOfBirth, "1980-04-01"},
		{Gender, "male"},
	} {
		// The phone's digit buffer escapes into the regexp engine once.
		want := 0.0
		if tt.f == Phone {
			want = 1
		}
		if got := testing.AllocsPerRun(100, func() { NormalizeField(tt.f, tt.raw, opt) }); got > want {
			t.Errorf("%s %q: %v allocations, want %v", tt.f, tt.raw, got, want)
		}
	}
}

func TestDateLayouts(t *testing.T) {
	for _, tt := range []struct {
		format, raw, want string
	}{
		{"dd.mm.yyyy", "20.11.1980", "1980-11-20"},
		{"dd.mm.yyyy", "1.2.1980", "1980-02-01"},
		{"yyyy/mm/dd", "1980/11/20", "1980-11-20"},
		{"yyyy.dd.mm", "1980.20.11", "1980-11-20"},
		{"ddmmyyyy", "20111980", "1980-11-20"},
		{"mm-dd-yyyy", "11-20-1980", "1980-11-20"},
		{"DD.MM.YYYY", "20.11.1980", "1980-11-20"},
		{"dd.mm.yyyy", "1980-11-20", "1980-11-20"}, // ISO whatever the format
		{"dd.mm.yyyy", "20.11.80", ""},
		{"ddmmyyyy", "2011198", ""},
	} {
		t.Run(tt.format+" "+tt.raw, func(t *testing.T) {
			got := NormalizeDate(tt.raw, Options{DateFormat: tt.format, Now: testNow})
			if got.Norm != tt.want {
				t.Errorf("NormalizeDate(%q, %q) = %+v, want %q", tt.raw, tt.format, got, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		format, layout string
		ok             bool
	}{
		{"iso", "2006-01-02", true},
		{"dd.mm.yyyy", "02.01.2006", true},
		{"yyyy/mm/dd", "2006/01/02", true},
		{"yyyymmdd", "20060102", true},
		{"dd/mm-yyyy", "", false},
		{"dd/dd/yyyy", "", false},
		{"dd/mm", "", false},
		{"dd mm yyyy", "", false},
		{"yy/mm/dd", "", false},
	} {
		l, ok := ParseDateFormat(tt.format)
		if ok != tt.ok || ok && l.GoLayout() != tt.layout {
			t.Errorf("ParseDateFormat(%q) = %q, %v; want %q, %v", tt.format, l.GoLayout(), ok, tt.layout, tt.ok)
		}
	}
}

func TestWrittenDate(t *testing.T) {
	opt := Options{DateFormat: DateDMY, Now: testNow}
	for _, tt := range []struct{ name, raw, want string }{
		{"valid", "31/12/1980", ""},
		{"day and month swapped", "12/31/1980", "19803112"},
		{"month 81", "03/81/1980", "19808103"},
		{"in the future", "01/01/2099", ""},
		{"not a date", "soon", ""},
		{"missing", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := NormalizeDate(tt.raw, opt)
			if got := v.WrittenDate(); got != tt.want {
				t.Errorf("WrittenDate of %q (%+v) = %q, want %q", tt.raw, v, got, tt.want)
			}
			if v.Usable() && v.WrittenDate() != "" {
				t.Errorf("%q is usable and has a written date", tt.raw)
			}
		})
	}
}
