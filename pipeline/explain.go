package pipeline

import (
	"context"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/resolver"
)

// ExplainFunc returns a function that explains, under the model trained by
// the last resolution and the configured resolver settings, how two
// records compare. It returns customer.ErrNotFound when the store has
// never been resolved.
func (p *Pipeline) ExplainFunc(ctx context.Context) (func(a, b *customer.Record) (resolver.Explanation, error), error) {
	m, err := p.Model(ctx)
	if err != nil {
		return nil, err
	}
	return func(a, b *customer.Record) (resolver.Explanation, error) {
		return m.Explain(a, b)
	}, nil
}

// ExplainPair explains how the stored records with keys a and b
// ("source/id") compare under the trained model.
func (p *Pipeline) ExplainPair(ctx context.Context, a, b string) (resolver.Explanation, error) {
	explain, err := p.ExplainFunc(ctx)
	if err != nil {
		return resolver.Explanation{}, err
	}
	ra, err := p.db.Record(ctx, a)
	if err != nil {
		return resolver.Explanation{}, err
	}
	rb, err := p.db.Record(ctx, b)
	if err != nil {
		return resolver.Explanation{}, err
	}
	return explain(&ra, &rb)
}
