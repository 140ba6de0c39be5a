package csv

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// Defaults of Options.MaxFieldLines and Options.MaxFieldBytes.
const (
	DefaultMaxFieldLines = 100
	DefaultMaxFieldBytes = 1 << 20
)

// broken is a line the bounder took out of the input: it opened a quote
// that did not close within the limits, or it is too long by itself.
type broken struct {
	line   int64
	raw    string
	reason string
}

// line is one input line with its line break.
type line struct {
	b    []byte
	no   int64 // 1-based line in the file
	long bool  // cut: the line is longer than maxBytes
}

// bounder passes the input through line by line, watching quote parity,
// so that one stray quote cannot make encoding/csv swallow the rest of
// the file as one field. A row whose quoted field spans more than
// maxLines lines or maxBytes bytes (or is still open at the end of the
// input), or a line longer than maxBytes, has its first line replaced by
// an empty line, which encoding/csv skips, and recorded in broken; the
// lines after it are read again as new rows. Line numbers downstream stay
// those of the file.
type bounder struct {
	br       *bufio.Reader
	maxLines int
	maxBytes int

	out    []byte // bytes ready for Read
	outOff int

	group      []line // lines of a row whose quote is still open
	groupBytes int
	again      []line // lines to read again after a break, in order
	next       int64  // file line of the next line from br
	long       []byte // a line being read in pieces
	eof        bool

	broken []broken // lines taken out, oldest first
}

func newBounder(br *bufio.Reader, maxLines, maxBytes int) *bounder {
	if maxLines <= 0 {
		maxLines = DefaultMaxFieldLines
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxFieldBytes
	}
	return &bounder{br: br, maxLines: maxLines, maxBytes: maxBytes, next: 1}
}

func (b *bounder) Read(p []byte) (int, error) {
	for b.outOff == len(b.out) {
		b.out, b.outOff = b.out[:0], 0
		if b.eof && len(b.again) == 0 {
			if len(b.group) > 0 {
				b.breakGroup("a quote is still open at the end of the file")
				continue
			}
			return 0, io.EOF
		}
		if err := b.step(); err != nil {
			return 0, err
		}
	}
	n := copy(p, b.out[b.outOff:])
	b.outOff += n
	return n, nil
}

// step handles one line.
func (b *bounder) step() error {
	var l line
	fresh := false // l.b is br's buffer, valid until the next read
	if len(b.again) > 0 {
		l = b.again[0]
		b.again = b.again[1:]
	} else {
		var err error
		l, err = b.readLine()
		if err != nil {
			return err
		}
		if l.b == nil {
			return nil
		}
		fresh = true
	}
	if l.long && len(b.group) == 0 {
		b.broken = append(b.broken, broken{line: l.no, raw: string(bytes.TrimRight(l.b, "\r\n")),
			reason: fmt.Sprintf("malformed CSV: a line longer than %d bytes", b.maxBytes)})
		b.out = append(b.out, '\n')
		return nil
	}
	odd := bytes.Count(l.b, quote)%2 == 1
	if len(b.group) == 0 && !odd {
		b.out = append(b.out, l.b...)
		return nil
	}
	if fresh {
		l.b = append([]byte(nil), l.b...)
	}
	if l.long {
		// The open row cannot close within its limit: break it, and read
		// this line again on its own.
		b.again = append([]line{l}, b.again...)
		b.breakGroup(fmt.Sprintf("a quoted field runs over more than %d bytes", b.maxBytes))
		return nil
	}
	b.group = append(b.group, l)
	b.groupBytes += len(l.b)
	if len(b.group) == 1 {
		b.groupBytes = len(l.b)
		return nil
	}
	switch {
	case odd: // the quote closes
		for _, g := range b.group {
			b.out = append(b.out, g.b...)
		}
		b.group = b.group[:0]
	case len(b.group) > b.maxLines:
		b.breakGroup(fmt.Sprintf("a quoted field runs over more than %d lines", b.maxLines))
	case b.groupBytes > b.maxBytes:
		b.breakGroup(fmt.Sprintf("a quoted field runs over more than %d bytes", b.maxBytes))
	}
	return nil
}

var quote = []byte{'"'}

// breakGroup takes the open row's first line out and queues the rest to
// be read again.
func (b *bounder) breakGroup(reason string) {
	first := b.group[0]
	b.broken = append(b.broken, broken{line: first.no, raw: string(bytes.TrimRight(first.b, "\r\n")),
		reason: "malformed CSV: unterminated quote: " + reason})
	b.out = append(b.out, '\n')
	rest := make([]line, 0, len(b.group)-1+len(b.again))
	rest = append(rest, b.group[1:]...)
	rest = append(rest, b.again...)
	b.again = rest
	b.group = b.group[:0]
}

// readLine returns the next line with its line break, in br's buffer or
// b.long; a line over maxBytes comes back cut to maxBytes with long set,
// the rest of it skipped. It returns a nil line at the end of the input.
func (b *bounder) readLine() (line, error) {
	l := line{no: b.next}
	b.long = b.long[:0]
	pieces := false
	for {
		chunk, err := b.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull || pieces {
			pieces = true
			if len(b.long)+len(chunk) > b.maxBytes {
				if room := b.maxBytes - len(b.long); room > 0 {
					b.long = append(b.long, chunk[:room]...)
				}
				l.long = true
			} else {
				b.long = append(b.long, chunk...)
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			chunk = b.long
		} else if len(chunk) > b.maxBytes {
			chunk, l.long = chunk[:b.maxBytes], true
		}
		switch {
		case err == io.EOF:
			b.eof = true
			if len(chunk) == 0 {
				return line{}, nil
			}
		case err != nil:
			return line{}, err
		}
		b.next++
		l.b = chunk
		return l, nil
	}
}
