// Package mysql reads a MySQL or MariaDB table or query for package
// connectors with github.com/go-sql-driver/mysql, in keyset order on
// (updated_at, id):
//
//	SELECT … WHERE updated_at >= ? AND (updated_at > ? OR id > ?) ORDER BY updated_at, id LIMIT n
//
// (the form MariaDB answers from an (updated_at, id) index), so a read
// resumes exactly after the last row it covered and rows sharing a
// timestamp are never skipped. Each row's position is its (updated_at,
// id) pair; the position of a row newer than the server's clock minus the
// source's clock_skew is left empty, so a transaction that commits late
// with an earlier timestamp is still read next time. The session runs in
// UTC and values are read as text; a NULL is an empty value. Rows whose
// updated_at is NULL are not read.
package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors/row"
)

// ErrColumnType is wrapped by Open's error for a column whose type the
// mapping cannot read as text (BLOB, BINARY, BIT, GEOMETRY …) or an
// updated_at column that is not a DATE, DATETIME or TIMESTAMP.
var ErrColumnType = errors.New("unexpected column type")

// Stream reads one source's rows page by page. It is not safe for
// concurrent use.
type Stream struct {
	db       *sql.DB
	conn     *sql.Conn
	cols     []string
	ts, id   int
	sql      string
	first    string
	pageSize int
	horizon  time.Time
	// horizonText is horizon as the server prints timestamps, so rows
	// compare by text without a parse each.
	horizonText string

	total  int64
	after  []string
	rows   *sql.Rows
	inPage int
	done   bool
	line   int64
	raw    []sql.RawBytes
	dest   []any
	vals   []string
	buf    []byte
	beyond bool
}

var textTypes = map[string]bool{
	"CHAR": true, "VARCHAR": true, "TEXT": true, "TINYTEXT": true, "MEDIUMTEXT": true, "LONGTEXT": true,
	"ENUM": true, "SET": true, "JSON": false, "UUID": true, "INET4": true, "INET6": true,
	"TINYINT": true, "SMALLINT": true, "MEDIUMINT": true, "INT": true, "BIGINT": true, "YEAR": true,
	"UNSIGNED TINYINT": true, "UNSIGNED SMALLINT": true, "UNSIGNED MEDIUMINT": true, "UNSIGNED INT": true, "UNSIGNED BIGINT": true,
	"DECIMAL": true, "FLOAT": true, "DOUBLE": true,
	"DATE": true, "DATETIME": true, "TIMESTAMP": true, "TIME": true,
}

// Open connects to src.DSN (a go-sql-driver/mysql DSN such as
// "user:pass@tcp(host:3306)/db"), checks that src's table (or query) has
// the columns the mapping reads with types it can read, and returns a
// Stream positioned after from ("" reads from the start). Errors name the
// cause and never the password.
func Open(ctx context.Context, src config.Source, from string) (*Stream, error) {
	cfg, err := mysql.ParseDSN(src.DSN)
	if err != nil {
		return nil, fmt.Errorf("mysql: the dsn is not a valid DSN such as user:pass@tcp(host:3306)/db: %s", scrub(err.Error(), src.DSN, ""))
	}
	cfg.InterpolateParams = true // text protocol: one round trip per page, values as text
	cfg.ParseTime = false
	cfg.Loc = time.UTC
	cfg.Logger = quiet{} // the driver would print to stderr; errors come back to the caller anyway
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	where := cfg.Addr + "/" + cfg.DBName
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("mysql %s: %s", where, scrub(err.Error(), src.DSN, cfg.Passwd))
	}
	db := sql.OpenDB(conn)
	c, err := db.Conn(ctx)
	if err == nil {
		err = c.PingContext(ctx)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("mysql %s: connect: %s", where, scrub(err.Error(), src.DSN, cfg.Passwd))
	}
	s := &Stream{db: db, conn: c, cols: src.Columns(), pageSize: src.PageSize}
	if s.pageSize <= 0 {
		s.pageSize = config.DefaultDBPageSize
	}
	if err := s.prepare(ctx, src, from); err != nil {
		s.Close()
		return nil, fmt.Errorf("mysql %s: %w", where, scrubErr(err, src.DSN, cfg.Passwd))
	}
	return s, nil
}

func quote(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = "`" + strings.ReplaceAll(p, "`", "``") + "`"
	}
	return strings.Join(parts, ".")
}

func (s *Stream) prepare(ctx context.Context, src config.Source, from string) error {
	base := "(" + src.Query + ") AS q"
	what := "query"
	if src.Table != "" {
		base = quote(src.Table)
		what = fmt.Sprintf("table %q", src.Table)
	}
	sel := make([]string, len(s.cols))
	for i, c := range s.cols {
		sel[i] = quote(c)
		switch c {
		case src.UpdatedAt:
			s.ts = i
		case src.ID:
			s.id = i
		}
	}
	ts, id := sel[s.ts], sel[s.id]
	list := strings.Join(sel, ", ")
	rows, err := s.conn.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s LIMIT 0", list, base))
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	types, err := rows.ColumnTypes()
	rows.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	for i, ct := range types {
		name := ct.DatabaseTypeName()
		if !textTypes[name] {
			return fmt.Errorf("%s: column %q: %w %s; cast it to CHAR in a query", what, s.cols[i], ErrColumnType, name)
		}
		if i == s.ts && name != "DATE" && name != "DATETIME" && name != "TIMESTAMP" {
			return fmt.Errorf("%s: updated_at column %q: %w %s; it must be a DATE, DATETIME or TIMESTAMP", what, s.cols[i], ErrColumnType, name)
		}
	}
	s.first = fmt.Sprintf("SELECT %s FROM %s WHERE %s IS NOT NULL ORDER BY %s, %s LIMIT %d", list, base, ts, ts, id, s.pageSize)
	s.sql = fmt.Sprintf("SELECT %s FROM %s WHERE %s >= ? AND (%s > ? OR %s > ?) ORDER BY %s, %s LIMIT %d",
		list, base, ts, ts, id, ts, id, s.pageSize)
	if from != "" {
		t, i, ok := strings.Cut(from, "|")
		if !ok {
			return fmt.Errorf("checkpoint %q is not an (updated_at, id) position; run scv sync --full", from)
		}
		s.after = []string{t, i}
	}
	var now string
	if err := s.conn.QueryRowContext(ctx, "SELECT UTC_TIMESTAMP(6)").Scan(&now); err != nil {
		return fmt.Errorf("read the clock: %w", err)
	}
	t, _ := parseTime(now)
	s.horizon = t.Add(-src.ClockSkew)
	s.horizonText = s.horizon.UTC().Format(horizonLayout)
	s.raw = make([]sql.RawBytes, len(s.cols))
	s.dest = make([]any, len(s.cols))
	for i := range s.raw {
		s.dest[i] = &s.raw[i]
	}
	s.vals = make([]string, len(s.cols))
	// The number of rows of a full read, for progress. An incremental
	// read skips it: counting may scan the whole table for a few rows.
	if s.after == nil {
		if err := s.conn.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE %s IS NOT NULL", base, ts)).Scan(&s.total); err != nil {
			return fmt.Errorf("%s: count rows: %w", what, err)
		}
	}
	return nil
}

// Total returns how many rows a full read will return, as counted when
// it opened (rows that change meanwhile can make it a little off); 0 for
// an incremental read.
func (s *Stream) Total() int64 { return s.total }

// Header returns the columns read: those src.Columns() names.
func (s *Stream) Header() []string { return s.cols }

// Next returns the next row, or io.EOF after the last one.
func (s *Stream) Next(ctx context.Context) (row.Row, error) {
	for {
		if s.done {
			return row.Row{}, io.EOF
		}
		if s.rows == nil {
			var err error
			if s.after == nil {
				s.rows, err = s.conn.QueryContext(ctx, s.first)
			} else {
				s.rows, err = s.conn.QueryContext(ctx, s.sql, s.after[0], s.after[0], s.after[1])
			}
			if err != nil {
				return row.Row{}, fmt.Errorf("mysql: page after %v: %w", s.after, err)
			}
			s.inPage = 0
		}
		if !s.rows.Next() {
			err := s.rows.Err()
			s.rows.Close()
			s.rows = nil
			if err != nil {
				return row.Row{}, fmt.Errorf("mysql: page after %v: %w", s.after, err)
			}
			if s.inPage < s.pageSize {
				s.done = true
			}
			continue
		}
		if err := s.rows.Scan(s.dest...); err != nil {
			return row.Row{}, fmt.Errorf("mysql: row after %v: %w", s.after, err)
		}
		s.inPage++
		s.line++
		var all string
		s.buf, all = row.Join(s.buf, s.raw, s.vals)
		s.after = []string{s.vals[s.ts], s.vals[s.id]}
		r := row.Row{Line: s.line, Values: s.vals, Raw: all}
		if !s.beyond {
			if settled(s.vals[s.ts], s.horizonText) {
				r.Pos = s.vals[s.ts] + "|" + s.vals[s.id]
			} else {
				s.beyond = true
			}
		}
		return r, nil
	}
}

// Close ends a page in flight and closes the connection.
func (s *Stream) Close() error {
	if s.rows != nil {
		s.rows.Close()
	}
	if s.conn != nil {
		s.conn.Close()
	}
	return s.db.Close()
}

// quiet is a mysql.Logger that prints nothing.
type quiet struct{}

func (quiet) Print(...any) {}

// horizonLayout prints a time as the server prints timestamps in UTC.
const horizonLayout = "2006-01-02 15:04:05.000000"

// settled reports whether a timestamp the server printed (date, or date
// and time with an optional fraction) is at or before the horizon; text
// compares as time for these fixed-width forms. A value it cannot order
// counts as not settled, which only keeps the checkpoint behind it.
func settled(ts, horizon string) bool {
	if len(ts) < 10 || ts[4] != '-' {
		return false
	}
	return ts <= horizon
}

func parseTime(v string) (time.Time, bool) {
	for _, l := range []string{"2006-01-02 15:04:05", time.DateOnly} {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// scrubErr is err, or when its text holds the password a plain error
// with the password masked.
func scrubErr(err error, dsn, pass string) error {
	if msg := scrub(err.Error(), dsn, pass); msg != err.Error() {
		return errors.New(msg)
	}
	return err
}

// scrub masks the password in msg; the driver's messages normally hold
// none, but a DSN echoed back could.
func scrub(msg, dsn, pass string) string {
	if pass == "" {
		if u, _, ok := strings.Cut(dsn, "@"); ok {
			if _, pw, ok := strings.Cut(u, ":"); ok {
				pass = pw
			}
		}
	}
	if pass != "" {
		msg = strings.ReplaceAll(msg, pass, "xxxxx")
	}
	return msg
}
