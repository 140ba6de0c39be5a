package pipeline

import (
	"context"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/store"
)

// Store is what the pipeline reads and writes; store/bolt's *DB satisfies
// it. Each write is one transaction, as package store states.
type Store interface {
	SourceStore
	ResolveStore
}

// SourceStore is what a sync needs: where each source stands, and the
// writes that store what it read.
type SourceStore interface {
	// Checkpoint returns source's checkpoint, or "" when there is none.
	Checkpoint(ctx context.Context, source string) (string, error)
	// PutRecords writes records, quarantined rows and a checkpoint in one
	// transaction, marking every changed record pending.
	PutRecords(ctx context.Context, b store.Batch) (store.PutStats, error)
	// FinishSnapshot ends a complete read of a snapshot source: deletes
	// what the read did not see, replaces the quarantine and sets the
	// checkpoint in one transaction.
	FinishSnapshot(ctx context.Context, s store.Snapshot) ([]string, error)
	// Sources returns the counts of every source.
	Sources(ctx context.Context) (map[string]store.SourceStats, error)
}

// ResolveStore is what resolution needs: the records, their profiles,
// the pending changes, the block index and the stored model.
type ResolveStore interface {
	// Pending returns the records whose change is not resolved yet.
	Pending(ctx context.Context) (store.Pending, error)
	// ApplyResolution stores an assignment, block keys, metadata and the
	// clearing of pending marks in one transaction.
	ApplyResolution(ctx context.Context, r store.Resolution) error
	// Meta returns a copy of the metadata value of key, or nil.
	Meta(ctx context.Context, key string) ([]byte, error)
	// Record returns the record with key, live or deleted.
	Record(ctx context.Context, key string) (customer.Record, error)
	// Records calls fn for each existing record of keys.
	Records(ctx context.Context, keys []string, fn func(*customer.Record) error) error
	// ForEachRecord calls fn for every live record in key order.
	ForEachRecord(ctx context.Context, fn func(*customer.Record) error) error
	// Assignments returns every assigned record key's profile id.
	Assignments(ctx context.Context) (map[string]string, error)
	// AssignmentsOf returns the profile ids of the given record keys.
	AssignmentsOf(ctx context.Context, keys []string) (map[string]string, error)
	// Profile returns a profile with its live members.
	Profile(ctx context.Context, id string) (customer.Profile, error)
	// ReplaceBlocks replaces the block index, built under tag.
	ReplaceBlocks(ctx context.Context, tag []byte, blocks map[string][]uint64) error
	// BlockIndexTag returns the complete block index's tag, or nil.
	BlockIndexTag(ctx context.Context) ([]byte, error)
	// BlockMembers returns the record keys of a block, or none and true
	// when it holds more than limit.
	BlockMembers(ctx context.Context, block uint64, limit int) ([]string, bool, error)
	// Overrides returns every stored override; each resolution applies
	// them with the configuration's must_link and cannot_link.
	Overrides(ctx context.Context) ([]store.Override, error)
}
