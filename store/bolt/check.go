package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/store"
	bbolt "go.etcd.io/bbolt"
)

// Check verifies the store file: it runs bbolt's own page check, then
// recomputes the identifier index, the counters, the members index and the
// block index from the records, quarantine, assignments and per-record
// block keys, and reports any difference from what is stored. It reads
// everything in one transaction, so it is for tests, crash checks and
// repairs, not for a hot path.
func (db *DB) Check(ctx context.Context) error {
	return db.view(ctx, func(tx *bbolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		if len(errs) > 0 {
			return fmt.Errorf("bbolt check: %w", errors.Join(errs...))
		}
		var wantIdx []string
		counts := map[string]store.SourceStats{}
		err := tx.Bucket(bucketRecords).ForEach(func(k, v []byte) error {
			var r customer.Record
			if err := decodeRecord(v, &r); err != nil {
				return fmt.Errorf("record %q: %w", k, err)
			}
			if r.Key() != string(k) {
				return fmt.Errorf("record %q stored under %q", r.Key(), k)
			}
			st := counts[r.Source]
			if r.Deleted {
				st.Deleted++
			} else {
				st.Records++
				for _, id := range appendIdents(nil, &r) {
					wantIdx = append(wantIdx, string(indexKey(nil, id, k)))
				}
			}
			counts[r.Source] = st
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.Bucket(bucketQuarantine).ForEach(func(k, v []byte) error {
			q, err := decodeQuarantined(k, v)
			if err != nil {
				return err
			}
			st := counts[q.Source]
			st.Quarantined++
			counts[q.Source] = st
			return nil
		})
		if err != nil {
			return err
		}
		slices.Sort(wantIdx)
		var gotIdx []string
		_ = tx.Bucket(bucketIndex).ForEach(func(k, _ []byte) error {
			gotIdx = append(gotIdx, string(k))
			return nil
		})
		if !slices.Equal(gotIdx, wantIdx) {
			return fmt.Errorf("identifier index\n got %q\nwant %q", gotIdx, wantIdx)
		}
		gotCounts := map[string]store.SourceStats{}
		err = tx.Bucket(bucketCounters).ForEach(func(k, v []byte) error {
			st, err := decodeStats(v)
			gotCounts[string(k)] = st
			return err
		})
		if err != nil {
			return err
		}
		if !maps.Equal(gotCounts, counts) {
			return fmt.Errorf("counters: got %v, want %v", gotCounts, counts)
		}
		var wantMembers []string
		records := tx.Bucket(bucketRecords)
		err = tx.Bucket(bucketAssign).ForEach(func(k, v []byte) error {
			if r := records.Get(k); r == nil || recordDeleted(r) {
				return fmt.Errorf("assignment of record %q, which is not live", k)
			}
			wantMembers = append(wantMembers, string(memberKey(nil, v, k)))
			return nil
		})
		if err != nil {
			return err
		}
		slices.Sort(wantMembers)
		var gotMembers []string
		_ = tx.Bucket(bucketMembers).ForEach(func(k, _ []byte) error {
			gotMembers = append(gotMembers, string(k))
			return nil
		})
		if !slices.Equal(gotMembers, wantMembers) {
			return fmt.Errorf("members index\n got %q\nwant %q", gotMembers, wantMembers)
		}
		// A tagged block index mirrors every record's list of block keys.
		// An untagged one is not in use: ReplaceBlocks writes it in several
		// transactions, tags it last, and rebuilds it whole next time, so
		// a call cut short may leave it half-written.
		if tx.Bucket(bucketState).Get(stateBlocksTag) != nil {
			if err := checkBlocks(tx); err != nil {
				return err
			}
		}
		// Each override has its pair entry and each pair entry its override.
		pairs := tx.Bucket(bucketOverridePairs)
		n := 0
		err = tx.Bucket(bucketOverrides).ForEach(func(k, v []byte) error {
			o, err := decodeOverride(k, v)
			if err != nil {
				return err
			}
			if id := pairs.Get(pairKey(o.A, o.B)); !bytes.Equal(id, k) {
				return fmt.Errorf("override %d of %q and %q: pair entry names %x", o.ID, o.A, o.B, id)
			}
			n++
			return nil
		})
		if err != nil {
			return err
		}
		if got := pairs.Stats().KeyN; got != n {
			return fmt.Errorf("override pairs: %d entries for %d overrides", got, n)
		}
		// Every profile with members has a golden profile, and no other
		// profile has one; each golden value names a member.
		wantGolden := allProfileIDs(tx)
		var gotGolden []string
		err = tx.Bucket(bucketGolden).ForEach(func(k, v []byte) error {
			gotGolden = append(gotGolden, string(k))
			g, err := decodeGolden(string(k), v)
			if err != nil {
				return err
			}
			for f := range g.Fields {
				for _, val := range g.Fields[f] {
					for _, o := range val.From {
						if !bytes.Equal(tx.Bucket(bucketAssign).Get([]byte(o.Record)), k) {
							return fmt.Errorf("golden profile %q: %s %q comes from %q, not a member", k, customer.Field(f), val.Value, o.Record)
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if !slices.Equal(gotGolden, wantGolden) {
			return fmt.Errorf("golden profiles\n got %q\nwant %q", gotGolden, wantGolden)
		}
		return nil
	})
}

// checkBlocks reports whether the block index and the per-record block
// lists agree.
func checkBlocks(tx *bbolt.Tx) error {
	var wantBlocks, gotBlocks []string
	_ = tx.Bucket(bucketRecBlocks).ForEach(func(k, v []byte) error {
		for _, b := range unpackBlocks(v) {
			wantBlocks = append(wantBlocks, string(blockEntryKey(nil, b, string(k))))
		}
		return nil
	})
	slices.Sort(wantBlocks)
	_ = tx.Bucket(bucketBlocks).ForEach(func(k, _ []byte) error {
		gotBlocks = append(gotBlocks, string(k))
		return nil
	})
	if !slices.Equal(gotBlocks, wantBlocks) {
		return fmt.Errorf("block index\n got %q\nwant %q", gotBlocks, wantBlocks)
	}
	return nil
}
