package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/eval"
	"github.com/scvhq/scv/resolver"
)

// runEval scores a predicted clustering (scv resolve --export-clusters)
// against a truth file, or, with --blocking or --calibration, the
// candidate pairs and match probabilities of a fresh resolution of the
// store of --config.
func runEval(ctx context.Context, a *app, args []string) error {
	fs := a.flags("eval", "--predicted OUT.csv --truth TRUTH.csv | --config FILE --truth TRUTH.csv --blocking --calibration")
	predicted := fs.String("predicted", "", "`OUT.csv` with header source,record_id,profile_id")
	truth := fs.String("truth", "", "`TRUTH.csv` with header source,record_id,entity_id")
	worst := fs.Int("worst", 5, "how many of the worst false merges and false splits (or, with --blocking, true pairs never compared) to list")
	cfgPath := fs.String("config", "", "with --blocking or --calibration: the `FILE` whose store (synced if empty) is resolved afresh")
	blocking := fs.Bool("blocking", false, "report blocking recall: the share of true pairs that were candidate pairs, per rule and overall")
	calibration := fs.Bool("calibration", false, "report calibration: per match-probability range, the share of candidate pairs that are true")
	showModel := fs.Bool("model", false, "report the trained m and u of every comparison level beside the true m among the true candidate pairs")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := requireFlag("truth", *truth); err != nil {
		return err
	}
	pairs := *blocking || *calibration || *showModel
	if pairs {
		if err := requireFlag("config", *cfgPath); err != nil {
			return err
		}
	} else if err := requireFlag("predicted", *predicted); err != nil {
		return err
	}
	want, err := eval.ReadFile(*truth, "entity_id")
	if err != nil {
		return err
	}
	if *predicted != "" {
		pred, err := eval.ReadFile(*predicted, "profile_id")
		if err != nil {
			return err
		}
		if err := eval.Compare(pred, want, *worst).WriteText(a.stdout); err != nil {
			return err
		}
	}
	if !pairs {
		return ctx.Err()
	}
	in, err := a.inspect(ctx, *cfgPath, want)
	if err != nil {
		return err
	}
	if *blocking {
		fmt.Fprintln(a.stdout)
		if err := in.pairs.Blocking(in.Rules, *worst).WriteText(a.stdout); err != nil {
			return err
		}
	}
	if *calibration {
		fmt.Fprintln(a.stdout)
		if err := in.pairs.Calibration().WriteText(a.stdout); err != nil {
			return err
		}
	}
	if *showModel && in.Model != nil {
		fmt.Fprintln(a.stdout)
		writeTrueM(a.stdout, in.Model, &in.levels)
	}
	return nil
}

// inspected is a resolution inspected against a truth.
type inspected struct {
	*resolver.Inspection
	pairs  *eval.Pairs
	levels eval.Levels // of the true candidate pairs
}

// writeTrueM writes, per comparison level, the trained m and u of model m
// and the true m among the true candidate pairs.
func writeTrueM(w io.Writer, m *resolver.Model, lv *eval.Levels) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "comparison\tlevel\ttrained m\ttrue m\tu\n")
	for c, cmp := range m.Comparisons {
		truth := lv.M(c, len(cmp.Levels))
		for l, x := range cmp.Levels {
			if l == 0 {
				continue
			}
			name := ""
			if l == 1 {
				name = cmp.Name
			}
			fmt.Fprintf(tw, "%s\t%s\t%.4f\t%.4f\t%.6f\n", name, x.Name, x.M, truth[l], x.U)
		}
	}
	tw.Flush()
}

// inspect resolves the records of the store of the configuration at
// cfgPath afresh (training a model as scv resolve does, with the
// configuration's resolver settings) and tallies its candidate pairs
// against truth.
func (a *app) inspect(ctx context.Context, cfgPath string, truth eval.Clustering) (*inspected, error) {
	p, err := a.openConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	if err := p.SyncMissing(ctx); err != nil {
		a.endProgress()
		return nil, err
	}
	var recs []customer.Record
	err = p.db.ForEachRecord(ctx, func(r *customer.Record) error {
		recs = append(recs, *r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(recs))
	for i := range recs {
		keys[i] = recs[i].Key()
	}
	rc := p.Config().Resolver
	r := resolver.New(resolver.Options{
		Logger:       a.logger.Named("resolver"),
		Threshold:    rc.MatchThreshold,
		Blocking:     rc.Blocking,
		MaxBlockSize: rc.MaxBlockSize,
	})
	out := &inspected{pairs: eval.NewPairs(keys, truth)}
	in, err := r.Inspect(ctx, recs, func(p resolver.Pair) {
		out.pairs.Add(p.I, p.J, p.Rules, p.P)
		if out.pairs.Match(p.I, p.J) {
			// Every comparison slot: those past the model's are null.
			out.levels.Add(16, p.Level)
		}
	})
	a.endProgress()
	if err != nil {
		return nil, err
	}
	for _, o := range in.Oversized {
		a.logger.Warn("oversized block skipped", "rule", o.Rule, "records", o.Records)
	}
	out.Inspection = in
	return out, nil
}
