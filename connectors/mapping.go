package connectors

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors/row"
	"github.com/scvhq/scv/customer"
)

// ErrUnknownColumn is wrapped by NewMapping's error when the configuration
// names a column the header lacks or holds more than once.
var ErrUnknownColumn = errors.New("column not in the header")

// Mapping turns rows of one source into records. NewMapping resolves the
// configured column names to indexes once; Read then only indexes rows.
// A Mapping is read-only after NewMapping and safe for concurrent use.
type Mapping struct {
	source    string
	width     int // number of header columns
	id        int
	idName    string
	updatedAt int      // -1 when the source has no updated_at column
	deleted   int      // -1 when the source has no deleted column
	maxValue  int      // attribute values are cut to it
	layouts   []string // accepted layouts of updated_at, most likely first

	fields      []fieldColumns
	identifiers []namedColumn
	attributes  []namedColumn
	consent     []consentColumn
}

// consentColumn reads one channel's consent.
type consentColumn struct {
	channel string
	col     int
	at      int // -1 when the source has no time column for the channel
	words   map[string]customer.ConsentStatus
}

type fieldColumns struct {
	field customer.Field
	cols  []int
}

type namedColumn struct {
	name string
	col  int
}

// NewMapping compiles src's id, updated_at, map, identifiers, attributes
// and consent against a header. A configured column that the header lacks,
// or holds twice, is an error naming the source and every such column.
func NewMapping(src config.Source, header []string) (*Mapping, error) {
	index := make(map[string]int, len(header))
	for i, h := range header {
		if _, dup := index[h]; dup {
			index[h] = -1
			continue
		}
		index[h] = i
	}
	var problems []string
	col := func(name, use string) int {
		i, ok := index[name]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%q (%s) is missing", name, use))
		case i < 0:
			problems = append(problems, fmt.Sprintf("%q (%s) appears more than once", name, use))
		}
		return i
	}

	m := &Mapping{
		source:    src.Name,
		width:     len(header),
		idName:    src.ID,
		updatedAt: -1,
		deleted:   -1,
		maxValue:  src.MaxValue,
		layouts:   timeLayouts(src.DateFormat),
	}
	m.id = col(src.ID, "id")
	if src.UpdatedAt != "" {
		m.updatedAt = col(src.UpdatedAt, "updated_at")
	}
	if src.Deleted != "" {
		m.deleted = col(src.Deleted, "deleted")
	}
	byField := map[customer.Field]int{} // index into m.fields
	for _, name := range slices.Sorted(maps.Keys(src.Map)) {
		f, ok := customer.ParseField(name)
		if !ok {
			return nil, fmt.Errorf("source %q (%s): map: %q is not a canonical field", src.Name, src.Pos, name)
		}
		i, seen := byField[f]
		if !seen {
			i = len(m.fields)
			byField[f] = i
			m.fields = append(m.fields, fieldColumns{field: f})
		}
		for _, c := range src.Map[name] {
			m.fields[i].cols = append(m.fields[i].cols, col(c, "map."+name))
		}
	}
	named := func(kind string, cfg map[string]string) []namedColumn {
		var out []namedColumn
		for _, name := range slices.Sorted(maps.Keys(cfg)) {
			out = append(out, namedColumn{name: name, col: col(cfg[name], kind+"."+name)})
		}
		return out
	}
	m.identifiers = named("identifiers", src.Identifiers)
	m.attributes = named("attributes", src.Attributes)
	for _, ch := range slices.Sorted(maps.Keys(src.Consent)) {
		c := src.Consent[ch]
		cc := consentColumn{channel: ch, col: col(c.Column, "consent."+ch), at: -1, words: consentWords(c)}
		if c.At != "" {
			cc.at = col(c.At, "consent."+ch+".at")
		}
		m.consent = append(m.consent, cc)
	}

	if len(problems) > 0 {
		what := "header of " + src.Path
		if src.Path == "" {
			what = "columns read"
		}
		return nil, fmt.Errorf("source %q (%s): %s: %w: %s; the source has %s",
			src.Name, src.Pos, what, ErrUnknownColumn, strings.Join(problems, ", "), quoteAll(header))
	}
	return m, nil
}

// record maps one row onto a record with Source, ID, Row, UpdatedAt and
// the Raw of each mapped field, identifier, attribute and consent value.
// Several columns mapped to email or phone give one value each; several
// columns mapped to another field join with one space, skipping empty
// parts. Empty identifier, attribute and consent values are left out.
//
// An updated_at value that no accepted layout parses leaves UpdatedAt zero
// and sets badTime, but is not an error: the row is still a good record
// that keeps the value in UpdatedRaw, an invalid value the audit reports,
// and Read counts such rows in Stats.BadUpdatedAt. A consent value that
// is neither a granted nor a denied word is kept as an invalid answer
// (Raw set, status unknown); the time of a consent answer comes from the
// channel's "at" column when the source has one. The accepted layouts
// are RFC 3339, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02"
// (all UTC unless they carry an offset) and the source's date_format with
// an optional " 15:04:05" or " 15:04".
//
// record does not normalize. It returns a *RowError for a row whose id is
// empty or whose number of values differs from the header's.
func (m *Mapping) record(r Row) (rec customer.Record, badTime bool, err error) {
	if len(r.Values) != m.width {
		return customer.Record{}, false, &RowError{
			Source: m.source, Line: r.Line, Raw: r.Raw, Err: ErrColumnCount,
			Reason: fmt.Sprintf("wrong number of columns: %d, the header has %d", len(r.Values), m.width),
		}
	}
	id := strings.TrimSpace(r.Values[m.id])
	if id == "" {
		return customer.Record{}, false, &RowError{
			Source: m.source, Line: r.Line, Field: m.idName, Reason: "no record id", Raw: r.Raw, Err: ErrNoID,
		}
	}
	rec = customer.Record{
		Source:  m.source,
		ID:      strings.Clone(id), // so that keeping the id does not keep the whole row
		Row:     r.Line,
		Deleted: r.Deleted,
	}
	if m.deleted >= 0 && IsDeleted(r.Values[m.deleted]) {
		rec.Deleted = true
	}
	if m.updatedAt >= 0 {
		v := strings.TrimSpace(r.Values[m.updatedAt])
		var ok bool
		rec.UpdatedAt, ok = m.parseTime(v)
		badTime = !ok && v != ""
	}
	for _, fc := range m.fields {
		if fc.field == customer.Email || fc.field == customer.Phone {
			for _, c := range fc.cols {
				if r.Lists != nil && r.Lists[c] != nil {
					for _, v := range r.Lists[c] {
						if v = strings.TrimSpace(v); v != "" {
							rec.Add(fc.field, customer.Value{Raw: v})
						}
					}
					continue
				}
				if v := strings.TrimSpace(r.Values[c]); v != "" {
					rec.Add(fc.field, customer.Value{Raw: v})
				}
			}
			continue
		}
		rec.Fields[fc.field].Raw = join(r.Values, fc.cols)
	}
	for _, nc := range m.identifiers {
		if v := strings.TrimSpace(r.Values[nc.col]); v != "" {
			if rec.Identifiers == nil {
				rec.Identifiers = make(map[string]customer.Value, len(m.identifiers))
			}
			rec.Identifiers[nc.name] = customer.Value{Raw: v}
		}
	}
	for _, nc := range m.attributes {
		if v := strings.TrimSpace(r.Values[nc.col]); v != "" {
			if rec.Attributes == nil {
				rec.Attributes = make(map[string]string, len(m.attributes))
			}
			rec.Attributes[nc.name] = row.Truncate(v, m.maxValue)
		}
	}
	for _, cc := range m.consent {
		v := strings.TrimSpace(r.Values[cc.col])
		if v == "" {
			continue
		}
		if rec.Consent == nil {
			rec.Consent = make(map[string]customer.Consent, len(m.consent))
		}
		c := customer.Consent{Status: cc.words[strings.ToLower(v)], Raw: strings.Clone(v)}
		if cc.at >= 0 && c.Status != customer.ConsentUnknown {
			c.At, _ = m.parseTime(strings.TrimSpace(r.Values[cc.at]))
		}
		rec.Consent[cc.channel] = c
	}
	if badTime {
		rec.UpdatedRaw = strings.Clone(strings.TrimSpace(r.Values[m.updatedAt]))
	}
	return rec, badTime, nil
}

// join returns the non-empty trimmed values at cols joined with one space.
// It allocates only when more than one part is non-empty.
func join(vals []string, cols []int) string {
	var first string
	n, size := 0, 0
	for _, c := range cols {
		if v := strings.TrimSpace(vals[c]); v != "" {
			if n == 0 {
				first = v
			}
			n++
			size += len(v) + 1
		}
	}
	if n <= 1 {
		return first
	}
	var b strings.Builder
	b.Grow(size - 1)
	for _, c := range cols {
		if v := strings.TrimSpace(vals[c]); v != "" {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(v)
		}
	}
	return b.String()
}

// IsDeleted reads a deleted column: a soft-delete flag is deleted when it
// is yes, y, true, t or 1 (any case) and not when no, n, false, f or 0; any
// other non-empty value, such as a deletion time, is deleted; an empty
// value (or NULL) is not.
func IsDeleted(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "no", "n", "false", "f", "0":
		return false
	}
	return true
}

// consentWords maps the lower-cased granted and denied words of c, or
// the default words, to their status.
func consentWords(c config.Consent) map[string]customer.ConsentStatus {
	granted, denied := c.Granted, c.Denied
	if granted == nil {
		granted = config.DefaultGranted()
	}
	if denied == nil {
		denied = config.DefaultDenied()
	}
	out := make(map[string]customer.ConsentStatus, len(granted)+len(denied))
	for _, w := range granted {
		out[strings.ToLower(w)] = customer.ConsentGranted
	}
	for _, w := range denied {
		out[strings.ToLower(w)] = customer.ConsentDenied
	}
	return out
}

// timeLayouts returns the accepted layouts of updated_at under a source's
// date_format: the ISO ones, then the format's date (one or two digits of
// day and month) alone or with a time of day.
func timeLayouts(dateFormat string) []string {
	layouts := []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", time.DateOnly}
	l, ok := customer.ParseDateFormat(dateFormat)
	if !ok || l.Order == [3]byte{'y', 'm', 'd'} && l.Sep == '-' {
		return layouts
	}
	date := l.GoLayout()
	if l.Sep != 0 {
		date = strings.NewReplacer("02", "2", "01", "1").Replace(date)
	}
	return append(layouts, date+" 15:04:05", date+" 15:04", date)
}

// parseTime parses an updated_at value. ISO values go straight to the
// layout their shape calls for, so that a file of them costs no failed
// attempts; anything else tries every layout in turn.
func (m *Mapping) parseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if len(s) >= 10 && s[4] == '-' {
		layout := time.RFC3339Nano
		switch {
		case len(s) == 10:
			layout = time.DateOnly
		case s[10] == ' ' && hasOffset(s):
			layout = "2006-01-02 15:04:05Z07"
			if s[len(s)-3] == ':' {
				layout = "2006-01-02 15:04:05Z07:00"
			}
		case s[10] == ' ':
			layout = "2006-01-02 15:04:05"
		case len(s) == 19:
			layout = "2006-01-02T15:04:05"
		}
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	for _, l := range m.layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// hasOffset reports whether a "2006-01-02 15:04:05…" value ends in a
// zone offset such as "+00" or "-05:30", as PostgreSQL prints them.
func hasOffset(s string) bool {
	if len(s) < 22 {
		return false
	}
	tail := s[19:]
	return strings.ContainsAny(tail, "+-Z")
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
