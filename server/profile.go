package server

import (
	"context"
	"errors"
	"fmt"
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
	// explain is Options.Explain; nil when there is no trained model.
	explain func(a, b *customer.Record) (resolver.Explanation, error)
}

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
		return nil, &profileError{resource: req.GetName(), what: fmt.Sprintf("profile %q", req.GetName()), err: err}
	}
	return &scvv1.GetProfileResponse{Profile: profileToProto(&prof, g, req.GetView())}, nil
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
	what := fmt.Sprintf("profile with %s %q", kind, value)
	lookupErr := func(err error) error {
		return &profileError{resource: kind + ":" + value, what: what, err: err}
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
		v = customer.NormalizeIdentifier(raw)
	}
	switch {
	case v.Status == customer.Invalid:
		bad.add("identifier.value", fmt.Sprintf("%s for kind %q", v.Reason, kind))
	case !v.Usable():
		bad.add("identifier.value", fmt.Sprintf("%q is a placeholder, not a %s", raw, kind))
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
