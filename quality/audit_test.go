package quality_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/pipeline"
	"github.com/scvhq/scv/quality"
	"github.com/scvhq/scv/store/bolt"
)

// crmCSV has known defects: row 3 a malformed email, row 4 a placeholder
// email and a phone too short, row 5 an impossible date, row 6 a repeat
// of row 2's person under another id, and three rows that cannot become
// records (rows 7, 8 and 9: a duplicate id, a wrong column count and no id).
const crmCSV = `customer_id,first_name,last_name,email,mobile,dob,street,city,zip,modified_at,loyalty,email_opt_in
C1,Ann,Smith,ann.smith@example.com,020 7946 0958,1980-04-12,1 High Street,London,SW1A 1AA,2026-10-01,L1,yes
C2,Bob,Jones,john.smith@,07700 900123,1975-01-01,2 Low Road,Leeds,LS1 1AA,2019-01-01,,no
C3,Cy,Young,n/a,12,1990-03-03,,,,2026-11-01,L3,
C4,Dee,Brown,dee@example.com,07700 900456,1990-02-30,4 Mill Lane,,M1 1AA,2026-11-20,L4,yes
C5,Ann,Smith,ann.smith@example.com,020 7946 0958,1980-04-12,1 High Street,London,SW1A 1AA,2026-09-01,,
C2,Bob,Jones,bob@example.com,07700 900123,1975-01-01,2 Low Road,Leeds,LS1 1AA,2026-01-01,,
C6,Eve,Adams
,Nobody,Here,no@example.com,07700 900789,1970-01-01,5 Road,York,YO1 1AA,2026-01-01,,
`

const configHCL = `
data_dir = "./data"
source "crm" {
  type            = "csv"
  path            = "crm.csv"
  id              = "customer_id"
  updated_at      = "modified_at"
  trust           = 0.9
  default_country = "GB"
  freshness       = "365d"
  map {
    given_name    = "first_name"
    family_name   = "last_name"
    email         = "email"
    phone         = "mobile"
    date_of_birth = "dob"
    address_line1 = "street"
    locality      = "city"
    postal_code   = "zip"
  }
  identifiers = { loyalty_id = "loyalty" }
  consent     = { email = "email_opt_in" }
}

# Five records are too few to train the resolver's model; link the
# repeated person outright so the test does not depend on it.
resolver {
  must_link = [["crm/C1", "crm/C5"]]
}
`

func TestComputeOnSyncedStore(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"crm.csv": crmCSV, "scv.hcl": configHCL} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(filepath.Join(dir, "scv.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	db, err := bolt.Open(cfg.DataDir, bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := pipeline.New(cfg, db, pipeline.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	if err := p.EnsureSynced(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := quality.Compute(ctx, db, quality.Options{Now: now, Sources: []quality.Source{{
		Name: "crm", Freshness: 365 * 24 * time.Hour, HasUpdatedAt: true, Identifiers: []string{"loyalty_id"},
		MappedFields: []customer.Field{customer.GivenName, customer.FamilyName, customer.Email, customer.Phone,
			customer.DateOfBirth, customer.AddressLine1, customer.Locality, customer.PostalCode},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Sources) != 1 {
		t.Fatalf("sources = %+v", rep.Sources)
	}
	s := rep.Sources[0]
	if !s.LastSync.Equal(now) || len(s.History) != 1 || s.History[0].Read != 5 || s.History[0].Quarantined != 3 || s.History[0].Score <= 0 {
		t.Errorf("last sync %v, history %+v; want one sync at %v that read 5 and quarantined 3", s.LastSync, s.History, now)
	}
	var html strings.Builder
	if err := quality.WriteHTML(&html, rep); err != nil || !strings.Contains(html.String(), "Is data quality getting better?") {
		t.Errorf("the HTML report lacks the history chart (%v)", err)
	}
	if s.Records != 5 || s.Quarantined != 3 || rep.Records != 5 || rep.Quarantined != 3 {
		t.Errorf("records, quarantined = %d, %d; want 5, 3", s.Records, s.Quarantined)
	}
	want := map[string]quality.Counts{
		"given_name":    {Present: 5, Valid: 5},
		"family_name":   {Present: 5, Valid: 5},
		"email":         {Present: 4, Missing: 1, Valid: 3, Invalid: 1},
		"phone":         {Present: 5, Valid: 4, Invalid: 1},
		"date_of_birth": {Present: 5, Valid: 4, Invalid: 1},
		"address_line1": {Present: 4, Missing: 1, Valid: 4},
		"locality":      {Present: 3, Missing: 2, Valid: 3},
		"postal_code":   {Present: 4, Missing: 1, Valid: 4},
		"loyalty_id":    {Present: 3, Missing: 2, Valid: 3},
	}
	got := map[string]quality.Counts{}
	for _, f := range append(s.Fields, s.Identifiers...) {
		got[f.Name] = f.Counts
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s = %+v, want %+v", name, got[name], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("fields = %v, want %d of them", got, len(want))
	}
	for _, f := range s.Fields {
		if f.Name == "email" {
			if len(f.Samples) != 1 {
				t.Fatalf("email samples = %+v, want one", f.Samples)
			}
			got := f.Samples[0]
			want := quality.Sample{Source: "crm", Row: 3, ID: "C2", Field: "email", Raw: "john.smith@", Reason: got.Reason}
			if got != want || got.Reason == "" {
				t.Errorf("email sample = %+v, want %+v with a reason", got, want)
			}
		}
	}
	// Worst rows: row 4 (C3: a bad phone, four fields missing), row 5 (C4:
	// an impossible date, no town), row 3 (C2: a malformed email).
	if len(rep.WorstOffenders) < 3 {
		t.Fatalf("worst offenders = %+v, want at least 3", rep.WorstOffenders)
	}
	var worst []int64
	for _, o := range rep.WorstOffenders[:3] {
		worst = append(worst, o.Row)
	}
	if fmt.Sprint(worst) != "[4 5 3]" {
		t.Errorf("worst rows = %v, want [4 5 3]", worst)
	}
	reasons := map[string]int{}
	for _, q := range s.Quarantine {
		reasons[q.Reason] = q.Count
	}
	for _, r := range []string{"duplicate id, first seen at row N", "wrong number of columns: N, the header has N", "no record id"} {
		if reasons[r] != 1 {
			t.Errorf("quarantine reasons = %v, want one %q", reasons, r)
		}
	}
	if d := s.Dimensions.Timeliness; d == nil || d.Count != 4 || d.Of != 5 {
		t.Errorf("timeliness = %+v, want 4/5", d)
	}
	// C1 and C5 are one person: one duplicate.
	if rep.Profiles != 4 || s.Duplicates != 1 {
		t.Errorf("profiles, duplicates = %d, %d; want 4, 1", rep.Profiles, s.Duplicates)
	}
	if rep.Reach.Email.Reachable != 2 || rep.Reach.Email.Consented != 2 {
		t.Errorf("email reach = %+v, want 2 reachable, 2 consented", rep.Reach.Email)
	}
	// Three have a postal address (C1/C5, C2 and C4, a postcode without a
	// town), none stated consent for post, which is opt-in by default.
	if p := rep.Reach.Post; p.WithValue != 3 || p.Unknown != 3 || p.Reachable != 0 {
		t.Errorf("post reach = %+v, want 3 with an address, all unknown, none reachable", p)
	}
}
