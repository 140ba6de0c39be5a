package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
	"github.com/scvhq/scv/store"
	bbolt "go.etcd.io/bbolt"
)

// profChange is what one write transaction did to one profile.
type profChange struct {
	existed bool            // it had members before the transaction
	from    map[string]bool // profiles its new members left; "" for none
	to      map[string]bool // profiles its lost members joined; "" for none
}

// note returns the change record of profile pid, noting whether pid had
// members before the transaction. It must first be called for a profile
// before finish applies the transaction's members changes.
func (w *writer) note(pid string) *profChange {
	if w.profiles == nil {
		w.profiles = make(map[string]*profChange)
	}
	pc := w.profiles[pid]
	if pc == nil {
		pc = &profChange{existed: hasMembers(w.members, pid)}
		w.profiles[pid] = pc
	}
	return pc
}

// moved notes that a record left profile from ("" for none) for profile
// to ("" for none).
func (w *writer) moved(from, to string) {
	if from == to {
		return
	}
	if from != "" {
		pc := w.note(from)
		if pc.to == nil {
			pc.to = map[string]bool{}
		}
		pc.to[to] = true
	}
	if to != "" {
		pc := w.note(to)
		if pc.from == nil {
			pc.from = map[string]bool{}
		}
		pc.from[from] = true
	}
}

// hasMembers reports whether profile pid has a member in the members
// bucket.
func hasMembers(members *bbolt.Bucket, pid string) bool {
	prefix := memberKey(nil, []byte(pid), nil)
	k, _ := members.Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}

// goldenBatch is how many profiles a rebuild reads before it builds them
// on every core.
const goldenBatch = 4096

// rebuild rebuilds, after finish, the golden profiles of the profiles the
// transaction changed (and with all, of every profile), and appends one
// change-log entry per affected profile. conf gives the confidence of the
// profiles a resolution changed (missing means 1); a nil conf keeps each
// profile's stored confidence.
func (db *DB) rebuild(ctx context.Context, tx *bbolt.Tx, w *writer, conf map[string]float64, all bool) error {
	ids := make([]string, 0, len(w.profiles))
	for id := range w.profiles {
		ids = append(ids, id)
	}
	if all {
		ids = append(ids, allProfileIDs(tx)...)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return nil
	}
	start := time.Now()
	appended := 0
	defer func() {
		db.lg.Debug("golden profiles rebuilt", "profiles", len(ids), "changes", appended, "took", time.Since(start))
	}()
	gb, cb := tx.Bucket(bucketGolden), tx.Bucket(bucketChanges)
	// Both buckets are written in key order (sorted ids, rising
	// sequences); with bbolt's default split at half a page a full
	// rebuild would leave every page half empty, doubling the golden
	// bucket's pages and the dirty memory the transaction holds.
	if len(ids) > goldenBatch {
		gb.FillPercent = 0.95
	}
	cb.FillPercent = 0.95
	at := db.now().UTC()
	n := min(goldenBatch, len(ids))
	raws := make([][][]byte, n)
	built := make([]*golden.Profile, n)
	encs := make([][]byte, n)
	olds := make([][]byte, n)
	for start := 0; start < len(ids); start += goldenBatch {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch := ids[start:min(start+goldenBatch, len(ids))]
		for i, id := range batch {
			raws[i] = liveMemberValues(tx, id, raws[i][:0])
			olds[i] = gb.Get([]byte(id))
		}
		// The encodings stay unchanged while no write runs, so the batch
		// decodes and builds on every core.
		g := new(errgroup.Group)
		g.SetLimit(runtime.GOMAXPROCS(0))
		for i, id := range batch {
			built[i] = nil
			if len(raws[i]) == 0 {
				continue
			}
			g.Go(func() error {
				ms := make([]customer.Record, len(raws[i]))
				for j, v := range raws[i] {
					if err := decodeRecord(v, &ms[j]); err != nil {
						return fmt.Errorf("profile %q member %d: %w", id, j, err)
					}
				}
				p := db.golden(id, ms)
				p.ID = id
				switch c, ok := conf[id]; {
				case ok:
					p.Confidence = c
				case conf != nil:
					p.Confidence = 1
				case olds[i] != nil:
					p.Confidence = goldenConfidence(olds[i])
				}
				built[i], encs[i] = p, appendGolden(encs[i][:0], p)
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		for i, id := range batch {
			key := []byte(id)
			old := olds[i]
			pc := w.profiles[id]
			if pc == nil {
				pc = &profChange{existed: true}
			}
			ch := store.Change{Profile: id, At: at}
			p := built[i]
			if p == nil {
				if old != nil {
					if err := gb.Delete(key); err != nil {
						return err
					}
				}
				if !pc.existed {
					continue
				}
				ch.Kind = store.Deleted
			} else {
				enc := encs[i]
				same := bytes.Equal(old, enc)
				if !same {
					if err := gb.Put(key, bytes.Clone(enc)); err != nil {
						return err
					}
				}
				ch.Kind = classify(w, pc, &ch)
				if ch.Kind == store.Updated && same && len(pc.from) == 0 && len(pc.to) == 0 {
					continue
				}
			}
			seq, err := cb.NextSequence()
			if err != nil {
				return err
			}
			ch.Seq = seq
			appended++
			if err := cb.Put(binary.BigEndian.AppendUint64(nil, seq), appendChange(nil, &ch)); err != nil {
				return err
			}
		}
	}
	return nil
}

// classify returns the kind of change of a profile that has members
// after the transaction, filling ch.MergedFrom or ch.SplitInto: merged
// when members came from profiles that are now gone, created when it had
// no members before, split when members left for profiles that are new,
// updated otherwise.
func classify(w *writer, pc *profChange, ch *store.Change) store.ChangeKind {
	var gone []string
	for from := range pc.from {
		if from != "" && !hasMembers(w.members, from) {
			gone = append(gone, from)
		}
	}
	if len(gone) > 0 {
		slices.Sort(gone)
		ch.MergedFrom = gone
		return store.Merged
	}
	if !pc.existed {
		return store.Created
	}
	var split []string
	for to := range pc.to {
		if other := w.profiles[to]; to != "" && other != nil && !other.existed {
			split = append(split, to)
		}
	}
	if len(split) > 0 {
		slices.Sort(split)
		ch.SplitInto = split
		return store.Split
	}
	return store.Updated
}

// liveMemberValues appends the encodings of the live members of profile
// id, in key order, to dst; they are valid until the transaction writes.
func liveMemberValues(tx *bbolt.Tx, id string, dst [][]byte) [][]byte {
	records := tx.Bucket(bucketRecords)
	prefix := memberKey(nil, []byte(id), nil)
	c := tx.Bucket(bucketMembers).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if v := records.Get(k[len(prefix):]); v != nil && !recordDeleted(v) {
			dst = append(dst, v)
		}
	}
	return dst
}

// liveMembers returns the live member records of profile id in key order.
func liveMembers(tx *bbolt.Tx, id string) ([]customer.Record, error) {
	records := tx.Bucket(bucketRecords)
	prefix := memberKey(nil, []byte(id), nil)
	var out []customer.Record
	c := tx.Bucket(bucketMembers).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		v := records.Get(k[len(prefix):])
		if v == nil || recordDeleted(v) {
			continue
		}
		out = append(out, customer.Record{})
		if err := decodeRecord(v, &out[len(out)-1]); err != nil {
			return nil, fmt.Errorf("record %q: %w", k[len(prefix):], err)
		}
	}
	return out, nil
}

// allProfileIDs returns every profile id of the members bucket.
func allProfileIDs(tx *bbolt.Tx) []string {
	var ids []string
	c := tx.Bucket(bucketMembers).Cursor()
	for k, _ := c.First(); k != nil; {
		end := bytes.IndexByte(k, 0)
		if end < 0 {
			k, _ = c.Next()
			continue
		}
		ids = append(ids, string(k[:end]))
		k, _ = c.Seek(append(bytes.Clone(k[:end]), 1))
	}
	return ids
}

// GoldenProfile returns the profile id with its live members in key order
// and its golden profile, read in one transaction, or an error wrapping
// customer.ErrNotFound.
func (db *DB) GoldenProfile(ctx context.Context, id string) (customer.Profile, *golden.Profile, error) {
	p := customer.Profile{ID: id}
	var g *golden.Profile
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		if id == "" || strings.IndexByte(id, 0) >= 0 {
			return customer.ErrNotFound
		}
		var err error
		if p.Members, err = liveMembers(tx, id); err != nil {
			return err
		}
		v := tx.Bucket(bucketGolden).Get([]byte(id))
		if len(p.Members) == 0 || v == nil {
			return customer.ErrNotFound
		}
		g, err = decodeGolden(id, v)
		return err
	})
	if err != nil {
		return customer.Profile{}, nil, fmt.Errorf("golden profile %q: %w", id, err)
	}
	return p, g, nil
}

// ForEachGolden calls fn for every golden profile in id order, in one
// read transaction.
func (db *DB) ForEachGolden(ctx context.Context, fn func(*golden.Profile) error) error {
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		n := 0
		return tx.Bucket(bucketGolden).ForEach(func(k, v []byte) error {
			if n++; n%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			g, err := decodeGolden(string(k), v)
			if err != nil {
				return err
			}
			return fn(g)
		})
	})
	if err != nil {
		return fmt.Errorf("golden profiles: %w", err)
	}
	return nil
}

// Changes returns up to limit change-log entries with a sequence greater
// than since, in order; limit <= 0 means all.
func (db *DB) Changes(ctx context.Context, since uint64, limit int) ([]store.Change, error) {
	var out []store.Change
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketChanges).Cursor()
		for k, v := c.Seek(binary.BigEndian.AppendUint64(nil, since+1)); k != nil; k, v = c.Next() {
			if limit > 0 && len(out) == limit {
				return nil
			}
			if len(k) != 8 {
				return fmt.Errorf("%w: change key %q", errCorrupt, k)
			}
			ch, err := decodeChange(binary.BigEndian.Uint64(k), v)
			if err != nil {
				return err
			}
			out = append(out, ch)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("changes since %d: %w", since, err)
	}
	return out, nil
}

// LastChangeSeq returns the sequence of the newest change-log entry, or
// 0 when the log is empty.
func (db *DB) LastChangeSeq(ctx context.Context) (uint64, error) {
	var seq uint64
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		k, _ := tx.Bucket(bucketChanges).Cursor().Last()
		if k == nil {
			return nil
		}
		if len(k) != 8 {
			return fmt.Errorf("%w: change key %q", errCorrupt, k)
		}
		seq = binary.BigEndian.Uint64(k)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("last change: %w", err)
	}
	return seq, nil
}

// putSyncRun appends run to its source's sync history within tx.
func putSyncRun(tx *bbolt.Tx, run store.SyncRun) error {
	if err := checkSource(run.Source); err != nil {
		return err
	}
	v, err := json.Marshal(run)
	if err != nil {
		return err
	}
	k := append([]byte(run.Source), 0)
	k = binary.BigEndian.AppendUint64(k, uint64(run.At.UnixNano()))
	return tx.Bucket(bucketSyncs).Put(k, v)
}

// SyncRuns returns every source's sync history, sorted by source and
// time.
func (db *DB) SyncRuns(ctx context.Context) ([]store.SyncRun, error) {
	var out []store.SyncRun
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketSyncs).ForEach(func(k, v []byte) error {
			var r store.SyncRun
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("%w: sync run %q: %v", errCorrupt, k, err)
			}
			out = append(out, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("sync runs: %w", err)
	}
	return out, nil
}
