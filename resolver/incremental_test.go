package resolver

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/scvhq/scv/customer"
)

func TestKeyer(t *testing.T) {
	person := func(id, given, family, email, dob string) customer.Record {
		r := customer.Record{Source: "t", ID: id}
		r.Fields[customer.GivenName] = customer.NormalizeName(given)
		r.Fields[customer.FamilyName] = customer.NormalizeName(family)
		r.Fields[customer.Email] = customer.NormalizeEmail(email)
		r.Fields[customer.DateOfBirth] = customer.NormalizeDate(dob, customer.Options{})
		return r
	}
	var recs []customer.Record
	for i, n := range []struct{ given, family, email, dob string }{
		{"ann", "lee", "ann.lee@example.com", "1980-01-02"},
		{"bob", "ray", "bob.ray@example.com", "1975-03-04"},
		{"cat", "fox", "cat.fox@example.com", "1990-05-06"},
		{"dan", "orr", "dan.orr@example.com", "1985-07-08"},
		{"eve", "kim", "eve.kim@example.com", "1970-09-10"},
		{"fay", "ng", "fay.ng@example.com", "1965-11-12"},
	} {
		recs = append(recs,
			person(string(rune('a'+i))+"1", n.given, n.family, n.email, n.dob),
			person(string(rune('a'+i))+"2", n.given, n.family, n.email, n.dob))
	}
	res, err := New(Options{}).Resolve(context.Background(), recs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Model == nil {
		t.Fatal("no model trained")
	}
	k, err := New(Options{}).Keyer(res.Model)
	if err != nil {
		t.Fatal(err)
	}
	same1, same2, other := &recs[0], &recs[1], &recs[2]
	k1, k2, k3 := k.Keys(same1, nil), k.Keys(same2, nil), k.Keys(other, nil)
	if len(k1) == 0 || !slices.Equal(k1, k2) {
		t.Errorf("identical records have keys %v and %v, want the same, non-empty", k1, k2)
	}
	for _, x := range k3 {
		if slices.Contains(k1, x) {
			t.Errorf("records of different people share block key %x", x)
		}
	}
	if k.Linker(same1)(other) || k.Linker(other)(same1) {
		t.Error("Ann Lee and Cat Fox linked")
	}
	if !k.Linker(same1)(same2) || res.Assign[same1.Key()] != res.Assign[same2.Key()] {
		t.Errorf("identical records: Keyer links them %v, Resolve put them together %v; want both",
			k.Linker(same1)(same2), res.Assign[same1.Key()] == res.Assign[same2.Key()])
	}
	if k.MaxBlockSize() != 500 {
		t.Errorf("MaxBlockSize = %d, want the default 500", k.MaxBlockSize())
	}
}

// TestSplitBlocks: 60 Smiths of one postcode make a postcode_family block
// past splitAt, which splits; the model keeps the split keys, so that a
// Keyer built from the stored model gives a record the keys of the full
// resolution, and records of two people who share only the family name
// and postcode no longer share that rule's key, while a duplicate does.
func TestSplitBlocks(t *testing.T) {
	var recs []customer.Record
	for i := range 60 {
		r := rec(fmt.Sprintf("s%d", i), []string{"ann", "bob", "cat", "dan", "eve", "fay"}[i%6]+fmt.Sprint(i),
			"smith", fmt.Sprintf("19%02d-0%d-1%d", 20+i, 1+i%9, i%10), "", "", "")
		r.Fields[customer.PostalCode] = customer.Value{Raw: "2000", Norm: "2000", Status: customer.Valid}
		recs = append(recs, r)
	}
	dup := recs[0]
	dup.ID = "dup"
	recs = append(recs, dup)
	trained, err := New(Options{}).Resolve(context.Background(), recs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(trained.Model.Split) == 0 {
		t.Fatal("no block split")
	}
	enc, err := trained.Model.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var m Model
	if err := m.UnmarshalBinary(enc); err != nil {
		t.Fatal(err)
	}
	k, err := New(Options{}).Keyer(&m)
	if err != nil {
		t.Fatal(err)
	}
	r := newBlockRule(RulePostcodeFamily, 0)
	coarse := r.keys(&features{postcode: "2000", family: "smith"})[0]
	k0, kd, k1 := k.Keys(&recs[0], nil), k.Keys(&recs[60], nil), k.Keys(&recs[1], nil)
	if slices.Contains(k0, coarse) {
		t.Errorf("the split block's key %x is still a key of its records", coarse)
	}
	if !slices.Equal(k0, kd) {
		t.Errorf("duplicate records have keys %v and %v", k0, kd)
	}
	for _, x := range k1 {
		if slices.Contains(k0, x) {
			t.Errorf("Ann and Bob Smith (other birth years) share block key %x", x)
		}
	}
	if trained.Assign[recs[0].Key()] != trained.Assign[recs[60].Key()] {
		t.Error("duplicate records not linked")
	}
}
