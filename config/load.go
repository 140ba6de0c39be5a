package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
)

var rootSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "data_dir"}},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "server"},
		{Type: "source", LabelNames: []string{"name"}},
		{Type: "resolver"},
		{Type: "survivorship"},
		{Type: "client", LabelNames: []string{"name"}},
	},
}

var clientSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "token_sha256"},
		{Name: "token"},
		{Name: "scopes", Required: true},
	},
}

var survivorshipSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "opt_out"}},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "field", LabelNames: []string{"name"}},
		{Type: "attribute", LabelNames: []string{"name"}},
	},
}

var consentSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "column", Required: true},
		{Name: "at"},
		{Name: "granted"},
		{Name: "denied"},
	},
}

var serverSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "listen"}, {Name: "http_listen"}, {Name: "tls_cert"}, {Name: "tls_key"}, {Name: "client_ca"}},
}

var sourceSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type", Required: true},
		{Name: "path"},
		{Name: "id"}, // required unless the type is api: sourceKinds checks
		{Name: "updated_at"},
		{Name: "trust"},
		{Name: "default_country"},
		{Name: "date_format"},
		{Name: "earliest_date"},
		{Name: "freshness"},
		{Name: "delimiter"},
		{Name: "deleted"},
		{Name: "max_value"},
		{Name: "max_delete"},
		{Name: "max_field_lines"},
		{Name: "max_field_bytes"},
		{Name: "dsn"},
		{Name: "table"},
		{Name: "query"},
		{Name: "poll"},
		{Name: "page_size"},
		{Name: "clock_skew"},
		{Name: "url"},
		{Name: "records"},
		{Name: "pagination"},
		{Name: "page_param"},
		{Name: "size_param"},
		{Name: "cursor_param"},
		{Name: "next_cursor"},
		{Name: "updated_since"},
		{Name: "token"},
		{Name: "username"},
		{Name: "password"},
		{Name: "timeout"},
		{Name: "retries"},
		{Name: "stream"},
		{Name: "subject"},
		{Name: "durable"},
		{Name: "identifiers"},
		{Name: "attributes"},
		{Name: "consent"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "map"}, {Type: "consent", LabelNames: []string{"channel"}}},
}

var resolverSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "match_threshold"},
		{Name: "must_link"},
		{Name: "cannot_link"},
		{Name: "blocking"},
		{Name: "max_block_size"},
	},
}

// Load reads, decodes and validates the configuration file at path.
// Relative paths in the file resolve against the file's directory, and
// env("NAME") reads an environment variable (unset is an error). A file
// that cannot be read is returned as a wrapped *fs.PathError; every other
// problem is returned together in one *Error.
func Load(path string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	file, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, &Error{Diagnostics: diags}
	}
	l := &loader{dir: dir, ctx: evalContext()}
	cfg := l.root(file.Body)
	if l.diags.HasErrors() {
		slices.SortStableFunc(l.diags, func(a, b *hcl.Diagnostic) int { return offset(a) - offset(b) })
		return nil, &Error{Diagnostics: l.diags}
	}
	cfg.Path = path
	return cfg, nil
}

// evalContext offers env("NAME") to expressions in the file.
func evalContext() *hcl.EvalContext {
	return &hcl.EvalContext{Functions: map[string]function.Function{
		"env": function.New(&function.Spec{
			Description: "Returns the value of an environment variable; an unset variable is an error.",
			Params:      []function.Parameter{{Name: "name", Type: cty.String}},
			Type:        function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				name := args[0].AsString()
				v, ok := os.LookupEnv(name)
				if !ok {
					return cty.NilVal, fmt.Errorf("environment variable %q is not set", name)
				}
				return cty.StringVal(v), nil
			},
		}),
	}}
}

// loader decodes one file and collects its diagnostics.
type loader struct {
	dir   string // absolute directory of the file
	ctx   *hcl.EvalContext
	diags hcl.Diagnostics
}

func (l *loader) errorf(subject hcl.Range, summary, format string, args ...any) {
	l.diags = append(l.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  subject.Ptr(),
	})
}

func (l *loader) invalid(attr *hcl.Attribute, where, format string, args ...any) {
	l.errorf(attr.Expr.Range(), "Invalid value",
		"The argument %q%s %s.", attr.Name, where, fmt.Sprintf(format, args...))
}

func (l *loader) root(body hcl.Body) *Config {
	content, diags := body.Content(rootSchema)
	l.diags = append(l.diags, diags...)
	cfg := &Config{
		Server:   Server{Listen: DefaultListen},
		Resolver: Resolver{MatchThreshold: DefaultMatchThreshold},
	}
	dataDir := DefaultDataDir
	if a := content.Attributes["data_dir"]; a != nil {
		if s, ok := l.nonEmpty(a, ""); ok {
			dataDir = s
		}
	}
	cfg.DataDir = l.resolve(dataDir)

	seen := map[string]hcl.Range{}
	clients := map[string]hcl.Range{}
	digests := map[[32]byte]string{}
	var server, resolver, survivorship *hcl.Block
	for _, b := range content.Blocks {
		switch b.Type {
		case "survivorship":
			if l.once(b, survivorship) {
				survivorship = b
				cfg.Survivorship = l.survivorship(b)
			}
		case "server":
			if l.once(b, server) {
				server = b
				cfg.Server = l.server(b)
			}
		case "resolver":
			if l.once(b, resolver) {
				resolver = b
			}
		case "client":
			name := b.Labels[0]
			if first, dup := clients[name]; dup {
				l.errorf(b.LabelRanges[0], "Duplicate client",
					"A client named %q is already defined at %s; client names must be unique.", name, first)
				continue
			}
			clients[name] = b.DefRange
			if c, ok := l.client(b); ok {
				if other, dup := digests[c.TokenSHA256]; dup {
					l.errorf(b.DefRange, "Duplicate client token",
						"Client %q has the same token as client %q; each client needs its own token.", name, other)
					continue
				}
				digests[c.TokenSHA256] = name
				cfg.Clients = append(cfg.Clients, c)
			}
		case "source":
			src, ok := l.source(b)
			if first, dup := seen[src.Name]; dup {
				l.errorf(b.LabelRanges[0], "Duplicate source",
					"A source named %q is already defined at %s; source names must be unique.", src.Name, first)
				continue
			}
			seen[src.Name] = b.DefRange
			if ok {
				cfg.Sources = append(cfg.Sources, src)
			}
		}
	}
	if resolver != nil {
		cfg.Resolver = l.resolver(resolver, seen)
	}
	if survivorship != nil {
		l.checkSourceRules(survivorship, seen)
	}
	if len(seen) == 0 {
		l.errorf(body.MissingItemRange(), "No sources",
			"The configuration defines no source block; scv needs at least one source \"NAME\" { type = …, id = … }.")
	}
	return cfg
}

// once reports whether b is the first block of its type, and records an
// error when it is not.
func (l *loader) once(b, first *hcl.Block) bool {
	if first == nil {
		return true
	}
	l.errorf(b.DefRange, "Duplicate "+b.Type+" block",
		"Only one %s block is allowed; the first is at %s.", b.Type, first.DefRange)
	return false
}

func (l *loader) resolve(p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(l.dir, p)
	}
	return filepath.Clean(p)
}

func (l *loader) server(b *hcl.Block) Server {
	content, diags := b.Body.Content(serverSchema)
	l.diags = append(l.diags, diags...)
	s := Server{Listen: DefaultListen}
	if a := content.Attributes["listen"]; a != nil {
		v, ok := l.nonEmpty(a, " of the server block")
		if !ok {
			return s
		}
		_, port, err := net.SplitHostPort(v)
		if err == nil {
			_, err = strconv.ParseUint(port, 10, 16)
		}
		if err != nil {
			l.invalid(a, " of the server block", "must be host:port, such as %q, not %q", DefaultListen, v)
			return s
		}
		s.Listen = v
	}
	const where = " of the server block"
	if a := content.Attributes["http_listen"]; a != nil {
		if v, ok := l.nonEmpty(a, where); ok {
			_, port, err := net.SplitHostPort(v)
			if err == nil {
				_, err = strconv.ParseUint(port, 10, 16)
			}
			if err != nil {
				l.invalid(a, where, "must be host:port, such as %q, not %q", "127.0.0.1:7071", v)
			} else {
				s.HTTPListen = v
			}
		}
	}
	for _, f := range []struct {
		key string
		dst *string
	}{{"tls_cert", &s.TLSCert}, {"tls_key", &s.TLSKey}, {"client_ca", &s.ClientCA}} {
		if a := content.Attributes[f.key]; a != nil {
			if v, ok := l.nonEmpty(a, where); ok {
				*f.dst = l.resolve(v)
			}
		}
	}
	if (content.Attributes["tls_cert"] == nil) != (content.Attributes["tls_key"] == nil) {
		l.errorf(b.Body.MissingItemRange(), "Missing required argument",
			"The server block needs both \"tls_cert\" and \"tls_key\" to serve TLS.")
	}
	if a := content.Attributes["client_ca"]; a != nil && content.Attributes["tls_cert"] == nil {
		l.errorf(a.NameRange, "Missing required argument",
			"The argument \"client_ca\" of the server block asks for mutual TLS, which needs \"tls_cert\" and \"tls_key\".")
	}
	return s
}

// client decodes a client block: one token, given as its SHA-256 digest
// or through env(), and the scopes it grants.
func (l *loader) client(b *hcl.Block) (Client, bool) {
	content, diags := b.Body.Content(clientSchema)
	l.diags = append(l.diags, diags...)
	c := Client{Name: b.Labels[0], Pos: b.DefRange.String()}
	where := fmt.Sprintf(" of client %q", c.Name)
	digest, token := content.Attributes["token_sha256"], content.Attributes["token"]
	ok := !diags.HasErrors()
	switch {
	case digest != nil && token != nil:
		l.errorf(token.NameRange, "Conflicting arguments",
			"Client %q sets both \"token_sha256\" and \"token\"; use one.", c.Name)
		ok = false
	case digest == nil && token == nil:
		l.errorf(b.Body.MissingItemRange(), "Missing required argument",
			"Client %q needs its token: token_sha256 = \"<hex SHA-256 of the token>\" or token = env(\"NAME\").", c.Name)
		ok = false
	case token != nil && !fromEnv(token.Expr):
		l.errorf(token.Expr.Range(), "Secret in the file",
			"The argument \"token\"%s holds a secret; write token = env(\"NAME\") and set the variable NAME, or give its digest as token_sha256.", where)
		ok = false
	case token != nil:
		if v, good := l.nonEmpty(token, where); good {
			c.TokenSHA256 = sha256.Sum256([]byte(v))
		} else {
			ok = false
		}
	default:
		v, good := l.str(digest, where)
		raw, err := hex.DecodeString(strings.TrimSpace(v))
		if good && (err != nil || len(raw) != sha256.Size) {
			l.invalid(digest, where, "must be the 64 hex digits of the token's SHA-256 digest (sha256sum prints them)")
			good = false
		}
		if good {
			copy(c.TokenSHA256[:], raw)
		}
		ok = ok && good
	}
	if a := content.Attributes["scopes"]; a != nil {
		scopes, good := l.strings(a, where)
		ok = ok && good
		for _, s := range scopes {
			if !slices.Contains(Scopes(), s) {
				l.invalid(a, where, "must name scopes among %s, not %q", strings.Join(Scopes(), ", "), s)
				ok = false
			}
		}
		slices.Sort(scopes)
		c.Scopes = slices.Compact(scopes)
	}
	return c, ok
}

func (l *loader) source(b *hcl.Block) (Source, bool) {
	name := b.Labels[0]
	src := Source{
		Name:         name,
		Trust:        DefaultTrust,
		DateFormat:   DefaultDateFormat,
		EarliestDate: DefaultEarliestDate,
		Delimiter:    DefaultDelimiter,
		Pos:          b.DefRange.String(),

		MaxValue:      DefaultMaxValue,
		MaxDelete:     DefaultMaxDelete,
		MaxFieldLines: DefaultMaxFieldLines,
		MaxFieldBytes: DefaultMaxFieldBytes,
		Poll:          DefaultPoll,
		ClockSkew:     DefaultClockSkew,
		Timeout:       DefaultHTTPTimeout,
		Retries:       DefaultHTTPRetries,
	}
	before := len(l.diags)
	if name == "" || strings.ContainsAny(name, "/ \t\r\n") {
		l.errorf(b.LabelRanges[0], "Invalid source name",
			"The source name %q must be non-empty and hold no slash or white space: record keys are \"source/id\".", name)
	}
	where := fmt.Sprintf(" of source %q", name)
	content, diags := b.Body.Content(sourceSchema)
	l.diags = append(l.diags, diags...)
	attrs := content.Attributes

	if a := attrs["type"]; a != nil {
		if v, ok := l.str(a, where); ok {
			if !slices.Contains(Types(), v) {
				l.errorf(a.Expr.Range(), "Unsupported source type",
					"The argument \"type\"%s is %q; known types: %s.", where, v, strings.Join(Types(), ", "))
			}
			src.Type = v
		}
	}
	if a := attrs["path"]; a != nil {
		if v, ok := l.nonEmpty(a, where); ok {
			src.Path = l.resolve(v)
			l.checkFile(a, where, src.Path)
		}
	}
	if a := attrs["id"]; a != nil {
		src.ID, _ = l.nonEmpty(a, where)
	}
	if a := attrs["updated_at"]; a != nil {
		src.UpdatedAt, _ = l.nonEmpty(a, where)
	}
	if a := attrs["trust"]; a != nil {
		if v, ok := l.num(a, where); ok {
			if v < 0 || v > 1 {
				l.invalid(a, where, "must be within 0..1, not %g", v)
			}
			src.Trust = v
		}
	}
	if a := attrs["default_country"]; a != nil {
		if v, ok := l.str(a, where); ok {
			v = strings.ToUpper(strings.TrimSpace(v))
			if !isAlpha2(v) {
				l.invalid(a, where, "must be an ISO 3166-1 alpha-2 country code such as \"GB\", not %q", v)
			}
			src.DefaultCountry = v
		}
	}
	if a := attrs["date_format"]; a != nil {
		if v, ok := l.str(a, where); ok {
			v = strings.ToLower(strings.TrimSpace(v))
			if _, ok := customer.ParseDateFormat(v); !ok {
				l.invalid(a, where, "must be one of %s, or another layout of dd, mm and yyyy with one separator such as \"dd.mm.yyyy\", not %q",
					strings.Join(DateFormats(), ", "), v)
			}
			src.DateFormat = v
		}
	}
	if a := attrs["earliest_date"]; a != nil {
		if v, ok := l.str(a, where); ok {
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				l.invalid(a, where, "must be an ISO date such as \"1900-01-01\", not %q", v)
			}
			src.EarliestDate = v
		}
	}
	if a := attrs["freshness"]; a != nil {
		if v, ok := l.str(a, where); ok {
			d, err := ParseDuration(v)
			if err != nil {
				l.invalid(a, where, "must be a positive duration such as \"365d\" or \"720h\": %v", err)
			}
			src.Freshness = d
		}
	}
	if a := attrs["delimiter"]; a != nil {
		if v, ok := l.str(a, where); ok {
			if !validDelimiter(v) {
				l.invalid(a, where, "must be one character other than a quote, space or line break, not %q", v)
			}
			src.Delimiter = v
		}
	}
	if a := attrs["identifiers"]; a != nil {
		src.Identifiers = l.columnMap(a, where, func(kind string) string {
			switch kind {
			case customer.KindEmail, customer.KindPhone, customer.KindSourceRecord:
				return "is a lookup kind of its own; name the identifier differently"
			}
			return ""
		})
	}
	if a := attrs["attributes"]; a != nil {
		src.Attributes = l.columnMap(a, where, nil)
	}
	if a := attrs["consent"]; a != nil {
		cols := l.columnMap(a, where, func(channel string) string {
			if slices.Contains(ConsentChannels(), channel) {
				return ""
			}
			return "is not a consent channel; known channels: " + strings.Join(ConsentChannels(), ", ")
		})
		for ch, col := range cols {
			if src.Consent == nil {
				src.Consent = map[string]Consent{}
			}
			src.Consent[ch] = Consent{Column: col}
		}
	}
	l.sourceKinds(b, &src, attrs, where)
	var mapBlock *hcl.Block
	consentBlocks := map[string]*hcl.Block{}
	for _, mb := range content.Blocks {
		switch mb.Type {
		case "map":
			if l.once(mb, mapBlock) {
				mapBlock = mb
				src.Map = l.fieldMap(mb, where)
			}
		case "consent":
			ch := mb.Labels[0]
			switch {
			case !slices.Contains(ConsentChannels(), ch):
				l.errorf(mb.LabelRanges[0], "Invalid consent channel",
					"The consent block %q%s names no consent channel; known channels: %s.", ch, where, strings.Join(ConsentChannels(), ", "))
				continue
			case consentBlocks[ch] != nil:
				l.errorf(mb.LabelRanges[0], "Duplicate consent block",
					"The consent block %q%s is already defined at %s.", ch, where, consentBlocks[ch].DefRange)
				continue
			case src.Consent[ch].Column != "":
				l.errorf(mb.LabelRanges[0], "Duplicate consent channel",
					"The consent block %q%s repeats the channel of the argument \"consent\" at %s.", ch, where, attrs["consent"].Range)
				continue
			}
			consentBlocks[ch] = mb
			if c, ok := l.consent(mb, fmt.Sprintf(" of consent block %q%s", ch, where)); ok {
				if src.Consent == nil {
					src.Consent = map[string]Consent{}
				}
				src.Consent[ch] = c
			}
		}
	}
	return src, len(l.diags) == before
}

// consent decodes a consent "channel" block of a source.
func (l *loader) consent(b *hcl.Block, where string) (Consent, bool) {
	before := len(l.diags)
	content, diags := b.Body.Content(consentSchema)
	l.diags = append(l.diags, diags...)
	var c Consent
	if a := content.Attributes["column"]; a != nil {
		c.Column, _ = l.nonEmpty(a, where)
	}
	if a := content.Attributes["at"]; a != nil {
		c.At, _ = l.nonEmpty(a, where)
	}
	seen := map[string]string{}
	words := func(name string) []string {
		a := content.Attributes[name]
		if a == nil {
			return nil
		}
		list, ok := l.strings(a, where)
		if !ok {
			return nil
		}
		for _, w := range list {
			k := strings.ToLower(w)
			if other, dup := seen[k]; dup {
				l.invalid(a, where, "lists %q, which %q lists too", w, other)
			}
			seen[k] = name
		}
		return list
	}
	c.Granted = words("granted")
	c.Denied = words("denied")
	return c, len(l.diags) == before
}

// strings decodes a non-empty list of non-empty strings.
func (l *loader) strings(a *hcl.Attribute, where string) ([]string, bool) {
	v, ok := l.value(a, where)
	if !ok {
		return nil, false
	}
	return l.list(a, where, v, "must be a non-empty list of strings", "must not list an empty string")
}

// list converts v, the value of a, to a non-empty list of trimmed,
// non-empty strings, reporting notList or empty at a otherwise.
func (l *loader) list(a *hcl.Attribute, where string, v cty.Value, notList, empty string) ([]string, bool) {
	lv, err := convert.Convert(v, cty.List(cty.String))
	if err != nil || lv.IsNull() || lv.LengthInt() == 0 {
		l.invalid(a, where, "%s", notList)
		return nil, false
	}
	var out []string
	for it := lv.ElementIterator(); it.Next(); {
		_, e := it.Element()
		s := ""
		if !e.IsNull() {
			s = strings.TrimSpace(e.AsString())
		}
		if s == "" {
			l.invalid(a, where, "%s", empty)
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// survivorship decodes the survivorship block: field "name" { rules = […] },
// attribute "name" { rule = "…" } and opt_out = [channels].
func (l *loader) survivorship(b *hcl.Block) Survivorship {
	const where = " of the survivorship block"
	content, diags := b.Body.Content(survivorshipSchema)
	l.diags = append(l.diags, diags...)
	var s Survivorship
	if a := content.Attributes["opt_out"]; a != nil {
		if list, ok := l.strings(a, where); ok {
			for _, ch := range list {
				if !slices.Contains(ConsentChannels(), ch) {
					l.invalid(a, where, "lists %q, which is not a consent channel; known channels: %s", ch, strings.Join(ConsentChannels(), ", "))
					continue
				}
				s.OptOut = append(s.OptOut, ch)
			}
		}
	}
	seen := map[string]hcl.Range{}
	for _, fb := range content.Blocks {
		name := fb.Labels[0]
		key := fb.Type + " " + name
		if f, ok := customer.ParseField(name); ok && fb.Type == "field" {
			key = fb.Type + " " + f.String()
		}
		if first, dup := seen[key]; dup {
			l.errorf(fb.LabelRanges[0], "Duplicate "+fb.Type+" block",
				"The %s block %q%s is already defined at %s.", fb.Type, name, where, first)
			continue
		}
		seen[key] = fb.DefRange
		inner := fmt.Sprintf(" of %s block %q%s", fb.Type, name, where)
		if fb.Type == "attribute" {
			attrs, diags := fb.Body.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "rule", Required: true}}})
			l.diags = append(l.diags, diags...)
			if a := attrs.Attributes["rule"]; a != nil {
				if v, ok := l.str(a, inner); ok {
					r, err := golden.ParseAttributeRule(v)
					if err != nil {
						l.invalid(a, inner, "is not an attribute rule: %v", err)
						continue
					}
					if s.Attributes == nil {
						s.Attributes = map[string]string{}
					}
					s.Attributes[name] = r
				}
			}
			continue
		}
		field := name
		if f, ok := customer.ParseField(name); ok {
			field = f.String()
		}
		switch f, ok := customer.ParseField(name); {
		case name == golden.AddressKey:
		case !ok:
			l.errorf(fb.LabelRanges[0], "Unknown canonical field",
				"The field block %q%s names no canonical field; known fields: %s, or %q for the address as a whole.", name, where, fieldNames(), golden.AddressKey)
			continue
		case f >= customer.AddressLine1 && f <= customer.Country:
			l.errorf(fb.LabelRanges[0], "Address component",
				"The field block %q%s names one address component; the components survive together, so write field %q.", name, where, golden.AddressKey)
			continue
		}
		attrs, diags := fb.Body.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "rules", Required: true}}})
		l.diags = append(l.diags, diags...)
		a := attrs.Attributes["rules"]
		if a == nil {
			continue
		}
		list, ok := l.strings(a, inner)
		if !ok {
			continue
		}
		if _, err := golden.ParseRules(list); err != nil {
			l.invalid(a, inner, "has a bad rule: %v", err)
			continue
		}
		if s.Fields == nil {
			s.Fields = map[string][]string{}
		}
		s.Fields[field] = list
	}
	return s
}

// checkSourceRules reports a source:NAME rule that names a source the
// file does not configure.
func (l *loader) checkSourceRules(b *hcl.Block, sources map[string]hcl.Range) {
	content, _ := b.Body.Content(survivorshipSchema)
	for _, fb := range content.Blocks {
		if fb.Type != "field" {
			continue
		}
		attrs, _ := fb.Body.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "rules", Required: true}}})
		a := attrs.Attributes["rules"]
		if a == nil {
			continue
		}
		v, diags := a.Expr.Value(l.ctx)
		if diags.HasErrors() {
			continue
		}
		lv, err := convert.Convert(v, cty.List(cty.String))
		if err != nil || lv.IsNull() {
			continue
		}
		for it := lv.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsNull() {
				continue
			}
			r, err := golden.ParseRule(e.AsString())
			if err != nil || r.Name != golden.RuleSource {
				continue
			}
			for _, src := range r.Sources {
				if _, ok := sources[src]; !ok {
					l.errorf(a.Expr.Range(), "Unknown source",
						"The rule %q of field block %q of the survivorship block names source %q, which is not configured.", r, fb.Labels[0], src)
				}
			}
		}
	}
}

// kindKeys lists, per source type, the keys only some types use and
// which of them are required.
var kindKeys = map[string]struct{ allowed, required []string }{
	"csv":      {[]string{"path", "delimiter", "max_field_lines", "max_field_bytes"}, []string{"path"}},
	"jsonl":    {[]string{"path"}, []string{"path"}},
	"postgres": {[]string{"dsn", "table", "query", "poll", "page_size", "clock_skew"}, []string{"dsn", "updated_at"}},
	"mysql":    {[]string{"dsn", "table", "query", "poll", "page_size", "clock_skew"}, []string{"dsn", "updated_at"}},
	"http": {[]string{"url", "records", "pagination", "page_param", "size_param", "cursor_param", "next_cursor",
		"updated_since", "token", "username", "password", "timeout", "retries", "poll", "page_size"}, []string{"url"}},
	"nats": {[]string{"url", "stream", "subject", "durable"}, []string{"url", "stream", "durable"}},
	// An api source is written through IngestService: nothing is read.
	"api": {},
}

// kindOnly are the keys of kindKeys; a source may set one only when its
// type allows it.
var kindOnly = []string{"path", "delimiter", "max_field_lines", "max_field_bytes", "dsn", "table", "query", "poll",
	"page_size", "clock_skew", "url", "records", "pagination", "page_param", "size_param", "cursor_param",
	"next_cursor", "updated_since", "token", "username", "password", "timeout", "retries", "stream", "subject", "durable"}

// sourceKinds decodes the keys that belong to some source types only.
func (l *loader) sourceKinds(b *hcl.Block, src *Source, attrs hcl.Attributes, where string) {
	kk, known := kindKeys[src.Type]
	if !known {
		return
	}
	for _, k := range kindOnly {
		if a := attrs[k]; a != nil && !slices.Contains(kk.allowed, k) {
			l.errorf(a.NameRange, "Unsupported argument",
				"The argument %q%s is not used by sources of type %q.", k, where, src.Type)
		}
	}
	if attrs["id"] == nil && src.Type != "api" {
		l.errorf(b.Body.MissingItemRange(), "Missing required argument",
			"The argument %q is required for source %q of type %q.", "id", src.Name, src.Type)
	}
	for _, k := range kk.required {
		if attrs[k] == nil {
			l.errorf(b.Body.MissingItemRange(), "Missing required argument",
				"The argument %q is required for source %q of type %q.", k, src.Name, src.Type)
		}
	}
	str := func(key string, dst *string) {
		if a := attrs[key]; a != nil {
			*dst, _ = l.nonEmpty(a, where)
		}
	}
	dur := func(key string, dst *time.Duration, zeroOK bool) {
		a := attrs[key]
		if a == nil {
			return
		}
		v, ok := l.str(a, where)
		if !ok {
			return
		}
		if zeroOK && strings.TrimSpace(v) == "0" || strings.TrimSpace(v) == "0s" && zeroOK {
			*dst = 0
			return
		}
		d, err := ParseDuration(v)
		if err != nil {
			l.invalid(a, where, "must be a positive duration such as \"30s\" or \"1m\": %v", err)
			return
		}
		*dst = d
	}
	whole := func(key string, dst *int, min int) {
		a := attrs[key]
		if a == nil {
			return
		}
		if v, ok := l.num(a, where); ok {
			if v < float64(min) || v != float64(int(v)) {
				l.invalid(a, where, "must be a whole number ≥ %d, not %g", min, v)
				return
			}
			*dst = int(v)
		}
	}
	// Secrets come only through env(), never written in the file.
	for _, k := range []string{"token", "password", "dsn"} {
		a := attrs[k]
		if a == nil || fromEnv(a.Expr) {
			continue
		}
		if k == "dsn" {
			if v, ok := l.str(a, where); !ok || !hasPassword(v) {
				continue
			}
		}
		l.errorf(a.Expr.Range(), "Secret in the file",
			"The argument %q%s holds a secret; write %s = env(\"NAME\") and set the variable NAME instead.", k, where, k)
	}
	str("deleted", &src.Deleted)
	str("dsn", &src.DSN)
	str("table", &src.Table)
	str("query", &src.Query)
	str("url", &src.URL)
	str("page_param", &src.PageParam)
	str("size_param", &src.SizeParam)
	str("cursor_param", &src.CursorParam)
	str("next_cursor", &src.NextCursor)
	str("updated_since", &src.UpdatedSince)
	str("token", &src.Token)
	str("username", &src.Username)
	str("password", &src.Password)
	str("stream", &src.Stream)
	str("subject", &src.Subject)
	str("durable", &src.Durable)
	if a := attrs["records"]; a != nil {
		src.Records, _ = l.str(a, where)
		src.Records = strings.TrimSpace(src.Records)
	}
	dur("poll", &src.Poll, false)
	dur("timeout", &src.Timeout, false)
	dur("clock_skew", &src.ClockSkew, true)
	whole("page_size", &src.PageSize, 1)
	whole("retries", &src.Retries, 0)
	whole("max_value", &src.MaxValue, 16)
	whole("max_field_lines", &src.MaxFieldLines, 1)
	whole("max_field_bytes", &src.MaxFieldBytes, 1024)
	if a := attrs["max_delete"]; a != nil {
		if v, ok := l.num(a, where); ok {
			if v < 0 || v > 1 {
				l.invalid(a, where, "must be a share within 0..1 such as 0.1 (10%%), not %g", v)
			}
			src.MaxDelete = v
		}
	}
	switch src.Type {
	case "postgres", "mysql":
		if (attrs["table"] == nil) == (attrs["query"] == nil) {
			l.errorf(b.Body.MissingItemRange(), "Missing required argument",
				"Source %q of type %q needs exactly one of \"table\" or \"query\".", src.Name, src.Type)
		}
		if src.PageSize == 0 {
			src.PageSize = DefaultDBPageSize
		}
	case "http":
		if a := attrs["url"]; a != nil && src.URL != "" {
			if u, err := url.Parse(src.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				l.invalid(a, where, "must be an http:// or https:// URL")
			}
		}
		src.Pagination = "none"
		if a := attrs["pagination"]; a != nil {
			if v, ok := l.str(a, where); ok {
				if !slices.Contains(Paginations(), v) {
					l.invalid(a, where, "must be one of %s, not %q", strings.Join(Paginations(), ", "), v)
				}
				src.Pagination = v
			}
		}
		if src.Token != "" && (src.Username != "" || src.Password != "") {
			l.errorf(attrs["token"].NameRange, "Conflicting arguments",
				"Source %q sets both a bearer \"token\" and basic-auth \"username\"/\"password\"; use one.", src.Name)
		}
		if (src.Username == "") != (src.Password == "") {
			l.errorf(b.Body.MissingItemRange(), "Missing required argument",
				"Source %q needs both \"username\" and \"password\" for basic auth.", src.Name)
		}
		def := func(dst *string, v string) {
			if *dst == "" {
				*dst = v
			}
		}
		switch src.Pagination {
		case "page":
			def(&src.PageParam, "page")
			def(&src.SizeParam, "per_page")
		case "offset":
			def(&src.PageParam, "offset")
			def(&src.SizeParam, "limit")
		case "cursor":
			def(&src.CursorParam, "cursor")
			def(&src.NextCursor, "next_cursor")
			def(&src.SizeParam, "limit")
		}
		if src.PageSize == 0 {
			src.PageSize = DefaultHTTPPageSize
		}
	}
}

// fromEnv reports whether an expression is a call of env().
func fromEnv(e hcl.Expression) bool {
	c, ok := e.(*hclsyntax.FunctionCallExpr)
	return ok && c.Name == "env"
}

// hasPassword reports whether a DSN carries a password: a URL's user
// info, a "password=" keyword, or MySQL's "user:password@".
func hasPassword(dsn string) bool {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			return true
		}
	}
	if strings.Contains(strings.ToLower(dsn), "password=") {
		return true
	}
	if at := strings.LastIndex(dsn, "@"); at > 0 && !strings.Contains(dsn, "://") {
		if _, pass, ok := strings.Cut(dsn[:at], ":"); ok && pass != "" {
			return true
		}
	}
	return false
}

func (l *loader) checkFile(a *hcl.Attribute, where, path string) {
	fi, err := os.Stat(path)
	switch {
	case os.IsNotExist(err):
		l.errorf(a.Expr.Range(), "Source file not found",
			"The argument \"path\"%s names %s, which does not exist.", where, path)
	case err != nil:
		l.errorf(a.Expr.Range(), "Source file unreadable",
			"The argument \"path\"%s names %s: %v.", where, path, err)
	case fi.IsDir():
		l.errorf(a.Expr.Range(), "Source file is a directory",
			"The argument \"path\"%s names %s, which is a directory, not a file.", where, path)
	}
}

// fieldMap decodes a map block: canonical field name = column or [columns].
func (l *loader) fieldMap(b *hcl.Block, where string) map[string][]string {
	attrs, diags := b.Body.JustAttributes()
	l.diags = append(l.diags, diags...)
	out := make(map[string][]string, len(attrs))
	keys := map[string]*hcl.Attribute{}
	for _, a := range sortedAttrs(attrs) {
		f, ok := customer.ParseField(a.Name)
		if !ok {
			l.errorf(a.NameRange, "Unknown canonical field",
				"The map key %q%s is not a canonical field; known fields: %s.", a.Name, where, fieldNames())
			continue
		}
		if prev := keys[f.String()]; prev != nil {
			l.errorf(a.NameRange, "Duplicate field mapping",
				"The map key %q%s maps field %q, already mapped by %q at %s.", a.Name, where, f, prev.Name, prev.NameRange)
			continue
		}
		keys[f.String()] = a
		cols, ok := l.columns(a, where)
		if ok {
			out[f.String()] = cols
		}
	}
	return out
}

// columns decodes a column name or a non-empty list of column names.
func (l *loader) columns(a *hcl.Attribute, where string) ([]string, bool) {
	v, ok := l.value(a, " in the map block"+where)
	if !ok {
		return nil, false
	}
	if v.Type() == cty.String {
		s := strings.TrimSpace(v.AsString())
		if s == "" {
			l.invalid(a, " in the map block"+where, "must name a column, not be empty")
			return nil, false
		}
		return []string{s}, true
	}
	return l.list(a, " in the map block"+where, v,
		"must be a column name or a non-empty list of column names", "must not list an empty column name")
}

// columnMap decodes an object of name = column pairs. check, when not nil,
// returns why a key is not allowed.
func (l *loader) columnMap(a *hcl.Attribute, where string, check func(key string) string) map[string]string {
	pairs, diags := hcl.ExprMap(a.Expr)
	if diags.HasErrors() {
		l.errorf(a.Expr.Range(), "Incorrect attribute value type",
			"The argument %q%s must be an object such as { name = \"column\" }.", a.Name, where)
		return nil
	}
	out := make(map[string]string, len(pairs))
	for _, p := range pairs {
		kv, diags := p.Key.Value(l.ctx)
		l.diags = append(l.diags, diags...)
		if diags.HasErrors() {
			continue
		}
		if kv, err := convert.Convert(kv, cty.String); err != nil || kv.IsNull() || strings.TrimSpace(kv.AsString()) == "" {
			l.errorf(p.Key.Range(), "Invalid key",
				"The keys of argument %q%s must be non-empty names.", a.Name, where)
			continue
		}
		key := strings.TrimSpace(kv.AsString())
		if _, dup := out[key]; dup {
			l.errorf(p.Key.Range(), "Duplicate key",
				"The key %q appears twice in argument %q%s.", key, a.Name, where)
			continue
		}
		if check != nil {
			if why := check(key); why != "" {
				l.errorf(p.Key.Range(), "Invalid key", "The key %q of argument %q%s %s.", key, a.Name, where, why)
				continue
			}
		}
		vv, diags := p.Value.Value(l.ctx)
		l.diags = append(l.diags, diags...)
		if diags.HasErrors() {
			continue
		}
		sv, err := convert.Convert(vv, cty.String)
		if err != nil || sv.IsNull() || strings.TrimSpace(sv.AsString()) == "" {
			l.errorf(p.Value.Range(), "Invalid value",
				"The key %q of argument %q%s must name a column.", key, a.Name, where)
			continue
		}
		out[key] = strings.TrimSpace(sv.AsString())
	}
	return out
}

func (l *loader) resolver(b *hcl.Block, sources map[string]hcl.Range) Resolver {
	const where = " of the resolver block"
	content, diags := b.Body.Content(resolverSchema)
	l.diags = append(l.diags, diags...)
	r := Resolver{MatchThreshold: DefaultMatchThreshold}
	attrs := content.Attributes
	if a := attrs["match_threshold"]; a != nil {
		if v, ok := l.num(a, where); ok {
			if v <= 0 || v > 1 {
				l.invalid(a, where, "must be greater than 0 and at most 1, not %g", v)
			}
			r.MatchThreshold = v
		}
	}
	if a := attrs["max_block_size"]; a != nil {
		if v, ok := l.num(a, where); ok {
			if v < 0 || v != float64(int(v)) {
				l.invalid(a, where, "must be a whole number ≥ 0 (0 means the resolver's default), not %g", v)
			}
			r.MaxBlockSize = int(v)
		}
	}
	if a := attrs["blocking"]; a != nil {
		if v, ok := l.value(a, where); ok {
			lv, err := convert.Convert(v, cty.List(cty.String))
			if err != nil || lv.IsNull() || lv.LengthInt() == 0 {
				l.invalid(a, where, "must be a non-empty list of blocking rule names such as [\"email\", \"phone\"]; leave it out for the resolver's rules")
			} else {
				for it := lv.ElementIterator(); it.Next(); {
					_, e := it.Element()
					if e.IsNull() || strings.TrimSpace(e.AsString()) == "" {
						l.invalid(a, where, "must not list an empty rule name")
						continue
					}
					r.Blocking = append(r.Blocking, strings.TrimSpace(e.AsString()))
				}
			}
		}
	}
	must := map[[2]string]bool{}
	if a := attrs["must_link"]; a != nil {
		r.MustLink = l.pairs(a, where, sources)
		for _, p := range r.MustLink {
			must[p], must[[2]string{p[1], p[0]}] = true, true
		}
	}
	if a := attrs["cannot_link"]; a != nil {
		r.CannotLink = l.pairs(a, where, sources)
		for _, p := range r.CannotLink {
			if must[p] {
				l.invalid(a, where, "lists the pair [%q, %q], which must_link also lists", p[0], p[1])
			}
		}
	}
	return r
}

// pairs decodes a list of [a, b] record-key pairs whose sources exist.
func (l *loader) pairs(a *hcl.Attribute, where string, sources map[string]hcl.Range) [][2]string {
	elems, diags := hcl.ExprList(a.Expr)
	if diags.HasErrors() {
		l.invalid(a, where, "must be a list of [\"source/id\", \"source/id\"] pairs")
		return nil
	}
	out := make([][2]string, 0, len(elems))
	for _, e := range elems {
		v, diags := e.Value(l.ctx)
		l.diags = append(l.diags, diags...)
		if diags.HasErrors() {
			continue
		}
		lv, err := convert.Convert(v, cty.List(cty.String))
		if err != nil || lv.IsNull() || lv.LengthInt() != 2 {
			l.errorf(e.Range(), "Invalid value",
				"Each element of argument %q%s must be a pair of record keys [\"source/id\", \"source/id\"].", a.Name, where)
			continue
		}
		var p [2]string
		ok := true
		for i, ev := range lv.AsValueSlice() {
			k := ""
			if !ev.IsNull() {
				k = strings.TrimSpace(ev.AsString())
			}
			src, id, found := customer.SplitKey(k)
			if !found || src == "" || id == "" {
				l.errorf(e.Range(), "Invalid value",
					"The record key %q in argument %q%s must have the form \"source/id\".", k, a.Name, where)
				ok = false
				continue
			}
			if _, known := sources[src]; !known {
				l.errorf(e.Range(), "Unknown source",
					"The record key %q in argument %q%s names source %q, which is not configured.", k, a.Name, where, src)
				ok = false
				continue
			}
			p[i] = k
		}
		if ok && p[0] == p[1] {
			l.errorf(e.Range(), "Invalid value",
				"The pair in argument %q%s links record %q with itself.", a.Name, where, p[0])
			ok = false
		}
		if ok {
			out = append(out, p)
		}
	}
	return out
}

// value evaluates an attribute, which must not be null.
func (l *loader) value(a *hcl.Attribute, where string) (cty.Value, bool) {
	v, diags := a.Expr.Value(l.ctx)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return cty.NilVal, false
	}
	if v.IsNull() || !v.IsWhollyKnown() {
		l.errorf(a.Expr.Range(), "Invalid value", "The argument %q%s must have a value.", a.Name, where)
		return cty.NilVal, false
	}
	return v, true
}

func (l *loader) typed(a *hcl.Attribute, where string, ty cty.Type) (cty.Value, bool) {
	v, ok := l.value(a, where)
	if !ok {
		return v, false
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		l.errorf(a.Expr.Range(), "Incorrect attribute value type",
			"Inappropriate value for argument %q%s: %s is required.", a.Name, where, ty.FriendlyName())
		return cty.NilVal, false
	}
	return cv, true
}

func (l *loader) str(a *hcl.Attribute, where string) (string, bool) {
	v, ok := l.typed(a, where, cty.String)
	if !ok {
		return "", false
	}
	return v.AsString(), true
}

func (l *loader) nonEmpty(a *hcl.Attribute, where string) (string, bool) {
	s, ok := l.str(a, where)
	if !ok {
		return "", false
	}
	s = strings.TrimSpace(s)
	if s == "" {
		l.invalid(a, where, "must not be empty")
		return "", false
	}
	return s, true
}

func (l *loader) num(a *hcl.Attribute, where string) (float64, bool) {
	v, ok := l.typed(a, where, cty.Number)
	if !ok {
		return 0, false
	}
	f, _ := v.AsBigFloat().Float64()
	return f, true
}

// ParseDuration parses a positive duration written as Go's
// time.ParseDuration does, optionally led by a number of days: "365d",
// "1d12h", "720h".
func ParseDuration(s string) (time.Duration, error) {
	var d time.Duration
	rest := strings.TrimSpace(s)
	if i := strings.IndexByte(rest, 'd'); i >= 0 {
		days, err := strconv.Atoi(rest[:i])
		if err != nil || days < 0 || days > 365*300 {
			return 0, fmt.Errorf("bad number of days in %q", s)
		}
		d = time.Duration(days) * 24 * time.Hour
		rest = rest[i+1:]
	}
	if rest != "" {
		r, err := time.ParseDuration(rest)
		if err != nil {
			return 0, err
		}
		d += r
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q is not positive", s)
	}
	return d, nil
}

// offset is where a diagnostic points in the file; -1 when nowhere.
func offset(d *hcl.Diagnostic) int {
	if d.Subject == nil {
		return -1
	}
	return d.Subject.Start.Byte
}

func isAlpha2(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func validDelimiter(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return n == len(s) && n > 0 && r != utf8.RuneError && r != '"' && r != ' ' && r != '\r' && r != '\n'
}

func fieldNames() string {
	names := make([]string, 0, customer.NumFields)
	for f := customer.Field(0); f < customer.NumFields; f++ {
		names = append(names, f.String())
	}
	return strings.Join(names, ", ")
}

// sortedAttrs returns attributes in file order, so diagnostics come in
// the order a reader meets them.
func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *hcl.Attribute) int { return a.Range.Start.Byte - b.Range.Start.Byte })
	return out
}
