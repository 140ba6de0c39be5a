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
}

// rowReader is what Read needs of a per-kind reader such as *csv.Reader.
type rowReader interface {
	Header() []string
	Next() (Row, error)
	Close() error
}

// checkEvery is how many rows Read handles between looks at its context.
const checkEvery = 1024

// Read opens src by its type, maps every row to a record and streams the
// records to emit in source order. A row that cannot become a record,
// including a row whose id an earlier row of this read already had
// ("duplicate id, first seen at row N"), goes to bad with its Source set,
// and reading goes on; a nil bad makes such a row end the read with its
// *RowError. An error from emit or bad, a read error, or ctx ending stops
// the read and is returned wrapped with the source and row.
func Read(ctx context.Context, src config.Source, emit func(customer.Record) error, bad func(*RowError) error) (Stats, error) {
	var st Stats
	rd, err := open(src)
	if err != nil {
		return st, err
	}
	defer rd.Close()
	m, err := NewMapping(src, rd.Header())
	if err != nil {
		return st, err
	}
	firstSeen := make(map[string]int64)
	for {
		if st.Rows%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return st, fmt.Errorf("source %q: %w", src.Name, err)
			}
		}
		r, err := rd.Next()
		if err == io.EOF {
			return st, nil
		}
		var rerr *RowError
		if err != nil && !errors.As(err, &rerr) {
			return st, fmt.Errorf("source %q after row %d: %w", src.Name, st.Rows, err)
		}
		st.Rows++
		var rec customer.Record
		var badTime bool
		if rerr == nil {
			rec, badTime, err = m.record(r)
			if err != nil && !errors.As(err, &rerr) {
				return st, fmt.Errorf("source %q row %d: %w", src.Name, r.Line, err)
			}
		}
		if rerr == nil {
			if first, dup := firstSeen[rec.ID]; dup {
				rerr = &RowError{
					Line: r.Line, Field: src.ID, Raw: r.Raw, Err: ErrDuplicateID,
					Reason: fmt.Sprintf("duplicate id, first seen at row %d", first),
				}
			} else {
				firstSeen[rec.ID] = r.Line
			}
		}
		if rerr != nil {
			rerr.Source = src.Name
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
		if err := emit(rec); err != nil {
			return st, fmt.Errorf("source %q row %d: %w", src.Name, r.Line, err)
		}
	}
}

// open opens a source's reader by its type.
func open(src config.Source) (rowReader, error) {
	switch src.Type {
	case "csv":
		var opts csv.Options
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
		return r, nil
	}
	return nil, fmt.Errorf("source %q: %w %q", src.Name, ErrUnknownType, src.Type)
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
