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
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors"
	"github.com/scvhq/scv/connectors/row"
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

	Quarantined int // rows of the source quarantined so far
	Total       int // rows the read will return; 0 when unknown
}

// Pipeline runs a loaded configuration's sources into a store and
// resolves what they changed. Its methods must not run concurrently with
// each other on one store.
type Pipeline struct {
	// mu serializes the writers one serving process runs side by side:
	// Ingest, DeleteRecord and ResolvePending.
	mu sync.Mutex
	// nmu guards committed, which notify closes after each write.
	nmu       sync.Mutex
	committed chan struct{}
	cfg       *config.Config
	db        Store
	opts      Options
	lg        hclog.Logger
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
	Full        bool // the source was read from its start, as a snapshot
	Read        int  // rows read that became records
	Inserted    int
	Updated     int
	Unchanged   int
	Deleted     int // records gone from the source since the last sync, or deleted by it
	Quarantined int // rows that could not become records
	Took        time.Duration

	// Incomplete says why a snapshot read may have missed rows; records
	// missing from it were then not marked deleted. Empty otherwise.
	Incomplete string

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

// ErrTooManyDeletes is wrapped by a sync's error when a snapshot would
// mark more than the source's max_delete share of its live records deleted.
var ErrTooManyDeletes = errors.New("too many deletes")

// SyncOptions change what a sync does. The zero value is an incremental sync.
type SyncOptions struct {
	// Full reads every source from its start, as a snapshot: records it
	// does not see are marked deleted (when the read is complete).
	Full bool
	// AllowDeletes lets a snapshot mark more than max_delete of a source's
	// live records deleted.
	AllowDeletes bool
}

// Sync pulls every configured source, or only the source named only, into
// the store and then brings the profiles up to date with every pending
// change: incrementally (only the profiles the changed records touch,
// under the stored model) when the changes are few, in full otherwise.
// Changes that an interrupted earlier run stored but did not resolve are
// pending too, so they are resolved here even when no source changed.
func (p *Pipeline) Sync(ctx context.Context, only string) (*SyncSummary, error) {
	return p.SyncWith(ctx, only, SyncOptions{})
}

// SyncWith is Sync with options. A source that fails (unreachable, wrong
// credentials, too many deletes) does not stop the others; the error
// returned joins every source's.
func (p *Pipeline) SyncWith(ctx context.Context, only string, o SyncOptions) (*SyncSummary, error) {
	var sum SyncSummary
	found := false
	var errs []error
	for _, src := range p.cfg.Sources {
		if only != "" && src.Name != only {
			continue
		}
		found = true
		if src.Type == "api" {
			continue // written through IngestService; nothing to read
		}
		s, err := p.syncSource(ctx, src, o, nil)
		if err != nil {
			if ctx.Err() != nil {
				return &sum, err
			}
			p.lg.Named("sync").Error("source failed", "source", src.Name, "error", err)
			errs = append(errs, err)
			continue
		}
		sum.Sources = append(sum.Sources, s)
	}
	if only != "" && !found {
		return nil, fmt.Errorf("%w %q in %s", ErrUnknownSource, only, p.cfg.Path)
	}
	rs, err := p.ResolvePending(ctx)
	sum.Resolve = rs
	return &sum, errors.Join(append(errs, err)...)
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
		if src.Type == "api" {
			continue
		}
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

// snapshotKind reports whether every read of src holds all its live
// records (a file, an API without updated_since), so records missing from
// a complete read are gone; other sources are read incrementally after
// their checkpoint.
func snapshotKind(src config.Source) bool {
	switch src.Type {
	case "csv", "jsonl":
		return true
	case "http":
		return src.UpdatedSince == ""
	}
	return false
}

// SyncSource reads one source into the store without resolving; see
// SyncSourceWith.
func (p *Pipeline) SyncSource(ctx context.Context, src config.Source) (SourceSummary, error) {
	return p.syncSource(ctx, src, SyncOptions{}, nil)
}

// SyncSourceWith reads one source into the store without resolving.
//
// A snapshot source (a file, an API without updated_since) is read whole:
// new and changed rows are written in batches (each marking its changed
// records pending), and one last transaction marks the rows gone from the
// source deleted, replaces the source's quarantine with the rows that
// cannot become records and sets the checkpoint. An unchanged file (same
// content and the same source settings as at the last checkpoint) is
// skipped. A read that stops early sets no checkpoint, so the next sync
// reads the source again; what it stored stays pending.
//
// A database or stream source is read after its checkpoint, and every
// batch is written with the checkpoint that covers it in one transaction,
// so a crash neither skips nor repeats a change; a NATS message is acked
// only after that. With o.Full it is read from its start as a snapshot.
//
// A snapshot read that could not split every row from the next
// (Stats.Incomplete) marks nothing deleted; one that would mark more than
// max_delete of the source's live records deleted stops with
// ErrTooManyDeletes unless o.AllowDeletes.
func (p *Pipeline) SyncSourceWith(ctx context.Context, src config.Source, o SyncOptions) (SourceSummary, error) {
	return p.syncSource(ctx, src, o, nil)
}

// syncSource is SyncSourceWith over an open reader, or one it opens when
// r is nil (scv sync --watch keeps NATS readers open between rounds).
func (p *Pipeline) syncSource(ctx context.Context, src config.Source, o SyncOptions, r *connectors.Reader) (SourceSummary, error) {
	start := time.Now()
	lg := p.lg.Named("sync").With("source", src.Name)
	sum := SourceSummary{Name: src.Name}
	snapshot := snapshotKind(src) || (o.Full && src.Type != "nats")
	sum.Full = snapshot

	prev, err := p.db.Checkpoint(ctx, src.Name)
	if err != nil {
		return sum, err
	}
	var fileCheckpoint string
	if src.Type == "csv" || src.Type == "jsonl" {
		if fileCheckpoint, err = p.checkpoint(src); err != nil {
			return sum, err
		}
		if prev == fileCheckpoint && !o.Full {
			sum.Skipped = true
			lg.Info("source unchanged since last sync", "checkpoint", fileCheckpoint)
			return sum, nil
		}
	}
	from := prev
	if snapshot {
		from = ""
	}
	if r == nil {
		r, err = connectors.Open(ctx, src, connectors.Options{From: from, Logger: lg})
		if err != nil {
			return sum, err
		}
		defer r.Close()
	}

	total := int(r.Total())
	p.progress(Progress{Stage: "sync", Source: src.Name, Total: total})
	before, err := p.db.Sources(ctx)
	if err != nil {
		return sum, err
	}
	norm := p.normalizeOptions(src)
	tally := quality.NewTally(quality.Options{Sources: []quality.Source{qualitySource(src)}, Samples: p.opts.Samples})
	var seen map[string]struct{}
	liveSeen := 0
	if snapshot {
		seen = make(map[string]struct{})
	}
	batch := make([]customer.Record, 0, p.opts.BatchSize)
	var quarantine, batchQuarantine []store.Quarantined
	written := prev

	// A writer goroutine stores the batches while the next one is read
	// and normalized; batches are written in order, each with the
	// checkpoint that covers it, and a NATS source hears of each commit
	// only after it. Queued batches are written even when ctx ends: each
	// is sound with its checkpoint.
	type job struct {
		b      store.Batch
		pos    string
		commit bool
		done   int
		quar   int
	}
	jobs := make(chan job, 1)
	wdone := make(chan struct{})
	var wmu sync.Mutex
	var werr error
	wctx := context.WithoutCancel(ctx)
	go func() {
		defer close(wdone)
		for j := range jobs {
			wmu.Lock()
			failed := werr != nil
			wmu.Unlock()
			if failed {
				continue
			}
			st, err := p.db.PutRecords(wctx, j.b)
			if err == nil && j.commit {
				err = r.Commit(wctx, j.pos)
			} else if err != nil {
				err = fmt.Errorf("source %q: store records: %w", src.Name, err)
			}
			wmu.Lock()
			if err != nil {
				werr = err
			}
			sum.Inserted += st.Inserted
			sum.Updated += st.Updated
			sum.Unchanged += st.Unchanged
			wmu.Unlock()
			p.progress(Progress{Stage: "sync", Source: src.Name, Done: j.done, Quarantined: j.quar, Total: total})
		}
	}()
	writeErr := func() error {
		wmu.Lock()
		defer wmu.Unlock()
		return werr
	}
	// wait lets the writer finish what is queued and returns its error.
	waited := false
	wait := func() error {
		if !waited {
			waited = true
			close(jobs)
			<-wdone
		}
		return writeErr()
	}
	defer wait()
	// flush queues the batch; incremental reads write the checkpoint that
	// covers it and its quarantined rows in the same transaction.
	flush := func() error {
		if err := writeErr(); err != nil {
			return err
		}
		b := store.Batch{Records: batch}
		pos := r.Position()
		if !snapshot {
			b.Quarantine = batchQuarantine
			if pos != "" && pos != written {
				b.Checkpoint = &store.Checkpoint{Source: src.Name, Value: pos}
				written = pos
			}
		}
		if len(b.Records) == 0 && len(b.Quarantine) == 0 && b.Checkpoint == nil {
			return nil
		}
		jobs <- job{b: b, pos: pos, commit: !snapshot, done: sum.Read, quar: sum.Quarantined}
		batch = make([]customer.Record, 0, p.opts.BatchSize)
		batchQuarantine = nil
		return nil
	}
	emit := func(rec customer.Record, _ string) error {
		customer.Normalize(&rec, norm)
		tally.Add(&rec)
		if seen != nil {
			seen[rec.ID] = struct{}{}
			if !rec.Deleted {
				liveSeen++
			}
		}
		batch = append(batch, rec)
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
		q := store.Quarantined{Source: src.Name, Row: e.Line, Raw: e.Raw, Reason: e.Reason, Field: e.Field, At: now}
		quarantine = append(quarantine, q)
		batchQuarantine = append(batchQuarantine, q)
		sum.Quarantined++
		return nil
	}
	stats, err := r.Read(ctx, emit, bad)
	if err != nil {
		// Store the batch in hand: it and its checkpoint are sound.
		if ferr := flush(); ferr == nil {
			ferr = wait()
			if ferr != nil {
				lg.Error("store the batch in hand", "error", ferr)
			}
		}
		return sum, err
	}
	if err := flush(); err != nil {
		return sum, err
	}
	if err := wait(); err != nil {
		return sum, err
	}
	sum.Incomplete = stats.Incomplete
	run := &store.SyncRun{Source: src.Name, At: p.opts.Now().UTC(), Read: sum.Read, Inserted: sum.Inserted,
		Updated: sum.Updated, Unchanged: sum.Unchanged, Quarantined: sum.Quarantined}
	if rep := tally.Report(); len(rep.Sources) == 1 {
		sum.Quality = &rep.Sources[0]
		run.Score = sum.Quality.Score
		for _, f := range slices.Concat(sum.Quality.Fields, sum.Quality.Identifiers, sum.Quality.Columns) {
			run.Invalid += f.Invalid
		}
		for _, w := range sum.Quality.WorstRows {
			for _, pr := range w.Problems {
				// The raw value may be an email, phone, name or date of
				// birth, so it shows only at debug level.
				if lg.IsDebug() {
					lg.Debug("invalid value", "row", pr.Row, "id", pr.ID, "field", pr.Field, "raw", row.Truncate(pr.Raw, 200), "reason", pr.Reason)
				} else {
					lg.Info("invalid value", "row", pr.Row, "id", pr.ID, "field", pr.Field, "reason", pr.Reason)
				}
			}
		}
	}
	if snapshot {
		if err := p.finishSnapshot(ctx, src, o, &sum, seen, liveSeen, quarantine, r.Position(), fileCheckpoint, run); err != nil {
			return sum, err
		}
	} else if _, err := p.db.PutRecords(ctx, store.Batch{Run: run}); err != nil {
		return sum, fmt.Errorf("source %q: store the sync history: %w", src.Name, err)
	}
	// Deleted is what the sync changed: soft deletes read and records gone
	// from a full read, less records that came back.
	after, err := p.db.Sources(ctx)
	if err != nil {
		return sum, err
	}
	sum.Deleted = max(0, after[src.Name].Deleted-before[src.Name].Deleted)
	sum.Took = time.Since(start)
	lg.Info("sync finished", "read", sum.Read, "inserted", sum.Inserted, "updated", sum.Updated,
		"unchanged", sum.Unchanged, "deleted", sum.Deleted, "quarantined", sum.Quarantined, "took", sum.Took,
		"incomplete", sum.Incomplete)
	return sum, nil
}

// finishSnapshot ends a snapshot read: unless the read was incomplete or
// would delete too much, it marks what the read did not see deleted,
// replaces the quarantine and sets the checkpoint in one transaction.
func (p *Pipeline) finishSnapshot(ctx context.Context, src config.Source, o SyncOptions, sum *SourceSummary,
	seen map[string]struct{}, liveSeen int, quarantine []store.Quarantined, pos, fileCheckpoint string, run *store.SyncRun) error {
	lg := p.lg.Named("sync").With("source", src.Name)
	checkpoint := fileCheckpoint
	if checkpoint == "" {
		checkpoint = pos
	}
	if checkpoint == "" {
		// An API read whole has no position; the checkpoint still says
		// the source has been synced.
		checkpoint = "complete read at " + p.opts.Now().UTC().Format(time.RFC3339)
	}
	if sum.Incomplete != "" {
		// Keep what was read and its quarantine, delete nothing, and set
		// no checkpoint, so the next sync reads the source again.
		lg.Warn("incomplete snapshot: no record marked deleted", "reason", sum.Incomplete)
		if _, err := p.db.PutRecords(ctx, store.Batch{Quarantine: quarantine, Run: run}); err != nil {
			return fmt.Errorf("source %q: store quarantine: %w", src.Name, err)
		}
		return nil
	}
	stats, err := p.db.Sources(ctx)
	if err != nil {
		return err
	}
	live := stats[src.Name].Records
	if gone := live - liveSeen; gone > 0 && !o.AllowDeletes {
		limit := src.MaxDelete
		if limit <= 0 {
			limit = config.DefaultMaxDelete
		}
		if float64(gone) > limit*float64(live) {
			return fmt.Errorf("source %q: %w: the read would mark %d of %d live records deleted (%.1f%%), more than max_delete %.1f%%; "+
				"nothing was deleted; if the source really lost them, run scv sync --allow-deletes",
				src.Name, ErrTooManyDeletes, gone, live, 100*float64(gone)/float64(live), 100*limit)
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
		return fmt.Errorf("source %q: %w", src.Name, err)
	}
	lg.Debug("snapshot finished", "gone", len(gone))
	return nil
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
		MaxValue:       src.MaxValue,
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
