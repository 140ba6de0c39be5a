package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/go-hclog"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/demo"
	"github.com/scvhq/scv/golden"
	"github.com/scvhq/scv/quality"
)

func runDemo(ctx context.Context, a *app, args []string) error {
	fs := a.flags("demo", "[--profiles N] [--keep DIR]")
	shown := fs.Int("profiles", 3, "print this `many` unified profiles")
	keep := fs.String("keep", "", "write the demo silos, config and store into `DIR` and keep them, instead of a temporary directory")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	// The demo prints its own summary, invalid values included; log
	// lines would only repeat it, so only errors show unless asked for.
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "log-level" })
	if !explicit {
		a.logger.SetLevel(hclog.Error)
	}
	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "scv-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	if err := demo.WriteTo(dir); err != nil {
		return fmt.Errorf("write demo silos: %w", err)
	}
	cfg, err := config.Load(filepath.Join(dir, "scv.hcl"))
	if err != nil {
		return err
	}
	cfg.DataDir = filepath.Join(dir, "scv-data")
	p, err := a.openStore(cfg)
	if err != nil {
		return err
	}
	defer p.Close()

	fmt.Fprintf(a.stdout, "Demo silos in %s: %s\n\n", dir, sourceNames(cfg))
	sum, err := p.Sync(ctx, "")
	a.endProgress()
	if err != nil {
		return err
	}
	writeSyncSummary(a.stdout, sum)

	profiles, err := richestProfiles(ctx, p, *shown)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\n%d unified profiles, for example:\n", sum.Resolve.Profiles)
	for _, prof := range profiles {
		writeProfile(a.stdout, &prof)
	}
	if len(profiles) > 0 {
		// The first profile spans the most silos: show how each of its
		// golden values won, and from which source row.
		_, g, err := p.db.GoldenProfile(ctx, profiles[0].ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "\nGolden profile of %s: each value, the source row it came from and why it won\n(scv explain --profile %s prints this for any profile):\n\n", g.ID, g.ID)
		if err := golden.WriteText(a.stdout, g); err != nil {
			return err
		}
	}

	rep, err := quality.Compute(ctx, p.db, p.QualityOptions())
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\nData quality: overall score %.2f over %d records from %d sources, %d quarantined rows.\n\n",
		rep.OverallScore, rep.Records, len(rep.Sources), rep.Quarantined)
	return quality.WriteText(a.stdout, rep)
}

func sourceNames(cfg *config.Config) string {
	names := make([]string, len(cfg.Sources))
	for i, s := range cfg.Sources {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

// richestProfiles returns up to n profiles whose members span the most
// sources, most members first: the ones that show what unification does.
func richestProfiles(ctx context.Context, p *session, n int) ([]customer.Profile, error) {
	assign, err := p.db.Assignments(ctx)
	if err != nil {
		return nil, err
	}
	sources := make(map[string]map[string]bool)
	size := make(map[string]int)
	for key, id := range assign {
		src, _, _ := customer.SplitKey(key)
		if sources[id] == nil {
			sources[id] = make(map[string]bool)
		}
		sources[id][src] = true
		size[id]++
	}
	ids := make([]string, 0, len(sources))
	for id := range sources {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := ids[i], ids[j]
		if len(sources[a]) != len(sources[b]) {
			return len(sources[a]) > len(sources[b])
		}
		if size[a] != size[b] {
			return size[a] > size[b]
		}
		return a < b
	})
	if len(ids) > n {
		ids = ids[:n]
	}
	out := make([]customer.Profile, 0, len(ids))
	for _, id := range ids {
		prof, err := p.db.Profile(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, prof)
	}
	return out, nil
}

// writeProfile prints a profile and its member records, one line each.
func writeProfile(w io.Writer, p *customer.Profile) {
	fmt.Fprintf(w, "\nprofile %s (%d records)\n", p.ID, len(p.Members))
	for i := range p.Members {
		r := &p.Members[i]
		var parts []string
		name := strings.TrimSpace(r.Fields[customer.GivenName].Raw + " " + r.Fields[customer.FamilyName].Raw)
		if name == "" {
			name = r.Fields[customer.FullName].Raw
		}
		parts = append(parts, name)
		for _, f := range []customer.Field{customer.Email, customer.Phone, customer.DateOfBirth, customer.PostalCode} {
			r.Each(f, func(v customer.Value) bool {
				switch v.Status {
				case customer.Valid:
					parts = append(parts, v.Norm)
				case customer.Invalid:
					parts = append(parts, fmt.Sprintf("%s (invalid %s)", v.Raw, f))
				}
				return true
			})
		}
		fmt.Fprintf(w, "  %-24s %s\n", r.Key(), strings.Join(parts, " · "))
	}
}
