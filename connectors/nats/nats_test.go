package nats_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors/nats"
	"github.com/scvhq/scv/internal/servicetest"
)

// stream creates a stream of its own on the test server, deleted when
// the test ends, and returns a source over it and a publisher.
func stream(t *testing.T) (config.Source, func(format string, args ...any)) {
	t.Helper()
	url := servicetest.NATS(t)
	nc, err := natsgo.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	name := servicetest.Name("SCV_TEST")
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{name + ".>"}, Storage: jetstream.MemoryStorage}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { js.DeleteStream(context.Background(), name) })
	src := config.Source{
		Name: "events", Type: "nats", URL: url, Stream: name, Subject: name + ".customers", Durable: "scv",
		ID: "id", Deleted: "deleted", Map: map[string][]string{"email": {"email"}},
	}
	pub := func(format string, args ...any) {
		t.Helper()
		if _, err := js.Publish(ctx, name+".customers", fmt.Appendf(nil, format, args...)); err != nil {
			t.Fatal(err)
		}
	}
	return src, pub
}

// drain reads rows until io.EOF as "id deleted pos".
func drain(t *testing.T, s *nats.Stream) []string {
	t.Helper()
	var out []string
	for {
		r, err := s.Next(context.Background())
		if err == io.EOF {
			return out
		}
		if err != nil {
			out = append(out, "bad "+r.Pos+": "+err.Error())
			continue
		}
		out = append(out, fmt.Sprintf("%s %s %s", r.Values[0], r.Values[1], r.Pos))
	}
}

func TestCommitAndRestart(t *testing.T) {
	src, pub := stream(t)
	pub(`{"id": "1", "email": "a@example.com"}`)
	pub(`{"id": "2", "email": "b@example.com"}`)
	pub(`not json`)
	ctx := context.Background()
	s, err := nats.Open(ctx, src, "", nats.Options{AckWait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, s)
	if want := "[1  1 2  2 bad 3: row 3: malformed message: not one JSON object]"; fmt.Sprint(got) != want {
		t.Fatalf("first read %q, want %s", got, want)
	}
	if err := s.Commit(ctx, "2"); err != nil { // message 3 read but not stored
		t.Fatal(err)
	}
	pub(`{"id": "1", "deleted": true}`) // published while the consumer is bound
	s.Close()

	// A restart redelivers what was not committed, at once.
	s, err = nats.Open(ctx, src, "2", nats.Options{AckWait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	got = drain(t, s)
	if want := "[bad 3: row 3: malformed message: not one JSON object 1 true 4]"; fmt.Sprint(got) != want {
		t.Fatalf("after restart %q, want %s", got, want)
	}
	if err := s.Commit(ctx, "4"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// A crash after the store commit but before the ack: the checkpoint
	// says 5 is stored, so 5 is acked and skipped, never stored twice.
	pub(`{"id": "3"}`)
	pub(`{"id": "4"}`)
	s, err = nats.Open(ctx, src, "4", nats.Options{AckWait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	drain(t, s)
	s.Close() // no commit: the crash
	s, err = nats.Open(ctx, src, "5", nats.Options{AckWait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := drain(t, s); fmt.Sprint(got) != "[4  6]" {
		t.Fatalf("after a crash past the store commit %q, want only message 6", got)
	}
}

func TestFollow(t *testing.T) {
	src, pub := stream(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := nats.Open(ctx, src, "", nats.Options{Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	go func() {
		time.Sleep(300 * time.Millisecond)
		pub(`{"id": "1"}`)
	}()
	r, err := s.Next(ctx)
	if err != nil || r.Values[0] != "1" {
		t.Fatalf("Next = %v, %v; want the message published while it waited", r, err)
	}
	if _, err := s.Next(ctx); err != io.EOF {
		t.Fatalf("caught up: %v, want io.EOF", err)
	}
	cctx, ccancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer ccancel()
	if _, err := s.Next(cctx); err == nil || cctx.Err() == nil {
		t.Fatalf("Next after its context ended: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	src, _ := stream(t)
	src.Stream = "NO_SUCH_STREAM"
	_, err := nats.Open(context.Background(), src, "", nats.Options{})
	if err == nil || !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Errorf("missing stream: %v", err)
	}
	src.URL = "nats://127.0.0.1:1"
	if _, err := nats.Open(context.Background(), src, "", nats.Options{}); err == nil {
		t.Error("unreachable server: no error")
	}
}

func BenchmarkNext(b *testing.B) {
	url := servicetest.NATS(b)
	nc, err := natsgo.Connect(url)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	name := servicetest.Name("SCV_BENCH")
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{name}, Storage: jetstream.MemoryStorage}); err != nil {
		b.Fatal(err)
	}
	defer js.DeleteStream(ctx, name)
	for i := range b.N {
		if _, err := js.PublishAsync(name, fmt.Appendf(nil, `{"id": "%d", "email": "u%d@example.com"}`, i, i)); err != nil {
			b.Fatal(err)
		}
		if i%1000 == 999 {
			<-js.PublishAsyncComplete()
		}
	}
	<-js.PublishAsyncComplete()
	src := config.Source{Name: "e", URL: url, Stream: name, Durable: "bench", ID: "id", Map: map[string][]string{"email": {"email"}}}
	s, err := nats.Open(ctx, src, "", nats.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i, empty := 0, 0; i < b.N; {
		_, err := s.Next(ctx)
		switch {
		case err == io.EOF && empty < 100: // a pull that came back empty on a loaded server; ask again
			empty++
			continue
		case err != nil:
			b.Fatal(err)
		}
		i++
	}
}
