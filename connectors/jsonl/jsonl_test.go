package jsonl_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors/jsonl"
	"github.com/scvhq/scv/connectors/row"
)

var cols = []string{"id", "contact.email", "name.given", "phones"}

// describe reads every row of r as text.
func describe(t *testing.T, r *jsonl.Reader) []string {
	t.Helper()
	var out []string
	for {
		rw, err := r.Next(context.Background())
		if err == io.EOF {
			return out
		}
		var re *row.Error
		if errors.As(err, &re) {
			out = append(out, fmt.Sprintf("bad %d %q: %s", re.Line, re.Field, re.Reason))
			continue
		}
		if err != nil {
			out = append(out, "error: "+err.Error())
			return out
		}
		s := fmt.Sprintf("%d %q", rw.Line, rw.Values)
		if rw.Lists != nil {
			s += fmt.Sprintf(" lists %q", rw.Lists)
		}
		out = append(out, s)
	}
}

func TestReader(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		want     []string
	}{
		{"nested paths and arrays", `{"id": 1, "contact": {"email": "a@example.com"}, "name": {"given": "Ann"}, "phones": ["0770", "0771"]}` + "\n",
			[]string{`1 ["1" "a@example.com" "Ann" "0770"] lists [[] [] [] ["0770" "0771"]]`}},
		{"null, missing, number and boolean", `{"id": "A", "contact": null, "name": {"given": 42}, "phones": true}` + "\n",
			[]string{`1 ["A" "" "42" "true"]`}},
		{"a dotted key wins over a path", `{"id": 1, "contact.email": "flat@example.com"}` + "\n",
			[]string{`1 ["1" "flat@example.com" "" ""]`}},
		{"an object where a value was expected", `{"id": 1, "name": {"given": {"first": "Ann"}}}` + "\n" + `{"id": 2}` + "\n",
			[]string{`bad 1 "name.given": unreadable value: an object where a value was expected`, `2 ["2" "" "" ""]`}},
		{"malformed and truncated lines", "{\"id\": 1}\n\nnot json\n{\"id\": 3, \"contact\"",
			[]string{`1 ["1" "" "" ""]`, `bad 3 "": malformed JSON: invalid character 'o' in literal null (expecting 'u') at byte 2`, `bad 4 "": malformed JSON: the object is cut short`}},
		{"an array, not an object", "[1,2]\n", []string{`bad 1 "": malformed JSON: not one JSON object`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := describe(t, jsonl.NewReader(strings.NewReader(tt.in), cols))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for i := range 1000 {
		fmt.Fprintf(zw, `{"id": %d, "contact": {"email": "u%d@example.com"}}`+"\n", i, i)
	}
	zw.Close()
	dir := t.TempDir()
	whole := filepath.Join(dir, "crm.jsonl.gz")
	cut := filepath.Join(dir, "cut.jsonl.gz")
	os.WriteFile(whole, buf.Bytes(), 0o644)
	os.WriteFile(cut, buf.Bytes()[:buf.Len()/2], 0o644)

	r, err := jsonl.Open(config.Source{Path: whole, ID: "id", Map: map[string][]string{"email": {"contact.email"}}})
	if err != nil {
		t.Fatal(err)
	}
	got := describe(t, r)
	r.Close()
	if len(got) != 1000 || got[999] != `1000 ["999" "u999@example.com"]` {
		t.Errorf("read %d rows, last %q", len(got), got[len(got)-1])
	}

	r, err = jsonl.Open(config.Source{Path: cut, ID: "id"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got = describe(t, r)
	if last := got[len(got)-1]; !strings.HasPrefix(last, "error: jsonl after line") || !strings.Contains(last, "unexpected EOF") {
		t.Errorf("a truncated gzip file ends with %q, want a read error", last)
	}
}

func BenchmarkNext(b *testing.B) {
	var sb strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&sb, `{"id": %d, "contact": {"email": "user%d@example.com"}, "name": {"given": "Ann"}, "phones": ["07700 900%03d"]}`+"\n", i, i, i%1000)
	}
	in := sb.String()
	b.ReportAllocs()
	b.SetBytes(int64(len(in) / 10000))
	r := jsonl.NewReader(strings.NewReader(in), cols)
	for b.Loop() {
		if _, err := r.Next(context.Background()); err == io.EOF {
			r = jsonl.NewReader(strings.NewReader(in), cols)
		} else if err != nil {
			b.Fatal(err)
		}
	}
}
