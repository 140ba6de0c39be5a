package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors"
)

// StreamPoll is how often scv sync --watch looks for new messages on a
// NATS source; its reader stays open between looks.
const StreamPoll = time.Second

// Watch syncs every configured source (or only the one named only) again
// and again until ctx ends: databases, HTTP APIs and files at their
// source's poll interval, NATS streams every StreamPoll through a reader
// kept open, resolving what changed after each round. After each round
// that read any source it calls report, if not nil, with the round's
// summary and error; a failing source is retried at its next interval
// while the others go on. When ctx ends, the batch in hand is stored with
// its checkpoint and Watch returns nil. Only the first round honours
// o.Full.
func (p *Pipeline) Watch(ctx context.Context, only string, o SyncOptions, report func(*SyncSummary, error)) error {
	var srcs []config.Source
	for _, src := range p.cfg.Sources {
		if src.Type != "api" && (only == "" || src.Name == only) {
			srcs = append(srcs, src)
		}
	}
	if len(srcs) == 0 {
		return fmt.Errorf("%w %q in %s", ErrUnknownSource, only, p.cfg.Path)
	}
	next := map[string]time.Time{}
	readers := map[string]*connectors.Reader{}
	defer func() {
		for _, r := range readers {
			r.Close()
		}
	}()
	lg := p.lg.Named("watch")
	for round := 0; ; round++ {
		var sum SyncSummary
		var errs []error
		ran := false
		for _, src := range srcs {
			now := time.Now()
			if t, ok := next[src.Name]; ok && now.Before(t) {
				continue
			}
			ran = true
			interval := src.Poll
			if interval <= 0 {
				interval = config.DefaultPoll
			}
			var r *connectors.Reader
			if src.Type == "nats" {
				interval = StreamPoll
				if r = readers[src.Name]; r == nil {
					cp, err := p.db.Checkpoint(ctx, src.Name)
					if err == nil {
						r, err = connectors.Open(ctx, src, connectors.Options{From: cp, Logger: lg})
					}
					if err != nil {
						if ctx.Err() != nil {
							return nil
						}
						lg.Error("source failed", "source", src.Name, "error", err)
						errs = append(errs, err)
						next[src.Name] = now.Add(interval)
						continue
					}
					readers[src.Name] = r
				}
			}
			ro := o
			if round > 0 {
				ro.Full = false
			}
			s, err := p.syncSource(ctx, src, ro, r)
			next[src.Name] = time.Now().Add(interval)
			if ctx.Err() != nil {
				return nil
			}
			if err != nil {
				lg.Error("source failed", "source", src.Name, "error", err)
				errs = append(errs, err)
				if r != nil {
					r.Close()
					delete(readers, src.Name)
				}
				continue
			}
			if !s.Skipped {
				sum.Sources = append(sum.Sources, s)
			}
		}
		if ran {
			rs, err := p.ResolvePending(ctx)
			if ctx.Err() != nil {
				return nil
			}
			sum.Resolve = rs
			if report != nil && (len(sum.Sources) > 0 || len(errs) > 0 || err != nil) {
				report(&sum, errors.Join(append(errs, err)...))
			}
		}
		wake := time.Now().Add(time.Hour)
		for _, t := range next {
			if t.Before(wake) {
				wake = t
			}
		}
		timer := time.NewTimer(time.Until(wake))
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-timer.C:
		}
	}
}
