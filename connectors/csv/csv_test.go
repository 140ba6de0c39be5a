package csv_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scvhq/scv/connectors/csv"
	"github.com/scvhq/scv/connectors/row"
)

// readAll reads every row of in and describes each row or row error on one
// line, so tests can compare whole reads.
func readAll(t *testing.T, r *csv.Reader) []string {
	t.Helper()
	var out []string
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("reader does not reach io.EOF")
		}
		rw, err := r.Next()
		if err == io.EOF {
			return out
		}
		var rerr *row.Error
		switch {
		case errors.As(err, &rerr):
			out = append(out, fmt.Sprintf("err %d %q %s raw=%q", rerr.Line, rerr.Field, kind(rerr), rerr.Raw))
		case err != nil:
			t.Fatalf("Next: %v", err)
		default:
			out = append(out, fmt.Sprintf("row %d %q raw=%q", rw.Line, rw.Values, rw.Raw))
		}
	}
}

func kind(err error) string {
	for _, k := range []error{row.ErrColumnCount, row.ErrEncoding, row.ErrMalformed} {
		if errors.Is(err, k) {
			return k.Error()
		}
	}
	return "unknown kind: " + err.Error()
}

func TestReader(t *testing.T) {
	for _, tt := range []struct {
		name   string
		in     string
		opts   csv.Options
		header []string
		want   []string
	}{
		{"plain", "id,name\n1,Ann\n2,Bob\n", csv.Options{},
			[]string{"id", "name"},
			[]string{`row 2 ["1" "Ann"] raw="1,Ann"`, `row 3 ["2" "Bob"] raw="2,Bob"`}},
		{"no final newline", "id,name\n1,Ann", csv.Options{},
			[]string{"id", "name"},
			[]string{`row 2 ["1" "Ann"] raw="1,Ann"`}},
		{"byte order mark", "\ufeffid,name\n1,Ann\n", csv.Options{},
			[]string{"id", "name"},
			[]string{`row 2 ["1" "Ann"] raw="1,Ann"`}},
		{"CRLF", "id,name\r\n1,Ann\r\n2,Bob\r\n", csv.Options{},
			[]string{"id", "name"},
			[]string{`row 2 ["1" "Ann"] raw="1,Ann"`, `row 3 ["2" "Bob"] raw="2,Bob"`}},
		{"quoted delimiter", "id,address\n1,\"1 High St, Leeds\"\n", csv.Options{},
			[]string{"id", "address"},
			[]string{`row 2 ["1" "1 High St, Leeds"] raw="1,\"1 High St, Leeds\""`}},
		{"quoted newline", "id,note\n1,\"two\nlines\"\n2,x\n", csv.Options{},
			[]string{"id", "note"},
			[]string{`row 2 ["1" "two\nlines"] raw="1,\"two\nlines\""`, `row 4 ["2" "x"] raw="2,x"`}},
		{"escaped quote", "id,name\n1,\"Ann \"\"Nan\"\" Lee\"\n", csv.Options{},
			[]string{"id", "name"},
			[]string{`row 2 ["1" "Ann \"Nan\" Lee"] raw="1,\"Ann \"\"Nan\"\" Lee\""`}},
		{"spaces after commas (Febrl)", "rec_id, given_name, surname\nrec-1-org, ann , lee\n", csv.Options{},
			[]string{"rec_id", "given_name", "surname"},
			[]string{`row 2 ["rec-1-org" "ann" "lee"] raw="rec-1-org, ann , lee"`}},
		{"quoted field after a space", "id, address\n1, \"1 High St, Leeds\"\n", csv.Options{},
			[]string{"id", "address"},
			[]string{`row 2 ["1" "1 High St, Leeds"] raw="1, \"1 High St, Leeds\""`}},
		{"empty values", "id,a,b\n1,,\n,,\n", csv.Options{},
			[]string{"id", "a", "b"},
			[]string{`row 2 ["1" "" ""] raw="1,,"`, `row 3 ["" "" ""] raw=",,"`}},
		{"blank and whitespace lines skipped", "id,name\n\n1,Ann\n   \n\n2,Bob\n", csv.Options{},
			[]string{"id", "name"},
			[]string{`row 3 ["1" "Ann"] raw="1,Ann"`, `row 6 ["2" "Bob"] raw="2,Bob"`}},
		{"wrong column count", "id,name\n1,Ann,extra\n2\n3,Cy\n", csv.Options{},
			[]string{"id", "name"},
			[]string{
				`err 2 "" wrong number of columns raw="1,Ann,extra"`,
				`err 3 "" wrong number of columns raw="2"`,
				`row 4 ["3" "Cy"] raw="3,Cy"`,
			}},
		{"invalid UTF-8", "id,name\n1,Ann\xff\n2,Bob\n", csv.Options{},
			[]string{"id", "name"},
			[]string{`err 2 "name" invalid UTF-8 raw="1,Ann�"`, `row 3 ["2" "Bob"] raw="2,Bob"`}},
		{"Latin-1 byte", "id,name\n1,Jos\xe9\n", csv.Options{},
			[]string{"id", "name"},
			[]string{`err 2 "name" invalid UTF-8 raw="1,Jos�"`}},
		{"bare quote", "id,name\n1,Ann \"Nan\" Lee\n2,Bob\n", csv.Options{},
			[]string{"id", "name"},
			[]string{`err 2 "" malformed row raw="1,Ann \"Nan\" Lee"`, `row 3 ["2" "Bob"] raw="2,Bob"`}},
		{"text after closing quote", "id,name\n1,\"Ann\"x\n2,Bob\n", csv.Options{},
			[]string{"id", "name"},
			[]string{`err 2 "" malformed row raw="1,\"Ann\"x"`, `row 3 ["2" "Bob"] raw="2,Bob"`}},
		{"spaces after closing quotes", "id , name , city\n1 , \"Lee, Ann\"  , \"Leeds\" \r\n2,\"Bob\"\t,x\n", csv.Options{},
			[]string{"id", "name", "city"},
			[]string{`row 2 ["1" "Lee, Ann" "Leeds"] raw="1 , \"Lee, Ann\", \"Leeds\""`, `row 3 ["2" "Bob" "x"] raw="2,\"Bob\",x"`}},
		{"spaces inside quotes kept", "id,name\n1,\" a \"\" , b \"\n", csv.Options{},
			[]string{"id", "name"},
			[]string{`row 2 ["1" "a \" , b"] raw="1,\" a \"\" , b \""`}},
		{"space then text after closing quote", "id,name\n1,\"Lee\" x\n2,Bob\n", csv.Options{},
			[]string{"id", "name"},
			[]string{`err 2 "" malformed row raw="1,\"Lee\" x"`, `row 3 ["2" "Bob"] raw="2,Bob"`}},
		{"tab delimiter keeps tabs after quotes", "id\tname\tx\n1\t\"Ann\" \t\t\n", csv.Options{Delimiter: '\t'},
			[]string{"id", "name", "x"},
			[]string{`row 2 ["1" "Ann" ""] raw="1\t\"Ann\"\t\t"`}},
		{"unterminated quote", "id,name\n1,\"Ann\n2,Bob\n", csv.Options{},
			[]string{"id", "name"},
			[]string{`err 2 "" malformed row raw="1,\"Ann"`, `row 3 ["2" "Bob"] raw="2,Bob"`}},
		{"semicolon delimiter", "id;name\n1;Lee, Ann\n", csv.Options{Delimiter: ';'},
			[]string{"id", "name"},
			[]string{`row 2 ["1" "Lee, Ann"] raw="1;Lee, Ann"`}},
		{"tab delimiter", "id\tname\n1\tAnn\n", csv.Options{Delimiter: '\t'},
			[]string{"id", "name"},
			[]string{`row 2 ["1" "Ann"] raw="1\tAnn"`}},
		{"header only", "id,name\n", csv.Options{},
			[]string{"id", "name"}, nil},
		{"accents kept", "id,name\n1,José Müller\n", csv.Options{},
			[]string{"id", "name"},
			[]string{`row 2 ["1" "José Müller"] raw="1,José Müller"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := csv.NewReader(strings.NewReader(tt.in), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(r.Header()); got != fmt.Sprint(tt.header) {
				t.Errorf("Header() = %s, want %s", got, fmt.Sprint(tt.header))
			}
			got := readAll(t, r)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("rows:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(tt.want, "\n     "))
			}
		})
	}
}

func TestReaderHeaderErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		want error
	}{
		{"empty input", "", csv.ErrNoHeader},
		{"only a byte order mark", "\ufeff", csv.ErrNoHeader},
		{"only blank lines", "\n\n", csv.ErrNoHeader},
		{"invalid UTF-8 header", "id,n\xffme\n", row.ErrEncoding},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := csv.NewReader(strings.NewReader(tt.in), csv.Options{})
			if !errors.Is(err, tt.want) {
				t.Errorf("NewReader error = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := csv.NewReader(strings.NewReader("id,\"name\n"), csv.Options{}); err == nil {
		t.Error("NewReader accepted a header with an unterminated quote")
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "crm.csv")
	if err := os.WriteFile(path, []byte("\ufeffid , name \r\n1, Ann\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := csv.Open(path, csv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r)
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if want := `row 2 ["1" "Ann"] raw="1, Ann"`; len(got) != 1 || got[0] != want {
		t.Errorf("rows = %q, want [%q]", got, want)
	}

	if _, err := csv.Open(filepath.Join(dir, "absent.csv"), csv.Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open of a missing file = %v, want os.ErrNotExist", err)
	}
	empty := filepath.Join(dir, "empty.csv")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := csv.Open(empty, csv.Options{}); !errors.Is(err, csv.ErrNoHeader) || !strings.Contains(err.Error(), empty) {
		t.Errorf("Open of an empty file = %v, want ErrNoHeader naming the file", err)
	}
}

// TestReaderLongInput checks line numbers and raw rows far past the
// buffers' sizes, with rows of varying length.
func TestReaderLongInput(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,pad\n")
	const n = 20000
	for i := range n {
		fmt.Fprintf(&b, "%d,%s\n", i, strings.Repeat("x", i%300))
	}
	r, err := csv.NewReader(strings.NewReader(b.String()), csv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		rw, err := r.Next()
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		want := fmt.Sprintf("%d,%s", i, strings.Repeat("x", i%300))
		if rw.Line != int64(i+2) || rw.Raw != want || rw.Values[0] != fmt.Sprint(i) {
			t.Fatalf("row %d = line %d raw %.40q values[0] %q", i, rw.Line, rw.Raw, rw.Values[0])
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("after the last row: %v, want io.EOF", err)
	}
}

func BenchmarkNext(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("customer_id, first_name, last_name, email, mobile, dob, street, city, postcode\n")
	const rows = 10000
	for i := range rows {
		fmt.Fprintf(&sb, "C%d, Ann, Lee, ann.lee%d@example.com, 07700 900%03d, 01/02/1980, \"%d High St, Flat 2\", Leeds, LS1 4AP\n", i, i, i%1000, i)
	}
	in := sb.String()
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		r, err := csv.NewReader(strings.NewReader(in), csv.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
