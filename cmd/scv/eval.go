package main

import (
	"context"

	"github.com/scvhq/scv/eval"
)

// runEval scores a predicted clustering (scv resolve --export-clusters)
// against a truth file.
func runEval(ctx context.Context, a *app, args []string) error {
	fs := a.flags("eval", "--predicted OUT.csv --truth TRUTH.csv")
	predicted := fs.String("predicted", "", "`OUT.csv` with header source,record_id,profile_id")
	truth := fs.String("truth", "", "`TRUTH.csv` with header source,record_id,entity_id")
	worst := fs.Int("worst", 5, "how many of the worst false merges and false splits to list")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if err := requireFlag("predicted", *predicted); err != nil {
		return err
	}
	if err := requireFlag("truth", *truth); err != nil {
		return err
	}
	pred, err := eval.ReadFile(*predicted, "profile_id")
	if err != nil {
		return err
	}
	want, err := eval.ReadFile(*truth, "entity_id")
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return eval.Compare(pred, want, *worst).WriteText(a.stdout)
}
