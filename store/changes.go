package store

import (
	"time"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
)

// ChangeKind says what happened to a profile.
type ChangeKind string

// The kinds of change-log entries.
const (
	// Created: a profile that did not exist now has members, either from
	// records new to every profile or split off another profile (whose
	// entry, of kind Split, names this one).
	Created ChangeKind = "created"
	// Updated: the profile's members or golden profile changed, and no
	// profile merged into it or split off it.
	Updated ChangeKind = "updated"
	// Merged: the members of the profiles MergedFrom, which are now gone
	// (each with its own Deleted entry), joined this profile.
	Merged ChangeKind = "merged"
	// Split: some members left this profile for the new profiles
	// SplitInto (each with its own Created entry).
	Split ChangeKind = "split"
	// Deleted: the profile has no members left: its records were deleted
	// or merged into another profile.
	Deleted ChangeKind = "deleted"
)

// Change is one change-log entry. Every write that creates, updates,
// merges, splits or deletes profiles appends one entry per affected
// profile in the same transaction, so the log never misses or repeats a
// change; entries of one transaction have consecutive sequence numbers
// and the same time.
type Change struct {
	Seq        uint64 // monotonic, from 1, never reused
	Profile    string // the profile id
	Kind       ChangeKind
	MergedFrom []string  // for Merged: the ids whose members joined, sorted
	SplitInto  []string  // for Split: the new ids its members left for, sorted
	At         time.Time // when the transaction ran, UTC
}

// GoldenFunc builds the golden profile of profile id from its live
// members in key order. A backend calls it inside the write transaction
// that changes the profile; it must not call back into the store. The
// backend sets the result's ID and Confidence.
type GoldenFunc func(id string, members []customer.Record) *golden.Profile
