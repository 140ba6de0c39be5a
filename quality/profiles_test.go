package quality

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/store"
	"github.com/scvhq/scv/store/bolt"
)

// twoSourceReport builds the report of a small known data set: crm holds
// a duplicate of one person, the sources share two people, and values,
// consent and addresses are chosen so every count below is known.
func twoSourceReport(t *testing.T) *Report {
	t.Helper()
	opts := Options{
		Now: testNow,
		Sources: []Source{
			{Name: "crm", HasUpdatedAt: true, Freshness: 365 * 24 * time.Hour,
				MappedFields: []customer.Field{customer.GivenName, customer.Email, customer.Phone, customer.AddressLine1, customer.PostalCode},
				Identifiers:  []string{"loyalty_id"}},
			{Name: "shop", MappedFields: []customer.Field{customer.GivenName, customer.Email, customer.Phone}},
		},
	}
	F := func(kv ...any) map[customer.Field]customer.Value {
		m := map[customer.Field]customer.Value{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(customer.Field)] = kv[i+1].(customer.Value)
		}
		return m
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	consent := func(ch string, st customer.ConsentStatus, at time.Time) map[string]customer.Consent {
		return map[string]customer.Consent{ch: {Status: st, At: at}}
	}
	records := []*customer.Record{
		rec("crm", "1", 2, F(customer.GivenName, valid("Ann"), customer.Email, valid("ann@x.io"),
			customer.AddressLine1, valid("1 High St"), customer.PostalCode, valid("SW1A 1AA"))),
		rec("crm", "2", 3, F(customer.Email, valid("ann@x.io"), customer.Phone, invalid("12", "not a possible phone number"))),
		rec("crm", "3", 4, F(customer.GivenName, valid("Bob"), customer.Phone, valid("+442079460958"))),
		rec("crm", "4", 5, F(customer.GivenName, valid("Cy"), customer.Email, invalid("cy at x dot io", "malformed email address"),
			customer.AddressLine1, valid("2 Low Rd"))),
		rec("shop", "a", 2, F(customer.GivenName, valid("Anne"), customer.Email, valid("ann@y.io"))),
		rec("shop", "b", 3, F(customer.GivenName, valid("Bob"), customer.Phone, valid("+442079460958"))),
		rec("shop", "c", 4, F(customer.Email, valid("dee@z.io"))),
	}
	records[0].Identifiers = map[string]customer.Value{"loyalty_id": valid("L1")}
	records[2].Identifiers = map[string]customer.Value{"loyalty_id": valid("L3")}
	records[0].UpdatedAt = day(2026, 6, 1)
	records[1].UpdatedAt = day(2020, 1, 1)
	records[0].Consent = consent("email", customer.ConsentGranted, day(2025, 1, 1))
	records[4].Consent = consent("email", customer.ConsentDenied, day(2026, 1, 1))
	records[2].Consent = consent("phone", customer.ConsentGranted, time.Time{})
	records[5].Consent = consent("phone", customer.ConsentDenied, day(2024, 1, 1))
	records[6].Consent = consent("email", customer.ConsentGranted, time.Time{})
	assign := map[string]string{
		"crm/1": "P1", "crm/2": "P1", "shop/a": "P1",
		"crm/3": "P2", "shop/b": "P2",
		"crm/4": "P4",
	}
	db, err := bolt.Open(t.TempDir(), bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	batch := make([]customer.Record, len(records))
	for i, r := range records {
		batch[i] = *r
	}
	// crm/5 is deleted: it counts as deleted, not as a record.
	batch = append(batch, *rec("crm", "5", 6, F(customer.GivenName, valid("Gone"))))
	if _, err := db.PutRecords(ctx, store.Batch{Records: batch}); err != nil {
		t.Fatal(err)
	}
	_, err = db.FinishSnapshot(ctx, store.Snapshot{
		Source: "crm", Seen: func(id string) bool { return id != "5" }, Checkpoint: "1",
		Quarantine: []store.Quarantined{{
			Source: "crm", Row: 7, Raw: "6,Eve,eve@x.io,extra", Reason: "wrong number of columns: 4, the header has 3", At: testNow,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ApplyResolution(ctx, store.Resolution{Assign: assign, Full: true}); err != nil {
		t.Fatal(err)
	}
	rep, err := Compute(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestProfileDimensions(t *testing.T) {
	rep := twoSourceReport(t)
	if rep.Profiles != 4 || rep.Records != 7 || rep.Quarantined != 1 {
		t.Fatalf("profiles, records, quarantined = %d, %d, %d; want 4, 7, 1", rep.Profiles, rep.Records, rep.Quarantined)
	}
	crm, shop := rep.Sources[0], rep.Sources[1]
	for _, tt := range []struct {
		name      string
		got       *Ratio
		count, of int
	}{
		{"crm completeness", crm.Dimensions.Completeness, 13, 24},
		{"crm validity", crm.Dimensions.Validity, 11, 13},
		{"crm uniqueness", crm.Dimensions.Uniqueness, 3, 4},
		{"crm consistency", crm.Dimensions.Consistency, 5, 5},
		{"crm timeliness", crm.Dimensions.Timeliness, 1, 4},
		{"shop completeness", shop.Dimensions.Completeness, 5, 9},
		{"shop validity", shop.Dimensions.Validity, 5, 5},
		{"shop uniqueness", shop.Dimensions.Uniqueness, 3, 3},
		{"shop consistency", shop.Dimensions.Consistency, 2, 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got == nil || tt.got.Count != tt.count || tt.got.Of != tt.of {
				t.Errorf("got %+v, want %d/%d", tt.got, tt.count, tt.of)
			}
		})
	}
	if shop.Dimensions.Timeliness != nil {
		t.Errorf("shop timeliness = %+v, want none: shop has no updated_at", shop.Dimensions.Timeliness)
	}
	if crm.Duplicates != 1 || crm.Profiles != 3 || crm.Deleted != 1 {
		t.Errorf("crm duplicates, profiles, deleted = %d, %d, %d; want 1, 3, 1", crm.Duplicates, crm.Profiles, crm.Deleted)
	}
	crmScore := (13.0/24 + 11.0/13 + 3.0/4 + 5.0/5 + 1.0/4) / 5
	shopScore := (5.0/9 + 5.0/5 + 3.0/3 + 2.0/4) / 4
	if !near(crm.Score, crmScore) || !near(shop.Score, shopScore) {
		t.Errorf("scores = %v, %v; want %v, %v", crm.Score, shop.Score, crmScore, shopScore)
	}
	if want := (4*crmScore + 3*shopScore) / 7; !near(rep.OverallScore, want) {
		t.Errorf("overall = %v, want %v", rep.OverallScore, want)
	}
	lost := 0.0
	for _, d := range rep.Drags {
		lost += d.Points
	}
	if !near(lost, 1-rep.OverallScore) {
		t.Errorf("drags add up to %v, want 1 − overall = %v", lost, 1-rep.OverallScore)
	}
	if len(rep.Overlap) != 1 || rep.Overlap[0] != (Overlap{A: "crm", B: "shop", Profiles: 2}) {
		t.Errorf("overlap = %+v", rep.Overlap)
	}
	// Reach counts the three golden profiles (shop/c is unassigned). P1's
	// newer denial in the shop beats the CRM's older grant; P2's dated
	// denial beats an undated grant; P4's only email is invalid and its
	// address has neither town nor postcode.
	want := Reach{
		Profiles: 3,
		Email:    ChannelReach{WithValue: 1, Denied: 1, NoValue: 2},
		SMS:      ChannelReach{WithValue: 1, Unknown: 1, NoValue: 2},
		Phone:    ChannelReach{WithValue: 1, Denied: 1, NoValue: 2},
		Post:     ChannelReach{WithValue: 1, Unknown: 1, NoValue: 2},
	}
	if rep.Reach != want {
		t.Errorf("reach = %+v, want %+v", rep.Reach, want)
	}
	email := shop.Fields[1]
	if email.Name != "email" || email.Consistency == nil || *email.Consistency != (Ratio{Score: 0, Count: 0, Of: 1}) {
		t.Errorf("shop email consistency = %+v", email.Consistency)
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

// BenchmarkCompute audits a real store of 20,000 typical records in two
// sources, half of them sharing a profile with a record of the other.
func BenchmarkCompute(b *testing.B) {
	const n = 20000
	db, err := bolt.Open(b.TempDir(), bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	recs := make([]customer.Record, 0, n)
	assign := make(map[string]string, n)
	for i := range n {
		r := *typicalRecord()
		r.Source = []string{"crm", "shop"}[i%2]
		r.ID = fmt.Sprint(i)
		r.Row = int64(i/2 + 2)
		r.Fields[customer.Email] = valid(fmt.Sprintf("person%d@example.com", i/4))
		recs = append(recs, r)
		assign[r.Key()] = fmt.Sprint("P", i/4)
	}
	if _, err := db.PutRecords(ctx, store.Batch{Records: recs}); err != nil {
		b.Fatal(err)
	}
	if err := db.ApplyResolution(ctx, store.Resolution{Assign: assign, Full: true}); err != nil {
		b.Fatal(err)
	}
	opts := Options{Now: testNow, Sources: []Source{{Name: "crm"}, {Name: "shop"}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(ctx, db, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
