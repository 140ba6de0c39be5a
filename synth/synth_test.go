package synth

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors"
	"github.com/scvhq/scv/customer"
)

// generate writes n customers with seed into a fresh directory.
func generate(t testing.TB, n int, seed uint64, rates *Rates) (string, *Summary) {
	t.Helper()
	dir := t.TempDir()
	sum, err := Generate(context.Background(), dir, Options{Customers: n, Seed: seed, Rates: rates})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return dir, sum
}

// readCSV reads a whole generated file: its header and rows.
func readCSV(t *testing.T, path string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: empty", path)
	}
	return rows[0], rows[1:]
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, _ := generate(t, 3000, 7, nil)
	b, _ := generate(t, 3000, 7, nil)
	c, _ := generate(t, 3000, 8, nil)
	files := []string{"crm.csv", "shop.csv", "support.csv", "newsletter.csv", TruthFile, ConfigFile}
	for _, name := range files {
		x, err := os.ReadFile(filepath.Join(a, name))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
		if name == ConfigFile {
			continue
		}
		z, err := os.ReadFile(filepath.Join(c, name))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(x, z) {
			t.Errorf("%s is the same for seeds 7 and 8", name)
		}
	}
}

func TestTruthCoversEveryRecord(t *testing.T) {
	const n = 4000
	dir, sum := generate(t, n, DefaultSeed, nil)

	_, truth := readCSV(t, filepath.Join(dir, TruthFile))
	if len(truth) != sum.Truth {
		t.Fatalf("truth.csv has %d rows, summary says %d", len(truth), sum.Truth)
	}
	entityOf := map[string]string{}
	for _, r := range truth {
		key := r[0] + "/" + r[1]
		if _, dup := entityOf[key]; dup {
			t.Fatalf("truth.csv lists %s twice", key)
		}
		entityOf[key] = r[2]
	}

	seen := 0
	perEntity := map[string]int{}
	for _, s := range sum.Sources {
		header, rows := readCSV(t, filepath.Join(dir, s.File))
		if len(rows) != s.Records {
			t.Errorf("%s: %d rows, summary says %d", s.File, len(rows), s.Records)
		}
		noID := 0
		for i, r := range rows {
			if len(r) != len(header) {
				t.Fatalf("%s row %d: %d fields, header has %d", s.File, i+2, len(r), len(header))
			}
			if r[0] == "" {
				noID++
				continue
			}
			e, ok := entityOf[s.Name+"/"+r[0]]
			if !ok {
				t.Fatalf("%s row %d: record %s/%s missing from truth.csv", s.File, i+2, s.Name, r[0])
			}
			perEntity[e]++
			seen++
		}
		if noID != s.Quarantined {
			t.Errorf("%s: %d rows without id, summary says %d", s.File, noID, s.Quarantined)
		}
	}
	if seen != len(truth) {
		t.Errorf("sources hold %d records with ids, truth.csv %d", seen, len(truth))
	}
	// Every person has at least one record; a person can only be absent
	// when all of their records lost their id.
	if len(perEntity) < n-sum.Records+len(truth) {
		t.Errorf("%d of %d people appear in truth.csv", len(perEntity), n)
	}
	for e, k := range perEntity {
		if k > 5 {
			t.Errorf("person %s has %d records, want 1..5", e, k)
		}
	}
}

// within reports whether got successes of n trials fit probability p: it
// allows five standard deviations of a binomial count and one more.
func within(got, n int, p float64) bool {
	want := float64(n) * p
	return math.Abs(float64(got)-want) <= 5*math.Sqrt(want*(1-p))+1
}

func TestErrorRates(t *testing.T) {
	const n = 20000
	rates := DefaultRates()
	dir, sum := generate(t, n, 3, rates)

	perRecord := []struct {
		kind string
		rate float64
	}{
		{KindMissingID, rates.MissingID},
		{KindSwapNames, rates.SwapNames},
		{KindTypo, rates.Typo},
	}
	for _, tt := range perRecord {
		if got := sum.Injected[tt.kind]; !within(got, sum.Records, tt.rate) {
			t.Errorf("%s: %d of %d records, want about %.0f", tt.kind, got, sum.Records, tt.rate*float64(sum.Records))
		}
	}
	if got := sum.Injected[KindDuplicate]; !within(got, n, rates.Duplicate) {
		t.Errorf("%s: %d of %d people, want about %.0f", KindDuplicate, got, n, rates.Duplicate*n)
	}
	// The people living in shared households: 2.55 on average each.
	if got := float64(sum.Households) * 2.55 / n; math.Abs(got-rates.Household) > 0.03 {
		t.Errorf("share of people in shared households %.3f, want about %.2f", got, rates.Household)
	}

	// Count from the files what the summary claims: invalid emails and
	// records of one person twice in one source.
	_, truth := readCSV(t, filepath.Join(dir, TruthFile))
	inSource := map[string]int{}
	for _, r := range truth {
		inSource[r[0]+" "+r[2]]++
	}
	dups := 0
	for _, k := range inSource {
		dups += k - 1
	}
	// A duplicate whose id went missing is not in the truth file.
	if d := sum.Injected[KindDuplicate]; dups > d || dups < d-sum.Injected[KindMissingID] {
		t.Errorf("truth.csv holds %d within-source duplicates, summary says %d", dups, d)
	}
	emails, bad := 0, 0
	for _, s := range sum.Sources {
		header, rows := readCSV(t, filepath.Join(dir, s.File))
		col := slices.IndexFunc(header, func(h string) bool { return strings.Contains(strings.ToLower(h), "mail") })
		if col < 0 {
			t.Fatalf("%s: no email column in %q", s.File, header)
		}
		for _, r := range rows {
			e := r[col]
			if e == "" || !strings.Contains(e, "@") && !strings.Contains(e, ".") || len(e) < 4 {
				continue // missing or a placeholder
			}
			emails++
			local, domain, ok := strings.Cut(e, "@")
			if !ok || local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(e, " ,") || strings.Contains(domain, "@") {
				bad++
			}
		}
	}
	if !within(bad, emails, rates.InvalidEmail) {
		t.Errorf("%d of %d emails malformed, want about %.0f", bad, emails, rates.InvalidEmail*float64(emails))
	}
	if bad != sum.Injected[KindInvalidEmail] {
		t.Errorf("files hold %d malformed emails, summary says %d", bad, sum.Injected[KindInvalidEmail])
	}
}

// TestValueRates checks the per-value rates against the values present in
// the files: each rate applies to the values a record holds.
func TestValueRates(t *testing.T) {
	const n = 20000
	rates := DefaultRates()
	dir, sum := generate(t, n, 5, rates)
	cfg, err := config.Load(filepath.Join(dir, ConfigFile))
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	present := map[string]int{}
	for _, src := range cfg.Sources {
		header, rows := readCSV(t, src.Path)
		for _, field := range []string{"email", "phone", "date_of_birth"} {
			cols := src.Map[field]
			if len(cols) == 0 {
				continue
			}
			col := slices.Index(header, cols[0])
			for _, r := range rows {
				if v := r[col]; v != "" && !slices.Contains(placeholders(), v) {
					present[field]++
				}
			}
		}
	}
	for _, tt := range []struct {
		kind, field string
		rate        float64
	}{
		{KindInvalidEmail, "email", rates.InvalidEmail},
		{KindEmailTypo, "email", rates.EmailTypo},
		{KindInvalidPhone, "phone", rates.InvalidPhone},
		{KindSwapDayMonth, "date_of_birth", rates.SwapDayMonth},
		{KindBadDate, "date_of_birth", rates.BadDate},
	} {
		if got, of := sum.Injected[tt.kind], present[tt.field]; !within(got, of, tt.rate) {
			t.Errorf("%s: %d of %d values of %s, want about %.0f", tt.kind, got, of, tt.field, tt.rate*float64(of))
		}
	}
}

// placeholders are the stand-ins for missing values that the generator
// writes.
func placeholders() []string { return []string{"n/a", "N/A", "-", "none", "unknown", "NULL", "?"} }

func TestZeroRatesMakeCleanData(t *testing.T) {
	_, sum := generate(t, 2000, 1, &Rates{})
	if len(sum.Injected) != 0 {
		t.Errorf("variations applied with all rates zero: %v", sum.Injected)
	}
	if sum.Households != 0 {
		t.Errorf("%d shared households with Household 0", sum.Households)
	}
	if sum.Truth != sum.Records {
		t.Errorf("%d truth rows for %d records: ids went missing", sum.Truth, sum.Records)
	}
}

func TestConfigMatchesFiles(t *testing.T) {
	dir, sum := generate(t, 500, DefaultSeed, nil)
	cfg, err := config.Load(filepath.Join(dir, ConfigFile))
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	if len(cfg.Sources) != len(sum.Sources) {
		t.Fatalf("config has %d sources, generated %d", len(cfg.Sources), len(sum.Sources))
	}
	for _, src := range cfg.Sources {
		header := readHeader(t, src.Path)
		for _, col := range mappedColumns(src) {
			if !slices.Contains(header, col) {
				t.Errorf("source %q maps column %q, not in %s header %q", src.Name, col, filepath.Base(src.Path), header)
			}
		}
	}
}

// mappedColumns lists every column src reads.
func mappedColumns(src config.Source) []string {
	cols := []string{src.ID}
	if src.UpdatedAt != "" {
		cols = append(cols, src.UpdatedAt)
	}
	for _, cs := range src.Map {
		cols = append(cols, cs...)
	}
	for _, m := range []map[string]string{src.Identifiers, src.Attributes} {
		for _, c := range m {
			cols = append(cols, c)
		}
	}
	for _, c := range src.Consent {
		cols = append(cols, c.Column)
		if c.At != "" {
			cols = append(cols, c.At)
		}
	}
	return cols
}

func readHeader(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := csv.NewReader(f).Read()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return h
}

func TestGenerateErrors(t *testing.T) {
	aFile := func(t *testing.T) string {
		p := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tt := range []struct {
		name string
		opt  Options
		dir  func(t *testing.T) string
	}{
		{"zero customers", Options{}, func(t *testing.T) string { return t.TempDir() }},
		{"negative customers", Options{Customers: -3}, func(t *testing.T) string { return t.TempDir() }},
		{"out is a file", Options{Customers: 10}, aFile},
		{"out is below a file", Options{Customers: 10}, func(t *testing.T) string { return filepath.Join(aFile(t), "out") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Generate(context.Background(), tt.dir(t), tt.opt); err == nil {
				t.Fatal("Generate succeeded")
			}
		})
	}
}

func TestGenerateStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	_, err := Generate(ctx, t.TempDir(), Options{Customers: 100000, Progress: func(int) {
		calls++
		cancel()
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if calls != 1 {
		t.Errorf("progress called %d times after cancel, want 1", calls)
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			dir := b.TempDir()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Generate(context.Background(), dir, Options{Customers: n, Seed: DefaultSeed}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)*float64(n)/b.Elapsed().Seconds(), "customers/s")
		})
	}
}

// TestCleanDataNormalizes reads the output with every error rate at zero
// through the real connector and normalizers: every value must be valid,
// so what is wrong in the default output is wrong because a rate made it.
func TestCleanDataNormalizes(t *testing.T) {
	dir, _ := generate(t, 3000, 11, &Rates{})
	cfg, err := config.Load(filepath.Join(dir, ConfigFile))
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	for _, src := range cfg.Sources {
		opt := customer.Options{DefaultCountry: src.DefaultCountry, DateFormat: src.DateFormat}
		bad := 0
		emit := func(r customer.Record) error {
			customer.Normalize(&r, opt)
			for f := range customer.NumFields {
				v := r.Fields[f]
				if f == customer.Phone && strings.HasPrefix(v.Raw, "00") {
					// "00" is the international prefix of the source's
					// country (the UK), not of every country the number
					// may belong to (the US dials 011): check it there.
					v = customer.NormalizePhone(v.Raw, src.DefaultCountry)
				}
				if v.Status == customer.Invalid {
					bad++
					if bad <= 5 {
						t.Errorf("record %s row %d field %s: %q is invalid: %s", r.Key(), r.Row, f, v.Raw, v.Reason)
					}
				}
			}
			return nil
		}
		quarantine := func(e *connectors.RowError) error {
			t.Errorf("quarantined: %v", e)
			return nil
		}
		if _, err := connectors.Read(context.Background(), src, emit, quarantine); err != nil {
			t.Fatalf("source %q: %v", src.Name, err)
		}
		if bad > 5 {
			t.Errorf("source %q: %d invalid values in all", src.Name, bad)
		}
	}
}

// TestStrangersShareNothing checks that, households aside, no two people
// share an email address or a phone number.
func TestStrangersShareNothing(t *testing.T) {
	dir, sum := generate(t, 20000, 4, &Rates{})
	cfg, err := config.Load(filepath.Join(dir, ConfigFile))
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	_, truth := readCSV(t, filepath.Join(dir, TruthFile))
	entityOf := map[string]string{}
	for _, r := range truth {
		entityOf[r[0]+"/"+r[1]] = r[2]
	}
	owner := map[string]string{}
	shared := 0
	claim := func(kind, value, entity string) {
		k := kind + " " + value
		if o, ok := owner[k]; ok && o != entity {
			shared++
			if shared <= 5 {
				t.Errorf("%s %q belongs to %s and %s", kind, value, o, entity)
			}
		}
		owner[k] = entity
	}
	for _, src := range cfg.Sources {
		header, rows := readCSV(t, src.Path)
		id := slices.Index(header, src.ID)
		email := slices.Index(header, src.Map["email"][0])
		phone := -1
		if cols := src.Map["phone"]; cols != nil {
			phone = slices.Index(header, cols[0])
		}
		for _, r := range rows {
			e := entityOf[src.Name+"/"+r[id]]
			claim("email", strings.ToLower(r[email]), e)
			if phone >= 0 {
				claim("phone", lastDigits(r[phone], 9), e)
			}
		}
	}
	if sum.Households != 0 {
		t.Fatalf("%d households with Household 0", sum.Households)
	}
}

// lastDigits returns the last n digits of s: the part of a phone number
// that its national and international forms share.
func lastDigits(s string, n int) string {
	d := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			d = append(d, s[i])
		}
	}
	return string(d[max(0, len(d)-n):])
}
