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

// SetCheckpoint stores source's checkpoint; "" removes it.
func (db *DB) SetCheckpoint(ctx context.Context, source, value string) error {
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketCheckpoints)
		if value == "" {
			return b.Delete([]byte(source))
		}
		return b.Put([]byte(source), []byte(value))
	})
	if err != nil {
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

// PutMeta stores a copy of value under key; a nil value removes the key.
func (db *DB) PutMeta(ctx context.Context, key string, value []byte) error {
	err := db.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketMeta)
		if value == nil {
			return b.Delete([]byte(key))
		}
		return b.Put([]byte(key), bytes.Clone(value))
	})
	if err != nil {
		return fmt.Errorf("put meta %q: %w", key, err)
	}
	return nil
}
