package quality

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// WriteText writes r as aligned tables for a terminal: the scores per
// source and dimension, what pulls the overall score down most, the
// fields of each source, the quarantine, the worst rows, the overlap of
// sources and the reach by channel.
func WriteText(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "Data quality score: %s (0 worst, 1 best), generated %s\n",
		score(r.OverallScore), r.GeneratedAt.Format("2006-01-02 15:04:05Z07:00"))
	fmt.Fprintf(bw, "%s, %s, %s, %s\n\n",
		plural(len(r.Sources), "source", "sources"), plural(r.Records, "live record", "live records"),
		plural(r.Quarantined, "quarantined row", "quarantined rows"), plural(r.Profiles, "unified profile", "unified profiles"))

	bw.WriteString("Sources\n")
	t := table{{"source", "records", "deleted", "quarantined", "profiles", "duplicates", "score",
		"completeness", "validity", "uniqueness", "consistency", "timeliness"}}
	for _, s := range r.Sources {
		d := s.Dimensions
		t = append(t, []string{s.Name, count(s.Records), count(s.Deleted), count(s.Quarantined),
			count(s.Profiles), count(s.Duplicates), score(s.Score),
			dim(d.Completeness), dim(d.Validity), dim(d.Uniqueness), dim(d.Consistency), dim(d.Timeliness)})
	}
	t.write(bw, "  ")
	if hasHistory(r) {
		bw.WriteString("\nSyncs (score of the records each sync read, oldest first)\n")
		t = table{{"source", "last sync", "syncs", "scores"}}
		for _, s := range r.Sources {
			last := "never"
			if !s.LastSync.IsZero() {
				last = s.LastSync.Format("2006-01-02 15:04:05Z07:00")
			}
			var scores []string
			for i, h := range s.History {
				if len(s.History)-i <= 8 {
					scores = append(scores, score(h.Score))
				}
			}
			t = append(t, []string{s.Name, last, count(len(s.History)), strings.Join(scores, " ")})
		}
		t.write(bw, "  ", 3)
	}

	if r.Records > 0 && len(r.Sources) > 0 {
		bw.WriteString("\nSources pulling the score down most (points of the overall score lost)\n")
		t = table{{"source", "points", "score", "share of records"}}
		for _, s := range sourcesByLoss(r) {
			t = append(t, []string{s.Name, lost(float64(s.Records) / float64(r.Records) * (1 - s.Score)), score(s.Score),
				count(s.Records) + " of " + count(r.Records)})
		}
		t.write(bw, "  ")
	}

	if len(r.Drags) > 0 {
		bw.WriteString("\nFields and dimensions pulling the score down most\n")
		t = table{{"source", "field", "dimension", "points", "offending"}}
		for i, d := range r.Drags {
			if i == 10 {
				break
			}
			t = append(t, []string{d.Source, orDash(d.Field), d.Dimension, lost(d.Points),
				count(d.Count) + " of " + count(d.Of)})
		}
		t.write(bw, "  ", 1, 2)
	}

	for _, s := range r.Sources {
		if len(s.Fields)+len(s.Identifiers) == 0 {
			continue
		}
		fmt.Fprintf(bw, "\nFields of %s (%s records)\n", s.Name, count(s.Records))
		t = table{{"field", "present", "missing", "valid", "invalid", "completeness", "validity", "consistency"}}
		for _, f := range append(append([]FieldReport(nil), s.Fields...), s.Identifiers...) {
			t = append(t, []string{f.Name, count(f.Present), count(f.Missing), count(f.Valid), count(f.Invalid),
				score(f.Completeness), score(f.Validity), dim(f.Consistency)})
		}
		for _, f := range s.Columns {
			t = append(t, []string{f.Name, count(f.Present), count(f.Missing), count(f.Valid), count(f.Invalid), "—", score(f.Validity), "—"})
		}
		t.write(bw, "  ")
		first := true
		for _, f := range slices.Concat(s.Fields, s.Identifiers, s.Columns) {
			for _, sm := range f.Samples {
				if first {
					bw.WriteString("  invalid values (first of each field):\n")
					first = false
				}
				fmt.Fprintf(bw, "    %s row %d: %s %q: %s\n", sm.Source, sm.Row, sm.Field, sm.Raw, sm.Reason)
			}
		}
		first = true
		for _, f := range s.Fields {
			for _, sm := range f.Disagreements {
				if first {
					bw.WriteString("  values that disagree with the golden profile (first of each field):\n")
					first = false
				}
				fmt.Fprintf(bw, "    %s row %d (id %s): %s %q: %s\n", sm.Source, sm.Row, sm.ID, sm.Field, sm.Raw, sm.Reason)
			}
		}
	}

	writeProblems(bw, r)

	if len(r.Sources) > 1 {
		bw.WriteString("\nProfiles shared by each pair of sources\n")
		t = table{append([]string{""}, names(r.Sources)...)}
		for _, a := range r.Sources {
			row := []string{a.Name}
			for _, b := range r.Sources {
				row = append(row, count(shared(r, a, b)))
			}
			t = append(t, row)
		}
		t.write(bw, "  ")
	}

	fmt.Fprintf(bw, "\nReach (of %s golden profiles): %s\n", count(r.Reach.Profiles), ReachHeadline(r.Reach))
	t = table{{"channel", "reachable", "consented", "denied", "unknown", "no valid value", "suppressed"}}
	for _, c := range []struct {
		name string
		cr   ChannelReach
	}{{"email", r.Reach.Email}, {"sms", r.Reach.SMS}, {"phone", r.Reach.Phone}, {"post", r.Reach.Post}} {
		t = append(t, []string{c.name, count(c.cr.Reachable), count(c.cr.Consented), count(c.cr.Denied), count(c.cr.Unknown),
			count(c.cr.NoValue), count(c.cr.Suppressed)})
	}
	t.write(bw, "  ")
	return bw.Flush()
}

// writeProblems writes the rows a data owner should fix at the source:
// the quarantined rows by reason and the worst rows with their invalid
// values.
func writeProblems(bw *bufio.Writer, r *Report) {
	if r.Quarantined > 0 {
		bw.WriteString("\nQuarantined rows (not records: fix them at the source)\n")
		t := table{{"source", "rows", "reason", "first rows"}}
		for _, s := range r.Sources {
			for _, q := range s.Quarantine {
				rows := make([]string, len(q.Samples))
				for i, sm := range q.Samples {
					rows[i] = strconv.FormatInt(sm.Row, 10)
				}
				t = append(t, []string{s.Name, count(q.Count), q.Reason, strings.Join(rows, ", ")})
			}
		}
		t.write(bw, "  ", 2, 3)
	}

	if len(r.WorstOffenders) > 0 {
		bw.WriteString("\nWorst rows\n")
		for _, o := range r.WorstOffenders {
			fmt.Fprintf(bw, "  %s row %d (id %s): %s invalid, %s missing\n", o.Source, o.Row, o.ID,
				count(o.Invalid), count(o.Missing))
			for _, p := range o.Problems {
				fmt.Fprintf(bw, "    %s %q: %s\n", p.Field, p.Raw, p.Reason)
			}
		}
	}

}

// sourcesByLoss returns the sources with records, the one that costs the
// overall score most first.
func sourcesByLoss(r *Report) []SourceReport {
	var out []SourceReport
	for _, s := range r.Sources {
		if s.Records > 0 {
			out = append(out, s)
		}
	}
	loss := func(s SourceReport) float64 { return float64(s.Records) * (1 - s.Score) }
	slices.SortStableFunc(out, func(a, b SourceReport) int { return cmp.Compare(loss(b), loss(a)) })
	return out
}

// shared returns the profiles sources a and b share; for a source with
// itself, its own profiles.
func shared(r *Report, a, b SourceReport) int {
	if a.Name == b.Name {
		return a.Profiles
	}
	for _, o := range r.Overlap {
		if o.A == a.Name && o.B == b.Name || o.A == b.Name && o.B == a.Name {
			return o.Profiles
		}
	}
	return 0
}

func names(sources []SourceReport) []string {
	out := make([]string, len(sources))
	for i, s := range sources {
		out[i] = s.Name
	}
	return out
}

// table is rows of cells; the first row is the header. The first column
// and the columns listed in write's left are aligned left, the others right.
type table [][]string

func (t table) write(w *bufio.Writer, indent string, left ...int) {
	var width []int
	for _, row := range t {
		for i, c := range row {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for _, row := range t {
		var b strings.Builder
		b.WriteString(indent)
		for i, c := range row {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			switch {
			case i == 0:
				b.WriteString(c + pad)
			case slices.Contains(left, i):
				b.WriteString("  " + c + pad)
			default:
				b.WriteString("  " + pad + c)
			}
		}
		w.WriteString(strings.TrimRight(b.String(), " ") + "\n")
	}
}

func score(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

// lost formats points lost with a minus sign.
func lost(p float64) string {
	s := points(p)
	if strings.HasPrefix(s, "<") {
		return s
	}
	return "-" + s
}

// points formats a share of the overall score lost, showing "<0.001"
// rather than a misleading 0.000 for a small but real loss.
func points(p float64) string {
	if p > 0 && p < 0.0005 {
		return "<0.001"
	}
	return score(p)
}

func dim(r *Ratio) string {
	if r == nil {
		return "—"
	}
	return score(r.Score)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// count formats n with thousands separators.
func count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return count(n) + " " + many
}

// ReachHeadline says in one sentence how many people marketing may
// email and why the others may not: refused, never asked, no valid
// address, suppressed.
func ReachHeadline(r Reach) string {
	e := r.Email
	var b strings.Builder
	fmt.Fprintf(&b, "%s of %s people may be emailed", count(e.Reachable), count(r.Profiles))
	var why []string
	if e.Denied > 0 {
		why = append(why, fmt.Sprintf("%s refused", count(e.Denied)))
	}
	// On an opt-in channel an unknown answer keeps a person out; on an
	// opt-out one (Reachable counts them) it does not.
	if e.Unknown > 0 && e.Reachable == e.Consented {
		why = append(why, fmt.Sprintf("%s never said whether they agree", count(e.Unknown)))
	}
	if e.NoValue > 0 {
		why = append(why, fmt.Sprintf("%s have no valid email address", count(e.NoValue)))
	}
	if e.Suppressed > 0 {
		why = append(why, fmt.Sprintf("%s are suppressed", count(e.Suppressed)))
	}
	if len(why) > 0 {
		b.WriteString("; " + strings.Join(why, ", "))
	}
	b.WriteString(".")
	return b.String()
}

// hasHistory reports whether any source has a sync history.
func hasHistory(r *Report) bool {
	for _, s := range r.Sources {
		if len(s.History) > 0 {
			return true
		}
	}
	return false
}
