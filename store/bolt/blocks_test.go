package bolt

import (
	"context"
	"slices"
	"testing"

	"github.com/scvhq/scv/customer"
)

func TestBlockIndex(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.ReplaceBlocks(ctx, map[string][]uint64{
		"a/1": {10, 20},
		"a/2": {10},
		"b/1": {20, 30},
	}); err != nil {
		t.Fatal(err)
	}
	members := func(block uint64, limit int) ([]string, bool) {
		t.Helper()
		keys, over, err := db.BlockMembers(ctx, block, limit)
		if err != nil {
			t.Fatal(err)
		}
		return keys, over
	}
	for _, tt := range []struct {
		name  string
		block uint64
		limit int
		want  []string
		over  bool
	}{
		{"shared", 10, 0, []string{"a/1", "a/2"}, false},
		{"other rule", 20, 0, []string{"a/1", "b/1"}, false},
		{"single", 30, 0, []string{"b/1"}, false},
		{"absent", 40, 0, nil, false},
		{"at the limit", 10, 2, []string{"a/1", "a/2"}, false},
		{"over the limit", 10, 1, nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, over := members(tt.block, tt.limit)
			if !slices.Equal(got, tt.want) || over != tt.over {
				t.Errorf("BlockMembers(%d, %d) = %v, %v; want %v, %v", tt.block, tt.limit, got, over, tt.want, tt.over)
			}
		})
	}

	// A record's new keys replace its old ones; an empty list removes it.
	if err := db.UpdateProfiles(ctx, nil, map[string][]uint64{"a/1": {30}, "a/2": nil}); err != nil {
		t.Fatal(err)
	}
	if got, _ := members(10, 0); got != nil {
		t.Errorf("block 10 after UpdateProfiles = %v, want empty", got)
	}
	if got, _ := members(20, 0); !slices.Equal(got, []string{"b/1"}) {
		t.Errorf("block 20 after UpdateProfiles = %v, want [b/1]", got)
	}
	if got, _ := members(30, 0); !slices.Equal(got, []string{"a/1", "b/1"}) {
		t.Errorf("block 30 after UpdateProfiles = %v, want [a/1 b/1]", got)
	}

	// Replacing the index drops what was there.
	if err := db.ReplaceBlocks(ctx, map[string][]uint64{"c/1": {10}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := members(30, 0); got != nil {
		t.Errorf("block 30 after ReplaceBlocks = %v, want empty", got)
	}
	if got, _ := members(10, 0); !slices.Equal(got, []string{"c/1"}) {
		t.Errorf("block 10 after ReplaceBlocks = %v, want [c/1]", got)
	}
}

func TestAssignmentsOf(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	recs := []customer.Record{{Source: "a", ID: "1"}, {Source: "a", ID: "2"}, {Source: "a", ID: "3"}}
	if _, err := db.PutRecords(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if err := db.SetAssignments(ctx, map[string]string{"a/1": "p1", "a/2": "p1"}, true); err != nil {
		t.Fatal(err)
	}
	got, err := db.AssignmentsOf(ctx, []string{"a/1", "a/3", "z/9"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["a/1"] != "p1" {
		t.Errorf("AssignmentsOf = %v, want only a/1 -> p1", got)
	}
}
