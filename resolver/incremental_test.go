package resolver

import (
	"context"
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
