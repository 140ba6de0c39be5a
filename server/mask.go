package server

import (
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

// mask rewrites every profile and comparison inside m for a caller
// without profiles.read_pii: emails and phones are masked (see
// MaskEmail, MaskPhone) and dates of birth are left out, in golden
// fields, the summary, lineage raw values and member rows alike.
func mask(m proto.Message) {
	walk(m.ProtoReflect())
}

func walk(m protoreflect.Message) {
	switch v := m.Interface().(type) {
	case *scvv1.Profile:
		maskProfile(v)
		return
	case *scvv1.ComparisonExplanation:
		if f := maskFunc(v.GetField()); f != nil {
			v.ValueA, v.ValueB = f(v.ValueA), f(v.ValueB)
		}
		return
	}
	m.Range(func(fd protoreflect.FieldDescriptor, val protoreflect.Value) bool {
		switch {
		case fd.Message() == nil:
		case fd.IsList():
			l := val.List()
			for i := 0; i < l.Len(); i++ {
				walk(l.Get(i).Message())
			}
		case fd.IsMap():
			if fd.MapValue().Message() != nil {
				val.Map().Range(func(_ protoreflect.MapKey, v protoreflect.Value) bool {
					walk(v.Message())
					return true
				})
			}
		default:
			walk(val.Message())
		}
		return true
	})
}

// maskFunc returns how values of the canonical field name are shown to a
// caller without profiles.read_pii; nil means unchanged.
func maskFunc(name string) func(string) string {
	switch name {
	case "email", "emails":
		return MaskEmail
	case "phone", "phones":
		return MaskPhone
	case "date_of_birth":
		return func(string) string { return "" }
	}
	return nil
}

func maskProfile(p *scvv1.Profile) {
	if s := p.GetSummary(); s != nil {
		for i := range s.Emails {
			s.Emails[i] = MaskEmail(s.Emails[i])
		}
		for i := range s.Phones {
			s.Phones[i] = MaskPhone(s.Phones[i])
		}
		s.DateOfBirth = ""
	}
	fields := p.Fields[:0]
	for _, gf := range p.Fields {
		if gf.GetName() == "date_of_birth" {
			continue
		}
		if f := maskFunc(gf.GetName()); f != nil {
			for i := range gf.Values {
				gf.Values[i] = f(gf.Values[i])
			}
			for _, l := range gf.Lineage {
				maskLineage(l, f)
			}
		}
		fields = append(fields, gf)
	}
	p.Fields = fields
	for _, r := range p.Members {
		kept := r.Fields[:0]
		for _, f := range r.Fields {
			if f.GetName() == "date_of_birth" {
				continue
			}
			if m := maskFunc(f.GetName()); m != nil {
				f.Raw, f.Normalized = m(f.Raw), m(f.Normalized)
			}
			kept = append(kept, f)
		}
		r.Fields = kept
	}
}

func maskLineage(l *scvv1.Lineage, f func(string) string) {
	l.Value = f(l.Value)
	for _, s := range l.Sources {
		s.Raw = f(s.Raw)
	}
	for _, b := range l.Beaten {
		b.Value = f(b.Value)
		for _, s := range b.Sources {
			s.Raw = f(s.Raw)
		}
	}
}

// MaskEmail keeps the first character of the local part and the domain:
// "ada@example.com" becomes "a•••@example.com". A value without "@" keeps
// only its first character.
func MaskEmail(v string) string {
	if v == "" {
		return ""
	}
	local, domain, ok := strings.Cut(v, "@")
	_, n := utf8.DecodeRuneInString(local)
	if !ok {
		_, n = utf8.DecodeRuneInString(v)
		return v[:n] + "•••"
	}
	return local[:n] + "•••@" + domain
}

// MaskPhone keeps the first three and the last four characters:
// "+442079460101" becomes "+44•••••0101". A value of eight characters or
// fewer is masked whole.
func MaskPhone(v string) string {
	if v == "" {
		return ""
	}
	r := []rune(v)
	if len(r) <= 8 {
		return "•••••"
	}
	return string(r[:3]) + "•••••" + string(r[len(r)-4:])
}
