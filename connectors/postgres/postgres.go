// Package postgres reads a PostgreSQL table or query for package
// connectors with github.com/jackc/pgx/v5, in keyset order:
//
//	SELECT … WHERE (updated_at, id) > ($1, $2) ORDER BY updated_at, id LIMIT n
//
// so a read resumes exactly after the last row it covered, and rows that
// share a timestamp are never skipped. Each row's position is its
// (updated_at, id) pair; the position of a row newer than the database's
// clock minus the source's clock_skew is left empty, so a transaction
// that commits late with an earlier timestamp is still read next time.
// Values are read in PostgreSQL's text form; a NULL is an empty value.
// Rows whose updated_at is NULL are not read.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors/row"
)

// ErrColumnType is wrapped by Open's error for a column whose type the
// mapping cannot read as text (bytea, json, arrays …) or an updated_at
// column that is not a date or timestamp.
var ErrColumnType = errors.New("unexpected column type")

// Stream reads one source's rows page by page. It is not safe for
// concurrent use.
type Stream struct {
	conn     *pgx.Conn
	cols     []string
	ts, id   int // indexes of updated_at and id in cols
	sql      string
	first    string // the first page's query, when reading from the start
	pageSize int
	horizon  time.Time
	// horizonText is horizon as the server prints timestamps, so rows
	// compare by text without a parse each.
	horizonText string
	skew        time.Duration

	total  int64
	after  []string // (updated_at, id) of the last row read, as text; nil before any
	rows   pgx.Rows
	inPage int
	done   bool
	line   int64
	vals   []string
	buf    []byte
	beyond bool // a row past the horizon was seen: later rows leave Pos empty
}

// The types read as text, by OID; updated_at must be one of the last three.
var textTypes = map[uint32]string{
	16: "boolean", 18: "char", 19: "name", 20: "bigint", 21: "smallint", 23: "integer", 25: "text",
	700: "real", 701: "double precision", 1042: "character", 1043: "character varying",
	1700: "numeric", 2950: "uuid",
	1082: "date", 1114: "timestamp", 1184: "timestamptz",
}

// Open connects to src.DSN, checks that src's table (or query) has the
// columns the mapping reads with types it can read, and returns a Stream
// positioned after from ("" reads from the start). Errors name the cause
// and never the password.
func Open(ctx context.Context, src config.Source, from string) (*Stream, error) {
	cfg, err := pgx.ParseConfig(src.DSN)
	if err != nil {
		return nil, fmt.Errorf("postgres: the dsn is not a valid connection string: %s", scrub(err, src.DSN))
	}
	cfg.RuntimeParams["TimeZone"] = "UTC"
	cfg.RuntimeParams["application_name"] = "scv"
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	where := fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres %s: connect: %s", where, scrub(cause(err), src.DSN))
	}
	s := &Stream{conn: conn, cols: src.Columns(), pageSize: src.PageSize, skew: src.ClockSkew}
	if s.pageSize <= 0 {
		s.pageSize = config.DefaultDBPageSize
	}
	if err := s.prepare(ctx, src, from); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("postgres %s: %w", where, err)
	}
	return s, nil
}

func (s *Stream) prepare(ctx context.Context, src config.Source, from string) error {
	base := "(" + src.Query + ") AS q"
	what := "query"
	if src.Table != "" {
		base = quoteTable(src.Table)
		what = fmt.Sprintf("table %q", src.Table)
	}
	sel := make([]string, len(s.cols))
	for i, c := range s.cols {
		sel[i] = pgx.Identifier{c}.Sanitize()
		switch c {
		case src.UpdatedAt:
			s.ts = i
		case src.ID:
			s.id = i
		}
	}
	ts, id := sel[s.ts], sel[s.id]
	list := strings.Join(sel, ", ")
	probe := fmt.Sprintf("SELECT %s FROM %s LIMIT 0", list, base)
	rows, err := s.conn.Query(ctx, probe)
	if err == nil {
		rows.Close()
		err = rows.Err()
	}
	if err != nil {
		return fmt.Errorf("%s: %s", what, cause(err))
	}
	for i, fd := range rows.FieldDescriptions() {
		name, ok := textTypes[fd.DataTypeOID]
		if !ok {
			name = fmt.Sprintf("oid %d", fd.DataTypeOID)
			if t, found := s.conn.TypeMap().TypeForOID(fd.DataTypeOID); found {
				name = t.Name
			}
			return fmt.Errorf("%s: column %q: %w %s; cast it to text in a query", what, s.cols[i], ErrColumnType, name)
		}
		if i == s.ts && fd.DataTypeOID != 1082 && fd.DataTypeOID != 1114 && fd.DataTypeOID != 1184 {
			return fmt.Errorf("%s: updated_at column %q: %w %s; it must be a date or timestamp", what, s.cols[i], ErrColumnType, name)
		}
	}
	s.first = fmt.Sprintf("SELECT %s FROM %s WHERE %s IS NOT NULL ORDER BY %s, %s LIMIT %d", list, base, ts, ts, id, s.pageSize)
	s.sql = fmt.Sprintf("SELECT %s FROM %s WHERE (%s, %s) > ($1, $2) ORDER BY %s, %s LIMIT %d", list, base, ts, id, ts, id, s.pageSize)
	if from != "" {
		t, i, ok := strings.Cut(from, "|")
		if !ok {
			return fmt.Errorf("checkpoint %q is not an (updated_at, id) position; run scv sync --full", from)
		}
		s.after = []string{t, i}
	}
	var now time.Time
	if err := s.conn.QueryRow(ctx, "SELECT now()").Scan(&now); err != nil {
		return fmt.Errorf("read the clock: %s", cause(err))
	}
	s.horizon = now.Add(-s.skew)
	s.horizonText = s.horizon.UTC().Format(horizonLayout)
	s.vals = make([]string, len(s.cols))
	// The number of rows of a full read, for progress. An incremental
	// read skips it: the planner may scan the whole table to count a
	// few rows, which would cost more than the read.
	if s.after == nil {
		if err := s.conn.QueryRow(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE %s IS NOT NULL", base, ts)).Scan(&s.total); err != nil {
			return fmt.Errorf("%s: count rows: %s", what, cause(err))
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
				s.rows, err = s.conn.Query(ctx, s.first)
			} else {
				s.rows, err = s.conn.Query(ctx, s.sql, s.after[0], s.after[1])
			}
			if err != nil {
				return row.Row{}, fmt.Errorf("postgres: page after %v: %s", s.after, cause(err))
			}
			s.inPage = 0
		}
		if !s.rows.Next() {
			s.rows.Close()
			err := s.rows.Err()
			s.rows = nil
			if err != nil {
				return row.Row{}, fmt.Errorf("postgres: page after %v: %s", s.after, cause(err))
			}
			if s.inPage < s.pageSize {
				s.done = true
			}
			continue
		}
		s.inPage++
		s.line++
		raw := s.rows.RawValues()
		var all string
		s.buf, all = row.Join(s.buf, raw, s.vals)
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
	return s.conn.Close(context.Background())
}

// horizonLayout prints a time as the server prints timestamps in UTC,
// less any zone suffix.
const horizonLayout = "2006-01-02 15:04:05.000000"

// settled reports whether a timestamp the server printed (date, date and
// time, with optional fraction and zone suffix such as "+00") is at or
// before the horizon. Text compares as time here: at each position the
// digits agree in place, and a shorter or zone-suffixed value sorts before
// a longer fraction ('+' and end of text before '.'). A value it cannot
// order (a year before 1000, "infinity") counts as not settled, which
// only keeps the checkpoint behind it.
func settled(ts, horizon string) bool {
	if len(ts) < 10 || ts[4] != '-' {
		return false
	}
	if len(ts) > 19 && ts[19] == '.' {
		end := 20
		for end < len(ts) && ts[end] >= '0' && ts[end] <= '9' {
			end++
		}
		ts = ts[:end]
	} else if len(ts) > 19 {
		ts = ts[:19]
	}
	return ts <= horizon
}

// quoteTable quotes a table name, with an optional schema before a dot.
func quoteTable(t string) string {
	return pgx.Identifier(strings.Split(t, ".")).Sanitize()
}

// cause returns the server's message for a PostgreSQL error (with its
// SQLSTATE), and the error itself otherwise.
func cause(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s (SQLSTATE %s)", pe.Message, pe.Code)
	}
	return err
}

// scrub returns err's text with the password of dsn, if any, masked.
func scrub(err error, dsn string) string {
	msg := err.Error()
	if cfg, perr := pgconn.ParseConfig(dsn); perr == nil && cfg.Password != "" {
		msg = strings.ReplaceAll(msg, cfg.Password, "xxxxx")
	}
	return msg
}
