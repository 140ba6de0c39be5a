// Package csv reads a delimited text file one row at a time for package
// connectors: a header row names the columns, whitespace around headers
// and values is trimmed, a UTF-8 byte order mark is dropped, quoted fields
// may hold delimiters and line breaks, and CRLF line ends are accepted.
//
// Spaces between a quoted field's closing quote and the next delimiter,
// as in `1, "Lee, Ann" , x`, are dropped (for one-byte delimiters), so such
// rows read as their writer meant; the row's raw text lacks those spaces.
//
// A row that cannot be used (a wrong number of columns, invalid UTF-8, a
// stray quote) is returned as a *connectors.RowError carrying its line and
// raw text, and reading goes on with the next row. The file is streamed:
// memory does not grow with its size.
package csv

import (
	"bufio"
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/scvhq/scv/connectors/row"
)

// ErrNoHeader is returned by Open and NewReader for an input without a
// header row.
var ErrNoHeader = errors.New("csv: no header row")

// Options control how a file is read. The zero value reads comma-separated
// values.
type Options struct {
	Delimiter rune // field delimiter; 0 means ','

	// MaxFieldLines and MaxFieldBytes bound one row: a quoted field still
	// open after that many lines or bytes (or at the end of the file), or
	// a line longer than MaxFieldBytes, makes the row's first line a
	// malformed row, and reading goes on with the line after it. 0 means
	// DefaultMaxFieldLines and DefaultMaxFieldBytes.
	MaxFieldLines int
	MaxFieldBytes int
}

// Reader reads rows from a CSV input. It is not safe for concurrent use.
type Reader struct {
	closer io.Closer // the file Open opened; nil for NewReader
	rec    *recorder
	cr     *stdcsv.Reader
	bound  *bounder
	header []string
	off    int64 // input offset where the next row starts

	heldRow row.Row
	heldErr error
	holding bool
}

// Open opens the file at path and reads its header row. The caller must
// Close the Reader.
func Open(path string, opts Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	r, err := NewReader(f, opts)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("csv %s: %w", path, err)
	}
	r.closer = f
	return r, nil
}

var bom = []byte("\ufeff")

// NewReader reads the header row from in and returns a Reader for the
// rows that follow. The caller keeps ownership of in.
func NewReader(in io.Reader, opts Options) (*Reader, error) {
	br := bufio.NewReaderSize(in, 64<<10)
	if b, err := br.Peek(len(bom)); err == nil && bytes.Equal(b, bom) {
		if _, err := br.Discard(len(bom)); err != nil {
			return nil, err
		}
	}
	delim := opts.Delimiter
	if delim == 0 {
		delim = ','
	}
	bound := newBounder(br, opts.MaxFieldLines, opts.MaxFieldBytes)
	var src io.Reader = bound
	if delim < utf8.RuneSelf {
		src = newQuoteSpace(bound, byte(delim))
	}
	rec := &recorder{r: src}
	cr := stdcsv.NewReader(rec)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true // so that `a, "b,c"` is a quoted field after a space
	cr.ReuseRecord = true
	h, err := cr.Read()
	switch {
	case err == io.EOF:
		return nil, ErrNoHeader
	case err != nil:
		return nil, fmt.Errorf("header: %w", err)
	case len(bound.broken) > 0 && bound.broken[0].line == 1:
		return nil, fmt.Errorf("header: %s", bound.broken[0].reason)
	}
	header := make([]string, len(h))
	for i, v := range h {
		v = strings.TrimSpace(v)
		if !utf8.ValidString(v) {
			return nil, fmt.Errorf("header column %d: %w", i+1, row.ErrEncoding)
		}
		header[i] = v
	}
	r := &Reader{rec: rec, cr: cr, bound: bound, header: header, off: cr.InputOffset()}
	rec.drop(r.off)
	return r, nil
}

// Header returns the trimmed column names of the header row. The caller
// must not modify it.
func (r *Reader) Header() []string { return r.header }

// Next returns the next row, io.EOF after the last one, or a
// *connectors.RowError for a row that cannot be used; reading can go on
// after a RowError. Lines holding only whitespace are skipped. Row.Values
// is valid only until the next call of Next.
func (r *Reader) Next() (row.Row, error) {
	if !r.holding {
		r.heldRow, r.heldErr = r.next()
		r.holding = true
	}
	// A line the bounder took out comes before the rows after it.
	if b := r.bound.broken; len(b) > 0 && (r.heldErr == io.EOF || b[0].line < r.heldLine()) {
		r.bound.broken = b[1:]
		return row.Row{}, &row.Error{
			Line:   b[0].line,
			Reason: b[0].reason,
			Raw:    strings.ToValidUTF8(row.Truncate(b[0].raw, 0), "\uFFFD"),
			Err:    row.ErrMalformed,
		}
	}
	r.holding = false
	return r.heldRow, r.heldErr
}

// heldLine is the line of the held row or row error.
func (r *Reader) heldLine() int64 {
	var re *row.Error
	if errors.As(r.heldErr, &re) {
		return re.Line
	}
	return r.heldRow.Line
}

func (r *Reader) next() (row.Row, error) {
	for {
		start := r.off
		vals, err := r.cr.Read()
		r.off = r.cr.InputOffset()
		if err == io.EOF {
			return row.Row{}, io.EOF
		}
		if err != nil {
			var pe *stdcsv.ParseError
			if !errors.As(err, &pe) {
				return row.Row{}, fmt.Errorf("csv: %w", err)
			}
			raw := r.rec.take(start, r.off)
			return row.Row{}, &row.Error{
				Line:   int64(pe.StartLine),
				Reason: fmt.Sprintf("malformed CSV at line %d column %d: %v", pe.Line, pe.Column, pe.Err),
				Raw:    strings.ToValidUTF8(raw, "\uFFFD"),
				Err:    fmt.Errorf("%w: %w", row.ErrMalformed, err),
			}
		}
		raw := r.rec.take(start, r.off)
		line, _ := r.cr.FieldPos(0)
		if len(vals) == 1 && len(r.header) > 1 && strings.TrimSpace(vals[0]) == "" {
			continue
		}
		for i, v := range vals {
			vals[i] = strings.TrimSpace(v)
			if !utf8.ValidString(v) {
				return row.Row{}, &row.Error{
					Line:   int64(line),
					Field:  r.column(i),
					Reason: fmt.Sprintf("invalid UTF-8 in column %d", i+1),
					Raw:    strings.ToValidUTF8(raw, "\uFFFD"),
					Err:    row.ErrEncoding,
				}
			}
		}
		if len(vals) != len(r.header) {
			return row.Row{}, &row.Error{
				Line:   int64(line),
				Reason: fmt.Sprintf("wrong number of columns: %d, the header has %d", len(vals), len(r.header)),
				Raw:    raw,
				Err:    row.ErrColumnCount,
			}
		}
		return row.Row{Line: int64(line), Values: vals, Raw: raw}, nil
	}
}

func (r *Reader) column(i int) string {
	if i < len(r.header) {
		return r.header[i]
	}
	return ""
}

// Close closes the file Open opened; for a Reader from NewReader it does
// nothing.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// recorder keeps the bytes encoding/csv reads, from the start of the
// current row on, so that a row's raw text can be cut out by offset.
type recorder struct {
	r    io.Reader
	buf  []byte // input bytes from offset base on
	base int64
}

func (c *recorder) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.buf = append(c.buf, p[:n]...)
	return n, err
}

// take returns the input between offsets from and to without leading blank
// lines or the final line break, and forgets the input before to.
func (c *recorder) take(from, to int64) string {
	b := c.buf[from-c.base : to-c.base]
	b = bytes.TrimLeft(b, "\r\n")
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	s := string(b)
	c.drop(to)
	return s
}

// drop forgets the input before offset to. It moves the kept bytes to the
// front of the buffer only once the dead part is at least half of it, so
// each byte is moved a bounded number of times.
func (c *recorder) drop(to int64) {
	k := int(to - c.base)
	if 2*k < len(c.buf) {
		return
	}
	n := copy(c.buf, c.buf[k:])
	c.buf = c.buf[:n]
	c.base = to
}
