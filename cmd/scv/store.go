package main

import (
	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
	"github.com/scvhq/scv/pipeline"
	"github.com/scvhq/scv/store/bolt"
)

// session is a loaded configuration with its store open and a pipeline
// over the store: what a command that works on the store holds.
type session struct {
	*pipeline.Pipeline
	cfg *config.Config
	db  *bolt.DB
}

// openConfig loads the configuration at path and opens its store.
func (a *app) openConfig(path string) (*session, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	return a.openStore(cfg)
}

// openStore opens the store in cfg.DataDir and wires a pipeline to it.
func (a *app) openStore(cfg *config.Config) (*session, error) {
	gb := golden.New(pipeline.GoldenOptions(cfg))
	db, err := bolt.Open(cfg.DataDir, bolt.Options{
		Logger: a.logger.Named("store"),
		Golden: func(id string, members []customer.Record) *golden.Profile { return gb.Build(id, members, false) },
	})
	if err != nil {
		return nil, err
	}
	p := pipeline.New(cfg, db, pipeline.Options{Logger: a.logger, Progress: a.progress})
	return &session{Pipeline: p, cfg: cfg, db: db}, nil
}

// Close closes the store.
func (s *session) Close() error { return s.db.Close() }
