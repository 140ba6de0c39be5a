// Package config loads and validates scv's HCL configuration file: the data
// directory, the gRPC listen address, one block per source silo with its
// field mapping, and the resolver's settings.
//
// Every problem in a file is reported with its position (file, line,
// column) and the key at fault, as an *Error holding HCL diagnostics.
package config

import (
	"time"

	"github.com/scvhq/scv/customer"

	"github.com/hashicorp/hcl/v2"
)

// Defaults applied by Load when the file leaves a key out.
const (
	DefaultDataDir        = "./scv-data"
	DefaultListen         = "127.0.0.1:7070"
	DefaultTrust          = 0.5
	DefaultDateFormat     = customer.DateISO
	DefaultEarliestDate   = "1900-01-01"
	DefaultDelimiter      = ","
	DefaultMatchThreshold = 0.9
)

// Config is a loaded and validated configuration file.
type Config struct {
	Path     string   // the file loaded, as given to Load
	DataDir  string   // absolute; data_dir resolved against the file's directory
	Server   Server   // the server block
	Sources  []Source // in file order
	Resolver Resolver // the resolver block

	Survivorship Survivorship // the survivorship block
}

// Server is the server block: how scv serve listens.
type Server struct {
	Listen string // host:port; DefaultListen when left out
}

// Source is one source block: a silo, how to read it and how its columns
// map onto the canonical record.
type Source struct {
	Name      string // the block label; unique, without "/"
	Type      string // one of Types()
	Path      string // absolute; resolved against the config file's directory
	ID        string // column holding the record id
	UpdatedAt string // column holding the update time; empty when none

	Trust          float64       // 0..1 weight for survivorship; DefaultTrust when left out
	DefaultCountry string        // ISO 3166-1 alpha-2, upper case; empty when left out
	DateFormat     string        // one of DateFormats(); DefaultDateFormat when left out
	EarliestDate   string        // ISO date; dates of birth before it are invalid
	Freshness      time.Duration // timeliness window; 0 when left out
	Delimiter      string        // CSV field delimiter, one character; DefaultDelimiter when left out

	// Map maps canonical field names (customer.Field.String(), such as
	// "given_name" or "email") to one or more columns.
	Map         map[string][]string
	Identifiers map[string]string  // identifier kind -> column
	Attributes  map[string]string  // attribute name -> column
	Consent     map[string]Consent // by channel (one of ConsentChannels())

	// Pos is where the source block starts ("scv.hcl:12,1-15"), for
	// messages about the source that only show up when it is read.
	Pos string `json:"-"`
}

// Consent says how a source states consent for one channel: from the
// consent = { channel = "column" } attribute (Column only) or from a
// consent "channel" { … } block.
type Consent struct {
	Column  string   // the column holding the answer
	At      string   // the column holding when it was given; empty when none
	Granted []string // the words meaning granted (any case); nil means DefaultGranted()
	Denied  []string // the words meaning denied (any case); nil means DefaultDenied()
}

// DefaultGranted returns the words read as consent granted when a
// consent block lists none.
func DefaultGranted() []string {
	return []string{"yes", "y", "true", "t", "1", "granted", "opt-in", "optin", "opted-in", "opted_in", "subscribed"}
}

// DefaultDenied returns the words read as consent denied when a consent
// block lists none.
func DefaultDenied() []string {
	return []string{"no", "n", "false", "f", "0", "denied", "opt-out", "optout", "opted-out", "opted_out", "unsubscribed"}
}

// Survivorship is the survivorship block: how golden profiles pick each
// value. Everything it leaves out takes the defaults of package golden.
type Survivorship struct {
	// Fields holds the rules of field blocks by canonical field name or
	// "address", as written ("valid", "source:crm,shop", …); each list
	// has been checked with golden.ParseRules.
	Fields map[string][]string
	// Attributes holds the rule of each attribute block ("latest", "max",
	// "min", "sum" or "trust").
	Attributes map[string]string
	// OptOut lists the channels on which a profile with unknown consent
	// is still reachable; the others need consent granted.
	OptOut []string
}

// Resolver is the resolver block.
type Resolver struct {
	MatchThreshold float64     // posterior probability that links two records, 0..1
	MustLink       [][2]string // pairs of record keys ("source/id") always in one profile
	CannotLink     [][2]string // pairs of record keys never in one profile
	Blocking       []string    // blocking rule names, checked by the resolver; nil means its default
	MaxBlockSize   int         // 0 means the resolver's default
}

// Error is returned by Load for a configuration that cannot be used. It
// holds every problem found, each with its position and key.
type Error struct {
	Diagnostics hcl.Diagnostics
}

// Error returns one line per diagnostic, such as
// `scv.hcl:12,3-8: Unsupported argument; An argument named "pathh" is not expected here.`
func (e *Error) Error() string {
	var b []byte
	for i, d := range e.Diagnostics {
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(b, d.Error()...)
	}
	return string(b)
}

// Types returns the source types that have a connector.
func Types() []string { return []string{"csv"} }

// DateFormats returns the named values of a source's date_format; any
// other layout made of dd, mm and yyyy and one separator ("dd.mm.yyyy",
// "yyyy/mm/dd") is accepted too.
func DateFormats() []string {
	return []string{customer.DateISO, customer.DateYYYYMMDD, customer.DateDMY, customer.DateMDY}
}

// ConsentChannels returns the channels a source's consent may name.
func ConsentChannels() []string { return []string{"email", "phone", "post", "sms"} }
