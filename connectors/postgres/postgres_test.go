package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors/postgres"
	"github.com/scvhq/scv/internal/servicetest"
)

func source(dsn string) config.Source {
	return config.Source{
		Name: "shop", Type: "postgres", DSN: dsn, Table: "customers", ID: "id", UpdatedAt: "updated_at",
		Deleted: "deleted_at", Map: map[string][]string{"given_name": {"first_name"}, "email": {"email"}},
		PageSize: 2,
	}
}

const schema = `CREATE TABLE customers (
	id bigint PRIMARY KEY,
	first_name text,
	email varchar(200),
	updated_at timestamptz NOT NULL,
	deleted_at timestamptz,
	photo bytea
)`

// readAll reads every row of s as "id pos".
func readAll(t *testing.T, s *postgres.Stream) []string {
	t.Helper()
	var out []string
	for {
		r, err := s.Next(context.Background())
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r.Values[0]+" "+r.Pos)
	}
}

func TestKeysetPages(t *testing.T) {
	dsn, _ := servicetest.Postgres(t)
	servicetest.PostgresExec(t, dsn, schema,
		`INSERT INTO customers (id, first_name, email, updated_at) VALUES
		 (3, 'Cy', NULL, '2024-01-01 10:00:00+00'),
		 (1, 'Ann', 'ann@example.com', '2024-01-01 10:00:00+00'),
		 (2, 'Bob', 'bob@example.com', '2024-01-01 10:00:00+00'),
		 (4, NULL, NULL, '2024-01-02 10:00:00.123456+00')`)
	ctx := context.Background()
	s, err := postgres.Open(ctx, source(dsn), "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Total() != 4 {
		t.Errorf("Total = %d, want 4", s.Total())
	}
	got := readAll(t, s)
	s.Close()
	want := []string{
		"1 2024-01-01 10:00:00+00|1", "2 2024-01-01 10:00:00+00|2",
		"3 2024-01-01 10:00:00+00|3", "4 2024-01-02 10:00:00.123456+00|4",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("rows\n got %q\nwant %q", got, want)
	}
	// Equal timestamps: resuming after row 2 reads row 3, which shares its
	// timestamp, then a row updated since.
	servicetest.PostgresExec(t, dsn, `UPDATE customers SET first_name = 'Annie', updated_at = '2024-01-03 00:00:00+00' WHERE id = 1`)
	s, err = postgres.Open(ctx, source(dsn), "2024-01-01 10:00:00+00|2")
	if err != nil {
		t.Fatal(err)
	}
	if s.Total() != 0 {
		t.Errorf("Total after a checkpoint = %d, want 0 (not counted)", s.Total())
	}
	got = readAll(t, s)
	s.Close()
	want = []string{"3 2024-01-01 10:00:00+00|3", "4 2024-01-02 10:00:00.123456+00|4", "1 2024-01-03 00:00:00+00|1"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("resumed rows\n got %q\nwant %q", got, want)
	}
}

func TestQuery(t *testing.T) {
	dsn, _ := servicetest.Postgres(t)
	servicetest.PostgresExec(t, dsn, schema,
		`INSERT INTO customers (id, first_name, email, updated_at) VALUES (1, 'Ann', NULL, '2024-01-01 10:00:00+00'), (2, 'Bob', NULL, '2024-01-01 10:00:00+00'), (3, 'Cy', NULL, '2024-01-01 10:00:00+00')`)
	src := source(dsn)
	src.Table, src.Query = "", "SELECT id, first_name, email, updated_at, deleted_at FROM customers WHERE id > 1"
	s, err := postgres.Open(context.Background(), src, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := readAll(t, s); len(got) != 2 || !strings.HasPrefix(got[0], "2 ") || !strings.HasPrefix(got[1], "3 ") {
		t.Errorf("rows of the query: %q, want ids 2 and 3", got)
	}
}

func TestRecentRowsLeaveThePositionBehind(t *testing.T) {
	dsn, _ := servicetest.Postgres(t)
	servicetest.PostgresExec(t, dsn, schema,
		`INSERT INTO customers (id, first_name, updated_at) VALUES (1, 'Ann', '2024-01-01 00:00:00+00'), (2, 'Bob', now())`)
	src := source(dsn)
	src.ClockSkew = 60e9
	s, err := postgres.Open(context.Background(), src, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := readAll(t, s)
	if len(got) != 2 || got[0] != "1 2024-01-01 00:00:00+00|1" || got[1] != "2 " {
		t.Errorf("rows %q: want row 2, newer than now - clock_skew, without a position", got)
	}
}

func TestOpenErrors(t *testing.T) {
	dsn, _ := servicetest.Postgres(t)
	servicetest.PostgresExec(t, dsn, schema)
	for _, tt := range []struct {
		name      string
		configure func(*config.Source)
		want      string
		is        error
	}{
		{"missing table", func(s *config.Source) { s.Table = "nope" }, `table "nope": relation "nope" does not exist (SQLSTATE 42P01)`, nil},
		{"missing column", func(s *config.Source) { s.Map["family_name"] = []string{"surname"} }, `column "surname" does not exist (SQLSTATE 42703)`, nil},
		{"unreadable type", func(s *config.Source) { s.Map["full_name"] = []string{"photo"} }, `column "photo": unexpected column type bytea; cast it to text in a query`, postgres.ErrColumnType},
		{"updated_at not a time", func(s *config.Source) { s.UpdatedAt = "first_name" }, `updated_at column "first_name": unexpected column type text`, postgres.ErrColumnType},
		{"unreachable host", func(s *config.Source) { s.DSN = "postgres://u:s3cret@127.0.0.1:1/db?connect_timeout=2" }, "127.0.0.1:1/db: connect:", nil},
		{"bad dsn", func(s *config.Source) { s.DSN = "postgres://u:s3cret@host:notaport/db" }, "the dsn is not a valid connection string", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := source(dsn)
			tt.configure(&src)
			_, err := postgres.Open(context.Background(), src, "")
			if err == nil {
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q, want it to hold %q and no password", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
}

func BenchmarkNext(b *testing.B) {
	dsn, _ := servicetest.Postgres(b)
	servicetest.PostgresExec(b, dsn, schema,
		`INSERT INTO customers (id, first_name, email, updated_at)
		 SELECT i, 'name' || i, 'user' || i || '@example.com', '2024-01-01'::timestamptz + i * interval '1 second'
		 FROM generate_series(1, 100000) AS i`)
	src := source(dsn)
	src.PageSize = 10000
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for n < b.N {
		s, err := postgres.Open(context.Background(), src, "")
		if err != nil {
			b.Fatal(err)
		}
		for n < b.N {
			if _, err := s.Next(context.Background()); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			n++
		}
		s.Close()
	}
}
