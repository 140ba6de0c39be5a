package server

import (
	"context"
	"testing"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

func BenchmarkProfileToProto(b *testing.B) {
	recs, _ := fixture()
	p := customer.Profile{ID: "pAlice", Members: recs[:2]}
	g := golden.New(golden.Options{}).Build(p.ID, p.Members, false)
	b.ReportAllocs()
	for b.Loop() {
		profileToProto(&p, g, scvv1.ProfileView_PROFILE_VIEW_FULL)
	}
}

func BenchmarkLookupProfile(b *testing.B) {
	recs, assign := fixture()
	client := scvv1.NewProfileServiceClient(serve(b, openStore(b, recs, assign), Options{DefaultCountry: "GB"}))
	req := &scvv1.LookupProfileRequest{Identifier: &scvv1.Identifier{Kind: "phone", Value: "07700 900123"}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := client.LookupProfile(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
