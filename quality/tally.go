package quality

import (
	"strings"
	"time"

	"github.com/scvhq/scv/customer"
)

// Source describes one configured source to the scorer.
type Source struct {
	Name string

	// Freshness is the timeliness window: a record updated within it of
	// Options.Now is timely. Timeliness applies only when HasUpdatedAt is
	// set and Freshness is positive.
	Freshness    time.Duration
	HasUpdatedAt bool // the source maps updated_at

	// MappedFields are the canonical fields the source maps. Completeness
	// and validity are scored over them; nil means the fields that hold a
	// value in at least one of the source's records.
	MappedFields []customer.Field

	// Identifiers are the strong identifier kinds the source maps, such as
	// "national_id"; kinds seen in records are reported too.
	Identifiers []string
}

// Options configure a Tally and Compute. The zero value works.
type Options struct {
	Sources []Source  // configured sources, in report order; others found in the data follow by name
	Samples int       // samples kept per field, quarantine reason and worst-rows list; 0 means 5, negative means none
	Now     time.Time // reference time for timeliness and generated_at; zero means time.Now()
}

func (o Options) withDefaults() Options {
	if o.Samples == 0 {
		o.Samples = 5
	}
	if o.Samples < 0 {
		o.Samples = 0
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	return o
}

// Counts are the exact counts behind a field's scores. For a record, a
// multi-valued field (email, phone) is present when any of its values is,
// invalid when any present value is invalid, and valid otherwise; so
// Present+Missing is the number of records and Valid+Invalid is Present.
type Counts struct {
	Present int `json:"present"`
	Missing int `json:"missing"`
	Valid   int `json:"valid"`
	Invalid int `json:"invalid"`
}

// Sample is one offending value, named so that a data owner can find and
// fix it at the source.
type Sample struct {
	Source string `json:"source"`
	Row    int64  `json:"row"` // 1-based row in the source; 0 when unknown
	ID     string `json:"id,omitempty"`
	Field  string `json:"field"`
	Raw    string `json:"raw"`
	Reason string `json:"reason"`
}

// Offender is one of the rows with the most problems: invalid values first,
// then missing mapped fields.
type Offender struct {
	Source   string   `json:"source"`
	Row      int64    `json:"row"`
	ID       string   `json:"id"`
	Invalid  int      `json:"invalid"`
	Missing  int      `json:"missing"`
	Problems []Sample `json:"problems"` // the row's invalid values
}

// Tally counts present, missing, valid and invalid values per source and
// canonical field (and strong identifier) as records stream by, with up
// to Options.Samples offending values per field, the worst rows, and the
// quarantined rows by reason. Add does not allocate once a source has
// been seen and its sample lists are full. A Tally is not safe for
// concurrent use.
type Tally struct {
	opts    Options
	sources []*sourceTally
	byName  map[string]*sourceTally
	last    *sourceTally
}

// NewTally returns an empty Tally.
func NewTally(opts Options) *Tally {
	opts = opts.withDefaults()
	t := &Tally{opts: opts, byName: make(map[string]*sourceTally)}
	for i := range opts.Sources {
		t.source(opts.Sources[i].Name, &opts.Sources[i])
	}
	return t
}

type fieldTally struct {
	Counts
	samples []Sample
}

type sourceTally struct {
	cfg      Source
	known    bool // cfg came from Options
	mapped   [customer.NumFields]bool
	nmapped  int
	records  int
	timely   int
	fields   [customer.NumFields]fieldTally
	idents   map[string]*fieldTally
	identOrd []string
	cols     map[string]*fieldTally // updated_at and consent.<channel>
	colOrd   []string
	worst    []Offender // sorted worst first, at most Samples

	quarantined int
	reasons     map[string]*reasonTally
	reasonOrd   []string
}

type reasonTally struct {
	count   int
	samples []Sample
}

func (t *Tally) source(name string, cfg *Source) *sourceTally {
	if s := t.byName[name]; s != nil {
		return s
	}
	s := &sourceTally{idents: make(map[string]*fieldTally), cols: make(map[string]*fieldTally), reasons: make(map[string]*reasonTally)}
	s.cfg.Name = strings.Clone(name)
	if cfg != nil {
		s.cfg = *cfg
		s.known = true
		for _, f := range cfg.MappedFields {
			if f < customer.NumFields && !s.mapped[f] {
				s.mapped[f] = true
				s.nmapped++
			}
		}
		for _, k := range cfg.Identifiers {
			s.ident(k)
		}
	}
	t.sources = append(t.sources, s)
	t.byName[s.cfg.Name] = s
	return s
}

func (s *sourceTally) ident(kind string) *fieldTally {
	if it := s.idents[kind]; it != nil {
		return it
	}
	kind = strings.Clone(kind)
	it := &fieldTally{}
	s.idents[kind] = it
	s.identOrd = append(s.identOrd, kind)
	return it
}

// Add counts one live record. r is not retained: values kept as samples
// are copied, so r may be reused after Add returns.
func (t *Tally) Add(r *customer.Record) {
	s := t.last
	if s == nil || s.cfg.Name != r.Source {
		s = t.source(r.Source, nil)
		t.last = s
	}
	s.records++
	if s.cfg.HasUpdatedAt && s.cfg.Freshness > 0 && !r.UpdatedAt.IsZero() &&
		t.opts.Now.Sub(r.UpdatedAt) <= s.cfg.Freshness {
		s.timely++
	}

	// Fold every value of each field into one status per record: invalid
	// beats valid beats missing.
	var st [customer.NumFields]customer.Status
	for f := range st {
		st[f] = r.Fields[f].Status
	}
	for i := range r.Extra {
		e := &r.Extra[i]
		if e.Field < customer.NumFields && worse(e.Value.Status, st[e.Field]) {
			st[e.Field] = e.Value.Status
		}
	}
	invalid, missing := 0, 0
	for f := range st {
		ft := &s.fields[f]
		switch st[f] {
		case customer.Missing:
			ft.Missing++
			if s.mapped[f] {
				missing++
			}
			continue
		case customer.Valid:
			ft.Valid++
		case customer.Invalid:
			ft.Invalid++
			invalid++
		}
		ft.Present++
	}
	if invalid > 0 {
		t.sampleInvalid(s, r)
	}
	for kind, v := range r.Identifiers {
		it := s.idents[kind]
		if it == nil {
			it = s.ident(kind)
		}
		switch v.Status {
		case customer.Missing:
			continue
		case customer.Valid:
			it.Valid++
		case customer.Invalid:
			it.Invalid++
			if len(it.samples) < t.opts.Samples {
				it.samples = append(it.samples, sample(r, kind, v))
			}
		}
		it.Present++
	}
	if r.UpdatedRaw != "" || !r.UpdatedAt.IsZero() {
		t.column(s, r, "updated_at", r.UpdatedRaw, r.UpdatedRaw != "",
			"not a time in an accepted layout (RFC 3339, yyyy-mm-dd[ hh:mm:ss] or the source's date_format)")
	}
	for ch, c := range r.Consent {
		if c.Raw != "" || c.Status != customer.ConsentUnknown {
			t.column(s, r, "consent."+ch, c.Raw, c.Invalid(), "neither a granted nor a denied word of the source's consent")
		}
	}
	if t.opts.Samples > 0 && (invalid > 0 || missing > 0) && s.qualifies(invalid, missing, t.opts.Samples) {
		s.insertWorst(offender(r, invalid, missing), t.opts.Samples)
	}
}

// column counts one present value of a column that is not a canonical
// field (updated_at, consent.<channel>); an invalid one is sampled.
func (t *Tally) column(s *sourceTally, r *customer.Record, name, raw string, invalid bool, reason string) {
	ct := s.cols[name]
	if ct == nil {
		name = strings.Clone(name)
		ct = &fieldTally{}
		s.cols[name] = ct
		s.colOrd = append(s.colOrd, name)
	}
	ct.Present++
	if !invalid {
		ct.Valid++
		return
	}
	ct.Invalid++
	if len(ct.samples) < t.opts.Samples {
		ct.samples = append(ct.samples, sample(r, name, customer.Value{Raw: raw, Status: customer.Invalid, Reason: reason}))
	}
}

// worse reports whether status a outranks b when folding the values of
// one field: invalid, then valid, then missing.
func worse(a, b customer.Status) bool {
	rank := func(s customer.Status) int {
		switch s {
		case customer.Invalid:
			return 2
		case customer.Valid:
			return 1
		}
		return 0
	}
	return rank(a) > rank(b)
}

func (t *Tally) sampleInvalid(s *sourceTally, r *customer.Record) {
	for f := customer.Field(0); f < customer.NumFields; f++ {
		ft := &s.fields[f]
		if len(ft.samples) >= t.opts.Samples {
			continue
		}
		r.Each(f, func(v customer.Value) bool {
			if v.Status == customer.Invalid && len(ft.samples) < t.opts.Samples {
				ft.samples = append(ft.samples, sample(r, f.String(), v))
			}
			return true
		})
	}
}

func sample(r *customer.Record, field string, v customer.Value) Sample {
	return Sample{
		Source: strings.Clone(r.Source),
		Row:    r.Row,
		ID:     strings.Clone(r.ID),
		Field:  field,
		Raw:    strings.Clone(v.Raw),
		Reason: strings.Clone(v.Reason),
	}
}

// qualifies reports whether a row with these counts enters the worst-rows
// list: it must rank strictly above the last kept row, so that earlier
// rows win ties and a full list costs nothing.
func (s *sourceTally) qualifies(invalid, missing, n int) bool {
	if len(s.worst) < n {
		return true
	}
	w := s.worst[len(s.worst)-1]
	return invalid > w.Invalid || invalid == w.Invalid && missing > w.Missing
}

func offender(r *customer.Record, invalid, missing int) Offender {
	o := Offender{
		Source:  strings.Clone(r.Source),
		Row:     r.Row,
		ID:      strings.Clone(r.ID),
		Invalid: invalid,
		Missing: missing,
	}
	for f := customer.Field(0); f < customer.NumFields; f++ {
		r.Each(f, func(v customer.Value) bool {
			if v.Status == customer.Invalid {
				o.Problems = append(o.Problems, sample(r, f.String(), v))
			}
			return true
		})
	}
	return o
}

// insertWorst places o in the sorted worst list, after rows that rank
// equal, and drops the list's tail beyond n.
func (s *sourceTally) insertWorst(o Offender, n int) {
	i := len(s.worst)
	for i > 0 {
		w := s.worst[i-1]
		if o.Invalid > w.Invalid || o.Invalid == w.Invalid && o.Missing > w.Missing {
			i--
			continue
		}
		break
	}
	s.worst = append(s.worst, Offender{})
	copy(s.worst[i+1:], s.worst[i:])
	s.worst[i] = o
	if len(s.worst) > n {
		s.worst = s.worst[:n]
	}
}

// AddQuarantined counts one row of source that could not become a record.
// Rows are grouped by their reason with every run of digits replaced by
// "N", so "duplicate id, first seen at row 12" and "… row 40" share a
// group; each group keeps up to Options.Samples rows.
func (t *Tally) AddQuarantined(source string, row int64, field, raw, reason string) {
	s := t.source(source, nil)
	s.quarantined++
	key := reasonClass(reason)
	rt := s.reasons[key]
	if rt == nil {
		rt = &reasonTally{}
		s.reasons[key] = rt
		s.reasonOrd = append(s.reasonOrd, key)
	}
	rt.count++
	if len(rt.samples) < t.opts.Samples {
		rt.samples = append(rt.samples, Sample{
			Source: strings.Clone(source), Row: row, Field: strings.Clone(field),
			Raw: strings.Clone(raw), Reason: strings.Clone(reason),
		})
	}
}

// reasonClass replaces every run of ASCII digits in reason with "N".
func reasonClass(reason string) string {
	var b strings.Builder
	b.Grow(len(reason))
	digits := false
	for i := 0; i < len(reason); i++ {
		c := reason[i]
		if c >= '0' && c <= '9' {
			if !digits {
				b.WriteByte('N')
			}
			digits = true
			continue
		}
		digits = false
		b.WriteByte(c)
	}
	return b.String()
}
