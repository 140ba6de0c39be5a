// Package synth generates synthetic customer silos for testing and
// measuring the resolver: several CSV sources about the same people, each
// with its own columns, formats and kinds of error, the truth of which
// records belong to which person, and a ready scv configuration.
//
// People live in households that share an address, a landline and
// sometimes an email address; they move house, change email provider, go
// by nicknames, and their records carry typos, dropped accents, swapped
// names and dates, placeholders, invalid values and missing ids. The same
// seed always writes the same bytes.
package synth

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// DefaultSeed is the seed scv gen uses when none is given.
const DefaultSeed = 20260101

// The files Generate writes, besides one CSV per source.
const (
	TruthFile  = "truth.csv"
	ConfigFile = "scv.hcl"
)

// Options control Generate. The zero value (with Customers set) works.
type Options struct {
	Customers int       // number of real people; must be positive
	Seed      uint64    // the random seed; the same seed writes the same bytes
	Now       time.Time // export time, after every update; zero means 2026-01-01T00:00:00Z
	Rates     *Rates    // error and behaviour rates; nil means DefaultRates()

	// Progress, when set, is called after each batch of people with the
	// number of people written so far.
	Progress func(done int)
}

// Rates are the probabilities of each kind of variation. Per-person rates
// apply once to each person, per-record rates to each generated record and
// per-value rates to each value a record holds. A zero Rates writes clean
// data: people living alone, no errors, placeholders or moves; what is left
// is how the sources differ (formats, and fields a source often lacks).
type Rates struct {
	Household      float64 // per person: lives with others, sharing address and landline
	SharedEmail    float64 // per household: its members share a family email address
	Duplicate      float64 // per person: a second record in one of its sources
	Moved          float64 // per household: moved house; older records keep the old address
	EmailChanged   float64 // per person: changed email address; older records keep the old one
	Nickname       float64 // per record of a person with a nickname: uses it
	DropAccents    float64 // per record with accented names: written without accents
	Typo           float64 // per record: a typo in the given name, family name or street
	SwapNames      float64 // per record: given and family names swapped
	SwapDayMonth   float64 // per date of birth: day and month swapped
	BadDate        float64 // per date of birth: impossible (in the future)
	Missing        float64 // per optional value: left empty
	Placeholder    float64 // per optional value: a placeholder such as "n/a"
	InvalidEmail   float64 // per email: malformed, such as "john.smith@"
	EmailTypo      float64 // per email: a typo in the mail provider ("gmial.com")
	InvalidPhone   float64 // per phone: not a possible number
	NationalAbroad float64 // per phone of a person abroad: written in national format
	MissingID      float64 // per record: no record id, so the row is quarantined
}

// DefaultRates returns the rates scv gen uses.
func DefaultRates() *Rates {
	return &Rates{
		Household:      0.3,
		SharedEmail:    0.3,
		Duplicate:      0.04,
		Moved:          0.15,
		EmailChanged:   0.12,
		Nickname:       0.2,
		DropAccents:    0.35,
		Typo:           0.06,
		SwapNames:      0.015,
		SwapDayMonth:   0.02,
		BadDate:        0.003,
		Missing:        0.06,
		Placeholder:    0.015,
		InvalidEmail:   0.015,
		EmailTypo:      0.01,
		InvalidPhone:   0.015,
		NationalAbroad: 0.1,
		MissingID:      0.001,
	}
}

// The kinds of variation Summary.Injected counts.
const (
	KindNickname       = "nickname"
	KindAccentsDropped = "accents_dropped"
	KindTypo           = "typo"
	KindSwapNames      = "names_swapped"
	KindSwapDayMonth   = "dob_day_month_swapped"
	KindBadDate        = "dob_invalid"
	KindMissing        = "missing"
	KindPlaceholder    = "placeholder"
	KindInvalidEmail   = "email_invalid"
	KindEmailTypo      = "email_domain_typo"
	KindOldEmail       = "email_old"
	KindSharedEmail    = "email_household"
	KindInvalidPhone   = "phone_invalid"
	KindNationalAbroad = "phone_national_abroad"
	KindSharedPhone    = "phone_household"
	KindOldAddress     = "address_old"
	KindDuplicate      = "duplicate_in_source"
	KindMissingID      = "missing_id"
)

// SourceSummary is what Generate wrote for one source.
type SourceSummary struct {
	Name        string // source name in the configuration, such as "crm"
	File        string // file name within the output directory
	Records     int    // rows written, including those without an id
	Quarantined int    // rows without an id
}

// Summary is what Generate wrote.
type Summary struct {
	Customers  int
	Households int // households of two or more people
	Sources    []SourceSummary
	Records    int            // rows over all sources
	Truth      int            // rows of truth.csv: every row that has an id
	Injected   map[string]int // how often each Kind… was applied
	Took       time.Duration
}

// batch is how many households are generated before the rows of each
// source are shuffled and written; it bounds memory.
const batch = 4096

// Generate writes the sources, truth.csv and scv.hcl for opt.Customers
// people into dir, creating it if needed. It streams: memory stays small
// whatever the number of customers, apart from sets of email and phone
// hashes that keep every person's address and number their own.
func Generate(ctx context.Context, dir string, opt Options) (*Summary, error) {
	start := time.Now()
	if opt.Customers <= 0 {
		return nil, fmt.Errorf("synth: customers must be positive, not %d", opt.Customers)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	g, err := newGenerator(opt)
	if err != nil {
		return nil, err
	}
	err = g.create(dir)
	if err == nil {
		err = g.run(ctx)
	}
	if cerr := g.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), g.config(), 0o644); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	sum := g.sum
	for _, s := range g.srcs {
		sum.Sources = append(sum.Sources, SourceSummary{Name: s.def.name, File: s.def.file, Records: s.records, Quarantined: s.quarantined})
		sum.Records += s.records
	}
	sum.Took = time.Since(start)
	return &sum, nil
}

// create creates the output files in dir and writes their headers.
func (g *generator) create(dir string) error {
	for _, s := range g.srcs {
		o, err := create(filepath.Join(dir, s.def.file), s.def.header)
		if err != nil {
			return err
		}
		s.out = o
	}
	var err error
	g.truth, err = create(filepath.Join(dir, TruthFile), []string{"source", "record_id", "entity_id"})
	return err
}

// close flushes and closes every output file created.
func (g *generator) close() error {
	var errs []error
	for _, s := range g.srcs {
		if s.out != nil {
			errs = append(errs, s.out.close())
		}
	}
	if g.truth != nil {
		errs = append(errs, g.truth.close())
	}
	return errors.Join(errs...)
}

// output is one CSV file being written.
type output struct {
	path string
	f    *os.File
	bw   *bufio.Writer
	w    *csv.Writer
}

// create creates the file at path and writes its header row.
func create(path string, header []string) (*output, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	o := &output{path: path, f: f, bw: bw, w: csv.NewWriter(bw)}
	if err := o.w.Write(header); err != nil {
		f.Close()
		return nil, fmt.Errorf("synth: %s: %w", path, err)
	}
	return o, nil
}

// close flushes and closes the file.
func (o *output) close() error {
	o.w.Flush()
	err := o.w.Error()
	if err == nil {
		err = o.bw.Flush()
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("synth: %s: %w", o.path, err)
	}
	return nil
}

// generator holds the state of one Generate call.
type generator struct {
	options    Options
	rates      Rates
	now        time.Time
	rng        *rand.Rand
	cultures   map[string]*culture
	countries  []*country
	countryCum []float64
	srcs       []*sourceState
	srcCum     []float64
	truth      *output
	emails     map[uint64]struct{} // hashes of the email addresses handed out
	phones     map[uint64]struct{} // hashes of the phone numbers handed out
	sum        Summary
	entity     int
	buf        []byte
}

// sourceState is one source being written: its definition, the rows of
// the current batch and its counters.
type sourceState struct {
	def         *sourceDef
	out         *output
	rows        []row
	n           int // rows of rows in use
	seq         int // ids handed out
	records     int
	quarantined int
}

// row is one generated source row, its id column still empty.
type row struct {
	entity int
	noID   bool
	vals   []string
}

func newGenerator(opt Options) (*generator, error) {
	cul, err := cultures()
	if err != nil {
		return nil, err
	}
	g := &generator{
		options:   opt,
		now:       opt.Now,
		rng:       rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)),
		cultures:  cul,
		countries: countries(),
		emails:    make(map[uint64]struct{}, opt.Customers+opt.Customers/2),
		phones:    make(map[uint64]struct{}, opt.Customers+opt.Customers/4),
		sum:       Summary{Injected: map[string]int{}},
	}
	if g.now.IsZero() {
		g.now = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)
	}
	if opt.Rates != nil {
		g.rates = *opt.Rates
	} else {
		g.rates = *DefaultRates()
	}
	ws := make([]weighted, len(g.countries))
	for i, c := range g.countries {
		ws[i] = weighted{c.code, c.weight}
		c.culCum = cumulative(c.cultures)
		for _, cw := range c.cultures {
			if g.cultures[cw.name] == nil {
				return nil, fmt.Errorf("synth: country %s: unknown name culture %q", c.code, cw.name)
			}
		}
	}
	g.countryCum = cumulative(ws)
	defs := sourceDefs()
	ws = ws[:0]
	for _, d := range defs {
		g.srcs = append(g.srcs, &sourceState{def: d})
		ws = append(ws, weighted{d.name, d.weight})
	}
	g.srcCum = cumulative(ws)
	return g, nil
}

// run generates every person and writes their rows batch by batch.
func (g *generator) run(ctx context.Context) error {
	for g.entity < g.options.Customers {
		if err := ctx.Err(); err != nil {
			return err
		}
		for h := 0; h < batch && g.entity < g.options.Customers; h++ {
			g.household()
		}
		if err := g.flush(); err != nil {
			return err
		}
		if g.options.Progress != nil {
			g.options.Progress(g.entity)
		}
	}
	g.sum.Customers = g.entity
	return nil
}

// next returns a row of source s to fill, reusing the batch's storage.
func (s *sourceState) next(entity int) *row {
	if s.n == len(s.rows) {
		s.rows = append(s.rows, row{vals: make([]string, len(s.def.header))})
	}
	r := &s.rows[s.n]
	s.n++
	r.entity = entity
	r.noID = false
	clear(r.vals)
	return r
}

// flush shuffles each source's batch, so that a file's order says nothing
// about who is who, hands out ids in file order and writes the rows and
// their truth.
func (g *generator) flush() error {
	truth := make([]string, 3)
	for _, s := range g.srcs {
		rows := s.rows[:s.n]
		g.rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		for i := range rows {
			r := &rows[i]
			s.records++
			if r.noID {
				s.quarantined++
			} else {
				s.seq++
				r.vals[s.def.idCol] = s.def.id(s.seq)
			}
			if err := s.out.w.Write(r.vals); err != nil {
				return fmt.Errorf("synth: source %q row %d: %w", s.def.name, s.records+1, err)
			}
			if r.noID {
				continue
			}
			truth[0], truth[1], truth[2] = s.def.name, r.vals[s.def.idCol], entityID(r.entity)
			if err := g.truth.w.Write(truth); err != nil {
				return fmt.Errorf("synth: %s: %w", TruthFile, err)
			}
			g.sum.Truth++
		}
		s.n = 0
	}
	return nil
}

// entityID is the truth file's id of person n.
func entityID(n int) string { return "P" + strconv.Itoa(n) }

// chance reports true with probability p.
func (g *generator) chance(p float64) bool { return p > 0 && g.rng.Float64() < p }

// count records one applied variation of kind k.
func (g *generator) count(k string) { g.sum.Injected[k]++ }

// digits returns n random decimal digits.
func (g *generator) digits(n int) string {
	b := g.buf[:0]
	for range n {
		b = append(b, byte('0'+g.rng.IntN(10)))
	}
	g.buf = b
	return string(b)
}

// one returns a random element of xs.
func one[T any](g *generator, xs []T) T { return xs[g.rng.IntN(len(xs))] }

func appendInt(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }
