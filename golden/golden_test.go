package golden

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/scvhq/scv/customer"
)

func day(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }

// rec builds a normalized record of src/id updated on day d (0: no time)
// with the given field values (raw, normalized here).
func rec(src, id string, d int, fields map[customer.Field]string) customer.Record {
	r := customer.Record{Source: src, ID: id}
	if d > 0 {
		r.UpdatedAt = day(d)
	}
	for f, raw := range fields {
		for _, one := range strings.Split(raw, "|") {
			r.Add(f, customer.Value{Raw: one})
		}
	}
	customer.Normalize(&r, customer.Options{DefaultCountry: "GB"})
	return r
}

func rules(t *testing.T, names ...string) []Rule {
	t.Helper()
	rs, err := ParseRules(names)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

var testSources = map[string]Source{
	"crm":     {Trust: 0.9, Columns: map[customer.Field]string{customer.GivenName: "first_name", customer.Email: "email"}},
	"shop":    {Trust: 0.6, Columns: map[customer.Field]string{customer.GivenName: "fname", customer.Email: "mail"}},
	"support": {Trust: 0.3},
}

func TestFieldRules(t *testing.T) {
	g := customer.GivenName
	for _, tt := range []struct {
		name     string
		rules    []string
		members  []customer.Record
		want     string // the surviving value; "" for none
		wantRule string
		wantBeat int
	}{
		{"single member", nil,
			[]customer.Record{rec("crm", "1", 1, map[customer.Field]string{g: "Amelia"})}, "Amelia", ChoseOnly, 0},
		{"all invalid", nil,
			[]customer.Record{rec("crm", "1", 1, map[customer.Field]string{g: "123"}), rec("shop", "1", 1, map[customer.Field]string{g: "!!"})}, "", "", 2},
		{"valid beats invalid", nil,
			[]customer.Record{rec("crm", "1", 1, map[customer.Field]string{g: "123"}), rec("shop", "1", 1, map[customer.Field]string{g: "Amelia"})}, "Amelia", ChoseOnly, 1},
		{"trust", []string{"trust"},
			[]customer.Record{rec("shop", "1", 2, map[customer.Field]string{g: "Amy"}), rec("crm", "1", 1, map[customer.Field]string{g: "Amelia"})}, "Amelia", RuleTrust, 1},
		{"source order", []string{"source:shop,crm"},
			[]customer.Record{rec("crm", "1", 2, map[customer.Field]string{g: "Amelia"}), rec("shop", "1", 1, map[customer.Field]string{g: "Amy"})}, "Amy", "source:shop,crm", 1},
		{"source order: unlisted last", []string{"source:support"},
			[]customer.Record{rec("crm", "1", 2, map[customer.Field]string{g: "Amelia"}), rec("support", "1", 1, map[customer.Field]string{g: "Amy"})}, "Amy", "source:support", 1},
		{"recent", []string{"recent"},
			[]customer.Record{rec("crm", "1", 1, map[customer.Field]string{g: "Amelia"}), rec("shop", "1", 5, map[customer.Field]string{g: "Amy"})}, "Amy", RuleRecent, 1},
		{"recent: dated beats undated", []string{"recent"},
			[]customer.Record{rec("crm", "1", 0, map[customer.Field]string{g: "Amelia"}), rec("shop", "1", 1, map[customer.Field]string{g: "Amy"})}, "Amy", RuleRecent, 1},
		{"frequent after folding", []string{"frequent"},
			[]customer.Record{
				rec("crm", "1", 1, map[customer.Field]string{g: "Zoë"}),
				rec("shop", "1", 1, map[customer.Field]string{g: "Zoe"}),
				rec("support", "1", 9, map[customer.Field]string{g: "Zeo"}),
			}, "Zoë", RuleFrequent, 1},
		{"complete", []string{"complete"},
			[]customer.Record{rec("crm", "1", 1, map[customer.Field]string{g: "Al"}), rec("shop", "1", 1, map[customer.Field]string{g: "Alexander"})}, "Alexander", RuleComplete, 1},
		{"longest is complete", []string{"longest"},
			[]customer.Record{rec("crm", "1", 1, map[customer.Field]string{g: "Al"}), rec("shop", "1", 1, map[customer.Field]string{g: "Alexander"})}, "Alexander", RuleComplete, 1},
		{"tie broken by lowest key", []string{"recent"},
			[]customer.Record{rec("shop", "1", 1, map[customer.Field]string{g: "Amy"}), rec("crm", "1", 1, map[customer.Field]string{g: "Amelia"})}, "Amelia", ChoseTieBreak, 1},
		{"second rule decides a tie of the first", []string{"recent", "trust"},
			[]customer.Record{rec("shop", "1", 1, map[customer.Field]string{g: "Amy"}), rec("crm", "1", 1, map[customer.Field]string{g: "Amelia"})}, "Amelia", RuleTrust, 1},
		{"default: the majority beats a typo", nil,
			[]customer.Record{
				rec("crm", "1", 1, map[customer.Field]string{g: "Amelia"}),
				rec("shop", "1", 2, map[customer.Field]string{g: "Amelia"}),
				rec("support", "1", 9, map[customer.Field]string{g: "Amleia"}),
			}, "Amelia", RuleFrequent, 1},
		{"deleted members are ignored", nil,
			[]customer.Record{rec("crm", "1", 1, map[customer.Field]string{g: "Amelia"}), func() customer.Record {
				r := rec("shop", "1", 1, map[customer.Field]string{g: "Amy"})
				r.Deleted = true
				return r
			}()}, "Amelia", ChoseOnly, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Sources: testSources}
			if tt.rules != nil {
				opts.Fields = map[string][]Rule{"given_name": rules(t, tt.rules...)}
			}
			p := New(opts).Build("p1", tt.members, false)
			if got := p.Get(g); got != tt.want {
				t.Fatalf("given_name = %q, want %q", got, tt.want)
			}
			if tt.want != "" {
				if got := p.Fields[g][0].Rule; got != tt.wantRule {
					t.Errorf("rule = %q, want %q", got, tt.wantRule)
				}
			}
			if got := len(p.Beat[g]); got != tt.wantBeat {
				t.Errorf("beat %d values (%+v), want %d", got, p.Beat[g], tt.wantBeat)
			}
			checkLineage(t, p, tt.members)
		})
	}
}

// checkLineage checks that every origin of p names a member whose raw
// value it quotes.
func checkLineage(t *testing.T, p *Profile, members []customer.Record) {
	t.Helper()
	byKey := map[string]*customer.Record{}
	for i := range members {
		byKey[members[i].Key()] = &members[i]
	}
	for f := customer.Field(0); f < customer.NumFields; f++ {
		for _, v := range p.Fields[f] {
			if len(v.From) == 0 {
				t.Errorf("%s %q has no origin", f, v.Value)
			}
			for _, o := range v.From {
				r := byKey[o.Record]
				if r == nil {
					t.Errorf("%s %q: origin %s is no member", f, v.Value, o.Record)
					continue
				}
				found := false
				r.Each(f, func(rv customer.Value) bool {
					found = found || rv.Raw == o.Raw
					return !found
				})
				if !found {
					t.Errorf("%s %q: %s has no raw value %q", f, v.Value, o.Record, o.Raw)
				}
				if !o.UpdatedAt.Equal(r.UpdatedAt) {
					t.Errorf("%s: origin time %v, record %v", f, o.UpdatedAt, r.UpdatedAt)
				}
			}
		}
	}
}

func TestLineageColumns(t *testing.T) {
	p := New(Options{Sources: testSources}).Build("p", []customer.Record{
		rec("crm", "1", 1, map[customer.Field]string{customer.GivenName: " amelia "}),
		rec("shop", "7", 1, map[customer.Field]string{customer.GivenName: "AMELIA"}),
	}, false)
	v := p.Fields[customer.GivenName][0]
	if v.Value != "Amelia" || len(v.From) != 2 {
		t.Fatalf("got %+v", v)
	}
	want := []Origin{
		{Record: "crm/1", Column: "first_name", Raw: "amelia", UpdatedAt: day(1)},
		{Record: "shop/7", Column: "fname", Raw: "AMELIA", UpdatedAt: day(1)},
	}
	for i := range want {
		if v.From[i] != want[i] {
			t.Errorf("origin %d = %+v, want %+v", i, v.From[i], want[i])
		}
	}
}

func TestMultiValued(t *testing.T) {
	e := customer.Email
	members := []customer.Record{
		rec("crm", "1", 1, map[customer.Field]string{e: "old@example.com|both@example.com|not-an-email"}),
		rec("shop", "1", 5, map[customer.Field]string{e: "New@Example.com|both@example.com"}),
	}
	p := New(Options{Sources: testSources}).Build("p", members, false)
	var got []string
	for _, v := range p.Fields[e] {
		got = append(got, v.Value+"("+v.Rule+")")
	}
	want := "both@example.com(trust) new@example.com(trust) old@example.com(recent)"
	if strings.Join(got, " ") != want {
		t.Errorf("emails = %s\nwant %s", strings.Join(got, " "), want)
	}
	if len(p.Beat[e]) != 1 || p.Beat[e][0].Value != "not-an-email" || p.Beat[e][0].Rule != RuleValid {
		t.Errorf("beat = %+v", p.Beat[e])
	}
	checkLineage(t, p, members)
}

func TestAddressSurvivesTogether(t *testing.T) {
	a := func(line, city, zip string) map[customer.Field]string {
		m := map[customer.Field]string{customer.AddressLine1: line, customer.Country: "GB"}
		if city != "" {
			m[customer.Locality] = city
		}
		if zip != "" {
			m[customer.PostalCode] = zip
		}
		return m
	}
	for _, tt := range []struct {
		name           string
		rules          []string
		members        []customer.Record
		line, city, pc string
		rule           string
	}{
		{"recent address whole, not its missing postcode filled from the old one", nil, []customer.Record{
			rec("crm", "1", 1, a("1 Old Road", "Leeds", "LS1 4AP")),
			rec("shop", "1", 9, a("22 New Street", "York", "")),
		}, "22 New Street", "York", "", RuleRecent},
		{"complete", []string{"complete"}, []customer.Record{
			rec("crm", "1", 1, a("1 Old Road", "Leeds", "LS1 4AP")),
			rec("shop", "1", 9, a("22 New Street", "York", "")),
		}, "1 Old Road", "Leeds", "LS1 4AP", RuleComplete},
		{"High St and High Street are one", []string{"frequent"}, []customer.Record{
			rec("crm", "1", 1, a("5 High St", "Bath", "")),
			rec("shop", "1", 1, a("5 High Street", "Bath", "")),
			rec("support", "1", 9, a("9 Low Lane", "Bath", "")),
		}, "5 High St", "Bath", "", RuleFrequent},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Sources: testSources}
			if tt.rules != nil {
				opts.Fields = map[string][]Rule{AddressKey: rules(t, tt.rules...)}
			}
			p := New(opts).Build("p", tt.members, false)
			if p.Get(customer.AddressLine1) != tt.line || p.Get(customer.Locality) != tt.city || p.Get(customer.PostalCode) != tt.pc {
				t.Fatalf("address = %q, %q, %q; want %q, %q, %q", p.Get(customer.AddressLine1), p.Get(customer.Locality),
					p.Get(customer.PostalCode), tt.line, tt.city, tt.pc)
			}
			rec := p.Fields[customer.AddressLine1][0].From[0].Record
			for _, f := range addressFields {
				for _, v := range p.Fields[f] {
					if v.From[0].Record != rec {
						t.Errorf("%s from %s, line from %s", f, v.From[0].Record, rec)
					}
					if v.Rule != tt.rule {
						t.Errorf("%s rule %q, want %q", f, v.Rule, tt.rule)
					}
				}
			}
			checkLineage(t, p, tt.members)
		})
	}
}

func TestAttributes(t *testing.T) {
	attr := func(src string, d int, v string) customer.Record {
		r := rec(src, "1", d, nil)
		r.Attributes = map[string]string{"ltv": v}
		return r
	}
	members := []customer.Record{attr("crm", 1, "100"), attr("shop", 5, "40.5"), attr("support", 3, "n/a")}
	for _, tt := range []struct {
		rule, want string
		beat       int
	}{
		{AttrLatest, "40.5", 2},
		{AttrMax, "100", 2},
		{AttrMin, "40.5", 2},
		{AttrSum, "140.5", 1},
		{AttrTrust, "100", 2},
		{"", "40.5", 2},
	} {
		t.Run(tt.rule, func(t *testing.T) {
			p := New(Options{Sources: testSources, Attributes: map[string]string{"ltv": tt.rule}}).Build("p", members, false)
			a := p.Attributes["ltv"]
			if a.Value != tt.want || len(a.Beat) != tt.beat {
				t.Errorf("ltv = %q beat %d (%+v), want %q beat %d", a.Value, len(a.Beat), a.Beat, tt.want, tt.beat)
			}
		})
	}
	p := New(Options{Attributes: map[string]string{"ltv": AttrMax}}).Build("p", []customer.Record{attr("crm", 1, "lots")}, false)
	if a := p.Attributes["ltv"]; a.Value != "" || len(a.Beat) != 1 {
		t.Errorf("all non-numeric max: %+v", a)
	}
}

func TestConsentAndReach(t *testing.T) {
	consent := func(src string, email string, st customer.ConsentStatus, at int, raw string) customer.Record {
		r := rec(src, "1", 1, map[customer.Field]string{customer.Email: email})
		c := customer.Consent{Status: st, Raw: raw}
		if at > 0 {
			c.At = day(at)
		}
		r.Consent = map[string]customer.Consent{"email": c}
		return r
	}
	const (
		G = customer.ConsentGranted
		D = customer.ConsentDenied
		U = customer.ConsentUnknown
	)
	for _, tt := range []struct {
		name       string
		members    []customer.Record
		optOut     bool
		suppressed bool
		want       customer.ConsentStatus
		reason     string
	}{
		{"newer denial beats older grant", []customer.Record{consent("crm", "a@example.com", G, 1, "yes"), consent("shop", "", D, 5, "no")}, false, false, D, NotReachableDenied},
		{"newer grant beats older denial", []customer.Record{consent("crm", "a@example.com", D, 1, "no"), consent("shop", "", G, 5, "yes")}, false, false, G, ""},
		{"same day: denial", []customer.Record{consent("crm", "a@example.com", G, 3, "yes"), consent("shop", "", D, 3, "no")}, false, false, D, NotReachableDenied},
		{"dated beats undated", []customer.Record{consent("crm", "a@example.com", D, 0, "no"), consent("shop", "", G, 2, "yes")}, false, false, G, ""},
		{"unknown stays unknown", []customer.Record{rec("crm", "1", 1, map[customer.Field]string{customer.Email: "a@example.com"})}, false, false, U, NotReachableUnknown},
		{"invalid word is not an answer", []customer.Record{consent("crm", "a@example.com", U, 1, "J")}, false, false, U, NotReachableUnknown},
		{"opt-out: unknown reaches", []customer.Record{rec("crm", "1", 1, map[customer.Field]string{customer.Email: "a@example.com"})}, true, false, U, ""},
		{"opt-out: denied does not", []customer.Record{consent("crm", "a@example.com", D, 1, "no")}, true, false, D, NotReachableDenied},
		{"no valid email", []customer.Record{consent("crm", "not-an-email", G, 1, "yes")}, false, false, G, NotReachableNoValue},
		{"suppressed", []customer.Record{consent("crm", "a@example.com", G, 1, "yes")}, false, true, G, NotReachableSuppressed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := New(Options{Sources: testSources, OptOut: map[string]bool{"email": tt.optOut}}).Build("p", tt.members, tt.suppressed)
			c := p.Consent["email"]
			if c.Status != tt.want {
				t.Errorf("consent = %v, want %v", c.Status, tt.want)
			}
			if tt.want != U && (c.From == nil || c.From.Record == "") {
				t.Errorf("consent has no origin: %+v", c)
			}
			if r := p.Reach["email"]; r.Reason != tt.reason || r.Reachable != (tt.reason == "") {
				t.Errorf("reach = %+v, want reason %q", r, tt.reason)
			}
			if len(tt.members) == 2 && len(c.Beat) != 1 {
				t.Errorf("beat = %+v, want the older statement", c.Beat)
			}
		})
	}
	p := New(Options{}).Build("p", nil, false)
	for _, ch := range Channels() {
		if r := p.Reach[ch]; r.Reason != NotReachableNoValue {
			t.Errorf("empty profile %s: %+v", ch, r)
		}
	}
}

// members returns n records of one person across three sources, with
// varying names, emails and update times.
func members(n int) []customer.Record {
	srcs := []string{"crm", "shop", "support"}
	names := []string{"Amelia", "Amelia", "Amélia", "Amleia", "Amy"}
	out := make([]customer.Record, n)
	for i := range out {
		r := rec(srcs[i%3], fmt.Sprint(i), 1+i%28, map[customer.Field]string{
			customer.GivenName:    names[i%len(names)],
			customer.FamilyName:   "Hart",
			customer.Email:        fmt.Sprintf("amelia%d@example.com", i%7),
			customer.Phone:        fmt.Sprintf("07700 9000%02d", i%50),
			customer.AddressLine1: fmt.Sprintf("%d High St", i%5),
			customer.PostalCode:   "SW1A 1AA",
			customer.DateOfBirth:  "1980-04-01",
		})
		r.Attributes = map[string]string{"ltv": fmt.Sprint(i * 10)}
		r.Consent = map[string]customer.Consent{"email": {Status: customer.ConsentStatus(1 + i%2), At: day(1 + i%28), Raw: "x"}}
		out[i] = r
	}
	return out
}

func TestManyMembers(t *testing.T) {
	ms := members(500)
	p := New(Options{Sources: testSources}).Build("p", ms, false)
	if got := p.Get(customer.GivenName); got != "Amelia" {
		t.Errorf("given_name = %q (Amelia and Amélia fold alike and outnumber the rest)", got)
	}
	if got := len(p.Fields[customer.Email]); got != 7 {
		t.Errorf("%d emails, want 7", got)
	}
	if got := len(p.Fields[customer.Phone]); got != 50 {
		t.Errorf("%d phones, want 50", got)
	}
	checkLineage(t, p, ms)
	again := New(Options{Sources: testSources}).Build("p", members(500), false)
	if !reflect.DeepEqual(again, p) {
		t.Error("two builds of the same members differ")
	}
}

func TestParseRules(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
		err  bool
	}{
		{[]string{"recent"}, "valid recent", false},
		{[]string{"valid", "source:crm, shop", "frequent"}, "valid source:crm,shop frequent", false},
		{[]string{"newest"}, "", true},
		{[]string{"recent", "recent"}, "", true},
		{[]string{"source:"}, "", true},
		{[]string{"source:a,a"}, "", true},
	} {
		rs, err := ParseRules(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseRules(%q) error %v", tt.in, err)
			continue
		}
		var names []string
		for _, r := range rs {
			names = append(names, r.String())
		}
		if got := strings.Join(names, " "); !tt.err && got != tt.want {
			t.Errorf("ParseRules(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1, 3, 10, 500} {
		ms := members(n)
		bld := New(Options{Sources: testSources})
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bld.Build("p", ms, false)
			}
		})
	}
}

func TestAddressFragmentLoses(t *testing.T) {
	members := []customer.Record{
		rec("crm", "1", 1, map[customer.Field]string{customer.AddressLine1: "11 Cathedral Road", customer.PostalCode: "CF11 9HA", customer.Locality: "Cardiff"}),
		rec("support", "1", 9, map[customer.Field]string{customer.Locality: "Cardiff", customer.Country: "GBR"}),
	}
	p := New(Options{Sources: testSources}).Build("p", members, false)
	if p.Get(customer.AddressLine1) != "11 Cathedral Road" || p.Get(customer.Country) != "" {
		t.Errorf("address %q, country %q: the newer bare town took the address", p.Get(customer.AddressLine1), p.Get(customer.Country))
	}
	if len(p.Beat[customer.Country]) != 1 || p.Beat[customer.Country][0].Rule != "postal address" {
		t.Errorf("country beat %+v", p.Beat[customer.Country])
	}
	checkLineage(t, p, members)
}
