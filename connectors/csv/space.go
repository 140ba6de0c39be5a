package csv

import "io"

// The states of quoteSpace, after the bytes seen so far.
const (
	atFieldStart  = iota // after a delimiter or line break, perhaps with spaces
	inUnquoted           // inside an unquoted field
	inQuoted             // inside a quoted field
	afterQuote           // after a quote inside a quoted field: its end, or half of ""
	afterQuoteSpc        // after a closing quote and some spaces, held back in pend
)

// quoteSpace drops the spaces between a quoted field's closing quote and
// the delimiter or line break after it, as in `1, "Lee, Ann" , x`, which
// encoding/csv would reject. It follows the CSV quoting of its input, so
// spaces inside quoted fields are kept. It works for a one-byte delimiter.
type quoteSpace struct {
	r     io.Reader
	delim byte
	space [2]byte // the bytes that count as spaces: ' ' and '\t' unless '\t' is the delimiter
	state int
	pend  []byte // spaces held back in afterQuoteSpc
	in    []byte
	buf   []byte // filtered bytes of the last read
	out   []byte // the part of buf not yet returned
	err   error
}

func newQuoteSpace(r io.Reader, delim byte) *quoteSpace {
	q := &quoteSpace{r: r, delim: delim, space: [2]byte{' ', '\t'}, in: make([]byte, 32<<10)}
	if delim == '\t' {
		q.space[1] = ' '
	}
	return q
}

func (q *quoteSpace) Read(p []byte) (int, error) {
	for len(q.out) == 0 {
		if q.err != nil {
			return 0, q.err // spaces still held back end the input; dropping them is right
		}
		var n int
		n, q.err = q.r.Read(q.in)
		q.buf = q.filter(q.in[:n], q.buf[:0])
		q.out = q.buf
	}
	n := copy(p, q.out)
	q.out = q.out[n:]
	return n, nil
}

// filter appends the filtered form of in to out.
func (q *quoteSpace) filter(in, out []byte) []byte {
	for _, c := range in {
		isSpace := c == q.space[0] || c == q.space[1]
		ends := c == q.delim || c == '\n' || c == '\r'
		switch q.state {
		case atFieldStart:
			switch {
			case c == '"':
				q.state = inQuoted
			case !isSpace && !ends:
				q.state = inUnquoted
			}
		case inUnquoted:
			if c == q.delim || c == '\n' {
				q.state = atFieldStart
			}
		case inQuoted:
			if c == '"' {
				q.state = afterQuote
			}
		case afterQuote:
			switch {
			case c == '"':
				q.state = inQuoted
			case isSpace:
				q.pend = append(q.pend[:0], c)
				q.state = afterQuoteSpc
				continue
			case ends:
				q.state = atFieldStart
			default:
				q.state = inUnquoted // malformed; encoding/csv reports it
			}
		case afterQuoteSpc:
			switch {
			case isSpace:
				q.pend = append(q.pend, c)
				continue
			case ends:
				q.state = atFieldStart
			default:
				out = append(out, q.pend...) // malformed; keep the row as it was
				q.state = inUnquoted
			}
		}
		out = append(out, c)
	}
	return out
}
