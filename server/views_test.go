package server

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/scvhq/scv/customer"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

// TestProfileViews checks over loopback gRPC that the marketing view
// carries golden values, consent, reachability and traits but no member
// rows, raw values or lineage, and that the full view's lineage points at
// the member rows.
func TestProfileViews(t *testing.T) {
	recs, _ := fixture()
	client := fixtureServer(t, Options{})
	ctx := context.Background()
	for _, view := range []scvv1.ProfileView{scvv1.ProfileView_PROFILE_VIEW_UNSPECIFIED, scvv1.ProfileView_PROFILE_VIEW_MARKETING} {
		get, err := client.GetProfile(ctx, &scvv1.GetProfileRequest{Name: "profiles/pAlice", View: view})
		if err != nil {
			t.Fatal(err)
		}
		look, err := client.LookupProfile(ctx, &scvv1.LookupProfileRequest{Identifier: &scvv1.Identifier{Kind: "email", Value: "alice@example.com"}, View: view})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []*scvv1.Profile{get.GetProfile(), look.GetProfiles()[0]} {
			if len(p.GetMembers()) > 0 || p.GetMatchConfidence() != 0 {
				t.Errorf("%v: members or confidence in the marketing view", view)
			}
			for _, f := range p.GetFields() {
				if f.GetLineage() != nil || f.GetQuality() != nil {
					t.Errorf("%v: field %s has lineage or quality", view, f.GetName())
				}
			}
			for ch, c := range p.GetConsent() {
				if c.GetLineage() != nil {
					t.Errorf("%v: consent %s has lineage", view, ch)
				}
			}
			for name, tr := range p.GetTraits() {
				if tr.GetLineage() != nil {
					t.Errorf("%v: trait %s has lineage", view, name)
				}
			}
			// No raw value of any member appears anywhere in the message
			// (the raw values differ from their normal forms in the fixture).
			js := protojson.Format(p)
			for _, raw := range []string{"ALICE@Example.com", "020 7946 0958", "+44 7700 900123", "crm/1", "shop/9"} {
				if strings.Contains(js, raw) {
					t.Errorf("%v: marketing view holds %q:\n%s", view, raw, js)
				}
			}
			if got := p.GetConsent()["email"]; got.GetReachable() || got.GetUnreachableReason() != scvv1.UnreachableReason_UNREACHABLE_REASON_DENIED {
				t.Errorf("%v: email reach %v, want denied (shop's newer denial beats crm's grant)", view, got)
			}
			if got := p.GetConsent()["sms"]; !got.GetReachable() {
				t.Errorf("%v: sms not reachable: %v", view, got)
			}
			if got := p.GetTraits()["tier"].GetValue(); got != "gold" {
				t.Errorf("%v: tier = %q", view, got)
			}
		}
	}

	full, err := client.GetProfile(ctx, &scvv1.GetProfileRequest{Name: "profiles/pAlice", View: scvv1.ProfileView_PROFILE_VIEW_FULL})
	if err != nil {
		t.Fatal(err)
	}
	p := full.GetProfile()
	byKey := map[string]*customer.Record{}
	for i := range recs {
		byKey[recs[i].Key()] = &recs[i]
	}
	if len(p.GetFields()) == 0 {
		t.Fatal("no golden fields")
	}
	for _, f := range p.GetFields() {
		if len(f.GetLineage()) != len(f.GetValues()) {
			t.Fatalf("field %s: %d lineages for %d values", f.GetName(), len(f.GetLineage()), len(f.GetValues()))
		}
		field, _ := customer.ParseField(f.GetName())
		for _, l := range f.GetLineage() {
			if l.GetRule() == "" || len(l.GetSources()) == 0 {
				t.Errorf("field %s value %s: lineage %v", f.GetName(), l.GetValue(), l)
			}
			for _, src := range l.GetSources() {
				r := byKey[src.GetRecord()]
				if r == nil {
					t.Errorf("field %s: lineage names %q, no member", f.GetName(), src.GetRecord())
					continue
				}
				found := false
				r.Each(field, func(v customer.Value) bool { found = found || v.Raw == src.GetRaw(); return true })
				if !found {
					t.Errorf("field %s: %s has no raw value %q", f.GetName(), src.GetRecord(), src.GetRaw())
				}
			}
		}
		if q := f.GetQuality(); q == nil || q.GetConsistent() > q.GetValid() || q.GetValid() > q.GetPresent() {
			t.Errorf("field %s quality %v", f.GetName(), q)
		}
	}
	email := p.GetConsent()["email"].GetLineage()
	if email == nil || len(email.GetSources()) != 1 || email.GetSources()[0].GetRecord() != "shop/9" ||
		len(email.GetBeaten()) != 1 || email.GetBeaten()[0].GetSources()[0].GetRecord() != "crm/1" {
		t.Errorf("email consent lineage %v, want shop/9's denial beating crm/1's grant", email)
	}
	if p.GetMatchConfidence() <= 0 || len(p.GetMembers()) != 2 {
		t.Errorf("full view: confidence %v, %d members", p.GetMatchConfidence(), len(p.GetMembers()))
	}
}
