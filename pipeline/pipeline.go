// Package pipeline runs scv's data flow: it pulls rows from each
// configured source, maps and normalizes them into canonical records,
// stores them with what had to be quarantined, and resolves the stored
// records into profiles.
package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors"
	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/quality"
	"github.com/scvhq/scv/store"
)

// Options configure a Pipeline. The zero value works.
type Options struct {
	Logger    hclog.Logger     // nil means hclog.NewNullLogger()
	Progress  func(Progress)   // called as work advances; nil means no progress reports
	BatchSize int              // records per store transaction; 0 means 5000
	Now       func() time.Time // clock for date validation; nil means time.Now
	Samples   int              // offending values a sync summary keeps per field; 0 means 5, negative none
}

// Progress reports how far a long step has come.
type Progress struct {
	Stage  string // "sync", or "resolve: " and the step
	Source string // the source being synced; empty while resolving
	Done   int    // rows or records handled so far
}

// Pipeline runs a loaded configuration's sources into a store and
// resolves what they changed. Its methods must not run concurrently with
// each other on one store.
type Pipeline struct {
	cfg  *config.Config
	db   Store
	opts Options
	lg   hclog.Logger
}

// New returns a Pipeline that runs cfg over st. The caller opens st and
// closes it after the pipeline's last call.
func New(cfg *config.Config, st Store, opts Options) *Pipeline {
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 5000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Pipeline{cfg: cfg, db: st, opts: opts, lg: opts.Logger}
}

// Config returns the configuration the pipeline runs.
func (p *Pipeline) Config() *config.Config { return p.cfg }

// SourceSummary is what one source's sync did.
type SourceSummary struct {
	Name        string
	Skipped     bool // the source had not changed since its checkpoint
	Read        int  // rows read that became records
	Inserted    int
	Updated     int
	Unchanged   int
	Deleted     int // records gone from the source since the last sync
	Quarantined int // rows that could not become records
	Took        time.Duration

	// Quality is the read's field counts, its worst rows and quarantine
	// reasons, with samples, so that a data owner can fix them at the
	// source; nil when the source was skipped.
	Quality *quality.SourceReport
}

// SyncSummary is what a sync did, per source, and the resolution after it.
type SyncSummary struct {
	Sources []SourceSummary
	Resolve *ResolveSummary // nil when no change was pending
}

// ErrUnknownSource is returned by Sync for a source name the config lacks.
var ErrUnknownSource = errors.New("unknown source")

// Sync pulls every configured source, or only the source named only, into
// the store and then brings the profiles up to date with every pending
// change: incrementally (only the profiles the changed records touch,
// under the stored model) when the changes are few, in full otherwise.
// Changes that an interrupted earlier run stored but did not resolve are
// pending too, so they are resolved here even when no source changed.
func (p *Pipeline) Sync(ctx context.Context, only string) (*SyncSummary, error) {
	var sum SyncSummary
	found := false
	for _, src := range p.cfg.Sources {
		if only != "" && src.Name != only {
			continue
		}
		found = true
		s, err := p.SyncSource(ctx, src)
		if err != nil {
			return &sum, err
		}
		sum.Sources = append(sum.Sources, s)
	}
	if only != "" && !found {
		return nil, fmt.Errorf("%w %q in %s", ErrUnknownSource, only, p.cfg.Path)
	}
	rs, err := p.ResolvePending(ctx)
	sum.Resolve = rs
	return &sum, err
}

// EnsureSynced syncs every configured source the store has never synced,
// then resolves every pending change.
func (p *Pipeline) EnsureSynced(ctx context.Context) error {
	if err := p.SyncMissing(ctx); err != nil {
		return err
	}
	_, err := p.ResolvePending(ctx)
	return err
}

// SyncMissing syncs every configured source the store has never synced,
// without resolving. A caller that resolves everything next (scv resolve)
// saves a resolution; the changes stay pending until then.
func (p *Pipeline) SyncMissing(ctx context.Context) error {
	for _, src := range p.cfg.Sources {
		cp, err := p.db.Checkpoint(ctx, src.Name)
		if err != nil {
			return err
		}
		if cp != "" {
			continue
		}
		if _, err := p.SyncSource(ctx, src); err != nil {
			return err
		}
	}
	return nil
}

// SyncSource reads one source into the store without resolving: new and
// changed rows are written in batches (each marking its changed records
// pending), and one last transaction marks the rows gone from the source
// deleted, replaces the source's quarantine with the rows that cannot
// become records and sets the checkpoint. An unchanged source (same file
// content and the same source settings as at the last checkpoint) is
// skipped. A read that stops early sets no checkpoint, so the next sync
// reads the source again; what it stored stays pending.
func (p *Pipeline) SyncSource(ctx context.Context, src config.Source) (SourceSummary, error) {
	start := time.Now()
	lg := p.lg.Named("sync").With("source", src.Name)
	sum := SourceSummary{Name: src.Name}

	checkpoint, err := p.checkpoint(src)
	if err != nil {
		return sum, err
	}
	prev, err := p.db.Checkpoint(ctx, src.Name)
	if err != nil {
		return sum, err
	}
	if prev == checkpoint {
		sum.Skipped = true
		lg.Info("source unchanged since last sync", "checkpoint", checkpoint)
		return sum, nil
	}

	norm := p.normalizeOptions(src)
	tally := quality.NewTally(quality.Options{Sources: []quality.Source{qualitySource(src)}, Samples: p.opts.Samples})
	seen := make(map[string]struct{})
	batch := make([]customer.Record, 0, p.opts.BatchSize)
	var quarantine []store.Quarantined
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		st, err := p.db.PutRecords(ctx, store.Batch{Records: batch})
		if err != nil {
			return fmt.Errorf("source %q: store records: %w", src.Name, err)
		}
		sum.Inserted += st.Inserted
		sum.Updated += st.Updated
		sum.Unchanged += st.Unchanged
		batch = batch[:0]
		p.progress(Progress{Stage: "sync", Source: src.Name, Done: sum.Read})
		return nil
	}
	emit := func(r customer.Record) error {
		customer.Normalize(&r, norm)
		tally.Add(&r)
		seen[r.ID] = struct{}{}
		batch = append(batch, r)
		sum.Read++
		if len(batch) >= p.opts.BatchSize {
			return flush()
		}
		return nil
	}
	now := p.opts.Now()
	bad := func(e *connectors.RowError) error {
		lg.Debug("row quarantined", "row", e.Line, "field", e.Field, "reason", e.Reason)
		tally.AddQuarantined(src.Name, e.Line, e.Field, e.Raw, e.Reason)
		quarantine = append(quarantine, store.Quarantined{
			Source: src.Name, Row: e.Line, Raw: e.Raw, Reason: e.Reason, Field: e.Field, At: now,
		})
		return nil
	}
	if _, err := connectors.Read(ctx, src, emit, bad); err != nil {
		return sum, err
	}
	if err := flush(); err != nil {
		return sum, err
	}
	sum.Quarantined = len(quarantine)
	run := &store.SyncRun{At: p.opts.Now().UTC(), Read: sum.Read, Inserted: sum.Inserted, Updated: sum.Updated,
		Unchanged: sum.Unchanged, Quarantined: sum.Quarantined}
	if rep := tally.Report(); len(rep.Sources) == 1 {
		sum.Quality = &rep.Sources[0]
		run.Score = sum.Quality.Score
		for _, f := range slices.Concat(sum.Quality.Fields, sum.Quality.Identifiers, sum.Quality.Columns) {
			run.Invalid += f.Invalid
		}
		for _, w := range sum.Quality.WorstRows {
			for _, pr := range w.Problems {
				lg.Info("invalid value", "row", pr.Row, "id", pr.ID, "field", pr.Field, "raw", pr.Raw, "reason", pr.Reason)
			}
		}
	}
	gone, err := p.db.FinishSnapshot(ctx, store.Snapshot{
		Source:     src.Name,
		Seen:       func(id string) bool { _, ok := seen[id]; return ok },
		Quarantine: quarantine,
		Checkpoint: checkpoint,
		Run:        run,
	})
	if err != nil {
		return sum, fmt.Errorf("source %q: %w", src.Name, err)
	}
	sum.Deleted = len(gone)
	sum.Took = time.Since(start)
	lg.Info("sync finished", "read", sum.Read, "inserted", sum.Inserted, "updated", sum.Updated,
		"unchanged", sum.Unchanged, "deleted", sum.Deleted, "quarantined", sum.Quarantined, "took", sum.Took)
	return sum, nil
}

// checkpoint fingerprints a source's content together with its settings,
// so that editing the mapping re-reads an unchanged file.
func (p *Pipeline) checkpoint(src config.Source) (string, error) {
	fp, err := connectors.Fingerprint(src.Path)
	if err != nil {
		return "", fmt.Errorf("source %q: %w", src.Name, err)
	}
	settings, err := json.Marshal(src)
	if err != nil {
		return "", fmt.Errorf("source %q: fingerprint settings: %w", src.Name, err)
	}
	h := sha256.Sum256(settings)
	return fp + "|" + hex.EncodeToString(h[:8]), nil
}

func (p *Pipeline) normalizeOptions(src config.Source) customer.Options {
	opt := customer.Options{
		DefaultCountry: src.DefaultCountry,
		DateFormat:     src.DateFormat,
		Now:            p.opts.Now(),
	}
	if t, err := time.Parse(time.DateOnly, src.EarliestDate); err == nil {
		opt.EarliestDate = t
	}
	return opt
}

func (p *Pipeline) progress(pr Progress) {
	if p.opts.Progress != nil {
		p.opts.Progress(pr)
	}
}
