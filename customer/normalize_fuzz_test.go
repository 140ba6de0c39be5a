package customer

import (
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzSeeds are messy values of every kind, added to each fuzz corpus.
var fuzzSeeds = []string{
	"", " ", "-", "n/a", "NA", "\ufeff", "\u00a0", "\r\n", "\xff\xfe",
	"john.smith@example.com", "John.Smith@Example.COM", "john.smith@", "jane@@example.com",
	"mary.jones@example", "bob at example dot com", "mailto:a@b.co", "noemail@x.org", "İ@K.com",
	"07700 900123", "+44 (0)20 7946 0958", "0044 20 7946 0958", "(415) 555-2671", "1-800-FLOWERS",
	"0412 345 678", "030/1234567", "06 12 34 56 78", "098765 43210", "+800 1234 5678", "0000", "x123",
	"  JOSÉ  O'NEIL ", "Zoe\u0308", "ǆemal", "ß", "İSTANBUL", "R2D2", "Smith, John", "ǅ", "ﬁona",
	"1980-04-01", "19800401", "01/04/1980", "1/4/80", "2001-02-31", "2099-01-01", "1980-04-01T00:00:00Z",
	"GB", "gbr", "United Kingdom", "Côte d’Ivoire", "St. Lucia",
	"SW1A 1AA", "sw1a1aa", "12345-6789", "k1a 0b1", "GIR 0AA",
	"M", "female", "Non-binary", "nsw", "10  Downing\tStreet",
}

// checkFuzzValue checks the invariants of every normalizer's result v for
// input in: Raw is the trimmed input, Norm is set exactly when v is valid,
// Reason exactly when it is invalid, and normalizing Norm again gives Norm.
func checkFuzzValue(t *testing.T, in string, v Value, again func(string) Value) {
	t.Helper()
	if v.Raw != trim(in) {
		t.Fatalf("%q: Raw %q, want %q", in, v.Raw, trim(in))
	}
	if (v.Status == Valid) != (v.Norm != "") && v.WrittenDate() == "" {
		t.Fatalf("%q: status %v with Norm %q", in, v.Status, v.Norm)
	}
	if (v.Status == Invalid) != (v.Reason != "") {
		t.Fatalf("%q: status %v with reason %q", in, v.Status, v.Reason)
	}
	if v.Status != Valid {
		return
	}
	if !utf8.ValidString(v.Norm) {
		t.Fatalf("%q: Norm %q is not UTF-8", in, v.Norm)
	}
	if w := again(v.Norm); w.Status != Valid || w.Norm != v.Norm {
		t.Fatalf("%q: not idempotent: Norm %q normalizes to %+v", in, v.Norm, w)
	}
}

func addSeeds(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
}

func FuzzNormalizeEmail(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		checkFuzzValue(t, s, NormalizeEmail(s), NormalizeEmail)
	})
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range fuzzSeeds {
		for _, c := range []string{"GB", "US", "AU", "DE", "FR", "IN", "AR", ""} {
			f.Add(s, c)
		}
	}
	f.Fuzz(func(t *testing.T, s, country string) {
		again := func(n string) Value { return NormalizePhone(n, country) }
		checkFuzzValue(t, s, NormalizePhone(s, country), again)
	})
}

func FuzzNormalizeName(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		v := NormalizeName(s)
		checkFuzzValue(t, s, v, NormalizeName)
		if v.Status == Valid && FoldName(v.Norm) != FoldName(FoldName(v.Norm)) {
			t.Fatalf("%q: FoldName not idempotent", s)
		}
	})
}

func FuzzFoldName(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		k := FoldName(s)
		if !utf8.ValidString(k) {
			t.Fatalf("FoldName(%q) = %q is not UTF-8", s, k)
		}
		if FoldName(k) != k {
			t.Fatalf("FoldName(%q) = %q, FoldName of that = %q", s, k, FoldName(k))
		}
		if len(k) > 0 && (k[0] == ' ' || k[len(k)-1] == ' ') {
			t.Fatalf("FoldName(%q) = %q has outer spaces", s, k)
		}
	})
}

func FuzzNormalizeDate(f *testing.F) {
	formats := []string{DateISO, DateYYYYMMDD, DateDMY, DateMDY}
	for _, s := range fuzzSeeds {
		for i := range formats {
			f.Add(s, uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, s string, format uint8) {
		opt := Options{DateFormat: formats[int(format)%len(formats)], Now: testNow}
		v := NormalizeDate(s, opt)
		checkFuzzValue(t, s, v, func(n string) Value { return NormalizeDate(n, opt) })
		if v.Status == Valid && (len(v.Norm) != 10 || v.Norm > testNow.Format(time.DateOnly) || v.Norm < "1900-01-01") {
			t.Fatalf("%q: Norm %q out of bounds", s, v.Norm)
		}
		if v.Status == Invalid && v.Norm != "" && (v.Reason != "not a real date" || len(v.WrittenDate()) != 8) {
			t.Fatalf("%q: invalid with Norm %q and reason %q, want only a date that is not real to keep its digits", s, v.Norm, v.Reason)
		}
	})
}

func FuzzNormalizeCountry(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		v := NormalizeCountry(s)
		checkFuzzValue(t, s, v, NormalizeCountry)
		if v.Status == Valid && CountryName(v.Norm) == "" {
			t.Fatalf("%q: Norm %q is not an alpha-2 code", s, v.Norm)
		}
	})
}

func FuzzNormalizePostcode(f *testing.F) {
	for _, s := range fuzzSeeds {
		for _, c := range []string{"GB", "US", "AU", "CA", "NL", "SE", "DE", "IN", ""} {
			f.Add(s, c)
		}
	}
	f.Fuzz(func(t *testing.T, s, country string) {
		checkFuzzValue(t, s, NormalizePostcode(s, country), func(n string) Value { return NormalizePostcode(n, country) })
	})
}

func FuzzNormalizeText(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		checkFuzzValue(t, s, NormalizeText(s), NormalizeText)
		checkFuzzValue(t, s, NormalizeRegion(s), NormalizeRegion)
		checkFuzzValue(t, s, NormalizeIdentifier(s), NormalizeIdentifier)
	})
}

func FuzzNormalizeGender(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		checkFuzzValue(t, s, NormalizeGender(s), NormalizeGender)
	})
}
