// Package servicetest gives tests a private place on the local services
// that ../shared/SERVICES.md lists: a PostgreSQL schema, a MariaDB
// database, a NATS JetStream server. Each helper reads the address from
// an environment variable (defaults as in SERVICES.md), creates a
// uniquely named schema or database and drops it when the test ends.
// When the service is absent the test is skipped with a message saying
// so, except under CI=true, where it fails.
package servicetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
)

// Environment variables naming the services, and their defaults.
const (
	PostgresEnv     = "SCV_TEST_POSTGRES_DSN"
	PostgresDefault = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	MySQLEnv        = "SCV_TEST_MYSQL_DSN"
	MySQLDefault    = "root@tcp(127.0.0.1:3306)/test"
	NATSEnv         = "SCV_TEST_NATS_URL"
	NATSDefault     = "nats://127.0.0.1:4222"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// absent skips t, or fails it under CI=true.
func absent(t testing.TB, service, env, addr string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not reachable at %s (%s): %v; CI=true needs it (.ci/run starts it)", service, addr, env, err)
	}
	t.Skipf("%s is not reachable at %s (set %s to point elsewhere): %v", service, addr, env, err)
}

// Name returns a unique lower-case name with prefix, for a schema,
// database, table or stream.
func Name(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}

// Postgres creates a schema of its own in the test PostgreSQL database and
// returns a DSN whose search_path is that schema, and the schema's name.
func Postgres(t testing.TB) (dsn, schema string) {
	t.Helper()
	base := env(PostgresEnv, PostgresDefault)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		absent(t, "PostgreSQL", PostgresEnv, redact(base), err)
	}
	defer conn.Close(context.Background())
	schema = Name("scv_test")
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" {
		return base + " search_path=" + schema, schema
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), schema
}

// PostgresExec runs statements against dsn.
func PostgresExec(t testing.TB, dsn string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%.200s: %v", s, err)
		}
	}
}

// MySQL creates a database of its own on the test MariaDB server and
// returns a DSN naming it, and the database's name.
func MySQL(t testing.TB) (dsn, db string) {
	t.Helper()
	base := env(MySQLEnv, MySQLDefault)
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		t.Fatalf("%s: %v", MySQLEnv, err)
	}
	cfg.Timeout = 5 * time.Second
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := admin.Ping(); err != nil {
		absent(t, "MariaDB", MySQLEnv, cfg.Addr, err)
	}
	db = Name("scv_test")
	if _, err := admin.Exec("CREATE DATABASE " + db); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			t.Error(err)
			return
		}
		defer a.Close()
		if _, err := a.Exec("DROP DATABASE " + db); err != nil {
			t.Errorf("drop database %s: %v", db, err)
		}
	})
	cfg.DBName = db
	cfg.MultiStatements = false
	return cfg.FormatDSN(), db
}

// MySQLExec runs statements against dsn.
func MySQLExec(t testing.TB, dsn string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%.200s: %v", s, err)
		}
	}
}

// NATS returns the URL of the test NATS server after checking that it
// accepts connections.
func NATS(t testing.TB) string {
	t.Helper()
	u := env(NATSEnv, NATSDefault)
	host := strings.TrimPrefix(strings.TrimPrefix(u, "nats://"), "tls://")
	c, err := net.DialTimeout("tcp", host, 2*time.Second)
	if err != nil {
		absent(t, "NATS", NATSEnv, u, err)
	}
	c.Close()
	return u
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		return u.String()
	}
	return dsn
}
