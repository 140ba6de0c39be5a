package pipeline

import (
	"context"
	"errors"
	"fmt"
	"testing"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/scvhq/scv/internal/servicetest"
)

// TestNATSSync publishes customer events to a stream of its own, syncs
// while more are published, stops the sync mid-way as a crash would,
// and checks that the next sync stores every event once: none lost, none
// repeated, and a delete message deletes.
func TestNATSSync(t *testing.T) {
	url := servicetest.NATS(t)
	nc, err := natsgo.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	name := servicetest.Name("SCV_TEST")
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{name}, Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatal(err)
	}
	defer js.DeleteStream(context.Background(), name)
	publish := func(from, to int) {
		t.Helper()
		for i := from; i < to; i++ {
			if _, err := js.Publish(ctx, name, fmt.Appendf(nil, `{"id": "%d", "name": {"given": "Ann", "family": "Lee%d"}, "email": "u%d@example.com"}`, i, i, i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	publish(0, 500)

	dir := t.TempDir()
	write(t, dir, "scv.hcl", `
data_dir = "./data"
source "events" {
  type    = "nats"
  url     = "`+url+`"
  stream  = "`+name+`"
  durable = "scv"
  id      = "id"
  deleted = "deleted"
  map {
    given_name  = "name.given"
    family_name = "name.family"
    email       = "email"
  }
}
`)
	p := open(t, dir)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	published := false
	crashing := &testPipeline{New(p.cfg, p.db, Options{BatchSize: 100, Progress: func(pr Progress) {
		if pr.Stage != "sync" || pr.Done < 200 {
			return
		}
		if !published {
			published = true
			publish(500, 600) // while the sync runs
		}
		cancel()
	}}), p.db}
	sum, err := crashing.SyncWith(cctx, "", SyncOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("crashing sync: %v, %+v", err, sum)
	}
	st, _ := p.db.Sources(ctx)
	first := st["events"].Records
	if first < 200 || first >= 600 {
		t.Fatalf("the stopped sync stored %d records, want some", first)
	}
	if _, err := js.Publish(ctx, name, []byte(`{"id": "7", "deleted": true}`)); err != nil {
		t.Fatal(err)
	}
	got, err := syncSummary(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("read %d inserted %d updated 1 deleted 1", 600-first+1, 600-first); got != want {
		t.Errorf("next sync: %s, want %s", got, want)
	}
	st, _ = p.db.Sources(ctx)
	if st["events"].Records != 599 || st["events"].Deleted != 1 {
		t.Errorf("stored %+v, want 599 live and 1 deleted", st["events"])
	}
	if got, _ := syncSummary(p); got != "read 0 inserted 0 updated 0 deleted 0" {
		t.Errorf("a sync with nothing new: %s", got)
	}
}

func syncSummary(p *testPipeline) (string, error) {
	sum, err := p.Sync(context.Background(), "")
	if err != nil || len(sum.Sources) == 0 {
		return "", err
	}
	s := sum.Sources[0]
	return fmt.Sprintf("read %d inserted %d updated %d deleted %d", s.Read, s.Inserted, s.Updated, s.Deleted), nil
}
