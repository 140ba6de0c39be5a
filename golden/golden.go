// Package golden builds golden profiles: one surviving value per canonical
// field of a profile's member records, chosen by per-field survivorship
// rules, with the lineage of every value (the member records that gave
// it, their source column and raw value, the rule that chose it and the
// values it beat), consent per channel and reachability. It imports only
// the customer package.
package golden

import (
	"time"

	"github.com/scvhq/scv/customer"
)

// Profile is the golden profile of one resolved profile.
type Profile struct {
	ID string

	// Fields holds, per canonical field, the surviving values best first:
	// at most one for a single-valued field, every distinct valid value
	// for email and phone (the first is the primary). Empty when no member
	// has a valid value.
	Fields [customer.NumFields][]Value

	// Beat holds, per canonical field, the values that lost to Fields[f][0]
	// (for email and phone: the invalid values), each with the rule at
	// which it lost.
	Beat [customer.NumFields][]Beaten

	Attributes map[string]Attribute // traits by name
	Consent    map[string]Consent   // by channel, for every channel of Channels()
	Reach      map[string]Reach     // by channel, for every channel of Channels()
	Suppressed bool                 // the person asked to be forgotten or never contacted

	// Confidence is the match probability of the weakest link holding the
	// profile together (the resolver's Result.Confidence), 1 for a single
	// record; Build sets 1 and the caller the resolver's figure.
	Confidence float64
}

// Get returns the first surviving value of f, or "" when none survived.
func (p *Profile) Get(f customer.Field) string {
	if len(p.Fields[f]) == 0 {
		return ""
	}
	return p.Fields[f][0].Value
}

// Value is one surviving value with its lineage.
type Value struct {
	Value string   // the normal form shown for the value
	Key   string   // the folded form the frequency rule and consistency compare
	Rule  string   // the rule that ranked it here: a Rule… name, ChoseOnly or ChoseTieBreak
	From  []Origin // every member holding the value (after folding), best first
}

// Origin is one member record's part in a value: where it was read.
type Origin struct {
	Record    string    // "source/id"
	Column    string    // the source column (or columns, joined by "+") mapped to the field
	Raw       string    // the value as the source gave it
	UpdatedAt time.Time // the record's update time; zero when the source has none
}

// Beaten is a competing value that lost, and the rule at which it lost.
type Beaten struct {
	Value string   // its normal form, or the raw value when it is invalid
	Rule  string   // the rule that ranked the winner above it
	From  []Origin // the members holding it
}

// Attribute is a surviving trait with its lineage.
type Attribute struct {
	Value string   // the surviving value; for "sum", the sum
	Rule  string   // the attribute rule that chose it
	From  []Origin // the members it came from (for "sum", every summed member)
	Beat  []Beaten // the values it beat
}

// Consent is the golden consent of one channel: the most recent explicit
// statement among the members.
type Consent struct {
	Status customer.ConsentStatus
	At     time.Time // when the statement was made; zero when unknown or undated
	From   *Origin   // the statement's record; nil when unknown
	Beat   []Beaten  // the older or weaker statements it superseded
}

// The reasons a channel is not reachable.
const (
	NotReachableSuppressed = "suppressed"     // the person is suppressed
	NotReachableNoValue    = "no valid value" // no valid contact value for the channel
	NotReachableDenied     = "denied"         // consent denied
	NotReachableUnknown    = "unknown"        // consent unknown on an opt-in channel
)

// Reach says whether a profile may be contacted on one channel.
type Reach struct {
	Reachable bool
	Reason    string // why not (a NotReachable… reason); empty when reachable
}

// Channels returns the consent channels in report order.
func Channels() []string { return []string{"email", "sms", "phone", "post"} }
