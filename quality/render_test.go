package quality

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scvhq/scv/customer"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestWriteTextGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteText(&buf, twoSourceReport(t)); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "two-sources.txt.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got := buf.String(); got != string(want) {
		t.Errorf("text report differs from %s (go test -update rewrites it)\ngot:\n%s", golden, got)
	}
}

// jsonReport spells out the JSON contract of issue 4 with exact key names;
// decoding with DisallowUnknownFields is not used because the report may
// grow, but every key here must be present.
type jsonReport struct {
	OverallScore *float64   `json:"overall_score"`
	GeneratedAt  *time.Time `json:"generated_at"`
	Profiles     *int       `json:"profiles"`
	Sources      []struct {
		Name        *string  `json:"name"`
		Records     *int     `json:"records"`
		Quarantined *int     `json:"quarantined"`
		Score       *float64 `json:"score"`
		Fields      []struct {
			Name         *string   `json:"name"`
			Present      *int      `json:"present"`
			Missing      *int      `json:"missing"`
			Valid        *int      `json:"valid"`
			Invalid      *int      `json:"invalid"`
			Completeness *float64  `json:"completeness"`
			Validity     *float64  `json:"validity"`
			Uniqueness   *float64  `json:"uniqueness"`
			Samples      *[]Sample `json:"samples"`
		} `json:"fields"`
	} `json:"sources"`
	Overlap *[]struct {
		A        string `json:"a"`
		B        string `json:"b"`
		Profiles int    `json:"profiles"`
	} `json:"overlap"`
	Reach *struct {
		Email *ChannelReach `json:"email"`
		Phone *ChannelReach `json:"phone"`
		Post  *ChannelReach `json:"post"`
	} `json:"reach"`
	WorstOffenders *[]Offender `json:"worst_offenders"`
}

func TestWriteJSONShape(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, twoSourceReport(t)); err != nil {
		t.Fatal(err)
	}
	var got jsonReport
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("decode: %v\n%s", err, buf.String())
	}
	missing := func(what string, nilness bool) {
		t.Helper()
		if nilness {
			t.Errorf("key %s missing from the JSON report", what)
		}
	}
	missing("overall_score", got.OverallScore == nil)
	missing("generated_at", got.GeneratedAt == nil)
	missing("profiles", got.Profiles == nil)
	missing("overlap", got.Overlap == nil)
	missing("reach", got.Reach == nil || got.Reach.Email == nil || got.Reach.Phone == nil || got.Reach.Post == nil)
	missing("worst_offenders", got.WorstOffenders == nil)
	if len(got.Sources) != 2 {
		t.Fatalf("sources = %d, want 2", len(got.Sources))
	}
	s := got.Sources[0]
	missing("sources[].name", s.Name == nil)
	missing("sources[].records", s.Records == nil)
	missing("sources[].quarantined", s.Quarantined == nil)
	missing("sources[].score", s.Score == nil)
	if *s.Name != "crm" || *s.Records != 4 || *s.Quarantined != 1 || len(s.Fields) != 5 {
		t.Fatalf("first source = %s %d records %d quarantined %d fields", *s.Name, *s.Records, *s.Quarantined, len(s.Fields))
	}
	for _, f := range s.Fields {
		if f.Name == nil || f.Present == nil || f.Missing == nil || f.Valid == nil || f.Invalid == nil ||
			f.Completeness == nil || f.Validity == nil || f.Uniqueness == nil || f.Samples == nil {
			t.Fatalf("field lacks a key: %+v", f)
		}
	}
	email := s.Fields[1]
	if *email.Name != "email" || *email.Present != 3 || *email.Missing != 1 || *email.Valid != 2 || *email.Invalid != 1 ||
		*email.Completeness != 0.75 || *email.Uniqueness != 0.75 || len(*email.Samples) != 1 {
		t.Errorf("crm email = %s %d/%d/%d/%d %v %v %d samples", *email.Name, *email.Present, *email.Missing,
			*email.Valid, *email.Invalid, *email.Completeness, *email.Uniqueness, len(*email.Samples))
	}
	if (*email.Samples)[0] != (Sample{Source: "crm", Row: 5, ID: "4", Field: "email", Raw: "cy at x dot io", Reason: "malformed email address"}) {
		t.Errorf("crm email sample = %+v", (*email.Samples)[0])
	}
}

// hostileReport holds values that would break a page that did not
// escape them: markup, a URL and a quote in a source name and raw values.
func hostileReport() *Report {
	src := `a&b"<i>`
	tl := NewTally(Options{Now: testNow, Sources: []Source{{Name: src, MappedFields: []customer.Field{customer.Email}}}})
	r := rec(src, "1", 2, map[customer.Field]customer.Value{
		customer.Email: invalid(`<script>alert(1)</script> https://evil.example.com/x`, `bad "quote" & <tag>`),
	})
	tl.Add(r)
	tl.AddQuarantined(src, 3, "", `</td></tr><img src=x>`, "no record id")
	return tl.Report()
}

func TestWriteHTMLSelfContained(t *testing.T) {
	for _, tt := range []struct {
		name  string
		rep   *Report
		noURL bool
		want  []string
	}{
		{"two sources", twoSourceReport(t), true, []string{"<svg", "How good is each source?", "How much do the sources overlap?",
			"Who can marketing reach?", "cy at x dot io", "wrong number of columns: N, the header has N"}},
		{"hostile values", hostileReport(), false, []string{"&lt;script&gt;", "&lt;img src=x&gt;", "a&amp;b"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteHTML(&buf, tt.rep); err != nil {
				t.Fatal(err)
			}
			page := buf.String()
			// Nothing loads from elsewhere: no element or attribute that
			// fetches; a URL in the data may only show as text.
			if m := regexp.MustCompile(`(?i)<(script|link|img|iframe|object|embed)\b|<[^>]*\b(src|href)\s*=|url\(|@import`).FindString(page); m != "" {
				t.Errorf("page is not self-contained: found %q", m)
			}
			if tt.noURL && regexp.MustCompile(`(?i)https?:`).MatchString(page) {
				t.Errorf("page names a URL")
			}
			for _, want := range tt.want {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			wellFormed(t, page)
		})
	}
}

// wellFormed checks that every element of page closes. HTML void elements
// and the doctype are the only exceptions, so they are closed first.
func wellFormed(t *testing.T, page string) {
	t.Helper()
	x := strings.Replace(page, "<!DOCTYPE html>", "", 1)
	x = regexp.MustCompile(`<(meta|br)([^>]*)>`).ReplaceAllString(x, "<$1$2/>")
	dec := xml.NewDecoder(strings.NewReader(x))
	dec.Strict = true
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("page is not well-formed: %v", err)
		}
	}
}
