package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scvhq/scv/customer"
	bbolt "go.etcd.io/bbolt"
)

// openTest opens a store in a fresh temporary directory and, when the test
// ends, checks that its indexes and counters agree with its records and
// closes it.
func openTest(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(tb.TempDir(), Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := checkConsistent(db); err != nil {
			tb.Error(err)
		}
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

// checkConsistent recomputes the identifier index, the counters, the
// members index and the block index from the records, quarantine,
// assignments and per-record block keys, and reports
// any difference from what is stored. It also runs bbolt's own check.
func checkConsistent(db *DB) error {
	return db.bolt.View(func(tx *bbolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		if len(errs) > 0 {
			return fmt.Errorf("bbolt check: %w", errors.Join(errs...))
		}
		var wantIdx []string
		counts := map[string]SourceStats{}
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
		gotCounts := map[string]SourceStats{}
		err = tx.Bucket(bucketCounters).ForEach(func(k, v []byte) error {
			st, err := decodeStats(v)
			gotCounts[string(k)] = st
			return err
		})
		if err != nil {
			return err
		}
		if fmt.Sprint(gotCounts) != fmt.Sprint(counts) {
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
		// The block index mirrors every record's list of block keys.
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
	})
}

// put stores recs and fails the test on error.
func put(tb testing.TB, db *DB, recs ...customer.Record) PutStats {
	tb.Helper()
	st, err := db.PutRecords(context.Background(), recs)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// val returns a valid value whose Norm is norm.
func val(raw, norm string) customer.Value {
	return customer.Value{Raw: raw, Norm: norm, Status: customer.Valid}
}

// rec returns a live record with a valid email and phone; empty ones are
// left missing.
func rec(source, id, email, phone string) customer.Record {
	r := customer.Record{Source: source, ID: id}
	if email != "" {
		r.Fields[customer.Email] = val(strings.ToUpper(email), email)
	}
	if phone != "" {
		r.Fields[customer.Phone] = val(phone, phone)
	}
	return r
}

var (
	givenNames  = []string{"Olivia", "Amelia", "Isla", "Ava", "Mia", "Oliver", "George", "Arthur", "Noah", "Muhammad", "Zoë", "José"}
	familyNames = []string{"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "O'Brien", "Müller"}
	streets     = []string{"High Street", "Station Road", "Main Street", "Park Road", "Church Road", "London Road"}
	towns       = []string{"London", "Manchester", "Leeds", "Bristol", "Glasgow", "Cardiff"}
)

// typicalRecord returns a realistic, fully normalized record of source
// number i: names, an email (sometimes two), a phone, an address, a date
// of birth, a strong identifier, consent and attributes.
func typicalRecord(source string, i int) customer.Record {
	g, f := givenNames[i%len(givenNames)], familyNames[(i/len(givenNames))%len(familyNames)]
	r := customer.Record{
		Source:    source,
		ID:        fmt.Sprintf("C%07d", i),
		Row:       int64(i + 2),
		UpdatedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
	}
	r.Fields[customer.GivenName] = val(g, strings.ToLower(g))
	r.Fields[customer.FamilyName] = val(f, strings.ToLower(f))
	email := fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(g), strings.ToLower(f), i)
	r.Fields[customer.Email] = val(" "+strings.ToUpper(email[:1])+email[1:], email)
	r.Fields[customer.Phone] = val(fmt.Sprintf("07700 9%05d", i%100000), fmt.Sprintf("+4477009%05d", i%100000))
	r.Fields[customer.AddressLine1] = val(fmt.Sprintf("%d %s", i%200+1, streets[i%len(streets)]), fmt.Sprintf("%d %s", i%200+1, strings.ToLower(streets[i%len(streets)])))
	r.Fields[customer.Locality] = val(towns[i%len(towns)], strings.ToLower(towns[i%len(towns)]))
	r.Fields[customer.PostalCode] = val(fmt.Sprintf("sw1a %dAA", i%10), fmt.Sprintf("SW1A %dAA", i%10))
	r.Fields[customer.Country] = val("GB", "GB")
	r.Fields[customer.DateOfBirth] = val(fmt.Sprintf("%02d/03/19%02d", i%28+1, 40+i%60), fmt.Sprintf("19%02d-03-%02d", 40+i%60, i%28+1))
	if i%7 == 0 {
		r.Fields[customer.Gender] = customer.Value{Raw: "?", Status: customer.Invalid, Reason: "unknown gender"}
	}
	if i%5 == 0 {
		r.Extra = []customer.Extra{{Field: customer.Email, Value: val("work"+email, "work"+email)}}
	}
	r.Identifiers = map[string]customer.Value{"loyalty_id": val(fmt.Sprintf("L-%d", i), fmt.Sprintf("L%d", i))}
	r.Consent = map[string]customer.Consent{"email": {Status: customer.ConsentGranted, At: r.UpdatedAt}}
	r.Attributes = map[string]string{"lifetime_value": fmt.Sprint(i % 1000), "segment": "retail"}
	return r
}

// liveKeys returns the keys ForEachRecord visits, failing on error.
func liveKeys(tb testing.TB, db *DB) []string {
	tb.Helper()
	var keys []string
	err := db.ForEachRecord(context.Background(), func(r *customer.Record) error {
		keys = append(keys, r.Key())
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return keys
}

// sameRecord reports whether a and b encode alike, Row included.
func sameRecord(tb testing.TB, a, b customer.Record) bool {
	tb.Helper()
	ea, err := new(encoder).appendRecord(nil, &a)
	if err != nil {
		tb.Fatal(err)
	}
	eb, err := new(encoder).appendRecord(nil, &b)
	if err != nil {
		tb.Fatal(err)
	}
	return bytes.Equal(ea, eb)
}
