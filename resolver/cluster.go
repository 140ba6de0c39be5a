package resolver

import (
	"slices"
)

// edge is a link between two records whose match probability reached
// the threshold, with its match weight.
type edge struct {
	a, b int32
	w    float64
}

// conflictBelow is the match probability under which one outright
// disagreement on a date of birth or given name keeps a pair apart.
const conflictBelow = 0.01

// maxConflictChecks bounds the member pairs judged before two clusters
// merge: members beyond this many per side are not judged.
const maxConflictChecks = 64

// clusterer joins records into clusters along edges, strongest first,
// refusing a merge that would put a cannot-link pair into one cluster, or
// whose member pairs that conflict are not outnumbered more than two to
// one by member pairs that link: one typo among many agreeing duplicates
// does not split a person, but a link through one shared record does not
// join two people who conflict.
type clusterer struct {
	parent  []int32
	members [][]int32         // per root
	cannot  map[int32][]int32 // cannot-link partners
	// judge reports whether two records link (reach the threshold) and
	// whether they conflict.
	judge   func(i, j int32) (link, conflict bool)
	refused int // merges refused
	// weakest holds, per root, the lowest match probability among the
	// edges that merged its cluster; nil until an edge merges.
	weakest map[int32]float64
}

func newClusterer(n int, judge func(i, j int32) (link, conflict bool)) *clusterer {
	c := &clusterer{parent: make([]int32, n), members: make([][]int32, n), judge: judge}
	for i := range c.parent {
		c.parent[i] = int32(i)
		c.members[i] = []int32{int32(i)}
	}
	return c
}

func (c *clusterer) find(i int32) int32 {
	for c.parent[i] != i {
		c.parent[i] = c.parent[c.parent[i]]
		i = c.parent[i]
	}
	return i
}

// union merges the clusters of i and j; the root keeps the smaller index.
func (c *clusterer) union(i, j int32) {
	ri, rj := c.find(i), c.find(j)
	if ri == rj {
		return
	}
	if rj < ri {
		ri, rj = rj, ri
	}
	c.parent[rj] = ri
	c.members[ri] = append(c.members[ri], c.members[rj]...)
	c.members[rj] = nil
}

// allowed reports whether the clusters rooted at ri and rj may merge.
func (c *clusterer) allowed(ri, rj int32) bool {
	a, b := c.members[ri], c.members[rj]
	if len(c.cannot) > 0 {
		for _, x := range a {
			for _, y := range c.cannot[x] {
				if c.find(y) == rj {
					return false
				}
			}
		}
	}
	links, conflicts := 0, 0
	for _, x := range a[:min(len(a), maxConflictChecks)] {
		for _, y := range b[:min(len(b), maxConflictChecks)] {
			l, k := c.judge(x, y)
			if l {
				links++
			}
			if k {
				conflicts++
			}
		}
	}
	return conflicts == 0 || links > 2*conflicts
}

// link merges along edges, strongest first (ties in record order).
func (c *clusterer) link(edges []edge) {
	slices.SortFunc(edges, func(x, y edge) int {
		switch {
		case x.w > y.w:
			return -1
		case x.w < y.w:
			return 1
		case x.a != y.a:
			return int(x.a - y.a)
		}
		return int(x.b - y.b)
	})
	for _, e := range edges {
		ri, rj := c.find(e.a), c.find(e.b)
		if ri == rj {
			continue
		}
		if !c.allowed(ri, rj) {
			c.refused++
			continue
		}
		p := probability(e.w)
		for _, r := range [2]int32{ri, rj} {
			if w, ok := c.weakest[r]; ok {
				p = min(p, w)
				delete(c.weakest, r)
			}
		}
		c.union(ri, rj)
		if c.weakest == nil {
			c.weakest = make(map[int32]float64)
		}
		c.weakest[c.find(ri)] = p
	}
}

// confidence returns the weakest link of the cluster rooted at root: the
// lowest match probability among the edges that merged it, 1 when no
// scored edge did (one record, or only must-link overrides).
func (c *clusterer) confidence(root int32) float64 {
	if w, ok := c.weakest[root]; ok {
		return w
	}
	return 1
}

// clusters returns the clusters with more than zero members, each in
// record order, ordered by their first record.
func (c *clusterer) clusters() [][]int32 {
	var out [][]int32
	for i, m := range c.members {
		if len(m) > 0 && c.parent[i] == int32(i) {
			slices.Sort(m)
			out = append(out, m)
		}
	}
	return out
}
