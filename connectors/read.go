package connectors

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors/csv"
	"github.com/scvhq/scv/connectors/httpapi"
	"github.com/scvhq/scv/connectors/jsonl"
	"github.com/scvhq/scv/connectors/mysql"
	"github.com/scvhq/scv/connectors/nats"
	"github.com/scvhq/scv/connectors/postgres"
	"github.com/scvhq/scv/customer"
)

// ErrUnknownType is returned by Read for a source type without a connector.
var ErrUnknownType = errors.New("unknown source type")

// Stats counts what one Read saw. Rows = Records + Quarantined.
type Stats struct {
	Rows         int64 // data rows read, header excluded
	Records      int64 // records passed to emit
	Quarantined  int64 // rows passed to bad
	BadUpdatedAt int64 // records whose updated_at value did not parse; they carry a zero UpdatedAt

	// Incomplete says why the read may have missed rows (the first row
	// that could not be split from its neighbours); empty when it saw the
	// whole source. Records missing from an incomplete read are not gone.
	Incomplete string
}

// checkEvery is how many rows Read handles between looks at its context.
const checkEvery = 1024

// Read opens src by its type, maps every row to a record and streams the
// records to emit in source order; see Reader.Read. It reads the whole
// source from its start.
func Read(ctx context.Context, src config.Source, emit func(customer.Record) error, bad func(*RowError) error) (Stats, error) {
	r, err := Open(ctx, src, Options{})
	if err != nil {
		return Stats{}, err
	}
	defer r.Close()
	return r.Read(ctx, func(rec customer.Record, _ string) error { return emit(rec) }, bad)
}

// openStream opens a source's stream by its type.
func openStream(ctx context.Context, src config.Source, opts Options) (Stream, error) {
	var s Stream
	var err error
	switch src.Type {
	case "csv":
		return openCSV(src)
	case "jsonl":
		s, err = jsonl.Open(src)
	case "postgres":
		s, err = postgres.Open(ctx, src, opts.From)
	case "mysql":
		s, err = mysql.Open(ctx, src, opts.From)
	case "http":
		s, err = httpapi.Open(ctx, src, opts.From, httpapi.Options{Logger: opts.Logger.Named("http")})
	case "nats":
		s, err = nats.Open(ctx, src, opts.From, nats.Options{Follow: opts.Follow})
	default:
		return nil, fmt.Errorf("source %q: %w %q", src.Name, ErrUnknownType, src.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("source %q: %w", src.Name, err)
	}
	return s, nil
}

// csvStream adapts a *csv.Reader to Stream.
type csvStream struct{ *csv.Reader }

func (c csvStream) Next(context.Context) (Row, error) { return c.Reader.Next() }

func openCSV(src config.Source) (Stream, error) {
	opts := csv.Options{MaxFieldLines: src.MaxFieldLines, MaxFieldBytes: src.MaxFieldBytes}
	if src.Delimiter != "" {
		d, size := utf8.DecodeRuneInString(src.Delimiter)
		if size != len(src.Delimiter) {
			return nil, fmt.Errorf("source %q: delimiter %q is not one character", src.Name, src.Delimiter)
		}
		opts.Delimiter = d
	}
	r, err := csv.Open(src.Path, opts)
	if err != nil {
		return nil, fmt.Errorf("source %q: %w", src.Name, err)
	}
	return csvStream{r}, nil
}

// Fingerprint identifies the content of the snapshot file at path, so the
// pipeline can skip a file that has not changed since its last sync. It is
// the file's size and the SHA-256 of its content, read as a stream. The
// modification time is left out on purpose: a file copied or touched
// without a change keeps its fingerprint.
func Fingerprint(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("fingerprint: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", fmt.Errorf("fingerprint %s: %w", path, err)
	}
	return fmt.Sprintf("size=%d sha256=%x", n, h.Sum(nil)), nil
}
