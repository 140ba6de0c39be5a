// Package server is scv's gRPC adapter: it serves scv.v1.ProfileService,
// scv.v1.AdminService (when given an Admin), scv.v1.IngestService (when
// given an Ingester), grpc.health.v1.Health and
// server reflection over a Store, converting between protobuf messages
// and the customer model at the edge. It holds no business logic.
package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
	scvv1 "github.com/scvhq/scv/proto/scv/v1"
	"github.com/scvhq/scv/resolver"
	"github.com/scvhq/scv/store"
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
	// ProfileIDs returns up to limit sorted profile ids greater than
	// after, for ListProfiles.
	ProfileIDs(ctx context.Context, after string, limit int) ([]string, error)
	// EnsureMeta stores v under key unless key has a value and returns
	// the stored value; Serve keeps the page-token key there.
	EnsureMeta(ctx context.Context, key string, v []byte) ([]byte, error)
}

// Admin makes and removes the manual overrides of AdminService;
// override.Service satisfies it.
type Admin interface {
	// Merge joins the profiles ids into one and returns it with the
	// overrides it stored.
	Merge(ctx context.Context, ids []string) (customer.Profile, []store.Override, error)
	// Split moves the records keys of profile id into a profile of their
	// own and returns the resulting profiles with the overrides it stored.
	Split(ctx context.Context, id string, keys []string) ([]customer.Profile, []store.Override, error)
	// List returns every stored override in id order.
	List(ctx context.Context) ([]store.Override, error)
	// Delete removes the override id, or returns an error wrapping
	// customer.ErrNotFound.
	Delete(ctx context.Context, id uint64) error
}

// DefaultDrainTimeout is how long Serve waits for in-flight calls when
// Options.DrainTimeout is zero.
const DefaultDrainTimeout = 5 * time.Second

// Message size limits when Options leave them zero. A request of 4 MiB
// holds a BatchGetProfiles of 1,000 names with room to spare; a response
// of 64 MiB holds 1,000 profiles in PROFILE_VIEW_FULL of about 60 KiB
// each. A larger request is RESOURCE_EXHAUSTED before it is decoded.
const (
	DefaultMaxRecvMsgSize = 4 << 20
	DefaultMaxSendMsgSize = 64 << 20
)

// Options configure a Server. The zero value works.
type Options struct {
	// Logger receives a debug line per call and the detail of internal
	// errors; nil means hclog.NewNullLogger().
	Logger hclog.Logger
	// DefaultCountry is the ISO 3166-1 alpha-2 region used to parse phone
	// numbers given in national format to LookupProfile, such as "GB";
	// empty means only international (E.164) numbers are accepted.
	DefaultCountry string
	// IdentifierKinds are the strong identifier kinds the configuration
	// maps, such as "national_id". LookupProfile answers another kind
	// (besides email, phone and source_record) with INVALID_ARGUMENT
	// naming the kinds that exist; nil accepts any kind.
	IdentifierKinds []string
	// Explain explains why the resolver's trained model scores two records
	// as it does, for ExplainProfile; cmd/scv passes a closure over the
	// stored model's (*resolver.Model).Explain. nil makes ExplainProfile
	// fail with FAILED_PRECONDITION.
	Explain func(a, b *customer.Record) (resolver.Explanation, error)
	// DrainTimeout bounds how long Serve lets in-flight calls finish once
	// its context is done before it closes their connections; zero means
	// DefaultDrainTimeout.
	DrainTimeout time.Duration
	// Admin serves scv.v1.AdminService; nil leaves the service out.
	Admin Admin
	// Ingest serves scv.v1.IngestService; nil leaves the service out.
	Ingest Ingester
	// Changes is the change log WatchProfiles streams; nil makes it
	// FAILED_PRECONDITION.
	Changes ChangeLog
	// Committed returns a channel closed at the next commit of the
	// process's writer (cmd/scv passes (*pipeline.Pipeline).Committed), so
	// that WatchProfiles pushes each entry as it lands; nil means
	// WatchProfiles reads the log once a second.
	Committed func() <-chan struct{}
	// MaxRecvMsgSize and MaxSendMsgSize bound the size of one request and
	// one response message in bytes; zero means DefaultMaxRecvMsgSize and
	// DefaultMaxSendMsgSize.
	MaxRecvMsgSize, MaxSendMsgSize int
	// Clients may call the scv.v1 services with their bearer tokens, each
	// within its scopes (see methodScopes). None means every call is
	// allowed unmasked, which Serve allows only on a loopback listener.
	Clients []Client
	// TLS, when set, serves TLS with this config (see TLSConfig); nil
	// means plaintext.
	TLS *tls.Config
	// HTTP, when set, serves /metrics (Prometheus: grpc_server_handled_total,
	// grpc_server_handling_seconds, the Go runtime and Collectors),
	// /healthz and /readyz on this listener until Serve returns.
	HTTP net.Listener
	// Collectors are registered with the /metrics registry, for scv's
	// own scv_* metrics.
	Collectors []prometheus.Collector
}

// Server serves the scv gRPC API over a Store.
type Server struct {
	store   Store
	opts    Options
	codec   *codec
	metrics *grpcprom.ServerMetrics
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
	if opts.MaxRecvMsgSize <= 0 {
		opts.MaxRecvMsgSize = DefaultMaxRecvMsgSize
	}
	if opts.MaxSendMsgSize <= 0 {
		opts.MaxSendMsgSize = DefaultMaxSendMsgSize
	}
	metrics := grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram())
	return &Server{store: store, opts: opts, codec: newCodec(), metrics: metrics}
}

// tokenKeyMeta is the store metadata key of the page-token signing key.
const tokenKeyMeta = "server/page-token-key"

// Serve accepts gRPC connections on lis until ctx is done. It registers
// scv.v1.ProfileService, scv.v1.AdminService when Options.Admin is set,
// grpc.health.v1.Health (SERVING for the empty service name and for each
// scv service) and server reflection. Without Options.Clients it refuses
// a TCP listener beyond loopback with an *OpenError. Page tokens are signed with a
// random key that Serve keeps in the store's metadata, so they stay valid
// across restarts. When
// ctx is done it reports NOT_SERVING, stops accepting, lets in-flight calls
// finish for at most Options.DrainTimeout, then closes the remaining
// connections. It closes lis and returns nil after a stop caused by ctx, or
// the error that made serving fail.
func (s *Server) Serve(ctx context.Context, lis net.Listener) error {
	lg := s.opts.Logger
	if err := checkOpen(lis.Addr(), s.opts.Clients); err != nil {
		lis.Close()
		return err
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return fmt.Errorf("page token key: %w", err)
	}
	key, err := s.store.EnsureMeta(ctx, tokenKeyMeta, fresh)
	if err != nil {
		lis.Close()
		return fmt.Errorf("page token key: %w", err)
	}
	tokens := pageTokens{key: key}
	serverOpts := []grpc.ServerOption{
		grpc.ForceServerCodecV2(s.codec),
		grpc.MaxRecvMsgSize(s.opts.MaxRecvMsgSize),
		grpc.MaxSendMsgSize(s.opts.MaxSendMsgSize),
		grpc.ChainUnaryInterceptor(s.metrics.UnaryServerInterceptor(), s.intercept),
		grpc.ChainStreamInterceptor(s.metrics.StreamServerInterceptor(), s.interceptStream),
	}
	if s.opts.TLS != nil {
		serverOpts = append(serverOpts, grpc.Creds(credentials.NewTLS(s.opts.TLS)))
	}
	gs := grpc.NewServer(serverOpts...)
	services := []string{scvv1.ProfileService_ServiceDesc.ServiceName}
	stopping := make(chan struct{})
	scvv1.RegisterProfileServiceServer(gs, &profileService{store: s.store, country: s.opts.DefaultCountry, kinds: s.opts.IdentifierKinds, explain: s.opts.Explain, tokens: tokens,
		changes: s.opts.Changes, committed: s.opts.Committed, stopping: stopping})
	if s.opts.Admin != nil {
		scvv1.RegisterAdminServiceServer(gs, &adminService{admin: s.opts.Admin, store: s.store, tokens: tokens})
		services = append(services, scvv1.AdminService_ServiceDesc.ServiceName)
	}
	if s.opts.Ingest != nil {
		scvv1.RegisterIngestServiceServer(gs, &ingestService{ingest: s.opts.Ingest})
		services = append(services, scvv1.IngestService_ServiceDesc.ServiceName)
	}
	hs := health.NewServer()
	healthpb.RegisterHealthServer(gs, hs)
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	for _, name := range services {
		hs.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	}
	reflection.Register(gs)
	s.metrics.InitializeMetrics(gs)

	var httpDone chan error // nil without Options.HTTP, so never ready
	httpCtx, stopHTTP := context.WithCancel(ctx)
	defer stopHTTP()
	if s.opts.HTTP != nil {
		httpDone = make(chan error, 1)
		reg, err := s.registry()
		if err != nil {
			lis.Close()
			s.opts.HTTP.Close()
			return fmt.Errorf("metrics: %w", err)
		}
		go func() { httpDone <- s.serveHTTP(httpCtx, httpHandler(reg, hs)) }()
	}

	served := make(chan error, 1)
	go func() { served <- gs.Serve(lis) }()
	select {
	case err := <-served:
		stopHTTP()
		if httpDone != nil {
			<-httpDone
		}
		return fmt.Errorf("serve gRPC on %s: %w", lis.Addr(), err)
	case err := <-httpDone:
		gs.Stop()
		<-served
		return fmt.Errorf("serve HTTP on %s: %w", s.opts.HTTP.Addr(), err)
	case <-ctx.Done():
	}

	lg.Info("draining", "timeout", s.opts.DrainTimeout)
	hs.Shutdown()
	close(stopping) // WatchProfiles streams end with OK
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
	if httpDone != nil {
		if err := <-httpDone; err != nil {
			return fmt.Errorf("serve HTTP on %s: %w", s.opts.HTTP.Addr(), err)
		}
	}
	lg.Info("stopped")
	return nil
}
