package bolt

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
	"github.com/scvhq/scv/store"
)

// A stored golden profile (bucket golden, keyed by profile id):
//
//	[0]     codec version (goldenVersion)
//	[1:9]   Confidence, float64 bits big-endian (read without decoding)
//	[9]     flags (goldenSuppressed)
//	[10:]   the string table: a count, then each distinct string of the
//	        profile once, uvarint-length-prefixed; the time table: a
//	        count, then each distinct time once; then the body: per
//	        canonical field its values, then its beaten values; the
//	        attributes, consent and reach by name in sorted order. In the
//	        body every string and every time is a uvarint index into its
//	        table, so an origin (record, column, raw value, update time) is
//	        four small numbers however often its record and column recur.
//
// The tables are in order of first use and maps are written in key order,
// so equal profiles encode to equal bytes and "unchanged" is a byte
// compare. Issue 9's first format (version 1, every string inline) was
// never written by a released binary and is not read.
const (
	goldenVersion    = 2
	goldenHeaderLen  = 10
	goldenSuppressed = 1 << 0
)

// goldenEncoder interns the strings and times of one profile while it
// writes the body; it is reused through goldenEncoders.
type goldenEncoder struct {
	body    []byte
	strs    map[string]uint64
	strList []string
	times   map[string]uint64 // by encoding
	timeEnc []byte            // the time table's encodings, concatenated
	scratch []byte
}

var goldenEncoders = sync.Pool{New: func() any {
	return &goldenEncoder{strs: make(map[string]uint64, 64), times: make(map[string]uint64, 8)}
}}

func (e *goldenEncoder) str(s string) {
	i, ok := e.strs[s]
	if !ok {
		i = uint64(len(e.strList))
		e.strs[s] = i
		e.strList = append(e.strList, s)
	}
	e.body = binary.AppendUvarint(e.body, i)
}

func (e *goldenEncoder) time(t time.Time) {
	e.scratch = appendTime(e.scratch[:0], t)
	i, ok := e.times[string(e.scratch)]
	if !ok {
		i = uint64(len(e.times))
		e.times[string(e.scratch)] = i
		e.timeEnc = append(e.timeEnc, e.scratch...)
	}
	e.body = binary.AppendUvarint(e.body, i)
}

func (e *goldenEncoder) count(n int) { e.body = binary.AppendUvarint(e.body, uint64(n)) }

func (e *goldenEncoder) origin(o *golden.Origin) {
	e.str(o.Record)
	e.str(o.Column)
	e.str(o.Raw)
	e.time(o.UpdatedAt)
}

func (e *goldenEncoder) origins(os []golden.Origin) {
	e.count(len(os))
	for i := range os {
		e.origin(&os[i])
	}
}

func (e *goldenEncoder) beaten(bs []golden.Beaten) {
	e.count(len(bs))
	for i := range bs {
		e.str(bs[i].Value)
		e.str(bs[i].Rule)
		e.origins(bs[i].From)
	}
}

func appendGolden(dst []byte, p *golden.Profile) []byte {
	e := goldenEncoders.Get().(*goldenEncoder)
	defer func() {
		clear(e.strs)
		clear(e.times)
		clear(e.strList)
		e.body, e.strList, e.timeEnc = e.body[:0], e.strList[:0], e.timeEnc[:0]
		goldenEncoders.Put(e)
	}()
	for f := range p.Fields {
		e.count(len(p.Fields[f]))
		for i := range p.Fields[f] {
			v := &p.Fields[f][i]
			e.str(v.Value)
			e.str(v.Key)
			e.str(v.Rule)
			e.origins(v.From)
		}
		e.beaten(p.Beat[f])
	}
	e.count(len(p.Attributes))
	for _, k := range sortedNames(p.Attributes) {
		a := p.Attributes[k]
		e.str(k)
		e.str(a.Value)
		e.str(a.Rule)
		e.origins(a.From)
		e.beaten(a.Beat)
	}
	e.count(len(p.Consent))
	for _, k := range sortedNames(p.Consent) {
		c := p.Consent[k]
		e.str(k)
		e.body = append(e.body, byte(c.Status))
		e.time(c.At)
		if c.From == nil {
			e.body = append(e.body, 0)
		} else {
			e.body = append(e.body, 1)
			e.origin(c.From)
		}
		e.beaten(c.Beat)
	}
	e.count(len(p.Reach))
	for _, k := range sortedNames(p.Reach) {
		r := p.Reach[k]
		e.str(k)
		if r.Reachable {
			e.body = append(e.body, 1)
		} else {
			e.body = append(e.body, 0)
		}
		e.str(r.Reason)
	}

	dst = append(dst, goldenVersion)
	dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(p.Confidence))
	var flags byte
	if p.Suppressed {
		flags |= goldenSuppressed
	}
	dst = append(dst, flags)
	dst = binary.AppendUvarint(dst, uint64(len(e.strList)))
	for _, s := range e.strList {
		dst = appendString(dst, s)
	}
	dst = binary.AppendUvarint(dst, uint64(len(e.times)))
	dst = append(dst, e.timeEnc...)
	return append(dst, e.body...)
}

func sortedNames[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// goldenConfidence reads the confidence of a golden encoding without
// decoding it; 1 when b is too short.
func goldenConfidence(b []byte) float64 {
	if len(b) < goldenHeaderLen {
		return 1
	}
	return math.Float64frombits(binary.BigEndian.Uint64(b[1:9]))
}

// goldenDecoder reads a golden encoding: its tables, then references
// into them.
type goldenDecoder struct {
	decoder
	strs  []string
	times []time.Time
}

func (d *goldenDecoder) str() string {
	i := d.uvarint()
	if !d.ok() || i >= uint64(len(d.strs)) {
		d.fail()
		return ""
	}
	return d.strs[i]
}

func (d *goldenDecoder) tm() time.Time {
	i := d.uvarint()
	if !d.ok() || i >= uint64(len(d.times)) {
		d.fail()
		return time.Time{}
	}
	return d.times[i]
}

// decodeGolden decodes a golden encoding of profile id.
func decodeGolden(id string, b []byte) (*golden.Profile, error) {
	if len(b) < goldenHeaderLen || b[0] != goldenVersion || b[9]&^goldenSuppressed != 0 {
		return nil, fmt.Errorf("%w: golden profile %q: bad header", errCorrupt, id)
	}
	p := &golden.Profile{ID: id, Confidence: goldenConfidence(b), Suppressed: b[9]&goldenSuppressed != 0}
	d := goldenDecoder{decoder: decoder{b: b, s: string(b), off: goldenHeaderLen}}
	if n := d.count(1); n > 0 {
		d.strs = make([]string, n)
		for i := range d.strs {
			d.strs[i] = d.string()
		}
	}
	if n := d.count(1); n > 0 {
		d.times = make([]time.Time, n)
		for i := range d.times {
			d.times[i] = d.time()
		}
	}
	for f := range p.Fields {
		if n := d.count(4); n > 0 {
			p.Fields[f] = make([]golden.Value, n)
			for i := range p.Fields[f] {
				v := &p.Fields[f][i]
				v.Value, v.Key, v.Rule = d.str(), d.str(), d.str()
				v.From = d.origins()
			}
		}
		p.Beat[f] = d.beaten()
	}
	if n := d.count(5); n > 0 {
		p.Attributes = make(map[string]golden.Attribute, n)
		for range n {
			k := d.str()
			a := golden.Attribute{Value: d.str(), Rule: d.str()}
			a.From = d.origins()
			a.Beat = d.beaten()
			p.Attributes[k] = a
		}
	}
	if n := d.count(4); n > 0 {
		p.Consent = make(map[string]golden.Consent, n)
		for range n {
			k := d.str()
			c := golden.Consent{Status: customer.ConsentStatus(d.byte()), At: d.tm()}
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
			k := d.str()
			p.Reach[k] = golden.Reach{Reachable: d.byte() == 1, Reason: d.str()}
		}
	}
	if d.off != len(d.b) {
		return nil, fmt.Errorf("%w: golden profile %q: bad length or tag", errCorrupt, id)
	}
	return p, nil
}

func (d *goldenDecoder) origin() golden.Origin {
	return golden.Origin{Record: d.str(), Column: d.str(), Raw: d.str(), UpdatedAt: d.tm()}
}

func (d *goldenDecoder) origins() []golden.Origin {
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

func (d *goldenDecoder) beaten() []golden.Beaten {
	n := d.count(3)
	if n == 0 {
		return nil
	}
	out := make([]golden.Beaten, n)
	for i := range out {
		out[i] = golden.Beaten{Value: d.str(), Rule: d.str()}
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
