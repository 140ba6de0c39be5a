package bolt

import (
	"bytes"
	"context"
	"fmt"

	bbolt "go.etcd.io/bbolt"
)

// Checkpoint returns the checkpoint stored for source, or "" when there is
// none.
func (db *DB) Checkpoint(ctx context.Context, source string) (string, error) {
	var cp string
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		cp = string(tx.Bucket(bucketCheckpoints).Get([]byte(source)))
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("source %q: checkpoint: %w", source, err)
	}
	return cp, nil
}

// setCheckpoint stores source's checkpoint within tx; "" removes it.
func setCheckpoint(tx *bbolt.Tx, source, value string) error {
	b := tx.Bucket(bucketCheckpoints)
	if value == "" {
		return b.Delete([]byte(source))
	}
	if err := b.Put([]byte(source), []byte(value)); err != nil {
		return fmt.Errorf("source %q: set checkpoint: %w", source, err)
	}
	return nil
}

// Meta returns a copy of the metadata value stored under key, or nil when
// there is none.
func (db *DB) Meta(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := db.view(ctx, func(tx *bbolt.Tx) error {
		v = bytes.Clone(tx.Bucket(bucketMeta).Get([]byte(key)))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("meta %q: %w", key, err)
	}
	return v, nil
}

// putMeta stores a copy of each value within tx; a nil value removes its
// key.
func putMeta(tx *bbolt.Tx, meta map[string][]byte) error {
	b := tx.Bucket(bucketMeta)
	for k, v := range meta {
		var err error
		if v == nil {
			err = b.Delete([]byte(k))
		} else {
			err = b.Put([]byte(k), bytes.Clone(v))
		}
		if err != nil {
			return fmt.Errorf("put meta %q: %w", k, err)
		}
	}
	return nil
}
