package server

import (
	"context"
	"crypto/sha256"
	"errors"
	"net"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

func testClients() []Client {
	return []Client{
		{Name: "dashboard", TokenSHA256: sha256.Sum256([]byte("dash-token")), Scopes: []string{ScopeRead}},
		{Name: "crm", TokenSHA256: sha256.Sum256([]byte("pii-token")), Scopes: []string{ScopeReadPII}},
		{Name: "ops", TokenSHA256: sha256.Sum256([]byte("admin-token")), Scopes: []string{ScopeAdmin}},
	}
}

func bearer(token string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
}

func TestAuth(t *testing.T) {
	recs, assign := fixture()
	conn := serve(t, openStore(t, recs, assign), Options{Clients: testClients(), Admin: &fakeAdmin{}})
	profiles := scvv1.NewProfileServiceClient(conn)
	admin := scvv1.NewAdminServiceClient(conn)
	get := &scvv1.GetProfileRequest{Name: "profiles/pAlice", View: scvv1.ProfileView_PROFILE_VIEW_FULL}
	for _, tt := range []struct {
		name string
		call func() error
		code codes.Code
		msg  string
	}{
		{"no token", func() error { _, err := profiles.GetProfile(context.Background(), get); return err }, codes.Unauthenticated, "missing bearer token"},
		{"wrong token", func() error { _, err := profiles.GetProfile(bearer("nope"), get); return err }, codes.Unauthenticated, "invalid bearer token"},
		{"read token on admin", func() error {
			_, err := admin.ListOverrides(bearer("dash-token"), &scvv1.ListOverridesRequest{})
			return err
		}, codes.PermissionDenied, `"admin"`},
		{"admin token on profiles", func() error { _, err := profiles.GetProfile(bearer("admin-token"), get); return err }, codes.PermissionDenied, `"profiles.read"`},
		{"read token", func() error { _, err := profiles.GetProfile(bearer("dash-token"), get); return err }, codes.OK, ""},
		{"pii token", func() error { _, err := profiles.GetProfile(bearer("pii-token"), get); return err }, codes.OK, ""},
		{"admin token", func() error {
			_, err := admin.ListOverrides(bearer("admin-token"), &scvv1.ListOverridesRequest{})
			return err
		}, codes.OK, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := status.Convert(tt.call())
			if st.Code() != tt.code || !strings.Contains(st.Message(), tt.msg) {
				t.Errorf("got %v %q, want %v containing %q", st.Code(), st.Message(), tt.code, tt.msg)
			}
		})
	}
}

func TestMasking(t *testing.T) {
	recs, assign := fixture()
	profiles := scvv1.NewProfileServiceClient(serve(t, openStore(t, recs, assign), Options{Clients: testClients()}))
	get := &scvv1.GetProfileRequest{Name: "profiles/pAlice", View: scvv1.ProfileView_PROFILE_VIEW_FULL}
	full, err := profiles.GetProfile(bearer("pii-token"), get)
	if err != nil {
		t.Fatal(err)
	}
	masked, err := profiles.GetProfile(bearer("dash-token"), get)
	if err != nil {
		t.Fatal(err)
	}
	clear := prototext.Format(full)
	for _, want := range []string{"alice@example.com", "+447700900123", "1990-04-05"} {
		if !strings.Contains(clear, want) {
			t.Errorf("profiles.read_pii response lacks %q", want)
		}
	}
	text := prototext.Format(masked)
	for _, leak := range []string{"alice@example.com", "ALICE@Example.com", "alice.s@work", "7700 900123", "+447700900123", "020 7946 0958", "1990-04-05", "date_of_birth"} {
		if strings.Contains(text, leak) {
			t.Errorf("masked response holds %q:\n%s", leak, text)
		}
	}
	for _, want := range []string{"a•••@example.com", "+44•••••0123", "Alice"} {
		if !strings.Contains(text, want) {
			t.Errorf("masked response lacks %q:\n%s", want, text)
		}
	}
	list, err := profiles.ListProfiles(bearer("dash-token"), &scvv1.ListProfilesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if text := prototext.Format(list); strings.Contains(text, "alice@example.com") || strings.Contains(text, "1990-04-05") {
		t.Errorf("masked ListProfiles holds contact values:\n%s", text)
	}
}

func TestMaskValues(t *testing.T) {
	for _, tt := range []struct {
		name string
		f    func(string) string
		in   string
		want string
	}{
		{"email", MaskEmail, "ada@example.com", "a•••@example.com"},
		{"email without at", MaskEmail, "ada(at)example.com", "a•••"},
		{"empty email", MaskEmail, "", ""},
		{"phone", MaskPhone, "+442079460101", "+44•••••0101"},
		{"short phone", MaskPhone, "12345", "•••••"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestEveryMethodHasAScope walks every service of package scv.v1 as
// registered, so a new service or method cannot be left out of the table.
func TestEveryMethodHasAScope(t *testing.T) {
	n := 0
	protoregistry.GlobalFiles.RangeFilesByPackage("scv.v1", func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			sd := fd.Services().Get(i)
			for j := range sd.Methods().Len() {
				full := "/" + string(sd.FullName()) + "/" + string(sd.Methods().Get(j).Name())
				n++
				if _, ok := methodScopes[full]; !ok {
					t.Errorf("%s has no scope", full)
				}
			}
		}
		return true
	})
	if n == 0 {
		t.Fatal("no scv.v1 method is registered")
	}
}

func TestServeRefusesOpenBeyondLoopback(t *testing.T) {
	err := checkOpen(&net.TCPAddr{IP: net.IPv4zero, Port: 7070}, nil)
	var oe *OpenError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "without client blocks") {
		t.Fatalf("checkOpen(0.0.0.0) = %v, want an *OpenError", err)
	}
	if err := checkOpen(&net.TCPAddr{IP: net.IPv4zero, Port: 7070}, testClients()); err != nil {
		t.Errorf("with clients: %v", err)
	}
	if err := checkOpen(&net.TCPAddr{IP: net.IPv6loopback, Port: 7070}, nil); err != nil {
		t.Errorf("on ::1: %v", err)
	}
}
