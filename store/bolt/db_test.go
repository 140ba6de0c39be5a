package bolt

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
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
	put(t, db, rec("crm", "1", "a@x.com", ""))
	if err := db.SetCheckpoint(ctx, "crm", "sha:1"); err != nil {
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
	if err := checkConsistent(db); err != nil {
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

func TestCheckpointsAndMeta(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()

	if cp, err := db.Checkpoint(ctx, "crm"); err != nil || cp != "" {
		t.Errorf("absent checkpoint = %q, %v; want empty", cp, err)
	}
	for _, v := range []string{"a", "b", ""} {
		if err := db.SetCheckpoint(ctx, "crm", v); err != nil {
			t.Fatal(err)
		}
		if cp, err := db.Checkpoint(ctx, "crm"); err != nil || cp != v {
			t.Errorf("checkpoint = %q, %v; want %q", cp, err, v)
		}
	}

	for _, tt := range []struct {
		name string
		put  []byte
		want []byte
	}{
		{"value", []byte("model v1"), []byte("model v1")},
		{"empty value", []byte{}, []byte{}},
		{"nil removes", nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := db.PutMeta(ctx, "model", tt.put); err != nil {
				t.Fatal(err)
			}
			got, err := db.Meta(ctx, "model")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("Meta = %q (nil %v), want %q (nil %v)", got, got == nil, tt.want, tt.want == nil)
			}
		})
	}
	// Meta's result is a copy: changing it does not change the store.
	if err := db.PutMeta(ctx, "k", []byte("abc")); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Meta(ctx, "k")
	got[0] = 'X'
	if again, _ := db.Meta(ctx, "k"); string(again) != "abc" {
		t.Errorf("Meta after editing a returned copy = %q", again)
	}
}
