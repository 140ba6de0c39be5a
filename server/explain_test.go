package server

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/scvhq/scv/customer"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
	"github.com/scvhq/scv/resolver"
)

// trainedExplain trains a resolver model on recs, as scv resolve does, and
// returns its Explain for Options.Explain.
func trainedExplain(t *testing.T, recs []customer.Record) func(a, b *customer.Record) (resolver.Explanation, error) {
	t.Helper()
	res, err := resolver.New(resolver.Options{}).Resolve(context.Background(), recs, nil)
	if err != nil {
		t.Fatal(err)
	}
	return func(a, b *customer.Record) (resolver.Explanation, error) { return res.Model.Explain(a, b) }
}

func TestExplainProfile(t *testing.T) {
	recs, assign := fixture()
	// One more profile holding all three records, for pair ordering.
	all := append(slices.Clone(recs), recs...)
	for i := range recs {
		all[len(recs)+i].Source = "copy"
		assign["copy/"+all[len(recs)+i].ID] = "pAll"
	}
	client := scvv1.NewProfileServiceClient(serve(t, openStore(t, all, assign), Options{Explain: trainedExplain(t, recs)}))
	for _, tt := range []struct {
		name  string
		pairs [][2]string // record keys of each pair, unordered
		notes []string    // a prefix of each closest-member note; a note on each conflict follows
	}{
		{"pAlice", [][2]string{{"crm/1", "shop/9"}}, []string{"crm/1 is closest to shop/9 (probability ", "shop/9 is closest to crm/1 (probability "}},
		{"pBob", nil, []string{"the profile has one member, desk/3: there is nothing to compare"}},
		{"pAll", [][2]string{{"copy/1", "copy/9"}, {"copy/1", "copy/3"}, {"copy/3", "copy/9"}}, []string{"copy/1 is closest to ", "copy/3 is closest to ", "copy/9 is closest to "}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := client.ExplainProfile(context.Background(), &scvv1.ExplainProfileRequest{Name: "profiles/" + tt.name})
			if err != nil {
				t.Fatal(err)
			}
			if resp.GetName() != "profiles/"+tt.name {
				t.Errorf("name %q, want profiles/%s", resp.GetName(), tt.name)
			}
			var got [][2]string
			for i, pe := range resp.GetPairs() {
				got = append(got, [2]string{pe.GetRecordA(), pe.GetRecordB()})
				if i > 0 && pe.GetProbability() > resp.GetPairs()[i-1].GetProbability() {
					t.Errorf("pair %d is more probable than pair %d", i, i-1)
				}
				checkPair(t, pe)
			}
			if len(got) != len(tt.pairs) {
				t.Fatalf("pairs %q, want %q in any order", got, tt.pairs)
			}
			for _, want := range tt.pairs {
				if !slices.Contains(got, want) {
					t.Errorf("pairs %q lack %q", got, want)
				}
			}
			want := slices.Clone(tt.notes)
			for _, pe := range resp.GetPairs() {
				if pe.GetConflict() != "" {
					want = append(want, fmt.Sprintf("%s and %s disagree outright on %s", pe.GetRecordA(), pe.GetRecordB(), pe.GetConflict()))
				}
			}
			if len(resp.GetNotes()) != len(want) {
				t.Fatalf("notes %q, want %d", resp.GetNotes(), len(want))
			}
			for i, w := range want {
				if !strings.HasPrefix(resp.GetNotes()[i], w) {
					t.Errorf("note %d is %q, want prefix %q", i, resp.GetNotes()[i], w)
				}
			}
		})
	}
}

// checkPair checks that a pair's weights add up and its probability
// follows from its weight.
func checkPair(t *testing.T, pe *scvv1.PairExplanation) {
	t.Helper()
	if len(pe.GetComparisons()) == 0 {
		t.Fatalf("pair %s %s has no comparisons", pe.GetRecordA(), pe.GetRecordB())
	}
	sum := pe.GetPriorWeight()
	for _, c := range pe.GetComparisons() {
		if c.GetField() == "" || c.GetLevel() == "" {
			t.Errorf("comparison without field or level: %v", c)
		}
		sum += c.GetWeight()
	}
	if math.Abs(sum-pe.GetWeight()) > 1e-9 {
		t.Errorf("pair %s %s: prior and comparison weights add to %v, want the total %v", pe.GetRecordA(), pe.GetRecordB(), sum, pe.GetWeight())
	}
	if want := 1 / (1 + math.Exp2(-pe.GetWeight())); math.Abs(pe.GetProbability()-want) > 1e-12 {
		t.Errorf("probability %v, want %v from weight %v", pe.GetProbability(), want, pe.GetWeight())
	}
}

func TestExplainProfileErrors(t *testing.T) {
	recs, assign := fixture()
	big := make([]customer.Record, maxExplainMembers+1)
	for i := range big {
		big[i] = record("big", fmt.Sprint(i), map[customer.Field][]string{customer.GivenName: {"Ann"}}, nil)
		assign[big[i].Key()] = "pBig"
	}
	db := openStore(t, append(recs, big...), assign)
	withModel := scvv1.NewProfileServiceClient(serve(t, db, Options{Explain: trainedExplain(t, recs)}))
	noModel := scvv1.NewProfileServiceClient(serve(t, db, Options{}))
	for _, tt := range []struct {
		name     string
		client   scvv1.ProfileServiceClient
		profile  string
		code     codes.Code
		subject  string // the violation subject of a precondition failure
		resource string // the ResourceInfo name of NOT_FOUND
	}{
		{"no model", noModel, "profiles/pAlice", codes.FailedPrecondition, "resolver model", ""},
		{"too many members", withModel, "profiles/pBig", codes.FailedPrecondition, "profiles/pBig", ""},
		{"unknown profile", withModel, "profiles/pNobody", codes.NotFound, "", "profiles/pNobody"},
		{"bad name", withModel, "pAlice", codes.InvalidArgument, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.client.ExplainProfile(context.Background(), &scvv1.ExplainProfileRequest{Name: tt.profile})
			st := status.Convert(err)
			ds := details(t, err, "")
			if st.Code() != tt.code || len(ds) != 1 {
				t.Fatalf("status %v, want %v with one detail and ErrorInfo", st.Proto(), tt.code)
			}
			switch d := ds[0].(type) {
			case *errdetails.PreconditionFailure:
				if v := d.GetViolations(); len(v) != 1 || v[0].GetSubject() != tt.subject {
					t.Errorf("violations %v, want subject %q", v, tt.subject)
				}
			case *errdetails.ResourceInfo:
				if d.GetResourceName() != tt.resource {
					t.Errorf("resource %q, want %q", d.GetResourceName(), tt.resource)
				}
			case *errdetails.BadRequest:
				if v := d.GetFieldViolations(); len(v) != 1 || v[0].GetField() != "name" {
					t.Errorf("field violations %v, want one on name", v)
				}
			default:
				t.Errorf("detail %T", d)
			}
		})
	}
}
