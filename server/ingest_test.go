package server

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/pipeline"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
	"github.com/scvhq/scv/store/bolt"
)

// ingestServer serves a real pipeline over a bbolt store whose config
// declares the api source "web" (GB phones, dd/mm/yyyy dates) and the csv
// source "crm", and returns its address and a func that stops it and
// returns what Serve returned.
func ingestServer(t *testing.T) (string, func() error) {
	t.Helper()
	dir := t.TempDir()
	hcl := `data_dir = "data"
source "crm" {
  type = "csv"
  path = "crm.csv"
  id   = "id"
  map { email = "email" }
}
source "web" {
  type            = "api"
  default_country = "GB"
  date_format     = "dd/mm/yyyy"
}
`
	for name, body := range map[string]string{"scv.hcl": hcl, "crm.csv": "id,email\n1,zed@example.com\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(filepath.Join(dir, "scv.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(cfg.DataDir, bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	p := pipeline.New(cfg, db, pipeline.Options{})
	if _, err := p.Sync(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	opts := Options{DefaultCountry: "GB", Ingest: p, Changes: db, Committed: p.Committed}
	go func() { served <- New(db, opts).Serve(ctx, lis) }()
	var once sync.Once
	var serveErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			serveErr = <-served
		})
		return serveErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return lis.Addr().String(), stop
}

func TestIngestService(t *testing.T) {
	addr, _ := ingestServer(t)
	conn := dial(t, addr)
	ing := scvv1.NewIngestServiceClient(conn)
	prof := scvv1.NewProfileServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	carol := &scvv1.RecordInput{Source: "web", Id: "w1", GivenName: "Carol", FamilyName: "Tan",
		Emails: []string{"Carol@Example.com"}, Phones: []string{"020 7946 0958"}, DateOfBirth: "31/12/1980",
		Consent: map[string]*scvv1.ConsentInput{"email": {Status: "granted"}}}
	resp, err := ing.UpsertRecords(ctx, &scvv1.UpsertRecordsRequest{Records: []*scvv1.RecordInput{carol}})
	if err != nil || resp.GetInserted() != 1 {
		t.Fatalf("upsert: %v %v", resp, err)
	}
	look := func(kind, value string) (*scvv1.LookupProfileResponse, error) {
		return prof.LookupProfile(ctx, &scvv1.LookupProfileRequest{Identifier: &scvv1.Identifier{Kind: kind, Value: value}})
	}
	if got, err := look("phone", "+442079460958"); err != nil || len(got.GetProfiles()) != 1 {
		t.Fatalf("lookup by the ingested phone: %v %v", got, err)
	}
	if again, err := ing.UpsertRecords(ctx, &scvv1.UpsertRecordsRequest{Records: []*scvv1.RecordInput{carol}}); err != nil || again.GetUnchanged() != 1 {
		t.Errorf("upsert again: %v %v, want unchanged", again, err)
	}

	t.Run("bad record names index and field; the rest is stored", func(t *testing.T) {
		recs := []*scvv1.RecordInput{
			{Source: "web", Id: "w2", Emails: []string{"dan@example.com"}},
			{Source: "web", GivenName: "NoId"},
			{Source: "web", Id: "w3", Emails: []string{"ok@example.com", strings.Repeat("x", 5000)}},
		}
		_, err := ing.UpsertRecords(ctx, &scvv1.UpsertRecordsRequest{Records: recs})
		fields := fieldViolations(t, err)
		if want := []string{"records[1].id", "records[2].emails[1]"}; strings.Join(fields, ",") != strings.Join(want, ",") {
			t.Errorf("violations %v, want %v", fields, want)
		}
		if _, err := look("email", "dan@example.com"); err != nil {
			t.Errorf("the good record of the batch: %v", err)
		}
	})

	t.Run("undeclared and non-api sources name the api sources", func(t *testing.T) {
		for _, src := range []string{"nope", "crm"} {
			_, err := ing.UpsertRecords(ctx, &scvv1.UpsertRecordsRequest{Records: []*scvv1.RecordInput{{Source: src, Id: "1"}}})
			if st := status.Convert(err); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), `declared api sources: web`) {
				t.Errorf("source %s: %v", src, err)
			}
		}
	})

	t.Run("client stream", func(t *testing.T) {
		stream, err := ing.StreamUpsertRecords(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"s1", "s2"} {
			if err := stream.Send(&scvv1.StreamUpsertRecordsRequest{Records: []*scvv1.RecordInput{{Source: "web", Id: id, Emails: []string{id + "@example.com"}}}}); err != nil {
				t.Fatal(err)
			}
		}
		resp, err := stream.CloseAndRecv()
		if err != nil || resp.GetInserted() != 2 {
			t.Fatalf("stream: %v %v", resp, err)
		}
		if _, err := look("email", "s2@example.com"); err != nil {
			t.Error(err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		if _, err := ing.DeleteRecord(ctx, &scvv1.DeleteRecordRequest{Source: "web", Id: "w1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := look("phone", "+442079460958"); status.Code(err) != codes.NotFound {
			t.Errorf("lookup after delete: %v", err)
		}
		_, err := ing.DeleteRecord(ctx, &scvv1.DeleteRecordRequest{Source: "web", Id: "w1-missing"})
		if status.Code(err) != codes.NotFound {
			t.Errorf("delete of a missing record: %v", err)
		}
	})
}

// fieldViolations returns the fields of err's BadRequest detail, failing the
// test unless err is INVALID_ARGUMENT with one.
func fieldViolations(t *testing.T, err error) []string {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != codes.InvalidArgument {
		t.Fatalf("%v, want INVALID_ARGUMENT", err)
	}
	var fields []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				fields = append(fields, v.GetField())
			}
		}
	}
	if fields == nil {
		t.Fatalf("%v has no BadRequest detail", err)
	}
	return fields
}

// TestGrpcurlIngest upserts a record with grpcurl and looks it up by
// email, asserting on grpcurl's JSON.
func TestGrpcurlIngest(t *testing.T) {
	grpcurl := grpcurlPath(t)
	addr, _ := ingestServer(t)
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, grpcurl, append([]string{"-plaintext"}, args...)...).CombinedOutput()
		var exit *exec.ExitError
		if errors.As(err, &exit) || err != nil {
			t.Fatalf("grpcurl %q: %v\n%s", args, err, out)
		}
		return string(out)
	}
	out := run("-d", `{"records":[{"source":"web","id":"g1","givenName":"Gita","emails":["Gita@Example.com"],"identifiers":{"loyalty_id":"L-1"}}]}`,
		addr, "scv.v1.IngestService/UpsertRecords")
	var up struct{ Inserted int }
	if err := json.Unmarshal([]byte(out), &up); err != nil || up.Inserted != 1 {
		t.Fatalf("upsert: %q %v", out, err)
	}
	out = run("-d", `{"identifier":{"kind":"email","value":"gita@example.com"},"view":"PROFILE_VIEW_FULL"}`, addr, "scv.v1.ProfileService/LookupProfile")
	var look struct {
		Profiles []struct {
			Members []struct{ Source, ID string }
		}
	}
	if err := json.Unmarshal([]byte(out), &look); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
	if len(look.Profiles) != 1 || len(look.Profiles[0].Members) != 1 || look.Profiles[0].Members[0].Source != "web" || look.Profiles[0].Members[0].ID != "g1" {
		t.Errorf("lookup of the ingested record:\n%s", out)
	}
}

// dial returns a client connection to addr, closed when the test ends.
func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
