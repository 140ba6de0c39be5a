// Package customer holds scv's canonical customer model: the Record that
// every connector produces, the Profile that the resolver builds from
// records, the canonical field names, and the normalization and validation
// of each field. It imports no other scv package.
package customer

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Field names one canonical, single-valued or multi-valued field of a
// Record. Identifiers, consent and attributes are keyed maps, not Fields.
type Field uint8

// The canonical fields, in the order reports list them.
const (
	GivenName Field = iota
	MiddleName
	FamilyName
	FullName
	Email
	Phone
	AddressLine1
	AddressLine2
	Locality
	Region
	PostalCode
	Country
	DateOfBirth
	Gender

	// NumFields is the number of canonical fields.
	NumFields
)

var fieldNames = [NumFields]string{
	GivenName:    "given_name",
	MiddleName:   "middle_name",
	FamilyName:   "family_name",
	FullName:     "full_name",
	Email:        "email",
	Phone:        "phone",
	AddressLine1: "address_line1",
	AddressLine2: "address_line2",
	Locality:     "locality",
	Region:       "region",
	PostalCode:   "postal_code",
	Country:      "country",
	DateOfBirth:  "date_of_birth",
	Gender:       "gender",
}

// String returns the field's canonical name, such as "date_of_birth".
func (f Field) String() string {
	if f < NumFields {
		return fieldNames[f]
	}
	return fmt.Sprintf("field(%d)", uint8(f))
}

// ParseField returns the Field whose canonical name is name. It also
// accepts the plural "emails" and "phones" of the canonical model.
func ParseField(name string) (Field, bool) {
	switch name {
	case "emails":
		return Email, true
	case "phones":
		return Phone, true
	}
	for f, n := range fieldNames {
		if n == name {
			return Field(f), true
		}
	}
	return 0, false
}

// Status says whether a field value is missing, valid or invalid.
type Status uint8

const (
	// Missing means the source had no value, or a placeholder such as "n/a".
	Missing Status = iota
	// Valid means the value passed its field's rule; Norm holds its normal form.
	Valid
	// Invalid means the value is present but failed its field's rule; it is
	// kept as Raw, reported by the audit and excluded from matching.
	Invalid
)

// String returns "missing", "valid" or "invalid".
func (s Status) String() string {
	switch s {
	case Valid:
		return "valid"
	case Invalid:
		return "invalid"
	}
	return "missing"
}

// Value is one stored field value: what the source said, its normal form
// and whether it is valid.
type Value struct {
	Raw    string // as read from the source, trimmed
	Norm   string // normal form; empty unless Status is Valid (but see WrittenDate)
	Status Status
	Reason string // why the value is invalid; empty otherwise
}

// WrittenDate returns the digits YYYYMMDD that an invalid date of birth
// was written with, when its day, month and year parse but make no real
// date (a month of 81, a day of 32): NormalizeDate keeps them as the
// value's Norm, so that the resolver can still compare a typo with the
// right date. It returns "" for any other value. Such a value is never
// Usable.
func (v Value) WrittenDate() string {
	if v.Status != Invalid || len(v.Norm) != 10 || v.Norm[4] != '-' || v.Norm[7] != '-' {
		return ""
	}
	return v.Norm[:4] + v.Norm[5:7] + v.Norm[8:10]
}

// Usable reports whether the value can be used for matching and golden
// profiles: present and valid.
func (v Value) Usable() bool { return v.Status == Valid && v.Norm != "" }

// ConsentStatus is a customer's answer for one contact channel.
type ConsentStatus uint8

// The consent states of the canonical model.
const (
	ConsentUnknown ConsentStatus = iota
	ConsentGranted
	ConsentDenied
)

// String returns "unknown", "granted" or "denied".
func (c ConsentStatus) String() string {
	switch c {
	case ConsentGranted:
		return "granted"
	case ConsentDenied:
		return "denied"
	}
	return "unknown"
}

// Consent is the consent state for one channel and when it was given.
type Consent struct {
	Status ConsentStatus
	At     time.Time // zero when unknown or undated
	Raw    string    // the value as the source gave it; empty when none
}

// Invalid reports whether the source gave a value that is neither a
// granted nor a denied word: an invalid value the audit reports, not a
// silent unknown.
func (c Consent) Invalid() bool { return c.Status == ConsentUnknown && c.Raw != "" }

// Supersedes reports whether c is a later answer than old for the same
// channel: an unknown answer supersedes nothing and a known one supersedes
// an unknown one; a dated answer supersedes an undated one, the later date
// wins, and between answers of the same date (or both undated) a denial
// wins.
func (c Consent) Supersedes(old Consent) bool {
	switch {
	case c.Status == ConsentUnknown:
		return false
	case old.Status == ConsentUnknown:
		return true
	case c.At.IsZero() != old.At.IsZero():
		return !c.At.IsZero()
	case !c.At.Equal(old.At):
		return c.At.After(old.At)
	}
	return c.Status == ConsentDenied && old.Status != ConsentDenied
}

// Extra is a further value of a multi-valued field (a second email or
// phone); the first value lives in Record.Fields.
type Extra struct {
	Field Field
	Value Value
}

// Record is one customer record of one source in canonical form. Source
// and ID together ("source/id") identify it.
type Record struct {
	Source    string
	ID        string
	Row       int64     // 1-based row (line) in the source, for reports; 0 when unknown
	UpdatedAt time.Time // zero when the source has no update time
	// UpdatedRaw is the source's update time as given when it did not
	// parse (an invalid value the audit reports); empty otherwise.
	UpdatedRaw string
	Deleted    bool

	// Fields holds one value per canonical field; for Email and Phone it
	// is the first value and Extra holds the rest.
	Fields      [NumFields]Value
	Extra       []Extra
	Identifiers map[string]Value // strong identifiers such as national_id, by kind
	Consent     map[string]Consent
	Attributes  map[string]string
}

// Key returns the record's unique key "source/id".
func (r *Record) Key() string { return r.Source + "/" + r.ID }

// Get returns the record's first value of f.
func (r *Record) Get(f Field) Value { return r.Fields[f] }

// Each calls fn for every value of f: the first one in Fields and then each
// Extra value of the same field. It stops early when fn returns false.
func (r *Record) Each(f Field, fn func(Value) bool) {
	if !fn(r.Fields[f]) {
		return
	}
	for _, e := range r.Extra {
		if e.Field == f && !fn(e.Value) {
			return
		}
	}
}

// Add sets v as the first value of f, or appends it as an extra value when
// f already has one and is multi-valued (email, phone). For a single-valued
// field a second value replaces the first.
func (r *Record) Add(f Field, v Value) {
	if (f == Email || f == Phone) && (r.Fields[f].Raw != "" || r.Fields[f].Status != Missing) {
		r.Extra = append(r.Extra, Extra{Field: f, Value: v})
		return
	}
	r.Fields[f] = v
}

// The identifier kinds that look a profile up besides the strong
// identifier kinds of Record.Identifiers, which may not take these names.
const (
	KindEmail        = "email"         // a usable email value's normal form
	KindPhone        = "phone"         // a usable phone number in E.164
	KindSourceRecord = "source_record" // a record key "source/id"
)

// SplitKey splits a "source/id" record key at its first slash.
func SplitKey(key string) (source, id string, ok bool) {
	return strings.Cut(key, "/")
}

// Profile is one real person: the records the resolver linked, under an
// id that stays the same while the person's records do.
type Profile struct {
	ID      string
	Members []Record
}

// ErrNotFound is returned when a profile or record does not exist.
var ErrNotFound = errors.New("customer: not found")
