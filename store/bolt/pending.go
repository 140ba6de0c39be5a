package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	"github.com/scvhq/scv/store"
	bbolt "go.etcd.io/bbolt"
)

// markPending marks the record key as changed and not yet resolved. The
// marks are written by finish, each with the transaction's sequence.
func (w *writer) markPending(key []byte) {
	w.pendingKeys = append(w.pendingKeys, key)
}

// flushPending writes the transaction's pending marks under one new
// sequence of the pending bucket.
func (w *writer) flushPending() error {
	if len(w.pendingKeys) == 0 {
		return nil
	}
	seq, err := w.pending.NextSequence()
	if err != nil {
		return err
	}
	v := w.copy(binary.BigEndian.AppendUint64(nil, seq))
	for _, k := range w.pendingKeys {
		if err := w.pending.Put(k, v); err != nil {
			return err
		}
	}
	w.pendingKeys = w.pendingKeys[:0]
	return nil
}

// Pending returns the keys of the records whose latest change has not
// been resolved, sorted, with the sequence of the latest mark; see
// store.Pending.
func (db *DB) Pending(ctx context.Context) (store.Pending, error) {
	var p store.Pending
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketPending)
		p.Seq = b.Sequence()
		c := b.Cursor()
		n := 0
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if n++; n%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			p.Keys = append(p.Keys, string(k))
		}
		return nil
	})
	if err != nil {
		return store.Pending{}, fmt.Errorf("pending resolution: %w", err)
	}
	return p, nil
}

// clearPending removes the pending marks that r covers and that no write
// after r.PendingSeq renewed.
func clearPending(ctx context.Context, tx *bbolt.Tx, r *store.Resolution) error {
	b := tx.Bucket(bucketPending)
	stale := func(v []byte) bool { return len(v) == 8 && binary.BigEndian.Uint64(v) <= r.PendingSeq }
	if r.Full && b.Sequence() <= r.PendingSeq {
		// No write marked anything after the resolver read the pending
		// set: every mark goes, and dropping the bucket frees its pages
		// at once instead of deleting a million keys one by one.
		seq := b.Sequence()
		if err := tx.DeleteBucket(bucketPending); err != nil {
			return err
		}
		nb, err := tx.CreateBucket(bucketPending)
		if err != nil {
			return err
		}
		return nb.SetSequence(seq)
	}
	if r.Full {
		var drop [][]byte
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if stale(v) {
				drop = append(drop, bytes.Clone(k))
			}
		}
		for i, k := range drop {
			if i%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	}
	for _, k := range r.Resolved {
		if v := b.Get([]byte(k)); v != nil && stale(v) {
			if err := b.Delete([]byte(k)); err != nil {
				return err
			}
		}
	}
	return nil
}
