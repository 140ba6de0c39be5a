package config_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scvhq/scv/config"
)

// writeConfig writes the config text and an empty crm.csv into a new
// temporary directory and returns the config's path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "crm.csv"), []byte("customer_id\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "scv.hcl")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadValid(t *testing.T) {
	t.Setenv("SCV_TEST_COUNTRY", "gb")
	path := writeConfig(t, `
data_dir = "state"

server {
  listen = "0.0.0.0:9090"
}

source "crm" {
  type            = "csv"
  path            = "crm.csv"
  id              = "customer_id"
  updated_at      = "modified_at"
  trust           = 0.9
  default_country = env("SCV_TEST_COUNTRY")
  date_format     = "DD/MM/YYYY"
  earliest_date   = "1850-01-01"
  freshness       = "365d"
  delimiter       = ";"

  map {
    given_name    = "first_name"
    emails        = ["email", "email2"]
    address_line1 = ["street_number", "address_1"]
  }
  identifiers = { national_id = "ssn" }
  attributes  = { lifetime_value = "ltv" }
  consent     = { email = "newsletter", sms = "sms_ok" }
}

source "shop" {
  type = "csv"
  path = "crm.csv"
  id   = "ref"
}

resolver {
  match_threshold = 0.95
  must_link       = [["crm/C1", "shop/S9"]]
  cannot_link     = [["crm/C2", "shop/S9"], ["crm/C3", "crm/C4"]]
  blocking        = ["email", "phone"]
  max_block_size  = 500
}
`)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(path)
	want := &config.Config{
		Path:    path,
		DataDir: filepath.Join(dir, "state"),
		Server:  config.Server{Listen: "0.0.0.0:9090"},
		Sources: []config.Source{{
			Name: "crm", Type: "csv", Path: filepath.Join(dir, "crm.csv"),
			ID: "customer_id", UpdatedAt: "modified_at",
			Trust: 0.9, DefaultCountry: "GB", DateFormat: "dd/mm/yyyy", EarliestDate: "1850-01-01",
			Freshness: 365 * 24 * time.Hour, Delimiter: ";",
			Map: map[string][]string{
				"given_name":    {"first_name"},
				"email":         {"email", "email2"},
				"address_line1": {"street_number", "address_1"},
			},
			Identifiers: map[string]string{"national_id": "ssn"},
			Attributes:  map[string]string{"lifetime_value": "ltv"},
			Consent:     map[string]config.Consent{"email": {Column: "newsletter"}, "sms": {Column: "sms_ok"}},
			Pos:         path + ":8,1-13",
			MaxValue:    4096, MaxDelete: 0.1, MaxFieldLines: 100, MaxFieldBytes: 1 << 20,
			Poll: time.Minute, ClockSkew: 5 * time.Second, Timeout: 30 * time.Second, Retries: 5,
		}, {
			Name: "shop", Type: "csv", Path: filepath.Join(dir, "crm.csv"), ID: "ref",
			Trust: config.DefaultTrust, DateFormat: config.DefaultDateFormat,
			EarliestDate: config.DefaultEarliestDate, Delimiter: config.DefaultDelimiter,
			Pos:      path + ":30,1-14",
			MaxValue: 4096, MaxDelete: 0.1, MaxFieldLines: 100, MaxFieldBytes: 1 << 20,
			Poll: time.Minute, ClockSkew: 5 * time.Second, Timeout: 30 * time.Second, Retries: 5,
		}},
		Resolver: config.Resolver{
			MatchThreshold: 0.95,
			MustLink:       [][2]string{{"crm/C1", "shop/S9"}},
			CannotLink:     [][2]string{{"crm/C2", "shop/S9"}, {"crm/C3", "crm/C4"}},
			Blocking:       []string{"email", "phone"},
			MaxBlockSize:   500,
		},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("Load:\n got %+v\nwant %+v", cfg, want)
	}
}

func TestLoadDefaults(t *testing.T) {
	path := writeConfig(t, `
source "crm" {
  type = "csv"
  path = "crm.csv"
  id   = "customer_id"
}
`)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(path), "scv-data"); cfg.DataDir != want {
		t.Errorf("DataDir = %q, want %q", cfg.DataDir, want)
	}
	if cfg.Server.Listen != config.DefaultListen {
		t.Errorf("Listen = %q, want %q", cfg.Server.Listen, config.DefaultListen)
	}
	if cfg.Resolver.MatchThreshold != config.DefaultMatchThreshold || cfg.Resolver.MaxBlockSize != 0 || cfg.Resolver.Blocking != nil {
		t.Errorf("Resolver = %+v, want defaults", cfg.Resolver)
	}
	s := cfg.Sources[0]
	if s.Trust != 0.5 || s.DateFormat != "iso" || s.EarliestDate != "1900-01-01" || s.Delimiter != "," || s.Freshness != 0 || s.Map != nil {
		t.Errorf("source defaults = %+v", s)
	}
}

func TestLoadErrors(t *testing.T) {
	const head = "source \"crm\" {\n  type = \"csv\"\n  path = \"crm.csv\"\n  id   = \"customer_id\"\n"
	for _, tt := range []struct {
		name string
		text string
		want []string // substrings of the error, in addition to "scv.hcl:"
	}{
		{"unknown key", head + "  pathh = \"x\"\n}\n",
			[]string{`scv.hcl:5,3-8: Unsupported argument; An argument named "pathh" is not expected here.`}},
		{"unknown top-level key", "listen = 1\n" + head + "}\n",
			[]string{`scv.hcl:1,1-7: Unsupported argument`, `"listen"`}},
		{"unknown block", "service {\n}\n",
			[]string{`scv.hcl:1,1-8: Unsupported block type`, `"service"`}},
		{"unknown resolver key", "resolver {\n  threshold = 0.9\n}\n",
			[]string{`scv.hcl:2,3-12: Unsupported argument`, `"threshold"`}},
		{"missing id", "source \"crm\" {\n  type = \"csv\"\n  path = \"crm.csv\"\n}\n",
			[]string{`scv.hcl:1,14-14: Missing required argument`, `"id"`}},
		{"missing type", "source \"crm\" {\n  path = \"crm.csv\"\n  id = \"x\"\n}\n",
			[]string{`scv.hcl:1,14-14: Missing required argument`, `"type"`}},
		{"missing path", "source \"crm\" {\n  type = \"csv\"\n  id = \"x\"\n}\n",
			[]string{`scv.hcl:1,14-14: Missing required argument`, `"path"`, `"crm"`}},
		{"unknown type", "source \"crm\" {\n  type = \"xlsx\"\n  path = \"crm.csv\"\n  id = \"x\"\n}\n",
			[]string{`scv.hcl:2,10-16: Unsupported source type`, `"type"`, `"xlsx"`, "known types: csv, jsonl, postgres, mysql, http, nats"}},
		{"missing file", "source \"crm\" {\n  type = \"csv\"\n  path = \"nope.csv\"\n  id = \"x\"\n}\n",
			[]string{`scv.hcl:3,10-20: Source file not found`, `"path"`, "nope.csv"}},
		{"path is a directory", "source \"crm\" {\n  type = \"csv\"\n  path = \".\"\n  id = \"x\"\n}\n",
			[]string{`scv.hcl:3,10-13: Source file is a directory`, `"path"`}},
		{"duplicate source", head + "}\n" + head + "}\n",
			[]string{`scv.hcl:6,8-13: Duplicate source`, `"crm"`, "scv.hcl:1,1-13"}},
		{"slash in source name", "source \"a/b\" {\n  type = \"csv\"\n  path = \"crm.csv\"\n  id = \"x\"\n}\n",
			[]string{`scv.hcl:1,8-13: Invalid source name`, `"a/b"`}},
		{"empty id", "source \"crm\" {\n  type = \"csv\"\n  path = \"crm.csv\"\n  id = \" \"\n}\n",
			[]string{`scv.hcl:4,8-11: Invalid value`, `"id"`, "must not be empty"}},
		{"trust out of range", head + "  trust = 1.5\n}\n",
			[]string{`scv.hcl:5,11-14: Invalid value`, `"trust"`, "0..1"}},
		{"trust wrong type", head + "  trust = \"high\"\n}\n",
			[]string{`scv.hcl:5,11-17: Incorrect attribute value type`, `"trust"`, "number"}},
		{"bad country", head + "  default_country = \"GBR\"\n}\n",
			[]string{`scv.hcl:5,21-26: Invalid value`, `"default_country"`, `"GBR"`}},
		{"bad date format", head + "  date_format = \"yy-mm-dd\"\n}\n",
			[]string{`scv.hcl:5,17-27: Invalid value`, `"date_format"`, "dd/mm/yyyy"}},
		{"bad earliest date", head + "  earliest_date = \"1900-13-01\"\n}\n",
			[]string{`scv.hcl:5,19-31: Invalid value`, `"earliest_date"`}},
		{"bad freshness", head + "  freshness = \"a year\"\n}\n",
			[]string{`scv.hcl:5,15-23: Invalid value`, `"freshness"`}},
		{"bad delimiter", head + "  delimiter = \"::\"\n}\n",
			[]string{`scv.hcl:5,15-19: Invalid value`, `"delimiter"`}},
		{"unknown canonical field", head + "  map {\n    first = \"first_name\"\n  }\n}\n",
			[]string{`scv.hcl:6,5-10: Unknown canonical field`, `"first"`, "given_name"}},
		{"empty column list", head + "  map {\n    address_line1 = []\n  }\n}\n",
			[]string{`scv.hcl:6,21-23: Invalid value`, `"address_line1"`}},
		{"field mapped twice", head + "  map {\n    email = \"a\"\n    emails = \"b\"\n  }\n}\n",
			[]string{`scv.hcl:7,5-11: Duplicate field mapping`, `"emails"`, `"email"`}},
		{"two map blocks", head + "  map {\n  }\n  map {\n  }\n}\n",
			[]string{`scv.hcl:7,3-6: Duplicate map block`}},
		{"nested block in map", head + "  map {\n    x {\n    }\n  }\n}\n",
			[]string{`scv.hcl:6,5-6: Unexpected "x" block`}},
		{"consent channel", head + "  consent = { fax = \"fax_ok\" }\n}\n",
			[]string{`scv.hcl:5,15-18: Invalid key`, `"fax"`, `"consent"`, "email, phone, post, sms"}},
		{"identifier kind clash", head + "  identifiers = { email = \"e\" }\n}\n",
			[]string{`scv.hcl:5,19-24: Invalid key`, `"email"`, `"identifiers"`}},
		{"identifiers not an object", head + "  identifiers = \"ssn\"\n}\n",
			[]string{`scv.hcl:5,17-22: Incorrect attribute value type`, `"identifiers"`}},
		{"unset env var", "source \"crm\" {\n  type = \"csv\"\n  path = env(\"SCV_TEST_UNSET_VAR\")\n  id = \"x\"\n}\n",
			[]string{`scv.hcl:3,10-14: Error in function call`, `"SCV_TEST_UNSET_VAR"`, "not set"}},
		{"two server blocks", "server {\n}\nserver {\n}\n",
			[]string{`scv.hcl:3,1-7: Duplicate server block`, "scv.hcl:1,1-7"}},
		{"bad listen", "server {\n  listen = \"localhost\"\n}\n",
			[]string{`scv.hcl:2,12-23: Invalid value`, `"listen"`}},
		{"threshold out of range", "resolver {\n  match_threshold = 0\n}\n",
			[]string{`scv.hcl:2,21-22: Invalid value`, `"match_threshold"`}},
		{"max block size negative", "resolver {\n  max_block_size = -1\n}\n",
			[]string{`scv.hcl:2,20-22: Invalid value`, `"max_block_size"`}},
		{"empty blocking list", "resolver {\n  blocking = []\n}\n",
			[]string{`scv.hcl:2,14-16: Invalid value`, `"blocking"`, "non-empty"}},
		{"blocking not a list", "resolver {\n  blocking = \"email\"\n}\n",
			[]string{`scv.hcl:2,14-21: Invalid value`, `"blocking"`}},
		{"must_link unknown source", head + "}\nresolver {\n  must_link = [[\"crm/1\", \"shop/2\"]]\n}\n",
			[]string{`scv.hcl:7,16-35: Unknown source`, `"shop/2"`, `"must_link"`}},
		{"must_link not a pair", head + "}\nresolver {\n  must_link = [[\"crm/1\"]]\n}\n",
			[]string{`scv.hcl:7,16-25: Invalid value`, `"must_link"`, "pair"}},
		{"cannot_link bad key", head + "}\nresolver {\n  cannot_link = [[\"crm1\", \"crm/2\"]]\n}\n",
			[]string{`scv.hcl:7,18-35: Invalid value`, `"crm1"`, `"cannot_link"`}},
		{"link and cannot link", head + "}\nresolver {\n  must_link = [[\"crm/1\", \"crm/2\"]]\n  cannot_link = [[\"crm/2\", \"crm/1\"]]\n}\n",
			[]string{`scv.hcl:8,17-37: Invalid value`, `"cannot_link"`, "must_link also lists"}},
		{"syntax error", "source \"crm\" {\n  type = \n}\n",
			[]string{`scv.hcl:2,10-3,1: Invalid expression`}},
		{"empty config", "", []string{`scv.hcl:1,1-1: No sources`, "defines no source block"}},
		{"no sources", "data_dir = \"x\"\n", []string{`scv.hcl:1,1-1: No sources`}},
		{"key of another type", head + "  table = \"customers\"\n}\n",
			[]string{`scv.hcl:5,3-8: Unsupported argument`, `"table" of source "crm" is not used by sources of type "csv"`}},
		{"postgres without dsn", "source \"db\" {\n  type = \"postgres\"\n  table = \"c\"\n  id = \"id\"\n  updated_at = \"u\"\n}\n",
			[]string{`scv.hcl:1,13-13: Missing required argument`, `"dsn" is required for source "db" of type "postgres"`}},
		{"mysql with table and query", "source \"db\" {\n  type = \"mysql\"\n  dsn = \"x\"\n  table = \"c\"\n  query = \"select 1\"\n  id = \"id\"\n  updated_at = \"u\"\n}\n",
			[]string{`exactly one of "table" or "query"`}},
		{"dsn from an unset variable", "source \"db\" {\n  type = \"postgres\"\n  dsn = env(\"SCV_TEST_UNSET_DSN\")\n  table = \"c\"\n  id = \"id\"\n  updated_at = \"u\"\n}\n",
			[]string{`scv.hcl:3,9-13`, `environment variable "SCV_TEST_UNSET_DSN" is not set`}},
		{"bad poll", "source \"db\" {\n  type = \"postgres\"\n  dsn = \"x\"\n  table = \"c\"\n  id = \"id\"\n  updated_at = \"u\"\n  poll = \"soon\"\n}\n",
			[]string{`scv.hcl:7,10-16: Invalid value`, `"poll"`}},
		{"bad pagination", "source \"api\" {\n  type = \"http\"\n  url = \"https://api.example.com/c\"\n  id = \"id\"\n  pagination = \"pages\"\n}\n",
			[]string{`scv.hcl:5,16-23: Invalid value`, `must be one of none, page, offset, cursor, link, not "pages"`}},
		{"http url not http", "source \"api\" {\n  type = \"http\"\n  url = \"ftp://x/c\"\n  id = \"id\"\n}\n",
			[]string{`scv.hcl:3,9-20: Invalid value`, "http:// or https://"}},
		{"token and basic auth", "source \"api\" {\n  type = \"http\"\n  url = \"https://x/c\"\n  id = \"id\"\n  token = \"t\"\n  username = \"u\"\n  password = \"p\"\n}\n",
			[]string{`scv.hcl:5,3-8: Conflicting arguments`}},
		{"nats without durable", "source \"ev\" {\n  type = \"nats\"\n  url = \"nats://127.0.0.1:4222\"\n  stream = \"S\"\n  id = \"id\"\n}\n",
			[]string{`"durable" is required for source "ev" of type "nats"`}},
		{"token in the file", "source \"api\" {\n  type = \"http\"\n  url = \"https://x/c\"\n  id = \"id\"\n  token = \"t0ken\"\n}\n",
			[]string{`scv.hcl:5,11-18: Secret in the file`, `write token = env("NAME")`}},
		{"password in a dsn", "source \"db\" {\n  type = \"mysql\"\n  dsn = \"root:s3cret@tcp(db:3306)/shop\"\n  table = \"c\"\n  id = \"id\"\n  updated_at = \"u\"\n}\n",
			[]string{`scv.hcl:3,9-40: Secret in the file`, `"dsn"`}},
		{"max_delete out of range", head + "  max_delete = 10\n}\n",
			[]string{`scv.hcl:5,16-18: Invalid value`, `"max_delete"`}},
		{"max_value too small", head + "  max_value = 1\n}\n",
			[]string{`scv.hcl:5,15-16: Invalid value`, `whole number ≥ 16`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(writeConfig(t, tt.text))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			var cerr *config.Error
			if !errors.As(err, &cerr) {
				t.Fatalf("error %T is not a *config.Error: %v", err, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestLoadKinds(t *testing.T) {
	t.Setenv("SCV_TEST_DSN", "postgres://scv:s3cret@db.example.com/shop")
	t.Setenv("SCV_TEST_TOKEN", "t0ken")
	cfg, err := config.Load(writeConfig(t, `
source "shop" {
  type       = "postgres"
  dsn        = env("SCV_TEST_DSN")
  table      = "public.customers"
  id         = "id"
  updated_at = "updated_at"
  deleted    = "deleted_at"
  poll       = "30s"
  clock_skew = "0s"
}
source "saas" {
  type          = "http"
  url           = "https://api.example.com/v1/customers"
  records       = "data.customers"
  pagination    = "cursor"
  next_cursor   = "meta.next"
  updated_since = "updated_since"
  token         = env("SCV_TEST_TOKEN")
  id            = "id"
  updated_at    = "updated_at"
  timeout       = "10s"
  retries       = 2
}
source "events" {
  type    = "nats"
  url     = "nats://127.0.0.1:4222"
  stream  = "CUSTOMERS"
  subject = "customers.>"
  durable = "scv"
  id      = "id"
}
`))
	if err != nil {
		t.Fatal(err)
	}
	db, api, ev := cfg.Sources[0], cfg.Sources[1], cfg.Sources[2]
	if db.DSN != "postgres://scv:s3cret@db.example.com/shop" || db.Table != "public.customers" || db.Deleted != "deleted_at" ||
		db.Poll != 30*time.Second || db.ClockSkew != 0 || db.PageSize != config.DefaultDBPageSize {
		t.Errorf("postgres source = %+v", db)
	}
	if api.Pagination != "cursor" || api.CursorParam != "cursor" || api.NextCursor != "meta.next" || api.SizeParam != "limit" ||
		api.Token != "t0ken" || api.Timeout != 10*time.Second || api.Retries != 2 || api.PageSize != config.DefaultHTTPPageSize {
		t.Errorf("http source = %+v", api)
	}
	if ev.Stream != "CUSTOMERS" || ev.Subject != "customers.>" || ev.Durable != "scv" {
		t.Errorf("nats source = %+v", ev)
	}
	if got := fmt.Sprint(db.Columns()); got != "[id updated_at deleted_at]" {
		t.Errorf("Columns = %s", got)
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	path := writeConfig(t, `
source "crm" {
  type  = "csv"
  path  = "crm.csv"
  id    = "customer_id"
  trust = 2
  map {
    givn = "first_name"
  }
}
resolver {
  match_threshold = 7
}
`)
	_, err := config.Load(path)
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Load error = %v, want *config.Error", err)
	}
	if got := len(cerr.Diagnostics); got != 3 {
		t.Fatalf("got %d diagnostics, want 3:\n%v", got, err)
	}
	lines := strings.Split(err.Error(), "\n")
	for i, want := range []string{"scv.hcl:6,", "scv.hcl:8,", "scv.hcl:12,"} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d = %q, want it to contain %q", i, lines[i], want)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := config.Load(filepath.Join(t.TempDir(), "absent.hcl"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file = %v, want fs.ErrNotExist", err)
	}
}

func TestParseDuration(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"365d", 365 * 24 * time.Hour, false},
		{"1d12h", 36 * time.Hour, false},
		{"720h", 720 * time.Hour, false},
		{"90m", 90 * time.Minute, false},
		{"0d", 0, true},
		{"-5d", 0, true},
		{"d", 0, true},
		{"a year", 0, true},
		{"", 0, true},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := config.ParseDuration(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseDuration(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestLoadDesignExample loads the configuration example of the binding
// design document, so that the loader and the documented format agree.
func TestLoadDesignExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "shared", "DESIGN.md"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("../../shared/DESIGN.md not found: the design document lives beside the repository, in shared/")
	}
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```hcl\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("DESIGN.md has no ```hcl example")
	}
	cfg, err := config.Load(writeConfig(t, example))
	if err != nil {
		t.Fatalf("the design example does not load:\n%v", err)
	}
	s := cfg.Sources[0]
	if s.Name != "crm" || s.ID != "customer_id" || s.Trust != 0.9 || s.DefaultCountry != "GB" ||
		!reflect.DeepEqual(s.Map["address_line1"], []string{"street_number", "address_1"}) ||
		s.Identifiers["national_id"] != "ssn" || s.Attributes["lifetime_value"] != "ltv" ||
		cfg.Resolver.MatchThreshold != 0.9 || cfg.Server.Listen != "127.0.0.1:7070" {
		t.Errorf("design example decoded as %+v", cfg)
	}
}

func TestLoadSurvivorshipAndConsent(t *testing.T) {
	path := writeConfig(t, `
source "crm" {
  type        = "csv"
  path        = "crm.csv"
  id          = "customer_id"
  date_format = "dd.mm.yyyy"
  consent     = { sms = "sms_ok" }
  consent "email" {
    column  = "newsletter"
    at      = "newsletter_changed_at"
    granted = ["J", "ja"]
    denied  = ["N", "nein"]
  }
}
survivorship {
  opt_out = ["post"]
  field "email" { rules = ["valid", "source:crm", "recent"] }
  field "emails" { rules = ["recent"] }
  field "address" { rules = ["complete"] }
  attribute "lifetime_value" { rule = "max" }
}
`)
	_, err := config.Load(path)
	if err == nil || !strings.Contains(err.Error(), `scv.hcl:18,9-17: Duplicate field block`) {
		t.Fatalf("a field named twice (email, emails): got %v", err)
	}
	text, _ := os.ReadFile(path)
	if err := os.WriteFile(path, []byte(strings.Replace(string(text), `field "emails" { rules = ["recent"] }`, "", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Sources[0]
	if s.DateFormat != "dd.mm.yyyy" {
		t.Errorf("date_format = %q", s.DateFormat)
	}
	wantConsent := map[string]config.Consent{
		"sms":   {Column: "sms_ok"},
		"email": {Column: "newsletter", At: "newsletter_changed_at", Granted: []string{"J", "ja"}, Denied: []string{"N", "nein"}},
	}
	if !reflect.DeepEqual(s.Consent, wantConsent) {
		t.Errorf("consent = %+v\nwant %+v", s.Consent, wantConsent)
	}
	want := config.Survivorship{
		Fields:     map[string][]string{"email": {"valid", "source:crm", "recent"}, "address": {"complete"}},
		Attributes: map[string]string{"lifetime_value": "max"},
		OptOut:     []string{"post"},
	}
	if !reflect.DeepEqual(cfg.Survivorship, want) {
		t.Errorf("survivorship = %+v\nwant %+v", cfg.Survivorship, want)
	}
}

func TestLoadSurvivorshipErrors(t *testing.T) {
	const head = "source \"crm\" {\n  type = \"csv\"\n  path = \"crm.csv\"\n  id = \"x\"\n"
	for _, tt := range []struct {
		name, text string
		want       []string
	}{
		{"unknown rule", head + "}\nsurvivorship {\n  field \"email\" { rules = [\"newest\"] }\n}\n",
			[]string{`scv.hcl:7,27-37: Invalid value`, `"rules"`, `"email"`, `"newest"`}},
		{"unknown field", head + "}\nsurvivorship {\n  field \"mail\" { rules = [\"recent\"] }\n}\n",
			[]string{`scv.hcl:7,9-15: Unknown canonical field`, `"mail"`}},
		{"address component", head + "}\nsurvivorship {\n  field \"postal_code\" { rules = [\"recent\"] }\n}\n",
			[]string{`scv.hcl:7,9-22: Address component`, `"address"`}},
		{"unknown source in order", head + "}\nsurvivorship {\n  field \"email\" { rules = [\"source:crm,shop\"] }\n}\n",
			[]string{`scv.hcl:7,27-46: Unknown source`, `"shop"`}},
		{"unknown attribute rule", head + "}\nsurvivorship {\n  attribute \"ltv\" { rule = \"avg\" }\n}\n",
			[]string{`scv.hcl:7,28-33: Invalid value`, `"rule"`, `"avg"`}},
		{"missing rules", head + "}\nsurvivorship {\n  field \"email\" { }\n}\n",
			[]string{`scv.hcl:7,17-17: Missing required argument`, `"rules"`}},
		{"unknown key", head + "}\nsurvivorship {\n  optout = [\"post\"]\n}\n",
			[]string{`scv.hcl:7,3-9: Unsupported argument`, `"optout"`}},
		{"opt_out channel", head + "}\nsurvivorship {\n  opt_out = [\"fax\"]\n}\n",
			[]string{`scv.hcl:7,13-20: Invalid value`, `"fax"`}},
		{"consent block channel", head + "  consent \"fax\" {\n    column = \"f\"\n  }\n}\n",
			[]string{`scv.hcl:5,11-16: Invalid consent channel`, `"fax"`}},
		{"consent block without column", head + "  consent \"email\" {\n  }\n}\n",
			[]string{`scv.hcl:5,19-19: Missing required argument`, `"column"`}},
		{"consent word both granted and denied", head + "  consent \"email\" {\n    column = \"c\"\n    granted = [\"J\"]\n    denied = [\"j\"]\n  }\n}\n",
			[]string{`scv.hcl:8,14-19: Invalid value`, `"denied"`, `"j"`}},
		{"consent twice", head + "  consent = { email = \"a\" }\n  consent \"email\" {\n    column = \"b\"\n  }\n}\n",
			[]string{`scv.hcl:6,11-18: Duplicate consent channel`}},
		{"date format layout", head + "  date_format = \"dd.mm.yy\"\n}\n",
			[]string{`scv.hcl:5,17-27: Invalid value`, `"date_format"`, "dd.mm.yyyy"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(writeConfig(t, tt.text))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestIdentifierKinds(t *testing.T) {
	cfg := &config.Config{Sources: []config.Source{
		{Name: "crm", Identifiers: map[string]string{"national_id": "ssn", "loyalty_id": "card"}},
		{Name: "shop", Identifiers: map[string]string{"loyalty_id": "loyalty"}},
		{Name: "desk"},
	}}
	if got, want := cfg.IdentifierKinds(), []string{"loyalty_id", "national_id"}; !slices.Equal(got, want) {
		t.Errorf("IdentifierKinds = %q, want %q", got, want)
	}
	if got := (&config.Config{}).IdentifierKinds(); got == nil || len(got) != 0 {
		t.Errorf("IdentifierKinds of no sources = %#v, want an empty, non-nil slice", got)
	}
}
