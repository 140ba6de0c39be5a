package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/scvhq/scv/golden"
)

// recordKeys collects repeated --record flags.
type recordKeys []string

func (r *recordKeys) String() string     { return strings.Join(*r, ",") }
func (r *recordKeys) Set(s string) error { *r = append(*r, s); return nil }

var _ flag.Value = (*recordKeys)(nil)

func runExplain(ctx context.Context, a *app, args []string) error {
	fs := a.flags("explain", "--config FILE (--record SOURCE/ID --record SOURCE/ID | --profile ID)")
	cfgPath := configFlag(fs)
	var keys recordKeys
	fs.Var(&keys, "record", "a stored record `source/id`; give exactly two")
	profile := fs.String("profile", "", "a profile `id`: show where each golden value came from and why it won")
	if err := a.parseConfig(fs, args, cfgPath); err != nil {
		return err
	}
	if *profile != "" {
		if len(keys) > 0 {
			return usageError{"give either --profile or two --record flags, not both"}
		}
		return a.explainProfile(ctx, *cfgPath, *profile)
	}
	if len(keys) != 2 {
		return usageError{fmt.Sprintf("give exactly two --record flags, got %d", len(keys))}
	}
	for _, k := range keys {
		if src, id, ok := strings.Cut(k, "/"); !ok || src == "" || id == "" {
			return usageError{fmt.Sprintf("--record %q is not source/id", k)}
		}
	}
	p, err := a.openConfig(*cfgPath)
	if err != nil {
		return err
	}
	defer p.Close()
	e, err := p.ExplainPair(ctx, keys[0], keys[1])
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s vs %s\n\n", keys[0], keys[1])
	return e.WriteText(a.stdout)
}

// explainProfile prints the lineage of a profile's golden values.
func (a *app) explainProfile(ctx context.Context, cfgPath, id string) error {
	s, err := a.openConfig(cfgPath)
	if err != nil {
		return err
	}
	defer s.Close()
	prof, g, err := s.db.GoldenProfile(ctx, strings.TrimPrefix(id, "profiles/"))
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%d members:", len(prof.Members))
	for _, m := range prof.Members {
		fmt.Fprintf(a.stdout, " %s", m.Key())
	}
	fmt.Fprintln(a.stdout)
	return golden.WriteText(a.stdout, g)
}
