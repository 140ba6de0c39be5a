package csv

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
)

func filterAll(t *testing.T, r io.Reader, delim byte) []byte {
	t.Helper()
	out, err := io.ReadAll(newQuoteSpace(r, delim))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// FuzzQuoteSpace checks that the filter only ever drops spaces, drops none
// from input without quotes, and does not depend on how reads are split.
func FuzzQuoteSpace(f *testing.F) {
	f.Add([]byte("id, name\n1, \"Lee, Ann\" , x\n"), byte(','))
	f.Add([]byte("a\t\"b\" \t\"c\"\"\" \n"), byte('\t'))
	f.Add([]byte("\"x\" y, \"\"\" \" ,\r\n"), byte(';'))
	f.Fuzz(func(t *testing.T, in []byte, delim byte) {
		if delim == '"' || delim == '\r' || delim == '\n' {
			return
		}
		whole := filterAll(t, bytes.NewReader(in), delim)
		if bytes.IndexByte(in, '"') < 0 && !bytes.Equal(whole, in) {
			t.Fatalf("changed input without quotes: %q -> %q", in, whole)
		}
		strip := func(b []byte) []byte {
			return bytes.Map(func(r rune) rune {
				if r == ' ' || r == '\t' {
					return -1
				}
				return r
			}, b)
		}
		if !bytes.Equal(strip(whole), strip(in)) {
			t.Fatalf("dropped more than spaces: %q -> %q", in, whole)
		}
		if bytewise := filterAll(t, iotest.OneByteReader(bytes.NewReader(in)), delim); !bytes.Equal(bytewise, whole) {
			t.Fatalf("depends on read sizes: %q -> %q and %q", in, whole, bytewise)
		}
	})
}
