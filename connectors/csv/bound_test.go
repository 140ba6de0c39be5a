package csv_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/scvhq/scv/connectors/csv"
	"github.com/scvhq/scv/connectors/row"
)

// readAll returns the ids of the good rows and "line: reason" of the bad.
func readBounded(t *testing.T, in string, opts csv.Options) (ids []string, bad []string) {
	t.Helper()
	r, err := csv.NewReader(strings.NewReader(in), opts)
	if err != nil {
		t.Fatal(err)
	}
	for {
		rw, err := r.Next()
		if err == io.EOF {
			return ids, bad
		}
		var re *row.Error
		if errors.As(err, &re) {
			bad = append(bad, fmt.Sprintf("%d: %s", re.Line, re.Reason))
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rw.Values[0])
	}
}

func TestBoundedQuotes(t *testing.T) {
	var stray strings.Builder
	stray.WriteString("id,name\n")
	for i := 1; i <= 1000; i++ {
		if i == 501 {
			fmt.Fprintf(&stray, "%d,\"Ann Lee\n", i)
			continue
		}
		fmt.Fprintf(&stray, "%d,name %d\n", i, i)
	}
	ids, bad := readBounded(t, stray.String(), csv.Options{})
	if len(ids) != 999 || ids[499] != "500" || ids[500] != "502" || ids[998] != "1000" {
		t.Errorf("got %d good rows (…%v…), want 999 without row 501", len(ids), ids[495:505])
	}
	if want := []string{"502: malformed CSV: unterminated quote: a quoted field runs over more than 100 lines"}; fmt.Sprint(bad) != fmt.Sprint(want) {
		t.Errorf("bad = %q, want %q", bad, want)
	}

	for _, tt := range []struct {
		name, in string
		opts     csv.Options
		ids, bad string
	}{
		{"multi-line field within the limit", "id,note\n1,\"a\nb\nc\"\n2,x\n", csv.Options{MaxFieldLines: 3}, "[1 2]", "[]"},
		{"over the line limit", "id,note\n1,\"a\nb\nc\nd\"\n2,x\n", csv.Options{MaxFieldLines: 2},
			"[2]", "[2: malformed CSV: unterminated quote: a quoted field runs over more than 2 lines 3: wrong number of columns: 1, the header has 2 4: wrong number of columns: 1, the header has 2 5: malformed CSV: unterminated quote: a quote is still open at the end of the file]"},
		{"open at the end", "id,note\n1,x\n2,\"open\n3,y\n", csv.Options{}, "[1 3]",
			"[3: malformed CSV: unterminated quote: a quote is still open at the end of the file]"},
		{"over the byte limit", "id,note\n1,\"" + strings.Repeat("x", 3000) + "\n2,y\"\n3,z\n", csv.Options{MaxFieldBytes: 2048}, "[3]",
			"[2: malformed CSV: a line longer than 2048 bytes 3: malformed CSV: unterminated quote: a quote is still open at the end of the file]"},
		{"escaped quotes keep parity", "id,note\n1,\"say \"\"hi\"\"\nthere\"\n2,x\n", csv.Options{}, "[1 2]", "[]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ids, bad := readBounded(t, tt.in, tt.opts)
			if fmt.Sprint(ids) != tt.ids || fmt.Sprint(bad) != tt.bad {
				t.Errorf("ids %v bad %q\nwant ids %s bad %s", ids, bad, tt.ids, tt.bad)
			}
		})
	}
}

// FuzzBounded checks that any input reads to the end with rows and row
// errors in line order, whatever its quotes do.
func FuzzBounded(f *testing.F) {
	for _, s := range []string{"id,n\n1,\"a\n2,b\n", "id,n\n1,\"a\"\"b\nc\"\n", "id\n\"\n\"\"\n\"\"\"\n", "a,b\r\n\"x\r\n"} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, in string, maxLines int) {
		r, err := csv.NewReader(strings.NewReader(in), csv.Options{MaxFieldLines: maxLines%5 + 1, MaxFieldBytes: 1024})
		if err != nil {
			return
		}
		var last int64
		for range len(in) + 2 {
			rw, err := r.Next()
			if err == io.EOF {
				return
			}
			line := rw.Line
			var re *row.Error
			if errors.As(err, &re) {
				line = re.Line
			} else if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if line <= last {
				t.Fatalf("line %d after line %d", line, last)
			}
			last = line
		}
		t.Fatal("more rows than the input has lines")
	})
}
