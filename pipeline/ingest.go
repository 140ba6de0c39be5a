package pipeline

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/store"
)

// SourceError is returned by Ingest and DeleteRecord for a record whose
// source is not a configured source of type "api". It wraps
// ErrUnknownSource.
type SourceError struct {
	Source string   // the source the record named
	API    []string // the configured api sources, in config order
}

func (e *SourceError) Error() string {
	api := "none"
	if len(e.API) > 0 {
		api = strings.Join(e.API, ", ")
	}
	return fmt.Sprintf("source %q is not a declared api source (declared api sources: %s)", e.Source, api)
}

// Unwrap returns ErrUnknownSource.
func (e *SourceError) Unwrap() error { return ErrUnknownSource }

// RecordError is a record Ingest left out: its index in the batch, the
// field at fault ("id", "email[1]", "identifiers.national_id") and why.
type RecordError struct {
	Index  int
	Field  string
	Reason string
}

// IngestResult is what Ingest did.
type IngestResult struct {
	Stats    store.PutStats
	Rejected []RecordError // records left out, in batch order
}

// apiSource returns the configured api source named name.
func (p *Pipeline) apiSource(name string) (config.Source, error) {
	var api []string
	for _, src := range p.cfg.Sources {
		if src.Type != "api" {
			continue
		}
		if src.Name == name {
			return src, nil
		}
		api = append(api, src.Name)
	}
	return config.Source{}, &SourceError{Source: name, API: api}
}

// Ingest stores records written through the API (IngestService) for
// sources of type "api", then resolves them incrementally, so that each
// is in its profile and the change log when Ingest returns. Every record
// must name a configured api source, or nothing is stored and the error
// is a *SourceError. A record without an id, with a value that is not
// valid UTF-8 or that is longer than its source's max_value is left out
// and listed in the result; the others are normalized with their
// source's default_country and date rules and stored in one transaction.
// Storing a record again with the same content changes nothing.
//
// Ingest, DeleteRecord and ResolvePending hold one mutex, so that the
// writers of one process (the API, overrides) take turns.
func (p *Pipeline) Ingest(ctx context.Context, recs []customer.Record) (IngestResult, error) {
	var res IngestResult
	srcs := make(map[string]config.Source)
	for _, r := range recs {
		if _, ok := srcs[r.Source]; ok {
			continue
		}
		src, err := p.apiSource(r.Source)
		if err != nil {
			return res, err
		}
		srcs[r.Source] = src
	}
	keep := make([]customer.Record, 0, len(recs))
	seen := make(map[string]int, len(recs))
	for i, r := range recs {
		src := srcs[r.Source]
		if field, reason := checkIngested(&r, src.MaxValue); field != "" {
			res.Rejected = append(res.Rejected, RecordError{Index: i, Field: field, Reason: reason})
			continue
		}
		customer.Normalize(&r, p.normalizeOptions(src))
		// The last of two records with one key wins, as if sent in turn.
		if j, ok := seen[r.Key()]; ok {
			keep[j] = r
			continue
		}
		seen[r.Key()] = len(keep)
		keep = append(keep, r)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.notify()
	if len(keep) > 0 {
		st, err := p.db.PutRecords(ctx, store.Batch{Records: keep})
		if err != nil {
			return res, fmt.Errorf("ingest: store records: %w", err)
		}
		res.Stats = st
	}
	if len(res.Stats.Changed) > 0 {
		if _, err := p.resolvePending(ctx); err != nil {
			return res, fmt.Errorf("ingest: resolve: %w", err)
		}
	}
	return res, nil
}

// DeleteRecord marks the record id of api source source deleted and
// resolves, taking it out of its profile. A record the store does not
// hold is an error wrapping customer.ErrNotFound.
func (p *Pipeline) DeleteRecord(ctx context.Context, source, id string) error {
	if _, err := p.apiSource(source); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.notify()
	key := source + "/" + id
	if _, err := p.db.Record(ctx, key); err != nil {
		return fmt.Errorf("record %q: %w", key, err)
	}
	st, err := p.db.PutRecords(ctx, store.Batch{Records: []customer.Record{{Source: source, ID: id, Deleted: true}}})
	if err != nil {
		return fmt.Errorf("delete record: %w", err)
	}
	if len(st.Changed) > 0 {
		if _, err := p.resolvePending(ctx); err != nil {
			return fmt.Errorf("delete record: resolve: %w", err)
		}
	}
	return nil
}

// checkIngested returns the field of r at fault and why, or "" when r
// can be stored: it has an id, and every raw value is valid UTF-8 and at
// most maxValue bytes (0 means config.DefaultMaxValue).
func checkIngested(r *customer.Record, maxValue int) (field, reason string) {
	if maxValue <= 0 {
		maxValue = config.DefaultMaxValue
	}
	if r.ID == "" {
		return "id", "the record has no id"
	}
	check := func(v string) string {
		switch {
		case !utf8.ValidString(v):
			return "not valid UTF-8"
		case len(v) > maxValue:
			return fmt.Sprintf("longer than max_value %d bytes (%d)", maxValue, len(v))
		}
		return ""
	}
	if why := check(r.ID); why != "" {
		return "id", why
	}
	for f := customer.Field(0); f < customer.NumFields; f++ {
		if why := check(r.Fields[f].Raw); why != "" {
			return f.String(), why
		}
	}
	nth := map[customer.Field]int{}
	for _, e := range r.Extra {
		nth[e.Field]++
		if why := check(e.Value.Raw); why != "" {
			return fmt.Sprintf("%s[%d]", e.Field, nth[e.Field]), why
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Identifiers)) {
		if why := check(k); why != "" {
			return "identifiers", why
		}
		if why := check(r.Identifiers[k].Raw); why != "" {
			return "identifiers." + k, why
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Attributes)) {
		if why := check(k); why != "" {
			return "attributes", why
		}
		if why := check(r.Attributes[k]); why != "" {
			return "attributes." + k, why
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Consent)) {
		if why := check(k); why != "" {
			return "consent", why
		}
	}
	return "", ""
}
