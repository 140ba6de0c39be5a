package pipeline

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/store"
)

const testConfig = `
data_dir = "./data"
source "crm" {
  type            = "csv"
  path            = "crm.csv"
  id              = "id"
  default_country = "GB"
  max_delete      = 1 # these tests delete a third of a tiny source
  map {
    given_name  = "first"
    family_name = "last"
    email       = "email"
    phone       = "phone"
  }
}
source "shop" {
  type            = "csv"
  path            = "shop.csv"
  id              = "ref"
  default_country = "GB"
  max_delete      = 1
  map {
    full_name = "name"
    email     = "mail"
  }
}
`

// setup writes the config and sources into a temporary directory and
// opens a pipeline on a real store there.
func setup(t *testing.T, crm, shop string) (*testPipeline, string) {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "scv.hcl", testConfig)
	write(t, dir, "crm.csv", crm)
	write(t, dir, "shop.csv", shop)
	return open(t, dir), dir
}

const (
	crmCSV = "id,first,last,email,phone\n" +
		"C1,Ann,Lee,Ann.Lee@Example.com,07700 900001\n" +
		"C2,Bob,Ray,bob@example.com,07700 900002\n" +
		",No,Id,noid@example.com,\n" +
		"C3,Cat,Fox,cat@,07700 900003\n"
	shopCSV = "ref,name,mail\n" +
		"S1,Ann Lee,ann.lee@example.com\n" +
		"S2,Dan Orr,dan@example.com\n"
)

func TestSync(t *testing.T) {
	ctx := context.Background()
	p, dir := setup(t, crmCSV, shopCSV)

	sum, err := p.Sync(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	crm := sum.Sources[0]
	if crm.Read != 3 || crm.Inserted != 3 || crm.Quarantined != 1 {
		t.Errorf("first sync of crm = %+v, want 3 read and inserted, 1 quarantined", crm)
	}
	if crm.Quality == nil || crm.Quality.Fields[2].Name != "email" || crm.Quality.Fields[2].Invalid != 1 {
		t.Errorf("crm summary should count the invalid email: %+v", crm.Quality)
	}
	if sum.Resolve == nil || sum.Resolve.Records != 5 {
		t.Fatalf("resolve after the first sync = %+v, want 5 records", sum.Resolve)
	}
	var q []store.Quarantined
	p.db.ForEachQuarantined(ctx, "crm", func(r store.Quarantined) error { q = append(q, r); return nil })
	if len(q) != 1 || q[0].Row != 4 || !strings.Contains(q[0].Raw, "noid@example.com") {
		t.Errorf("quarantine = %+v, want row 4 with its raw text", q)
	}
	ids, err := p.db.Lookup(ctx, "email", "ann.lee@example.com")
	if err != nil || len(ids) != 1 {
		t.Fatalf("lookup ann: %v %v", ids, err)
	}
	prof, err := p.db.Profile(ctx, ids[0])
	if err != nil || len(prof.Members) != 2 {
		t.Fatalf("Ann's profile = %+v, %v; want crm/C1 and shop/S1", prof, err)
	}

	// Unchanged files: nothing is read, nothing resolved.
	sum, err = p.Sync(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sum.Sources {
		if !s.Skipped {
			t.Errorf("second sync of %s = %+v, want skipped", s.Name, s)
		}
	}
	if sum.Resolve != nil {
		t.Error("second sync resolved although nothing changed")
	}

	// A changed row replaces its old version, a vanished row is deleted.
	write(t, dir, "crm.csv", "id,first,last,email,phone\n"+
		"C1,Ann,Lee,Ann.Lee@Example.com,07700 900001\n"+
		"C2,Bob,Ray,robert.ray@example.com,07700 900002\n")
	sum, err = p.Sync(ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	crm = sum.Sources[0]
	if len(sum.Sources) != 1 || crm.Updated != 1 || crm.Unchanged != 1 || crm.Deleted != 1 || crm.Quarantined != 0 {
		t.Errorf("sync of the changed crm = %+v, want 1 updated, 1 unchanged, 1 deleted, 0 quarantined", crm)
	}
	rec, err := p.db.Record(ctx, "crm/C2")
	if err != nil || rec.Fields[customer.Email].Norm != "robert.ray@example.com" {
		t.Errorf("crm/C2 = %+v, %v; want the new email", rec.Fields[customer.Email], err)
	}
	if _, err := p.db.Lookup(ctx, "email", "bob@example.com"); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("the old email still finds a profile: %v", err)
	}
	if _, err := p.db.Lookup(ctx, "source_record", "crm/C3"); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("the deleted record still finds a profile: %v", err)
	}
	q = q[:0]
	p.db.ForEachQuarantined(ctx, "crm", func(r store.Quarantined) error { q = append(q, r); return nil })
	if len(q) != 0 {
		t.Errorf("quarantine after a clean read = %+v, want empty", q)
	}
}

func TestSyncUnknownSource(t *testing.T) {
	p, _ := setup(t, crmCSV, shopCSV)
	if _, err := p.Sync(context.Background(), "erp"); !errors.Is(err, ErrUnknownSource) {
		t.Errorf("Sync(erp) = %v, want ErrUnknownSource", err)
	}
}

func TestSettingsChangeRereads(t *testing.T) {
	ctx := context.Background()
	p, dir := setup(t, crmCSV, shopCSV)
	if _, err := p.Sync(ctx, ""); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "scv.hcl", strings.Replace(testConfig, `default_country = "GB"`, `default_country = "US"`, 1))
	p = p.reload(t, dir)
	sum, err := p.Sync(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if s := sum.Sources[0]; s.Skipped || s.Updated == 0 {
		t.Errorf("crm after its default_country changed = %+v, want re-read with updated phones", s)
	}
	if s := sum.Sources[1]; !s.Skipped {
		t.Errorf("shop, unchanged, = %+v, want skipped", s)
	}
}

func TestResolveKeepsIDs(t *testing.T) {
	ctx := context.Background()
	p, _ := setup(t, crmCSV, shopCSV)
	if _, err := p.Sync(ctx, ""); err != nil {
		t.Fatal(err)
	}
	before, err := p.db.Assignments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Resolve(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := p.db.Assignments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k, id := range before {
		if after[k] != id {
			t.Errorf("%s moved from %s to %s on a re-run", k, id, after[k])
		}
	}
	if _, err := p.Model(ctx); err != nil {
		t.Errorf("no model stored after resolve: %v", err)
	}
	e, err := p.ExplainPair(ctx, "crm/C1", "shop/S1")
	if err != nil {
		t.Fatal(err)
	}
	if e.Probability < 0.5 {
		t.Errorf("crm/C1 vs shop/S1 probability %v, want a match", e.Probability)
	}
}

// TestInterruptedSyncResolvesNextTime stops a sync after it stored the
// records and before it resolved them, as SIGTERM does, and checks that
// the next sync, which finds every source unchanged, still gives every
// live record a profile.
func TestInterruptedSyncResolvesNextTime(t *testing.T) {
	p, dir := setup(t, crmCSV, shopCSV)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopped := p.reload(t, dir)
	stopped.opts.Progress = func(pr Progress) {
		if strings.HasPrefix(pr.Stage, "resolve") {
			cancel()
		}
	}
	if _, err := stopped.Sync(ctx, ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted sync: err = %v, want context.Canceled", err)
	}
	assign, err := p.db.Assignments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(assign) != 0 {
		t.Fatalf("the interrupted sync stored %d assignments, want none", len(assign))
	}

	sum, err := p.Sync(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sum.Sources {
		if !s.Skipped {
			t.Errorf("source %s was read again: %+v", s.Name, s)
		}
	}
	if sum.Resolve == nil {
		t.Fatal("the next sync resolved nothing")
	}
	assign, err = p.db.Assignments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var live int
	err = p.db.ForEachRecord(context.Background(), func(r *customer.Record) error {
		live++
		if assign[r.Key()] == "" {
			t.Errorf("live record %s has no profile", r.Key())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if live == 0 || len(assign) != live {
		t.Errorf("%d assignments for %d live records", len(assign), live)
	}
	if pend, err := p.db.Pending(context.Background()); err != nil || len(pend.Keys) != 0 {
		t.Errorf("pending after the sync = %q, %v; want none", pend.Keys, err)
	}
}
