package golden

import (
	"strings"

	"github.com/scvhq/scv/customer"
)

// FoldKey returns the form in which two normalized values of f count as
// one: names, localities, regions and gender fold like customer.FoldName
// ("Zoë" and "Zoe" alike); address lines also spell out common street
// abbreviations ("High St" and "High Street" alike); every other field
// compares its normal form.
func FoldKey(f customer.Field, norm string) string { return foldKey(f, norm) }

func foldKey(f customer.Field, norm string) string {
	switch f {
	case customer.GivenName, customer.MiddleName, customer.FamilyName, customer.FullName,
		customer.Locality, customer.Region, customer.Gender:
		return customer.FoldName(norm)
	case customer.AddressLine1, customer.AddressLine2:
		return expandStreet(customer.FoldName(norm))
	}
	return norm
}

// streetWords spells out the abbreviations of street types and
// directions that address lines commonly use.
var streetWords = map[string]string{
	"st": "street", "str": "street", "rd": "road", "ave": "avenue", "av": "avenue",
	"ln": "lane", "dr": "drive", "ct": "court", "pl": "place", "sq": "square",
	"blvd": "boulevard", "cres": "crescent", "cl": "close", "gdns": "gardens",
	"tce": "terrace", "pde": "parade", "hwy": "highway", "mt": "mount",
	"n": "north", "s": "south", "e": "east", "w": "west", "apt": "apartment", "flt": "flat",
}

// expandStreet replaces each abbreviated word of a folded address line.
func expandStreet(s string) string {
	if !strings.ContainsRune(s, ' ') {
		return s
	}
	words := strings.Fields(s)
	changed := false
	for i, w := range words {
		if long, ok := streetWords[w]; ok {
			words[i], changed = long, true
		}
	}
	if !changed {
		return s
	}
	return strings.Join(words, " ")
}

// Agrees reports whether v, a member's value of f, agrees with the golden
// profile: it is usable and folds like f's first surviving value (for
// email and phone, the primary one; every other valid value survives
// too, so agreeing with any would always hold). It is false when no
// value of f survived.
func (p *Profile) Agrees(f customer.Field, v customer.Value) bool {
	return v.Usable() && len(p.Fields[f]) > 0 && p.Fields[f][0].Key == foldKey(f, v.Norm)
}
