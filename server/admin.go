package server

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
	"github.com/scvhq/scv/override"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
	"github.com/scvhq/scv/store"
)

// adminService implements scv.v1.AdminService over an Admin. Its methods
// check and convert requests; the rules of overrides are the Admin's.
type adminService struct {
	scvv1.UnimplementedAdminServiceServer
	admin  Admin
	store  Store
	tokens pageTokens
}

// fullView converts prof, which a merge or split just resolved, in the
// full view with the golden profile stored with it. A profile the store
// does not hold as the Admin gave it (an Admin over another store) gets
// one built under survivorship's defaults.
func (a *adminService) fullView(ctx context.Context, prof *customer.Profile) (*scvv1.Profile, error) {
	p, g, err := a.store.GoldenProfile(ctx, prof.ID)
	switch {
	case errors.Is(err, customer.ErrNotFound) || err == nil && len(p.Members) != len(prof.Members):
		p, g = *prof, golden.New(golden.Options{}).Build(prof.ID, prof.Members, false)
	case err != nil:
		return nil, err
	}
	return profileToProto(&p, g, scvv1.ProfileView_PROFILE_VIEW_FULL), nil
}

const overrideNamePrefix = "overrides/"

// MergeProfiles merges the profiles named by req.Names.
func (a *adminService) MergeProfiles(ctx context.Context, req *scvv1.MergeProfilesRequest) (*scvv1.MergeProfilesResponse, error) {
	var bad badRequestError
	ids := profileIDs(&bad, "names", req.GetNames())
	if err := bad.orNil(); err != nil {
		return nil, err
	}
	prof, added, err := a.admin.Merge(ctx, ids)
	if errors.Is(err, override.ErrInvalid) {
		bad.add("names", clipTo(err.Error(), 4*maxEcho))
		return nil, &bad
	}
	if err != nil {
		return nil, err
	}
	view, err := a.fullView(ctx, &prof)
	if err != nil {
		return nil, err
	}
	return &scvv1.MergeProfilesResponse{Profile: view, Overrides: overridesToProto(added)}, nil
}

// SplitProfile moves req.RecordKeys out of the profile named by req.Name.
func (a *adminService) SplitProfile(ctx context.Context, req *scvv1.SplitProfileRequest) (*scvv1.SplitProfileResponse, error) {
	var bad badRequestError
	id, ok := parseProfileName(req.GetName())
	if !ok {
		bad.add("name", fmt.Sprintf(`must be "profiles/{id}", not %s`, quote(req.GetName())))
	}
	keys := req.GetRecordKeys()
	switch {
	case len(keys) == 0:
		bad.add("record_keys", `is required: give the "source/id" keys of the members to split out`)
	case len(keys) > maxBatch:
		bad.add("record_keys", fmt.Sprintf("holds %d keys, more than the %d allowed", len(keys), maxBatch))
	default:
		for i, k := range keys {
			if src, rid, ok := customer.SplitKey(k); !ok || src == "" || rid == "" {
				bad.add(fmt.Sprintf("record_keys[%d]", i), fmt.Sprintf(`must be "source/id", not %s`, quote(k)))
			}
		}
	}
	if err := bad.orNil(); err != nil {
		return nil, err
	}
	profiles, added, err := a.admin.Split(ctx, id, keys)
	var re *override.RecordError
	switch {
	case errors.As(err, &re):
		bad.add(fmt.Sprintf("record_keys[%d]", re.Index), quote(re.Key)+" "+clipTo(re.Reason, 2*maxEcho))
		return nil, &bad
	case errors.Is(err, override.ErrInvalid):
		bad.add("record_keys", clipTo(err.Error(), 4*maxEcho))
		return nil, &bad
	case err != nil:
		return nil, err
	}
	resp := &scvv1.SplitProfileResponse{Profiles: make([]*scvv1.Profile, len(profiles)), Overrides: overridesToProto(added)}
	for i := range profiles {
		if resp.Profiles[i], err = a.fullView(ctx, &profiles[i]); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// ListOverrides returns one page of the stored overrides, oldest first.
func (a *adminService) ListOverrides(ctx context.Context, req *scvv1.ListOverridesRequest) (*scvv1.ListOverridesResponse, error) {
	var bad badRequestError
	size := pageSize(&bad, req.GetPageSize())
	cursor, ok := a.tokens.cursor(&bad, tokenOverrides, "", req.GetPageToken())
	var after uint64
	if ok && cursor != "" {
		var err error
		if after, err = strconv.ParseUint(cursor, 10, 64); err != nil {
			return nil, fmt.Errorf("signed override cursor %q: %w", cursor, err)
		}
	}
	if err := bad.orNil(); err != nil {
		return nil, err
	}
	all, err := a.admin.List(ctx)
	if err != nil {
		return nil, err
	}
	var page []store.Override
	for i, o := range all {
		if o.ID <= after {
			continue
		}
		if len(page) == size {
			return &scvv1.ListOverridesResponse{
				Overrides:     overridesToProto(page),
				NextPageToken: a.tokens.issue(tokenOverrides, "", uintCursor(all[i-1].ID)),
			}, nil
		}
		page = append(page, o)
	}
	return &scvv1.ListOverridesResponse{Overrides: overridesToProto(page)}, nil
}

// DeleteOverride deletes the override named by req.Name.
func (a *adminService) DeleteOverride(ctx context.Context, req *scvv1.DeleteOverrideRequest) (*scvv1.DeleteOverrideResponse, error) {
	digits, ok := strings.CutPrefix(req.GetName(), overrideNamePrefix)
	id, err := strconv.ParseUint(digits, 10, 64)
	if !ok || err != nil || id == 0 || digits != strconv.FormatUint(id, 10) {
		var bad badRequestError
		bad.add("name", fmt.Sprintf(`must be "overrides/{id}" with a positive decimal id, not %s`, quote(req.GetName())))
		return nil, &bad
	}
	if err := a.admin.Delete(ctx, id); err != nil {
		return nil, &resourceError{typ: overrideResourceType, resource: req.GetName(), what: "override " + quote(req.GetName()), err: err}
	}
	return &scvv1.DeleteOverrideResponse{}, nil
}

func overridesToProto(os []store.Override) []*scvv1.Override {
	out := make([]*scvv1.Override, len(os))
	for i, o := range os {
		kind := scvv1.OverrideKind_OVERRIDE_KIND_UNSPECIFIED
		switch o.Kind {
		case store.MustLink:
			kind = scvv1.OverrideKind_OVERRIDE_KIND_MUST_LINK
		case store.CannotLink:
			kind = scvv1.OverrideKind_OVERRIDE_KIND_CANNOT_LINK
		}
		out[i] = &scvv1.Override{
			Name:       overrideNamePrefix + strconv.FormatUint(o.ID, 10),
			Kind:       kind,
			RecordKeys: []string{o.A, o.B},
			CreateTime: timestamp(o.Created),
		}
	}
	return out
}
