package customer

import (
	"testing"
)

// crmRow is a typical CRM row before normalization: a mix of values that
// are already normal and values that need work.
func crmRow() Record {
	var r Record
	r.Source, r.ID = "crm", "C-10042"
	r.Fields[GivenName].Raw = "Mary-Jane"
	r.Fields[FamilyName].Raw = "O'NEIL"
	r.Fields[Email].Raw = "MaryJane.ONeil@Example.co.uk"
	r.Fields[Phone].Raw = "07700 900123"
	r.Fields[AddressLine1].Raw = "10  Downing Street"
	r.Fields[Locality].Raw = "London"
	r.Fields[PostalCode].Raw = "sw1a 2aa"
	r.Fields[Country].Raw = "United Kingdom"
	r.Fields[DateOfBirth].Raw = "1980-04-01"
	r.Fields[Gender].Raw = "F"
	r.Identifiers = map[string]Value{"loyalty_id": {Raw: "L-0042"}}
	return r
}

func BenchmarkNormalizeRecord(b *testing.B) {
	opt := Options{DefaultCountry: "GB", Now: testNow}
	src := crmRow()
	r := src
	r.Identifiers = map[string]Value{}
	b.ReportAllocs()
	for b.Loop() {
		r.Fields = src.Fields
		r.Identifiers["loyalty_id"] = src.Identifiers["loyalty_id"]
		Normalize(&r, opt)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkNormalizeField(b *testing.B) {
	opt := Options{DefaultCountry: "GB", Now: testNow}
	for _, bb := range []struct {
		f   Field
		raw string
	}{
		{GivenName, "John"}, {FamilyName, "O'NEIL"}, {Email, "john.smith@example.com"},
		{Email, "John.Smith@Example.com"}, {AddressLine1, "10  Downing Street"},
		{PostalCode, "sw1a 2aa"}, {Country, "GB"}, {Country, "United Kingdom"},
		{DateOfBirth, "1980-04-01"}, {Gender, "F"},
	} {
		b.Run(bb.f.String()+"/"+bb.raw, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				NormalizeField(bb.f, bb.raw, opt)
			}
		})
	}
}

func BenchmarkFoldName(b *testing.B) {
	for _, s := range []string{"mary ann", "Mary-Ann O'Neil", "Zoë Ærøskøbing"} {
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				FoldName(s)
			}
		})
	}
}

// BenchmarkNormalizeCountry covers the forms sources write countries in:
// codes, names, aliases, endonyms and an unknown name.
func BenchmarkNormalizeCountry(b *testing.B) {
	for _, s := range []string{"GB", "gbr", "United Kingdom", "UK", "Deutschland", "Côte d'Ivoire", "Narnia"} {
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				NormalizeCountry(s)
			}
		})
	}
}
