package pipeline

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/scvhq/scv/customer"
)

func ingestRecord(src, id, given, family, email, phone, dob string) customer.Record {
	r := customer.Record{Source: src, ID: id, UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	r.Fields[customer.GivenName].Raw = given
	r.Fields[customer.FamilyName].Raw = family
	r.Fields[customer.Email].Raw = email
	r.Fields[customer.Phone].Raw = phone
	r.Fields[customer.DateOfBirth].Raw = dob
	return r
}

// TestIngest checks that ingested records of an api source are
// normalized with its rules, stored, resolved and looked up when Ingest
// returns; that a bad record is left out while the rest is stored; that
// an undeclared or non-api source names the api sources; and that
// DeleteRecord takes a record out of its profile.
func TestIngest(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "crm.csv", "id,first,last,email\n1,Ann,Lee,ann@example.com\n2,Bob,Ray,bob@example.com\n")
	write(t, dir, "scv.hcl", `data_dir = "data"
source "crm" {
  type = "csv"
  path = "crm.csv"
  id   = "id"
  map {
    given_name  = "first"
    family_name = "last"
    email       = "email"
  }
}
source "web" {
  type            = "api"
  default_country = "GB"
  date_format     = "dd/mm/yyyy"
}
`)
	p := open(t, dir)
	ctx := context.Background()
	if _, err := p.Sync(ctx, ""); err != nil {
		t.Fatal(err)
	}

	bad := ingestRecord("web", "", "X", "Y", "", "", "")
	long := ingestRecord("web", "3", strings.Repeat("a", 5000), "Y", "", "", "")
	utf := ingestRecord("web", "4", "\xff", "Y", "", "", "")
	good := ingestRecord("web", "w1", "Carol", "Tan", "Carol@Example.com", "020 7946 0958", "31/12/1980")
	res, err := p.Ingest(ctx, []customer.Record{bad, good, long, utf})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Inserted != 1 {
		t.Errorf("inserted %d, want 1", res.Stats.Inserted)
	}
	want := []RecordError{{0, "id", ""}, {2, "given_name", ""}, {3, "given_name", ""}}
	if len(res.Rejected) != len(want) {
		t.Fatalf("rejected %+v, want %d", res.Rejected, len(want))
	}
	for i, w := range want {
		if g := res.Rejected[i]; g.Index != w.Index || g.Field != w.Field || g.Reason == "" {
			t.Errorf("rejected[%d] = %+v, want index %d field %s", i, g, w.Index, w.Field)
		}
	}
	rec, err := p.db.Record(ctx, "web/w1")
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.Get(customer.Phone).Norm; got != "+442079460958" {
		t.Errorf("phone %q: default_country not applied", got)
	}
	if got := rec.Get(customer.DateOfBirth).Norm; got != "1980-12-31" {
		t.Errorf("date of birth %q: date_format not applied", got)
	}
	ids, err := p.db.Lookup(ctx, customer.KindEmail, "carol@example.com")
	if err != nil || len(ids) != 1 {
		t.Fatalf("lookup after ingest: %v %v", ids, err)
	}
	changes, err := p.db.Changes(ctx, 0, 0)
	if err != nil || len(changes) == 0 || changes[len(changes)-1].Profile != ids[0] {
		t.Errorf("change log does not end with the ingested profile %s: %v %v", ids[0], changes, err)
	}

	again, err := p.Ingest(ctx, []customer.Record{good})
	if err != nil || again.Stats.Unchanged != 1 {
		t.Errorf("second ingest: %+v %v, want unchanged", again.Stats, err)
	}

	for _, src := range []string{"nope", "crm"} {
		_, err := p.Ingest(ctx, []customer.Record{ingestRecord(src, "9", "A", "B", "", "", "")})
		var se *SourceError
		if !errors.As(err, &se) || !errors.Is(err, ErrUnknownSource) || !strings.Contains(err.Error(), "web") {
			t.Errorf("source %s: %v, want a SourceError naming web", src, err)
		}
	}

	if err := p.DeleteRecord(ctx, "web", "w1"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.db.Lookup(ctx, customer.KindEmail, "carol@example.com"); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("lookup after delete: %v, want not found", err)
	}
	if err := p.DeleteRecord(ctx, "web", "missing"); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("delete of a missing record: %v", err)
	}
}
