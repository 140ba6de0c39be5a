// Package row holds the raw row and the row error that package connectors
// and its per-kind readers (connectors/csv, …) share. It exists so that
// connectors can open its readers without an import cycle; use the types
// as connectors.Row and connectors.RowError.
package row

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Row is one raw row read from a source.
type Row struct {
	Line   int64    // 1-based physical line (or row number) where the row starts, for reports
	Values []string // one trimmed value per header column
	Raw    string   // the row as read, without its line break, for quarantine

	// Lists holds, for a column whose value was a list (a JSON array),
	// its elements; nil for sources without lists. Values then holds the
	// first element.
	Lists [][]string
	// Deleted marks a row that deletes its record (a NATS delete message).
	Deleted bool
	// Pos is the checkpoint that covers this row and every row before it,
	// for sources read in checkpoint order (databases, streams); empty
	// when the row alone cannot advance the checkpoint.
	Pos string
}

// The kinds of row problems; an *Error wraps one of them.
var (
	// ErrColumnCount: the row has more or fewer values than the header.
	ErrColumnCount = errors.New("wrong number of columns")
	// ErrEncoding: the row is not valid UTF-8.
	ErrEncoding = errors.New("invalid UTF-8")
	// ErrMalformed: the row breaks the file format, such as a stray quote.
	ErrMalformed = errors.New("malformed row")
	// ErrNoID: the row's id column is empty.
	ErrNoID = errors.New("no record id")
	// ErrDuplicateID: an earlier row of the same read has the same id.
	ErrDuplicateID = errors.New("duplicate id")
	// ErrType: a value has a type the mapping cannot read, such as an
	// object where a name was expected.
	ErrType = errors.New("unreadable value")
)

// MaxRaw bounds Error.Raw: a longer raw row is cut to MaxRaw bytes and
// marked, so a runaway row is never echoed whole into reports or logs.
const MaxRaw = 4096

// Truncate returns s cut to at most max bytes on a UTF-8 boundary, with
// " …(N bytes)" appended when it was cut; max <= 0 means MaxRaw.
func Truncate(s string, max int) string {
	if max <= 0 {
		max = MaxRaw
	}
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + " …(" + strconv.Itoa(len(s)) + " bytes)"
}

// Error is a row that cannot become a record. Readers return it for a
// bad row and can go on reading; the sync pipeline quarantines it.
type Error struct {
	Source string // source name; empty while only the reader knows the row
	Line   int64  // as Row.Line
	Field  string // the column at fault, if one is
	Reason string // what is wrong, for people: "no record id"
	Raw    string // the row as read; invalid UTF-8 replaced by U+FFFD
	Err    error  // one of the Err… kinds above, possibly wrapping a parser error
}

// Error returns, for example, `source "crm" row 12 field "customer_id": no record id`.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Source != "" {
		b.WriteString("source ")
		b.WriteString(strconv.Quote(e.Source))
		b.WriteByte(' ')
	}
	b.WriteString("row ")
	b.WriteString(strconv.FormatInt(e.Line, 10))
	if e.Field != "" {
		b.WriteString(" field ")
		b.WriteString(strconv.Quote(e.Field))
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the kind of problem, so errors.Is(err, ErrNoID) works.
func (e *Error) Unwrap() error { return e.Err }

// Join writes the columns of one database row, separated by ", ", into a
// single string, the row's Raw, and sets vals[i] to column i's slice of
// it, so a row costs one allocation however many columns it has. buf is
// scratch space, returned grown for the next row; len(vals) must be
// len(cols).
func Join[B ~[]byte](buf []byte, cols []B, vals []string) ([]byte, string) {
	buf = buf[:0]
	for i, v := range cols {
		if i > 0 {
			buf = append(buf, ", "...)
		}
		buf = append(buf, v...)
	}
	all := string(buf)
	off := 0
	for i, v := range cols {
		if i > 0 {
			off += 2
		}
		vals[i] = all[off : off+len(v)]
		off += len(v)
	}
	return buf, all
}
