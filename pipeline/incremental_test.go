package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/demo"
	"github.com/scvhq/scv/store"
	"github.com/scvhq/scv/synth"
)

// TestIncremental changes, adds and deletes rows of the demo silos and
// checks that the incremental resolution after the sync reaches the
// profiles a full resolution of the same records gives, with ids kept.
func TestIncremental(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := demo.WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	p := open(t, dir)
	if _, err := p.Sync(ctx, ""); err != nil {
		t.Fatal(err)
	}
	before, err := p.db.Assignments(ctx)
	if err != nil {
		t.Fatal(err)
	}

	crm := filepath.Join(dir, "crm.csv")
	b, err := os.ReadFile(crm)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	// C1001 is Amelia Hart; a second CRM row for her must join her profile.
	amelia := strings.Replace(lines[1], "C1001,", "C1999,", 1)
	if !strings.HasPrefix(lines[1], "C1001,") {
		t.Fatalf("crm.csv row 2 is %q, want C1001", lines[1])
	}
	gone := strings.SplitN(lines[2], ",", 2)[0]
	lines = append(lines[:2], lines[3:]...) // delete the third row
	lines = append(lines, amelia)
	write(t, dir, "crm.csv", strings.Join(lines, "\n")+"\n")

	sum, err := p.Sync(ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Resolve == nil || !sum.Resolve.Incremental {
		t.Fatalf("sync of two changed rows resolved %+v, want incrementally", sum.Resolve)
	}
	if sum.Resolve.Records >= 20 {
		t.Errorf("incremental resolution took %d records, want only the touched profiles'", sum.Resolve.Records)
	}
	inc, err := p.db.Assignments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if inc["crm/C1999"] == "" || inc["crm/C1999"] != before["crm/C1001"] {
		t.Errorf("crm/C1999 in profile %q, want Amelia Hart's %q", inc["crm/C1999"], before["crm/C1001"])
	}
	if _, ok := inc["crm/"+gone]; ok {
		t.Errorf("deleted crm/%s still assigned", gone)
	}
	for k, id := range before {
		if k != "crm/"+gone && inc[k] != id {
			t.Errorf("%s moved from %s to %s", k, id, inc[k])
		}
	}

	if _, err := p.Resolve(ctx); err != nil {
		t.Fatal(err)
	}
	full, err := p.db.Assignments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !equalPartitions(inc, full) {
		t.Errorf("incremental and full resolution disagree:\nincremental %v\nfull        %v", inc, full)
	}
}

// equalPartitions reports whether two assignments group the same keys
// together, whatever the ids.
func equalPartitions(a, b map[string]string) bool {
	groups := func(m map[string]string) []string {
		by := map[string][]string{}
		for k, id := range m {
			by[id] = append(by[id], k)
		}
		var out []string
		for _, ks := range by {
			slices.Sort(ks)
			out = append(out, strings.Join(ks, " "))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(groups(a), groups(b))
}

// BenchmarkIncrementalRecord times the incremental resolution of one
// changed record on a store of generated data: SCV_BENCH_CUSTOMERS
// customers (default 10,000; about 2.1 records each). It reports the
// 50th and 99th percentile latencies; make bench runs it at 1M records.
func BenchmarkIncrementalRecord(b *testing.B) {
	ctx := context.Background()
	n := 10000
	if s := os.Getenv("SCV_BENCH_CUSTOMERS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			b.Fatalf("SCV_BENCH_CUSTOMERS=%q: %v", s, err)
		}
		n = v
	}
	dir := b.TempDir()
	if _, err := synth.Generate(ctx, dir, synth.Options{Customers: n, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	p := open(b, dir)
	if _, err := p.Sync(ctx, ""); err != nil {
		b.Fatal(err)
	}
	m, err := p.indexedModel(ctx)
	if err != nil || m == nil {
		b.Fatalf("no indexed model after the first sync: %v", err)
	}
	var keys []string
	p.db.ForEachRecord(ctx, func(r *customer.Record) error {
		if len(keys) < 1000 {
			keys = append(keys, r.Key())
		}
		return nil
	})
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		rec, err := p.db.Record(ctx, keys[i%len(keys)])
		if err != nil {
			b.Fatal(err)
		}
		rec.Fields[customer.Email] = customer.NormalizeEmail(fmt.Sprintf("changed.%d@example.org", i))
		if _, err := p.db.PutRecords(ctx, store.Batch{Records: []customer.Record{rec}}); err != nil {
			b.Fatal(err)
		}
		pending, err := p.db.Pending(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if _, err := p.resolveIncremental(ctx, m, pending); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// TestIncrementalDeleteSplits deletes the record that chained two others
// into one profile: the incremental resolution must split them, as a full
// one would.
func TestIncrementalDeleteSplits(t *testing.T) {
	ctx := context.Background()
	filler := "C10,Bob,Ray,bob@example.com,07700 900010\n" +
		"C11,Cat,Fox,cat@example.com,07700 900011\n" +
		"C12,Dan,Orr,dan@example.com,07700 900012\n" +
		"C13,Eve,Kim,eve@example.com,07700 900013\n"
	crm := "id,first,last,email,phone\n" +
		"C1,Ann,Lee,ann.lee@example.com,\n" +
		"C2,Ann,Lee,ann.lee@example.com,07700 900001\n" +
		"C3,,Lee,,07700 900001\n" + filler
	p, dir := setup(t, crm, "ref,name,mail\nS1,Gus Tan,gus@example.com\n")
	if _, err := p.Sync(ctx, ""); err != nil {
		t.Fatal(err)
	}
	before, err := p.db.AssignmentsOf(ctx, []string{"crm/C1", "crm/C2", "crm/C3"})
	if err != nil {
		t.Fatal(err)
	}
	if before["crm/C1"] != before["crm/C2"] || before["crm/C2"] != before["crm/C3"] {
		t.Fatalf("C1, C2 and C3 should start in one profile: %v", before)
	}
	write(t, dir, "crm.csv", "id,first,last,email,phone\n"+
		"C1,Ann,Lee,ann.lee@example.com,\n"+
		"C3,,Lee,,07700 900001\n"+filler)
	sum, err := p.Sync(ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Resolve == nil || !sum.Resolve.Incremental {
		t.Fatalf("sync resolved %+v, want incrementally", sum.Resolve)
	}
	after, err := p.db.AssignmentsOf(ctx, []string{"crm/C1", "crm/C2", "crm/C3"})
	if err != nil {
		t.Fatal(err)
	}
	if after["crm/C1"] == after["crm/C3"] {
		t.Errorf("C1 and C3 still share profile %s after C2, which chained them, was deleted", after["crm/C1"])
	}
	if _, ok := after["crm/C2"]; ok {
		t.Error("deleted C2 is still assigned")
	}
	if after["crm/C1"] != before["crm/C1"] && after["crm/C3"] != before["crm/C3"] {
		t.Errorf("neither part kept the profile id %s: %v", before["crm/C1"], after)
	}
}
