package golden

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The names of the field rules. A field's rules rank its candidate values
// one rule after another: the first rule that tells two values apart
// decides between them.
const (
	RuleValid    = "valid"    // only valid values survive; always applied first
	RuleTrust    = "trust"    // the value from the most trusted source
	RuleSource   = "source"   // "source:crm,shop": a fixed source order
	RuleRecent   = "recent"   // the value of the most recently updated record
	RuleFrequent = "frequent" // the value most members hold, after folding
	RuleComplete = "complete" // the most complete (longest) value
)

// The names given to a choice no configured rule made.
const (
	// ChoseOnly is the rule of a value no other usable value competed with.
	ChoseOnly = "only value"
	// ChoseTieBreak is the rule of a value that every configured rule
	// ranked equal to the next one: the value of the lowest record key
	// ("source/id", bytewise) wins.
	ChoseTieBreak = "tie-break: lowest record key"
)

// The names of the attribute rules.
const (
	AttrLatest = "latest" // the value of the most recently updated record
	AttrMax    = "max"    // the largest number
	AttrMin    = "min"    // the smallest number
	AttrSum    = "sum"    // the sum of the numbers of every member
	AttrTrust  = "trust"  // the value of the most trusted source
)

// ErrRule is wrapped by the errors of ParseRule and ParseAttributeRule.
var ErrRule = errors.New("unknown survivorship rule")

// Rule is one parsed field rule.
type Rule struct {
	Name    string   // one of the Rule… names
	Sources []string // the source order of RuleSource
}

// String returns the rule as the configuration writes it, such as
// "recent" or "source:crm,shop".
func (r Rule) String() string {
	if r.Name == RuleSource {
		return RuleSource + ":" + strings.Join(r.Sources, ",")
	}
	return r.Name
}

// ParseRule parses one field rule: "valid", "trust", "recent",
// "frequent", "complete" (also "longest"), or "source:a,b" naming the
// source order. An error wraps ErrRule.
func ParseRule(s string) (Rule, error) {
	s = strings.TrimSpace(s)
	if list, ok := strings.CutPrefix(s, RuleSource+":"); ok {
		var r Rule
		r.Name = RuleSource
		for _, src := range strings.Split(list, ",") {
			src = strings.TrimSpace(src)
			if src == "" {
				return Rule{}, fmt.Errorf("%w: %q lists an empty source name", ErrRule, s)
			}
			if slices.Contains(r.Sources, src) {
				return Rule{}, fmt.Errorf("%w: %q lists source %q twice", ErrRule, s, src)
			}
			r.Sources = append(r.Sources, src)
		}
		return r, nil
	}
	switch s {
	case RuleValid, RuleTrust, RuleRecent, RuleFrequent, RuleComplete:
		return Rule{Name: s}, nil
	case "longest":
		return Rule{Name: RuleComplete}, nil
	}
	return Rule{}, fmt.Errorf("%w %q; known rules: valid, trust, source:NAME,NAME, recent, frequent, complete", ErrRule, s)
}

// ParseRules parses a list of field rules. "valid" is added in front when
// the list lacks it, since only valid values ever survive.
func ParseRules(list []string) ([]Rule, error) {
	out := make([]Rule, 0, len(list)+1)
	seen := map[string]bool{}
	for _, s := range list {
		r, err := ParseRule(s)
		if err != nil {
			return nil, err
		}
		if seen[r.Name] {
			return nil, fmt.Errorf("%w: %q appears twice", ErrRule, r.Name)
		}
		seen[r.Name] = true
		out = append(out, r)
	}
	if !seen[RuleValid] {
		out = slices.Insert(out, 0, Rule{Name: RuleValid})
	}
	return out, nil
}

// ParseAttributeRule checks an attribute rule: "latest", "max", "min",
// "sum" or "trust". An error wraps ErrRule.
func ParseAttributeRule(s string) (string, error) {
	switch s = strings.TrimSpace(s); s {
	case AttrLatest, AttrMax, AttrMin, AttrSum, AttrTrust:
		return s, nil
	}
	return "", fmt.Errorf("%w %q; known attribute rules: latest, max, min, sum, trust", ErrRule, s)
}

// AddressKey is the survivorship key of the address components
// (address_line1, address_line2, locality, region, postal_code, country),
// which survive together from one record.
const AddressKey = "address"
