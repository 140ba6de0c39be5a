package customer

import (
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// Options control how a source's values are normalized.
type Options struct {
	DefaultCountry string    // ISO 3166-1 alpha-2 region for phones and postcodes, such as "GB"
	DateFormat     string    // layout of dates of birth: "iso" (default), "yyyymmdd", "dd/mm/yyyy"
	EarliestDate   time.Time // dates of birth before it are invalid; zero means 1900-01-01
	Now            time.Time // dates of birth after it are invalid; zero means time.Now()
}

// Normalize fills Norm and Status of every value of r from its Raw value,
// following the field's rule and opt.
func Normalize(r *Record, opt Options) {
	for f := Field(0); f < NumFields; f++ {
		r.Fields[f] = NormalizeField(f, r.Fields[f].Raw, opt)
	}
	for i := range r.Extra {
		r.Extra[i].Value = NormalizeField(r.Extra[i].Field, r.Extra[i].Value.Raw, opt)
	}
	for k, v := range r.Identifiers {
		r.Identifiers[k] = NormalizeIdentifier(v.Raw)
	}
}

// NormalizeField normalizes one raw value of field f.
func NormalizeField(f Field, raw string, opt Options) Value {
	raw = strings.TrimSpace(raw)
	if isPlaceholder(raw) {
		return Value{Raw: raw}
	}
	switch f {
	case Email:
		return NormalizeEmail(raw)
	case Phone:
		return NormalizePhone(raw, opt.DefaultCountry)
	}
	return Value{Raw: raw, Norm: strings.Join(strings.Fields(raw), " "), Status: Valid}
}

// NormalizeIdentifier trims a strong identifier; identifiers compare exactly.
func NormalizeIdentifier(raw string) Value {
	raw = strings.TrimSpace(raw)
	if isPlaceholder(raw) {
		return Value{Raw: raw}
	}
	return Value{Raw: raw, Norm: raw, Status: Valid}
}

// NormalizeEmail trims and lower-cases an email address.
func NormalizeEmail(raw string) Value {
	raw = strings.TrimSpace(raw)
	if isPlaceholder(raw) {
		return Value{Raw: raw}
	}
	local, domain, ok := strings.Cut(raw, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") {
		return Value{Raw: raw, Status: Invalid, Reason: "malformed email address"}
	}
	return Value{Raw: raw, Norm: strings.ToLower(raw), Status: Valid}
}

// NormalizePhone parses a phone number in the context of the default
// country and formats it as E.164.
func NormalizePhone(raw, defaultCountry string) Value {
	raw = strings.TrimSpace(raw)
	if isPlaceholder(raw) {
		return Value{Raw: raw}
	}
	num, err := phonenumbers.Parse(raw, strings.ToUpper(defaultCountry))
	if err != nil || !phonenumbers.IsPossibleNumber(num) {
		return Value{Raw: raw, Status: Invalid, Reason: "not a possible phone number"}
	}
	return Value{Raw: raw, Norm: phonenumbers.Format(num, phonenumbers.E164), Status: Valid}
}

func isPlaceholder(s string) bool {
	switch strings.ToLower(s) {
	case "", "-", "--", "n/a", "na", "none", "null", "nil", "unknown", "?":
		return true
	}
	return false
}
