package connectors_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors"
	"github.com/scvhq/scv/connectors/csv"
	"github.com/scvhq/scv/customer"
)

// writeFile writes content to name in a new temporary directory and
// returns its path.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// crmSource is a source over crm.csv with the columns of crmHeader.
func crmSource(path string) config.Source {
	return config.Source{
		Name: "crm", Type: "csv", Path: path, ID: "customer_id", UpdatedAt: "modified_at",
		Trust: 0.5, DateFormat: "iso", EarliestDate: "1900-01-01", Delimiter: ",", Pos: "scv.hcl:7,1-13",
		Map: map[string][]string{
			"given_name":    {"first_name"},
			"family_name":   {"last_name"},
			"email":         {"email", "email2"},
			"phone":         {"mobile"},
			"address_line1": {"street_number", "address_1"},
		},
		Identifiers: map[string]string{"national_id": "ssn"},
		Attributes:  map[string]string{"lifetime_value": "ltv"},
		Consent:     map[string]config.Consent{"email": {Column: "newsletter"}},
	}
}

const crmHeader = "customer_id,first_name,last_name,email,email2,mobile,street_number,address_1,ssn,ltv,newsletter,modified_at\n"

// describe prints the mapped parts of a record on one line.
func describe(r customer.Record) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s row %d", r.Key(), r.Row)
	if !r.UpdatedAt.IsZero() {
		fmt.Fprintf(&b, " updated %s", r.UpdatedAt.Format(time.RFC3339))
	}
	if r.UpdatedRaw != "" {
		fmt.Fprintf(&b, " invalid updated_at=%q", r.UpdatedRaw)
	}
	for f := customer.Field(0); f < customer.NumFields; f++ {
		r.Each(f, func(v customer.Value) bool {
			if v.Raw != "" {
				fmt.Fprintf(&b, " %s=%q", f, v.Raw)
			}
			return true
		})
	}
	for _, k := range []string{"national_id"} {
		if v, ok := r.Identifiers[k]; ok {
			fmt.Fprintf(&b, " id.%s=%q", k, v.Raw)
		}
	}
	for _, k := range []string{"lifetime_value"} {
		if v, ok := r.Attributes[k]; ok {
			fmt.Fprintf(&b, " attr.%s=%q", k, v)
		}
	}
	for _, k := range []string{"email", "sms"} {
		if c, ok := r.Consent[k]; ok {
			fmt.Fprintf(&b, " consent.%s=%s", k, c.Status)
			if c.Invalid() {
				fmt.Fprintf(&b, "(invalid %q)", c.Raw)
			}
			if !c.At.IsZero() {
				fmt.Fprintf(&b, "@%s", c.At.Format(time.DateOnly))
			}
		}
	}
	return b.String()
}

// readSource runs connectors.Read and describes what it emitted.
func readSource(t *testing.T, src config.Source) (recs, bad []string, st connectors.Stats) {
	t.Helper()
	st, err := connectors.Read(context.Background(), src,
		func(r customer.Record) error { recs = append(recs, describe(r)); return nil },
		func(e *connectors.RowError) error { bad = append(bad, fmt.Sprintf("%v raw=%q", e, e.Raw)); return nil })
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return recs, bad, st
}

func TestRead(t *testing.T) {
	for _, tt := range []struct {
		name      string
		content   string
		configure func(*config.Source)
		wantRecs  []string
		wantBad   []string
		wantStats connectors.Stats
	}{
		{
			name: "every kind of mapping",
			content: crmHeader +
				"C1,Ann,Lee,ann@example.com,ann.lee@work.example,07700 900123,12,High Street,AB123,250.5,yes,2024-03-01T10:00:00Z\n",
			wantRecs:  []string{`crm/C1 row 2 updated 2024-03-01T10:00:00Z given_name="Ann" family_name="Lee" email="ann@example.com" email="ann.lee@work.example" phone="07700 900123" address_line1="12 High Street" id.national_id="AB123" attr.lifetime_value="250.5" consent.email=granted`},
			wantStats: connectors.Stats{Rows: 1, Records: 1},
		},
		{
			name: "empty values left out and joins skip empty parts",
			content: crmHeader +
				"C1,Ann,,,,,,High Street,,,,\n" +
				"C2,,,,b@example.com,,7,,,,,\n",
			wantRecs: []string{
				`crm/C1 row 2 given_name="Ann" address_line1="High Street"`,
				`crm/C2 row 3 email="b@example.com" address_line1="7"`,
			},
			wantStats: connectors.Stats{Rows: 2, Records: 2},
		},
		{
			name: "missing id",
			content: crmHeader +
				"C1,Ann,,,,,,,,,,\n" +
				" ,Bob,,,,,,,,,,\n" +
				"C3,Cy,,,,,,,,,,\n",
			wantRecs:  []string{`crm/C1 row 2 given_name="Ann"`, `crm/C3 row 4 given_name="Cy"`},
			wantBad:   []string{`source "crm" row 3 field "customer_id": no record id raw=" ,Bob,,,,,,,,,,"`},
			wantStats: connectors.Stats{Rows: 3, Records: 2, Quarantined: 1},
		},
		{
			name: "duplicate id within one read",
			content: crmHeader +
				"C1,Ann,,,,,,,,,,\n" +
				"C2,Bob,,,,,,,,,,\n" +
				"C1,Annie,,,,,,,,,,\n",
			wantRecs:  []string{`crm/C1 row 2 given_name="Ann"`, `crm/C2 row 3 given_name="Bob"`},
			wantBad:   []string{`source "crm" row 4 field "customer_id": duplicate id, first seen at row 2 raw="C1,Annie,,,,,,,,,,"`},
			wantStats: connectors.Stats{Rows: 3, Records: 2, Quarantined: 1},
		},
		{
			name: "reader problems quarantined with the source",
			content: crmHeader +
				"C1,Ann\n" +
				"C2,Bo\xffb,,,,,,,,,,\n" +
				"C3,Cy,,,,,,,,,,\n",
			wantRecs: []string{`crm/C3 row 4 given_name="Cy"`},
			wantBad: []string{
				`source "crm" row 2: wrong number of columns: 2, the header has 12 raw="C1,Ann"`,
				`source "crm" row 3 field "first_name": invalid UTF-8 in column 2 raw="C2,Bo` + "\ufffd" + `b,,,,,,,,,,"`,
			},
			wantStats: connectors.Stats{Rows: 3, Records: 1, Quarantined: 2, Incomplete: "row 2: wrong number of columns: 2, the header has 12"},
		},
		{
			name: "updated_at layouts",
			content: crmHeader +
				"C1,,,,,,,,,,,2024-03-01T10:00:00+02:00\n" +
				"C2,,,,,,,,,,,2024-03-01 10:00:00\n" +
				"C3,,,,,,,,,,,2024-03-01T10:00:00\n" +
				"C4,,,,,,,,,,,2024-03-01\n" +
				"C5,,,,,,,,,,,01/03/2024 10:00\n" +
				"C6,,,,,,,,,,,last tuesday\n" +
				"C7,,,,,,,,,,,\n",
			configure: func(s *config.Source) { s.DateFormat = "dd/mm/yyyy" },
			wantRecs: []string{
				`crm/C1 row 2 updated 2024-03-01T10:00:00+02:00`,
				`crm/C2 row 3 updated 2024-03-01T10:00:00Z`,
				`crm/C3 row 4 updated 2024-03-01T10:00:00Z`,
				`crm/C4 row 5 updated 2024-03-01T00:00:00Z`,
				`crm/C5 row 6 updated 2024-03-01T10:00:00Z`,
				`crm/C6 row 7 invalid updated_at="last tuesday"`,
				`crm/C7 row 8`,
			},
			wantStats: connectors.Stats{Rows: 7, Records: 7, BadUpdatedAt: 1},
		},
		{
			name: "updated_at in a dd.mm.yyyy source",
			content: crmHeader +
				"C1,,,,,,,,,,,20.11.2026\n" +
				"C2,,,,,,,,,,,1.2.2026 08:30\n" +
				"C3,,,,,,,,,,,garbage\n" +
				"C4,,,,,,,,,,,2026-11-20\n",
			configure: func(s *config.Source) { s.DateFormat = "dd.mm.yyyy" },
			wantRecs: []string{
				`crm/C1 row 2 updated 2026-11-20T00:00:00Z`,
				`crm/C2 row 3 updated 2026-02-01T08:30:00Z`,
				`crm/C3 row 4 invalid updated_at="garbage"`,
				`crm/C4 row 5 updated 2026-11-20T00:00:00Z`,
			},
			wantStats: connectors.Stats{Rows: 4, Records: 4, BadUpdatedAt: 1},
		},
		{
			name: "an ISO source does not read 20.11.2026",
			content: crmHeader +
				"C1,,,,,,,,,,,20.11.2026\n",
			wantRecs:  []string{`crm/C1 row 2 invalid updated_at="20.11.2026"`},
			wantStats: connectors.Stats{Rows: 1, Records: 1, BadUpdatedAt: 1},
		},
		{
			name: "consent words and time of a German CRM",
			content: crmHeader +
				"C1,,,,,,,,,,J,2026-03-01\n" +
				"C2,,,,,,,,,,n,2026-03-02\n" +
				"C3,,,,,,,,,,yes,2026-03-03\n",
			configure: func(s *config.Source) {
				s.Consent = map[string]config.Consent{"email": {Column: "newsletter", At: "modified_at", Granted: []string{"J"}, Denied: []string{"N"}}}
			},
			wantRecs: []string{
				`crm/C1 row 2 updated 2026-03-01T00:00:00Z consent.email=granted@2026-03-01`,
				`crm/C2 row 3 updated 2026-03-02T00:00:00Z consent.email=denied@2026-03-02`,
				`crm/C3 row 4 updated 2026-03-03T00:00:00Z consent.email=unknown(invalid "yes")`,
			},
			wantStats: connectors.Stats{Rows: 3, Records: 3},
		},
		{
			name: "consent values",
			content: crmHeader +
				"C1,,,,,,,,,,Yes,\n" +
				"C2,,,,,,,,,,opt-out,\n" +
				"C3,,,,,,,,,,0,\n" +
				"C4,,,,,,,,,,maybe,\n" +
				"C5,,,,,,,,,,,\n",
			configure: func(s *config.Source) {
				s.Consent = map[string]config.Consent{"email": {Column: "newsletter"}, "sms": {Column: "newsletter"}}
			},
			wantRecs: []string{
				`crm/C1 row 2 consent.email=granted consent.sms=granted`,
				`crm/C2 row 3 consent.email=denied consent.sms=denied`,
				`crm/C3 row 4 consent.email=denied consent.sms=denied`,
				`crm/C4 row 5 consent.email=unknown(invalid "maybe") consent.sms=unknown(invalid "maybe")`,
				`crm/C5 row 6`,
			},
			wantStats: connectors.Stats{Rows: 5, Records: 5},
		},
		{
			name:    "delimiter, BOM, CRLF and spaces",
			content: "\ufeffcustomer_id ; first_name ; address_1\r\nC1 ; \"Lee; Ann\"; 1 Main St\r\n",
			configure: func(s *config.Source) {
				s.Delimiter, s.UpdatedAt, s.Identifiers, s.Attributes, s.Consent = ";", "", nil, nil, nil
				s.Map = map[string][]string{"full_name": {"first_name"}, "address_line1": {"address_1"}}
			},
			wantRecs:  []string{`crm/C1 row 2 full_name="Lee; Ann" address_line1="1 Main St"`},
			wantStats: connectors.Stats{Rows: 1, Records: 1},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := crmSource(writeFile(t, "crm.csv", tt.content))
			if tt.configure != nil {
				tt.configure(&src)
			}
			recs, bad, st := readSource(t, src)
			if got, want := strings.Join(recs, "\n"), strings.Join(tt.wantRecs, "\n"); got != want {
				t.Errorf("records:\n got %s\nwant %s", strings.ReplaceAll(got, "\n", "\n     "), strings.ReplaceAll(want, "\n", "\n     "))
			}
			if got, want := strings.Join(bad, "\n"), strings.Join(tt.wantBad, "\n"); got != want {
				t.Errorf("quarantined:\n got %s\nwant %s", strings.ReplaceAll(got, "\n", "\n     "), strings.ReplaceAll(want, "\n", "\n     "))
			}
			if st != tt.wantStats {
				t.Errorf("stats = %+v, want %+v", st, tt.wantStats)
			}
		})
	}
}

func TestReadRowErrorKinds(t *testing.T) {
	src := crmSource(writeFile(t, "crm.csv", crmHeader+
		"C1\n"+
		"C2,\xff,,,,,,,,,,\n"+
		"C3,\"x\"y,,,,,,,,,,\n"+
		",,,,,,,,,,,\n"+
		"C5,,,,,,,,,,,\n"+
		"C5,,,,,,,,,,,\n"))
	var kinds []error
	_, err := connectors.Read(context.Background(), src,
		func(customer.Record) error { return nil },
		func(e *connectors.RowError) error { kinds = append(kinds, e); return nil })
	if err != nil {
		t.Fatal(err)
	}
	want := []error{connectors.ErrColumnCount, connectors.ErrEncoding, connectors.ErrMalformed, connectors.ErrNoID, connectors.ErrDuplicateID}
	if len(kinds) != len(want) {
		t.Fatalf("got %d row errors, want %d: %v", len(kinds), len(want), kinds)
	}
	for i, w := range want {
		if !errors.Is(kinds[i], w) {
			t.Errorf("row error %d = %v, want kind %v", i, kinds[i], w)
		}
	}
}

func TestReadErrors(t *testing.T) {
	errEmit := errors.New("store is full")
	good := crmHeader + "C1,Ann,,,,,,,,,,\nC2,,,,,,,,,,,\n"
	ok := func(customer.Record) error { return nil }
	keep := func(*connectors.RowError) error { return nil }
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tt := range []struct {
		name      string
		content   string
		configure func(*config.Source)
		ctx       context.Context
		emit      func(customer.Record) error
		bad       func(*connectors.RowError) error
		wantIs    error
		wantText  []string
	}{
		{name: "mapped column missing from the header", content: good,
			configure: func(s *config.Source) { s.Map["region"] = []string{"state"}; s.Identifiers["loyalty_id"] = "card" },
			wantIs:    connectors.ErrUnknownColumn,
			wantText:  []string{`source "crm"`, "scv.hcl:7", `"state" (map.region) is missing`, `"card" (identifiers.loyalty_id) is missing`, `"customer_id"`}},
		{name: "id column missing", content: "id,first_name\n1,Ann\n",
			configure: func(s *config.Source) {
				s.UpdatedAt, s.Map, s.Identifiers, s.Attributes, s.Consent = "", nil, nil, nil, nil
			},
			wantIs: connectors.ErrUnknownColumn, wantText: []string{`"customer_id" (id) is missing`}},
		{name: "mapped column twice in the header", content: "customer_id,first_name,first_name\n1,a,b\n",
			configure: func(s *config.Source) {
				s.UpdatedAt, s.Identifiers, s.Attributes, s.Consent = "", nil, nil, nil
				s.Map = map[string][]string{"given_name": {"first_name"}}
			},
			wantIs: connectors.ErrUnknownColumn, wantText: []string{`"first_name" (map.given_name) appears more than once`}},
		{name: "unknown type", content: good, configure: func(s *config.Source) { s.Type = "xlsx" },
			wantIs: connectors.ErrUnknownType, wantText: []string{`source "crm"`, `"xlsx"`}},
		{name: "missing file", content: good, configure: func(s *config.Source) { s.Path += ".gone" },
			wantIs: os.ErrNotExist, wantText: []string{`source "crm"`, "crm.csv.gone"}},
		{name: "emit fails", content: good, emit: func(customer.Record) error { return errEmit },
			wantIs: errEmit, wantText: []string{`source "crm" row 2: store is full`}},
		{name: "bad fails", content: crmHeader + ",,,,,,,,,,,\n", bad: func(*connectors.RowError) error { return errEmit },
			wantIs: errEmit, wantText: []string{`source "crm" row 2: quarantine: store is full`}},
		{name: "nil bad stops at the first bad row", content: crmHeader + "C1,,,,,,,,,,,\n,,,,,,,,,,,\n", bad: nil,
			wantIs: connectors.ErrNoID, wantText: []string{`source "crm" row 3 field "customer_id": no record id`}},
		{name: "context canceled", content: good, ctx: canceled,
			wantIs: context.Canceled, wantText: []string{`source "crm"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := crmSource(writeFile(t, "crm.csv", tt.content))
			if tt.configure != nil {
				tt.configure(&src)
			}
			ctx, emit, bad := tt.ctx, tt.emit, tt.bad
			if ctx == nil {
				ctx = context.Background()
			}
			if emit == nil {
				emit = ok
			}
			if bad == nil && tt.name != "nil bad stops at the first bad row" {
				bad = keep
			}
			_, err := connectors.Read(ctx, src, emit, bad)
			if !errors.Is(err, tt.wantIs) {
				t.Fatalf("Read error = %v, want %v", err, tt.wantIs)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestMapRow(t *testing.T) {
	header := []string{"customer_id", "first_name", "last_name", "email", "email2", "mobile", "street_number", "address_1", "ssn", "ltv", "newsletter", "modified_at"}
	m, err := connectors.NewMapping(crmSource("crm.csv"), header)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		values  []string
		want    string
		wantErr string
	}{
		{"untrimmed values are trimmed",
			[]string{" C1 ", " Ann ", "", "", "", "", " 12 ", " High St ", "", "", "", ""},
			`crm/C1 row 9 given_name="Ann" address_line1="12 High St"`, ""},
		{"no id", []string{"", "Ann", "", "", "", "", "", "", "", "", "", ""},
			"", `source "crm" row 9 field "customer_id": no record id`},
		{"too few values", []string{"C1"},
			"", `source "crm" row 9: wrong number of columns: 1, the header has 12`},
		{"too many values", append(make([]string, 12), "x"),
			"", `source "crm" row 9: wrong number of columns: 13, the header has 12`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := connectors.MapRow(m, connectors.Row{Line: 9, Values: tt.values, Raw: "raw"})
			if tt.wantErr != "" {
				var rerr *connectors.RowError
				if !errors.As(err, &rerr) || err.Error() != tt.wantErr || rerr.Raw != "raw" {
					t.Fatalf("MapRow error = %v, want *RowError %q with the raw row", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(rec); got != tt.want {
				t.Errorf("MapRow = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestNewMappingUnknownField(t *testing.T) {
	src := crmSource("crm.csv")
	src.Map["first"] = []string{"first_name"}
	if _, err := connectors.NewMapping(src, []string{"customer_id", "first_name"}); err == nil || !strings.Contains(err.Error(), `"first" is not a canonical field`) {
		t.Errorf("NewMapping with map key \"first\" = %v, want an error naming it", err)
	}
}

func TestParseConsent(t *testing.T) {
	for in, want := range map[string]customer.ConsentStatus{
		"yes": customer.ConsentGranted, "Y": customer.ConsentGranted, "TRUE": customer.ConsentGranted,
		"1": customer.ConsentGranted, "granted": customer.ConsentGranted, "Opt-In": customer.ConsentGranted,
		" subscribed ": customer.ConsentGranted,
		"no":           customer.ConsentDenied, "N": customer.ConsentDenied, "false": customer.ConsentDenied,
		"0": customer.ConsentDenied, "denied": customer.ConsentDenied, "opt-out": customer.ConsentDenied,
		"unsubscribed": customer.ConsentDenied,
		"":             customer.ConsentUnknown, "maybe": customer.ConsentUnknown, "2": customer.ConsentUnknown,
	} {
		if got := connectors.ParseConsent(in); got != want {
			t.Errorf("ParseConsent(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestReadFebrl reads the Febrl data set 1: 1000 records, each space after
// a comma trimmed, and multi-column addresses joined.
func TestReadFebrl(t *testing.T) {
	orig := filepath.Join("..", "..", "shared", "data", "febrl", "dataset1.csv")
	data, err := os.ReadFile(orig)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("Febrl data set not found at %s (../shared is absent outside the project's work tree)", orig)
	}
	if err != nil {
		t.Fatal(err)
	}
	src := config.Source{
		Name: "febrl", Type: "csv", Path: writeFile(t, "dataset1.csv", string(data)), ID: "rec_id",
		Map: map[string][]string{
			"given_name":    {"given_name"},
			"family_name":   {"surname"},
			"address_line1": {"street_number", "address_1"},
			"address_line2": {"address_2"},
			"locality":      {"suburb"},
			"postal_code":   {"postcode"},
			"region":        {"state"},
			"date_of_birth": {"date_of_birth"},
		},
		Identifiers: map[string]string{"national_id": "soc_sec_id"},
	}
	var recs []customer.Record
	st, err := connectors.Read(context.Background(), src,
		func(r customer.Record) error { recs = append(recs, r); return nil },
		func(e *connectors.RowError) error { t.Errorf("quarantined: %v raw=%q", e, e.Raw); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 1000 || len(recs) != 1000 || st.Quarantined != 0 {
		t.Fatalf("stats = %+v with %d records, want 1000 records", st, len(recs))
	}
	// The first data row: rec-223-org, , waller, 6, tullaroop street, willaroo, st james, 4011, wa, 19081209, 6988048
	r := recs[0]
	for _, c := range []struct {
		f    customer.Field
		want string
	}{
		{customer.GivenName, ""}, {customer.FamilyName, "waller"}, {customer.AddressLine1, "6 tullaroop street"},
		{customer.AddressLine2, "willaroo"}, {customer.Locality, "st james"}, {customer.PostalCode, "4011"},
		{customer.Region, "wa"}, {customer.DateOfBirth, "19081209"},
	} {
		if got := r.Get(c.f).Raw; got != c.want {
			t.Errorf("first record %s = %q, want %q", c.f, got, c.want)
		}
	}
	if r.Key() != "febrl/rec-223-org" || r.Row != 2 || r.Identifiers["national_id"].Raw != "6988048" {
		t.Errorf("first record = %s row %d national_id %q", r.Key(), r.Row, r.Identifiers["national_id"].Raw)
	}
	if last := recs[999]; last.Row != 1001 {
		t.Errorf("last record row = %d, want 1001", last.Row)
	}
}

func TestFingerprint(t *testing.T) {
	path := writeFile(t, "crm.csv", crmHeader+"C1,Ann,,,,,,,,,,\n")
	fp1, err := connectors.Fingerprint(path)
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if fp2, err := connectors.Fingerprint(path); err != nil || fp2 != fp1 {
		t.Errorf("after touching the file: %q, %v; want %q", fp2, err, fp1)
	}
	if err := os.WriteFile(path, []byte(crmHeader+"C1,Anne,,,,,,,,,,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fp3, err := connectors.Fingerprint(path); err != nil || fp3 == fp1 {
		t.Errorf("after changing the content: %q, %v; want a new fingerprint", fp3, err)
	}
	if _, err := connectors.Fingerprint(path + ".gone"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Fingerprint of a missing file = %v, want os.ErrNotExist", err)
	}
}

// FuzzReadAndMap feeds arbitrary input through the CSV reader and a
// mapping of its header: nothing panics, every row becomes a record or a
// row error, and row errors carry valid UTF-8 for storage.
func FuzzReadAndMap(f *testing.F) {
	f.Add([]byte("id,name,street,no\n1,Ann,High St,12\n"))
	f.Add([]byte("\ufeffid, name\r\n1, \"a,b\"\r\n,\n1,x\n"))
	f.Add([]byte("id,name\n1,\"unterminated\n2,\xff\n3\n"))
	f.Add([]byte("a\n\"\"\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := csv.NewReader(bytes.NewReader(data), csv.Options{})
		if err != nil {
			return
		}
		h := r.Header()
		src := config.Source{Name: "fz", Type: "csv", ID: h[0], UpdatedAt: h[len(h)-1], DateFormat: "dd/mm/yyyy",
			Map:     map[string][]string{"address_line1": h, "email": h},
			Consent: map[string]config.Consent{"email": {Column: h[0]}}}
		m, err := connectors.NewMapping(src, h)
		if err != nil {
			return // a header with a duplicate column name
		}
		var last int64
		for range len(data) + 1 {
			row, err := r.Next()
			if err == io.EOF {
				return
			}
			var rerr *connectors.RowError
			if errors.As(err, &rerr) {
				if rerr.Line < 1 || !utf8.ValidString(rerr.Raw) || rerr.Reason == "" {
					t.Fatalf("bad row error %+v", rerr)
				}
				continue
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if row.Line <= last || len(row.Values) != len(h) {
				t.Fatalf("row line %d after %d with %d values for %d columns", row.Line, last, len(row.Values), len(h))
			}
			last = row.Line
			rec, err := connectors.MapRow(m, row)
			if err == nil && (rec.ID == "" || rec.Row != row.Line) {
				t.Fatalf("record %q row %d from line %d", rec.ID, rec.Row, row.Line)
			}
			if err != nil && !errors.Is(err, connectors.ErrNoID) {
				t.Fatalf("MapRow: %v", err)
			}
		}
		t.Fatal("reader does not reach io.EOF")
	})
}

// crmFile writes n CRM-like rows and returns the source reading them.
func crmFile(b *testing.B, n int) config.Source {
	var sb strings.Builder
	sb.WriteString(crmHeader)
	for i := range n {
		fmt.Fprintf(&sb, "C%d, Ann, Lee, ann.lee%d@example.com, , 07700 900%03d, %d, \"High Street, Flat 2\", AB%06d, %d.50, yes, 2024-03-01 10:00:00\n",
			i, i, i%1000, i%200, i, i%900)
	}
	return crmSource(writeFile(b, "crm.csv", sb.String()))
}

func BenchmarkRead(b *testing.B) {
	const rows = 20000
	src := crmFile(b, rows)
	b.ReportAllocs()
	for b.Loop() {
		st, err := connectors.Read(context.Background(), src,
			func(customer.Record) error { return nil }, func(*connectors.RowError) error { return nil })
		if err != nil || st.Records != rows {
			b.Fatalf("Read = %+v, %v", st, err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkMapRow(b *testing.B) {
	header := strings.Split(strings.TrimSpace(crmHeader), ",")
	m, err := connectors.NewMapping(crmSource("crm.csv"), header)
	if err != nil {
		b.Fatal(err)
	}
	row := connectors.Row{Line: 2, Values: []string{"C1", "Ann", "Lee", "ann@example.com", "", "07700 900123", "12", "High Street", "AB123", "250.5", "yes", "2024-03-01 10:00:00"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := connectors.MapRow(m, row); err != nil {
			b.Fatal(err)
		}
	}
}
