package bolt

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
	"github.com/scvhq/scv/store"
)

// A stored golden profile (bucket golden, keyed by profile id):
//
//	[0]     codec version (goldenVersion)
//	[1:9]   Confidence, float64 bits big-endian (read without decoding)
//	[9]     flags (goldenSuppressed)
//	[10:]   per canonical field: its values, then its beaten values; the
//	        attributes, consent and reach by name in sorted order
//
// Strings are uvarint-length-prefixed as in records, and maps are written
// in key order, so equal profiles encode to equal bytes and "unchanged"
// is a byte compare.
const (
	goldenVersion    = 1
	goldenHeaderLen  = 10
	goldenSuppressed = 1 << 0
)

func appendGolden(dst []byte, p *golden.Profile) []byte {
	dst = append(dst, goldenVersion)
	dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(p.Confidence))
	var flags byte
	if p.Suppressed {
		flags |= goldenSuppressed
	}
	dst = append(dst, flags)
	for f := range p.Fields {
		dst = binary.AppendUvarint(dst, uint64(len(p.Fields[f])))
		for _, v := range p.Fields[f] {
			dst = appendString(dst, v.Value)
			dst = appendString(dst, v.Key)
			dst = appendString(dst, v.Rule)
			dst = appendOrigins(dst, v.From)
		}
		dst = appendBeaten(dst, p.Beat[f])
	}
	dst = binary.AppendUvarint(dst, uint64(len(p.Attributes)))
	for _, k := range sortedNames(p.Attributes) {
		a := p.Attributes[k]
		dst = appendString(dst, k)
		dst = appendString(dst, a.Value)
		dst = appendString(dst, a.Rule)
		dst = appendOrigins(dst, a.From)
		dst = appendBeaten(dst, a.Beat)
	}
	dst = binary.AppendUvarint(dst, uint64(len(p.Consent)))
	for _, k := range sortedNames(p.Consent) {
		c := p.Consent[k]
		dst = appendString(dst, k)
		dst = append(dst, byte(c.Status))
		dst = appendTime(dst, c.At)
		if c.From == nil {
			dst = append(dst, 0)
		} else {
			dst = append(dst, 1)
			dst = appendOrigin(dst, c.From)
		}
		dst = appendBeaten(dst, c.Beat)
	}
	dst = binary.AppendUvarint(dst, uint64(len(p.Reach)))
	for _, k := range sortedNames(p.Reach) {
		r := p.Reach[k]
		dst = appendString(dst, k)
		if r.Reachable {
			dst = append(dst, 1)
		} else {
			dst = append(dst, 0)
		}
		dst = appendString(dst, r.Reason)
	}
	return dst
}

func sortedNames[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func appendOrigin(dst []byte, o *golden.Origin) []byte {
	dst = appendString(dst, o.Record)
	dst = appendString(dst, o.Column)
	dst = appendString(dst, o.Raw)
	return appendTime(dst, o.UpdatedAt)
}

func appendOrigins(dst []byte, os []golden.Origin) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(os)))
	for i := range os {
		dst = appendOrigin(dst, &os[i])
	}
	return dst
}

func appendBeaten(dst []byte, bs []golden.Beaten) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(bs)))
	for _, b := range bs {
		dst = appendString(dst, b.Value)
		dst = appendString(dst, b.Rule)
		dst = appendOrigins(dst, b.From)
	}
	return dst
}

// goldenConfidence reads the confidence of a golden encoding without
// decoding it; 1 when b is too short.
func goldenConfidence(b []byte) float64 {
	if len(b) < goldenHeaderLen {
		return 1
	}
	return math.Float64frombits(binary.BigEndian.Uint64(b[1:9]))
}

// decodeGolden decodes a golden encoding of profile id.
func decodeGolden(id string, b []byte) (*golden.Profile, error) {
	if len(b) < goldenHeaderLen || b[0] != goldenVersion || b[9]&^goldenSuppressed != 0 {
		return nil, fmt.Errorf("%w: golden profile %q: bad header", errCorrupt, id)
	}
	p := &golden.Profile{ID: id, Confidence: goldenConfidence(b), Suppressed: b[9]&goldenSuppressed != 0}
	d := decoder{b: b, s: string(b), off: goldenHeaderLen}
	for f := range p.Fields {
		if n := d.count(4); n > 0 {
			p.Fields[f] = make([]golden.Value, n)
			for i := range p.Fields[f] {
				v := &p.Fields[f][i]
				v.Value, v.Key, v.Rule = d.string(), d.string(), d.string()
				v.From = d.origins()
			}
		}
		p.Beat[f] = d.beaten()
	}
	if n := d.count(5); n > 0 {
		p.Attributes = make(map[string]golden.Attribute, n)
		for range n {
			k := d.string()
			a := golden.Attribute{Value: d.string(), Rule: d.string()}
			a.From = d.origins()
			a.Beat = d.beaten()
			p.Attributes[k] = a
		}
	}
	if n := d.count(4); n > 0 {
		p.Consent = make(map[string]golden.Consent, n)
		for range n {
			k := d.string()
			c := golden.Consent{Status: customer.ConsentStatus(d.byte()), At: d.time()}
			if c.Status > customer.ConsentDenied {
				d.fail()
			}
			if d.byte() == 1 {
				o := d.origin()
				c.From = &o
			}
			c.Beat = d.beaten()
			p.Consent[k] = c
		}
	}
	if n := d.count(3); n > 0 {
		p.Reach = make(map[string]golden.Reach, n)
		for range n {
			k := d.string()
			p.Reach[k] = golden.Reach{Reachable: d.byte() == 1, Reason: d.string()}
		}
	}
	if d.off != len(d.b) {
		return nil, fmt.Errorf("%w: golden profile %q: bad length or tag", errCorrupt, id)
	}
	return p, nil
}

func (d *decoder) origin() golden.Origin {
	return golden.Origin{Record: d.string(), Column: d.string(), Raw: d.string(), UpdatedAt: d.time()}
}

func (d *decoder) origins() []golden.Origin {
	n := d.count(4)
	if n == 0 {
		return nil
	}
	out := make([]golden.Origin, n)
	for i := range out {
		out[i] = d.origin()
	}
	return out
}

func (d *decoder) beaten() []golden.Beaten {
	n := d.count(3)
	if n == 0 {
		return nil
	}
	out := make([]golden.Beaten, n)
	for i := range out {
		out[i] = golden.Beaten{Value: d.string(), Rule: d.string()}
		out[i].From = d.origins()
	}
	return out
}

// A change-log entry (bucket changes, keyed by big-endian sequence):
// version, profile id, kind, merged-from ids, split-into ids, time.
const changeVersion = 1

func appendChange(dst []byte, c *store.Change) []byte {
	dst = append(dst, changeVersion)
	dst = appendString(dst, c.Profile)
	dst = appendString(dst, string(c.Kind))
	for _, ids := range [2][]string{c.MergedFrom, c.SplitInto} {
		dst = binary.AppendUvarint(dst, uint64(len(ids)))
		for _, id := range ids {
			dst = appendString(dst, id)
		}
	}
	return appendTime(dst, c.At)
}

func decodeChange(seq uint64, b []byte) (store.Change, error) {
	if len(b) == 0 || b[0] != changeVersion {
		return store.Change{}, fmt.Errorf("%w: change %d: bad version", errCorrupt, seq)
	}
	d := decoder{b: b, s: string(b), off: 1}
	c := store.Change{Seq: seq, Profile: d.string(), Kind: store.ChangeKind(d.string())}
	for _, dst := range [2]*[]string{&c.MergedFrom, &c.SplitInto} {
		if n := d.count(1); n > 0 {
			*dst = make([]string, n)
			for i := range *dst {
				(*dst)[i] = d.string()
			}
		}
	}
	c.At = d.time()
	if d.off != len(d.b) {
		return store.Change{}, fmt.Errorf("%w: change %d: bad length", errCorrupt, seq)
	}
	return c, nil
}
