package main

import (
	"context"
	"fmt"

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
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := requireFlag("truth", *truth); err != nil {
		return err
	}
	pairs := *blocking || *calibration
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
	tally, rules, err := a.inspect(ctx, *cfgPath, want)
	if err != nil {
		return err
	}
	if *blocking {
		fmt.Fprintln(a.stdout)
		if err := tally.Blocking(rules, *worst).WriteText(a.stdout); err != nil {
			return err
		}
	}
	if *calibration {
		fmt.Fprintln(a.stdout)
		return tally.Calibration().WriteText(a.stdout)
	}
	return nil
}

// inspect resolves the records of the store of the configuration at
// cfgPath afresh (training a model as scv resolve does, with the
// configuration's resolver settings) and tallies its candidate pairs
// against truth.
func (a *app) inspect(ctx context.Context, cfgPath string, truth eval.Clustering) (*eval.Pairs, []string, error) {
	p, err := a.openPipeline(cfgPath)
	if err != nil {
		return nil, nil, err
	}
	defer p.Close()
	if _, err := p.SyncMissing(ctx); err != nil {
		a.endProgress()
		return nil, nil, err
	}
	var recs []customer.Record
	err = p.DB().ForEachRecord(ctx, func(r *customer.Record) error {
		recs = append(recs, *r)
		return nil
	})
	if err != nil {
		return nil, nil, err
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
	tally := eval.NewPairs(keys, truth)
	in, err := r.Inspect(ctx, recs, func(i, j int, rules uint32, prob float64) {
		tally.Add(i, j, rules, prob)
	})
	a.endProgress()
	if err != nil {
		return nil, nil, err
	}
	for _, o := range in.Oversized {
		a.logger.Warn("oversized block skipped", "rule", o.Rule, "records", o.Records)
	}
	return tally, in.Rules, nil
}
