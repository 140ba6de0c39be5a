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

func TestWriteHTMLSelfContained(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, twoSourceReport(t)); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if m := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}|<script|<link|@import|url\(`).FindString(page); m != "" {
		t.Errorf("page is not self-contained: found %q", m)
	}
	for _, want := range []string{"<svg", "How good is each source?", "How much do the sources overlap?",
		"Who can marketing reach?", "cy at x dot io", "wrong number of columns: N, the header has N"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Well-formed: every element closes. HTML void elements and the
	// doctype are the only exceptions, so close them for the XML check.
	x := strings.Replace(page, "<!DOCTYPE html>", "", 1)
	x = regexp.MustCompile(`<(meta|br)([^>]*)>`).ReplaceAllString(x, "<$1$2/>")
	dec := xml.NewDecoder(strings.NewReader(x))
	dec.Strict = true
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("page is not well-formed: %v", err)
		}
	}
}
