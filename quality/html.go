package quality

import (
	"fmt"
	"html"
	"html/template"
	"io"
	"math"
	"strings"
	"time"
)

// WriteHTML writes r as one self-contained HTML page (no scripts, fonts or
// images from elsewhere) with inline SVG charts: the scores per source and
// dimension, each field's valid, invalid and missing values, the overlap
// of sources and the reach by channel, each beside its exact counts.
func WriteHTML(w io.Writer, r *Report) error {
	v := htmlView{R: r, Summary: summary(r)}
	v.ScoreChart = template.HTML(scoreHeatmap(r))
	for _, s := range r.Sources {
		if len(s.Fields)+len(s.Identifiers) == 0 {
			continue
		}
		v.FieldCharts = append(v.FieldCharts, fieldChart{Source: s, SVG: template.HTML(fieldBars(s))})
	}
	if len(r.Sources) > 1 {
		v.OverlapChart = template.HTML(overlapMatrix(r))
	}
	v.ReachChart = template.HTML(reachBars(r))
	if hasHistory(r) {
		v.HistoryChart = template.HTML(historyChart(r))
	}
	for i, d := range r.Drags {
		if i == 10 {
			break
		}
		v.Drags = append(v.Drags, d)
	}
	if err := pageTemplate.Execute(w, v); err != nil {
		return fmt.Errorf("quality: write HTML report: %w", err)
	}
	return nil
}

type htmlView struct {
	R            *Report
	Summary      string
	ScoreChart   template.HTML
	FieldCharts  []fieldChart
	OverlapChart template.HTML
	ReachChart   template.HTML
	HistoryChart template.HTML
	Drags        []Drag
}

type fieldChart struct {
	Source SourceReport
	SVG    template.HTML
}

// summary is the report's plain-language first paragraph.
func summary(r *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Your customer data scores %s out of 1 (%s). ", score(r.OverallScore), grade(r.OverallScore))
	fmt.Fprintf(&b, "Across %s holding %s customer records we found %s distinct people",
		plural(len(r.Sources), "source", "sources"), count(r.Records), count(r.Profiles))
	b.WriteString(".")
	if r.Reach.Profiles > 0 {
		b.WriteString(" " + ReachHeadline(r.Reach))
	}
	if r.Quarantined > 0 {
		fmt.Fprintf(&b, " %s could not be read at all.", plural(r.Quarantined, "row", "rows"))
	}
	if len(r.Drags) > 0 {
		d := r.Drags[0]
		fmt.Fprintf(&b, " The biggest single problem is %s in %s.", dragPhrase(d), d.Source)
	}
	return b.String()
}

func grade(s float64) string {
	switch {
	case s >= 0.9:
		return "good"
	case s >= 0.75:
		return "fair"
	}
	return "poor"
}

// dragPhrase names a drag in plain words, such as "invalid phone values".
func dragPhrase(d Drag) string {
	f := strings.ReplaceAll(d.Field, "_", " ")
	switch d.Dimension {
	case "completeness":
		return "missing " + f + " values"
	case "validity":
		return "invalid " + f + " values"
	case "consistency":
		return f + " values that disagree with the golden profile"
	case "uniqueness":
		return "duplicate records"
	case "timeliness":
		return "records not updated recently"
	}
	return d.Dimension
}

// heat maps a score to a colour: red up to 0.5, through amber at 0.75,
// to green at 1. Real scores mostly lie above 0.5, where the eye should
// tell them apart.
func heat(s float64) string {
	s = math.Max(0, math.Min(1, (s-0.5)/0.5))
	type rgb struct{ r, g, b float64 }
	stops := []rgb{{215, 48, 39}, {253, 174, 97}, {255, 255, 191}, {166, 217, 106}, {26, 152, 80}}
	x := s * float64(len(stops)-1)
	i := int(math.Min(x, float64(len(stops)-2)))
	t := x - float64(i)
	a, b := stops[i], stops[i+1]
	return fmt.Sprintf("#%02x%02x%02x", int(a.r+(b.r-a.r)*t), int(a.g+(b.g-a.g)*t), int(a.b+(b.b-a.b)*t))
}

// svg accumulates an inline SVG picture.
type svg struct{ b strings.Builder }

func newSVG(w, h int, label string) *svg {
	s := &svg{}
	fmt.Fprintf(&s.b, `<svg width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		w, h, w, h, html.EscapeString(label))
	return s
}

func (s *svg) rect(x, y, w, h float64, fill, title string) {
	fmt.Fprintf(&s.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s">`, x, y, math.Max(w, 0), h, fill)
	if title != "" {
		fmt.Fprintf(&s.b, `<title>%s</title>`, html.EscapeString(title))
	}
	s.b.WriteString(`</rect>`)
}

func (s *svg) text(x, y float64, anchor, class, txt string) {
	fmt.Fprintf(&s.b, `<text x="%.1f" y="%.1f" text-anchor="%s" class="%s">%s</text>`, x, y, anchor, class, html.EscapeString(txt))
}

func (s *svg) String() string { return s.b.String() + `</svg>` }

// historyPalette colours the sources' lines in the history chart.
var historyPalette = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"}

// historyChart draws each source's score over its syncs: one line per
// source against the sync time, with a dot and exact figures per sync.
func historyChart(r *Report) string {
	const left, top, w, h, legendW = 50.0, 10.0, 560.0, 200.0, 200.0
	var first, last int64
	for _, src := range r.Sources {
		for _, p := range src.History {
			t := p.At.UnixNano()
			if first == 0 || t < first {
				first = t
			}
			last = max(last, t)
		}
	}
	span := float64(last - first)
	x := func(t int64) float64 {
		if span == 0 {
			return left + w/2
		}
		return left + w*float64(t-first)/span
	}
	y := func(score float64) float64 { return top + h*(1-score) }
	s := newSVG(int(left+w+legendW), int(top+h+40), "each source's data-quality score over its syncs")
	for _, g := range []float64{0, 0.25, 0.5, 0.75, 1} {
		s.rect(left, y(g), w, 0.5, "#cccccc", "")
		s.text(left-6, y(g)+4, "end", "ct", score(g))
	}
	n := 0
	for _, src := range r.Sources {
		if len(src.History) == 0 {
			continue
		}
		colour := historyPalette[n%len(historyPalette)]
		var pts []string
		for _, p := range src.History {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(p.At.UnixNano()), y(p.Score)))
		}
		fmt.Fprintf(&s.b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, colour, strings.Join(pts, " "))
		for _, p := range src.History {
			fmt.Fprintf(&s.b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s</title></circle>`,
				x(p.At.UnixNano()), y(p.Score), colour, html.EscapeString(fmt.Sprintf("%s %s: score %s, %s records read, %s invalid values, %s quarantined",
					src.Name, p.At.Format("2006-01-02 15:04"), score(p.Score), count(p.Read), count(p.Invalid), count(p.Quarantined))))
		}
		s.rect(left+w+16, top+float64(n)*20, 14, 4, colour, "")
		s.text(left+w+36, top+float64(n)*20+6, "start", "lb", fmt.Sprintf("%s (%s syncs)", src.Name, count(len(src.History))))
		n++
	}
	if span > 0 {
		s.text(left, top+h+24, "start", "ct", time.Unix(0, first).UTC().Format("2006-01-02 15:04"))
		s.text(left+w, top+h+24, "end", "ct", time.Unix(0, last).UTC().Format("2006-01-02 15:04"))
	}
	return s.String()
}

// scoreHeatmap draws sources × (score and dimensions) as coloured cells.
func scoreHeatmap(r *Report) string {
	cols := []string{"Overall", "Complete", "Valid", "Unique", "Consistent", "Up to date"}
	const labelW, cellW, cellH, top = 150.0, 100.0, 34.0, 30.0
	s := newSVG(int(labelW+cellW*float64(len(cols))), int(top+cellH*float64(len(r.Sources))+4), "scores per source and dimension")
	for i, c := range cols {
		s.text(labelW+cellW*float64(i)+cellW/2, top-10, "middle", "hd", c)
	}
	for j, src := range r.Sources {
		y := top + cellH*float64(j)
		s.text(labelW-10, y+cellH/2+5, "end", "lb", src.Name)
		d := src.Dimensions
		cells := []*Ratio{{Score: src.Score}, d.Completeness, d.Validity, d.Uniqueness, d.Consistency, d.Timeliness}
		for i, c := range cells {
			x := labelW + cellW*float64(i)
			if c == nil || src.Records == 0 {
				s.rect(x+1, y+1, cellW-2, cellH-2, "#eeeeee", cols[i]+": does not apply")
				s.text(x+cellW/2, y+cellH/2+5, "middle", "na", "n/a")
				continue
			}
			title := fmt.Sprintf("%s %s: %s", src.Name, cols[i], score(c.Score))
			if i > 0 {
				title += fmt.Sprintf(" (%s of %s)", count(c.Count), count(c.Of))
			}
			s.rect(x+1, y+1, cellW-2, cellH-2, heat(c.Score), title)
			s.text(x+cellW/2, y+cellH/2+5, "middle", "v", score(c.Score))
		}
	}
	return s.String()
}

// fieldBars draws one stacked bar per field: valid, invalid and missing
// records, with the counts to the right.
func fieldBars(src SourceReport) string {
	fields := append(append([]FieldReport(nil), src.Fields...), src.Identifiers...)
	const labelW, barW, rowH, countsW = 130.0, 420.0, 24.0, 330.0
	s := newSVG(int(labelW+barW+countsW), int(rowH*float64(len(fields))+8), "valid, invalid and missing values per field of "+src.Name)
	for i, f := range fields {
		y := 4 + rowH*float64(i)
		s.text(labelW-8, y+rowH/2+4, "end", "lb", f.Name)
		total := float64(f.Present + f.Missing)
		x := labelW
		for _, seg := range []struct {
			n    int
			fill string
			what string
		}{{f.Valid, "#1a9850", "valid"}, {f.Invalid, "#d73027", "invalid"}, {f.Missing, "#cfcfcf", "missing"}} {
			if seg.n == 0 || total == 0 {
				continue
			}
			w := barW * float64(seg.n) / total
			s.rect(x, y+3, w, rowH-6, seg.fill, fmt.Sprintf("%s %s: %s %s", src.Name, f.Name, count(seg.n), seg.what))
			x += w
		}
		s.text(labelW+barW+10, y+rowH/2+4, "start", "ct",
			fmt.Sprintf("%s valid · %s invalid · %s missing", count(f.Valid), count(f.Invalid), count(f.Missing)))
	}
	return s.String()
}

// overlapMatrix draws the profiles shared by each pair of sources; the
// diagonal is each source's own profiles.
func overlapMatrix(r *Report) string {
	n := float64(len(r.Sources))
	const labelW, cell, top = 150.0, 90.0, 30.0
	s := newSVG(int(labelW+cell*n), int(top+cell*n/2+4), "profiles shared by each pair of sources")
	most := 1
	for _, a := range r.Sources {
		most = max(most, a.Profiles)
	}
	h := cell / 2
	for i, a := range r.Sources {
		s.text(labelW+cell*float64(i)+cell/2, top-10, "middle", "hd", a.Name)
		s.text(labelW-10, top+h*float64(i)+h/2+5, "end", "lb", a.Name)
		for j, b := range r.Sources {
			v := shared(r, a, b)
			x, y := labelW+cell*float64(j), top+h*float64(i)
			share := float64(v) / float64(most)
			fill := fmt.Sprintf("rgba(49,130,189,%.2f)", 0.08+0.8*share)
			s.rect(x+1, y+1, cell-2, h-2, fill, fmt.Sprintf("%s and %s share %s profiles", a.Name, b.Name, count(v)))
			class := "v"
			if share > 0.55 {
				class = "vw"
			}
			s.text(x+cell/2, y+h/2+5, "middle", class, count(v))
		}
	}
	return s.String()
}

// reachBars draws, per channel, the profiles that consented, whose
// consent is unknown, that denied, that have no valid contact value and
// that are suppressed.
func reachBars(r *Report) string {
	const labelW, barW, rowH, countsW = 90.0, 520.0, 34.0, 270.0
	s := newSVG(int(labelW+barW+countsW), int(rowH*4+8), "profiles reachable by channel and consent")
	total := float64(r.Reach.Profiles)
	for i, c := range []struct {
		name string
		cr   ChannelReach
	}{{"Email", r.Reach.Email}, {"SMS", r.Reach.SMS}, {"Phone", r.Reach.Phone}, {"Post", r.Reach.Post}} {
		y := 4 + rowH*float64(i)
		s.text(labelW-8, y+rowH/2+5, "end", "lb", c.name)
		x := labelW
		for _, seg := range []struct {
			n    int
			fill string
			what string
		}{
			{c.cr.Consented, "#1a9850", "with a contact value and consent granted"},
			{c.cr.Unknown, "#fdae61", "with a contact value, consent unknown"},
			{c.cr.Denied, "#d73027", "with a contact value, consent denied"},
			{c.cr.NoValue, "#e6e6e6", "without a valid contact value"},
			{c.cr.Suppressed, "#555555", "suppressed"},
		} {
			if seg.n <= 0 || total == 0 {
				continue
			}
			w := barW * float64(seg.n) / total
			s.rect(x, y+4, w, rowH-8, seg.fill, fmt.Sprintf("%s: %s profiles %s", c.name, count(seg.n), seg.what))
			x += w
		}
		s.text(labelW+barW+10, y+rowH/2+5, "start", "ct",
			fmt.Sprintf("%s reachable · %s consented", count(c.cr.Reachable), count(c.cr.Consented)))
	}
	return s.String()
}

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"score": score,
	"lastPoint": func(h []SyncPoint) *SyncPoint {
		if len(h) == 0 {
			return nil
		}
		return &h[len(h)-1]
	},
	"count":  count,
	"dim":    dim,
	"dash":   orDash,
	"phrase": dragPhrase,
	"points": points,
	"pct": func(n, of int) string {
		if of == 0 {
			return "0%"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
	},
	"date": func(r *Report) string { return r.GeneratedAt.Format("2 January 2006, 15:04 MST") },
}).Parse(pageHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Customer data quality audit</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#222;margin:0;background:#f6f7f9}
main{max-width:1160px;margin:0 auto;padding:28px 32px 48px;background:#fff}
h1{font-size:28px;margin:0 0 4px}
h2{font-size:20px;margin:36px 0 6px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:16px;margin:22px 0 6px}
p.lead{font-size:17px;line-height:1.5;max-width:900px}
p.note{color:#555;font-size:13.5px;max-width:900px;margin:4px 0 10px}
.muted{color:#666}
.tiles{display:flex;gap:16px;flex-wrap:wrap;margin:18px 0}
.tile{border:1px solid #e2e2e2;border-radius:8px;padding:12px 18px;min-width:150px}
.tile b{display:block;font-size:28px}
.tile span{color:#555;font-size:13px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{padding:4px 10px;border-bottom:1px solid #eee;text-align:right;vertical-align:top}
th{background:#fafafa;font-weight:600}
th:first-child,td:first-child,td.l,th.l{text-align:left}
td:first-child{white-space:nowrap}
.small{font-size:11.5px}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;background:#f3f3f3;padding:1px 4px;border-radius:3px}
svg text{font-family:inherit;font-size:13px;fill:#222}
svg text.hd{font-weight:600;font-size:12.5px}
svg text.lb{font-size:13px}
svg text.v{font-weight:600}
svg text.vw{font-weight:600;fill:#fff}
svg text.na{fill:#888;font-size:12px}
svg text.ct{font-size:12.5px;fill:#444}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:-1px;border-radius:2px}
</style>
</head>
<body>
<main>
<h1>Customer data quality audit</h1>
<div class="muted">Generated {{date .R}}</div>
<p class="lead">{{.Summary}}</p>
<div class="tiles">
<div class="tile"><b>{{score .R.OverallScore}}</b><span>overall quality score (0–1)</span></div>
<div class="tile"><b>{{count .R.Records}}</b><span>customer records</span></div>
<div class="tile"><b>{{count .R.Profiles}}</b><span>distinct people</span></div>
<div class="tile"><b>{{count .R.Quarantined}}</b><span>unreadable rows</span></div>
</div>

<h2>How good is each source?</h2>
<p class="note">Each cell scores one aspect from 0 (worst) to 1 (best): are the fields filled in (complete), do the values pass their checks (valid), does the source hold each person once (unique), do its values agree with the person's golden profile (consistent), and were records updated recently (up to date). A source's score is the mean of the aspects that apply; the overall score weights sources by their records. Colours run from red (0.5 or less) through amber (0.75) to green (1).</p>
{{.ScoreChart}}
<table>
<tr><th>source</th><th>records</th><th>deleted</th><th>unreadable rows</th><th>people</th><th>duplicates</th><th>score</th><th>complete</th><th>valid</th><th>unique</th><th>consistent</th><th>up to date</th></tr>
{{range .R.Sources}}<tr><td>{{.Name}}</td><td>{{count .Records}}</td><td>{{count .Deleted}}</td><td>{{count .Quarantined}}</td><td>{{count .Profiles}}</td><td>{{count .Duplicates}}</td><td>{{score .Score}}</td>{{with .Dimensions}}<td>{{template "ratio" .Completeness}}</td><td>{{template "ratio" .Validity}}</td><td>{{template "ratio" .Uniqueness}}</td><td>{{template "ratio" .Consistency}}</td><td>{{template "ratio" .Timeliness}}</td>{{end}}</tr>
{{end}}</table>

{{if .Drags}}<h2>What pulls the score down most</h2>
<p class="note">Points of the overall score lost to each problem; fixing it at the source wins them back. All the points together are the gap between the overall score and 1.</p>
<table>
<tr><th>problem</th><th class="l">source</th><th class="l">field</th><th class="l">aspect</th><th>points lost</th><th>offending</th></tr>
{{range .Drags}}<tr><td>{{phrase .}}</td><td class="l">{{.Source}}</td><td class="l">{{dash .Field}}</td><td class="l">{{.Dimension}}</td><td>{{points .Points}}</td><td>{{count .Count}} of {{count .Of}}</td></tr>
{{end}}</table>{{end}}

<h2>Which fields need fixing?</h2>
<p class="note legend">Each bar is all records of the source: <span style="background:#1a9850"></span>valid <span style="background:#d73027"></span>invalid <span style="background:#cfcfcf"></span>missing</p>
{{range .FieldCharts}}<h3>{{.Source.Name}} <span class="muted">({{count .Source.Records}} records)</span></h3>
{{.SVG}}
<table>
<tr><th>field</th><th>present</th><th>missing</th><th>valid</th><th>invalid</th><th>completeness</th><th>validity</th><th>consistency</th><th class="l">examples of invalid values (row: value — reason)</th></tr>
{{range .Source.Fields}}{{template "field" .}}{{end}}{{range .Source.Identifiers}}{{template "field" .}}{{end}}{{range .Source.Columns}}{{template "field" .}}{{end}}</table>
{{end}}

{{if .OverlapChart}}<h2>How much do the sources overlap?</h2>
<p class="note">Number of people found in both sources of each pair; the diagonal is the people in each source.</p>
{{.OverlapChart}}
<table>
<tr><th>source</th><th class="l">shares with</th><th>people</th></tr>
{{range .R.Overlap}}<tr><td>{{.A}}</td><td class="l">{{.B}}</td><td>{{count .Profiles}}</td></tr>
{{end}}</table>{{end}}

{{if .HistoryChart}}<h2>Is data quality getting better?</h2>
<p class="note">Each source's score (completeness and validity of the records it read) at every sync, oldest on the left; hover a dot for its figures.</p>
{{.HistoryChart}}
<table>
<tr><th>source</th><th class="l">last sync</th><th>syncs</th><th>latest score</th></tr>
{{range .R.Sources}}<tr><td>{{.Name}}</td><td class="l">{{if .LastSync.IsZero}}never{{else}}{{.LastSync.Format "2006-01-02 15:04:05Z07:00"}}{{end}}</td><td>{{len .History}}</td><td>{{with lastPoint .History}}{{score .Score}}{{else}}—{{end}}</td></tr>
{{end}}</table>{{end}}

<h2>Who can marketing reach?</h2>
<p class="note legend">Of {{count .R.Reach.Profiles}} people (golden profiles): <span style="background:#1a9850"></span>consent granted <span style="background:#fdae61"></span>consent unknown <span style="background:#d73027"></span>consent denied <span style="background:#e6e6e6"></span>no valid contact value <span style="background:#555555"></span>suppressed. A person is reachable with a valid golden contact value, consent granted (or not denied on an opt-out channel) and no suppression. Post needs an address line with a town or postcode.</p>
{{.ReachChart}}
<table>
<tr><th>channel</th><th>reachable</th><th>consented</th><th>denied</th><th>unknown</th><th>no valid value</th><th>suppressed</th><th>reachable share</th></tr>
<tr><td>email</td>{{template "reach" .R.Reach.Email}}<td>{{pct .R.Reach.Email.Reachable .R.Reach.Profiles}}</td></tr>
<tr><td>sms</td>{{template "reach" .R.Reach.SMS}}<td>{{pct .R.Reach.SMS.Reachable .R.Reach.Profiles}}</td></tr>
<tr><td>phone</td>{{template "reach" .R.Reach.Phone}}<td>{{pct .R.Reach.Phone.Reachable .R.Reach.Profiles}}</td></tr>
<tr><td>post</td>{{template "reach" .R.Reach.Post}}<td>{{pct .R.Reach.Post.Reachable .R.Reach.Profiles}}</td></tr>
</table>

{{if .R.WorstOffenders}}<h2>Rows to fix first</h2>
<p class="note">The rows with the most invalid values, then the most missing fields, for the data owners to correct at the source.</p>
<table>
<tr><th>source</th><th>row</th><th class="l">record id</th><th>invalid</th><th>missing</th><th class="l">problems</th></tr>
{{range .R.WorstOffenders}}<tr><td>{{.Source}}</td><td>{{.Row}}</td><td class="l">{{.ID}}</td><td>{{.Invalid}}</td><td>{{.Missing}}</td><td class="l">{{range $i, $p := .Problems}}{{if $i}}<br>{{end}}{{$p.Field}} <code>{{$p.Raw}}</code> — {{$p.Reason}}{{end}}</td></tr>
{{end}}</table>{{end}}

{{if .R.Quarantined}}<h2>Rows that could not be read</h2>
<p class="note">These rows never became customer records; they are not in the scores above.</p>
<table>
<tr><th>source</th><th class="l">reason</th><th>rows</th><th class="l">examples (row: raw row)</th></tr>
{{range $s := .R.Sources}}{{range .Quarantine}}<tr><td>{{$s.Name}}</td><td class="l">{{.Reason}}</td><td>{{count .Count}}</td><td class="l">{{range $i, $x := .Samples}}{{if $i}}<br>{{end}}{{$x.Row}}: <code>{{$x.Raw}}</code>{{end}}</td></tr>
{{end}}{{end}}</table>{{end}}
</main>
</body>
</html>
{{define "ratio"}}{{if .}}{{score .Score}}<br><span class="muted small">{{count .Count}}/{{count .Of}}</span>{{else}}<span class="muted">n/a</span>{{end}}{{end}}
{{define "reach"}}<td>{{count .Reachable}}</td><td>{{count .Consented}}</td><td>{{count .Denied}}</td><td>{{count .Unknown}}</td><td>{{count .NoValue}}</td><td>{{count .Suppressed}}</td>{{end}}
{{define "field"}}<tr><td>{{.Name}}</td><td>{{count .Present}}</td><td>{{count .Missing}}</td><td>{{count .Valid}}</td><td>{{count .Invalid}}</td><td>{{score .Completeness}}</td><td>{{score .Validity}}</td><td>{{dim .Consistency}}</td><td class="l">{{range $i, $x := .Samples}}{{if $i}}<br>{{end}}{{$x.Row}}: <code>{{$x.Raw}}</code> — {{$x.Reason}}{{end}}{{range .Disagreements}}<br>{{.Row}}: <code>{{.Raw}}</code> disagrees: {{.Reason}}{{end}}</td></tr>
{{end}}`
