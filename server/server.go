// Package server is scv's gRPC adapter: it serves scv.v1.ProfileService,
// grpc.health.v1.Health and server reflection over a Store, converting
// between protobuf messages and the customer model at the edge. It holds
// no business logic.
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/hashicorp/go-hclog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
	"github.com/scvhq/scv/resolver"
)

// Store is what the server reads profiles from; store/bolt's *DB
// satisfies it.
type Store interface {
	// Profile returns the profile with id and its live member records, or
	// an error wrapping customer.ErrNotFound.
	Profile(ctx context.Context, id string) (customer.Profile, error)
	// GoldenProfile returns the profile with id, its live members and its
	// stored golden profile, read together, or an error wrapping
	// customer.ErrNotFound.
	GoldenProfile(ctx context.Context, id string) (customer.Profile, *golden.Profile, error)
	// Lookup returns the sorted ids of the profiles holding a live record
	// with the identifier kind and value; value is already normalized. It
	// returns an error wrapping customer.ErrNotFound when there is none.
	Lookup(ctx context.Context, kind, value string) ([]string, error)
}

// DefaultDrainTimeout is how long Serve waits for in-flight calls when
// Options.DrainTimeout is zero.
const DefaultDrainTimeout = 5 * time.Second

// Options configure a Server. The zero value works.
type Options struct {
	// Logger receives a debug line per call and the detail of internal
	// errors; nil means hclog.NewNullLogger().
	Logger hclog.Logger
	// DefaultCountry is the ISO 3166-1 alpha-2 region used to parse phone
	// numbers given in national format to LookupProfile, such as "GB";
	// empty means only international (E.164) numbers are accepted.
	DefaultCountry string
	// Explain explains why the resolver's trained model scores two records
	// as it does, for ExplainProfile; cmd/scv passes a closure over the
	// stored model's (*resolver.Model).Explain. nil makes ExplainProfile
	// fail with FAILED_PRECONDITION.
	Explain func(a, b *customer.Record) (resolver.Explanation, error)
	// DrainTimeout bounds how long Serve lets in-flight calls finish once
	// its context is done before it closes their connections; zero means
	// DefaultDrainTimeout.
	DrainTimeout time.Duration
}

// Server serves the scv gRPC API over a Store.
type Server struct {
	store Store
	opts  Options
}

// New returns a Server that reads from store, which must be open and stay
// open until Serve returns.
func New(store Store, opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	if opts.DrainTimeout <= 0 {
		opts.DrainTimeout = DefaultDrainTimeout
	}
	return &Server{store: store, opts: opts}
}

// Serve accepts gRPC connections on lis until ctx is done. It registers
// scv.v1.ProfileService, grpc.health.v1.Health (SERVING for the empty
// service name and for scv.v1.ProfileService) and server reflection. When
// ctx is done it reports NOT_SERVING, stops accepting, lets in-flight calls
// finish for at most Options.DrainTimeout, then closes the remaining
// connections. It closes lis and returns nil after a stop caused by ctx, or
// the error that made serving fail.
func (s *Server) Serve(ctx context.Context, lis net.Listener) error {
	lg := s.opts.Logger
	gs := grpc.NewServer(grpc.ChainUnaryInterceptor(s.intercept))
	scvv1.RegisterProfileServiceServer(gs, &profileService{store: s.store, country: s.opts.DefaultCountry, explain: s.opts.Explain})
	hs := health.NewServer()
	healthpb.RegisterHealthServer(gs, hs)
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	hs.SetServingStatus(scvv1.ProfileService_ServiceDesc.ServiceName, healthpb.HealthCheckResponse_SERVING)
	reflection.Register(gs)

	served := make(chan error, 1)
	go func() { served <- gs.Serve(lis) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve gRPC on %s: %w", lis.Addr(), err)
	case <-ctx.Done():
	}

	lg.Info("draining", "timeout", s.opts.DrainTimeout)
	hs.Shutdown()
	drained := make(chan struct{})
	go func() {
		gs.GracefulStop()
		close(drained)
	}()
	timer := time.NewTimer(s.opts.DrainTimeout)
	defer timer.Stop()
	select {
	case <-drained:
	case <-timer.C:
		lg.Warn("drain timed out, closing connections", "timeout", s.opts.DrainTimeout)
		gs.Stop()
		<-drained
	}
	if err := <-served; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return fmt.Errorf("serve gRPC on %s: %w", lis.Addr(), err)
	}
	lg.Info("stopped")
	return nil
}
