package server

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

// profileToProto converts p and its golden profile g for view;
// PROFILE_VIEW_UNSPECIFIED means PROFILE_VIEW_MARKETING, which carries
// golden values, consent, reachability and traits but never member
// records, raw values or lineage.
func profileToProto(p *customer.Profile, g *golden.Profile, view scvv1.ProfileView) *scvv1.Profile {
	full := view == scvv1.ProfileView_PROFILE_VIEW_FULL
	if !full {
		view = scvv1.ProfileView_PROFILE_VIEW_MARKETING
	}
	out := &scvv1.Profile{
		Name:       profileNamePrefix + p.ID,
		Id:         p.ID,
		Summary:    summarize(g),
		View:       view,
		Suppressed: g.Suppressed,
	}
	for f := customer.Field(0); f < customer.NumFields; f++ {
		vals := g.Fields[f]
		if len(vals) == 0 {
			continue
		}
		gf := &scvv1.GoldenField{Name: f.String(), Values: make([]string, len(vals))}
		for i, v := range vals {
			gf.Values[i] = v.Value
		}
		if full {
			gf.Lineage = make([]*scvv1.Lineage, len(vals))
			for i, v := range vals {
				beat := g.Beat[f]
				if i > 0 {
					beat = nil
				}
				gf.Lineage[i] = lineageToProto(v.Value, v.Rule, v.From, beat)
			}
			gf.Quality = fieldQuality(p.Members, g, f)
		}
		out.Fields = append(out.Fields, gf)
	}
	if len(g.Consent) > 0 {
		out.Consent = make(map[string]*scvv1.ChannelConsent, len(g.Consent))
		for ch, c := range g.Consent {
			r := g.Reach[ch]
			cc := &scvv1.ChannelConsent{
				Status:            consentStatus(c.Status),
				UpdatedAt:         timestamp(c.At),
				Reachable:         r.Reachable,
				UnreachableReason: unreachableReason(r.Reason),
			}
			if full && (c.From != nil || len(c.Beat) > 0) {
				var from []golden.Origin
				if c.From != nil {
					from = []golden.Origin{*c.From}
				}
				cc.Lineage = lineageToProto(c.Status.String(), "most recent statement", from, c.Beat)
			}
			out.Consent[ch] = cc
		}
	}
	if len(g.Attributes) > 0 {
		out.Traits = make(map[string]*scvv1.Trait, len(g.Attributes))
		for name, a := range g.Attributes {
			t := &scvv1.Trait{Value: a.Value}
			if full {
				t.Lineage = lineageToProto(a.Value, a.Rule, a.From, a.Beat)
			}
			out.Traits[name] = t
		}
	}
	if !full {
		return out
	}
	out.MatchConfidence = g.Confidence
	out.Members = make([]*scvv1.Record, len(p.Members))
	for i := range p.Members {
		out.Members[i] = recordToProto(&p.Members[i], g)
	}
	return out
}

// summarize returns the short summary of g.
func summarize(g *golden.Profile) *scvv1.ProfileSummary {
	s := &scvv1.ProfileSummary{
		GivenName:   g.Get(customer.GivenName),
		FamilyName:  g.Get(customer.FamilyName),
		DateOfBirth: g.Get(customer.DateOfBirth),
	}
	for _, v := range g.Fields[customer.Email] {
		s.Emails = append(s.Emails, v.Value)
	}
	for _, v := range g.Fields[customer.Phone] {
		s.Phones = append(s.Phones, v.Value)
	}
	for ch, c := range g.Consent {
		if c.Status == customer.ConsentUnknown {
			continue
		}
		if s.Consent == nil {
			s.Consent = make(map[string]*scvv1.Consent, len(g.Consent))
		}
		s.Consent[ch] = &scvv1.Consent{Status: consentStatus(c.Status), UpdatedAt: timestamp(c.At)}
	}
	return s
}

func lineageToProto(value, rule string, from []golden.Origin, beat []golden.Beaten) *scvv1.Lineage {
	l := &scvv1.Lineage{Value: value, Rule: rule, Sources: originsToProto(from)}
	for _, b := range beat {
		l.Beaten = append(l.Beaten, &scvv1.BeatenValue{Value: b.Value, Rule: b.Rule, Sources: originsToProto(b.From)})
	}
	return l
}

func originsToProto(from []golden.Origin) []*scvv1.ValueSource {
	out := make([]*scvv1.ValueSource, len(from))
	for i, o := range from {
		out[i] = &scvv1.ValueSource{Record: o.Record, Column: o.Column, Raw: o.Raw, UpdatedAt: timestamp(o.UpdatedAt)}
	}
	return out
}

// fieldQuality counts the members' values of f: present, valid, and
// agreeing with the golden value.
func fieldQuality(members []customer.Record, g *golden.Profile, f customer.Field) *scvv1.FieldQuality {
	q := &scvv1.FieldQuality{}
	for i := range members {
		var present, valid, agrees bool
		members[i].Each(f, func(v customer.Value) bool {
			present = present || v.Raw != "" || v.Status != customer.Missing
			valid = valid || v.Usable()
			agrees = agrees || g.Agrees(f, v)
			return true
		})
		q.Present += b2i(present)
		q.Valid += b2i(valid)
		q.Consistent += b2i(agrees)
	}
	return q
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

func unreachableReason(why string) scvv1.UnreachableReason {
	switch why {
	case golden.NotReachableNoValue:
		return scvv1.UnreachableReason_UNREACHABLE_REASON_NO_VALID_VALUE
	case golden.NotReachableDenied:
		return scvv1.UnreachableReason_UNREACHABLE_REASON_DENIED
	case golden.NotReachableUnknown:
		return scvv1.UnreachableReason_UNREACHABLE_REASON_UNKNOWN
	case golden.NotReachableSuppressed:
		return scvv1.UnreachableReason_UNREACHABLE_REASON_SUPPRESSED
	}
	return scvv1.UnreachableReason_UNREACHABLE_REASON_UNSPECIFIED
}

// recordToProto converts r with every field value the source gave,
// including placeholders (status missing) and invalid values, each marked
// consistent when it agrees with g, the golden profile of r's profile.
func recordToProto(r *customer.Record, g *golden.Profile) *scvv1.Record {
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
				fv := fieldToProto(f, v)
				fv.Consistent = g.Agrees(f, v)
				out.Fields = append(out.Fields, fv)
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
	out := &scvv1.Field{
		Name:   f.String(),
		Raw:    v.Raw,
		Status: fieldStatus(v.Status),
		Reason: v.Reason,
	}
	// An invalid date keeps its digits for matching only (see
	// customer.Value.WrittenDate); the API shows no normal form for it.
	if v.Status == customer.Valid {
		out.Normalized = v.Norm
	}
	return out
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
	return &scvv1.Consent{Status: consentStatus(c.Status), UpdatedAt: timestamp(c.At)}
}

func consentStatus(s customer.ConsentStatus) scvv1.ConsentStatus {
	switch s {
	case customer.ConsentGranted:
		return scvv1.ConsentStatus_CONSENT_STATUS_GRANTED
	case customer.ConsentDenied:
		return scvv1.ConsentStatus_CONSENT_STATUS_DENIED
	}
	return scvv1.ConsentStatus_CONSENT_STATUS_UNSPECIFIED
}

// timestamp converts t, leaving the zero time unset.
func timestamp(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}
