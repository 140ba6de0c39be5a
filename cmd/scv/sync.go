package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/scvhq/scv/connectors/row"
	"github.com/scvhq/scv/pipeline"
)

func runSync(ctx context.Context, a *app, args []string) error {
	fs := a.flags("sync", "--config FILE [--source NAME] [--full] [--allow-deletes] [--watch]")
	cfgPath := configFlag(fs)
	only := fs.String("source", "", "sync only the source with this `name`")
	full := fs.Bool("full", false, "read every source from its start and mark records it no longer holds deleted")
	allowDeletes := fs.Bool("allow-deletes", false, "let a read mark more than a source's max_delete share of its records deleted")
	watch := fs.Bool("watch", false, "keep syncing: each source at its poll interval, NATS continuously, until SIGTERM")
	if err := a.parseConfig(fs, args, cfgPath); err != nil {
		return err
	}
	p, err := a.openConfig(*cfgPath)
	if err != nil {
		return err
	}
	defer p.Close()
	o := pipeline.SyncOptions{Full: *full, AllowDeletes: *allowDeletes}
	if *watch {
		return p.Watch(ctx, *only, o, func(sum *pipeline.SyncSummary, err error) {
			a.endProgress()
			writeSyncSummary(a.stdout, sum)
			if err != nil {
				a.logger.Error("sync round failed", "error", err)
			}
		})
	}
	sum, err := p.SyncWith(ctx, *only, o)
	a.endProgress()
	if sum != nil {
		writeSyncSummary(a.stdout, sum)
	}
	return err
}

func writeSyncSummary(w io.Writer, sum *pipeline.SyncSummary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "source\tread\tinserted\tupdated\tunchanged\tdeleted\tquarantined\t")
	for _, s := range sum.Sources {
		if s.Skipped {
			fmt.Fprintf(tw, "%s\t(unchanged since last sync)\t\t\t\t\t\t\n", s.Name)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", s.Name, s.Read, s.Inserted, s.Updated, s.Unchanged, s.Deleted, s.Quarantined)
	}
	tw.Flush()
	for _, s := range sum.Sources {
		if s.Incomplete != "" {
			fmt.Fprintf(w, "\n%s: incomplete read (%s): no record was marked deleted\n", s.Name, s.Incomplete)
		}
	}
	for _, s := range sum.Sources {
		writeProblems(w, s)
	}
	switch r := sum.Resolve; {
	case r == nil:
	case r.Incremental:
		fmt.Fprintf(w, "\nresolved the %d records of the profiles the changes touch into %d profiles in %s\n", r.Records, r.Profiles, r.Took.Round(1e5))
	default:
		fmt.Fprintf(w, "\nresolved %d records into %d profiles in %s\n", r.Records, r.Profiles, r.Took.Round(1e6))
	}
}

// writeProblems names a source's invalid values and quarantined rows,
// by row, so that the data owner can fix them at the source.
func writeProblems(w io.Writer, s pipeline.SourceSummary) {
	q := s.Quality
	if q == nil {
		return
	}
	invalid := 0
	for _, f := range q.Fields {
		invalid += f.Invalid
	}
	for _, f := range q.Identifiers {
		invalid += f.Invalid
	}
	for _, f := range q.Columns {
		invalid += f.Invalid
	}
	if invalid == 0 && s.Quarantined == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s: %d invalid values kept but not used for matching, %d rows quarantined\n", s.Name, invalid, s.Quarantined)
	for _, f := range slices.Concat(q.Fields, q.Identifiers, q.Columns) {
		if f.Invalid == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-14s %d invalid\n", f.Name, f.Invalid)
		for _, x := range f.Samples {
			fmt.Fprintf(w, "    row %d (id %s): %q: %s\n", x.Row, x.ID, row.Truncate(x.Raw, 100), x.Reason)
		}
	}
	for _, r := range q.Quarantine {
		fmt.Fprintf(w, "  quarantined: %s (%d rows)\n", r.Reason, r.Count)
		for _, x := range r.Samples {
			fmt.Fprintf(w, "    row %d: %s\n", x.Row, row.Truncate(x.Raw, 200))
		}
	}
}
