package connectors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/hashicorp/go-hclog"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors/row"
	"github.com/scvhq/scv/customer"
)

// Stream is the source contract every per-kind connector meets: the
// column names once, then rows in source order, each with the checkpoint
// position that covers it when the source has one. Next returns io.EOF
// after the last row, a *RowError for a row that cannot be used (reading
// goes on), and any other error for a read that cannot go on, such as a
// lost connection. Next returns ctx's error soon after ctx ends; Close
// releases the connection or file and may be called after any error.
type Stream interface {
	Header() []string
	Next(ctx context.Context) (Row, error)
	Close() error
}

// Committer is a Stream that must hear when the rows up to a position are
// stored, such as a NATS consumer that acks its messages only then.
type Committer interface {
	Commit(ctx context.Context, pos string) error
}

// Finisher is a Stream whose position only holds once every row is read,
// such as an HTTP API read in no particular order: Final returns it after
// Next has returned io.EOF, and "" before.
type Finisher interface {
	Final() string
}

// Sizer is a Stream that knows how many rows it will return, for
// progress (the database sources count them when they open).
type Sizer interface {
	Total() int64
}

// ErrIncomplete is wrapped by Stats.Incomplete's reason: the read did not
// see the whole source, so records missing from it are not gone.
var ErrIncomplete = errors.New("incomplete snapshot")

// Options control Open. The zero value reads a source from its start.
type Options struct {
	From   string       // checkpoint to resume after; "" reads from the start
	Follow bool         // a stream (NATS) waits for new messages instead of ending once caught up
	Logger hclog.Logger // nil means hclog.NewNullLogger()
}

// Reader maps the rows of one open Stream onto records.
type Reader struct {
	src    config.Source
	s      Stream
	m      *Mapping
	dedupe bool // snapshot sources: a repeated id is a bad row
	pos    string
}

// Open opens src by its type and compiles its mapping against the
// stream's header. The caller must Close the Reader.
func Open(ctx context.Context, src config.Source, opts Options) (*Reader, error) {
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	s, err := openStream(ctx, src, opts)
	if err != nil {
		return nil, err
	}
	m, err := NewMapping(src, s.Header())
	if err != nil {
		s.Close()
		return nil, err
	}
	return &Reader{
		src: src, s: s, m: m, pos: opts.From,
		dedupe: slices.Contains([]string{"csv", "jsonl", "http"}, src.Type),
	}, nil
}

// Position returns the checkpoint that covers every row Read has handed
// out so far; it is opts.From until a row advances it. For a Finisher it
// is the stream's final position once Read has reached the end.
func (r *Reader) Position() string { return r.pos }

// Commit tells the stream that everything up to pos is stored; only a
// Committer (NATS) does anything with it.
func (r *Reader) Commit(ctx context.Context, pos string) error {
	if c, ok := r.s.(Committer); ok && pos != "" {
		if err := c.Commit(ctx, pos); err != nil {
			return fmt.Errorf("source %q: commit: %w", r.src.Name, err)
		}
	}
	return nil
}

// Close closes the stream.
func (r *Reader) Close() error { return r.s.Close() }

// Total returns how many rows the read will return, or 0 when the
// source cannot tell.
func (r *Reader) Total() int64 {
	if sz, ok := r.s.(Sizer); ok {
		return sz.Total()
	}
	return 0
}

// Read maps every row to a record and streams the records to emit in
// source order, with the position that covers the record (the latest
// position seen; it may be "" or unchanged for sources without one). A
// row that cannot become a record goes to bad with its Source set, and
// reading goes on; a nil bad makes such a row end the read with its
// *RowError. An error from emit or bad, a read error, or ctx ending stops
// the read and is returned wrapped with the source and row.
//
// A row the stream could not split from its neighbours (a malformed row,
// a wrong number of columns, invalid UTF-8) or with a value of a type the
// mapping cannot read sets Stats.Incomplete: the caller then must not
// take records missing from this read as deleted.
func (r *Reader) Read(ctx context.Context, emit func(rec customer.Record, pos string) error, bad func(*RowError) error) (Stats, error) {
	var st Stats
	src := r.src
	var firstSeen map[string]int64
	if r.dedupe {
		firstSeen = make(map[string]int64)
	}
	for {
		if st.Rows%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return st, fmt.Errorf("source %q: %w", src.Name, err)
			}
		}
		rw, err := r.s.Next(ctx)
		if err == io.EOF {
			if f, ok := r.s.(Finisher); ok {
				if p := f.Final(); p != "" {
					r.pos = p
				}
			}
			return st, nil
		}
		var rerr *RowError
		if err != nil && !errors.As(err, &rerr) {
			if ctx.Err() != nil {
				return st, fmt.Errorf("source %q: %w", src.Name, ctx.Err())
			}
			return st, fmt.Errorf("source %q after row %d: %w", src.Name, st.Rows, err)
		}
		st.Rows++
		if rw.Pos != "" {
			r.pos = rw.Pos
		}
		var rec customer.Record
		var badTime bool
		if rerr == nil {
			rec, badTime, err = r.m.record(rw)
			if err != nil && !errors.As(err, &rerr) {
				return st, fmt.Errorf("source %q row %d: %w", src.Name, rw.Line, err)
			}
		}
		if rerr == nil && firstSeen != nil {
			if first, dup := firstSeen[rec.ID]; dup {
				rerr = &RowError{
					Line: rw.Line, Field: src.ID, Raw: rw.Raw, Err: ErrDuplicateID,
					Reason: fmt.Sprintf("duplicate id, first seen at row %d", first),
				}
			} else {
				firstSeen[rec.ID] = rw.Line
			}
		}
		if rerr != nil {
			rerr.Source = src.Name
			rerr.Raw = row.Truncate(rerr.Raw, src.MaxValue)
			if st.Incomplete == "" && structural(rerr) {
				st.Incomplete = fmt.Sprintf("row %d: %s", rerr.Line, rerr.Reason)
			}
			st.Quarantined++
			if bad == nil {
				return st, rerr
			}
			if err := bad(rerr); err != nil {
				return st, fmt.Errorf("source %q row %d: quarantine: %w", src.Name, rerr.Line, err)
			}
			continue
		}
		if badTime {
			st.BadUpdatedAt++
		}
		st.Records++
		if err := emit(rec, r.pos); err != nil {
			return st, fmt.Errorf("source %q row %d: %w", src.Name, rw.Line, err)
		}
	}
}

// structural reports whether a bad row may hide other rows or a record
// that is still in the source: a row that could not be split from its
// neighbours, or one whose id was read but a value was not.
func structural(e *RowError) bool {
	return errors.Is(e, ErrMalformed) || errors.Is(e, ErrColumnCount) || errors.Is(e, ErrEncoding) || errors.Is(e, ErrType)
}
