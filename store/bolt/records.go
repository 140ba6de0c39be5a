package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/store"
	bbolt "go.etcd.io/bbolt"
)

// PutRecords writes b in one transaction: its records keyed by
// Record.Key() with the identifier index and counters in step, a pending
// mark for every record whose content changed, its quarantined rows and,
// when b.Checkpoint is set, the checkpoint. See store.Batch for what each
// part means. Each record needs a Source without '/' or 0x00 and a
// non-empty ID.
func (db *DB) PutRecords(ctx context.Context, b store.Batch) (store.PutStats, error) {
	recs := b.Records
	if len(recs) == 0 && len(b.Quarantine) == 0 && b.Checkpoint == nil && b.Run == nil {
		return store.PutStats{}, ctx.Err()
	}
	// Writing in key order keeps bbolt's page splits and copies cheap.
	keys := make([]string, len(recs))
	order := make([]int, len(recs))
	for i := range recs {
		r := &recs[i]
		if err := checkKey(r.Source, r.ID); err != nil {
			return store.PutStats{}, fmt.Errorf("put records: record %d (row %d): %w", i, r.Row, err)
		}
		keys[i] = r.Key()
		order[i] = i
	}
	if b.Checkpoint != nil {
		if err := checkSource(b.Checkpoint.Source); err != nil {
			return store.PutStats{}, fmt.Errorf("put records: checkpoint: %w", err)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })

	var st store.PutStats
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		w := newWriter(tx)
		var enc encoder
		var buf, kbuf []byte
		for n, i := range order {
			if n%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			r := &recs[i]
			var err error
			if buf, err = enc.appendRecord(buf[:0], r); err != nil {
				return fmt.Errorf("source %q record %q (row %d): %w", r.Source, r.ID, r.Row, err)
			}
			kbuf = append(kbuf[:0], keys[i]...)
			old := w.records.Get(kbuf)
			switch {
			case old == nil:
				st.Inserted++
			case sameContent(old, buf):
				st.Unchanged++
				if !bytes.Equal(old[2:headerLen], buf[2:headerLen]) {
					if err := w.records.Put(w.copy(kbuf), w.copy(buf)); err != nil {
						return fmt.Errorf("source %q record %q: %w", r.Source, r.ID, err)
					}
				}
				continue
			default:
				st.Updated++
			}
			key := w.copy(kbuf)
			if err := w.replace(key, old, w.copy(buf), r); err != nil {
				return fmt.Errorf("source %q record %q: %w", r.Source, r.ID, err)
			}
			// A key given twice is adjacent in key order.
			if m := len(st.Changed); m == 0 || st.Changed[m-1] != keys[i] {
				st.Changed = append(st.Changed, keys[i])
				w.markPending(key)
			}
		}
		if err := putQuarantined(ctx, w, "", b.Quarantine); err != nil {
			return err
		}
		if cp := b.Checkpoint; cp != nil {
			if err := setCheckpoint(tx, cp.Source, cp.Value); err != nil {
				return err
			}
		}
		if b.Run != nil {
			if err := putSyncRun(tx, *b.Run); err != nil {
				return fmt.Errorf("sync history: %w", err)
			}
		}
		if err := w.finish(); err != nil {
			return err
		}
		return db.rebuild(ctx, tx, w, nil, false)
	})
	if err != nil {
		return store.PutStats{}, fmt.Errorf("put records: %w", err)
	}
	db.lg.Debug("records stored", "inserted", st.Inserted, "updated", st.Updated, "unchanged", st.Unchanged,
		"quarantined", len(b.Quarantine))
	return st, nil
}

// checkKey reports whether source and id make a valid record key.
func checkKey(source, id string) error {
	if err := checkSource(source); err != nil {
		return err
	}
	if id == "" {
		return fmt.Errorf("source %q: empty record id", source)
	}
	return nil
}

// checkSource reports whether source is a valid source name.
func checkSource(source string) error {
	switch {
	case source == "":
		return fmt.Errorf("empty source name")
	case strings.ContainsAny(source, "/\x00"):
		return fmt.Errorf("source %q contains '/' or 0x00", source)
	}
	return nil
}

// FinishSnapshot ends a complete read of a snapshot source in one
// transaction: every live record of s.Source whose id s.Seen reports false
// is marked deleted (and pending), as a snapshot source must when a row is
// gone from its latest read; the source's quarantine is replaced by
// s.Quarantine; and its checkpoint is set to s.Checkpoint. It returns the
// keys of the records it deleted, in key order. Deleted records leave the
// identifier index and their profile.
func (db *DB) FinishSnapshot(ctx context.Context, s store.Snapshot) ([]string, error) {
	if err := checkSource(s.Source); err != nil {
		return nil, fmt.Errorf("finish snapshot: %w", err)
	}
	var gone []string
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		w := newWriter(tx)
		prefix := []byte(s.Source + "/")
		c := w.records.Cursor()
		n := 0
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if n++; n%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if !recordDeleted(v) && !s.Seen(string(k[len(prefix):])) {
				gone = append(gone, string(k))
			}
		}
		// replace needs of the new version only its source and deletion.
		deleted := &customer.Record{Source: s.Source, Deleted: true}
		for _, key := range gone {
			k := w.copy([]byte(key))
			old := w.records.Get(k)
			enc := w.copy(old)
			enc[1] |= flagDeleted
			if err := w.replace(k, old, enc, deleted); err != nil {
				return fmt.Errorf("record %q: %w", key, err)
			}
			w.markPending(k)
		}
		if err := w.clearQuarantine(s.Source); err != nil {
			return err
		}
		if err := putQuarantined(ctx, w, s.Source, s.Quarantine); err != nil {
			return err
		}
		if err := setCheckpoint(tx, s.Source, s.Checkpoint); err != nil {
			return err
		}
		if s.Run != nil {
			run := *s.Run
			run.Source, run.Deleted = s.Source, len(gone)
			if err := putSyncRun(tx, run); err != nil {
				return fmt.Errorf("sync history: %w", err)
			}
		}
		if err := w.finish(); err != nil {
			return err
		}
		return db.rebuild(ctx, tx, w, nil, false)
	})
	if err != nil {
		return nil, fmt.Errorf("source %q: finish snapshot: %w", s.Source, err)
	}
	db.lg.Debug("snapshot finished", "source", s.Source, "deleted", len(gone), "quarantined", len(s.Quarantine))
	return gone, nil
}

// Record returns the stored record with key "source/id", deleted or not,
// or an error wrapping customer.ErrNotFound.
func (db *DB) Record(ctx context.Context, key string) (customer.Record, error) {
	var r customer.Record
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketRecords).Get([]byte(key))
		if v == nil {
			return customer.ErrNotFound
		}
		return decodeRecord(v, &r)
	})
	if err != nil {
		return customer.Record{}, fmt.Errorf("record %q: %w", key, err)
	}
	return r, nil
}

// Records calls fn for each of the records with the given keys that
// exists, live or deleted, in one read transaction, and stops at fn's
// first error. The *Record is reused as in ForEachRecord.
func (db *DB) Records(ctx context.Context, keys []string, fn func(*customer.Record) error) error {
	return db.view(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketRecords)
		var r customer.Record
		for i, k := range keys {
			if i%ctxEvery == ctxEvery-1 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			v := b.Get([]byte(k))
			if v == nil {
				continue
			}
			if err := decodeRecord(v, &r); err != nil {
				return fmt.Errorf("record %q: %w", k, err)
			}
			if err := fn(&r); err != nil {
				return err
			}
		}
		return nil
	})
}

// ForEachRecord calls fn for every live (not deleted) record in key order,
// within one read transaction, and stops at fn's first error, which it
// returns.
//
// The *Record is reused: it is valid only during the call. A shallow copy
// (rec := *r) is safe to keep, because its strings, maps and Extra slice
// are freshly allocated for each record and never reused. fn must not
// write to the store.
func (db *DB) ForEachRecord(ctx context.Context, fn func(*customer.Record) error) error {
	return db.view(ctx, func(tx *bbolt.Tx) error {
		var r customer.Record
		c := tx.Bucket(bucketRecords).Cursor()
		n := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if n++; n%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if recordDeleted(v) {
				continue
			}
			if err := decodeRecord(v, &r); err != nil {
				return fmt.Errorf("record %q: %w", k, err)
			}
			if err := fn(&r); err != nil {
				return err
			}
		}
		return nil
	})
}

// Sources returns the counts of every source that has records or
// quarantined rows. It reads kept counters, not the records.
func (db *DB) Sources(ctx context.Context) (map[string]store.SourceStats, error) {
	out := make(map[string]store.SourceStats)
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketCounters).ForEach(func(k, v []byte) error {
			st, err := decodeStats(v)
			if err != nil {
				return fmt.Errorf("counters of source %q: %w", k, err)
			}
			out[string(k)] = st
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("source counts: %w", err)
	}
	return out, nil
}

// writer holds a write transaction's buckets, the counter changes it has
// made and an arena for the keys and values it writes, which bbolt needs
// to stay unchanged until the transaction ends.
type writer struct {
	records, index, assign, members, counters *bbolt.Bucket
	quarantine, pending                       *bbolt.Bucket
	deltas                                    map[string]*[3]int // source -> records, deleted, quarantined
	arena                                     []byte
	ibuf                                      []byte
	oldIDs, newIDs                            []ident
	idxOps, memberOps                         []keyOp                // index and members changes, applied by finish
	pendingKeys                               [][]byte               // records to mark pending, by finish
	profiles                                  map[string]*profChange // profiles changed, for rebuild
}

// keyOp adds or removes one key of an index bucket.
type keyOp struct {
	key []byte
	add bool
}

func newWriter(tx *bbolt.Tx) *writer {
	return &writer{
		records:    tx.Bucket(bucketRecords),
		index:      tx.Bucket(bucketIndex),
		assign:     tx.Bucket(bucketAssign),
		members:    tx.Bucket(bucketMembers),
		counters:   tx.Bucket(bucketCounters),
		quarantine: tx.Bucket(bucketQuarantine),
		pending:    tx.Bucket(bucketPending),
		deltas:     make(map[string]*[3]int),
	}
}

// copy returns a copy of b that stays unchanged for the transaction.
func (w *writer) copy(b []byte) []byte {
	if cap(w.arena)-len(w.arena) < len(b) {
		w.arena = make([]byte, 0, max(64<<10, len(b)))
	}
	n := len(w.arena)
	w.arena = append(w.arena, b...)
	return w.arena[n:len(w.arena):len(w.arena)]
}

// count adds d to counter i (0 records, 1 deleted, 2 quarantined) of
// source.
func (w *writer) count(source string, i, d int) {
	c := w.deltas[source]
	if c == nil {
		c = new([3]int)
		w.deltas[source] = c
	}
	c[i] += d
}

// replace writes enc, the encoding of r, under key in place of old (nil
// when absent), and keeps the identifier index, the assignment and the
// counters in step. key and enc must stay unchanged for the transaction.
func (w *writer) replace(key, old, enc []byte, r *customer.Record) error {
	w.oldIDs = w.oldIDs[:0]
	if old != nil {
		if recordDeleted(old) {
			w.count(r.Source, 1, -1)
		} else {
			var o customer.Record
			if err := decodeRecord(old, &o); err != nil {
				return fmt.Errorf("stored version: %w", err)
			}
			w.oldIDs = appendIdents(w.oldIDs, &o)
			w.count(r.Source, 0, -1)
		}
	}
	w.newIDs = w.newIDs[:0]
	if pid := w.assign.Get(key); pid != nil {
		if r.Deleted {
			w.moved(string(pid), "")
		} else {
			w.note(string(pid)) // a member's content changed
		}
	}
	if r.Deleted {
		w.count(r.Source, 1, 1)
		if err := w.unassign(key); err != nil {
			return err
		}
	} else {
		w.newIDs = appendIdents(w.newIDs, r)
		w.count(r.Source, 0, 1)
	}
	if err := w.records.Put(key, enc); err != nil {
		return err
	}
	for _, id := range w.oldIDs {
		if !containsIdent(w.newIDs, id) {
			w.ibuf = indexKey(w.ibuf[:0], id, key)
			w.idxOps = append(w.idxOps, keyOp{key: w.copy(w.ibuf)})
		}
	}
	for _, id := range w.newIDs {
		if !containsIdent(w.oldIDs, id) {
			w.ibuf = indexKey(w.ibuf[:0], id, key)
			w.idxOps = append(w.idxOps, keyOp{key: w.copy(w.ibuf), add: true})
		}
	}
	return nil
}

// finish applies the transaction's identifier index and members changes
// in key order, and then its counter changes. bbolt grows a changed node
// until the commit splits it, so inserts in random order into a large
// transaction copy ever larger nodes; in key order they append.
func (w *writer) finish() error {
	if err := applyOps(w.index, w.idxOps); err != nil {
		return fmt.Errorf("identifier index: %w", err)
	}
	if err := applyOps(w.members, w.memberOps); err != nil {
		return fmt.Errorf("members index: %w", err)
	}
	w.idxOps, w.memberOps = w.idxOps[:0], w.memberOps[:0]
	if err := w.flushPending(); err != nil {
		return fmt.Errorf("pending marks: %w", err)
	}
	return w.flushCounters()
}

// applyOps sorts ops by key and applies them to b. Of several changes to
// one key the last wins: each was made against the state the one before it
// left, so the last one is the key's final state.
func applyOps(b *bbolt.Bucket, ops []keyOp) error {
	slices.SortStableFunc(ops, func(a, b keyOp) int { return bytes.Compare(a.key, b.key) })
	for i, op := range ops {
		if i+1 < len(ops) && bytes.Equal(op.key, ops[i+1].key) {
			continue
		}
		var err error
		if op.add {
			err = b.Put(op.key, nil)
		} else {
			err = b.Delete(op.key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// assignTo assigns the live record key to profile pid, which must differ
// from its current profile; the caller unassigns it first.
func (w *writer) assignTo(key, pid []byte) error {
	key, pid = w.copy(key), w.copy(pid)
	if err := w.assign.Put(key, pid); err != nil {
		return fmt.Errorf("assign: %w", err)
	}
	w.memberOps = append(w.memberOps, keyOp{key: w.copy(memberKey(w.ibuf[:0], pid, key)), add: true})
	return nil
}

// unassign removes key's assignment and membership, if any.
func (w *writer) unassign(key []byte) error {
	pid := w.assign.Get(key)
	if pid == nil {
		return nil
	}
	w.ibuf = memberKey(w.ibuf[:0], pid, key)
	w.memberOps = append(w.memberOps, keyOp{key: w.copy(w.ibuf)})
	if err := w.assign.Delete(key); err != nil {
		return fmt.Errorf("unassign: %w", err)
	}
	return nil
}

// flushCounters adds the transaction's counter changes to the stored
// counters, dropping a source's entry when all its counts are zero.
func (w *writer) flushCounters() error {
	for source, d := range w.deltas {
		st, err := decodeStats(w.counters.Get([]byte(source)))
		if err != nil {
			return fmt.Errorf("counters of source %q: %w", source, err)
		}
		st.Records += d[0]
		st.Deleted += d[1]
		st.Quarantined += d[2]
		if st.Records < 0 || st.Deleted < 0 || st.Quarantined < 0 {
			return fmt.Errorf("counters of source %q: negative count %+v", source, st)
		}
		if st == (store.SourceStats{}) {
			if err := w.counters.Delete([]byte(source)); err != nil {
				return fmt.Errorf("counters of source %q: %w", source, err)
			}
			continue
		}
		if err := w.counters.Put([]byte(source), encodeStats(st)); err != nil {
			return fmt.Errorf("counters of source %q: %w", source, err)
		}
	}
	return nil
}

func encodeStats(st store.SourceStats) []byte {
	b := make([]byte, 0, 3*binary.MaxVarintLen64)
	b = binary.AppendUvarint(b, uint64(st.Records))
	b = binary.AppendUvarint(b, uint64(st.Deleted))
	return binary.AppendUvarint(b, uint64(st.Quarantined))
}

// decodeStats decodes a counters value; nil decodes to zero counts.
func decodeStats(b []byte) (store.SourceStats, error) {
	if b == nil {
		return store.SourceStats{}, nil
	}
	var c [3]int
	for i := range c {
		v, n := binary.Uvarint(b)
		if n <= 0 || v > 1<<62 {
			return store.SourceStats{}, fmt.Errorf("%w: bad counter", errCorrupt)
		}
		c[i], b = int(v), b[n:]
	}
	if len(b) != 0 {
		return store.SourceStats{}, fmt.Errorf("%w: trailing counter bytes", errCorrupt)
	}
	return store.SourceStats{Records: c[0], Deleted: c[1], Quarantined: c[2]}, nil
}

// ident is one identifier of a record as the index keeps it.
type ident struct{ kind, value string }

// appendIdents appends r's indexed identifiers: the normal form of every
// usable email and phone value, and of every usable strong identifier.
// Values and kinds that are empty or hold 0x00 cannot be index keys and
// are skipped.
func appendIdents(dst []ident, r *customer.Record) []ident {
	add := func(kind string, v customer.Value) {
		if !v.Usable() || kind == "" || strings.IndexByte(kind, 0) >= 0 || strings.IndexByte(v.Norm, 0) >= 0 {
			return
		}
		id := ident{kind, v.Norm}
		if !containsIdent(dst, id) {
			dst = append(dst, id)
		}
	}
	add(customer.KindEmail, r.Fields[customer.Email])
	add(customer.KindPhone, r.Fields[customer.Phone])
	for _, x := range r.Extra {
		switch x.Field {
		case customer.Email:
			add(customer.KindEmail, x.Value)
		case customer.Phone:
			add(customer.KindPhone, x.Value)
		}
	}
	for kind, v := range r.Identifiers {
		add(kind, v)
	}
	return dst
}

func containsIdent(ids []ident, id ident) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// indexKey appends the index key kind 0x00 value 0x00 recordKey.
func indexKey(dst []byte, id ident, recordKey []byte) []byte {
	dst = append(dst, id.kind...)
	dst = append(dst, 0)
	dst = append(dst, id.value...)
	dst = append(dst, 0)
	return append(dst, recordKey...)
}

// memberKey appends the members key profileID 0x00 recordKey.
func memberKey(dst, pid, recordKey []byte) []byte {
	dst = append(dst, pid...)
	dst = append(dst, 0)
	return append(dst, recordKey...)
}
