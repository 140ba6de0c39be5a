package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scvhq/scv/internal/servicetest"
)

// databases are the SQL silos the end-to-end tests run against.
var databases = []struct {
	kind   string
	dsn    func(t *testing.T) string
	exec   func(t testing.TB, dsn string, stmts ...string)
	create string
}{
	{"postgres", func(t *testing.T) string { d, _ := servicetest.Postgres(t); return d }, servicetest.PostgresExec,
		`CREATE TABLE customers (id integer PRIMARY KEY, first_name text, last_name text, email text,
			updated_at timestamp NOT NULL, deleted boolean NOT NULL DEFAULT false);
			CREATE INDEX ON customers (updated_at, id)`},
	{"mysql", func(t *testing.T) string { d, _ := servicetest.MySQL(t); return d }, servicetest.MySQLExec,
		`CREATE TABLE customers (id integer PRIMARY KEY, first_name text, last_name text, email text,
			updated_at datetime(6) NOT NULL, deleted boolean NOT NULL DEFAULT false, KEY (updated_at, id))`},
}

// writeDBConfig writes a config over the customers table of kind, with
// the DSN from SCV_E2E_DSN, and returns its path.
func writeDBConfig(t *testing.T, kind string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scv.hcl")
	err := os.WriteFile(path, []byte(`
source "shop" {
  type            = "`+kind+`"
  dsn             = env("SCV_E2E_DSN")
  table           = "customers"
  id              = "id"
  updated_at      = "updated_at"
  deleted         = "deleted"
  poll            = "1s"
  clock_skew      = "0s"
  default_country = "GB"
  map {
    given_name  = "first_name"
    family_name = "last_name"
    email       = "email"
  }
}
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// sourceLine returns the summary table's line for source name, fields
// joined by one space.
func sourceLine(out, name string) string {
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == name {
			return strings.Join(f, " ")
		}
	}
	return ""
}

func TestEndToEndDatabases(t *testing.T) {
	for _, db := range databases {
		t.Run(db.kind, func(t *testing.T) {
			dsn := db.dsn(t)
			t.Setenv("SCV_E2E_DSN", dsn)
			db.exec(t, dsn, db.create, `INSERT INTO customers (id, first_name, last_name, email, updated_at) VALUES
				(1, 'Ann', 'Lee', 'ann@example.com', '2024-01-01 10:00:00'),
				(2, 'Bob', 'Ray', 'bob@example.com', '2024-01-01 10:00:00'),
				(3, 'Cat', 'Fox', 'cat@example.com', '2024-01-01 10:00:00'),
				(4, 'Dan', 'Orr', 'dan@example.com', '2024-01-02 10:00:00')`)
			cfg := writeDBConfig(t, db.kind)

			r := scv(t, "sync", "--config", cfg)
			if r.code != 0 || sourceLine(r.stdout, "shop") != "shop 4 4 0 0 0 0" {
				t.Fatalf("first sync: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			db.exec(t, dsn,
				`INSERT INTO customers (id, first_name, last_name, email, updated_at) VALUES (5, 'Annie', 'Lee', 'ann@example.com', '2024-01-02 10:00:00')`,
				`UPDATE customers SET email = 'robert@example.com', updated_at = '2024-01-03 00:00:00' WHERE id = 2`,
				`UPDATE customers SET deleted = true, updated_at = '2024-01-03 00:00:00' WHERE id = 3`)
			r = scv(t, "sync", "--config", cfg)
			// read 3, inserted 1, updated 2, unchanged 0, deleted 1
			if r.code != 0 || sourceLine(r.stdout, "shop") != "shop 3 1 2 0 1 0" {
				t.Fatalf("second sync: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			r = scv(t, "sync", "--config", cfg)
			if r.code != 0 || sourceLine(r.stdout, "shop") != "shop 0 0 0 0 0 0" {
				t.Fatalf("third sync, nothing changed: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			clusters := exportClusters(t, cfg)
			if _, ok := clusters["shop/3"]; ok || len(clusters) != 4 {
				t.Errorf("clusters %v: want 4 live records, shop/3 deleted", clusters)
			}
			if clusters["shop/1"] == "" || clusters["shop/1"] != clusters["shop/5"] {
				t.Errorf("shop/1 and shop/5 (same name and email) in profiles %q and %q", clusters["shop/1"], clusters["shop/5"])
			}
		})
	}
}

func TestEndToEndErrorsNameTheSource(t *testing.T) {
	t.Setenv("SCV_E2E_DSN", "postgres://scv:s3cret@127.0.0.1:1/shop?connect_timeout=2")
	cfg := writeDBConfig(t, "postgres")
	r := scv(t, "sync", "--config", cfg)
	if r.code != 1 || !strings.Contains(r.stderr, `source "shop"`) || !strings.Contains(r.stderr, "127.0.0.1:1/shop: connect") ||
		strings.Contains(r.stdout+r.stderr, "s3cret") {
		t.Errorf("unreachable database: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestWatch runs scv sync --watch on a PostgreSQL table, adds a row while
// it runs and stops it with SIGTERM, which must exit 0.
func TestWatch(t *testing.T) {
	db := databases[0]
	dsn := db.dsn(t)
	t.Setenv("SCV_E2E_DSN", dsn)
	db.exec(t, dsn, db.create, `INSERT INTO customers (id, first_name, last_name, email, updated_at) VALUES (1, 'Ann', 'Lee', 'ann@example.com', '2024-01-01')`)
	cfg := writeDBConfig(t, "postgres")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, scvBin, "sync", "--watch", "--config", cfg, "--log-level", "warn")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	await := func(want string) {
		t.Helper()
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("scv exited before printing %q; stderr:\n%s", want, stderr.String())
				}
				if strings.Join(strings.Fields(l), " ") == want {
					return
				}
			case <-ctx.Done():
				t.Fatalf("no %q within a minute", want)
			}
		}
	}
	await("shop 1 1 0 0 0 0")
	db.exec(t, dsn, `INSERT INTO customers (id, first_name, last_name, email, updated_at) VALUES (2, 'Bob', 'Ray', 'bob@example.com', '2024-01-02')`)
	await("shop 1 1 0 0 0 0")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for range lines {
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("scv sync --watch after SIGTERM: %v; stderr:\n%s", err, stderr.String())
	}
}
