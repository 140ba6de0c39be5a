package server

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	scvv1 "github.com/scvhq/scv/proto/scv/v1"
)

// TestWatchProfiles watches from now, sees an ingested record's change
// pushed, resumes after a disconnect from the last seq with no gap and
// no duplicate, and ends with OK when the server stops.
func TestWatchProfiles(t *testing.T) {
	addr, stop := ingestServer(t)
	conn := dial(t, addr)
	ing := scvv1.NewIngestServiceClient(conn)
	prof := scvv1.NewProfileServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	upsert := func(id, email string) {
		t.Helper()
		if _, err := ing.UpsertRecords(ctx, &scvv1.UpsertRecordsRequest{Records: []*scvv1.RecordInput{{Source: "web", Id: id, Emails: []string{email}}}}); err != nil {
			t.Fatal(err)
		}
	}
	watch := func(ctx context.Context, since *uint64) scvv1.ProfileService_WatchProfilesClient {
		t.Helper()
		s, err := prof.WatchProfiles(ctx, &scvv1.WatchProfilesRequest{Since: since})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// The sync's entries came before: from now, the first entry received
	// is the ingest's.
	wctx, wcancel := context.WithCancel(ctx)
	s := watch(wctx, nil)
	time.Sleep(200 * time.Millisecond) // let the watch take its starting point
	upsert("a", "a@example.com")
	first, err := s.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if first.GetKind() != scvv1.ChangeKind_CHANGE_KIND_CREATED || first.GetSeq() < 2 {
		t.Errorf("first entry %v, want the ingest's created entry after the sync's", first)
	}
	wcancel()

	upsert("b", "b@example.com")
	upsert("c", "c@example.com")
	since := first.GetSeq()
	s = watch(ctx, &since)
	for want := since + 1; want <= since+2; want++ {
		c, err := s.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if c.GetSeq() != want || c.GetName() == "" || c.GetChangeTime() == nil {
			t.Errorf("resumed entry %v, want seq %d", c, want)
		}
	}

	var zero uint64
	all := watch(ctx, &zero)
	if c, err := all.Recv(); err != nil || c.GetSeq() != 1 {
		t.Errorf("since 0: first entry %v %v, want seq 1", c, err)
	}

	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := s.Recv(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Errorf("after shutdown: %v, want the stream to end with OK", err)
			}
			break
		}
	}
}
