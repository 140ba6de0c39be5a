package bolt

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/store"
	bbolt "go.etcd.io/bbolt"
)

func TestOpenInUse(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	const timeout = 200 * time.Millisecond
	start := time.Now()
	second, err := Open(dir, Options{Timeout: timeout})
	took := time.Since(start)
	if err == nil {
		second.Close()
		t.Fatal("second Open succeeded")
	}
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("err = %v, want ErrInUse", err)
	}
	if want := filepath.Join(dir, FileName); !bytes.Contains([]byte(err.Error()), []byte(want)) {
		t.Errorf("err = %q, want it to name %s", err, want)
	}
	// bbolt polls the lock every 50ms and gives up one poll early.
	if took < timeout/2 || took > timeout+2*time.Second {
		t.Errorf("second Open gave up after %v, want about %v", took, timeout)
	}
}

func TestOpenCreatesDirAndPersists(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	ctx := context.Background()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := store.Batch{Records: []customer.Record{rec("crm", "1", "a@x.com", "")}, Checkpoint: &store.Checkpoint{Source: "crm", Value: "sha:1"}}
	if _, err := db.PutRecords(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Fatal(err)
	}

	db, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Record(ctx, "crm/1"); err != nil {
		t.Error(err)
	}
	if cp, err := db.Checkpoint(ctx, "crm"); err != nil || cp != "sha:1" {
		t.Errorf("checkpoint = %q, %v; want sha:1", cp, err)
	}
	if p, err := db.Pending(ctx); err != nil || len(p.Keys) != 1 {
		t.Errorf("pending after reopening = %+v, %v; want crm/1", p, err)
	}
	if err := db.Check(ctx); err != nil {
		t.Error(err)
	}
}

func TestOpenFailsOnNonDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(file, Options{}); err == nil {
		t.Error("no error")
	}
}

// TestCheckIgnoresUntaggedBlockIndex: a ReplaceBlocks cut short between
// its transactions leaves block entries without per-record lists and no
// tag. Nothing reads such an index, so Check accepts it; a tagged index
// that disagrees is an error.
func TestCheckIgnoresUntaggedBlockIndex(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.ReplaceBlocks(ctx, []byte("m1"), map[string][]uint64{"a/1": {10}}); err != nil {
		t.Fatal(err)
	}
	halfWritten := func(tx *bbolt.Tx) error {
		if err := tx.Bucket(bucketState).Delete(stateBlocksTag); err != nil {
			return err
		}
		return tx.Bucket(bucketRecBlocks).Delete([]byte("a/1"))
	}
	if err := db.bolt.Update(halfWritten); err != nil {
		t.Fatal(err)
	}
	if err := db.Check(ctx); err != nil {
		t.Errorf("untagged half-written index: %v", err)
	}
	err := db.bolt.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketState).Put(stateBlocksTag, []byte("m1")) })
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Check(ctx); err == nil {
		t.Error("tagged index that disagrees with the records' lists: no error")
	}
	// Leave a consistent store for openTest's cleanup check.
	if err := db.ReplaceBlocks(ctx, []byte("m2"), nil); err != nil {
		t.Fatal(err)
	}
}
