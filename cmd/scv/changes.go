package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// changeLine is one change-log entry as scv changes --json writes it.
type changeLine struct {
	Seq        uint64    `json:"seq"`
	Profile    string    `json:"profile"`
	Kind       string    `json:"kind"`
	MergedFrom []string  `json:"merged_from,omitempty"`
	SplitInto  []string  `json:"split_into,omitempty"`
	At         time.Time `json:"at"`
}

func runChanges(ctx context.Context, a *app, args []string) error {
	fs := a.flags("changes", "--config FILE [--since SEQ] [--json]")
	cfgPath := configFlag(fs)
	since := fs.Uint64("since", 0, "print only entries after sequence `SEQ`")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	if err := a.parseConfig(fs, args, cfgPath); err != nil {
		return err
	}
	s, err := a.openConfig(*cfgPath)
	if err != nil {
		return err
	}
	defer s.Close()
	const page = 10000
	enc := json.NewEncoder(a.stdout)
	for after := *since; ; {
		changes, err := s.db.Changes(ctx, after, page)
		if err != nil {
			return err
		}
		for _, c := range changes {
			after = c.Seq
			if *asJSON {
				if err := enc.Encode(changeLine{c.Seq, c.Profile, string(c.Kind), c.MergedFrom, c.SplitInto, c.At}); err != nil {
					return err
				}
				continue
			}
			line := fmt.Sprintf("%d\t%s\t%s\t%s", c.Seq, c.At.Format(time.RFC3339), c.Profile, c.Kind)
			if len(c.MergedFrom) > 0 {
				line += "\tfrom " + strings.Join(c.MergedFrom, ",")
			}
			if len(c.SplitInto) > 0 {
				line += "\tinto " + strings.Join(c.SplitInto, ",")
			}
			if _, err := fmt.Fprintln(a.stdout, line); err != nil {
				return err
			}
		}
		if len(changes) < page {
			return nil
		}
	}
}
