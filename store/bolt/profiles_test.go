package bolt

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/scvhq/scv/customer"
)

func TestSetAssignments(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	put(t, db, rec("crm", "1", "", ""), rec("crm", "2", "", ""), rec("shop", "1", "", ""), rec("shop", "2", "", ""))
	gone := rec("desk", "1", "", "")
	gone.Deleted = true
	put(t, db, gone)

	for _, step := range []struct {
		name        string
		assign      map[string]string
		full        bool
		want        map[string]string
		wantMembers map[string][]string
	}{
		{
			name:   "full",
			assign: map[string]string{"crm/1": "p1", "shop/1": "p1", "crm/2": "p2", "shop/2": "p3"},
			full:   true,
			want:   map[string]string{"crm/1": "p1", "shop/1": "p1", "crm/2": "p2", "shop/2": "p3"},
			wantMembers: map[string][]string{
				"p1": {"crm/1", "shop/1"}, "p2": {"crm/2"}, "p3": {"shop/2"},
			},
		},
		{
			name:   "partial move and unassign",
			assign: map[string]string{"shop/2": "p2", "crm/2": ""},
			want:   map[string]string{"crm/1": "p1", "shop/1": "p1", "shop/2": "p2"},
			wantMembers: map[string][]string{
				"p1": {"crm/1", "shop/1"}, "p2": {"shop/2"},
			},
		},
		{
			name:   "partial skips absent and deleted records",
			assign: map[string]string{"desk/1": "p9", "nope/1": "p9", "crm/2": "p4"},
			want:   map[string]string{"crm/1": "p1", "shop/1": "p1", "shop/2": "p2", "crm/2": "p4"},
			wantMembers: map[string][]string{
				"p1": {"crm/1", "shop/1"}, "p2": {"shop/2"}, "p4": {"crm/2"},
			},
		},
		{
			name:   "full drops what is missing",
			assign: map[string]string{"crm/1": "p1", "crm/2": "p1"},
			full:   true,
			want:   map[string]string{"crm/1": "p1", "crm/2": "p1"},
			wantMembers: map[string][]string{
				"p1": {"crm/1", "crm/2"},
			},
		},
	} {
		t.Run(step.name, func(t *testing.T) {
			if err := db.SetAssignments(ctx, step.assign, step.full); err != nil {
				t.Fatal(err)
			}
			got, err := db.Assignments(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, step.want) {
				t.Errorf("assignments = %v, want %v", got, step.want)
			}
			ids, err := db.ProfileIDs(ctx, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if want := slices.Sorted(maps.Keys(step.wantMembers)); !slices.Equal(ids, want) {
				t.Errorf("profile ids = %q, want %q", ids, want)
			}
			for id, want := range step.wantMembers {
				p, err := db.Profile(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				var keys []string
				for _, m := range p.Members {
					keys = append(keys, m.Key())
				}
				if p.ID != id || !slices.Equal(keys, want) {
					t.Errorf("profile %s = %s %q, want %q", id, p.ID, keys, want)
				}
			}
			if err := checkConsistent(db); err != nil {
				t.Error(err)
			}
		})
	}
	if _, err := db.Profile(ctx, "p3"); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("dropped profile: err = %v, want ErrNotFound", err)
	}
	if err := db.SetAssignments(ctx, map[string]string{"crm/1": "p\x00"}, false); err == nil {
		t.Error("profile id with 0x00: no error")
	}
}

func TestDeletedRecordLeavesProfile(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	put(t, db, rec("crm", "1", "a@x.com", ""), rec("crm", "2", "a@x.com", ""))
	if err := db.SetAssignments(ctx, map[string]string{"crm/1": "p1", "crm/2": "p1"}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteMissing(ctx, "crm", func(id string) bool { return id == "2" }); err != nil {
		t.Fatal(err)
	}
	p, err := db.Profile(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Members) != 1 || p.Members[0].Key() != "crm/2" {
		t.Errorf("members = %+v, want only crm/2", p.Members)
	}
	if _, err := db.DeleteMissing(ctx, "crm", func(string) bool { return false }); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Profile(ctx, "p1"); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("profile without live members: err = %v, want ErrNotFound", err)
	}
	if ids, err := db.ProfileIDs(ctx, "", 0); err != nil || len(ids) != 0 {
		t.Errorf("profile ids = %q, %v; want none", ids, err)
	}
}

func TestProfileIDsPaging(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	assign := map[string]string{}
	var recs []customer.Record
	for i := range 50 {
		r := typicalRecord("crm", i)
		recs = append(recs, r)
		// Profile ids that are prefixes of each other must page correctly.
		assign[r.Key()] = []string{"a", "ab", "abc", "b", "b\x01"}[i%5]
	}
	put(t, db, recs...)
	if err := db.SetAssignments(ctx, assign, true); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		after string
		limit int
		want  []string
	}{
		{"", 0, []string{"a", "ab", "abc", "b", "b\x01"}},
		{"", 2, []string{"a", "ab"}},
		{"ab", 2, []string{"abc", "b"}},
		{"aa", 1, []string{"ab"}},
		{"b", 5, []string{"b\x01"}},
		{"b\x01", 5, nil},
		{"z", 5, nil},
	} {
		got, err := db.ProfileIDs(ctx, tt.after, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ProfileIDs(%q, %d) = %q, want %q", tt.after, tt.limit, got, tt.want)
		}
	}
}

func TestLookup(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()

	a := rec("crm", "1", "ann@x.com", "+447700900001")
	a.Extra = []customer.Extra{
		{Field: customer.Email, Value: val("Ann@Work.com", "ann@work.com")},
		{Field: customer.Email, Value: customer.Value{Raw: "ann@", Status: customer.Invalid, Reason: "no domain"}},
		{Field: customer.Phone, Value: val("07700 900002", "+447700900002")},
	}
	a.Identifiers = map[string]customer.Value{"national_id": val("ab 12", "AB12")}
	b := rec("shop", "7", "ann@x.com", "")
	b.Identifiers = map[string]customer.Value{"loyalty_id": {Raw: "??", Status: customer.Invalid}}
	c := rec("desk", "3", "carl@x.com", "+447700900001")
	d := rec("desk", "4", "dora@x.com", "")
	d.Identifiers = map[string]customer.Value{"national_id": val("CD34", "CD34")}
	unassigned := rec("desk", "5", "eve@x.com", "")
	put(t, db, a, b, c, d, unassigned)
	if err := db.SetAssignments(ctx, map[string]string{"crm/1": "p1", "shop/7": "p1", "desk/3": "p2", "desk/4": "p3"}, true); err != nil {
		t.Fatal(err)
	}
	// d is then deleted: it must vanish from lookups.
	d.Deleted = true
	put(t, db, d)

	for _, tt := range []struct {
		kind, value string
		want        []string
	}{
		{customer.KindEmail, "ann@x.com", []string{"p1"}},
		{customer.KindEmail, "ann@work.com", []string{"p1"}},
		{customer.KindEmail, "ANN@X.COM", nil},
		{customer.KindEmail, "ann@", nil},
		{customer.KindPhone, "+447700900001", []string{"p1", "p2"}},
		{customer.KindPhone, "+447700900002", []string{"p1"}},
		{customer.KindSourceRecord, "shop/7", []string{"p1"}},
		{customer.KindSourceRecord, "desk/4", nil},
		{customer.KindSourceRecord, "desk/5", nil},
		{customer.KindSourceRecord, "desk/99", nil},
		{"national_id", "AB12", []string{"p1"}},
		{"national_id", "CD34", nil},
		{"loyalty_id", "??", nil},
		{customer.KindEmail, "dora@x.com", nil},
		{customer.KindEmail, "eve@x.com", nil},
		{"unknown_kind", "x", nil},
		{customer.KindEmail, "", nil},
	} {
		t.Run(tt.kind+"="+tt.value, func(t *testing.T) {
			got, err := db.Lookup(ctx, tt.kind, tt.value)
			if tt.want == nil {
				if !errors.Is(err, customer.ErrNotFound) {
					t.Errorf("got %q, %v; want ErrNotFound", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	// An edit that drops an email takes it out of the index.
	a.Extra = nil
	put(t, db, a)
	if _, err := db.Lookup(ctx, customer.KindEmail, "ann@work.com"); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("dropped extra email: err = %v, want ErrNotFound", err)
	}
	if got, err := db.Lookup(ctx, customer.KindPhone, "+447700900001"); err != nil || !slices.Equal(got, []string{"p1", "p2"}) {
		t.Errorf("kept phone: %q, %v", got, err)
	}
}
