package quality

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/scvhq/scv/customer"
)

var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func valid(s string) customer.Value { return customer.Value{Raw: s, Norm: s, Status: customer.Valid} }
func invalid(s, why string) customer.Value {
	return customer.Value{Raw: s, Status: customer.Invalid, Reason: why}
}
func missing(s string) customer.Value { return customer.Value{Raw: s} }

// rec builds a record of source src with the given field values.
func rec(src, id string, row int64, vals map[customer.Field]customer.Value) *customer.Record {
	r := &customer.Record{Source: src, ID: id, Row: row}
	for f, v := range vals {
		r.Fields[f] = v
	}
	return r
}

func TestTallyCounts(t *testing.T) {
	crm := Source{
		Name: "crm", Freshness: 30 * 24 * time.Hour, HasUpdatedAt: true,
		MappedFields: []customer.Field{customer.GivenName, customer.Email, customer.Phone},
		Identifiers:  []string{"national_id"},
	}
	tests := []struct {
		name    string
		records []*customer.Record
		field   customer.Field
		want    Counts
		samples int
	}{
		{
			name: "one valid value",
			records: []*customer.Record{
				rec("crm", "1", 2, map[customer.Field]customer.Value{customer.Email: valid("a@example.com")}),
			},
			field: customer.Email,
			want:  Counts{Present: 1, Valid: 1},
		},
		{
			name: "placeholder is missing, malformed is invalid",
			records: []*customer.Record{
				rec("crm", "1", 2, map[customer.Field]customer.Value{customer.Email: missing("n/a")}),
				rec("crm", "2", 3, map[customer.Field]customer.Value{customer.Email: invalid("john.smith@", "malformed email address")}),
				rec("crm", "3", 4, nil),
			},
			field:   customer.Email,
			want:    Counts{Present: 1, Missing: 2, Invalid: 1},
			samples: 1,
		},
		{
			name: "an invalid extra value makes the record's field invalid",
			records: func() []*customer.Record {
				r := rec("crm", "1", 2, map[customer.Field]customer.Value{customer.Phone: valid("+442079460958")})
				r.Extra = []customer.Extra{{Field: customer.Phone, Value: invalid("000", "not a possible phone number")}}
				return []*customer.Record{r}
			}(),
			field:   customer.Phone,
			want:    Counts{Present: 1, Invalid: 1},
			samples: 1,
		},
		{
			name: "a valid extra value makes a missing first value present",
			records: func() []*customer.Record {
				r := rec("crm", "1", 2, nil)
				r.Extra = []customer.Extra{{Field: customer.Phone, Value: valid("+442079460958")}}
				return []*customer.Record{r}
			}(),
			field: customer.Phone,
			want:  Counts{Present: 1, Valid: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := NewTally(Options{Sources: []Source{crm}, Now: testNow})
			for _, r := range tt.records {
				tl.Add(r)
			}
			ft := tl.byName["crm"].fields[tt.field]
			if ft.Counts != tt.want {
				t.Errorf("counts = %+v, want %+v", ft.Counts, tt.want)
			}
			if len(ft.samples) != tt.samples {
				t.Errorf("samples = %d, want %d: %+v", len(ft.samples), tt.samples, ft.samples)
			}
		})
	}
}

func TestTallySamplesAndWorstRows(t *testing.T) {
	src := Source{Name: "crm", MappedFields: []customer.Field{customer.GivenName, customer.Email, customer.Phone}}
	tl := NewTally(Options{Sources: []Source{src}, Samples: 2, Now: testNow})
	for i := 1; i <= 6; i++ {
		vals := map[customer.Field]customer.Value{
			customer.GivenName: valid("Ann"),
			customer.Email:     invalid(fmt.Sprintf("bad%d@", i), "malformed email address"),
		}
		if i == 5 {
			vals[customer.Phone] = invalid("12", "not a possible phone number")
		}
		tl.Add(rec("crm", fmt.Sprint(i), int64(i+1), vals))
	}
	rep := tl.Report()
	s := rep.Sources[0]
	email := s.Fields[1]
	if email.Name != "email" || email.Invalid != 6 || len(email.Samples) != 2 {
		t.Fatalf("email = %+v", email)
	}
	if got := email.Samples[0]; got != (Sample{Source: "crm", Row: 2, ID: "1", Field: "email", Raw: "bad1@", Reason: "malformed email address"}) {
		t.Errorf("first sample = %+v", got)
	}
	// Row 6 (id 5) has two invalid values; then the earliest rows with one
	// invalid value and one missing field win the tie.
	var got []string
	for _, o := range s.WorstRows {
		got = append(got, fmt.Sprintf("%s:%d/%d", o.ID, o.Invalid, o.Missing))
	}
	if want := []string{"5:2/0", "1:1/1"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("worst rows = %v, want %v", got, want)
	}
	if p := s.WorstRows[0].Problems; len(p) != 2 || p[0].Field != "email" || p[1].Field != "phone" || p[1].Raw != "12" {
		t.Errorf("worst row problems = %+v", p)
	}
}

func TestTallyDimensions(t *testing.T) {
	src := Source{
		Name: "crm", Freshness: 30 * 24 * time.Hour, HasUpdatedAt: true,
		MappedFields: []customer.Field{customer.GivenName, customer.Email},
	}
	tl := NewTally(Options{Sources: []Source{src}, Now: testNow})
	updated := []time.Time{testNow.Add(-time.Hour), testNow.Add(-40 * 24 * time.Hour), {}, testNow.Add(-30 * 24 * time.Hour)}
	emails := []customer.Value{valid("a@x.io"), invalid("b@", "malformed email address"), missing(""), valid("d@x.io")}
	for i := range updated {
		r := rec("crm", fmt.Sprint(i), int64(i+2), map[customer.Field]customer.Value{
			customer.GivenName: valid("Ann"), customer.Email: emails[i],
		})
		r.UpdatedAt = updated[i]
		tl.Add(r)
	}
	s := tl.Report().Sources[0]
	d := s.Dimensions
	check := func(name string, got *Ratio, count, of int) {
		t.Helper()
		if got == nil || got.Count != count || got.Of != of || got.Score != float64(count)/float64(of) {
			t.Errorf("%s = %+v, want %d/%d", name, got, count, of)
		}
	}
	check("completeness", d.Completeness, 7, 8)
	check("validity", d.Validity, 6, 7)
	check("timeliness", d.Timeliness, 2, 4)
	if d.Uniqueness != nil || d.Consistency != nil {
		t.Errorf("uniqueness and consistency without profiles = %+v, %+v", d.Uniqueness, d.Consistency)
	}
	want := (7.0/8 + 6.0/7 + 2.0/4) / 3
	if s.Score != want {
		t.Errorf("score = %v, want %v", s.Score, want)
	}
	if s.RecordScore != 6.0/8 {
		t.Errorf("record score = %v, want %v", s.RecordScore, 6.0/8)
	}
}

func TestTallyQuarantineReasons(t *testing.T) {
	tl := NewTally(Options{Samples: 1, Now: testNow})
	tl.AddQuarantined("crm", 12, "customer_id", "C1,Ann", "duplicate id, first seen at row 3")
	tl.AddQuarantined("crm", 40, "customer_id", "C2,Bob", "duplicate id, first seen at row 17")
	tl.AddQuarantined("crm", 41, "", "x,y,z", "wrong number of fields: got 3, want 9")
	s := tl.Report().Sources[0]
	if s.Quarantined != 3 || len(s.Quarantine) != 2 {
		t.Fatalf("quarantine = %d %+v", s.Quarantined, s.Quarantine)
	}
	q := s.Quarantine[0]
	if q.Reason != "duplicate id, first seen at row N" || q.Count != 2 || len(q.Samples) != 1 || q.Samples[0].Row != 12 {
		t.Errorf("first reason = %+v", q)
	}
	if q := s.Quarantine[1]; q.Reason != "wrong number of fields: got N, want N" || q.Count != 1 {
		t.Errorf("second reason = %+v", q)
	}
}

// typicalRecord is a normalized CRM row: names, one email, one phone, a
// postal address, a date of birth, an identifier and consent.
func typicalRecord() *customer.Record {
	r := rec("crm", "C100234", 1234, map[customer.Field]customer.Value{
		customer.GivenName:    valid("Jane"),
		customer.FamilyName:   valid("Smith"),
		customer.Email:        valid("jane.smith@example.com"),
		customer.Phone:        invalid("020 7946", "not a possible phone number"),
		customer.AddressLine1: valid("12 High Street"),
		customer.Locality:     valid("London"),
		customer.PostalCode:   valid("SW1A 1AA"),
		customer.Country:      valid("GB"),
		customer.DateOfBirth:  valid("1980-04-12"),
	})
	r.UpdatedAt = testNow.Add(-24 * time.Hour)
	r.Identifiers = map[string]customer.Value{"loyalty_id": valid("L-998877")}
	r.Consent = map[string]customer.Consent{"email": {Status: customer.ConsentGranted}}
	return r
}

func BenchmarkTallyAdd(b *testing.B) {
	src := Source{
		Name: "crm", Freshness: 365 * 24 * time.Hour, HasUpdatedAt: true, Identifiers: []string{"loyalty_id"},
		MappedFields: []customer.Field{customer.GivenName, customer.FamilyName, customer.Email, customer.Phone,
			customer.AddressLine1, customer.Locality, customer.PostalCode, customer.Country, customer.DateOfBirth},
	}
	tl := NewTally(Options{Sources: []Source{src}, Now: testNow})
	r := typicalRecord()
	b.ReportAllocs()
	for b.Loop() {
		tl.Add(r)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkNormalizeAndTally measures issue 4's speed goal: normalizing a
// typical raw CRM row and scoring it, on one core.
func BenchmarkNormalizeAndTally(b *testing.B) {
	src := Source{
		Name: "crm", Freshness: 365 * 24 * time.Hour, HasUpdatedAt: true, Identifiers: []string{"loyalty_id"},
		MappedFields: []customer.Field{customer.GivenName, customer.FamilyName, customer.Email, customer.Phone,
			customer.AddressLine1, customer.Locality, customer.PostalCode, customer.Country, customer.DateOfBirth},
	}
	raw := typicalRecord()
	raw.Fields[customer.Phone] = customer.Value{Raw: "020 7946 0958"}
	for f := range raw.Fields {
		raw.Fields[f] = customer.Value{Raw: raw.Fields[f].Raw}
	}
	norm := customer.Options{DefaultCountry: "GB", Now: testNow}
	tl := NewTally(Options{Sources: []Source{src}, Now: testNow})
	r := *raw
	r.Identifiers = map[string]customer.Value{}
	b.ReportAllocs()
	for b.Loop() {
		r.Fields = raw.Fields
		r.Identifiers["loyalty_id"] = raw.Identifiers["loyalty_id"]
		customer.Normalize(&r, norm)
		tl.Add(&r)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// TestTallyDuplicateSourceNames: a source configured twice is reported
// once, in configuration order, and the unconfigured ones follow by name.
func TestTallyDuplicateSourceNames(t *testing.T) {
	if rep := NewTally(Options{Sources: []Source{{Name: "a"}, {Name: "a"}}}).Report(); len(rep.Sources) != 1 {
		t.Errorf("%d sources reported, want 1", len(rep.Sources))
	}
	tl := NewTally(Options{Sources: []Source{{Name: "a"}, {Name: "a"}, {Name: "c"}}})
	tl.Add(&customer.Record{Source: "z", ID: "1"})
	tl.Add(&customer.Record{Source: "b", ID: "1"})
	var names []string
	for _, s := range tl.Report().Sources {
		names = append(names, s.Name)
	}
	if want := []string{"a", "c", "b", "z"}; !slices.Equal(names, want) {
		t.Errorf("sources %v, want %v", names, want)
	}
}

func TestTallyInvalidTimesAndConsent(t *testing.T) {
	tl := NewTally(Options{Now: testNow, Sources: []Source{{Name: "crm", HasUpdatedAt: true}}})
	good := rec("crm", "1", 2, nil)
	good.UpdatedAt = testNow
	good.Consent = map[string]customer.Consent{"email": {Status: customer.ConsentDenied, Raw: "N"}}
	bad := rec("crm", "2", 3, nil)
	bad.UpdatedRaw = "20.11.2026"
	bad.Consent = map[string]customer.Consent{"email": {Raw: "J"}}
	tl.Add(good)
	tl.Add(bad)
	tl.Add(rec("crm", "3", 4, nil))
	cols := tl.Report().Sources[0].Columns
	got := map[string]string{}
	for _, c := range cols {
		got[c.Name] = fmt.Sprintf("%d/%d/%d", c.Present, c.Valid, c.Invalid)
		for _, s := range c.Samples {
			got[c.Name] += fmt.Sprintf(" row %d %q", s.Row, s.Raw)
		}
	}
	want := map[string]string{"consent.email": `2/1/1 row 3 "J"`, "updated_at": `2/1/1 row 3 "20.11.2026"`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("columns %v, want %v", got, want)
	}
}
