// Package storetest is the conformance suite of scv's store contract
// (package store). Run takes a constructor of an empty backend and checks
// every rule of the contract through the backend's public methods only,
// so each backend (store/bolt now, PostgreSQL next) runs the same suite
// unchanged from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Store { return openTest(t) })
//	}
package storetest

import (
	"context"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
	"github.com/scvhq/scv/store"
)

// Store is the whole contract a backend keeps: the union of what the
// pipeline, the quality report and the server need.
type Store interface {
	// PutRecords writes a batch in one transaction; see store.Batch.
	PutRecords(ctx context.Context, b store.Batch) (store.PutStats, error)
	// FinishSnapshot ends a complete read of a snapshot source in one
	// transaction and returns the keys it deleted; see store.Snapshot.
	FinishSnapshot(ctx context.Context, s store.Snapshot) ([]string, error)
	// Checkpoint returns source's checkpoint, or "" when there is none.
	Checkpoint(ctx context.Context, source string) (string, error)
	// Pending returns the records whose change is not resolved yet.
	Pending(ctx context.Context) (store.Pending, error)
	// ApplyResolution stores a resolver's decision in one transaction.
	ApplyResolution(ctx context.Context, r store.Resolution) error
	// Meta returns a copy of the metadata value of key, or nil.
	Meta(ctx context.Context, key string) ([]byte, error)
	// EnsureMeta stores v under key unless key has a value, and returns
	// the value stored under key, in one transaction.
	EnsureMeta(ctx context.Context, key string, v []byte) ([]byte, error)
	// ChangeOverrides adds and removes overrides and marks the stored
	// records they name pending, in one transaction; see
	// store.OverrideChange.
	ChangeOverrides(ctx context.Context, c store.OverrideChange) ([]store.Override, error)
	// Overrides returns every stored override in id order.
	Overrides(ctx context.Context) ([]store.Override, error)

	// Record returns the record with key, live or deleted, or an error
	// wrapping customer.ErrNotFound.
	Record(ctx context.Context, key string) (customer.Record, error)
	// Records calls fn for each existing record of keys, in one read.
	Records(ctx context.Context, keys []string, fn func(*customer.Record) error) error
	// ForEachRecord calls fn for every live record in key order.
	ForEachRecord(ctx context.Context, fn func(*customer.Record) error) error
	// Sources returns the counts of every source with records or
	// quarantined rows.
	Sources(ctx context.Context) (map[string]store.SourceStats, error)
	// ForEachQuarantined calls fn for every quarantined row of source, or
	// of every source when source is "", sorted by source and row.
	ForEachQuarantined(ctx context.Context, source string, fn func(store.Quarantined) error) error

	// Assignments returns every assigned record key's profile id.
	Assignments(ctx context.Context) (map[string]string, error)
	// AssignmentsOf returns the profile ids of the given record keys.
	AssignmentsOf(ctx context.Context, keys []string) (map[string]string, error)
	// Profile returns a profile with its live members in key order, or an
	// error wrapping customer.ErrNotFound.
	Profile(ctx context.Context, id string) (customer.Profile, error)
	// ProfileIDs returns up to limit sorted profile ids after after.
	ProfileIDs(ctx context.Context, after string, limit int) ([]string, error)
	// Lookup returns the sorted ids of the profiles with a live record
	// holding the identifier, or an error wrapping customer.ErrNotFound.
	Lookup(ctx context.Context, kind, value string) ([]string, error)

	// ReplaceBlocks replaces the block index, built under tag.
	ReplaceBlocks(ctx context.Context, tag []byte, blocks map[string][]uint64) error
	// BlockIndexTag returns the complete block index's tag, or nil.
	BlockIndexTag(ctx context.Context) ([]byte, error)
	// BlockMembers returns the record keys of a block, or none and true
	// when it holds more than limit.
	BlockMembers(ctx context.Context, block uint64, limit int) ([]string, bool, error)

	// GoldenProfile returns a profile's live members and its golden
	// profile, read together, or an error wrapping customer.ErrNotFound.
	GoldenProfile(ctx context.Context, id string) (customer.Profile, *golden.Profile, error)
	// ForEachGolden calls fn for every golden profile in id order.
	ForEachGolden(ctx context.Context, fn func(*golden.Profile) error) error
	// Changes returns up to limit change-log entries after since, in
	// order; limit <= 0 means all.
	Changes(ctx context.Context, since uint64, limit int) ([]store.Change, error)
	// LastChangeSeq returns the newest change-log entry's sequence, or 0.
	LastChangeSeq(ctx context.Context) (uint64, error)
	// SyncRuns returns every source's sync history, by source and time.
	SyncRuns(ctx context.Context) ([]store.SyncRun, error)
}
