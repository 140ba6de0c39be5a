// Package jsonl reads a JSON Lines file (one object per line) for package
// connectors. Columns are dotted paths into each object, such as
// "contact.email"; an array gives a list of values (several emails or
// phones); a file whose name ends in ".gz" is gunzipped as it is read.
//
// A line that is not a JSON object is a malformed row, and reading goes
// on; a truncated gzip stream is a read error, so the read is incomplete.
package jsonl

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors/row"
)

// MaxLine bounds one line; a longer line is a malformed row.
const MaxLine = 16 << 20

// Reader reads rows from a JSON Lines input. It is not safe for concurrent use.
type Reader struct {
	closers []io.Closer
	br      *bufio.Reader
	cols    []string
	line    int64
	long    []byte
}

// Open opens the file at src.Path, gunzipping it when its name ends in
// ".gz", with src.Columns() as its columns.
func Open(src config.Source) (*Reader, error) {
	f, err := os.Open(src.Path)
	if err != nil {
		return nil, fmt.Errorf("jsonl: %w", err)
	}
	r := &Reader{closers: []io.Closer{f}, cols: src.Columns()}
	var in io.Reader = f
	if strings.HasSuffix(src.Path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("jsonl %s: gzip: %w", src.Path, err)
		}
		r.closers = append(r.closers, zr)
		in = zr
	}
	r.br = bufio.NewReaderSize(in, 64<<10)
	return r, nil
}

// NewReader returns a Reader over in with the given columns.
func NewReader(in io.Reader, cols []string) *Reader {
	return &Reader{br: bufio.NewReaderSize(in, 64<<10), cols: cols}
}

// Header returns the columns.
func (r *Reader) Header() []string { return r.cols }

// Next returns the next row, io.EOF after the last, or a *row.Error for a
// line that is not a JSON object or holds a value of the wrong type.
// Blank lines are skipped.
func (r *Reader) Next(ctx context.Context) (row.Row, error) {
	for {
		b, tooLong, err := r.readLine()
		if err != nil {
			if err == io.EOF {
				return row.Row{}, io.EOF
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return row.Row{}, fmt.Errorf("jsonl after line %d: the file is truncated: %w", r.line, err)
			}
			return row.Row{}, fmt.Errorf("jsonl after line %d: %w", r.line, err)
		}
		r.line++
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			continue
		}
		if tooLong {
			return row.Row{}, &row.Error{Line: r.line, Raw: row.Truncate(string(b), 0), Err: row.ErrMalformed,
				Reason: fmt.Sprintf("malformed JSON: a line longer than %d bytes", MaxLine)}
		}
		raw := string(b)
		if !utf8.Valid(b) {
			return row.Row{}, &row.Error{Line: r.line, Raw: strings.ToValidUTF8(raw, "\uFFFD"), Err: row.ErrEncoding,
				Reason: "invalid UTF-8"}
		}
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var obj map[string]any
		if err := d.Decode(&obj); err != nil || d.More() || obj == nil {
			why := "not one JSON object"
			var se *json.SyntaxError
			if errors.As(err, &se) {
				why = fmt.Sprintf("%v at byte %d", se, se.Offset)
			} else if errors.Is(err, io.ErrUnexpectedEOF) {
				why = "the object is cut short"
			}
			return row.Row{}, &row.Error{Line: r.line, Raw: raw, Err: row.ErrMalformed,
				Reason: "malformed JSON: " + why}
		}
		return row.FromJSON(obj, r.cols, r.line, raw)
	}
}

// readLine returns the next line, or io.EOF.
func (r *Reader) readLine() ([]byte, bool, error) {
	r.long = r.long[:0]
	tooLong := false
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(r.long)+len(chunk) <= MaxLine {
			r.long = append(r.long, chunk...)
		} else {
			tooLong = true
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF:
			if len(r.long) == 0 && !tooLong {
				return nil, false, io.EOF
			}
			return r.long, tooLong, nil
		case err != nil:
			return nil, false, err
		}
		return r.long, tooLong, nil
	}
}

// Close closes the file and the gzip stream.
func (r *Reader) Close() error {
	var errs []error
	for i := len(r.closers) - 1; i >= 0; i-- {
		errs = append(errs, r.closers[i].Close())
	}
	return errors.Join(errs...)
}
