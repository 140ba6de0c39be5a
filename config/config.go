// Package config loads and validates scv's HCL configuration file: the data
// directory, the gRPC listen address, one block per source silo with its
// field mapping, the resolver's settings and the clients of scv serve.
//
// Every problem in a file is reported with its position (file, line,
// column) and the key at fault, as an *Error holding HCL diagnostics.
package config

import (
	"maps"
	"slices"
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

	DefaultMaxValue      = 4096    // bytes in one field value
	DefaultMaxFieldLines = 100     // lines one quoted CSV field may span
	DefaultMaxFieldBytes = 1 << 20 // bytes one CSV row may hold
	DefaultMaxDelete     = 0.1     // share of a source's live records one snapshot may delete
	DefaultPoll          = time.Minute
	DefaultDBPageSize    = 10000
	DefaultHTTPPageSize  = 100
	DefaultHTTPTimeout   = 30 * time.Second
	DefaultHTTPRetries   = 5
	DefaultClockSkew     = 5 * time.Second
)

// Config is a loaded and validated configuration file.
type Config struct {
	Path     string   // the file loaded, as given to Load
	DataDir  string   // absolute; data_dir resolved against the file's directory
	Server   Server   // the server block
	Sources  []Source // in file order
	Resolver Resolver // the resolver block

	Survivorship Survivorship // the survivorship block

	// Clients are the client blocks in file order: who may call scv
	// serve. None means the server is open, which it allows only on a
	// loopback address.
	Clients []Client
}

// Scopes returns the scopes a client block may grant: profiles.read
// (ProfileService, with email and phone masked and no date of birth),
// profiles.read_pii (the same unmasked), ingest (IngestService) and admin
// (AdminService).
func Scopes() []string {
	return []string{"profiles.read", "profiles.read_pii", "ingest", "admin"}
}

// Client is one client block: a caller of scv serve, known by the SHA-256
// digest of its bearer token.
type Client struct {
	Name        string   // the block label; unique
	TokenSHA256 [32]byte `json:"-"` // digest of the bearer token; the token itself is never kept
	Scopes      []string // sorted, distinct, each one of Scopes()
	Pos         string   `json:"-"` // where the block starts ("scv.hcl:30,1-17")
}

// Server is the server block: how scv serve listens.
type Server struct {
	Listen string // host:port; DefaultListen when left out
	// HTTPListen is the host:port of /metrics, /healthz and /readyz;
	// empty means none.
	HTTPListen string

	// TLSCert and TLSKey are the PEM files of the server's certificate
	// and key, absolute; both empty means plaintext. scv serve reloads
	// them when they change.
	TLSCert, TLSKey string
	// ClientCA is the PEM file of the authorities whose client
	// certificates the server requires (mutual TLS); empty means none.
	ClientCA string
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

	// Deleted is the column (or dotted path) that marks a record deleted:
	// a soft-delete flag (true, t, yes, y, 1) or a deletion time (any
	// other non-empty value); empty when none.
	Deleted   string
	MaxValue  int     // bytes in one value; a longer one is invalid and kept cut; DefaultMaxValue
	MaxDelete float64 // share of live records one snapshot may delete without --allow-deletes; DefaultMaxDelete (also when 0)

	// CSV: bounds of one quoted field, so one stray quote cannot swallow
	// the rest of a file.
	MaxFieldLines int // DefaultMaxFieldLines
	MaxFieldBytes int // DefaultMaxFieldBytes

	// Databases (postgres, mysql) and HTTP APIs.
	DSN       string        `json:"-"` // connection string, normally env("…"); never printed
	Table     string        // table to read; or Query
	Query     string        // a SELECT read as a subquery; or Table
	Poll      time.Duration // interval of scv sync --watch and scv serve; DefaultPoll
	PageSize  int           // rows per keyset page or API page; DefaultDBPageSize or DefaultHTTPPageSize
	ClockSkew time.Duration // the checkpoint stays this far behind the database clock; DefaultClockSkew

	// HTTP APIs (type "http").
	URL          string        // first page
	Records      string        // dotted path of the records array in a page, such as "data.customers"; "" means the page is the array
	Pagination   string        // one of Paginations()
	PageParam    string        // query parameter of the page number (page) or offset (offset); "page" or "offset"
	SizeParam    string        // query parameter of the page size; "per_page" for page, "limit" for offset and cursor
	CursorParam  string        // query parameter of the cursor; "cursor"
	NextCursor   string        // dotted path of the next cursor in a page; "next_cursor"
	UpdatedSince string        // query parameter that asks for records updated since the checkpoint; empty when the API has none
	Token        string        `json:"-"` // bearer token, normally env("…")
	Username     string        // basic auth user
	Password     string        `json:"-"` // basic auth password, normally env("…")
	Timeout      time.Duration // per request; DefaultHTTPTimeout
	Retries      int           // attempts after the first on 429 and 5xx; DefaultHTTPRetries

	// NATS JetStream (type "nats"); URL is the server.
	Stream  string // stream name
	Subject string // subject filter; empty means the whole stream
	Durable string // durable consumer name

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

// IdentifierKinds returns the strong identifier kinds that the sources
// map, each once, sorted; an empty, non-nil slice when none do.
func (c *Config) IdentifierKinds() []string {
	kinds := []string{}
	for _, src := range c.Sources {
		for kind := range src.Identifiers {
			if !slices.Contains(kinds, kind) {
				kinds = append(kinds, kind)
			}
		}
	}
	slices.Sort(kinds)
	return kinds
}

// Types returns the source types: those that have a connector, and
// "api", whose records arrive through the gRPC IngestService.
func Types() []string { return []string{"csv", "jsonl", "postgres", "mysql", "http", "nats", "api"} }

// Paginations returns the accepted values of an HTTP source's pagination.
func Paginations() []string { return []string{"none", "page", "offset", "cursor", "link"} }

// Columns returns the distinct columns (or dotted paths) the source's
// id, updated_at, deleted, map, identifiers, attributes and consent name,
// in that order, so connectors can select just those.
func (s Source) Columns() []string {
	var out []string
	seen := map[string]bool{}
	add := func(c string) {
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	add(s.ID)
	add(s.UpdatedAt)
	add(s.Deleted)
	for _, k := range slices.Sorted(maps.Keys(s.Map)) {
		for _, c := range s.Map[k] {
			add(c)
		}
	}
	for _, m := range []map[string]string{s.Identifiers, s.Attributes} {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			add(m[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Consent)) {
		add(s.Consent[k].Column)
		add(s.Consent[k].At)
	}
	return out
}

// DateFormats returns the named values of a source's date_format; any
// other layout made of dd, mm and yyyy and one separator ("dd.mm.yyyy",
// "yyyy/mm/dd") is accepted too.
func DateFormats() []string {
	return []string{customer.DateISO, customer.DateYYYYMMDD, customer.DateDMY, customer.DateMDY}
}

// ConsentChannels returns the channels a source's consent may name.
func ConsentChannels() []string { return []string{"email", "phone", "post", "sms"} }
