package golden

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/scvhq/scv/customer"
)

// WriteText writes p's lineage for a reader: per golden field the value,
// the rule that chose it, every source row it came from (record, column,
// raw value, update time) and each value it beat; then consent and
// reachability per channel and the traits. Every value shown traces to a
// row.
func WriteText(w io.Writer, p *Profile) error {
	tw := &textWriter{w: w}
	tw.printf("profile %s (match confidence %.4f)\n", p.ID, p.Confidence)
	for f := customer.Field(0); f < customer.NumFields; f++ {
		for i, v := range p.Fields[f] {
			label := f.String()
			if i > 0 {
				label = fmt.Sprintf("%s #%d", f, i+1)
			}
			tw.printf("  %-15s %q  (%s)\n", label, v.Value, v.Rule)
			tw.origins("from", v.From)
			if i == 0 {
				tw.beaten(p.Beat[f])
			}
		}
		if len(p.Fields[f]) == 0 && len(p.Beat[f]) > 0 {
			tw.printf("  %-15s no value survived\n", f.String())
			tw.beaten(p.Beat[f])
		}
	}
	for _, ch := range slices.Sorted(maps.Keys(p.Consent)) {
		c, r := p.Consent[ch], p.Reach[ch]
		reach := "reachable"
		if !r.Reachable {
			reach = "not reachable: " + r.Reason
		}
		tw.printf("  consent %-7s %s%s; %s\n", ch, c.Status, dated(c.At), reach)
		if c.From != nil {
			tw.origins("from", []Origin{*c.From})
		}
		tw.beaten(c.Beat)
	}
	for _, name := range slices.Sorted(maps.Keys(p.Attributes)) {
		a := p.Attributes[name]
		tw.printf("  trait %-9s %q  (%s)\n", name, a.Value, a.Rule)
		tw.origins("from", a.From)
		tw.beaten(a.Beat)
	}
	return tw.err
}

type textWriter struct {
	w   io.Writer
	err error
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

func (t *textWriter) origins(label string, os []Origin) {
	for _, o := range os {
		col := o.Column
		if col == "" {
			col = "?"
		}
		t.printf("      %-4s %s column %s = %q%s\n", label, o.Record, col, o.Raw, dated(o.UpdatedAt))
		label = ""
	}
}

func (t *textWriter) beaten(bs []Beaten) {
	for _, b := range bs {
		var from []string
		for _, o := range b.From {
			from = append(from, fmt.Sprintf("%s %q", o.Record, o.Raw))
		}
		t.printf("      beat %q by %s: %s\n", b.Value, b.Rule, strings.Join(from, ", "))
	}
}

func dated(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return ", " + t.Format(time.DateOnly)
	}
	return ", " + t.Format(time.RFC3339)
}
