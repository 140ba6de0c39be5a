package bolt

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/store"
	bbolt "go.etcd.io/bbolt"
)

// Assignments returns the resolver's current assignment: record key to
// profile id, for every assigned live record.
func (db *DB) Assignments(ctx context.Context) (map[string]string, error) {
	var out map[string]string
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		// Only live records are assigned, so their count bounds the map.
		live := 0
		err := tx.Bucket(bucketCounters).ForEach(func(_, v []byte) error {
			st, err := decodeStats(v)
			live += st.Records
			return err
		})
		if err != nil {
			return err
		}
		out = make(map[string]string, live)
		c := tx.Bucket(bucketAssign).Cursor()
		n := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if n++; n%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			out[string(k)] = string(v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("assignments: %w", err)
	}
	return out, nil
}

// ApplyResolution stores what a resolver decided in one transaction: the
// assignment of records to profiles (complete with r.Full, partial
// otherwise), the block keys of the records it resolved, its metadata,
// and the clearing of the pending marks it covers. See store.Resolution.
func (db *DB) ApplyResolution(ctx context.Context, r store.Resolution) error {
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		w := newWriter(tx)
		if err := db.setAssignments(ctx, w, r.Assign, r.Full); err != nil {
			return err
		}
		conf := r.Confidence
		if conf == nil {
			conf = map[string]float64{}
		}
		if err := db.rebuild(ctx, tx, w, conf, r.RebuildAll); err != nil {
			return fmt.Errorf("golden profiles: %w", err)
		}
		if err := setBlocks(tx, r.Blocks); err != nil {
			return fmt.Errorf("block index: %w", err)
		}
		if err := putMeta(tx, r.Meta); err != nil {
			return err
		}
		return clearPending(ctx, tx, &r)
	})
	if err != nil {
		return fmt.Errorf("apply resolution: %w", err)
	}
	return nil
}

// setAssignments stores an assignment within tx, as ApplyResolution
// describes.
func (db *DB) setAssignments(ctx context.Context, w *writer, assign map[string]string, full bool) error {
	keys := make([]string, 0, len(assign))
	for k, pid := range assign {
		if strings.IndexByte(pid, 0) >= 0 {
			return fmt.Errorf("record %q: profile id %q contains 0x00", k, pid)
		}
		keys = append(keys, k)
	}
	// Sorted keys write bbolt pages in order, and make the work repeatable.
	slices.Sort(keys)
	var changed, skipped, dropped int
	var key, pid []byte
	for i, k := range keys {
		if i%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		key, pid = append(key[:0], k...), append(pid[:0], assign[k]...)
		old := w.assign.Get(key)
		if bytes.Equal(old, pid) && old != nil {
			continue
		}
		if len(pid) > 0 {
			if rec := w.records.Get(key); rec == nil || recordDeleted(rec) {
				skipped++
				continue
			}
		}
		if old != nil || len(pid) > 0 {
			w.moved(string(old), string(pid))
		}
		if err := w.unassign(key); err != nil {
			return fmt.Errorf("record %q: %w", k, err)
		}
		if len(pid) == 0 {
			continue
		}
		if err := w.assignTo(key, pid); err != nil {
			return fmt.Errorf("record %q: %w", k, err)
		}
		changed++
	}
	if full {
		var drop [][]byte
		c := w.assign.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if assign[string(k)] == "" {
				drop = append(drop, bytes.Clone(k))
			}
		}
		for _, k := range drop {
			w.moved(string(w.assign.Get(k)), "")
			if err := w.unassign(k); err != nil {
				return fmt.Errorf("record %q: %w", k, err)
			}
		}
		dropped = len(drop)
	}
	if err := w.finish(); err != nil {
		return err
	}
	db.lg.Debug("assignments stored", "given", len(assign), "full", full,
		"changed", changed, "dropped", dropped, "skipped_not_live", skipped)
	return nil
}

// Profile returns the profile id with its live member records in key
// order, or an error wrapping customer.ErrNotFound when it has none.
func (db *DB) Profile(ctx context.Context, id string) (customer.Profile, error) {
	p := customer.Profile{ID: id}
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		if id == "" || strings.IndexByte(id, 0) >= 0 {
			return nil
		}
		records := tx.Bucket(bucketRecords)
		prefix := memberKey(nil, []byte(id), nil)
		c := tx.Bucket(bucketMembers).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			v := records.Get(k[len(prefix):])
			if v == nil || recordDeleted(v) {
				continue
			}
			p.Members = append(p.Members, customer.Record{})
			if err := decodeRecord(v, &p.Members[len(p.Members)-1]); err != nil {
				return fmt.Errorf("record %q: %w", k[len(prefix):], err)
			}
		}
		return nil
	})
	if err == nil && len(p.Members) == 0 {
		err = customer.ErrNotFound
	}
	if err != nil {
		return customer.Profile{}, fmt.Errorf("profile %q: %w", id, err)
	}
	return p, nil
}

// ProfileIDs returns up to limit profile ids greater than after, sorted;
// limit <= 0 means no limit. Pass the last id of one page as after to get
// the next; an empty result is the end.
func (db *DB) ProfileIDs(ctx context.Context, after string, limit int) ([]string, error) {
	var ids []string
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketMembers).Cursor()
		// Member keys are id 0x00 record; an id never holds 0x00, so the
		// first key at or past after+0x01 belongs to the next id, and
		// seeking past id+0x01 skips the rest of id's members.
		seek := []byte{}
		if after != "" {
			seek = append([]byte(after), 1)
		}
		for k, _ := c.Seek(seek); k != nil; k, _ = c.Seek(seek) {
			if limit > 0 && len(ids) == limit {
				return nil
			}
			if len(ids)%ctxEvery == ctxEvery-1 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			end := bytes.IndexByte(k, 0)
			if end < 0 {
				return fmt.Errorf("%w: member key %q without separator", errCorrupt, k)
			}
			ids = append(ids, string(k[:end]))
			seek = append(seek[:0], k[:end]...)
			seek = append(seek, 1)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("profile ids after %q: %w", after, err)
	}
	return ids, nil
}

// Lookup returns the sorted ids of the profiles that hold a live record
// with the identifier, or an error wrapping customer.ErrNotFound when there
// is none. kind is customer.KindEmail, KindPhone, KindSourceRecord or a
// strong identifier kind of Record.Identifiers; value must already be
// normalized as the record's Norm is (for KindSourceRecord, the key
// "source/id"). A strong identifier kind named like KindEmail or KindPhone
// shares their index entries.
func (db *DB) Lookup(ctx context.Context, kind, value string) ([]string, error) {
	var ids []string
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		assign := tx.Bucket(bucketAssign)
		if kind == customer.KindSourceRecord {
			if v := tx.Bucket(bucketRecords).Get([]byte(value)); v == nil || recordDeleted(v) {
				return nil
			}
			if pid := assign.Get([]byte(value)); pid != nil {
				ids = append(ids, string(pid))
			}
			return nil
		}
		if kind == "" || value == "" || strings.IndexByte(kind, 0) >= 0 || strings.IndexByte(value, 0) >= 0 {
			return nil
		}
		prefix := indexKey(nil, ident{kind, value}, nil)
		c := tx.Bucket(bucketIndex).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			pid := assign.Get(k[len(prefix):])
			if pid != nil && !slices.Contains(ids, string(pid)) {
				ids = append(ids, string(pid))
			}
		}
		return nil
	})
	if err == nil && len(ids) == 0 {
		err = customer.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("lookup %s %q: %w", kind, value, err)
	}
	slices.Sort(ids)
	return ids, nil
}
