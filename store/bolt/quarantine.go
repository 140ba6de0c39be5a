package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	"github.com/scvhq/scv/store"
	bbolt "go.etcd.io/bbolt"
)

const quarantineVersion = 1

// clearQuarantine removes every quarantined row of source.
func (w *writer) clearQuarantine(source string) error {
	prefix := append([]byte(source), 0)
	var old [][]byte
	c := w.quarantine.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		old = append(old, bytes.Clone(k))
	}
	for _, k := range old {
		if err := w.quarantine.Delete(k); err != nil {
			return fmt.Errorf("clear quarantine: %w", err)
		}
	}
	w.count(source, 2, -len(old))
	return nil
}

// putQuarantined stores rows under source 0x00 row seq, where row is
// big-endian with its sign bit flipped so that keys sort by row, and seq
// is the bucket's sequence, which keeps rows with the same number apart.
// When only is not empty, every row must be of that source, and a row's
// empty Source stands for it.
func putQuarantined(ctx context.Context, w *writer, only string, rows []store.Quarantined) error {
	b := w.quarantine
	for i := range rows {
		if i%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		q := &rows[i]
		src := q.Source
		if src == "" {
			src = only
		}
		if only != "" && src != only {
			return fmt.Errorf("row %d of source %q in the quarantine of %q", q.Row, src, only)
		}
		if err := checkSource(src); err != nil {
			return fmt.Errorf("quarantined row %d: %w", q.Row, err)
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		k := make([]byte, 0, len(src)+17)
		k = append(append(k, src...), 0)
		k = binary.BigEndian.AppendUint64(k, uint64(q.Row)^1<<63)
		k = binary.BigEndian.AppendUint64(k, seq)
		v := make([]byte, 0, 1+len(q.Raw)+len(q.Reason)+len(q.Field)+3*binary.MaxVarintLen64+16)
		v = append(v, quarantineVersion)
		v = appendString(v, q.Raw)
		v = appendString(v, q.Reason)
		v = appendString(v, q.Field)
		v = appendTime(v, q.At)
		if err := b.Put(k, v); err != nil {
			return fmt.Errorf("source %q quarantined row %d: %w", src, q.Row, err)
		}
		w.count(src, 2, 1)
	}
	return nil
}

// ForEachQuarantined calls fn for every quarantined row of source, or of
// every source when source is "", sorted by source and row, within one read
// transaction; it stops at fn's first error, which it returns. fn must not
// write to the store.
func (db *DB) ForEachQuarantined(ctx context.Context, source string, fn func(store.Quarantined) error) error {
	return db.view(ctx, func(tx *bbolt.Tx) error {
		var prefix []byte
		if source != "" {
			prefix = append([]byte(source), 0)
		}
		c := tx.Bucket(bucketQuarantine).Cursor()
		n := 0
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if n++; n%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			q, err := decodeQuarantined(k, v)
			if err != nil {
				return fmt.Errorf("quarantine entry %q: %w", k, err)
			}
			if err := fn(q); err != nil {
				return err
			}
		}
		return nil
	})
}

func decodeQuarantined(k, v []byte) (store.Quarantined, error) {
	var q store.Quarantined
	sep := len(k) - 17
	if sep < 1 || k[sep] != 0 {
		return q, fmt.Errorf("%w: bad quarantine key", errCorrupt)
	}
	if len(v) == 0 || v[0] != quarantineVersion {
		return q, fmt.Errorf("%w: unknown quarantine version", errCorrupt)
	}
	q.Source = string(k[:sep])
	q.Row = int64(binary.BigEndian.Uint64(k[sep+1:]) ^ 1<<63)
	d := decoder{b: v, s: string(v), off: 1}
	q.Raw = d.string()
	q.Reason = d.string()
	q.Field = d.string()
	q.At = d.time()
	if d.off != len(v) {
		return store.Quarantined{}, fmt.Errorf("%w: bad quarantine value", errCorrupt)
	}
	return q, nil
}
