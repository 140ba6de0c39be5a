package quality

import (
	"cmp"
	"slices"
	"time"

	"github.com/scvhq/scv/customer"
)

// Report is the data-quality report of a store: its JSON form is read by
// other programs, so its key names are a contract.
type Report struct {
	OverallScore float64        `json:"overall_score"` // record-weighted mean of the source scores
	GeneratedAt  time.Time      `json:"generated_at"`
	Records      int            `json:"records"`     // live records in all sources
	Quarantined  int            `json:"quarantined"` // rows of all sources that could not become records
	Profiles     int            `json:"profiles"`    // unified profiles: distinct people across sources
	Sources      []SourceReport `json:"sources"`
	Overlap      []Overlap      `json:"overlap"` // profiles shared by each pair of sources
	Reach        Reach          `json:"reach"`

	// Drags are what pull the overall score down most, largest first; the
	// points of all drags add up to 1 − OverallScore.
	Drags []Drag `json:"drags"`
	// WorstOffenders are the rows with the most invalid values, then the
	// most missing mapped fields, across all sources, worst first.
	WorstOffenders []Offender `json:"worst_offenders"`
}

// SourceReport is the quality of one source.
type SourceReport struct {
	Name        string     `json:"name"`
	Records     int        `json:"records"` // live records
	Deleted     int        `json:"deleted"`
	Quarantined int        `json:"quarantined"`
	Score       float64    `json:"score"` // mean of the dimensions that apply
	Dimensions  Dimensions `json:"dimensions"`
	Profiles    int        `json:"profiles"`   // distinct profiles the source's records belong to
	Duplicates  int        `json:"duplicates"` // Records − Profiles: records the resolver found to repeat a person of the same source
	// RecordScore is the mean record score: the share of a record's mapped
	// fields and identifiers that are present and valid, averaged over the
	// records.
	RecordScore float64       `json:"record_score"`
	Fields      []FieldReport `json:"fields"`
	Identifiers []FieldReport `json:"identifiers"`
	// Columns are the other mapped columns with values: updated_at and
	// consent.<channel>. Their invalid values (an update time that does
	// not parse, a consent word that is neither granted nor denied) are
	// reported with samples; they are not part of the scores.
	Columns    []FieldReport  `json:"columns"`
	Quarantine []ReasonReport `json:"quarantine"` // quarantined rows by reason
	WorstRows  []Offender     `json:"worst_rows"`
	// LastSync is when the source was last synced with changes; zero
	// when the store has no sync history of it.
	LastSync time.Time `json:"last_sync"`
	// History holds one point per sync that read the source, oldest
	// first: what it read and the score of the records it read.
	History []SyncPoint `json:"history"`
}

// Ratio is a score with the exact counts it comes from: Score = Count/Of.
type Ratio struct {
	Score float64 `json:"score"`
	Count int     `json:"count"`
	Of    int     `json:"of"`
}

func ratio(count, of int) *Ratio {
	if of <= 0 {
		return nil
	}
	return &Ratio{Score: float64(count) / float64(of), Count: count, Of: of}
}

// Dimensions are a source's scores per quality dimension; a dimension that
// does not apply is absent (null in JSON).
type Dimensions struct {
	Completeness *Ratio `json:"completeness"` // present values / (records × (mapped fields + identifiers))
	Validity     *Ratio `json:"validity"`     // valid / present values of mapped fields and identifiers
	Uniqueness   *Ratio `json:"uniqueness"`   // distinct profiles / records
	Consistency  *Ratio `json:"consistency"`  // values agreeing with their profile's golden value / values compared
	Timeliness   *Ratio `json:"timeliness"`   // records updated within the freshness window / records
}

// each calls fn for every dimension that applies, in a fixed order.
func (d *Dimensions) each(fn func(name string, r *Ratio)) {
	for _, x := range []struct {
		name string
		r    *Ratio
	}{
		{"completeness", d.Completeness},
		{"validity", d.Validity},
		{"uniqueness", d.Uniqueness},
		{"consistency", d.Consistency},
		{"timeliness", d.Timeliness},
	} {
		if x.r != nil {
			fn(x.name, x.r)
		}
	}
}

// FieldReport is the quality of one canonical field (or strong identifier)
// of one source. Completeness is Present/records; Validity is
// Valid/Present (1 when nothing is present: nothing is invalid);
// Uniqueness is the source's uniqueness, a record-level dimension.
type FieldReport struct {
	Name string `json:"name"`
	Counts
	Completeness float64  `json:"completeness"`
	Validity     float64  `json:"validity"`
	Uniqueness   float64  `json:"uniqueness"`
	Consistency  *Ratio   `json:"consistency"` // null when no value could be compared
	Samples      []Sample `json:"samples"`     // up to Options.Samples invalid values
	// Disagreements are up to Options.Samples values that disagree with
	// their profile's golden value; each Reason names the golden value and
	// the source row it came from, so both can be traced.
	Disagreements []Sample `json:"disagreements"`
}

// ReasonReport counts a source's quarantined rows that share a reason.
type ReasonReport struct {
	Reason  string   `json:"reason"` // with numbers replaced by N
	Count   int      `json:"count"`
	Samples []Sample `json:"samples"`
}

// Overlap is how many profiles two sources share.
type Overlap struct {
	A        string `json:"a"`
	B        string `json:"b"`
	Profiles int    `json:"profiles"`
}

// SyncPoint is one sync of a source in its history.
type SyncPoint struct {
	At          time.Time `json:"at"`
	Read        int       `json:"read"`
	Invalid     int       `json:"invalid"`
	Quarantined int       `json:"quarantined"`
	Score       float64   `json:"score"` // completeness and validity of the records read
}

// Reach is how many golden profiles marketing can reach on each channel.
type Reach struct {
	Profiles int          `json:"profiles"` // golden profiles
	Email    ChannelReach `json:"email"`    // a valid golden email
	SMS      ChannelReach `json:"sms"`      // a valid golden phone number
	Phone    ChannelReach `json:"phone"`    // a valid golden phone number
	Post     ChannelReach `json:"post"`     // a golden address line 1 with a locality or postal code, from one record
}

// channel returns the counts of channel ch.
func (r *Reach) channel(ch string) *ChannelReach {
	switch ch {
	case "email":
		return &r.Email
	case "sms":
		return &r.SMS
	case "phone":
		return &r.Phone
	}
	return &r.Post
}

// ChannelReach counts the golden profiles of one channel. A profile is
// reachable with a valid golden contact value, the channel's golden
// consent granted (or, on an opt-out channel, not denied) and no
// suppression. The golden consent is the most recent explicit statement
// among the members: a newer denial beats an older grant. Every profile
// is in exactly one of Suppressed, NoValue and WithValue, and every
// profile of WithValue in exactly one of Consented, Denied and Unknown.
type ChannelReach struct {
	Reachable  int `json:"reachable"`  // may be contacted on the channel
	WithValue  int `json:"with_value"` // not suppressed, with a valid contact value
	Consented  int `json:"consented"`  // with a value, consent granted
	Denied     int `json:"denied"`     // with a value, consent denied: never reachable
	Unknown    int `json:"unknown"`    // with a value, no statement: reachable only on an opt-out channel
	NoValue    int `json:"no_value"`   // not reachable: no valid contact value
	Suppressed int `json:"suppressed"` // not reachable: suppressed
}

// Drag is one part of the gap between the overall score and 1: the
// points (0..1) of the overall score lost to one dimension of one source,
// or of one field of it.
type Drag struct {
	Source    string  `json:"source"`
	Field     string  `json:"field,omitempty"` // empty for record-level dimensions
	Dimension string  `json:"dimension"`
	Points    float64 `json:"points"`
	Count     int     `json:"count"` // offending values or records
	Of        int     `json:"of"`
}

// Report returns the report of what the Tally has counted. Without
// profiles it has no uniqueness, consistency, overlap or reach; Compute
// adds them.
func (t *Tally) Report() *Report {
	return t.report(nil)
}

func (t *Tally) report(pa *profileStats) *Report {
	rep := &Report{GeneratedAt: t.opts.Now.UTC()}
	ordered := slices.Clone(t.sources)
	// Configured sources come first, in configuration order (a name
	// configured twice counts once); the others follow by name.
	nconf := 0
	for _, s := range t.sources {
		if s.known {
			nconf++
		}
	}
	slices.SortStableFunc(ordered[nconf:], func(a, b *sourceTally) int { return cmp.Compare(a.cfg.Name, b.cfg.Name) })
	for _, s := range ordered {
		sr := t.sourceReport(s, pa)
		rep.Records += sr.Records
		rep.Quarantined += sr.Quarantined
		rep.Sources = append(rep.Sources, sr)
	}
	weight := 0
	for _, sr := range rep.Sources {
		rep.OverallScore += float64(sr.Records) * sr.Score
		weight += sr.Records
	}
	if weight > 0 {
		rep.OverallScore /= float64(weight)
	}
	rep.Drags = drags(rep)
	rep.WorstOffenders = worstOverall(rep.Sources, t.opts.Samples)
	if pa != nil {
		rep.Profiles = pa.profiles
		rep.Reach = pa.reach
		rep.Overlap = pa.overlapFor(rep.Sources)
	}
	return rep
}

func (t *Tally) sourceReport(s *sourceTally, pa *profileStats) SourceReport {
	sr := SourceReport{Name: s.cfg.Name, Records: s.records, Quarantined: s.quarantined}
	var ps sourceProfiles
	if pa != nil && s.records > 0 {
		ps = pa.source(s.cfg.Name)
		sr.Profiles = ps.profiles
		sr.Duplicates = s.records - ps.profiles
		sr.Dimensions.Uniqueness = ratio(ps.profiles, s.records)
	}
	uniq := 1.0
	if sr.Dimensions.Uniqueness != nil {
		uniq = sr.Dimensions.Uniqueness.Score
	}
	for _, f := range s.mappedFields() {
		fr := fieldReport(f.String(), s.fields[f].Counts, s.records, uniq)
		fr.Samples = nonNil(s.fields[f].samples)
		fr.Consistency = ratio(ps.agree[f], ps.compared[f])
		fr.Disagreements = nonNil(ps.disagree[f])
		sr.Fields = append(sr.Fields, fr)
	}
	for _, kind := range s.identOrd {
		it := s.idents[kind]
		c := it.Counts
		c.Missing = s.records - c.Present
		fr := fieldReport(kind, c, s.records, uniq)
		fr.Samples = nonNil(it.samples)
		sr.Identifiers = append(sr.Identifiers, fr)
	}
	sr.Fields = nonNil(sr.Fields)
	sr.Identifiers = nonNil(sr.Identifiers)
	slices.Sort(s.colOrd)
	for _, name := range s.colOrd {
		ct := s.cols[name]
		c := ct.Counts
		c.Missing = s.records - c.Present
		fr := fieldReport(name, c, s.records, uniq)
		fr.Samples = nonNil(ct.samples)
		sr.Columns = append(sr.Columns, fr)
	}
	sr.Columns = nonNil(sr.Columns)

	if s.records > 0 {
		var present, valid, agree, compared int
		columns := 0
		for _, fr := range slices.Concat(sr.Fields, sr.Identifiers) {
			present += fr.Present
			valid += fr.Valid
			columns++
			if fr.Consistency != nil {
				agree += fr.Consistency.Count
				compared += fr.Consistency.Of
			}
		}
		sr.Dimensions.Completeness = ratio(present, s.records*columns)
		sr.Dimensions.Validity = ratio(valid, present)
		sr.Dimensions.Consistency = ratio(agree, compared)
		if s.cfg.HasUpdatedAt && s.cfg.Freshness > 0 {
			sr.Dimensions.Timeliness = ratio(s.timely, s.records)
		}
		if columns > 0 {
			sr.RecordScore = float64(valid) / float64(s.records*columns)
		}
	}
	n := 0
	sr.Dimensions.each(func(_ string, r *Ratio) {
		sr.Score += r.Score
		n++
	})
	if n > 0 {
		sr.Score /= float64(n)
	}

	for _, reason := range s.reasonOrd {
		rt := s.reasons[reason]
		sr.Quarantine = append(sr.Quarantine, ReasonReport{Reason: reason, Count: rt.count, Samples: nonNil(rt.samples)})
	}
	slices.SortStableFunc(sr.Quarantine, func(a, b ReasonReport) int { return cmp.Compare(b.Count, a.Count) })
	sr.Quarantine = nonNil(sr.Quarantine)
	sr.WorstRows = nonNil(s.worst)
	return sr
}

func fieldReport(name string, c Counts, records int, uniq float64) FieldReport {
	fr := FieldReport{Name: name, Counts: c, Validity: 1, Uniqueness: uniq}
	if records > 0 {
		fr.Completeness = float64(c.Present) / float64(records)
	}
	if c.Present > 0 {
		fr.Validity = float64(c.Valid) / float64(c.Present)
	}
	return fr
}

// nonNil returns s, or an empty slice for nil, so that JSON lists are []
// rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// mappedFields returns the fields a source is scored on: its configured
// mapping, or else every field that holds a value in one of its records.
func (s *sourceTally) mappedFields() []customer.Field {
	var out []customer.Field
	for f := customer.Field(0); f < customer.NumFields; f++ {
		if s.known && len(s.cfg.MappedFields) > 0 {
			if s.mapped[f] {
				out = append(out, f)
			}
		} else if s.fields[f].Present > 0 {
			out = append(out, f)
		}
	}
	return out
}

// drags splits 1 − overall into what each source dimension, and each
// field or identifier within completeness, validity and consistency,
// costs.
func drags(rep *Report) []Drag {
	out := []Drag{}
	if rep.Records == 0 {
		return out
	}
	for _, sr := range rep.Sources {
		k := 0
		sr.Dimensions.each(func(string, *Ratio) { k++ })
		if sr.Records == 0 || k == 0 {
			continue
		}
		w := float64(sr.Records) / float64(rep.Records) / float64(k)
		add := func(field, dim string, bad, of int) {
			if bad > 0 {
				out = append(out, Drag{Source: sr.Name, Field: field, Dimension: dim,
					Points: w * float64(bad) / float64(of), Count: bad, Of: of})
			}
		}
		sr.Dimensions.each(func(dim string, r *Ratio) {
			switch dim {
			case "completeness", "validity", "consistency":
				for _, fr := range slices.Concat(sr.Fields, sr.Identifiers) {
					switch dim {
					case "completeness":
						add(fr.Name, dim, fr.Missing, r.Of)
					case "validity":
						add(fr.Name, dim, fr.Invalid, r.Of)
					case "consistency":
						if fr.Consistency != nil {
							add(fr.Name, dim, fr.Consistency.Of-fr.Consistency.Count, r.Of)
						}
					}
				}
			default:
				add("", dim, r.Of-r.Count, r.Of)
			}
		})
	}
	slices.SortStableFunc(out, func(a, b Drag) int { return cmp.Compare(b.Points, a.Points) })
	return out
}

// worstOverall merges the sources' worst rows into the n worst overall.
func worstOverall(sources []SourceReport, n int) []Offender {
	var all []Offender
	for _, sr := range sources {
		all = append(all, sr.WorstRows...)
	}
	slices.SortStableFunc(all, func(a, b Offender) int {
		if c := cmp.Compare(b.Invalid, a.Invalid); c != 0 {
			return c
		}
		return cmp.Compare(b.Missing, a.Missing)
	})
	if len(all) > n {
		all = all[:n]
	}
	return nonNil(all)
}
