package bolt

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	bbolt "go.etcd.io/bbolt"
)

// The block index maps the resolver's blocking keys to the records that
// have them, so that a changed record finds its candidate pairs with a
// few prefix scans instead of a pass over every record. The store only
// keeps the keys; what they mean is the resolver's business.

// blockTxEntries bounds the entries one ReplaceBlocks transaction writes,
// which bounds the dirty pages bbolt holds in memory at once.
const blockTxEntries = 1 << 20

// ReplaceBlocks replaces the whole block index with blocks (record key to
// its block keys) built under tag, such as a hash of the resolver's model.
// It writes in several transactions to bound the memory of each: the
// first clears the index and its tag, the last sets tag, so BlockIndexTag
// never names a half-written index: an interrupted call leaves an untagged
// one, which nothing reads and the next call replaces.
func (db *DB) ReplaceBlocks(ctx context.Context, tag []byte, blocks map[string][]uint64) error {
	if len(tag) == 0 {
		return fmt.Errorf("replace blocks: empty tag")
	}
	type entry struct {
		block uint64
		key   string
	}
	n := 0
	for _, bs := range blocks {
		n += len(bs)
	}
	entries := make([]entry, 0, n)
	keys := make([]string, 0, len(blocks))
	for k, bs := range blocks {
		keys = append(keys, k)
		for _, b := range bs {
			entries = append(entries, entry{b, k})
		}
	}
	slices.SortFunc(entries, func(a, b entry) int {
		if c := cmp.Compare(a.block, b.block); c != 0 {
			return c
		}
		return cmp.Compare(a.key, b.key)
	})
	slices.Sort(keys)

	err := db.update(ctx, func(tx *bbolt.Tx) error {
		if err := tx.Bucket(bucketState).Delete(stateBlocksTag); err != nil {
			return err
		}
		for _, name := range [][]byte{bucketBlocks, bucketRecBlocks} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("replace blocks: clear: %w", err)
	}
	var kbuf []byte
	for start := 0; start < len(entries); start += blockTxEntries {
		part := entries[start:min(start+blockTxEntries, len(entries))]
		err := db.update(ctx, func(tx *bbolt.Tx) error {
			b := tx.Bucket(bucketBlocks)
			b.FillPercent = 1 // keys arrive in order: pack pages full
			for _, e := range part {
				kbuf = blockEntryKey(kbuf[:0], e.block, e.key)
				if err := b.Put(kbuf, nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("replace blocks: %w", err)
		}
	}
	for start := 0; start < len(keys); start += blockTxEntries / 8 {
		part := keys[start:min(start+blockTxEntries/8, len(keys))]
		err := db.update(ctx, func(tx *bbolt.Tx) error {
			b := tx.Bucket(bucketRecBlocks)
			b.FillPercent = 1
			for _, k := range part {
				if err := b.Put([]byte(k), packBlocks(blocks[k])); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("replace blocks: %w", err)
		}
	}
	err = db.update(ctx, func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketState).Put(stateBlocksTag, bytes.Clone(tag))
	})
	if err != nil {
		return fmt.Errorf("replace blocks: tag: %w", err)
	}
	return nil
}

// BlockIndexTag returns the tag the complete block index was built under,
// or nil when there is no complete index.
func (db *DB) BlockIndexTag(ctx context.Context) ([]byte, error) {
	var tag []byte
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		tag = bytes.Clone(tx.Bucket(bucketState).Get(stateBlocksTag))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("block index tag: %w", err)
	}
	return tag, nil
}

// setBlocks replaces the block keys of the given records within tx; an
// empty list takes a record out of the index.
func setBlocks(tx *bbolt.Tx, blocks map[string][]uint64) error {
	keys := make([]string, 0, len(blocks))
	for k := range blocks {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	idx, rb := tx.Bucket(bucketBlocks), tx.Bucket(bucketRecBlocks)
	var kbuf []byte
	for _, k := range keys {
		key := []byte(k)
		for _, b := range unpackBlocks(rb.Get(key)) {
			kbuf = blockEntryKey(kbuf[:0], b, k)
			if err := idx.Delete(kbuf); err != nil {
				return err
			}
		}
		if len(blocks[k]) == 0 {
			if err := rb.Delete(key); err != nil {
				return err
			}
			continue
		}
		for _, b := range blocks[k] {
			kbuf = blockEntryKey(kbuf[:0], b, k)
			if err := idx.Put(kbuf, nil); err != nil {
				return err
			}
		}
		if err := rb.Put(key, packBlocks(blocks[k])); err != nil {
			return err
		}
	}
	return nil
}

// BlockMembers returns the keys of the records in block, in key order.
// When the block holds more than limit records it returns no keys and
// oversized true, since the resolver skips such blocks; limit <= 0 means
// no limit.
func (db *DB) BlockMembers(ctx context.Context, block uint64, limit int) (keys []string, oversized bool, err error) {
	err = db.view(ctx, func(tx *bbolt.Tx) error {
		var prefix [8]byte
		binary.BigEndian.PutUint64(prefix[:], block)
		c := tx.Bucket(bucketBlocks).Cursor()
		for k, _ := c.Seek(prefix[:]); k != nil && bytes.HasPrefix(k, prefix[:]); k, _ = c.Next() {
			if limit > 0 && len(keys) == limit {
				oversized = true
				keys = nil
				return nil
			}
			keys = append(keys, string(k[8:]))
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("block members: %w", err)
	}
	return keys, oversized, nil
}

// AssignmentsOf returns the profile ids of the given record keys; keys
// without an assignment are absent from the map.
func (db *DB) AssignmentsOf(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAssign)
		for _, k := range keys {
			if v := b.Get([]byte(k)); v != nil {
				out[k] = string(v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("assignments of %d records: %w", len(keys), err)
	}
	return out, nil
}

func blockEntryKey(dst []byte, block uint64, key string) []byte {
	dst = binary.BigEndian.AppendUint64(dst, block)
	return append(dst, key...)
}

func packBlocks(bs []uint64) []byte {
	out := make([]byte, 0, 8*len(bs))
	for _, b := range bs {
		out = binary.BigEndian.AppendUint64(out, b)
	}
	return out
}

func unpackBlocks(v []byte) []uint64 {
	out := make([]uint64, 0, len(v)/8)
	for ; len(v) >= 8; v = v[8:] {
		out = append(out, binary.BigEndian.Uint64(v))
	}
	return out
}
