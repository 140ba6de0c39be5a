package resolver

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/scvhq/scv/customer"
)

// testModel returns a hand-set model, so that tests of clustering, ids
// and explanations do not depend on training.
func testModel() *Model {
	lv := func(names []string, mu ...float64) []Level {
		out := make([]Level, len(names))
		for i := range names {
			out[i].Name = names[i]
			if i > 0 {
				out[i].M, out[i].U = mu[2*(i-1)], mu[2*(i-1)+1]
			}
		}
		return out
	}
	return &Model{
		Version: ModelVersion,
		Lambda:  1e-4,
		Comparisons: []Comparison{
			{"given_name", lv(kinds[kGiven].levels, .83, .01, .02, .0001, .03, .001, .04, .005, .03, .0288, .01, .001, .01, .0002, .03, .954)},
			{"family_name", lv(kinds[kFamily].levels, .88, .01, .06, .002, .02, .003, .02, .02, .02, .965)},
			{"date_of_birth", lv(kinds[kDOB].levels, .9, .0003, .05, .003, .01, .0001, .02, .02, .02, .9766)},
			{"email", lv(kinds[kEmail].levels, .8, .0005, .05, .001, .05, .001, .1, .9975)},
			{"phone", lv(kinds[kPhone].levels, .8, .001, .05, .001, .05, .002, .1, .996)},
			{"address", lv(kinds[kPlace].levels, .6, .0001, .1, .001, .1, .002, .05, .003, .05, .01, .05, .05, .05, .9339)},
			{"identifier:national_id", lv(kinds[kIdentifier].levels, .95, .00001, .03, .0001, .02, .99989)},
		},
	}
}

// rec builds a normalized record; empty values are missing.
func rec(id, given, family, dob, email, phone, addr string) customer.Record {
	r := customer.Record{Source: "t", ID: id}
	set := func(f customer.Field, v string) {
		if v != "" {
			r.Fields[f] = customer.Value{Raw: v, Norm: v, Status: customer.Valid}
		}
	}
	set(customer.GivenName, given)
	set(customer.FamilyName, family)
	set(customer.DateOfBirth, dob)
	set(customer.Email, email)
	set(customer.Phone, phone)
	set(customer.AddressLine1, addr)
	return r
}

func resolve(t *testing.T, opts Options, recs []customer.Record, prev map[string]string) *Result {
	t.Helper()
	if opts.Model == nil {
		opts.Model = testModel()
	}
	res, err := New(opts).Resolve(context.Background(), recs, prev)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestResolveLinksAndSeparates(t *testing.T) {
	recs := []customer.Record{
		rec("1", "john", "smith", "1980-01-01", "john@x.com", "+61291234567", "1 main street"),
		rec("2", "jon", "smith", "1980-01-01", "", "+61291234567", "1 main st"),
		rec("3", "mary", "jones", "1975-03-03", "mary@y.org", "+61399999999", "9 other road"),
		rec("4", "johnny", "smyth", "1980-10-01", "john@x.com", "", ""),
	}
	res := resolve(t, Options{}, recs, nil)
	same := func(a, b string) bool { return res.Assign["t/"+a] == res.Assign["t/"+b] }
	if !same("1", "2") || !same("1", "4") {
		t.Errorf("records of John not linked: %v", res.Assign)
	}
	if same("1", "3") {
		t.Errorf("Mary linked to John: %v", res.Assign)
	}
	if res.Profiles != 2 || len(res.Assign) != 4 {
		t.Errorf("profiles %d, assigned %d; want 2, 4", res.Profiles, len(res.Assign))
	}
}

// TestChainedHouseholdSplits: X shares an address with John and an email
// with Jane and links to both, but John and Jane disagree on given name
// and birth date with a low probability, so they stay apart.
func TestChainedHouseholdSplits(t *testing.T) {
	recs := []customer.Record{
		rec("john", "john", "smith", "1980-01-01", "john@x.com", "+61291234567", "1 main street"),
		rec("jane", "mary", "smith", "1982-05-05", "home@x.com", "+61291234567", "7 high road"),
		rec("x", "", "smith", "", "home@x.com", "+61291234567", "1 main street"),
	}
	res := resolve(t, Options{}, recs, nil)
	if res.Assign["t/john"] == res.Assign["t/jane"] {
		t.Fatalf("household chained into one profile: %v", res.Assign)
	}
	if res.Refused == 0 || res.Links < 2 {
		t.Errorf("refused %d, links %d; want a refused merge and both links", res.Refused, res.Links)
	}
	// Without the conflict rule the chain would merge them: the links are there.
	if x := res.Assign["t/x"]; x != res.Assign["t/john"] && x != res.Assign["t/jane"] {
		t.Errorf("x joined neither: %v", res.Assign)
	}
}

// TestHouseholds: same family name and address, another given name.
// Two valid birth dates that differ outright keep them apart; a shared
// phone does so when a birth date is missing too; a shared address with a
// missing birth date does not, nor do birth dates one typo apart (one
// person whose given name is wrong).
func TestHouseholds(t *testing.T) {
	household := func(phone, dob string) []customer.Record {
		recs := []customer.Record{
			rec("john", "john", "smith", "1980-01-01", "", phone, "1 main street"),
			rec("mary", "mary", "smith", dob, "", phone, "1 main street"),
			rec("x", "", "smith", "", "", phone, "1 main street"),
		}
		for i := range recs {
			recs[i].Fields[customer.PostalCode] = customer.Value{Raw: "2000", Norm: "2000", Status: customer.Valid}
			recs[i].Fields[customer.Locality] = customer.Value{Raw: "Sydney", Norm: "Sydney", Status: customer.Valid}
		}
		return recs
	}
	for _, tt := range []struct {
		name       string
		phone, dob string
		apart      bool
	}{
		{"shared phone", "+61291234567", "1982-05-05", true},
		{"shared phone, no birth date", "+61291234567", "", true},
		{"shared phone, birth date one digit off", "+61291234567", "1980-01-02", false},
		{"address only", "", "1982-05-05", true},
		{"address only, no birth date", "", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			recs := household(tt.phone, tt.dob)
			e, err := testModel().Explain(&recs[0], &recs[1])
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Conflict != ""; got != tt.apart {
				t.Errorf("conflict %q, want one: %v", e.Conflict, tt.apart)
			}
			if !tt.apart {
				return
			}
			res := resolve(t, Options{}, recs, nil)
			if res.Assign["t/john"] == res.Assign["t/mary"] {
				t.Errorf("john and mary in one profile: %v", res.Assign)
			}
		})
	}
}

func TestOverridesSurviveReruns(t *testing.T) {
	recs := []customer.Record{
		rec("1", "john", "smith", "1980-01-01", "john@x.com", "+61291234567", "1 main street"),
		rec("2", "john", "smith", "1980-01-01", "john@x.com", "+61291234567", "1 main street"),
		rec("3", "mary", "jones", "1975-03-03", "mary@y.org", "+61399999999", "9 other road"),
	}
	opts := Options{MustLink: [][2]string{{"t/1", "t/3"}}, CannotLink: [][2]string{{"t/1", "t/2"}, {"t/x", "t/1"}}}
	var prev map[string]string
	for run := range 3 {
		res := resolve(t, opts, recs, prev)
		if res.Assign["t/1"] != res.Assign["t/3"] {
			t.Errorf("run %d: must-link pair apart", run)
		}
		if res.Assign["t/1"] == res.Assign["t/2"] {
			t.Errorf("run %d: cannot-link pair together", run)
		}
		if res.Unknown != 1 {
			t.Errorf("run %d: unknown override keys %d, want 1", run, res.Unknown)
		}
		if prev != nil && !sameMap(prev, res.Assign) {
			t.Errorf("run %d: ids changed: %v -> %v", run, prev, res.Assign)
		}
		prev = res.Assign
	}
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestStableIDs: a re-run over unchanged data keeps every id; after a
// change only the touched profile changes, and a split leaves the id with
// the larger part.
func TestStableIDs(t *testing.T) {
	recs := []customer.Record{
		rec("1", "john", "smith", "1980-01-01", "john@x.com", "+61291234567", "1 main street"),
		rec("2", "john", "smith", "1980-01-01", "john@x.com", "", "1 main street"),
		rec("3", "john", "smith", "1980-01-01", "", "+61291234567", "1 main street"),
		rec("4", "mary", "jones", "1975-03-03", "mary@y.org", "+61399999999", "9 other road"),
	}
	first := resolve(t, Options{}, recs, nil)
	again := resolve(t, Options{}, recs, nil)
	if !sameMap(first.Assign, again.Assign) {
		t.Fatalf("fresh runs differ: %v vs %v", first.Assign, again.Assign)
	}
	rerun := resolve(t, Options{}, recs, first.Assign)
	if !sameMap(first.Assign, rerun.Assign) {
		t.Fatalf("re-run changed ids: %v vs %v", first.Assign, rerun.Assign)
	}
	// Record 3 becomes someone else: John's profile keeps its id (two of
	// three records stay), Mary's is untouched, 3 gets a new id.
	changed := append([]customer.Record(nil), recs...)
	changed[2] = rec("3", "peter", "brown", "1990-09-09", "", "+61455555555", "3 far lane")
	after := resolve(t, Options{}, changed, first.Assign)
	for _, k := range []string{"t/1", "t/2", "t/4"} {
		if after.Assign[k] != first.Assign[k] {
			t.Errorf("%s: id %s -> %s", k, first.Assign[k], after.Assign[k])
		}
	}
	if id := after.Assign["t/3"]; id == first.Assign["t/3"] || id == first.Assign["t/4"] {
		t.Errorf("t/3 kept an old id %s", id)
	}
	// Adding a record of Mary keeps Mary's id.
	added := append(append([]customer.Record(nil), recs...), rec("5", "mary", "jones", "1975-03-03", "mary@y.org", "", ""))
	grown := resolve(t, Options{}, added, first.Assign)
	if grown.Assign["t/5"] != first.Assign["t/4"] || grown.Assign["t/1"] != first.Assign["t/1"] {
		t.Errorf("adding a record moved ids: %v -> %v", first.Assign, grown.Assign)
	}
}

func TestExplainWeightsAddUp(t *testing.T) {
	m := testModel()
	m.TF = map[string]*TermFrequencies{"family_name": {Total: 100, Counts: map[string]int{"smith": 20}}}
	pairs := [][2]customer.Record{
		{rec("1", "john", "smith", "1980-01-01", "", "+61291234567", "1 main street"), rec("2", "jon", "smith", "1980-01-10", "", "+61291234567", "1 main st")},
		{rec("1", "john", "smith", "1980-01-01", "", "", ""), rec("2", "mary", "jones", "1975-03-03", "", "", "")},
		{rec("1", "john", "smith", "", "", "", ""), rec("2", "smith", "john", "", "", "", "")},
	}
	for i, p := range pairs {
		e, err := m.Explain(&p[0], &p[1])
		if err != nil {
			t.Fatal(err)
		}
		sum := e.Prior
		for _, f := range e.Fields {
			sum += f.Weight
			if f.M == 0 && f.Weight != 0 {
				t.Errorf("pair %d: %s null level weighs %v", i, f.Comparison, f.Weight)
			}
		}
		if math.Abs(sum-e.Weight) > 1e-9 {
			t.Errorf("pair %d: prior and fields add to %v, total %v", i, sum, e.Weight)
		}
		if math.Abs(e.Probability-probability(e.Weight)) > 1e-12 {
			t.Errorf("pair %d: probability %v does not follow weight %v", i, e.Probability, e.Weight)
		}
		var buf bytes.Buffer
		if err := e.WriteText(&buf); err != nil || !strings.Contains(buf.String(), "total") {
			t.Errorf("pair %d: WriteText: %v\n%s", i, err, buf.String())
		}
	}
	e, _ := m.Explain(&pairs[0][0], &pairs[0][1])
	if e.Fields[1].Level != "exact" || e.Fields[1].TFAdjustment >= 0 {
		t.Errorf("exact common family name: level %q, tf adjustment %v; want exact, negative", e.Fields[1].Level, e.Fields[1].TFAdjustment)
	}
	if e.Probability < 0.9 {
		t.Errorf("John and Jon: probability %v, want >= 0.9", e.Probability)
	}
	e, _ = m.Explain(&pairs[1][0], &pairs[1][1])
	if e.Conflict == "" || e.Probability > 0.01 {
		t.Errorf("John and Mary: probability %v, conflict %q; want low with a conflict", e.Probability, e.Conflict)
	}
	e, _ = m.Explain(&pairs[2][0], &pairs[2][1])
	if e.Fields[0].Level != "swapped with family name" {
		t.Errorf("swapped names: level %q", e.Fields[0].Level)
	}
}

func TestModelRoundTrip(t *testing.T) {
	m := testModel()
	m.TF = map[string]*TermFrequencies{"family_name": {Total: 100, Counts: map[string]int{"smith": 20}}}
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back Model
	if err := back.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	a := rec("1", "john", "smith", "1980-01-01", "", "+61291234567", "1 main street")
	b := rec("2", "john", "smith", "1980-01-02", "", "", "1 main street")
	e1, err := m.Explain(&a, &b)
	if err != nil {
		t.Fatal(err)
	}
	e2, err := back.Explain(&a, &b)
	if err != nil {
		t.Fatal(err)
	}
	if e1.Weight != e2.Weight || e1.Weight == 0 {
		t.Errorf("weight %v after round trip, want %v", e2.Weight, e1.Weight)
	}
	var buf bytes.Buffer
	if err := back.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"family_name (term-frequency adjusted)", "given_name", "one digit off or transposed", "identifier:national_id"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
	for _, bad := range []string{`{"version":3,"lambda":2,"comparisons":[]}`, `{"version":3,"lambda":0.1,"comparisons":[{"name":"shoe_size","levels":[]}]}`, `{`} {
		if err := back.UnmarshalBinary([]byte(bad)); err == nil {
			t.Errorf("UnmarshalBinary(%s): no error", bad)
		}
	}
	// A model from before versions were kept decodes as stale.
	if err := back.UnmarshalBinary([]byte(`{"lambda":0.1,"comparisons":[]}`)); !errors.Is(err, ErrStaleModel) {
		t.Errorf("UnmarshalBinary of a version 0 model: %v, want ErrStaleModel", err)
	}
}

// TestOversizedBlock: a shared placeholder email puts 40 records in one
// block; with a limit of 30 it is skipped and reported.
func TestOversizedBlock(t *testing.T) {
	var recs []customer.Record
	for i := range 40 {
		recs = append(recs, rec(string(rune('a'+i%26))+strings.Repeat("x", i/26), "", "", "", "noreply@shop.com", "", ""))
	}
	recs = append(recs, rec("p1", "ann", "lee", "1990-01-01", "ann@lee.org", "", ""), rec("p2", "ann", "lee", "1990-01-01", "ann@lee.org", "", ""))
	res := resolve(t, Options{MaxBlockSize: 30}, recs, nil)
	// The email and email local-part rules both see the block.
	if len(res.Oversized) != 2 || res.Oversized[0].Rule != RuleEmail || res.Oversized[0].Records != 40 || res.Oversized[0].Key != "noreply@shop.com" {
		t.Fatalf("oversized = %+v", res.Oversized)
	}
	if res.Assign["t/p1"] != res.Assign["t/p2"] {
		t.Error("Ann's records not linked")
	}
}

func TestResolveTooLittleToTrain(t *testing.T) {
	for _, recs := range [][]customer.Record{
		nil,
		{rec("1", "ann", "lee", "", "", "", "")},
		{{Source: "t", ID: "1"}, {Source: "t", ID: "2"}},
	} {
		res, err := New(Options{}).Resolve(context.Background(), recs, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Profiles != len(recs) || len(res.Assign) != len(recs) || res.Model != nil {
			t.Errorf("%d records: %d profiles, %d assigned, model %v", len(recs), res.Profiles, len(res.Assign), res.Model)
		}
	}
}

func TestBlockingRules(t *testing.T) {
	recs := []customer.Record{rec("1", "a", "b", "", "", "", ""), rec("2", "a", "b", "", "", "", "")}
	if _, err := New(Options{Blocking: []string{"shoe_size"}, Model: testModel()}).Resolve(context.Background(), recs, nil); err == nil {
		t.Error("unknown blocking rule: no error")
	}
	res := resolve(t, Options{Blocking: []string{RuleName}}, recs, nil)
	if res.Candidates != 1 {
		t.Errorf("candidates %d, want 1", res.Candidates)
	}
	// Pairs found by several rules are compared once.
	recs = []customer.Record{rec("1", "ann", "lee", "1990-01-01", "ann@lee.org", "+61291234567", ""), rec("2", "ann", "lee", "1990-01-01", "ann@lee.org", "+61291234567", "")}
	if res := resolve(t, Options{}, recs, nil); res.Candidates != 1 {
		t.Errorf("candidates %d over all rules, want 1", res.Candidates)
	}
}

// TestEMRecoversKnownModel draws comparison patterns from a known model
// and checks that EM, given the true u, recovers m and the match share.
func TestEMRecoversKnownModel(t *testing.T) {
	truth := testModel()
	m := testModel()
	rng := rand.New(rand.NewPCG(7, 8))
	draw := func(levels []Level, useM bool) int {
		x := rng.Float64()
		for l := 1; l < len(levels); l++ {
			p := levels[l].U
			if useM {
				p = levels[l].M
			}
			if x < p {
				return l
			}
			x -= p
		}
		return len(levels) - 1
	}
	const n, share = 200000, 0.3
	var cands []candidate
	for range n {
		match := rng.Float64() < share
		var g uint64
		for c, cmp := range truth.Comparisons {
			g |= uint64(draw(cmp.Levels, match)) << (4 * c)
		}
		cands = append(cands, candidate{g: g})
	}
	sc, err := m.compile()
	if err != nil {
		t.Fatal(err)
	}
	est, matches, _ := em(m, sc, patterns(cands, func(*candidate) bool { return true }, 0), 0)
	if got := matches / n; math.Abs(got-share) > 0.01 {
		t.Errorf("match share %.4f, want %.2f", got, share)
	}
	for c, cmp := range truth.Comparisons {
		for l := 1; l < len(cmp.Levels); l++ {
			if d := math.Abs(est[c][l] - cmp.Levels[l].M); d > 0.01 {
				t.Errorf("%s %q: m %.4f, want %.4f", cmp.Name, cmp.Levels[l].Name, est[c][l], cmp.Levels[l].M)
			}
		}
	}
}

func TestAssignIDs(t *testing.T) {
	prev := map[string]string{"s/1": "pA", "s/2": "pA", "s/3": "pA", "s/4": "pB"}
	for _, tt := range []struct {
		name     string
		clusters [][]string
		want     []string // "" means a new id
	}{
		{"unchanged", [][]string{{"s/1", "s/2", "s/3"}, {"s/4"}}, []string{"pA", "pB"}},
		{"split keeps the larger part", [][]string{{"s/3"}, {"s/1", "s/2"}, {"s/4"}}, []string{"", "pA", "pB"}},
		{"merge keeps the larger former", [][]string{{"s/1", "s/2", "s/3", "s/4"}}, []string{"pA"}},
		{"new record", [][]string{{"s/1", "s/2", "s/3"}, {"s/4"}, {"s/5"}}, []string{"pA", "pB", ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := AssignIDs(tt.clusters, prev)
			seen := map[string]bool{}
			for i, id := range got {
				if seen[id] {
					t.Errorf("id %s given twice", id)
				}
				seen[id] = true
				if tt.want[i] != "" && id != tt.want[i] {
					t.Errorf("cluster %v: id %s, want %s", tt.clusters[i], id, tt.want[i])
				}
				if tt.want[i] == "" && (id == "pA" || id == "pB" || id == "") {
					t.Errorf("cluster %v: id %q, want a new one", tt.clusters[i], id)
				}
			}
		})
	}
	a := AssignIDs([][]string{{"s/9", "s/8"}}, nil)
	b := AssignIDs([][]string{{"s/8", "s/9"}}, nil)
	if a[0] != b[0] {
		t.Errorf("fresh ids depend on member order: %s, %s", a[0], b[0])
	}
}

// TestResolveSubsetWithModel re-resolves a few records under a given
// model, as incremental resolution does with the profiles a change
// touches: blocking follows the model's fields, not how many of these
// records carry them.
func TestResolveSubsetWithModel(t *testing.T) {
	for _, tt := range []struct {
		name     string
		recs     []customer.Record
		profiles int
	}{
		{"one record", []customer.Record{rec("1", "ann", "lee", "", "ann@lee.org", "", "")}, 1},
		{"two with one email", []customer.Record{
			rec("1", "ann", "lee", "", "ann@lee.org", "+61291234567", ""),
			rec("2", "ann", "lee", "", "ann@lee.org", "", ""),
		}, 1},
		{"two strangers", []customer.Record{
			rec("1", "ann", "lee", "1980-01-01", "", "", ""),
			rec("2", "bob", "ray", "", "bob@ray.org", "", ""),
		}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := resolve(t, Options{}, tt.recs, nil)
			if res.Profiles != tt.profiles {
				t.Errorf("%d profiles, want %d: %v", res.Profiles, tt.profiles, res.Assign)
			}
		})
	}
}
