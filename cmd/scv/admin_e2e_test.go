package main

import (
	"context"
	"encoding/json"
	"os/exec"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

// dial connects to a running scv serve.
func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func keysOf(p *scvv1.Profile) []string {
	var out []string
	for _, m := range p.GetMembers() {
		out = append(out, m.GetKey())
	}
	return out
}

// TestOverridesEndToEnd lists profiles, merges two and splits a third on
// a running scv serve, then checks that a full scv resolve (which trains
// the model again) keeps both, and that deleting the split's overrides
// through grpcurl undoes it.
func TestOverridesEndToEnd(t *testing.T) {
	cfg := demoConfig(t)
	if r := scv(t, "sync", "--config", cfg, "--log-level", "warn"); r.code != 0 {
		t.Fatalf("sync exited %d: %s", r.code, r.stderr)
	}
	before := exportClusters(t, cfg)
	addr, stop := startServer(t, cfg)
	conn := dial(t, addr)
	profiles := scvv1.NewProfileServiceClient(conn)
	admin := scvv1.NewAdminServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// Every profile, in id order, over pages of 7.
	var all []*scvv1.Profile
	req := &scvv1.ListProfilesRequest{PageSize: 7, View: scvv1.ProfileView_PROFILE_VIEW_FULL}
	for {
		resp, err := profiles.ListProfiles(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, resp.GetProfiles()...)
		if req.PageToken = resp.GetNextPageToken(); req.PageToken == "" {
			break
		}
	}
	distinct := map[string]bool{}
	for _, pid := range before {
		distinct[pid] = true
	}
	if len(all) != len(distinct) || !slices.IsSortedFunc(all, func(a, b *scvv1.Profile) int {
		return compareStrings(a.GetId(), b.GetId())
	}) {
		t.Fatalf("ListProfiles gave %d profiles, want the %d of the export in id order", len(all), len(distinct))
	}
	// Merge the first two profiles; split the first record out of the
	// next one of three or more.
	singles := all[:2]
	var multi *scvv1.Profile
	for _, p := range all[2:] {
		if len(p.GetMembers()) >= 3 {
			multi = p
			break
		}
	}
	if multi == nil {
		t.Fatal("the demo has no profile of three records")
	}
	a := keysOf(singles[0])[0]
	both := slices.Sorted(slices.Values(append(keysOf(singles[0]), keysOf(singles[1])...)))
	batch, err := profiles.BatchGetProfiles(ctx, &scvv1.BatchGetProfilesRequest{Names: []string{singles[1].GetName(), singles[0].GetName()}})
	if err != nil || len(batch.GetProfiles()) != 2 || batch.GetProfiles()[0].GetId() != singles[1].GetId() {
		t.Fatalf("BatchGetProfiles: %v, %v", batch, err)
	}

	merged, err := admin.MergeProfiles(ctx, &scvv1.MergeProfilesRequest{Names: []string{singles[0].GetName(), singles[1].GetName()}})
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(merged.GetProfile()); !slices.Equal(got, both) {
		t.Errorf("merged profile members %q, want %q", got, both)
	}
	out := keysOf(multi)[0]
	stay := keysOf(multi)[1:]
	split, err := admin.SplitProfile(ctx, &scvv1.SplitProfileRequest{Name: multi.GetName(), RecordKeys: []string{out}})
	if err != nil {
		t.Fatal(err)
	}
	if p := split.GetProfiles(); len(p) < 2 || !slices.Equal(keysOf(p[0]), []string{out}) || slices.Contains(keysOf(p[1]), out) {
		t.Errorf("split profiles %v, want %s alone first", p, out)
	}
	if n := len(split.GetOverrides()); n != len(stay) {
		t.Errorf("split stored %d overrides, want %d", n, len(stay))
	}
	_, err = admin.SplitProfile(ctx, &scvv1.SplitProfileRequest{Name: merged.GetProfile().GetName(), RecordKeys: []string{"nope/1"}})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("split of a non-member: %v, want InvalidArgument", err)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}

	// A full resolution, with a model trained again, keeps both.
	after := exportClusters(t, cfg)
	for _, k := range both {
		if after[k] != after[a] {
			t.Errorf("after scv resolve %s is in %s and %s in %s, want one profile", k, after[k], a, after[a])
		}
	}
	for _, k := range stay {
		if after[k] == after[out] {
			t.Errorf("after scv resolve %s is with %s again", out, k)
		}
	}

	// grpcurl lists the overrides and deletes the split's.
	grpcurl := findGrpcurl(t)
	if grpcurl == "" {
		return
	}
	addr, stop = startServer(t, cfg)
	defer stop()
	run := func(args ...string) []byte {
		t.Helper()
		b, err := exec.CommandContext(ctx, grpcurl, append([]string{"-plaintext"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("grpcurl %q: %v\n%s", args, err, b)
		}
		return b
	}
	var list struct {
		Overrides []struct {
			Name       string
			Kind       string
			RecordKeys []string
			CreateTime string
		}
		NextPageToken string
	}
	body := run("-d", `{"page_size": 100}`, addr, "scv.v1.AdminService/ListOverrides")
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	musts := len(both) - 1
	if len(list.Overrides) != musts+len(stay) || list.NextPageToken != "" {
		t.Fatalf("ListOverrides gave %d overrides (token %q), want %d:\n%s", len(list.Overrides), list.NextPageToken, musts+len(stay), body)
	}
	for _, o := range list.Overrides[:musts] {
		if o.Kind != "OVERRIDE_KIND_MUST_LINK" || !slices.Contains(o.RecordKeys, a) || o.CreateTime == "" {
			t.Errorf("override %+v, want one of the merge's must-links from %s", o, a)
		}
	}
	for _, o := range list.Overrides[musts:] {
		if o.Kind != "OVERRIDE_KIND_CANNOT_LINK" || !slices.Contains(o.RecordKeys, out) {
			t.Errorf("override %+v, want a cannot-link of %s", o, out)
		}
		if got := string(run("-d", `{"name": "`+o.Name+`"}`, addr, "scv.v1.AdminService/DeleteOverride")); got != "{}\n" {
			t.Errorf("DeleteOverride printed %q, want {}", got)
		}
	}
	var look struct {
		Profiles []struct {
			ID      string
			Members []struct{ Key string }
		}
	}
	body = run("-d", `{"identifier": {"kind": "source_record", "value": "`+out+`"}, "view": "PROFILE_VIEW_FULL"}`, addr, "scv.v1.ProfileService/LookupProfile")
	if err := json.Unmarshal(body, &look); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if len(look.Profiles) != 1 || len(look.Profiles[0].Members) != 1+len(stay) {
		t.Errorf("after deleting the split's overrides %s's profile is:\n%s\nwant it with %q again", out, body, stay)
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
