package pipeline

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/scvhq/scv/config"
	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
)

// GoldenOptions returns the survivorship options of cfg: each source's
// trust and the columns its fields, attributes and consent come from (for
// lineage), the survivorship block's rules and the opt-out channels.
// Load has already checked every rule, so a rule that does not parse is
// left to its field's default.
func GoldenOptions(cfg *config.Config) golden.Options {
	opts := golden.Options{Sources: make(map[string]golden.Source, len(cfg.Sources))}
	for _, src := range cfg.Sources {
		gs := golden.Source{Trust: src.Trust, Columns: make(map[customer.Field]string, len(src.Map)), Attributes: src.Attributes}
		for name, cols := range src.Map {
			if f, ok := customer.ParseField(name); ok {
				gs.Columns[f] = strings.Join(cols, "+")
			}
		}
		if len(src.Consent) > 0 {
			gs.Consent = make(map[string]string, len(src.Consent))
			for ch, c := range src.Consent {
				gs.Consent[ch] = c.Column
			}
		}
		opts.Sources[src.Name] = gs
	}
	sv := cfg.Survivorship
	for key, list := range sv.Fields {
		if rules, err := golden.ParseRules(list); err == nil {
			if opts.Fields == nil {
				opts.Fields = make(map[string][]golden.Rule)
			}
			opts.Fields[key] = rules
		}
	}
	opts.Attributes = sv.Attributes
	for _, ch := range sv.OptOut {
		if opts.OptOut == nil {
			opts.OptOut = make(map[string]bool)
		}
		opts.OptOut[ch] = true
	}
	return opts
}

// goldenKey is the meta key of the survivorship settings (goldenTag) the
// stored golden profiles were last rebuilt under.
const goldenKey = "golden/options"

// goldenTag fingerprints cfg's survivorship options; fmt prints maps in
// key order, so equal options give equal tags.
func goldenTag(cfg *config.Config) []byte {
	sum := sha256.Sum256(fmt.Appendf(nil, "%+v", GoldenOptions(cfg)))
	return sum[:]
}
