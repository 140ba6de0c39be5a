package server

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/scvhq/scv/customer"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

// profileToProto converts p for view; PROFILE_VIEW_UNSPECIFIED means
// PROFILE_VIEW_FULL.
func profileToProto(p *customer.Profile, view scvv1.ProfileView) *scvv1.Profile {
	out := &scvv1.Profile{
		Name:    profileNamePrefix + p.ID,
		Id:      p.ID,
		Summary: summarize(p.Members),
	}
	if view == scvv1.ProfileView_PROFILE_VIEW_MARKETING {
		return out
	}
	out.Members = make([]*scvv1.Record, len(p.Members))
	for i := range p.Members {
		out.Members[i] = recordToProto(&p.Members[i])
	}
	return out
}

// summarize builds the provisional golden summary: the first usable value
// of each single-valued field among members, every distinct usable email
// and phone in member order, and per consent channel the most recent known
// answer (denied when two answers are equally recent).
func summarize(members []customer.Record) *scvv1.ProfileSummary {
	s := &scvv1.ProfileSummary{}
	first := func(dst *string, v customer.Value) {
		if *dst == "" && v.Usable() {
			*dst = v.Norm
		}
	}
	seen := make(map[string]bool)
	collect := func(dst *[]string) func(customer.Value) bool {
		return func(v customer.Value) bool {
			if v.Usable() && !seen[v.Norm] {
				seen[v.Norm] = true
				*dst = append(*dst, v.Norm)
			}
			return true
		}
	}
	consent := make(map[string]customer.Consent)
	for i := range members {
		r := &members[i]
		first(&s.GivenName, r.Get(customer.GivenName))
		first(&s.FamilyName, r.Get(customer.FamilyName))
		first(&s.DateOfBirth, r.Get(customer.DateOfBirth))
		r.Each(customer.Email, collect(&s.Emails))
		r.Each(customer.Phone, collect(&s.Phones))
		for ch, c := range r.Consent {
			if c.Supersedes(consent[ch]) {
				consent[ch] = c
			}
		}
	}
	if len(consent) > 0 {
		s.Consent = make(map[string]*scvv1.Consent, len(consent))
		for ch, c := range consent {
			s.Consent[ch] = consentToProto(c)
		}
	}
	return s
}

// recordToProto converts r with every field value the source gave,
// including placeholders (status missing) and invalid values.
func recordToProto(r *customer.Record) *scvv1.Record {
	out := &scvv1.Record{
		Source:    r.Source,
		Id:        r.ID,
		Key:       r.Key(),
		UpdatedAt: timestamp(r.UpdatedAt),
	}
	n := len(r.Extra)
	for f := range r.Fields {
		if present(r.Fields[f]) {
			n++
		}
	}
	out.Fields = make([]*scvv1.Field, 0, n)
	for f := customer.Field(0); f < customer.NumFields; f++ {
		r.Each(f, func(v customer.Value) bool {
			if present(v) {
				out.Fields = append(out.Fields, fieldToProto(f, v))
			}
			return true
		})
	}
	if len(r.Identifiers) > 0 {
		out.Identifiers = make(map[string]string, len(r.Identifiers))
		for kind, v := range r.Identifiers {
			if v.Usable() {
				out.Identifiers[kind] = v.Norm
			}
		}
	}
	if len(r.Attributes) > 0 {
		out.Attributes = make(map[string]string, len(r.Attributes))
		for k, v := range r.Attributes {
			out.Attributes[k] = v
		}
	}
	if len(r.Consent) > 0 {
		out.Consent = make(map[string]*scvv1.Consent, len(r.Consent))
		for ch, c := range r.Consent {
			out.Consent[ch] = consentToProto(c)
		}
	}
	return out
}

// present reports whether the source gave a value, even an unusable one.
func present(v customer.Value) bool { return v.Raw != "" || v.Status != customer.Missing }

func fieldToProto(f customer.Field, v customer.Value) *scvv1.Field {
	return &scvv1.Field{
		Name:       f.String(),
		Raw:        v.Raw,
		Normalized: v.Norm,
		Status:     fieldStatus(v.Status),
		Reason:     v.Reason,
	}
}

func fieldStatus(s customer.Status) scvv1.FieldStatus {
	switch s {
	case customer.Valid:
		return scvv1.FieldStatus_FIELD_STATUS_VALID
	case customer.Invalid:
		return scvv1.FieldStatus_FIELD_STATUS_INVALID
	}
	return scvv1.FieldStatus_FIELD_STATUS_MISSING
}

func consentToProto(c customer.Consent) *scvv1.Consent {
	out := &scvv1.Consent{UpdatedAt: timestamp(c.At)}
	switch c.Status {
	case customer.ConsentGranted:
		out.Status = scvv1.ConsentStatus_CONSENT_STATUS_GRANTED
	case customer.ConsentDenied:
		out.Status = scvv1.ConsentStatus_CONSENT_STATUS_DENIED
	}
	return out
}

// timestamp converts t, leaving the zero time unset.
func timestamp(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}
