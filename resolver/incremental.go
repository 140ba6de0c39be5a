package resolver

import (
	"github.com/scvhq/scv/customer"
)

// Keyer applies a trained model to single records: their blocking keys and
// the match probability of a pair. It lets a caller keep an index of block
// keys and find the candidates of a changed record with a few look-ups,
// then re-resolve only the profiles those candidates belong to (Resolve
// with Options.Model set), instead of re-resolving every record.
// A Keyer is safe for concurrent use.
type Keyer struct {
	sc        *scorer
	bl        *blocker
	threshold float64
	maxBlock  int
}

// Keyer returns a Keyer for model m under the resolver's blocking rules.
// Every rule applies whose fields the model compares; a record that lacks
// a rule's fields simply has no key under it.
func (r *Resolver) Keyer(m *Model) (*Keyer, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	sc, err := m.compile()
	if err != nil {
		return nil, err
	}
	bl, err := r.blocker(m, sc, modelFields(m), true)
	if err != nil {
		return nil, err
	}
	return &Keyer{sc: sc, bl: bl, threshold: r.opts.Threshold, maxBlock: r.opts.MaxBlockSize}, nil
}

// Keys appends the blocking keys of rec to dst and returns the result.
// Two records are candidates when they share a key.
func (k *Keyer) Keys(rec *customer.Record, dst []uint64) []uint64 {
	f := prepare(rec, k.sc.idKind, k.sc.nick)
	for r := range k.bl.rules {
		for _, key := range k.bl.recordKeys(r, &f) {
			if key != 0 {
				dst = append(dst, key)
			}
		}
	}
	return dst
}

// MaxBlockSize is the number of records above which a block is skipped,
// as Resolve skips it.
func (k *Keyer) MaxBlockSize() int { return k.maxBlock }

// Linker returns a function that reports whether the model links rec
// with another record: their match probability reaches the resolver's
// threshold. rec is prepared once, so comparing it with many candidates
// costs one preparation each.
func (k *Keyer) Linker(rec *customer.Record) func(other *customer.Record) bool {
	fa := prepare(rec, k.sc.idKind, k.sc.nick)
	k.sc.setTF(&fa)
	return func(other *customer.Record) bool {
		fb := prepare(other, k.sc.idKind, k.sc.nick)
		k.sc.setTF(&fb)
		return probability(k.sc.weight(k.sc.gamma(&fa, &fb), &fa, &fb)) >= k.threshold
	}
}
