package server_test

import (
	"context"
	"fmt"
	"net"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/scvhq/scv/customer"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
	"github.com/scvhq/scv/server"
	"github.com/scvhq/scv/store"
	"github.com/scvhq/scv/store/bolt"
)

// Serve a store over gRPC and look a profile up by email, in another case
// than the source wrote it.
func Example() {
	dir, err := os.MkdirTemp("", "scv-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	db, err := bolt.Open(dir, bolt.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	r := customer.Record{Source: "crm", ID: "1"}
	r.Add(customer.GivenName, customer.Value{Raw: "Ada"})
	r.Add(customer.Email, customer.Value{Raw: "Ada@Example.com"})
	customer.Normalize(&r, customer.Options{DefaultCountry: "GB"})
	if _, err := db.PutRecords(ctx, store.Batch{Records: []customer.Record{r}}); err != nil {
		fmt.Println(err)
		return
	}
	if err := db.ApplyResolution(ctx, store.Resolution{Assign: map[string]string{"crm/1": "p1"}, Full: true}); err != nil {
		fmt.Println(err)
		return
	}

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	served := make(chan error, 1)
	go func() { served <- server.New(db, server.Options{DefaultCountry: "GB"}).Serve(ctx, lis) }()

	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	resp, err := scvv1.NewProfileServiceClient(conn).LookupProfile(ctx, &scvv1.LookupProfileRequest{
		Identifier: &scvv1.Identifier{Kind: "email", Value: "ADA@example.com"},
		View:       scvv1.ProfileView_PROFILE_VIEW_FULL,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range resp.GetProfiles() {
		fmt.Println(p.GetName(), p.GetSummary().GetGivenName(), p.GetSummary().GetEmails(), len(p.GetMembers()))
	}
	stop()
	fmt.Println("serve:", <-served)
	// Output:
	// profiles/p1 Ada [ada@example.com] 1
	// serve: <nil>
}
