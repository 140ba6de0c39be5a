// Package override holds the rules of manual corrections to the
// resolver: merging profiles and splitting records out of one, kept as
// stored must-link and cannot-link pairs of record keys (see
// store.Override) that every later resolution and re-training applies
// together with the configuration's must_link and cannot_link.
//
// A merge of profiles links every member of each to one member of the
// first profile (its first in key order); a split keeps every record split
// out apart from every record that stays, and links the split-out records
// to each other, so they form one profile. A change that contradicts the
// configuration fails with a ConflictError; a stored override it
// contradicts is removed in the same write, since the latest decision
// wins. Each change is applied at once: the store marks the records it
// names pending and the Service resolves them before it returns.
package override

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/store"
)

// Store is what the Service reads and writes; store/bolt's *DB satisfies
// it.
type Store interface {
	// Profile returns a profile with its live members in key order, or
	// an error wrapping customer.ErrNotFound.
	Profile(ctx context.Context, id string) (customer.Profile, error)
	// AssignmentsOf returns the profile ids of the given record keys.
	AssignmentsOf(ctx context.Context, keys []string) (map[string]string, error)
	// ChangeOverrides adds and removes overrides and marks the records
	// they name pending in one transaction.
	ChangeOverrides(ctx context.Context, c store.OverrideChange) ([]store.Override, error)
	// Overrides returns every stored override in id order.
	Overrides(ctx context.Context) ([]store.Override, error)
}

// DefaultMaxPairs is Options.MaxPairs when it is zero.
const DefaultMaxPairs = 10000

// Options configure a Service. The zero value works.
type Options struct {
	// MustLink and CannotLink are the configuration's pairs of record
	// keys, which a change may not contradict.
	MustLink, CannotLink [][2]string
	// MaxPairs bounds the overrides one change adds: a merge of n records
	// adds n−1, a split of k records from a profile of n adds
	// k·(n−k) + k−1. Zero means DefaultMaxPairs.
	MaxPairs int
	// Now stamps new overrides; nil means time.Now.
	Now func() time.Time
}

// Service makes and removes overrides and resolves what they change. Its
// methods are safe for concurrent use; changes run one at a time.
type Service struct {
	store   Store
	resolve func(ctx context.Context) error
	opts    Options

	mu sync.Mutex // held by each change, from reading the profiles to resolving
}

// New returns a Service over st. resolve brings the profiles up to date
// with every pending change, such as the pipeline's ResolvePending; it
// must not run concurrently with other writers of the profiles.
func New(st Store, resolve func(ctx context.Context) error, opts Options) *Service {
	if opts.MaxPairs <= 0 {
		opts.MaxPairs = DefaultMaxPairs
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{store: st, resolve: resolve, opts: opts}
}

// ProfileError is an error about one profile a change names; Err wraps
// customer.ErrNotFound when the profile does not exist.
type ProfileError struct {
	ID  string
	Err error
}

func (e *ProfileError) Error() string { return fmt.Sprintf("profile %q: %v", e.ID, e.Err) }
func (e *ProfileError) Unwrap() error { return e.Err }

// RecordError is a record key of a split that cannot be split out.
type RecordError struct {
	Index  int    // the key's position in the request
	Key    string // the record key
	Reason string
}

func (e *RecordError) Error() string { return fmt.Sprintf("record %q: %s", e.Key, e.Reason) }

// ConflictError is a change that contradicts an override of the
// configuration file, which only an edit of the file can lift.
type ConflictError struct {
	Kind store.OverrideKind // the configuration's kind of the pair
	A, B string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("the configuration's %s lists the pair %q, %q", e.Kind, e.A, e.B)
}

// ErrTooManyPairs is returned, wrapped, by a change that would add more
// than Options.MaxPairs overrides.
var ErrTooManyPairs = errors.New("too many override pairs")

// ErrInvalid is returned, wrapped, by a change that is malformed as a
// whole, such as a merge of fewer than two distinct profiles.
var ErrInvalid = errors.New("invalid override")

// Merge joins the profiles ids into one: it stores must-link overrides
// from the first member of the first profile to every other member of
// them all, removes stored cannot-link overrides between their members,
// and resolves. It returns the merged profile and the overrides it
// stored. Linking every member, not one per profile, keeps the merged
// records together even when some of them conflict (two people's names
// and birth dates), which would otherwise pull the rest apart again.
func (s *Service) Merge(ctx context.Context, ids []string) (customer.Profile, []store.Override, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	profiles, err := s.profiles(ctx, ids)
	if err != nil {
		return customer.Profile{}, nil, err
	}
	if len(profiles) < 2 {
		return customer.Profile{}, nil, fmt.Errorf("%w: a merge needs at least two distinct profiles", ErrInvalid)
	}
	group := make(map[string]int) // member key to its profile's position
	for i, p := range profiles {
		for _, m := range p.Members {
			group[m.Key()] = i
		}
	}
	crosses := func(a, b string) bool {
		ga, oka := group[a]
		gb, okb := group[b]
		return oka && okb && ga != gb
	}
	if c := s.configConflict(s.opts.CannotLink, store.CannotLink, crosses); c != nil {
		return customer.Profile{}, nil, c
	}
	first := profiles[0].Members[0].Key()
	if n := len(group) - 1; n > s.opts.MaxPairs {
		return customer.Profile{}, nil, fmt.Errorf("%w: merging %d records needs %d overrides, more than %d", ErrTooManyPairs, len(group), n, s.opts.MaxPairs)
	}
	var change store.OverrideChange
	now := s.opts.Now()
	for _, p := range profiles {
		for _, m := range p.Members {
			if k := m.Key(); k != first {
				change.Add = append(change.Add, store.Override{Kind: store.MustLink, A: first, B: k, Created: now})
			}
		}
	}
	if err := s.removeStored(ctx, &change, store.CannotLink, crosses); err != nil {
		return customer.Profile{}, nil, err
	}
	added, err := s.apply(ctx, change)
	if err != nil {
		return customer.Profile{}, nil, err
	}
	out, err := s.profilesOf(ctx, []string{first})
	if err != nil {
		return customer.Profile{}, nil, err
	}
	return out[0], added, nil
}

// Split takes the records keys out of the profile id into one new
// profile: it stores cannot-link overrides between each of them and each
// record that stays and must-link overrides between them, removes the
// stored overrides that contradict these, and resolves. It returns the
// profiles of the split-out records and then those of the records that
// stayed, each once, and the overrides it stored.
func (s *Service) Split(ctx context.Context, id string, keys []string) ([]customer.Profile, []store.Override, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	profiles, err := s.profiles(ctx, []string{id})
	if err != nil {
		return nil, nil, err
	}
	members := profiles[0].Members
	out := make(map[string]bool, len(keys)) // split-out keys
	for i, k := range keys {
		switch {
		case out[k]:
			return nil, nil, &RecordError{Index: i, Key: k, Reason: "is listed twice"}
		case !slices.ContainsFunc(members, func(r customer.Record) bool { return r.Key() == k }):
			return nil, nil, &RecordError{Index: i, Key: k, Reason: fmt.Sprintf("is not a member of profile %q", id)}
		}
		out[k] = true
	}
	var stay []string
	for _, m := range members {
		if !out[m.Key()] {
			stay = append(stay, m.Key())
		}
	}
	if len(keys) == 0 || len(stay) == 0 {
		return nil, nil, fmt.Errorf("%w: a split needs at least one record to split out and one to stay", ErrInvalid)
	}
	if n := len(keys)*len(stay) + len(keys) - 1; n > s.opts.MaxPairs {
		return nil, nil, fmt.Errorf("%w: splitting %d of %d records needs %d overrides, more than %d", ErrTooManyPairs, len(keys), len(members), n, s.opts.MaxPairs)
	}
	isMember := make(map[string]bool, len(members))
	for _, m := range members {
		isMember[m.Key()] = true
	}
	crosses := func(a, b string) bool { return isMember[a] && isMember[b] && out[a] != out[b] }
	within := func(a, b string) bool { return out[a] && out[b] }
	if c := s.configConflict(s.opts.MustLink, store.MustLink, crosses); c != nil {
		return nil, nil, c
	}
	if c := s.configConflict(s.opts.CannotLink, store.CannotLink, within); c != nil {
		return nil, nil, c
	}
	var change store.OverrideChange
	now := s.opts.Now()
	sorted := slices.Sorted(maps.Keys(out))
	for i, k := range sorted {
		if i > 0 {
			change.Add = append(change.Add, store.Override{Kind: store.MustLink, A: sorted[0], B: k, Created: now})
		}
		for _, o := range stay {
			change.Add = append(change.Add, store.Override{Kind: store.CannotLink, A: k, B: o, Created: now})
		}
	}
	if err := s.removeStored(ctx, &change, store.MustLink, crosses); err != nil {
		return nil, nil, err
	}
	if err := s.removeStored(ctx, &change, store.CannotLink, within); err != nil {
		return nil, nil, err
	}
	added, err := s.apply(ctx, change)
	if err != nil {
		return nil, nil, err
	}
	profiles, err = s.profilesOf(ctx, append(sorted, stay...))
	return profiles, added, err
}

// List returns every stored override in id order.
func (s *Service) List(ctx context.Context) ([]store.Override, error) {
	return s.store.Overrides(ctx)
}

// Delete removes the stored override id and resolves the records it
// named. An unknown id is an error wrapping customer.ErrNotFound.
func (s *Service) Delete(ctx context.Context, id uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.apply(ctx, store.OverrideChange{Remove: []uint64{id}})
	return err
}

// apply stores change and resolves what it marked pending. When the
// resolution fails (or ctx ends) the change stays stored and pending, and
// the next resolution of any command applies it. It returns the stored
// overrides of change.Add.
func (s *Service) apply(ctx context.Context, change store.OverrideChange) ([]store.Override, error) {
	added, err := s.store.ChangeOverrides(ctx, change)
	if err != nil {
		return nil, err
	}
	if err := s.resolve(ctx); err != nil {
		return nil, fmt.Errorf("resolve after the override change: %w", err)
	}
	return added, nil
}

// profiles returns the profiles ids, each once, in order.
func (s *Service) profiles(ctx context.Context, ids []string) ([]customer.Profile, error) {
	var out []customer.Profile
	for _, id := range ids {
		if slices.ContainsFunc(out, func(p customer.Profile) bool { return p.ID == id }) {
			continue
		}
		p, err := s.store.Profile(ctx, id)
		if err != nil {
			return nil, &ProfileError{ID: id, Err: err}
		}
		out = append(out, p)
	}
	return out, nil
}

// profilesOf returns the current profiles of the record keys, each once,
// in the order of the keys.
func (s *Service) profilesOf(ctx context.Context, keys []string) ([]customer.Profile, error) {
	assign, err := s.store.AssignmentsOf(ctx, keys)
	if err != nil {
		return nil, err
	}
	var out []customer.Profile
	for _, k := range keys {
		id := assign[k]
		if id == "" || slices.ContainsFunc(out, func(p customer.Profile) bool { return p.ID == id }) {
			continue
		}
		p, err := s.store.Profile(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("record %q: %w", k, err)
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("records %s: no profile after resolving: %w", strings.Join(keys, ", "), customer.ErrNotFound)
	}
	return out, nil
}

// configConflict returns a ConflictError for the first configured pair
// that hits reports, or nil.
func (s *Service) configConflict(pairs [][2]string, kind store.OverrideKind, hits func(a, b string) bool) error {
	for _, pr := range pairs {
		if hits(pr[0], pr[1]) {
			return &ConflictError{Kind: kind, A: pr[0], B: pr[1]}
		}
	}
	return nil
}

// removeStored adds to change the removal of every stored override of
// kind whose pair hits reports.
func (s *Service) removeStored(ctx context.Context, change *store.OverrideChange, kind store.OverrideKind, hits func(a, b string) bool) error {
	stored, err := s.store.Overrides(ctx)
	if err != nil {
		return err
	}
	for _, o := range stored {
		if o.Kind == kind && hits(o.A, o.B) {
			change.Remove = append(change.Remove, o.ID)
		}
	}
	return nil
}
