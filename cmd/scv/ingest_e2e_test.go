package main

import (
	"context"
	"os"
	"testing"
	"time"

	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

// TestIngestEndToEnd adds an api source to the demo config, upserts a
// record to a running scv serve and looks it up through the same server,
// then deletes it.
func TestIngestEndToEnd(t *testing.T) {
	cfg := demoConfig(t)
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("\nsource \"web\" {\n  type            = \"api\"\n  default_country = \"GB\"\n}\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if r := scv(t, "sync", "--config", cfg, "--log-level", "warn"); r.code != 0 {
		t.Fatalf("sync exited %d: %s", r.code, r.stderr)
	}
	addr, stop := startServer(t, cfg)
	conn := dial(t, addr)
	ing := scvv1.NewIngestServiceClient(conn)
	prof := scvv1.NewProfileServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	rec := &scvv1.RecordInput{Source: "web", Id: "e2e-1", GivenName: "Imogen", FamilyName: "Quill",
		Emails: []string{"Imogen.Quill@Example.com"}, Phones: []string{"07700 900456"}}
	if resp, err := ing.UpsertRecords(ctx, &scvv1.UpsertRecordsRequest{Records: []*scvv1.RecordInput{rec}}); err != nil || resp.GetInserted() != 1 {
		t.Fatalf("upsert: %v %v", resp, err)
	}
	got, err := prof.LookupProfile(ctx, &scvv1.LookupProfileRequest{Identifier: &scvv1.Identifier{Kind: "phone", Value: "+447700900456"}})
	if err != nil || len(got.GetProfiles()) != 1 {
		t.Fatalf("lookup of the ingested record: %v %v", got, err)
	}
	if _, err := ing.DeleteRecord(ctx, &scvv1.DeleteRecordRequest{Source: "web", Id: "e2e-1"}); err != nil {
		t.Fatal(err)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve exited %d", code)
	}
}
