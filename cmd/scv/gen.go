package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/scvhq/scv/synth"
)

func runGen(ctx context.Context, a *app, args []string) error {
	fs := a.flags("gen", "--customers N --out DIR [--seed S]")
	customers := fs.String("customers", "", "generate `N` real people, about 2.1 records each")
	out := fs.String("out", "", "write the sources, truth.csv and scv.hcl into `DIR`")
	seed := fs.Uint64("seed", synth.DefaultSeed, "random `seed`; the same seed writes the same bytes")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := requireFlag("customers", *customers); err != nil {
		return err
	}
	if err := requireFlag("out", *out); err != nil {
		return err
	}
	n, err := strconv.Atoi(*customers)
	if err != nil || n <= 0 {
		return usageError{fmt.Sprintf("--customers must be a positive whole number, not %q", *customers)}
	}
	sum, err := synth.Generate(ctx, *out, synth.Options{Customers: n, Seed: *seed, Progress: a.genProgress(n)})
	a.endProgress()
	if err != nil {
		return err
	}
	pairs := []any{"customers", sum.Customers, "records", sum.Records, "households", sum.Households, "dir", *out, "seed", *seed}
	for _, s := range sum.Sources {
		pairs = append(pairs, s.Name, s.Records)
	}
	pairs = append(pairs, "quarantined", sum.Records-sum.Truth, "took", sum.Took.Round(time.Millisecond))
	a.logger.Info("generated silos", pairs...)
	return nil
}

// genProgress returns a progress report for synth.Generate that shows on
// a terminal how many of total people are written; nil without one.
func (a *app) genProgress(total int) func(done int) {
	if !a.interactive {
		return nil
	}
	return func(done int) {
		a.showProgress("generating", fmt.Sprintf("generating: %d of %d customers (%d%%)", done, total, done*100/total))
	}
}
