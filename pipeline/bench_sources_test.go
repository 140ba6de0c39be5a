package pipeline

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

// benchRows is the table size of the database benchmarks:
// SCV_BENCH_ROWS, or 100,000 (scripts/bench.sh sets 1,000,000).
func benchRows(b *testing.B) int {
	if v := os.Getenv("SCV_BENCH_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 100000
}

// fillStatements return the statements that fill customers with n rows
// of distinct people, for each database.
var fillStatements = map[string]func(n int) string{
	"postgres": func(n int) string {
		return fmt.Sprintf(`INSERT INTO customers (id, first_name, last_name, email, updated_at)
			SELECT i, (ARRAY['Ann','Bob','Cat','Dan','Eve','Fay','Gus','Hal','Ivy','Jon'])[1 + i %% 10] || chr(97 + (i / 10) %% 26),
			 'Lee' || (i / 260), 'user' || i || '@example.com', timestamptz '2024-01-01' + i * interval '1 second'
			FROM generate_series(1, %d) AS i`, n)
	},
	"mysql": func(n int) string {
		return fmt.Sprintf(`INSERT INTO customers (id, first_name, last_name, email, updated_at)
			SELECT seq, CONCAT(ELT(1 + seq %% 10, 'Ann','Bob','Cat','Dan','Eve','Fay','Gus','Hal','Ivy','Jon'), CHAR(97 + (seq DIV 10) %% 26)),
			 CONCAT('Lee', seq DIV 260), CONCAT('user', seq, '@example.com'), TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq SECOND
			FROM seq_1_to_%d`, n)
	},
}

// BenchmarkDatabasePull reads a whole table of benchRows rows into an
// empty store (read, map, normalize, store; no resolution) and reports
// rows/s; then five incremental polls that each find 100 changed rows in
// the table, reporting the median and the slowest.
func BenchmarkDatabasePull(b *testing.B) {
	for _, k := range dbKinds {
		b.Run(k.name, func(b *testing.B) {
			n := benchRows(b)
			dsn := k.dsn(b)
			b.Setenv("SCV_TEST_PIPELINE_DSN", dsn)
			k.exec(b, dsn, k.create, fillStatements[k.name](n))
			b.ReportAllocs()
			b.ResetTimer()
			var took time.Duration
			for i := range b.N {
				b.StopTimer()
				dir := b.TempDir()
				writeB(b, dir, "scv.hcl", benchConfig(k.name))
				p := open(b, dir)
				src := p.cfg.Sources[0]
				b.StartTimer()
				start := time.Now()
				s, err := p.SyncSource(context.Background(), src)
				took += time.Since(start)
				if err != nil || s.Read != n {
					b.Fatalf("read %d of %d rows: %v", s.Read, n, err)
				}
				if i == b.N-1 {
					b.StopTimer()
					b.ReportMetric(float64(n)*float64(b.N)/took.Seconds(), "rows/s")
					var polls []time.Duration
					for round := range 5 {
						polls = append(polls, pollOnce(b, p, k, dsn, n, round))
					}
					slices.Sort(polls)
					b.ReportMetric(float64(polls[2].Microseconds())/1000, "ms/poll-p50")
					b.ReportMetric(float64(polls[4].Microseconds())/1000, "ms/poll-max")
				}
			}
		})
	}
}

// pollOnce changes 100 rows of the table (a different 100 each round)
// and times one incremental sync of the source, which must read exactly
// those.
func pollOnce(b *testing.B, p *testPipeline, k dbKind, dsn string, n, round int) time.Duration {
	b.Helper()
	stmt := `UPDATE customers SET email = CONCAT('new', email), updated_at = '2025-06-0%d 00:00:00' WHERE id %% %d = %d`
	if k.name == "postgres" {
		stmt = `UPDATE customers SET email = 'new' || email, updated_at = '2025-06-0%d 00:00:00' WHERE id %% %d = %d`
	}
	k.exec(b, dsn, fmt.Sprintf(stmt, round+1, n/100, round))
	start := time.Now()
	s, err := p.SyncSource(context.Background(), p.cfg.Sources[0])
	took := time.Since(start)
	if err != nil || s.Read != 100 || s.Updated != 100 {
		b.Fatalf("poll: read %d updated %d: %v", s.Read, s.Updated, err)
	}
	return took
}

func benchConfig(kind string) string {
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
  default_country = "GB"
  map {
    given_name  = "first_name"
    family_name = "last_name"
    email       = "email"
  }
}
`
}

func writeB(b *testing.B, dir, name, content string) {
	b.Helper()
	if err := os.WriteFile(dir+"/"+name, []byte(content), 0o644); err != nil {
		b.Fatal(err)
	}
}
