// Package nats consumes a NATS JetStream stream for package connectors
// through a durable pull consumer. Each message is one JSON object, an
// upsert of one record, or its delete when the source's deleted path is
// set in it; columns are dotted paths as in connectors/jsonl.
//
// A message is acked only when the caller commits its position, after the
// store holds it. The position is the message's stream sequence; the
// consumer acks all messages up to the one acked (AckAll), so a crash
// before the commit redelivers everything after the last commit, and
// messages at or before the caller's checkpoint are acked and skipped, so
// none is stored twice.
package nats

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/connectors/row"
)

// Options control a Stream. The zero value reads what is pending and ends.
type Options struct {
	Follow bool // Next waits for new messages instead of ending once caught up
	// Batch is how many messages one pull asks for; 0 means 500.
	Batch int
	// AckWait is how long the server waits for an ack before it
	// redelivers; 0 means 30s.
	AckWait time.Duration
}

// Stream reads one source's messages. It is not safe for concurrent use.
type Stream struct {
	nc   *nats.Conn
	cons jetstream.Consumer
	cols []string
	opts Options
	skip uint64 // messages at or before this sequence are already stored

	buf  []jetstream.Msg
	i    int
	sent int // rows returned since the last io.EOF

	mu      sync.Mutex               // Commit may run beside Next
	pending map[uint64]jetstream.Msg // read, not yet acked; guarded by mu
}

// Open connects to src.URL and binds the durable consumer src.Durable on
// src.Stream (created when missing, filtered to src.Subject), skipping
// messages at or before position from.
func Open(ctx context.Context, src config.Source, from string, opts Options) (*Stream, error) {
	if opts.Batch <= 0 {
		opts.Batch = 500
	}
	if opts.AckWait <= 0 {
		opts.AckWait = 30 * time.Second
	}
	var skip uint64
	if from != "" {
		n, err := strconv.ParseUint(from, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("nats: checkpoint %q is not a stream sequence; run scv sync --full", from)
		}
		skip = n
	}
	nc, err := nats.Connect(src.URL, nats.Name("scv"), nats.Timeout(10*time.Second), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("nats %s: connect: %w", redact(src.URL), err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats %s: %w", redact(src.URL), err)
	}
	st, err := js.Stream(ctx, src.Stream)
	if err != nil {
		nc.Close()
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return nil, fmt.Errorf("nats %s: stream %q: %w", redact(src.URL), src.Stream, err)
		}
		return nil, fmt.Errorf("nats %s: stream %q: %w (is JetStream enabled?)", redact(src.URL), src.Stream, err)
	}
	cc := jetstream.ConsumerConfig{
		Durable:       src.Durable,
		AckPolicy:     jetstream.AckAllPolicy,
		AckWait:       opts.AckWait,
		FilterSubject: src.Subject,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		MaxAckPending: -1,
	}
	cons, err := st.Consumer(ctx, src.Durable)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		if skip > 0 {
			cc.DeliverPolicy, cc.OptStartSeq = jetstream.DeliverByStartSequencePolicy, skip+1
		}
		cons, err = st.CreateConsumer(ctx, cc)
	}
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats %s: consumer %q on stream %q: %w", redact(src.URL), src.Durable, src.Stream, err)
	}
	return &Stream{nc: nc, cons: cons, cols: src.Columns(), opts: opts, skip: skip, pending: map[uint64]jetstream.Msg{}}, nil
}

// Header returns the columns: those src.Columns() names, as dotted paths.
func (s *Stream) Header() []string { return s.cols }

// Next returns the next message as a row with its stream sequence as Pos,
// or io.EOF once caught up: at once without Options.Follow; with it, only
// after at least one row, waiting for one otherwise. A message that is not
// a JSON object is a *row.Error (it is acked with the next commit: the
// caller has quarantined it).
func (s *Stream) Next(ctx context.Context) (row.Row, error) {
	for {
		if err := ctx.Err(); err != nil {
			return row.Row{}, err
		}
		if s.i >= len(s.buf) {
			n, err := s.fill(ctx, false)
			if err != nil {
				return row.Row{}, err
			}
			if n == 0 {
				if !s.opts.Follow || s.sent > 0 {
					s.sent = 0
					return row.Row{}, io.EOF
				}
				if _, err := s.fill(ctx, true); err != nil {
					return row.Row{}, err
				}
				continue
			}
		}
		m := s.buf[s.i]
		s.i++
		md, err := m.Metadata()
		if err != nil {
			return row.Row{}, fmt.Errorf("nats: message metadata: %w", err)
		}
		seq := md.Sequence.Stream
		s.mu.Lock()
		s.pending[seq] = m
		s.mu.Unlock()
		if seq <= s.skip {
			// Stored before a crash that came ahead of its ack.
			continue
		}
		s.sent++
		pos := strconv.FormatUint(seq, 10)
		data := m.Data()
		var obj map[string]any
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		if err := d.Decode(&obj); err != nil || obj == nil {
			return row.Row{Pos: pos}, &row.Error{Line: int64(seq), Raw: string(data), Err: row.ErrMalformed,
				Reason: "malformed message: not one JSON object"}
		}
		r, err := row.FromJSON(obj, s.cols, int64(seq), string(data))
		r.Pos = pos
		return r, err
	}
}

// fill pulls the next batch: what is available now, or, with wait, the
// first messages to arrive.
func (s *Stream) fill(ctx context.Context, wait bool) (int, error) {
	s.buf, s.i = s.buf[:0], 0
	for {
		var b jetstream.MessageBatch
		var err error
		cancel := func() {}
		if wait {
			var fctx context.Context
			fctx, cancel = context.WithTimeout(ctx, 2*time.Second)
			b, err = s.cons.Fetch(1, jetstream.FetchContext(fctx)) // back as soon as one arrives; the rest follow without waiting
		} else {
			b, err = s.cons.FetchNoWait(s.opts.Batch)
		}
		if err != nil {
			cancel()
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			return 0, fmt.Errorf("nats: fetch: %w", err)
		}
		for m := range b.Messages() {
			s.buf = append(s.buf, m)
		}
		cancel()
		if err := b.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			return 0, fmt.Errorf("nats: fetch: %w", err)
		}
		if len(s.buf) > 0 || !wait {
			return len(s.buf), nil
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
	}
}

// Commit acks every message up to stream sequence pos, once the caller
// has stored them.
func (s *Stream) Commit(ctx context.Context, pos string) error {
	seq, err := strconv.ParseUint(pos, 10, 64)
	if err != nil {
		return fmt.Errorf("nats: commit %q: not a stream sequence", pos)
	}
	s.mu.Lock()
	m, ok := s.pending[seq]
	s.mu.Unlock()
	if !ok {
		return nil
	}
	if err := m.DoubleAck(ctx); err != nil {
		return fmt.Errorf("nats: ack up to %d: %w", seq, err)
	}
	s.mu.Lock()
	for k := range s.pending {
		if k <= seq {
			delete(s.pending, k)
		}
	}
	s.mu.Unlock()
	return nil
}

// Close asks the server to redeliver at once what was read but not
// committed, and closes the connection.
func (s *Stream) Close() error {
	s.mu.Lock()
	for _, m := range s.pending {
		m.Nak()
	}
	s.mu.Unlock()
	for _, m := range s.buf[s.i:] {
		m.Nak()
	}
	s.nc.Close()
	return nil
}

func redact(u string) string {
	if nu, err := url.Parse(u); err == nil && nu.User != nil {
		nu.User = nil
		return nu.String()
	}
	return u
}
