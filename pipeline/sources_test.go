package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/internal/servicetest"
)

// dbKind is one SQL database the tests run against.
type dbKind struct {
	name   string
	dsn    func(t testing.TB) string
	exec   func(t testing.TB, dsn string, stmts ...string)
	create string
}

var dbKinds = []dbKind{
	{
		name: "postgres",
		dsn:  func(t testing.TB) string { d, _ := servicetest.Postgres(t); return d },
		exec: servicetest.PostgresExec,
		create: `CREATE TABLE customers (id integer PRIMARY KEY, first_name text, last_name text, email text,
			updated_at timestamptz NOT NULL, deleted boolean NOT NULL DEFAULT false);
			CREATE INDEX ON customers (updated_at, id)`,
	},
	{
		name: "mysql",
		dsn:  func(t testing.TB) string { d, _ := servicetest.MySQL(t); return d },
		exec: servicetest.MySQLExec,
		create: `CREATE TABLE customers (id integer PRIMARY KEY, first_name text, last_name text, email text,
			updated_at datetime(6) NOT NULL, deleted boolean NOT NULL DEFAULT false, KEY (updated_at, id))`,
	},
}

func dbConfig(kind string) string {
	return `
data_dir = "./data"
source "shop" {
  type       = "` + kind + `"
  dsn        = env("SCV_TEST_PIPELINE_DSN")
  table      = "customers"
  id         = "id"
  updated_at = "updated_at"
  deleted    = "deleted"
  clock_skew = "0s"
  page_size  = 2
  default_country = "GB"
  map {
    given_name  = "first_name"
    family_name = "last_name"
    email       = "email"
  }
}
`
}

// syncOnce syncs and returns the shop source's summary as text.
func syncOnce(t *testing.T, p *testPipeline, o SyncOptions) (string, error) {
	t.Helper()
	sum, err := p.SyncWith(context.Background(), "", o)
	if sum == nil || len(sum.Sources) == 0 {
		return "", err
	}
	s := sum.Sources[0]
	return fmt.Sprintf("read %d inserted %d updated %d unchanged %d deleted %d", s.Read, s.Inserted, s.Updated, s.Unchanged, s.Deleted), err
}

// profiled returns the sorted record keys that have a profile.
func profiled(t *testing.T, p *testPipeline) string {
	t.Helper()
	a, err := p.db.Assignments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return fmt.Sprint(keys)
}

func TestDatabaseSync(t *testing.T) {
	for _, k := range dbKinds {
		t.Run(k.name, func(t *testing.T) {
			dsn := k.dsn(t)
			t.Setenv("SCV_TEST_PIPELINE_DSN", dsn)
			k.exec(t, dsn, k.create, `INSERT INTO customers (id, first_name, last_name, email, updated_at) VALUES
				(1, 'Ann', 'Lee', 'ann@example.com', '2024-01-01 10:00:00'),
				(2, 'Bob', 'Ray', 'bob@example.com', '2024-01-01 10:00:00'),
				(3, 'Cat', 'Fox', 'cat@example.com', '2024-01-01 10:00:00'),
				(4, 'Dan', 'Orr', 'dan@example.com', '2024-01-02 10:00:00'),
				(5, 'Annie', 'Lee', 'ann@example.com', '2024-01-02 10:00:00')`)
			dir := t.TempDir()
			write(t, dir, "scv.hcl", dbConfig(k.name))
			p := open(t, dir)

			if got, err := syncOnce(t, p, SyncOptions{}); err != nil || got != "read 5 inserted 5 updated 0 unchanged 0 deleted 0" {
				t.Fatalf("first sync: %s, %v", got, err)
			}
			if got := profiled(t, p); got != "[shop/1 shop/2 shop/3 shop/4 shop/5]" {
				t.Fatalf("profiled after the first sync: %s", got)
			}
			// An update, an insert with the checkpoint's own timestamp and
			// a soft delete: only those three rows are read.
			k.exec(t, dsn,
				`UPDATE customers SET email = 'robert@example.com', updated_at = '2024-01-03 00:00:00' WHERE id = 2`,
				`INSERT INTO customers (id, first_name, last_name, email, updated_at) VALUES (6, 'Eve', 'Ng', 'eve@example.com', '2024-01-02 10:00:00')`,
				`UPDATE customers SET deleted = true, updated_at = '2024-01-03 00:00:00' WHERE id = 3`)
			if got, err := syncOnce(t, p, SyncOptions{}); err != nil || got != "read 3 inserted 1 updated 2 unchanged 0 deleted 1" {
				t.Fatalf("second sync: %s, %v", got, err)
			}
			if got := profiled(t, p); got != "[shop/1 shop/2 shop/4 shop/5 shop/6]" {
				t.Fatalf("profiled after the second sync: %s, want shop/3 gone and shop/6 in", got)
			}
			if got, err := syncOnce(t, p, SyncOptions{}); err != nil || got != "read 0 inserted 0 updated 0 unchanged 0 deleted 0" {
				t.Fatalf("third sync, nothing changed: %s, %v", got, err)
			}
			if rec, err := p.db.Record(context.Background(), "shop/2"); err != nil || rec.Get(customer.Email).Raw != "robert@example.com" {
				t.Fatalf("shop/2 after its update: %v, %v", rec.Get(customer.Email), err)
			}
			// A hard delete shows only to a full read, which must be let
			// through max_delete.
			k.exec(t, dsn, `DELETE FROM customers WHERE id = 4`)
			_, err := syncOnce(t, p, SyncOptions{Full: true})
			if !errors.Is(err, ErrTooManyDeletes) || !strings.Contains(err.Error(), "would mark 1 of 5 live records deleted (20.0%)") {
				t.Fatalf("full sync deleting 1 of 5: %v, want ErrTooManyDeletes", err)
			}
			if got, err := syncOnce(t, p, SyncOptions{Full: true, AllowDeletes: true}); err != nil || got != "read 5 inserted 0 updated 0 unchanged 5 deleted 1" {
				t.Fatalf("full sync with --allow-deletes: %s, %v", got, err)
			}
			if got := profiled(t, p); got != "[shop/1 shop/2 shop/5 shop/6]" {
				t.Fatalf("profiled after the full sync: %s", got)
			}
			// The full read left a checkpoint the next incremental read
			// resumes after.
			if got, err := syncOnce(t, p, SyncOptions{}); err != nil || got != "read 0 inserted 0 updated 0 unchanged 0 deleted 0" {
				t.Fatalf("incremental sync after the full one: %s, %v", got, err)
			}
		})
	}
}

// TestDatabaseSyncCrash stops a PostgreSQL sync after its first batch is
// stored, as a crash or a dropped connection would, and checks that the
// next sync resumes from the checkpoint written with that batch: every
// row is stored once, none skipped and none read twice.
func TestDatabaseSyncCrash(t *testing.T) {
	k := dbKinds[0]
	dsn := k.dsn(t)
	t.Setenv("SCV_TEST_PIPELINE_DSN", dsn)
	k.exec(t, dsn, k.create, `INSERT INTO customers (id, first_name, last_name, email, updated_at)
		SELECT i, 'Name', 'Surname', 'user' || i || '@example.com', '2024-01-01'::timestamptz + (i / 3) * interval '1 minute'
		FROM generate_series(1, 20) AS i`)
	dir := t.TempDir()
	write(t, dir, "scv.hcl", dbConfig("postgres"))
	p := open(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	crashing := &testPipeline{New(p.cfg, p.db, Options{BatchSize: 4, Progress: func(pr Progress) {
		if pr.Stage == "sync" && pr.Done >= 8 {
			cancel()
		}
	}}), p.db}
	if _, err := crashing.SyncWith(ctx, "", SyncOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("crashing sync: %v, want context.Canceled", err)
	}
	st, err := p.db.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stored := st["shop"].Records
	if stored < 8 || stored >= 20 {
		t.Fatalf("the crashing sync stored %d records, want some but not all", stored)
	}
	got, err := syncOnce(t, p, SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("read %d inserted %d updated 0 unchanged 0 deleted 0", 20-stored, 20-stored); got != want {
		t.Errorf("resumed sync: %s, want %s", got, want)
	}
	if st, _ := p.db.Sources(context.Background()); st["shop"].Records != 20 {
		t.Errorf("%d records stored, want 20", st["shop"].Records)
	}
}

// TestDatabaseConnectionDropped kills the PostgreSQL connection of a sync
// mid-table: the sync fails naming the source, keeps what it stored with
// its checkpoint, and the next sync reads only the rest.
func TestDatabaseConnectionDropped(t *testing.T) {
	k := dbKinds[0]
	dsn := k.dsn(t)
	t.Setenv("SCV_TEST_PIPELINE_DSN", dsn)
	k.exec(t, dsn, k.create, `INSERT INTO customers (id, first_name, last_name, email, updated_at)
		SELECT i, 'Name', 'Surname', 'user' || i || '@example.com', '2024-01-01'::timestamptz + i * interval '1 minute'
		FROM generate_series(1, 400) AS i`)
	dir := t.TempDir()
	write(t, dir, "scv.hcl", dbConfig("postgres"))
	p := open(t, dir)
	killed := false
	dropping := &testPipeline{New(p.cfg, p.db, Options{BatchSize: 4, Progress: func(pr Progress) {
		if pr.Stage == "sync" && pr.Done >= 8 && !killed {
			killed = true
			k.exec(t, dsn, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE application_name = 'scv' AND datname = current_database() AND pid <> pg_backend_pid()`)
		}
	}}), p.db}
	_, err := dropping.Sync(context.Background(), "")
	if err == nil || !strings.Contains(err.Error(), `source "shop"`) {
		t.Fatalf("sync whose connection dropped: %v, want an error naming the source", err)
	}
	st, _ := p.db.Sources(context.Background())
	stored := st["shop"].Records
	if stored < 8 || stored >= 400 {
		t.Fatalf("stored %d records before the drop, want some", stored)
	}
	got, err := syncOnce(t, p, SyncOptions{})
	if want := fmt.Sprintf("read %d inserted %d updated 0 unchanged 0 deleted 0", 400-stored, 400-stored); err != nil || got != want {
		t.Errorf("next sync: %s, %v; want %s", got, err, want)
	}
}
