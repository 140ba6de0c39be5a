package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
)

// recordKeys collects repeated --record flags.
type recordKeys []string

func (r *recordKeys) String() string     { return strings.Join(*r, ",") }
func (r *recordKeys) Set(s string) error { *r = append(*r, s); return nil }

var _ flag.Value = (*recordKeys)(nil)

func runExplain(ctx context.Context, a *app, args []string) error {
	fs := a.flags("explain", "--config FILE --record SOURCE/ID --record SOURCE/ID")
	cfgPath := configFlag(fs)
	var keys recordKeys
	fs.Var(&keys, "record", "a stored record `source/id`; give exactly two")
	if err := a.parseConfig(fs, args, cfgPath); err != nil {
		return err
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
