package resolver

import (
	"sort"
	"strings"

	"github.com/scvhq/scv/customer"
)

// features are the values of one record prepared once for comparison, so
// that comparing a pair only reads them.
type features struct {
	given, family     string // folded
	givenPh, familyPh string // phonetic codes
	nick              [maxNickGroups]uint16
	dob               string // eight digits YYYYMMDD, or empty
	emails            []string
	phones            []string
	addr1, addr2      string   // folded
	locality          string   // folded
	postcode          string   // upper-case, spaces kept
	region            string   // folded
	gender            string   // folded
	ids               []string // one per identifier kind of the model, "" when absent
	// tf are the term frequencies of the record's values, float32 since
	// they only set a weight's term-frequency adjustment (log2 of a ratio,
	// to far more bits than any decision reads) and a million records
	// hold 52 MB less.
	tf      [numKinds]float32
	tfLocal float32 // term frequency of the first email's local part
}

// prepare computes the features of rec. kinds are the identifier kinds
// the model compares, in slot order.
func prepare(rec *customer.Record, kinds []string, nn nicknames) features {
	var f features
	get := func(fl customer.Field) string {
		if v := rec.Fields[fl]; v.Usable() {
			return v.Norm
		}
		return ""
	}
	f.given = stripTitle(customer.FoldName(get(customer.GivenName)))
	f.family = customer.FoldName(get(customer.FamilyName))
	if f.given == "" && f.family == "" {
		// Only a full name: "Family, Given" or "Given Family...", where
		// the family name is every word after the first (a middle name or
		// a second surname; compareFamily accepts either part).
		full := get(customer.FullName)
		if fam, giv, ok := strings.Cut(full, ","); ok && customer.FoldName(fam) != "" && stripTitle(customer.FoldName(giv)) != "" {
			f.given, f.family = firstWord(stripTitle(customer.FoldName(giv))), customer.FoldName(fam)
		} else if words := stripTitle(customer.FoldName(full)); words != "" {
			f.given = firstWord(words)
			if len(f.given) < len(words) {
				f.family = words[len(f.given)+1:]
			}
		}
	}
	f.givenPh, f.familyPh = phonetic(f.given), phonetic(f.family)
	f.nick = nn.groups(f.given)
	if d := digitsOnly(get(customer.DateOfBirth)); len(d) == 8 {
		f.dob = d
	} else if d := rec.Fields[customer.DateOfBirth].WrittenDate(); d != "" {
		// An invalid date keeps its digits, so a typo in one of them is
		// still a near match.
		f.dob = d
	}
	rec.Each(customer.Email, func(v customer.Value) bool {
		if v.Usable() {
			f.emails = append(f.emails, strings.ToLower(v.Norm))
		}
		return true
	})
	rec.Each(customer.Phone, func(v customer.Value) bool {
		if v.Usable() {
			f.phones = append(f.phones, v.Norm)
		}
		return true
	})
	f.addr1 = customer.FoldName(get(customer.AddressLine1))
	f.addr2 = customer.FoldName(get(customer.AddressLine2))
	f.locality = customer.FoldName(get(customer.Locality))
	f.postcode = strings.ToUpper(get(customer.PostalCode))
	f.region = customer.FoldName(get(customer.Region))
	f.gender = customer.FoldName(get(customer.Gender))
	if len(kinds) > 0 {
		f.ids = make([]string, len(kinds))
		for i, k := range kinds {
			if v, ok := rec.Identifiers[k]; ok && v.Usable() {
				f.ids[i] = v.Norm
			}
		}
	}
	return f
}

// titles are the honorifics that a given or full name may start with;
// they say nothing about who someone is, and "Sir" against "William" is
// no disagreement of given names.
var titles = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "dr": true, "prof": true,
	"sir": true, "dame": true, "lady": true, "lord": true, "rev": true, "revd": true, "fr": true,
}

// stripTitle returns folded name s without its leading titles ("dr john
// smith" becomes "john smith"); a name that is only a title becomes "".
func stripTitle(s string) string {
	for s != "" {
		w := firstWord(s)
		if !titles[w] {
			return s
		}
		s = s[min(len(w)+1, len(s)):]
	}
	return s
}

// digitsOnly returns the digits of s; s itself when it has nothing else.
func digitsOnly(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			var b strings.Builder
			for j := 0; j < len(s); j++ {
				if s[j] >= '0' && s[j] <= '9' {
					b.WriteByte(s[j])
				}
			}
			return b.String()
		}
	}
	return s
}

// value returns the record's value that comparison kind k looks at first,
// for term frequencies and explanations.
func (f *features) value(k kind, slot int) string {
	switch k {
	case kGiven:
		return f.given
	case kFamily:
		return f.family
	case kDOB:
		return f.dob
	case kEmail:
		if len(f.emails) > 0 {
			return f.emails[0]
		}
	case kPhone:
		if len(f.phones) > 0 {
			return f.phones[0]
		}
	case kAddress1:
		return f.addr1
	case kAddress2:
		return f.addr2
	case kLocality:
		return f.locality
	case kPostcode:
		return f.postcode
	case kRegion:
		return f.region
	case kGender:
		return f.gender
	case kIdentifier:
		if slot < len(f.ids) {
			return f.ids[slot]
		}
	case kPlace:
		if f.addr1 != "" {
			return f.addr1
		}
		if f.postcode != "" {
			return f.postcode
		}
		return f.locality
	}
	return ""
}

// identifierKinds returns the identifier kinds that at least minShare of
// recs carry, most common first, at most max of them.
func identifierKinds(recs []customer.Record, minShare float64, limit int) []string {
	count := make(map[string]int)
	for i := range recs {
		for k, v := range recs[i].Identifiers {
			if v.Usable() {
				count[k]++
			}
		}
	}
	var kinds []string
	for k, n := range count {
		if float64(n) >= minShare*float64(len(recs)) && n >= 2 {
			kinds = append(kinds, k)
		}
	}
	sort.Slice(kinds, func(i, j int) bool {
		if count[kinds[i]] != count[kinds[j]] {
			return count[kinds[i]] > count[kinds[j]]
		}
		return kinds[i] < kinds[j]
	})
	if len(kinds) > limit {
		kinds = kinds[:limit]
	}
	return kinds
}
