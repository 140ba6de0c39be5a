package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/scvhq/scv/quality"
)

// runAudit syncs the sources the store lacks, computes the data-quality
// report and writes it; with --fail-under it exits 3 when the overall
// score is below the bar, after writing the report.
func runAudit(ctx context.Context, a *app, args []string) error {
	fs := a.flags("audit", "--config FILE [--format text|json|html] [--out FILE] [--fail-under SCORE] [--samples N]")
	cfgPath := configFlag(fs)
	format := fs.String("format", "text", "report `format`: text, json or html")
	out := fs.String("out", "", "write the report to this `file` instead of standard output")
	failUnder := fs.Float64("fail-under", 0, "exit 3 when the overall score is below this `score` (0..1)")
	samples := fs.Int("samples", 5, "offending values kept per field, per quarantine reason and in the worst rows (`n`)")
	if err := a.parseConfig(fs, args, cfgPath); err != nil {
		return err
	}
	var write func(io.Writer, *quality.Report) error
	switch *format {
	case "text":
		write = quality.WriteText
	case "json":
		write = quality.WriteJSON
	case "html":
		write = quality.WriteHTML
	default:
		return usageError{fmt.Sprintf("unknown --format %q: want text, json or html", *format)}
	}
	if *failUnder < 0 || *failUnder > 1 {
		return usageError{fmt.Sprintf("--fail-under %v is outside 0..1", *failUnder)}
	}
	if *samples < 0 {
		return usageError{fmt.Sprintf("--samples %d is negative", *samples)}
	}

	p, err := a.openConfig(*cfgPath)
	if err != nil {
		return err
	}
	defer p.Close()
	err = p.EnsureSynced(ctx)
	a.endProgress()
	if err != nil {
		return err
	}
	opts := p.QualityOptions()
	opts.Samples = *samples
	if *samples == 0 {
		opts.Samples = -1 // quality.Options: negative keeps no samples, 0 means the default
	}
	rep, err := quality.Compute(ctx, p.db, opts)
	if err != nil {
		return err
	}
	if err := writeReport(a.stdout, *out, rep, write); err != nil {
		return err
	}
	a.logger.Info("audit finished", "overall_score", rep.OverallScore, "records", rep.Records,
		"profiles", rep.Profiles, "quarantined", rep.Quarantined)
	if rep.OverallScore < *failUnder {
		return exitError{code: 3, err: fmt.Errorf("overall score %.3f is below --fail-under %.3f", rep.OverallScore, *failUnder)}
	}
	return nil
}

// writeReport writes rep to the file path, or to stdout when path is "".
func writeReport(stdout io.Writer, path string, rep *quality.Report, write func(io.Writer, *quality.Report) error) error {
	if path == "" {
		return write(stdout, rep)
	}
	f, err := createPrivate(path)
	if err != nil {
		return fmt.Errorf("audit report: %w", err)
	}
	if err := write(f, rep); err != nil {
		return errors.Join(fmt.Errorf("audit report %s: %w", path, err), f.Close())
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("audit report %s: %w", path, err)
	}
	return nil
}
