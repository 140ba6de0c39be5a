// Package bolt is scv's embedded store: customer records, their identifier
// index, quarantined rows, checkpoints, metadata, the resolver's
// assignment of records to profiles and its index of blocking keys, in one
// bbolt file, dir/scv.db.
//
// Its buckets:
//
//	records     "source/id" -> encoded customer.Record (see codec.go)
//	idx         kind 0x00 value 0x00 "source/id" -> empty, for live records
//	assign      "source/id" -> profile id, for live records
//	members     profile id 0x00 "source/id" -> empty, mirroring assign
//	quarantine  source 0x00 row seq -> encoded Quarantined (row and seq
//	            big-endian uint64, row with its sign bit flipped)
//	checkpoints source -> checkpoint
//	meta        key -> value
//	counters    source -> live, deleted and quarantined counts (uvarints)
//	blocks      block key (big-endian uint64) "source/id" -> empty: the
//	            resolver's candidate index for incremental resolution
//	recblocks   "source/id" -> the record's block keys (big-endian uint64s)
//	pending     "source/id" -> big-endian sequence of the write that marked
//	            the record changed and not yet resolved
//	state       "blocks-tag" -> the tag of the complete block index
//	golden      profile id -> encoded golden.Profile (see golden_codec.go),
//	            for every profile with live members
//	changes     big-endian sequence -> encoded store.Change: the profile
//	            change log
//	syncs       source 0x00 big-endian UnixNano -> JSON store.SyncRun: each
//	            source's sync history
//	overrides   override id (big-endian uint64) -> kind, creation time and
//	            the pair of record keys (see overrides.go)
//	overridepairs the pair of record keys -> override id
//
// It keeps the contract of package store: every method but ReplaceBlocks
// runs in one bbolt transaction, so the identifier index, assignments,
// counters, pending marks and checkpoints always agree with the records.
// The block index is the resolver's: the store keeps what it is given
// (ReplaceBlocks, in several transactions to bound memory, and
// ApplyResolution) and BlockIndexTag names it only once it is complete.
// Deleting a record takes it out of the identifier index and its profile;
// the resolver assigns it again if it comes back. Only one process may
// open the file; a second one gets ErrInUse.
package bolt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
	"github.com/scvhq/scv/store"
	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// FileName is the name of the store's file inside its directory.
const FileName = "scv.db"

// ErrInUse is returned by Open, wrapped with the file's path, when another
// process holds the store open and the lock was not released within
// Options.Timeout.
var ErrInUse = errors.New("store is in use by another process")

// Options configure Open. The zero value works.
type Options struct {
	// Timeout is how long Open waits for the file lock; 0 means 1s.
	Timeout time.Duration
	// Logger receives debug messages; nil means hclog.NewNullLogger().
	Logger hclog.Logger
	// NoSync skips fsync after each commit: faster, but a crash can lose
	// or corrupt the file. For tests and benchmarks only.
	NoSync bool
	// Golden builds a profile's golden profile whenever a write changes
	// the profile; nil means survivorship's defaults,
	// golden.New(golden.Options{}).
	Golden store.GoldenFunc
	// Now is the clock of change-log entries; nil means time.Now.
	Now func() time.Time
}

// Bucket names.
var (
	bucketRecords     = []byte("records")
	bucketIndex       = []byte("idx")
	bucketAssign      = []byte("assign")
	bucketMembers     = []byte("members")
	bucketQuarantine  = []byte("quarantine")
	bucketCheckpoints = []byte("checkpoints")
	bucketMeta        = []byte("meta")
	bucketCounters    = []byte("counters")
	bucketBlocks      = []byte("blocks")
	bucketRecBlocks   = []byte("recblocks")
	bucketPending     = []byte("pending")
	bucketState       = []byte("state")
	bucketGolden      = []byte("golden")
	bucketChanges     = []byte("changes")
	bucketSyncs       = []byte("syncs")
	bucketOverrides   = []byte("overrides")
	// bucketOverridePairs indexes overrides by their pair of record keys.
	bucketOverridePairs = []byte("overridepairs")
)

// stateBlocksTag is the state key of the complete block index's tag.
var stateBlocksTag = []byte("blocks-tag")

var allBuckets = [][]byte{
	bucketRecords, bucketIndex, bucketAssign, bucketMembers,
	bucketQuarantine, bucketCheckpoints, bucketMeta, bucketCounters,
	bucketBlocks, bucketRecBlocks, bucketPending, bucketState,
	bucketGolden, bucketChanges, bucketSyncs,
	bucketOverrides, bucketOverridePairs,
}

// DB is an open store. Its methods are safe for concurrent use; writes
// are serialized by bbolt.
type DB struct {
	bolt   *bbolt.DB
	lg     hclog.Logger
	golden store.GoldenFunc
	now    func() time.Time
}

// Open opens the store in dir, creating dir, the file dir/scv.db and its
// buckets as needed. It returns an error wrapping ErrInUse when another
// process has the store open for longer than opts.Timeout.
func Open(dir string, opts Options) (*DB, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	lg := opts.Logger
	if lg == nil {
		lg = hclog.NewNullLogger()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	path := filepath.Join(dir, FileName)
	start := time.Now()
	bdb, err := bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout:      opts.Timeout,
		NoSync:       opts.NoSync,
		FreelistType: bbolt.FreelistMapType,
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("open store %s: %w", path, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	err = bdb.Update(func(tx *bbolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		_ = bdb.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	lg.Debug("store opened", "path", path, "took", time.Since(start))
	db := &DB{bolt: bdb, lg: lg, golden: opts.Golden, now: opts.Now}
	if db.golden == nil {
		b := golden.New(golden.Options{})
		db.golden = func(id string, members []customer.Record) *golden.Profile { return b.Build(id, members, false) }
	}
	if db.now == nil {
		db.now = time.Now
	}
	return db, nil
}

// Close closes the store, waiting for running transactions to finish.
func (db *DB) Close() error {
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("close store %s: %w", db.bolt.Path(), err)
	}
	return nil
}

// view runs fn in a read transaction unless ctx is already done.
func (db *DB) view(ctx context.Context, fn func(tx *bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.View(fn)
}

// update runs fn in a write transaction unless ctx is already done.
func (db *DB) update(ctx context.Context, fn func(tx *bbolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Update(fn)
}

// ctxEvery is how many loop iterations pass between ctx checks.
const ctxEvery = 1024
