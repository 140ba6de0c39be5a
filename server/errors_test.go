package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

// rawCodec sends a []byte request as it is, so a test can send bytes
// that no protobuf library would produce.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error)      { return v.([]byte), nil }
func (rawCodec) Unmarshal(data []byte, v any) error { return proto.Unmarshal(data, v.(proto.Message)) }
func (rawCodec) Name() string                       { return "proto" }

// maxErrorBytes is the most an error's message and details may hold
// together in these tests: up to ten clipped values and their
// explanations, well inside gRPC's default limit on trailers.
const maxErrorBytes = 4096

// errorSize returns the size of err's status as sent.
func errorSize(err error) int {
	return proto.Size(status.Convert(err).Proto())
}

func TestUndecodableRequestIsInvalidArgument(t *testing.T) {
	recs, assign := fixture()
	conn := serve(t, openStore(t, recs, assign), Options{})
	badUTF8 := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), "profiles/\xff\xfe")
	for _, tt := range []struct {
		name   string
		method string
		body   []byte
	}{
		{"invalid UTF-8 in a string field", "/scv.v1.ProfileService/GetProfile", badUTF8},
		{"invalid UTF-8 in a repeated string", "/scv.v1.ProfileService/BatchGetProfiles", badUTF8},
		{"invalid UTF-8 in a nested message", "/scv.v1.ProfileService/LookupProfile",
			protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType),
				protowire.AppendString(protowire.AppendTag(nil, 2, protowire.BytesType), "a\xc0@example.com"))},
		{"not a message", "/scv.v1.ProfileService/ListProfiles", []byte{0xff, 0xff, 0xff, 0xff}},
		{"truncated field", "/scv.v1.ProfileService/GetProfile", []byte{0x0a, 0x10, 'p'}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var resp scvv1.GetProfileResponse
			err := conn.Invoke(context.Background(), tt.method, tt.body, &resp, grpc.ForceCodec(rawCodec{}))
			if status.Code(err) != codes.InvalidArgument {
				t.Fatalf("%v, want InvalidArgument", err)
			}
			details(t, err, "MALFORMED_REQUEST")
		})
	}
	// The server still serves well-formed requests afterwards.
	if _, err := scvv1.NewProfileServiceClient(conn).GetProfile(context.Background(), &scvv1.GetProfileRequest{Name: "profiles/pBob"}); err != nil {
		t.Fatal(err)
	}
}

func TestHugeValuesAreNotEchoed(t *testing.T) {
	client := fixtureServer(t, Options{DefaultCountry: "GB"})
	ctx := context.Background()
	huge := strings.Repeat("A", 3_900_000)
	megName := "profiles/" + strings.Repeat("n", 1<<20)
	for _, tt := range []struct {
		name string
		call func() error
		code codes.Code
	}{
		{"3.9 MB identifier value", func() error {
			_, err := client.LookupProfile(ctx, &scvv1.LookupProfileRequest{Identifier: &scvv1.Identifier{Kind: "national_id", Value: huge}})
			return err
		}, codes.NotFound},
		{"3.9 MB email", func() error {
			_, err := client.LookupProfile(ctx, &scvv1.LookupProfileRequest{Identifier: &scvv1.Identifier{Kind: "email", Value: huge}})
			return err
		}, codes.InvalidArgument},
		{"3.9 MB identifier kind", func() error {
			_, err := client.LookupProfile(ctx, &scvv1.LookupProfileRequest{Identifier: &scvv1.Identifier{Kind: huge, Value: "x"}})
			return err
		}, codes.NotFound},
		{"1 MB profile name", func() error {
			_, err := client.GetProfile(ctx, &scvv1.GetProfileRequest{Name: megName})
			return err
		}, codes.NotFound},
		{"1 MB malformed name", func() error {
			_, err := client.GetProfile(ctx, &scvv1.GetProfileRequest{Name: megName + " x"})
			return err
		}, codes.InvalidArgument},
		{"1 MB name in a batch", func() error {
			_, err := client.BatchGetProfiles(ctx, &scvv1.BatchGetProfilesRequest{Names: []string{"profiles/pBob", megName}})
			return err
		}, codes.NotFound},
		{"many malformed names", func() error {
			names := make([]string, 1000)
			for i := range names {
				names[i] = strings.Repeat("z", 3000)
			}
			_, err := client.BatchGetProfiles(ctx, &scvv1.BatchGetProfilesRequest{Names: names})
			return err
		}, codes.InvalidArgument},
		{"1 MB filter", func() error {
			_, err := client.ListProfiles(ctx, &scvv1.ListProfilesRequest{Filter: "x" + strings.Repeat(" = y", 250_000)})
			return err
		}, codes.InvalidArgument},
		{"1 MB page token", func() error {
			_, err := client.ListProfiles(ctx, &scvv1.ListProfilesRequest{PageToken: strings.Repeat("A", 1<<20)})
			return err
		}, codes.InvalidArgument},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if status.Code(err) != tt.code {
				t.Fatalf("code %v (%.300s), want %v", status.Code(err), err, tt.code)
			}
			if n := errorSize(err); n > maxErrorBytes {
				t.Errorf("the error takes %d bytes, more than %d: %.500s", n, maxErrorBytes, err)
			}
			details(t, err, "")
		})
	}
	// The clipped value says how long it was.
	_, err := client.GetProfile(ctx, &scvv1.GetProfileRequest{Name: megName})
	if msg := status.Convert(err).Message(); !strings.Contains(msg, "(1048585 bytes)") {
		t.Errorf("message %q does not give the name's length", msg)
	}
	for _, d := range details(t, err, "PROFILE_NOT_FOUND") {
		if ri, ok := d.(*errdetails.ResourceInfo); !ok || len(ri.GetResourceName()) > 100 {
			t.Errorf("detail %v, want a ResourceInfo with a clipped name", d)
		}
	}
}

func TestMessageSizeLimit(t *testing.T) {
	client := fixtureServer(t, Options{MaxRecvMsgSize: 1 << 20})
	_, err := client.GetProfile(context.Background(), &scvv1.GetProfileRequest{Name: "profiles/" + strings.Repeat("n", 1<<20)})
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("a request above MaxRecvMsgSize: %v, want ResourceExhausted", err)
	}
}

// slowStore blocks every profile read until the call's context ends.
type slowStore struct{ Store }

func (slowStore) Profile(ctx context.Context, id string) (customer.Profile, error) {
	<-ctx.Done()
	return customer.Profile{}, ctx.Err()
}

func (slowStore) GoldenProfile(ctx context.Context, id string) (customer.Profile, *golden.Profile, error) {
	<-ctx.Done()
	return customer.Profile{}, nil, ctx.Err()
}

func TestDeadlines(t *testing.T) {
	recs, assign := fixture()
	client := scvv1.NewProfileServiceClient(serve(t, slowStore{openStore(t, recs, assign)}, Options{}))
	for _, tt := range []struct {
		name string
		call func(context.Context) error
	}{
		{"GetProfile", func(ctx context.Context) error {
			_, err := client.GetProfile(ctx, &scvv1.GetProfileRequest{Name: "profiles/pBob"})
			return err
		}},
		{"BatchGetProfiles", func(ctx context.Context) error {
			_, err := client.BatchGetProfiles(ctx, &scvv1.BatchGetProfilesRequest{Names: []string{"profiles/pBob"}})
			return err
		}},
		{"ListProfiles", func(ctx context.Context) error {
			_, err := client.ListProfiles(ctx, &scvv1.ListProfilesRequest{})
			return err
		}},
		{"LookupProfile", func(ctx context.Context) error {
			_, err := client.LookupProfile(ctx, &scvv1.LookupProfileRequest{Identifier: &scvv1.Identifier{Kind: "source_record", Value: "desk/3"}})
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			if err := tt.call(ctx); status.Code(err) != codes.DeadlineExceeded {
				t.Errorf("%v, want DeadlineExceeded", err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("the call took %v to give up", took)
			}
			ctx, cancel = context.WithCancel(context.Background())
			go func() { time.Sleep(100 * time.Millisecond); cancel() }()
			if err := tt.call(ctx); status.Code(err) != codes.Canceled {
				t.Errorf("canceled: %v, want Canceled", err)
			}
		})
	}
}
