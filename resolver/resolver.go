// Package resolver decides which customer records belong to the same
// person and gives each person a stable profile id.
package resolver

import (
	"context"
	"sort"

	"github.com/hashicorp/go-hclog"

	"github.com/scvhq/scv/customer"
)

// Options configure a Resolver. The zero value works.
type Options struct {
	Logger hclog.Logger // nil means hclog.NewNullLogger()
}

// Resolver clusters records into profiles.
type Resolver struct {
	opts Options
}

// New returns a Resolver with opts.
func New(opts Options) *Resolver {
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	return &Resolver{opts: opts}
}

// Result is the outcome of a resolution.
type Result struct {
	Assign   map[string]string // record key -> profile id, for every record resolved
	Profiles int               // number of distinct profiles
}

// Resolve clusters recs, the complete set of live records, and assigns
// each cluster a profile id. prev is the previous assignment (record key to
// profile id); ids are kept from it as described by AssignIDs.
func (r *Resolver) Resolve(ctx context.Context, recs []customer.Record, prev map[string]string) (*Result, error) {
	uf := newUnionFind(len(recs))
	first := make(map[string]int) // identifier key -> first record index with it
	link := func(i int, key string) {
		if j, ok := first[key]; ok {
			uf.union(i, j)
			return
		}
		first[key] = i
	}
	for i := range recs {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec := &recs[i]
		for _, f := range [...]customer.Field{customer.Email, customer.Phone} {
			rec.Each(f, func(v customer.Value) bool {
				if v.Usable() {
					link(i, f.String()+"\x00"+v.Norm)
				}
				return true
			})
		}
		for kind, v := range rec.Identifiers {
			if v.Usable() {
				link(i, "id:"+kind+"\x00"+v.Norm)
			}
		}
	}
	groups := make(map[int][]string)
	for i := range recs {
		root := uf.find(i)
		groups[root] = append(groups[root], recs[i].Key())
	}
	clusters := make([][]string, 0, len(groups))
	for _, g := range groups {
		clusters = append(clusters, g)
	}
	ids := AssignIDs(clusters, prev)
	res := &Result{Assign: make(map[string]string, len(recs)), Profiles: len(clusters)}
	for c, members := range clusters {
		for _, k := range members {
			res.Assign[k] = ids[c]
		}
	}
	r.opts.Logger.Debug("resolved", "records", len(recs), "profiles", len(clusters))
	return res, nil
}

type unionFind struct{ parent []int32 }

func newUnionFind(n int) *unionFind {
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(i)
	}
	return &unionFind{parent: p}
}

func (u *unionFind) find(i int) int {
	for int(u.parent[i]) != i {
		u.parent[i] = u.parent[u.parent[i]]
		i = int(u.parent[i])
	}
	return i
}

// union joins the sets of i and j, keeping the smaller index as root so
// results do not depend on map iteration order.
func (u *unionFind) union(i, j int) {
	ri, rj := u.find(i), u.find(j)
	if ri == rj {
		return
	}
	if rj < ri {
		ri, rj = rj, ri
	}
	u.parent[rj] = int32(ri)
}

// sortedCopy returns members sorted, leaving the argument untouched.
func sortedCopy(members []string) []string {
	s := append([]string(nil), members...)
	sort.Strings(s)
	return s
}
