package storetest

import (
	"fmt"
	"strings"
	"time"

	"github.com/scvhq/scv/customer"
)

// Val returns a valid value read as raw whose normal form is norm.
func Val(raw, norm string) customer.Value {
	return customer.Value{Raw: raw, Norm: norm, Status: customer.Valid}
}

// Rec returns a live record of source with a valid email and phone; an
// empty email or phone is left missing.
func Rec(source, id, email, phone string) customer.Record {
	r := customer.Record{Source: source, ID: id}
	if email != "" {
		r.Fields[customer.Email] = Val(strings.ToUpper(email), email)
	}
	if phone != "" {
		r.Fields[customer.Phone] = Val(phone, phone)
	}
	return r
}

var (
	givenNames  = []string{"Olivia", "Amelia", "Isla", "Ava", "Mia", "Oliver", "George", "Arthur", "Noah", "Muhammad", "Zoë", "José"}
	familyNames = []string{"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "O'Brien", "Müller"}
	streets     = []string{"High Street", "Station Road", "Main Street", "Park Road", "Church Road", "London Road"}
	towns       = []string{"London", "Manchester", "Leeds", "Bristol", "Glasgow", "Cardiff"}
)

// TypicalRecord returns a realistic, fully normalized record of source
// number i: names, an email (sometimes two), a phone, an address, a date
// of birth, a strong identifier, consent and attributes. Records with
// different i have different keys, emails and identifiers.
func TypicalRecord(source string, i int) customer.Record {
	g, f := givenNames[i%len(givenNames)], familyNames[(i/len(givenNames))%len(familyNames)]
	r := customer.Record{
		Source:    source,
		ID:        fmt.Sprintf("C%07d", i),
		Row:       int64(i + 2),
		UpdatedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
	}
	r.Fields[customer.GivenName] = Val(g, strings.ToLower(g))
	r.Fields[customer.FamilyName] = Val(f, strings.ToLower(f))
	email := fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(g), strings.ToLower(f), i)
	r.Fields[customer.Email] = Val(" "+strings.ToUpper(email[:1])+email[1:], email)
	r.Fields[customer.Phone] = Val(fmt.Sprintf("07700 9%05d", i%100000), fmt.Sprintf("+4477009%05d", i%100000))
	r.Fields[customer.AddressLine1] = Val(fmt.Sprintf("%d %s", i%200+1, streets[i%len(streets)]), fmt.Sprintf("%d %s", i%200+1, strings.ToLower(streets[i%len(streets)])))
	r.Fields[customer.Locality] = Val(towns[i%len(towns)], strings.ToLower(towns[i%len(towns)]))
	r.Fields[customer.PostalCode] = Val(fmt.Sprintf("sw1a %dAA", i%10), fmt.Sprintf("SW1A %dAA", i%10))
	r.Fields[customer.Country] = Val("GB", "GB")
	r.Fields[customer.DateOfBirth] = Val(fmt.Sprintf("%02d/03/19%02d", i%28+1, 40+i%60), fmt.Sprintf("19%02d-03-%02d", 40+i%60, i%28+1))
	if i%7 == 0 {
		r.Fields[customer.Gender] = customer.Value{Raw: "?", Status: customer.Invalid, Reason: "unknown gender"}
	}
	if i%5 == 0 {
		r.Extra = []customer.Extra{{Field: customer.Email, Value: Val("work"+email, "work"+email)}}
	}
	r.Identifiers = map[string]customer.Value{"loyalty_id": Val(fmt.Sprintf("L-%d", i), fmt.Sprintf("L%d", i))}
	r.Consent = map[string]customer.Consent{"email": {Status: customer.ConsentGranted, At: r.UpdatedAt}}
	r.Attributes = map[string]string{"lifetime_value": fmt.Sprint(i % 1000), "segment": "retail"}
	return r
}
