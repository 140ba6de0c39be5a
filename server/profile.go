package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/scvhq/scv/customer"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
	"github.com/scvhq/scv/resolver"
)

// profileService implements scv.v1.ProfileService over a Store. Its
// methods return domain errors; the interceptor maps them to statuses.
type profileService struct {
	scvv1.UnimplementedProfileServiceServer
	store Store
	// country is the default region for phone lookups.
	country string
	// kinds is Options.IdentifierKinds.
	kinds []string
	// explain is Options.Explain; nil when there is no trained model.
	explain func(a, b *customer.Record) (resolver.Explanation, error)
	tokens  pageTokens
	// changes and committed are Options.Changes and Options.Committed;
	// stopping is closed when Serve begins to stop, ending every watch.
	changes   ChangeLog
	committed func() <-chan struct{}
	stopping  <-chan struct{}
}

// maxBatch is how many names BatchGetProfiles and MergeProfiles take.
const maxBatch = 1000

// maxListScan bounds how many profiles one ListProfiles call reads while
// filling a page, so a filter that few profiles match cannot make a call
// read the whole store; the page then comes back short, with a token.
const maxListScan = 10 * maxPageSize

const profileNamePrefix = "profiles/"

// GetProfile returns the profile named by req.Name in req.View.
func (p *profileService) GetProfile(ctx context.Context, req *scvv1.GetProfileRequest) (*scvv1.GetProfileResponse, error) {
	var bad badRequestError
	id, ok := parseProfileName(req.GetName())
	if !ok {
		bad.add("name", `must be "profiles/{id}"`)
	}
	checkView(&bad, req.GetView())
	if err := bad.orNil(); err != nil {
		return nil, err
	}
	prof, g, err := p.store.GoldenProfile(ctx, id)
	if err != nil {
		return nil, profileError(req.GetName(), err)
	}
	return &scvv1.GetProfileResponse{Profile: profileToProto(&prof, g, req.GetView())}, nil
}

// BatchGetProfiles returns the profiles named by req.Names, in order.
func (p *profileService) BatchGetProfiles(ctx context.Context, req *scvv1.BatchGetProfilesRequest) (*scvv1.BatchGetProfilesResponse, error) {
	var bad badRequestError
	ids := profileIDs(&bad, "names", req.GetNames())
	checkView(&bad, req.GetView())
	if err := bad.orNil(); err != nil {
		return nil, err
	}
	resp := &scvv1.BatchGetProfilesResponse{Profiles: make([]*scvv1.Profile, len(ids))}
	got := make(map[string]*scvv1.Profile, len(ids))
	for i, id := range ids {
		if pp := got[id]; pp != nil {
			resp.Profiles[i] = pp
			continue
		}
		prof, g, err := p.store.GoldenProfile(ctx, id)
		if err != nil {
			return nil, profileError(req.GetNames()[i], err)
		}
		got[id] = profileToProto(&prof, g, req.GetView())
		resp.Profiles[i] = got[id]
	}
	return resp, nil
}

// profileIDs returns the ids of names, between 1 and maxBatch resource
// names of the request field, or adds violations.
func profileIDs(bad *badRequestError, field string, names []string) []string {
	switch {
	case len(names) == 0:
		bad.add(field, "is required: give at least one \"profiles/{id}\"")
		return nil
	case len(names) > maxBatch:
		bad.add(field, fmt.Sprintf("holds %d names, more than the %d allowed", len(names), maxBatch))
		return nil
	}
	ids := make([]string, len(names))
	for i, name := range names {
		id, ok := parseProfileName(name)
		if !ok {
			bad.add(fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf(`must be "profiles/{id}", not %s`, quote(name)))
		}
		ids[i] = id
	}
	return ids
}

// ListProfiles returns one page of the profiles that match req.Filter,
// in id order.
func (p *profileService) ListProfiles(ctx context.Context, req *scvv1.ListProfilesRequest) (*scvv1.ListProfilesResponse, error) {
	var bad badRequestError
	size := pageSize(&bad, req.GetPageSize())
	filter := parseFilter(&bad, req.GetFilter())
	checkView(&bad, req.GetView())
	after, _ := p.tokens.cursor(&bad, tokenProfiles, req.GetFilter(), req.GetPageToken())
	if err := bad.orNil(); err != nil {
		return nil, err
	}
	resp := &scvv1.ListProfilesResponse{Profiles: make([]*scvv1.Profile, 0, min(size, 64))}
	scanned := 0
	for len(resp.Profiles) < size && scanned < maxListScan {
		ids, err := p.store.ProfileIDs(ctx, after, min(size, maxListScan-scanned))
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return resp, nil // the end: no token
		}
		for _, id := range ids {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			after = id
			scanned++
			prof, g, err := p.store.GoldenProfile(ctx, id)
			if errors.Is(err, customer.ErrNotFound) {
				continue // re-resolved since the ids were read
			}
			if err != nil {
				return nil, err
			}
			if filter.match(&prof) {
				resp.Profiles = append(resp.Profiles, profileToProto(&prof, g, req.GetView()))
				if len(resp.Profiles) == size {
					break
				}
			}
		}
	}
	// Give a token only when a profile follows, so the last page says so.
	next, err := p.store.ProfileIDs(ctx, after, 1)
	if err != nil {
		return nil, err
	}
	if len(next) > 0 {
		resp.NextPageToken = p.tokens.issue(tokenProfiles, req.GetFilter(), after)
	}
	return resp, nil
}

// LookupProfile returns the profiles holding a record with req.Identifier,
// normalized the way records are.
func (p *profileService) LookupProfile(ctx context.Context, req *scvv1.LookupProfileRequest) (*scvv1.LookupProfileResponse, error) {
	var bad badRequestError
	kind, value := p.normalizeIdentifier(&bad, req.GetIdentifier())
	checkView(&bad, req.GetView())
	if err := bad.orNil(); err != nil {
		return nil, err
	}
	what := fmt.Sprintf("profile with %s %s", clip(kind), quote(value))
	lookupErr := func(err error) error {
		return &resourceError{typ: profileResourceType, resource: kind + ":" + value, what: what, err: err}
	}
	ids, err := p.store.Lookup(ctx, kind, value)
	if err != nil {
		return nil, lookupErr(err)
	}
	resp := &scvv1.LookupProfileResponse{Profiles: make([]*scvv1.Profile, 0, len(ids))}
	for _, id := range ids {
		prof, g, err := p.store.GoldenProfile(ctx, id)
		if errors.Is(err, customer.ErrNotFound) {
			continue // re-resolved between the two reads; the id is gone
		}
		if err != nil {
			return nil, lookupErr(fmt.Errorf("profile %q: %w", id, err))
		}
		resp.Profiles = append(resp.Profiles, profileToProto(&prof, g, req.GetView()))
	}
	if len(resp.Profiles) == 0 {
		return nil, lookupErr(customer.ErrNotFound)
	}
	return resp, nil
}

// parseProfileName returns the id of a "profiles/{id}" resource name.
func parseProfileName(name string) (string, bool) {
	id, ok := strings.CutPrefix(name, profileNamePrefix)
	if !ok || id == "" || strings.ContainsAny(id, "/ \t\r\n") {
		return "", false
	}
	return id, true
}

// checkView reports an enum value this server does not know.
func checkView(bad *badRequestError, v scvv1.ProfileView) {
	if _, ok := scvv1.ProfileView_name[int32(v)]; !ok {
		bad.add("view", fmt.Sprintf("unknown profile view %d", v))
	}
}

// normalizeIdentifier returns the lookup kind and the value normalized
// like the records' values of that kind, or adds a violation to bad.
func (p *profileService) normalizeIdentifier(bad *badRequestError, id *scvv1.Identifier) (kind, value string) {
	if id == nil {
		bad.add("identifier", "is required")
		return "", ""
	}
	kind = strings.TrimSpace(id.GetKind())
	raw := strings.TrimSpace(id.GetValue())
	if kind == "" {
		bad.add("identifier.kind", `is required: "email", "phone", "source_record" or a strong identifier kind`)
	}
	if raw == "" {
		bad.add("identifier.value", "is required")
	}
	if kind == "" || raw == "" {
		return "", ""
	}
	var v customer.Value
	switch kind {
	case customer.KindEmail:
		v = customer.NormalizeEmail(raw)
	case customer.KindPhone:
		v = customer.NormalizePhone(raw, p.country)
		if v.Status == customer.Invalid {
			v.Reason = phoneReason(p.country)
		}
	case customer.KindSourceRecord:
		if src, rid, ok := customer.SplitKey(raw); !ok || src == "" || rid == "" {
			bad.add("identifier.value", `must be "source/id" for kind "source_record"`)
			return "", ""
		}
		return kind, raw
	default:
		if p.kinds != nil && !slices.Contains(p.kinds, kind) {
			known := append([]string{customer.KindEmail, customer.KindPhone, customer.KindSourceRecord}, p.kinds...)
			bad.add("identifier.kind", fmt.Sprintf("unknown kind %s; the kinds are %s", quote(kind), strings.Join(known, ", ")))
			return "", ""
		}
		v = customer.NormalizeIdentifier(raw)
	}
	switch {
	case v.Status == customer.Invalid:
		bad.add("identifier.value", fmt.Sprintf("%s for kind %s", clip(v.Reason), quote(kind)))
	case !v.Usable():
		bad.add("identifier.value", fmt.Sprintf("%s is a placeholder, not a %s", quote(raw), clip(kind)))
	}
	return kind, v.Norm
}

// phoneReason explains which phone formats a lookup accepts.
func phoneReason(country string) string {
	if country == "" {
		return "not a possible phone number in E.164 (+ and country code)"
	}
	return fmt.Sprintf("not a possible phone number in E.164 or %s national format", strings.ToUpper(country))
}
