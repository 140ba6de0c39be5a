package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/override"
	"github.com/scvhq/scv/server"
	"github.com/scvhq/scv/store/bolt"
)

func runServe(ctx context.Context, a *app, args []string) error {
	fs := a.flags("serve", "--config FILE [--listen HOST:PORT]")
	cfgPath := configFlag(fs)
	listen := fs.String("listen", "", "listen on `HOST:PORT` instead of server.listen from the config")
	if err := a.parseConfig(fs, args, cfgPath); err != nil {
		return err
	}
	p, err := a.openConfig(*cfgPath)
	if err != nil {
		return err
	}
	defer p.Close()
	// Changes an interrupted sync stored but did not resolve are served
	// resolved.
	if _, err := p.ResolvePending(ctx); err != nil {
		return err
	}
	a.endProgress()
	cfg := p.cfg
	addr := cfg.Server.Listen
	if *listen != "" {
		addr = *listen
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	country := ""
	if len(cfg.Sources) > 0 {
		country = cfg.Sources[0].DefaultCountry
	}
	// Merges and splits resolve through the pipeline; nothing else in the
	// server process runs it, and override.Service runs one change at a
	// time.
	resolve := func(ctx context.Context) error {
		_, err := p.ResolvePending(ctx)
		return err
	}
	admin := override.New(p.db, resolve, override.Options{MustLink: cfg.Resolver.MustLink, CannotLink: cfg.Resolver.CannotLink})
	opts := server.Options{Logger: a.logger.Named("server"), DefaultCountry: country, IdentifierKinds: cfg.IdentifierKinds(), Admin: admin, Ingest: p.Pipeline,
		Changes: p.db, Committed: p.Committed}
	for _, c := range cfg.Clients {
		opts.Clients = append(opts.Clients, server.Client{Name: c.Name, TokenSHA256: c.TokenSHA256, Scopes: c.Scopes})
	}
	switch explain, err := p.ExplainFunc(ctx); {
	case err == nil:
		opts.Explain = explain
	case errors.Is(err, customer.ErrNotFound):
		a.logger.Warn("no trained model in the store: ExplainProfile is unavailable until scv resolve runs")
	default:
		return err
	}
	if cfg.Server.TLSCert != "" {
		tc, err := server.TLSConfig(server.TLSFiles{Cert: cfg.Server.TLSCert, Key: cfg.Server.TLSKey, ClientCA: cfg.Server.ClientCA})
		if err != nil {
			lis.Close()
			return err
		}
		opts.TLS = tc
	}
	httpAddr := ""
	if cfg.Server.HTTPListen != "" {
		hl, err := net.Listen("tcp", cfg.Server.HTTPListen)
		if err != nil {
			lis.Close()
			return fmt.Errorf("listen on %s: %w", cfg.Server.HTTPListen, err)
		}
		opts.HTTP = hl
		httpAddr = hl.Addr().String()
		storeFile := filepath.Join(cfg.DataDir, bolt.FileName)
		opts.Collectors = append(opts.Collectors, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "scv_store_file_bytes",
			Help: "Size of the store's bbolt file in bytes.",
		}, func() float64 {
			fi, err := os.Stat(storeFile)
			if err != nil {
				return 0
			}
			return float64(fi.Size())
		}))
	}
	srv := server.New(p.db, opts)
	a.logger.Info("serving", "address", lis.Addr().String(), "http_address", httpAddr, "store", cfg.DataDir, "tls", opts.TLS != nil)
	return srv.Serve(ctx, lis)
}
