package resolver

import "strings"

// kind is what a comparison compares; it selects the level function.
type kind uint8

// The comparison kinds, one per canonical field that matching uses plus
// strong identifiers.
const (
	kGiven kind = iota
	kFamily
	kDOB
	kEmail
	kPhone
	kAddress1
	kAddress2
	kLocality
	kPostcode
	kRegion
	kGender
	kIdentifier
	kPlace // address line 1, postcode and locality together
	numKinds
)

// kindInfo describes a comparison kind: its name in the model and its
// levels, best first. Level 0 is always "null" (a value is missing) and
// carries no weight; the last level is "else" (the values disagree).
type kindInfo struct {
	name   string
	levels []string
	tf     bool // the exact level is adjusted by term frequency
}

var kinds = [numKinds]kindInfo{
	kGiven: {"given_name", []string{"null", "exact", "swapped with family name", "nickname", "jaro-winkler >= 0.92", "jaro-winkler >= 0.80 or same sound",
		"initial of the other", "the other's family name", "else"}, true},
	kFamily:     {"family_name", []string{"null", "exact", "one edit, jaro-winkler >= 0.94 or part of the other", "same sound", "jaro-winkler >= 0.80", "else"}, true},
	kDOB:        {"date_of_birth", []string{"null", "exact", "one digit off or transposed", "day and month swapped", "two digits differ", "else"}, false},
	kEmail:      {"email", []string{"null", "exact", "same local part", "one edit", "else"}, true},
	kPhone:      {"phone", []string{"null", "exact", "same last 7 digits", "one edit", "else"}, true},
	kAddress1:   {"address_line1", []string{"null", "exact", "jaro-winkler >= 0.90", "token overlap >= 0.5", "else"}, true},
	kAddress2:   {"address_line2", []string{"null", "exact", "jaro-winkler >= 0.90", "else"}, false},
	kLocality:   {"locality", []string{"null", "exact", "jaro-winkler >= 0.90", "else"}, true},
	kPostcode:   {"postal_code", []string{"null", "exact", "one edit or same sector", "else"}, true},
	kRegion:     {"region", []string{"null", "exact", "else"}, false},
	kGender:     {"gender", []string{"null", "exact", "else"}, false},
	kIdentifier: {"identifier", []string{"null", "exact", "one edit", "else"}, false},
	kPlace: {"address", []string{"null", "same street address, postcode and locality", "same street address", "similar street address",
		"same postcode and locality", "same postcode", "near postcode or same locality", "else"}, true},
}

// placePart reports whether field kind k is compared inside the address
// comparison rather than on its own: the street address, postcode,
// locality and region say one thing (where someone lives), and weighing
// them as independent evidence would count a shared address three or
// four times, which links neighbours and flatmates.
func placePart(k kind) bool {
	return k == kAddress1 || k == kPostcode || k == kLocality || k == kRegion
}

// Level numbers shared by the kinds.
const (
	levelNull  = 0
	levelExact = 1
)

// The levels of each kind, named as kinds lists them (TestLevelNames
// checks that the two agree).
const (
	givenSwapped  = 2 // swapped with family name
	givenNickname = 3
	givenClose    = 4 // jaro-winkler >= 0.92
	givenSimilar  = 5 // jaro-winkler >= 0.80 or same sound
	givenInitial  = 6 // one is the initial of the other
	givenHalfSwap = 7 // the other's family name: one record's names half swapped
	givenElse     = 8

	familyNear    = 2 // one edit, jaro-winkler >= 0.94 or part of the other
	familySound   = 3
	familySimilar = 4 // jaro-winkler >= 0.80
	familyElse    = 5

	dobOneDigit  = 2 // one digit off or transposed
	dobSwapped   = 3 // day and month swapped
	dobTwoDigits = 4
	dobElse      = 5

	emailLocal   = 2 // same local part
	emailOneEdit = 3
	emailElse    = 4

	phoneLast7   = 2 // same last 7 digits
	phoneOneEdit = 3
	phoneElse    = 4

	addr1Close  = 2 // jaro-winkler >= 0.90
	addr1Tokens = 3 // token overlap >= 0.5
	addr1Else   = 4

	nearClose = 2 // jaro-winkler >= 0.90 (address line 2, locality)
	nearElse  = 3

	postcodeNear = 2 // one edit or same sector
	postcodeElse = 3

	exactElse = 2 // region, gender

	idOneEdit = 2
	idElse    = 3

	placeFull             = 1 // same street address, postcode and locality
	placeStreet           = 2 // same street address
	placeSimilarStreet    = 3
	placePostcodeLocality = 4
	placePostcode         = 5
	placeNear             = 6 // near postcode or same locality
	placeElse             = 7
)

// elseLevel returns the "else" level of kind k.
func elseLevel(k kind) int { return len(kinds[k].levels) - 1 }

// swapped reports whether a's given and family names are b's family and
// given names, closer than they are unswapped.
func swapped(a, b *features) bool {
	if a.given == "" || a.family == "" || b.given == "" || b.family == "" || a.given == a.family {
		return false
	}
	if a.given == b.given && a.family == b.family {
		return false
	}
	x := jaroWinklerMin(a.given, b.family, 0.84)
	if x == 0 {
		return false
	}
	cross := x + jaroWinklerMin(a.family, b.given, 0.84)
	return cross >= 1.84 && cross > jaroWinkler(a.given, b.given)+jaroWinkler(a.family, b.family)
}

// compareGiven returns the given-name level of a pair; swap says the
// names are swapped. An initial against a full name ("j", "john") and a
// given name that is the other record's family name (one record's names
// half swapped, or its family name written in both fields) have levels of
// their own, so that the model weighs them rather than counting them as
// two different given names.
func compareGiven(a, b *features, swap bool) int {
	switch {
	case a.given == "" || b.given == "":
		return levelNull
	case a.given == b.given:
		return levelExact
	case swap:
		return givenSwapped
	case sameGroup(a.nick, b.nick):
		return givenNickname
	case (len(a.given) == 1 || len(b.given) == 1) && a.given[0] == b.given[0]:
		return givenInitial
	case len(a.given) > 1 && len(b.given) > 1 && (a.given == b.family || a.family == b.given):
		return givenHalfSwap
	}
	jw := jaroWinklerMin(a.given, b.given, 0.80)
	switch {
	case jw >= 0.92:
		return givenClose
	case jw >= 0.80 || (a.givenPh != "" && a.givenPh == b.givenPh):
		return givenSimilar
	}
	return givenElse
}

func compareFamily(a, b *features) int {
	switch {
	case a.family == "" || b.family == "":
		return levelNull
	case a.family == b.family:
		return levelExact
	}
	jw := jaroWinklerMin(a.family, b.family, 0.80)
	switch {
	case jw >= 0.94 || withinOneEdit(a.family, b.family) || wordsWithin(a.family, b.family):
		return familyNear
	case a.familyPh != "" && a.familyPh == b.familyPh:
		return familySound
	case jw >= 0.80:
		return familySimilar
	}
	return familyElse
}

func compareDOB(a, b string) int {
	switch {
	case a == "" || b == "":
		return levelNull
	case a == b:
		return levelExact
	}
	switch {
	case withinOneEdit(a, b):
		return dobOneDigit
	case a[:4] == b[:4] && a[4:6] == b[6:8] && a[6:8] == b[4:6]:
		return dobSwapped
	case hamming(a, b) <= 2:
		return dobTwoDigits
	}
	return dobElse
}

// compareEmail compares every email of a with every email of b and
// returns the best level. Sharing only a local part made of the person's
// name ("noah.smith@" at two providers) says nothing the name comparisons
// have not said, and many people share it, so such a pair gets the null
// level rather than "same local part"; two such addresses one edit apart
// ("thomas.jones4@", "thomas.jones9@") are two people, not a typo.
func compareEmail(a, b *features) int {
	best := levelNull
	for _, x := range a.emails {
		for _, y := range b.emails {
			l := emailElse
			xl, yl := localPart(x), localPart(y)
			switch {
			case x == y:
				l = levelExact
			case xl == yl:
				if nameLike(xl, a) || nameLike(xl, b) {
					continue
				}
				l = emailLocal
			case withinOneEdit(x, y) && !nameLike(xl, a) && !nameLike(yl, b):
				l = emailOneEdit
			}
			if best == levelNull || l < best {
				best = l
			}
		}
	}
	return best
}

// nameLike reports whether an email local part contains f's given or
// family name (of three letters or more).
func nameLike(local string, f *features) bool {
	return (len(f.given) >= 3 && strings.Contains(local, f.given)) || (len(f.family) >= 3 && strings.Contains(local, f.family))
}

func comparePhone(as, bs []string) int {
	best := levelNull
	for _, a := range as {
		for _, b := range bs {
			l := phoneElse
			switch {
			case a == b:
				l = levelExact
			case len(a) >= 7 && len(b) >= 7 && a[len(a)-7:] == b[len(b)-7:]:
				l = phoneLast7
			case withinOneEdit(a, b):
				l = phoneOneEdit
			}
			if best == levelNull || l < best {
				best = l
			}
		}
	}
	return best
}

func compareAddress1(a, b string) int {
	switch {
	case a == "" || b == "":
		return levelNull
	case a == b:
		return levelExact
	case jaroWinklerMin(a, b, 0.90) >= 0.90:
		return addr1Close
	case tokenOverlap(a, b) >= 0.5:
		return addr1Tokens
	}
	return addr1Else
}

// comparePlace compares where two records live: the same or a similar
// street address (same house numbers) in an area that does not disagree
// (postcode or locality), else the same postcode, else a near postcode or
// the same locality.
func comparePlace(a, b *features) int {
	if (a.addr1 == "" && a.postcode == "" && a.locality == "") || (b.addr1 == "" && b.postcode == "" && b.locality == "") {
		return levelNull
	}
	pc := comparePostcode(a.postcode, b.postcode)
	loc := compareNear(a.locality, b.locality)
	pcAgree, locAgree := pc == levelExact || pc == postcodeNear, loc == levelExact || loc == nearClose
	areaDisagree := !pcAgree && !locAgree && (pc != levelNull || loc != levelNull)
	if a.addr1 != "" && b.addr1 != "" && !areaDisagree {
		if a.addr1 == b.addr1 {
			if pc == levelExact && loc == levelExact {
				return placeFull
			}
			return placeStreet
		}
		if sameDigits(a.addr1, b.addr1) && jaroWinklerMin(a.addr1, b.addr1, 0.90) >= 0.90 {
			return placeSimilarStreet
		}
	}
	switch {
	case pc == levelExact && loc == levelExact:
		return placePostcodeLocality
	case pc == levelExact:
		return placePostcode
	case pcAgree || locAgree:
		return placeNear
	}
	return placeElse
}

// linesSwapped reports whether a's and b's address lines are swapped: the
// street of each one's first line (house numbers dropped) is close to the
// other's second line, so the address comparison counts them as a
// similar street address and the second lines are not compared.
func linesSwapped(a, b *features) bool {
	if a.addr1 == "" || a.addr2 == "" || b.addr1 == "" || b.addr2 == "" || a.addr2 == b.addr2 {
		return false
	}
	return jaroWinklerMin(street(a.addr1), b.addr2, 0.90) >= 0.90 && jaroWinklerMin(street(b.addr1), a.addr2, 0.90) >= 0.90
}

// street returns a folded address line without its leading house number.
func street(s string) string {
	if n := firstWord(s); n != s && n != "" && n[0] >= '0' && n[0] <= '9' {
		return s[len(n)+1:]
	}
	return s
}

// sameDigits reports whether a and b hold the same digits in the same
// order (house and flat numbers), ignoring everything else.
func sameDigits(a, b string) bool {
	i, j := 0, 0
	for {
		for i < len(a) && (a[i] < '0' || a[i] > '9') {
			i++
		}
		for j < len(b) && (b[j] < '0' || b[j] > '9') {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if a[i] != b[j] {
			return false
		}
		i++
		j++
	}
}

// compareNear is the exact / jaro-winkler >= 0.90 / else comparison.
func compareNear(a, b string) int {
	switch {
	case a == "" || b == "":
		return levelNull
	case a == b:
		return levelExact
	case jaroWinklerMin(a, b, 0.90) >= 0.90:
		return nearClose
	}
	return nearElse
}

func comparePostcode(a, b string) int {
	switch {
	case a == "" || b == "":
		return levelNull
	case a == b:
		return levelExact
	case withinOneEdit(a, b):
		return postcodeNear
	}
	// A sector: the outward code and the first character of the inward
	// code ("SW1A 1").
	if i := strings.IndexByte(a, ' '); i > 0 && i+2 <= len(a) && len(b) >= i+2 && a[:i+2] == b[:i+2] {
		return postcodeNear
	}
	return postcodeElse
}

// compareExact is the exact / else comparison.
func compareExact(a, b string) int {
	switch {
	case a == "" || b == "":
		return levelNull
	case a == b:
		return levelExact
	}
	return exactElse
}

func compareIdentifier(a, b string) int {
	switch {
	case a == "" || b == "":
		return levelNull
	case a == b:
		return levelExact
	case withinOneEdit(a, b):
		return idOneEdit
	}
	return idElse
}

// wordsWithin reports whether every word of the shorter of a and b is a
// word of the longer one: a double surname and one of its parts
// ("moreno gutierrez", "gutierrez"), or a middle name kept with the
// family name.
func wordsWithin(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) == len(b) {
		return false
	}
	for a != "" {
		w := firstWord(a)
		if !hasWord(b, w) {
			return false
		}
		a = a[min(len(w)+1, len(a)):]
	}
	return true
}

// hasWord reports whether w is one of the space-separated words of s.
func hasWord(s, w string) bool {
	for s != "" {
		x := firstWord(s)
		if x == w {
			return true
		}
		s = s[min(len(x)+1, len(s)):]
	}
	return false
}

// hamming returns how many positions of equal-length a and b differ, or
// a large number when the lengths differ.
func hamming(a, b string) int {
	if len(a) != len(b) {
		return maxCompare
	}
	d := 0
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			d++
		}
	}
	return d
}
