package bolt

import (
	"context"
	"fmt"
	"testing"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/store"
)

// batchSize is the batch callers write per transaction.
const batchSize = 5000

// fill stores n typical records of source "crm" in batches and assigns
// every five consecutive records to one profile.
func fill(b *testing.B, db *DB, n int) {
	b.Helper()
	assign := make(map[string]string, n)
	batch := make([]customer.Record, 0, batchSize)
	for i := range n {
		r := typicalRecord("crm", i)
		batch = append(batch, r)
		assign[r.Key()] = fmt.Sprintf("p%07d", i/5)
		if len(batch) == batchSize || i == n-1 {
			put(b, db, batch...)
			batch = batch[:0]
		}
	}
	if err := db.ApplyResolution(context.Background(), store.Resolution{Assign: assign, Full: true}); err != nil {
		b.Fatal(err)
	}
}

func openBench(b *testing.B, sync bool) *DB {
	b.Helper()
	db, err := Open(b.TempDir(), Options{NoSync: !sync})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkPutRecords writes batches of 5,000 typical records, one
// transaction each: new records, the same records again (unchanged) and
// the same records with one attribute changed.
func BenchmarkPutRecords(b *testing.B) {
	for _, bb := range []struct {
		name string
		sync bool
		mode string
	}{
		{"insert", false, "insert"},
		{"insert-fsync", true, "insert"},
		{"unchanged", false, "unchanged"},
		{"update", false, "update"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			db := openBench(b, bb.sync)
			recs := make([]customer.Record, batchSize)
			for i := range recs {
				recs[i] = typicalRecord("crm", i)
			}
			if bb.mode != "insert" {
				put(b, db, recs...)
			}
			n := 0
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				switch bb.mode {
				case "insert":
					// Each round writes new people, so the file grows.
					for i := range recs {
						recs[i] = typicalRecord("crm", n*batchSize+i)
					}
				case "update":
					for i := range recs {
						recs[i].Attributes["lifetime_value"] = fmt.Sprint(n)
					}
				}
				n++
				b.StartTimer()
				st := put(b, db, recs...)
				if st.Unchanged+st.Inserted+st.Updated != batchSize {
					b.Fatalf("stats %+v", st)
				}
			}
			b.ReportMetric(float64(n*batchSize)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkForEachRecord scans 100,000 stored records, decoding each.
func BenchmarkForEachRecord(b *testing.B) {
	const n = 100_000
	db := openBench(b, false)
	fill(b, db, n)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		seen := 0
		err := db.ForEachRecord(ctx, func(r *customer.Record) error {
			seen++
			return nil
		})
		if err != nil || seen != n {
			b.Fatalf("scanned %d records, err %v", seen, err)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkLookup looks up emails among 100,000 assigned records.
func BenchmarkLookup(b *testing.B) {
	const n = 100_000
	db := openBench(b, false)
	fill(b, db, n)
	ctx := context.Background()
	emails := make([]string, 1024)
	for i := range emails {
		r := typicalRecord("crm", i*97%n)
		emails[i] = r.Fields[customer.Email].Norm
	}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		ids, err := db.Lookup(ctx, customer.KindEmail, emails[i%len(emails)])
		if err != nil || len(ids) != 1 {
			b.Fatalf("lookup %s: %q, %v", emails[i%len(emails)], ids, err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

// BenchmarkProfile reads a five-member profile among 100,000 records.
func BenchmarkProfile(b *testing.B) {
	const n = 100_000
	db := openBench(b, false)
	fill(b, db, n)
	ctx := context.Background()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		p, err := db.Profile(ctx, fmt.Sprintf("p%07d", i*97%(n/5)))
		if err != nil || len(p.Members) != 5 {
			b.Fatalf("profile: %d members, %v", len(p.Members), err)
		}
		i++
	}
}

// BenchmarkApplyResolutionFull stores a complete assignment of 100,000
// records in which one record in ten moves to another profile.
func BenchmarkApplyResolutionFull(b *testing.B) {
	const n = 100_000
	db := openBench(b, false)
	fill(b, db, n)
	ctx := context.Background()
	assign, err := db.Assignments(ctx)
	if err != nil {
		b.Fatal(err)
	}
	round := 0
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		i := 0
		for k := range assign {
			if i%10 == round%10 {
				assign[k] = fmt.Sprintf("q%d-%d", round, i)
			}
			i++
		}
		round++
		b.StartTimer()
		if err := db.ApplyResolution(ctx, store.Resolution{Assign: assign, Full: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkGoldenRebuildAll rebuilds the golden profiles of 10,000
// profiles of five records each in one transaction, as a full resolution
// after a change of the survivorship rules does; ns/profile is the cost
// per profile.
func BenchmarkGoldenRebuildAll(b *testing.B) {
	db := openBench(b, false)
	const n = 50000
	fill(b, db, n)
	assign, err := db.Assignments(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := db.ApplyResolution(context.Background(), store.Resolution{Assign: assign, Full: true, RebuildAll: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(n/5), "ns/profile")
}

// BenchmarkGoldenIncremental changes one record of a profile of five in a
// store of 50,000 records: the write stores the record and rebuilds that
// profile's golden profile and change-log entry in one transaction.
func BenchmarkGoldenIncremental(b *testing.B) {
	db := openBench(b, false)
	fill(b, db, 50000)
	r := typicalRecord("crm", 12345)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		r.Attributes["lifetime_value"] = fmt.Sprint(i)
		put(b, db, r)
	}
}
