package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/override"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
	"github.com/scvhq/scv/store"
)

// fakeAdmin records what it is asked and answers from its fields.
type fakeAdmin struct {
	mu        sync.Mutex
	overrides []store.Override
	err       error // returned by every change when set
	merged    [][]string
	split     []string
}

func (f *fakeAdmin) Merge(ctx context.Context, ids []string) (customer.Profile, []store.Override, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return customer.Profile{}, nil, f.err
	}
	f.merged = append(f.merged, ids)
	o := store.Override{ID: 7, Kind: store.MustLink, A: "crm/1", B: "desk/3", Created: updated}
	return customer.Profile{ID: ids[0], Members: []customer.Record{{Source: "crm", ID: "1"}, {Source: "desk", ID: "3"}}}, []store.Override{o}, nil
}

func (f *fakeAdmin) Split(ctx context.Context, id string, keys []string) ([]customer.Profile, []store.Override, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, nil, f.err
	}
	f.split = append([]string{id}, keys...)
	return []customer.Profile{{ID: "pNew", Members: []customer.Record{{Source: "shop", ID: "9"}}}, {ID: id, Members: []customer.Record{{Source: "crm", ID: "1"}}}},
		[]store.Override{{ID: 8, Kind: store.CannotLink, A: "crm/1", B: "shop/9"}}, nil
}

func (f *fakeAdmin) List(ctx context.Context) ([]store.Override, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.overrides), nil
}

func (f *fakeAdmin) Delete(ctx context.Context, id uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := slices.IndexFunc(f.overrides, func(o store.Override) bool { return o.ID == id })
	if i < 0 {
		return fmt.Errorf("override %d: %w", id, customer.ErrNotFound)
	}
	f.overrides = slices.Delete(f.overrides, i, i+1)
	return nil
}

func adminServer(t *testing.T, admin Admin) scvv1.AdminServiceClient {
	t.Helper()
	recs, assign := fixture()
	return scvv1.NewAdminServiceClient(serve(t, openStore(t, recs, assign), Options{Admin: admin}))
}

func TestMergeAndSplit(t *testing.T) {
	fake := &fakeAdmin{}
	client := adminServer(t, fake)
	ctx := context.Background()
	m, err := client.MergeProfiles(ctx, &scvv1.MergeProfilesRequest{Names: []string{"profiles/pAlice", "profiles/pBob"}})
	if err != nil {
		t.Fatal(err)
	}
	if m.GetProfile().GetName() != "profiles/pAlice" || len(m.GetProfile().GetMembers()) != 2 {
		t.Errorf("merged profile %v", m.GetProfile())
	}
	if o := m.GetOverrides(); len(o) != 1 || o[0].GetName() != "overrides/7" || o[0].GetKind() != scvv1.OverrideKind_OVERRIDE_KIND_MUST_LINK ||
		!slices.Equal(o[0].GetRecordKeys(), []string{"crm/1", "desk/3"}) || !o[0].GetCreateTime().AsTime().Equal(updated) {
		t.Errorf("merge overrides %v", o)
	}
	if !slices.Equal(fake.merged[0], []string{"pAlice", "pBob"}) {
		t.Errorf("Admin.Merge got %q", fake.merged)
	}
	s, err := client.SplitProfile(ctx, &scvv1.SplitProfileRequest{Name: "profiles/pAlice", RecordKeys: []string{"shop/9"}})
	if err != nil {
		t.Fatal(err)
	}
	if p := s.GetProfiles(); len(p) != 2 || p[0].GetId() != "pNew" || p[1].GetId() != "pAlice" || len(s.GetOverrides()) != 1 {
		t.Errorf("split response %v", s)
	}
	if !slices.Equal(fake.split, []string{"pAlice", "shop/9"}) {
		t.Errorf("Admin.Split got %q", fake.split)
	}
}

func TestAdminErrors(t *testing.T) {
	ctx := context.Background()
	merge := func(client scvv1.AdminServiceClient, names ...string) error {
		_, err := client.MergeProfiles(ctx, &scvv1.MergeProfilesRequest{Names: names})
		return err
	}
	split := func(client scvv1.AdminServiceClient, name string, keys ...string) error {
		_, err := client.SplitProfile(ctx, &scvv1.SplitProfileRequest{Name: name, RecordKeys: keys})
		return err
	}
	ok := adminServer(t, &fakeAdmin{})
	failing := func(err error) scvv1.AdminServiceClient { return adminServer(t, &fakeAdmin{err: err}) }
	for _, tt := range []struct {
		name   string
		err    error
		code   codes.Code
		reason string
		want   string // in the message
	}{
		{"bad name", merge(ok, "profiles/a", "b"), codes.InvalidArgument, "BAD_REQUEST", `names[1]: must be "profiles/{id}"`},
		{"no names", merge(ok), codes.InvalidArgument, "BAD_REQUEST", "names: is required"},
		{"one profile", merge(failing(fmt.Errorf("%w: a merge needs at least two distinct profiles", override.ErrInvalid)), "profiles/a", "profiles/a"), codes.InvalidArgument, "BAD_REQUEST", "names: invalid override: a merge needs"},
		{"unknown profile", merge(failing(&override.ProfileError{ID: "pX", Err: customer.ErrNotFound}), "profiles/a", "profiles/pX"), codes.NotFound, "PROFILE_NOT_FOUND", `profile "profiles/pX" not found`},
		{"config conflict", merge(failing(&override.ConflictError{Kind: store.CannotLink, A: "crm/1", B: "desk/3"}), "profiles/a", "profiles/b"), codes.FailedPrecondition, "CONFIG_OVERRIDE_CONFLICT", `cannot_link "crm/1", "desk/3"`},
		{"too many pairs", split(failing(fmt.Errorf("%w: 20000", override.ErrTooManyPairs)), "profiles/a", "crm/1"), codes.FailedPrecondition, "TOO_MANY_OVERRIDES", "too many override pairs"},
		{"not a member", split(failing(&override.RecordError{Index: 1, Key: "crm/9", Reason: `is not a member of profile "a"`}), "profiles/a", "crm/1", "crm/9"), codes.InvalidArgument, "BAD_REQUEST", `record_keys[1]: "crm/9" is not a member`},
		{"no keys", split(ok, "profiles/a"), codes.InvalidArgument, "BAD_REQUEST", "record_keys: is required"},
		{"bad key", split(ok, "profiles/a", "crm"), codes.InvalidArgument, "BAD_REQUEST", `record_keys[0]: must be "source/id"`},
		{"canceled resolution", merge(failing(fmt.Errorf("resolve: %w", context.DeadlineExceeded)), "profiles/a", "profiles/b"), codes.DeadlineExceeded, "DEADLINE_EXCEEDED", "deadline"},
		{"internal", merge(failing(errors.New("disk on fire")), "profiles/a", "profiles/b"), codes.Internal, "INTERNAL", "internal error"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := status.Convert(tt.err)
			if st.Code() != tt.code || !strings.Contains(st.Message(), tt.want) {
				t.Errorf("status %v %q, want %v containing %q", st.Code(), st.Message(), tt.code, tt.want)
			}
			details(t, tt.err, tt.reason)
		})
	}
}

func TestListAndDeleteOverrides(t *testing.T) {
	fake := &fakeAdmin{}
	for i := range 7 {
		fake.overrides = append(fake.overrides, store.Override{ID: uint64(i*2 + 1), Kind: store.CannotLink, A: "a/1", B: fmt.Sprintf("b/%d", i), Created: time.Unix(int64(i), 0)})
	}
	client := adminServer(t, fake)
	ctx := context.Background()
	var names []string
	req := &scvv1.ListOverridesRequest{PageSize: 3}
	for pages := 0; ; pages++ {
		resp, err := client.ListOverrides(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range resp.GetOverrides() {
			names = append(names, o.GetName())
		}
		if resp.GetNextPageToken() == "" {
			if pages != 2 {
				t.Errorf("%d pages, want 3", pages+1)
			}
			break
		}
		req.PageToken = resp.GetNextPageToken()
	}
	want := []string{"overrides/1", "overrides/3", "overrides/5", "overrides/7", "overrides/9", "overrides/11", "overrides/13"}
	if !slices.Equal(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}
	if _, err := client.ListOverrides(ctx, &scvv1.ListOverridesRequest{PageToken: "bogus"}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("bogus token: %v", err)
	}

	if _, err := client.DeleteOverride(ctx, &scvv1.DeleteOverrideRequest{Name: "overrides/5"}); err != nil {
		t.Fatal(err)
	}
	_, err := client.DeleteOverride(ctx, &scvv1.DeleteOverrideRequest{Name: "overrides/5"})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("deleting twice: %v, want NotFound", err)
	}
	ds := details(t, err, "OVERRIDE_NOT_FOUND")
	if ri, ok := ds[0].(*errdetails.ResourceInfo); !ok || ri.GetResourceType() != "scv.v1.Override" || ri.GetResourceName() != "overrides/5" {
		t.Errorf("detail %v, want ResourceInfo of overrides/5", ds[0])
	}
	for _, name := range []string{"", "overrides/", "overrides/0", "overrides/-1", "overrides/01", "overrides/x", "profiles/1"} {
		_, err := client.DeleteOverride(ctx, &scvv1.DeleteOverrideRequest{Name: name})
		if v := violations(t, err); len(v) != 1 || !strings.HasPrefix(v[0], `name: must be "overrides/{id}"`) {
			t.Errorf("name %q: %q", name, v)
		}
	}
}

func TestAdminServiceOnlyWithAdmin(t *testing.T) {
	recs, assign := fixture()
	client := scvv1.NewAdminServiceClient(serve(t, openStore(t, recs, assign), Options{}))
	_, err := client.ListOverrides(context.Background(), &scvv1.ListOverridesRequest{})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("AdminService without an Admin: %v, want Unimplemented", err)
	}
}
