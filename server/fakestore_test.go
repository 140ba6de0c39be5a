package server

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/scvhq/scv/customer"
)

// memStore stands in for store/bolt until that package lands.
type memStore struct {
	recs   []customer.Record
	assign map[string]string
}

func openStore(t testing.TB, recs []customer.Record, assign map[string]string) Store {
	t.Helper()
	sort.Slice(recs, func(i, j int) bool { return recs[i].Key() < recs[j].Key() })
	return &memStore{recs: recs, assign: assign}
}

func (m *memStore) Profile(ctx context.Context, id string) (customer.Profile, error) {
	p := customer.Profile{ID: id}
	for _, r := range m.recs {
		if m.assign[r.Key()] == id {
			p.Members = append(p.Members, r)
		}
	}
	if len(p.Members) == 0 {
		return p, fmt.Errorf("profile %q: %w", id, customer.ErrNotFound)
	}
	return p, nil
}

func (m *memStore) Lookup(ctx context.Context, kind, value string) ([]string, error) {
	set := map[string]bool{}
	for _, r := range m.recs {
		match := false
		switch kind {
		case "source_record":
			match = r.Key() == value
		case "email", "phone":
			f := customer.Email
			if kind == "phone" {
				f = customer.Phone
			}
			r.Each(f, func(v customer.Value) bool {
				match = match || (v.Usable() && v.Norm == value)
				return true
			})
		default:
			v, ok := r.Identifiers[kind]
			match = ok && v.Usable() && v.Norm == value
		}
		if match {
			set[m.assign[r.Key()]] = true
		}
	}
	if len(set) == 0 {
		return nil, customer.ErrNotFound
	}
	var ids []string
	for id := range set {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}
