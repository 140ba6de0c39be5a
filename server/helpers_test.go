package server

import (
	"bytes"
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/scvhq/scv/customer"
)

var (
	consentEarly = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	consentLate  = time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	updated      = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
)

// record builds a normalized record of source/id the way a connector does:
// field values are raw, then customer.Normalize with GB as the country.
func record(source, id string, fields map[customer.Field][]string, ids map[string]string) customer.Record {
	r := customer.Record{Source: source, ID: id, UpdatedAt: updated}
	for f := customer.Field(0); f < customer.NumFields; f++ {
		for _, raw := range fields[f] {
			r.Add(f, customer.Value{Raw: raw})
		}
	}
	if len(ids) > 0 {
		r.Identifiers = make(map[string]customer.Value, len(ids))
		for k, v := range ids {
			r.Identifiers[k] = customer.Value{Raw: v}
		}
	}
	customer.Normalize(&r, customer.Options{DefaultCountry: "GB"})
	return r
}

// fixture returns the test records and their assignment to profiles:
// crm/1 and shop/9 are Alice (profile pAlice), desk/3 is Bob (pBob).
func fixture() ([]customer.Record, map[string]string) {
	alice1 := record("crm", "1", map[customer.Field][]string{
		customer.GivenName:   {"Alice"},
		customer.FamilyName:  {"Smith"},
		customer.Email:       {"ALICE@Example.com"},
		customer.Phone:       {"020 7946 0958"},
		customer.DateOfBirth: {"n/a"},
	}, map[string]string{"national_id": "AB123456C"})
	alice1.Consent = map[string]customer.Consent{"email": {Status: customer.ConsentGranted, At: consentEarly}}
	alice1.Attributes = map[string]string{"tier": "gold"}

	alice2 := record("shop", "9", map[customer.Field][]string{
		customer.GivenName:   {"alice"},
		customer.FamilyName:  {"smith"},
		customer.Email:       {"alice@example.com", "alice.s@work.example.org"},
		customer.Phone:       {"+44 7700 900123"},
		customer.DateOfBirth: {"1990-04-05"},
	}, nil)
	alice2.Consent = map[string]customer.Consent{
		"email": {Status: customer.ConsentDenied, At: consentLate},
		"sms":   {Status: customer.ConsentGranted, At: consentEarly},
	}

	bob := record("desk", "3", map[customer.Field][]string{
		customer.GivenName:  {"Bob"},
		customer.FamilyName: {"Jones"},
		customer.Email:      {"bob(at)example.net", "bob@example.net"},
		customer.Phone:      {"unknown"},
	}, nil)
	bob.UpdatedAt = time.Time{}

	recs := []customer.Record{alice1, alice2, bob}
	assign := map[string]string{"crm/1": "pAlice", "shop/9": "pAlice", "desk/3": "pBob"}
	return recs, assign
}

// serve runs a Server over st on a loopback port and returns a client
// connection to it. Cleanup stops the server and checks that Serve
// returned nil.
func serve(t testing.TB, st Store, opts Options) *grpc.ClientConn {
	t.Helper()
	conn, stop := start(t, st, opts)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return conn
}

// start runs a Server over st on a loopback port and returns a client
// connection and a func that cancels Serve's context and returns what
// Serve returned.
func start(t testing.TB, st Store, opts Options) (*grpc.ClientConn, func() error) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- New(st, opts).Serve(ctx, lis) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var once sync.Once
	var serveErr error
	return conn, func() error {
		once.Do(func() {
			cancel()
			select {
			case serveErr = <-served:
			case <-time.After(10 * time.Second):
				serveErr = errors.New("Serve did not return within 10s of cancel")
			}
		})
		return serveErr
	}
}

// logBuffer is a concurrency-safe log sink for an hclog logger.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// debugLogger returns a debug-level logger writing to a buffer.
func debugLogger() (hclog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return hclog.New(&hclog.LoggerOptions{Level: hclog.Debug, Output: buf}), buf
}
