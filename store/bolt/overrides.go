package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/store"
	bbolt "go.etcd.io/bbolt"
)

// An override is stored twice: under its id in the overrides bucket, as
// kind, Created (Unix nanoseconds, big-endian) and the pair key; and in
// the overridepairs bucket, pair key -> id, so that a pair is stored once.
// A pair key is uvarint(len(A)) A B: record ids may hold 0x00, so no
// separator byte would do.

// ChangeOverrides adds and removes overrides in one transaction, as
// store.OverrideChange describes, and marks the stored records that the
// added, replaced and removed overrides name pending. It returns the
// stored override of each of c.Add, in order, with its id.
func (db *DB) ChangeOverrides(ctx context.Context, c store.OverrideChange) ([]store.Override, error) {
	add := make([]store.Override, len(c.Add))
	for i, o := range c.Add {
		if err := checkOverride(&o); err != nil {
			return nil, fmt.Errorf("change overrides: %w", err)
		}
		add[i] = o
	}
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		byID, pairs := tx.Bucket(bucketOverrides), tx.Bucket(bucketOverridePairs)
		w := newWriter(tx)
		mark := func(keys ...string) {
			for _, k := range keys {
				if w.records.Get([]byte(k)) != nil {
					w.markPending(w.copy([]byte(k)))
				}
			}
		}
		for _, id := range c.Remove {
			k := binary.BigEndian.AppendUint64(nil, id)
			v := byID.Get(k)
			if v == nil {
				return fmt.Errorf("override %d: %w", id, customer.ErrNotFound)
			}
			o, err := decodeOverride(k, v)
			if err != nil {
				return err
			}
			if err := byID.Delete(k); err != nil {
				return err
			}
			if err := pairs.Delete(pairKey(o.A, o.B)); err != nil {
				return err
			}
			mark(o.A, o.B)
		}
		for i := range add {
			o := &add[i]
			pk := pairKey(o.A, o.B)
			if old := pairs.Get(pk); old != nil {
				prev, err := decodeOverride(old, byID.Get(old))
				if err != nil {
					return err
				}
				if prev.Kind == o.Kind {
					*o = prev
					continue
				}
				if err := byID.Delete(bytes.Clone(old)); err != nil {
					return err
				}
			}
			id, err := byID.NextSequence()
			if err != nil {
				return err
			}
			o.ID = id
			k := binary.BigEndian.AppendUint64(nil, id)
			if err := byID.Put(k, encodeOverride(o)); err != nil {
				return err
			}
			if err := pairs.Put(pk, k); err != nil {
				return err
			}
			mark(o.A, o.B)
		}
		return w.flushPending()
	})
	if err != nil {
		return nil, fmt.Errorf("change overrides: %w", err)
	}
	return add, nil
}

// checkOverride validates o and sorts its keys.
func checkOverride(o *store.Override) error {
	if o.Kind != store.MustLink && o.Kind != store.CannotLink {
		return fmt.Errorf("override of %q and %q: unknown kind %d", o.A, o.B, o.Kind)
	}
	for _, k := range []string{o.A, o.B} {
		src, id, ok := customer.SplitKey(k)
		if !ok {
			return fmt.Errorf("override record key %q is not \"source/id\"", k)
		}
		if err := checkKey(src, id); err != nil {
			return fmt.Errorf("override record key %q: %w", k, err)
		}
	}
	switch {
	case o.A == o.B:
		return fmt.Errorf("override of %q with itself", o.A)
	case o.A > o.B:
		o.A, o.B = o.B, o.A
	}
	return nil
}

// Overrides returns every stored override in id order.
func (db *DB) Overrides(ctx context.Context) ([]store.Override, error) {
	var out []store.Override
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketOverrides).Cursor()
		n := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if n++; n%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			o, err := decodeOverride(k, v)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("overrides: %w", err)
	}
	return out, nil
}

// pairKey returns the overridepairs key of the sorted keys a and b.
func pairKey(a, b string) []byte {
	k := binary.AppendUvarint(nil, uint64(len(a)))
	k = append(k, a...)
	return append(k, b...)
}

func encodeOverride(o *store.Override) []byte {
	v := []byte{byte(o.Kind)}
	var nanos int64
	if !o.Created.IsZero() {
		nanos = o.Created.UnixNano()
	}
	v = binary.BigEndian.AppendUint64(v, uint64(nanos))
	return append(v, pairKey(o.A, o.B)...)
}

func decodeOverride(k, v []byte) (store.Override, error) {
	if len(k) != 8 || len(v) < 10 {
		return store.Override{}, fmt.Errorf("%w: override %x", errCorrupt, k)
	}
	o := store.Override{ID: binary.BigEndian.Uint64(k), Kind: store.OverrideKind(v[0])}
	if nanos := int64(binary.BigEndian.Uint64(v[1:9])); nanos != 0 {
		o.Created = time.Unix(0, nanos).UTC()
	}
	n, w := binary.Uvarint(v[9:])
	rest := v[9+max(w, 0):]
	if w <= 0 || n > uint64(len(rest)) {
		return store.Override{}, fmt.Errorf("%w: override %d", errCorrupt, o.ID)
	}
	o.A, o.B = string(rest[:n]), string(rest[n:])
	return o, nil
}

// EnsureMeta stores a copy of v under key unless key has a value already,
// and returns a copy of the value stored under key afterwards, in one
// transaction.
func (db *DB) EnsureMeta(ctx context.Context, key string, v []byte) ([]byte, error) {
	var out []byte
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketMeta)
		if cur := b.Get([]byte(key)); cur != nil {
			out = bytes.Clone(cur)
			return nil
		}
		out = bytes.Clone(v)
		return b.Put([]byte(key), bytes.Clone(v))
	})
	if err != nil {
		return nil, fmt.Errorf("meta %q: %w", key, err)
	}
	return out, nil
}
