package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

func fixtureServer(t *testing.T, opts Options) scvv1.ProfileServiceClient {
	t.Helper()
	recs, assign := fixture()
	return scvv1.NewProfileServiceClient(serve(t, openStore(t, recs, assign), opts))
}

func wantEqual(t *testing.T, got, want proto.Message) {
	t.Helper()
	if !proto.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", prototext.Format(got), prototext.Format(want))
	}
}

// legacy returns a copy of p without the golden fields, consent, traits,
// view, confidence and consistency flags, for comparing the summary and
// members.
func legacy(p *scvv1.Profile) *scvv1.Profile {
	c := proto.Clone(p).(*scvv1.Profile)
	c.Fields, c.Consent, c.Traits, c.View, c.MatchConfidence = nil, nil, nil, 0, 0
	for _, m := range c.Members {
		for _, f := range m.Fields {
			f.Consistent = false
		}
	}
	return c
}

func aliceSummary() *scvv1.ProfileSummary {
	return &scvv1.ProfileSummary{
		GivenName:   "Alice",
		FamilyName:  "Smith",
		Emails:      []string{"alice@example.com", "alice.s@work.example.org"},
		Phones:      []string{"+442079460958", "+447700900123"},
		DateOfBirth: "1990-04-05",
		Consent: map[string]*scvv1.Consent{
			"email": {Status: scvv1.ConsentStatus_CONSENT_STATUS_DENIED, UpdatedAt: timestamppb.New(consentLate)},
			"sms":   {Status: scvv1.ConsentStatus_CONSENT_STATUS_GRANTED, UpdatedAt: timestamppb.New(consentEarly)},
		},
	}
}

func bobProfile() *scvv1.Profile {
	valid := scvv1.FieldStatus_FIELD_STATUS_VALID
	return &scvv1.Profile{
		Name: "profiles/pBob",
		Id:   "pBob",
		Summary: &scvv1.ProfileSummary{
			GivenName:  "Bob",
			FamilyName: "Jones",
			Emails:     []string{"bob@example.net"},
		},
		Members: []*scvv1.Record{{
			Source: "desk",
			Id:     "3",
			Key:    "desk/3",
			Fields: []*scvv1.Field{
				{Name: "given_name", Raw: "Bob", Normalized: "Bob", Status: valid},
				{Name: "family_name", Raw: "Jones", Normalized: "Jones", Status: valid},
				{Name: "email", Raw: "bob(at)example.net", Status: scvv1.FieldStatus_FIELD_STATUS_INVALID, Reason: customer.NormalizeEmail("bob(at)example.net").Reason},
				{Name: "email", Raw: "bob@example.net", Normalized: "bob@example.net", Status: valid},
				{Name: "phone", Raw: "unknown", Status: scvv1.FieldStatus_FIELD_STATUS_MISSING},
			},
		}},
	}
}

func TestGetProfile(t *testing.T) {
	client := fixtureServer(t, Options{})
	for _, tt := range []struct {
		name string
		req  *scvv1.GetProfileRequest
		want func(*testing.T, *scvv1.Profile)
	}{
		{"full view holds every member value", &scvv1.GetProfileRequest{Name: "profiles/pBob", View: scvv1.ProfileView_PROFILE_VIEW_FULL}, func(t *testing.T, p *scvv1.Profile) {
			wantEqual(t, legacy(p), bobProfile())
			if p.GetView() != scvv1.ProfileView_PROFILE_VIEW_FULL || p.GetMatchConfidence() != 1 {
				t.Errorf("view %v confidence %v, want full and 1", p.GetView(), p.GetMatchConfidence())
			}
			var consistent []string
			for _, f := range p.GetMembers()[0].GetFields() {
				consistent = append(consistent, fmt.Sprintf("%s=%v", f.GetRaw(), f.GetConsistent()))
			}
			if got, want := strings.Join(consistent, " "), "Bob=true Jones=true bob(at)example.net=false bob@example.net=true unknown=false"; got != want {
				t.Errorf("consistent: %s, want %s", got, want)
			}
		}},
		{"unspecified view is marketing", &scvv1.GetProfileRequest{Name: "profiles/pAlice"}, func(t *testing.T, p *scvv1.Profile) {
			wantEqual(t, legacy(p), &scvv1.Profile{Name: "profiles/pAlice", Id: "pAlice", Summary: aliceSummary()})
			if p.GetView() != scvv1.ProfileView_PROFILE_VIEW_MARKETING {
				t.Errorf("view %v", p.GetView())
			}
		}},
		{"marketing view is the summary only", &scvv1.GetProfileRequest{Name: "profiles/pAlice", View: scvv1.ProfileView_PROFILE_VIEW_MARKETING}, func(t *testing.T, p *scvv1.Profile) {
			wantEqual(t, legacy(p), &scvv1.Profile{Name: "profiles/pAlice", Id: "pAlice", Summary: aliceSummary()})
		}},
		{"members sorted by key with maps and timestamps", &scvv1.GetProfileRequest{Name: "profiles/pAlice", View: scvv1.ProfileView_PROFILE_VIEW_FULL}, func(t *testing.T, p *scvv1.Profile) {
			wantEqual(t, p.GetSummary(), aliceSummary())
			var keys []string
			for _, m := range p.GetMembers() {
				keys = append(keys, m.GetKey())
			}
			if want := []string{"crm/1", "shop/9"}; !slices.Equal(keys, want) {
				t.Fatalf("member keys %q, want %q", keys, want)
			}
			crm := p.GetMembers()[0]
			wantEqual(t, crm.GetUpdatedAt(), timestamppb.New(updated))
			if got := crm.GetIdentifiers(); len(got) != 1 || got["national_id"] != "AB123456C" {
				t.Errorf("identifiers %v, want national_id AB123456C", got)
			}
			if got := crm.GetAttributes(); len(got) != 1 || got["tier"] != "gold" {
				t.Errorf("attributes %v, want tier gold", got)
			}
			wantEqual(t, crm.GetConsent()["email"], &scvv1.Consent{Status: scvv1.ConsentStatus_CONSENT_STATUS_GRANTED, UpdatedAt: timestamppb.New(consentEarly)})
			var emails []string
			for _, f := range p.GetMembers()[1].GetFields() {
				if f.GetName() == "email" {
					emails = append(emails, f.GetNormalized())
				}
			}
			if want := []string{"alice@example.com", "alice.s@work.example.org"}; !slices.Equal(emails, want) {
				t.Errorf("shop/9 emails %q, want %q", emails, want)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := client.GetProfile(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			tt.want(t, resp.GetProfile())
		})
	}
}

func TestLookupProfile(t *testing.T) {
	client := fixtureServer(t, Options{DefaultCountry: "GB"})
	for _, tt := range []struct {
		name, kind, value string
		want              string // profile id
	}{
		{"email in another case", "email", "  ALICE@EXAMPLE.COM ", "pAlice"},
		{"second email of a record", "email", "Alice.S@work.example.org", "pAlice"},
		{"phone in national format", "phone", "07700 900123", "pAlice"},
		{"phone in E.164", "phone", "+442079460958", "pAlice"},
		{"source record", "source_record", "desk/3", "pBob"},
		{"strong identifier", "national_id", " AB123456C", "pAlice"},
		{"valid email next to an invalid one", "email", "BOB@example.net", "pBob"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := client.LookupProfile(context.Background(), &scvv1.LookupProfileRequest{
				Identifier: &scvv1.Identifier{Kind: tt.kind, Value: tt.value},
				View:       scvv1.ProfileView_PROFILE_VIEW_FULL,
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := resp.GetProfiles(); len(got) != 1 || got[0].GetId() != tt.want || len(got[0].GetMembers()) == 0 {
				t.Fatalf("got %s, want profile %s with members", prototext.Format(resp), tt.want)
			}
		})
	}
}

func TestLookupProfileMarketingView(t *testing.T) {
	client := fixtureServer(t, Options{})
	resp, err := client.LookupProfile(context.Background(), &scvv1.LookupProfileRequest{
		Identifier: &scvv1.Identifier{Kind: "email", Value: "alice@example.com"},
		View:       scvv1.ProfileView_PROFILE_VIEW_MARKETING,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.GetProfiles()) != 1 {
		t.Fatalf("got %s", prototext.Format(resp))
	}
	wantEqual(t, legacy(resp.GetProfiles()[0]), &scvv1.Profile{Name: "profiles/pAlice", Id: "pAlice", Summary: aliceSummary()})
}

// details returns the details of err's status but its google.rpc.ErrorInfo,
// which must be the last detail, in domain scv.v1, with reason (any
// reason when reason is empty).
func details(t *testing.T, err error, reason string) []any {
	t.Helper()
	ds := status.Convert(err).Details()
	if len(ds) == 0 {
		t.Fatalf("status %v has no details, want an ErrorInfo last", err)
	}
	info, ok := ds[len(ds)-1].(*errdetails.ErrorInfo)
	if !ok || info.GetDomain() != "scv.v1" || info.GetReason() == "" || (reason != "" && info.GetReason() != reason) {
		t.Fatalf("last detail of %v is %v, want an ErrorInfo of scv.v1 with reason %q", err, ds[len(ds)-1], reason)
	}
	return ds[:len(ds)-1]
}

// violations returns the BadRequest field violations of err as
// "field: description" strings.
func violations(t *testing.T, err error) []string {
	t.Helper()
	var out []string
	for _, d := range details(t, err, "") {
		br, ok := d.(*errdetails.BadRequest)
		if !ok {
			t.Fatalf("detail %T, want *errdetails.BadRequest", d)
		}
		for _, v := range br.GetFieldViolations() {
			out = append(out, v.GetField()+": "+v.GetDescription())
		}
	}
	return out
}

func TestInvalidArgument(t *testing.T) {
	client := fixtureServer(t, Options{})
	get := func(req *scvv1.GetProfileRequest) error {
		_, err := client.GetProfile(context.Background(), req)
		return err
	}
	lookup := func(kind, value string) error {
		_, err := client.LookupProfile(context.Background(), &scvv1.LookupProfileRequest{Identifier: &scvv1.Identifier{Kind: kind, Value: value}})
		return err
	}
	for _, tt := range []struct {
		name string
		err  error
		want []string // field paths with a prefix of their description
	}{
		{"bare id", get(&scvv1.GetProfileRequest{Name: "pAlice"}), []string{`name: must be "profiles/{id}"`}},
		{"empty id", get(&scvv1.GetProfileRequest{Name: "profiles/"}), []string{`name: must be`}},
		{"nested name", get(&scvv1.GetProfileRequest{Name: "profiles/a/b"}), []string{`name: must be`}},
		{"unknown view", get(&scvv1.GetProfileRequest{Name: "profiles/pAlice", View: 7}), []string{"view: unknown profile view 7"}},
		{"no identifier", func() error {
			_, err := client.LookupProfile(context.Background(), &scvv1.LookupProfileRequest{})
			return err
		}(), []string{"identifier: is required"}},
		{"empty kind and value", lookup(" ", ""), []string{"identifier.kind: is required", "identifier.value: is required"}},
		{"malformed email", lookup("email", "alice.example.com"), []string{"identifier.value: " + customer.NormalizeEmail("alice.example.com").Reason + ` for kind "email"`}},
		{"national phone without default country", lookup("phone", "07700 900123"), []string{"identifier.value: not a possible phone number in E.164"}},
		{"impossible phone", lookup("phone", "+44 12"), []string{"identifier.value: not a possible phone number"}},
		{"source record without id", lookup("source_record", "desk/"), []string{`identifier.value: must be "source/id"`}},
		{"source record without slash", lookup("source_record", "desk"), []string{`identifier.value: must be "source/id"`}},
		{"placeholder identifier", lookup("national_id", "n/a"), []string{`identifier.value: "n/a" is a placeholder`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if code := status.Code(tt.err); code != codes.InvalidArgument {
				t.Fatalf("code %v (%v), want InvalidArgument", code, tt.err)
			}
			got := violations(t, tt.err)
			if len(got) != len(tt.want) {
				t.Fatalf("violations %q, want %q", got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("violation %d is %q, want prefix %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	client := fixtureServer(t, Options{})
	for _, tt := range []struct {
		name     string
		call     func() error
		resource string
	}{
		{"unknown profile", func() error {
			_, err := client.GetProfile(context.Background(), &scvv1.GetProfileRequest{Name: "profiles/pNobody"})
			return err
		}, "profiles/pNobody"},
		{"unknown email", func() error {
			_, err := client.LookupProfile(context.Background(), &scvv1.LookupProfileRequest{Identifier: &scvv1.Identifier{Kind: "email", Value: "Nobody@Example.com"}})
			return err
		}, "email:nobody@example.com"},
		{"unknown identifier kind", func() error {
			_, err := client.LookupProfile(context.Background(), &scvv1.LookupProfileRequest{Identifier: &scvv1.Identifier{Kind: "loyalty_id", Value: "AB123456C"}})
			return err
		}, "loyalty_id:AB123456C"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			st := status.Convert(err)
			if st.Code() != codes.NotFound {
				t.Fatalf("code %v (%v), want NotFound", st.Code(), err)
			}
			ds := details(t, err, "PROFILE_NOT_FOUND")
			if len(ds) != 1 {
				t.Fatalf("details %v, want one ResourceInfo", ds)
			}
			ri, ok := ds[0].(*errdetails.ResourceInfo)
			if !ok || ri.GetResourceType() != "scv.v1.Profile" || ri.GetResourceName() != tt.resource {
				t.Errorf("detail %v, want ResourceInfo of scv.v1.Profile %q", ds[0], tt.resource)
			}
		})
	}
}

func TestInternalErrorIsLoggedNotSent(t *testing.T) {
	recs, assign := fixture()
	db := openStore(t, recs, assign)
	lg, logs := debugLogger()
	client := scvv1.NewProfileServiceClient(serve(t, db, Options{Logger: lg}))
	// Serve reads the page-token key from the store before it serves, so
	// close the store only once a call has been answered.
	if _, err := client.GetProfile(context.Background(), &scvv1.GetProfileRequest{Name: "profiles/pAlice"}); err != nil {
		t.Fatal(err)
	}
	// Reads from a closed store fail with an error that is not a domain error.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := client.GetProfile(context.Background(), &scvv1.GetProfileRequest{Name: "profiles/pAlice"})
	st := status.Convert(err)
	if st.Code() != codes.Internal || st.Message() != "internal error" || len(details(t, err, "INTERNAL")) != 0 {
		t.Fatalf("status %v, want Internal \"internal error\" without details but its ErrorInfo", st.Proto())
	}
	out := logs.String()
	for _, want := range []string{
		"[ERROR] call failed: method=/scv.v1.ProfileService/GetProfile",
		"database not open",
		"[INFO]  request: method=/scv.v1.ProfileService/GetProfile code=Internal duration=",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestToStatus(t *testing.T) {
	for _, tt := range []struct {
		name     string
		err      error
		code     codes.Code
		internal bool
	}{
		{"canceled", fmt.Errorf("lookup: %w", context.Canceled), codes.Canceled, false},
		{"deadline", profileError("profiles/p", fmt.Errorf("scan: %w", context.DeadlineExceeded)), codes.DeadlineExceeded, false},
		{"not found without resource", fmt.Errorf("x: %w", customer.ErrNotFound), codes.NotFound, false},
		{"status passes through", status.Error(codes.Unavailable, "busy"), codes.Unavailable, false},
		{"internal status is logged", status.Error(codes.Internal, "boom"), codes.Internal, true},
		{"anything else", errors.New("read scv.db: input/output error"), codes.Internal, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, internal := toStatus(tt.err)
			if st.Code() != tt.code || internal != tt.internal {
				t.Errorf("toStatus = %v, internal %v; want %v, %v", st.Code(), internal, tt.code, tt.internal)
			}
		})
	}
}

func TestHealth(t *testing.T) {
	recs, assign := fixture()
	health := healthpb.NewHealthClient(serve(t, openStore(t, recs, assign), Options{}))
	for _, svc := range []string{"", "scv.v1.ProfileService"} {
		resp, err := health.Check(context.Background(), &healthpb.HealthCheckRequest{Service: svc})
		if err != nil {
			t.Fatalf("check %q: %v", svc, err)
		}
		if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("check %q: %v, want SERVING", svc, resp.GetStatus())
		}
	}
}

func TestReflectionListsServices(t *testing.T) {
	recs, assign := fixture()
	conn := serve(t, openStore(t, recs, assign), Options{})
	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{
		MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{},
	}); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range resp.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	for _, want := range []string{"scv.v1.ProfileService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"} {
		if !slices.Contains(names, want) {
			t.Errorf("services %q lack %q", names, want)
		}
	}
}

// gatedStore holds every Profile call until release is closed or the
// call's context ends, then reads from the wrapped store.
type gatedStore struct {
	Store
	entered chan struct{}
	release chan struct{}
}

func (g *gatedStore) GoldenProfile(ctx context.Context, id string) (customer.Profile, *golden.Profile, error) {
	g.entered <- struct{}{}
	select {
	case <-g.release:
	case <-ctx.Done():
		return customer.Profile{}, nil, ctx.Err()
	}
	return g.Store.GoldenProfile(ctx, id)
}

func TestGracefulStop(t *testing.T) {
	for _, tt := range []struct {
		name    string
		release bool          // let the in-flight call finish during the drain
		drain   time.Duration // Options.DrainTimeout
		code    codes.Code    // what the in-flight call gets
	}{
		{"in-flight call drains", true, 5 * time.Second, codes.OK},
		{"drain times out", false, 200 * time.Millisecond, codes.Unavailable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			recs, assign := fixture()
			gate := &gatedStore{Store: openStore(t, recs, assign), entered: make(chan struct{}, 1), release: make(chan struct{})}
			conn, stop := start(t, gate, Options{DrainTimeout: tt.drain})
			client := scvv1.NewProfileServiceClient(conn)

			called := make(chan error, 1)
			go func() {
				_, err := client.GetProfile(context.Background(), &scvv1.GetProfileRequest{Name: "profiles/pBob"})
				called <- err
			}()
			<-gate.entered
			begin := time.Now()
			stopped := make(chan error, 1)
			go func() { stopped <- stop() }()
			select {
			case err := <-stopped:
				t.Fatalf("Serve returned %v while a call was in flight", err)
			case <-time.After(tt.drain / 2):
			}
			if tt.release {
				close(gate.release)
			}
			if err := <-stopped; err != nil {
				t.Fatalf("Serve: %v", err)
			}
			// The drain is bounded: Serve returns soon after the timeout.
			if took := time.Since(begin); took > tt.drain+time.Second {
				t.Errorf("Serve took %v to stop, want about the drain timeout %v at most", took, tt.drain)
			}
			if code := status.Code(<-called); code != tt.code {
				t.Errorf("in-flight call got %v, want %v", code, tt.code)
			}
		})
	}
}

func TestServeFailsOnClosedListener(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lis.Close()
	recs, assign := fixture()
	if err := New(openStore(t, recs, assign), Options{}).Serve(context.Background(), lis); err == nil {
		t.Fatal("Serve on a closed listener returned nil")
	}
}

// TestLookupUnknownKind: with the configured identifier kinds known, a
// lookup by another kind is a bad request that names the kinds there
// are, and never echoes a huge kind whole.
func TestLookupUnknownKind(t *testing.T) {
	client := fixtureServer(t, Options{IdentifierKinds: []string{"national_id"}})
	lookup := func(kind string) error {
		_, err := client.LookupProfile(context.Background(), &scvv1.LookupProfileRequest{Identifier: &scvv1.Identifier{Kind: kind, Value: "ZZ999999Z"}})
		return err
	}
	for _, tt := range []struct{ name, kind string }{
		{"another kind", "loyalty_id"},
		{"a huge kind", strings.Repeat("k", 1<<20)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := lookup(tt.kind)
			if st := status.Convert(err); st.Code() != codes.InvalidArgument {
				t.Fatalf("code %v (%v), want InvalidArgument", st.Code(), err)
			}
			ds := details(t, err, "BAD_REQUEST")
			var br *errdetails.BadRequest
			for _, d := range ds {
				if b, ok := d.(*errdetails.BadRequest); ok {
					br = b
				}
			}
			if br == nil || len(br.GetFieldViolations()) != 1 || br.GetFieldViolations()[0].GetField() != "identifier.kind" {
				t.Fatalf("details %v, want one violation of identifier.kind", ds)
			}
			desc := br.GetFieldViolations()[0].GetDescription()
			if !strings.Contains(desc, "email, phone, source_record, national_id") {
				t.Errorf("violation %q does not name the kinds there are", desc)
			}
			if len(err.Error()) > 4096 {
				t.Errorf("the error echoes %d bytes", len(err.Error()))
			}
		})
	}
	if st := status.Convert(lookup("national_id")); st.Code() != codes.NotFound {
		t.Errorf("a configured kind with an unknown value: %v, want NotFound", st.Code())
	}
}
