package pipeline

import (
	"slices"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/quality"
)

// QualityOptions describes the configured sources to the quality scorer.
func (p *Pipeline) QualityOptions() quality.Options {
	var opts quality.Options
	for _, src := range p.cfg.Sources {
		opts.Sources = append(opts.Sources, qualitySource(src))
	}
	return opts
}

func qualitySource(src config.Source) quality.Source {
	s := quality.Source{
		Name:         src.Name,
		Freshness:    src.Freshness,
		HasUpdatedAt: src.UpdatedAt != "",
	}
	for name := range src.Map {
		if f, ok := customer.ParseField(name); ok {
			s.MappedFields = append(s.MappedFields, f)
		}
	}
	slices.Sort(s.MappedFields)
	for kind := range src.Identifiers {
		s.Identifiers = append(s.Identifiers, kind)
	}
	slices.Sort(s.Identifiers)
	return s
}
