package resolver

import (
	"crypto/sha256"
	"encoding/base32"
	"slices"
	"sort"
	"strconv"
)

// AssignIDs gives each cluster (a list of record keys) a profile id.
//
// A cluster keeps a previous id when its records had one: each previous id
// goes to the cluster holding most of its former records (ties go to the
// cluster whose smallest key sorts first), so when a profile splits the
// largest surviving part keeps the id, and when profiles merge the merged
// cluster keeps the id of its largest former part. Every other cluster gets
// a new id derived from its smallest record key, so that resolving the same
// data into an empty store always yields the same ids.
func AssignIDs(clusters [][]string, prev map[string]string) []string {
	ids := make([]string, len(clusters))
	mins := make([]string, len(clusters))
	for c, members := range clusters {
		mins[c] = slices.Min(members)
	}

	// Count, per previous id, how many of its records each cluster holds.
	type claim struct {
		cluster, count int
	}
	claims := make(map[string][]claim)
	for c, members := range clusters {
		counts := make(map[string]int)
		for _, k := range members {
			if id, ok := prev[k]; ok && id != "" {
				counts[id]++
			}
		}
		for id, n := range counts {
			claims[id] = append(claims[id], claim{c, n})
		}
	}
	// Award ids largest claim first; a cluster takes at most one id.
	type award struct {
		id string
		claim
	}
	var awards []award
	for id, cs := range claims {
		for _, cl := range cs {
			awards = append(awards, award{id, cl})
		}
	}
	sort.Slice(awards, func(i, j int) bool {
		a, b := awards[i], awards[j]
		if a.count != b.count {
			return a.count > b.count
		}
		if mins[a.cluster] != mins[b.cluster] {
			return mins[a.cluster] < mins[b.cluster]
		}
		return a.id < b.id
	})
	used := make(map[string]bool)
	for _, a := range awards {
		if used[a.id] || ids[a.cluster] != "" {
			continue
		}
		ids[a.cluster] = a.id
		used[a.id] = true
	}
	// Retired ids (their records moved elsewhere) are never reused for a
	// different person.
	for _, id := range prev {
		used[id] = true
	}
	order := make([]int, len(clusters))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool { return mins[order[i]] < mins[order[j]] })
	for _, c := range order {
		if ids[c] != "" {
			continue
		}
		id := newID(mins[c], 0)
		for n := 1; used[id]; n++ {
			id = newID(mins[c], n)
		}
		ids[c] = id
		used[id] = true
	}
	return ids
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// newID derives an opaque profile id from a record key and a salt.
func newID(key string, salt int) string {
	h := sha256.New()
	h.Write([]byte(key))
	if salt > 0 {
		h.Write([]byte{0})
		h.Write([]byte(strconv.Itoa(salt)))
	}
	sum := h.Sum(nil)
	return "p" + idEncoding.EncodeToString(sum[:10])
}
