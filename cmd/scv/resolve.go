package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"sort"

	"github.com/scvhq/scv/customer"
)

func runResolve(ctx context.Context, a *app, args []string) error {
	fs := a.flags("resolve", "--config FILE [--export-clusters OUT.csv] [--show-model]")
	cfgPath := configFlag(fs)
	export := fs.String("export-clusters", "", "write `OUT.csv` with header source,record_id,profile_id, one row per live record")
	showModel := fs.Bool("show-model", false, "print the trained model: m, u and weight of every comparison level")
	if err := a.parseConfig(fs, args, cfgPath); err != nil {
		return err
	}
	p, err := a.openConfig(*cfgPath)
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.SyncMissing(ctx); err != nil {
		a.endProgress()
		return err
	}
	sum, err := p.Resolve(ctx)
	a.endProgress()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "resolved %d records into %d profiles in %s (%d candidate pairs, %d links, %d merges refused)\n",
		sum.Records, sum.Profiles, sum.Took.Round(1e6), sum.Candidates, sum.Links, sum.Refused)
	if *showModel {
		m, err := p.Model(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout)
		if err := m.WriteTable(a.stdout); err != nil {
			return err
		}
	}
	if *export == "" {
		return nil
	}
	assign, err := p.db.Assignments(ctx)
	if err != nil {
		return err
	}
	if err := writeClusters(*export, assign); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "wrote %d rows to %s\n", len(assign), *export)
	return nil
}

// writeClusters writes the assignment as CSV, sorted by record key.
func writeClusters(path string, assign map[string]string) error {
	keys := make([]string, 0, len(assign))
	for k := range assign {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	f, err := createPrivate(path)
	if err != nil {
		return fmt.Errorf("export clusters: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	w := csv.NewWriter(bw)
	w.Write([]string{"source", "record_id", "profile_id"})
	for _, k := range keys {
		src, id, _ := customer.SplitKey(k)
		w.Write([]string{src, id, assign[k]})
	}
	w.Flush()
	err = w.Error()
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("export clusters to %s: %w", path, err)
	}
	return nil
}
