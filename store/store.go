// Package store holds the contract of scv's persistence backends: the
// plain types that cross the boundary between a backend and the code that
// uses it, and the rules every backend keeps. It holds no storage code;
// each backend is a subpackage named after what it wraps:
//
//   - bolt: the default, an embedded go.etcd.io/bbolt file in the
//     configured data_dir, for a single process.
//
// A PostgreSQL backend for several replicas comes next. Consumers (the
// pipeline, the quality report, the server) declare the small interfaces
// they need and cmd/scv passes the opened backend in. The package
// storetest checks any backend against the whole contract.
//
// Every write is one transaction in the contract's terms, so that a SQL
// backend can keep each in one database transaction:
//
//   - PutRecords writes a batch of records with their identifier index,
//     the counters, the resolution-pending mark of every changed record,
//     the batch's quarantined rows and, if given, the source's checkpoint.
//   - FinishSnapshot ends a full read of a snapshot source: it marks the
//     records the read did not see deleted (and pending), replaces the
//     source's quarantine and sets its checkpoint.
//   - ApplyResolution stores a resolver's assignment of records to
//     profiles, the block keys of the records it resolved, metadata such
//     as the trained model, and clears the pending marks it covers.
//
// Every write that changes a profile (a member assigned, unassigned,
// deleted or changed in content) rebuilds that profile's golden profile
// with the backend's GoldenFunc and appends one Change per affected
// profile, in the same transaction: a reader never sees a cluster
// without its golden profile, and the change log never misses a change.
//   - ReplaceBlocks replaces the whole block index; BlockIndexTag names
//     the complete index a reader may use, and never a half-written one.
//   - ChangeOverrides adds and removes manual overrides (must-link and
//     cannot-link pairs of record keys) and marks the stored records they
//     name pending, so the next resolution applies the change.
//   - EnsureMeta stores a metadata value unless its key has one already,
//     such as a key generated once per store.
//
// A record key is "source/id". A source name is not empty and holds
// neither '/' nor 0x00; an id is not empty.
package store

import (
	"time"

	"github.com/scvhq/scv/customer"
)

// Quarantined is a source row that could not become a record.
type Quarantined struct {
	Source string
	Row    int64     // 1-based row (line) in the source; 0 when unknown
	Raw    string    // the row as read
	Reason string    // why it was rejected
	Field  string    // the field or column at fault; empty when the whole row is
	At     time.Time // when it was rejected
}

// SourceStats are a source's counts, kept up to date on every write.
type SourceStats struct {
	Records     int // live records
	Deleted     int // records marked deleted
	Quarantined int // rows in the quarantine
}

// Batch is one PutRecords write: records of one source, the rows of the
// same read that were quarantined, and the checkpoint that the batch
// completes.
type Batch struct {
	// Records are stored keyed by Record.Key(). A record whose content
	// equals the stored one (its Row aside) is unchanged; when only its
	// Row differs the new Row is stored. A record with Deleted set marks
	// the stored record deleted, which takes it out of the identifier
	// index and its profile.
	Records []customer.Record
	// Quarantine rows are added to their source's quarantine; earlier
	// rows stay (a row quarantined twice is listed twice).
	Quarantine []Quarantined
	// Checkpoint, when not nil, is written in the same transaction, so a
	// reader never sees a checkpoint without the records it covers.
	Checkpoint *Checkpoint
	// Run, when not nil, is a sync's summary, appended to the history of
	// its Source in the same transaction.
	Run *SyncRun
}

// Checkpoint is how far a source has been read, as the source's connector
// encodes it; the store keeps it opaque. An empty Value removes it.
type Checkpoint struct {
	Source string
	Value  string
}

// PutStats counts what PutRecords did.
type PutStats struct {
	Inserted  int      // records the store did not have
	Updated   int      // records whose content changed, including deletions and undeletions
	Unchanged int      // records equal to the stored ones, Row aside
	Changed   []string // keys inserted or updated, each once, in key order; each is now pending
}

// Snapshot ends a complete read of a snapshot source (a file that holds
// every live record each time) in one FinishSnapshot transaction.
type Snapshot struct {
	Source string
	// Seen reports whether the read saw the record id; every live record
	// of the source it reports false for is marked deleted and pending.
	Seen func(id string) bool
	// Quarantine replaces the source's quarantine, so that it mirrors the
	// latest complete read.
	Quarantine []Quarantined
	// Checkpoint is the source's new checkpoint.
	Checkpoint string
	// Run, when not nil, is this sync's summary, appended to the source's
	// sync history in the same transaction with Deleted set to the
	// records this snapshot deleted.
	Run *SyncRun
}

// SyncRun is the summary of one sync of one source, kept as its history
// so that the audit can show whether data quality gets better.
type SyncRun struct {
	Source      string
	At          time.Time // when the sync finished
	Read        int       // rows that became records
	Inserted    int
	Updated     int
	Unchanged   int
	Deleted     int
	Quarantined int
	Invalid     int     // invalid values kept (fields, identifiers, update times, consent words)
	Score       float64 // the data-quality score of the records read (completeness and validity), 0..1
}

// Resolution is one ApplyResolution write: what a resolver decided.
type Resolution struct {
	// Assign maps record keys to profile ids. With Full set it is the
	// complete assignment and every record missing from it is unassigned;
	// otherwise only its keys change and an empty profile id unassigns
	// its key. Keys of records that are absent or deleted are skipped:
	// only live records belong to profiles. Profile ids hold no 0x00.
	Assign map[string]string
	Full   bool
	// Blocks replaces the block keys of the given records in the block
	// index; an empty list takes a record out of it.
	Blocks map[string][]uint64
	// Meta values are stored (a nil value removes its key) in the same
	// transaction, such as the model the resolution was made with.
	Meta map[string][]byte
	// Resolved are the pending keys that this resolution covers, as read
	// by Pending; with Full set every pending key is covered. A covered
	// key's mark is cleared unless a write marked it again after the
	// Pending call whose Seq is PendingSeq, so a change that lands while
	// a resolution runs is never lost.
	Resolved   []string
	PendingSeq uint64
	// Confidence is the resolver's Result.Confidence: per profile id, the
	// match probability of its weakest link; a profile this resolution
	// changed and that is missing from it gets confidence 1.
	Confidence map[string]float64
	// RebuildAll rebuilds the golden profile of every profile, changed
	// or not, as after a change of the survivorship rules; an Updated
	// entry is appended only where the golden profile changed.
	RebuildAll bool
}

// Pending is the set of records whose latest change has not been resolved
// yet: PutRecords and FinishSnapshot mark each record they change, in the
// same transaction, and ApplyResolution clears the marks it covers. Any
// sync, resolve or serve finishes the pending resolution first, so a
// process stopped between storing records and resolving them leaves
// nothing behind.
type Pending struct {
	Keys []string // record keys, sorted
	Seq  uint64   // the latest mark's sequence when Keys were read
}

// OverrideKind says whether an override keeps two records together or
// apart.
type OverrideKind uint8

const (
	// MustLink keeps the two records in one profile.
	MustLink OverrideKind = 1
	// CannotLink keeps the two records in different profiles.
	CannotLink OverrideKind = 2
)

// String returns "must_link" or "cannot_link", the names the
// configuration uses.
func (k OverrideKind) String() string {
	switch k {
	case MustLink:
		return "must_link"
	case CannotLink:
		return "cannot_link"
	}
	return "unknown"
}

// Override is a stored manual decision about two records, made through
// the API (the configuration's must_link and cannot_link are not stored).
// It holds whatever later resolutions and re-trainings decide.
type Override struct {
	// ID is assigned by ChangeOverrides: from 1 up, never reused.
	ID   uint64
	Kind OverrideKind
	// A and B are the record keys ("source/id"), A < B. The records need
	// not exist yet.
	A, B string
	// Created is when the override was made, as given to ChangeOverrides.
	Created time.Time
}

// OverrideChange is one ChangeOverrides write.
type OverrideChange struct {
	// Add are stored with fresh ids, their keys sorted so that A < B. A
	// pair stored already with the same kind keeps its override (and id);
	// one stored with the other kind is replaced, since a pair is either
	// linked or kept apart.
	Add []Override
	// Remove are the ids of overrides to remove. An id the store does not
	// hold fails the whole change with an error wrapping
	// customer.ErrNotFound.
	Remove []uint64
}
