package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/scvhq/scv/customer"
)

// A stored record is a fixed header followed by a body:
//
//	[0]     codec version (recordVersion)
//	[1]     flags (flagDeleted)
//	[2:10]  Row, big-endian
//	[10:]   body: Source, ID, UpdatedAt, UpdatedRaw, the NumFields values
//	        in Field order, Extra, Identifiers, Consent (status, time, raw
//	        value), Attributes
//
// Version 1 had no UpdatedRaw and no raw consent values; it still decodes.
//
// Strings are uvarint-length-prefixed. Maps are written in key order, so
// equal records encode to equal bytes and "unchanged" is a byte compare
// of everything but the Row. The deleted flag sits in the header so that
// scans can skip deleted records without decoding them.
const (
	recordVersion = 2
	headerLen     = 10
	flagDeleted   = 1 << 0
)

// Value tags: the low two bits hold the Status, the others say which
// strings follow. A Norm equal to Raw is not written twice.
const (
	tagStatusMask = 0x03
	tagRaw        = 1 << 2 // Raw follows
	tagNorm       = 1 << 3 // Norm follows
	tagNormIsRaw  = 1 << 4 // Norm equals Raw (and is not written)
	tagReason     = 1 << 5 // Reason follows
	tagKnown      = tagStatusMask | tagRaw | tagNorm | tagNormIsRaw | tagReason
)

// Time tags.
const (
	timeZero   = 0 // the zero time.Time
	timeUTC    = 1 // seconds and nanoseconds, in UTC
	timeOffset = 2 // seconds, nanoseconds and a zone offset in seconds
)

// errCorrupt is wrapped by every decoding error.
var errCorrupt = errors.New("corrupt record encoding")

// encoder appends record encodings; it keeps a scratch slice for sorting
// map keys between calls. The zero value is ready to use.
type encoder struct {
	keys []string
}

// appendRecord appends the encoding of r to dst.
func (e *encoder) appendRecord(dst []byte, r *customer.Record) ([]byte, error) {
	var flags byte
	if r.Deleted {
		flags |= flagDeleted
	}
	dst = append(dst, recordVersion, flags)
	dst = binary.BigEndian.AppendUint64(dst, uint64(r.Row))
	dst = appendString(dst, r.Source)
	dst = appendString(dst, r.ID)
	dst = appendTime(dst, r.UpdatedAt)
	dst = appendString(dst, r.UpdatedRaw)
	var err error
	for f := range r.Fields {
		if dst, err = appendValue(dst, &r.Fields[f]); err != nil {
			return nil, fmt.Errorf("field %s: %w", customer.Field(f), err)
		}
	}

	dst = binary.AppendUvarint(dst, uint64(len(r.Extra)))
	for i := range r.Extra {
		x := &r.Extra[i]
		if x.Field >= customer.NumFields {
			return nil, fmt.Errorf("extra value %d: unknown field %d", i, x.Field)
		}
		dst = append(dst, byte(x.Field))
		if dst, err = appendValue(dst, &x.Value); err != nil {
			return nil, fmt.Errorf("extra %s value %d: %w", x.Field, i, err)
		}
	}

	dst = binary.AppendUvarint(dst, uint64(len(r.Identifiers)))
	for _, k := range sortedKeys(e, r.Identifiers) {
		v := r.Identifiers[k]
		dst = appendString(dst, k)
		if dst, err = appendValue(dst, &v); err != nil {
			return nil, fmt.Errorf("identifier %q: %w", k, err)
		}
	}

	dst = binary.AppendUvarint(dst, uint64(len(r.Consent)))
	for _, k := range sortedKeys(e, r.Consent) {
		c := r.Consent[k]
		if c.Status > customer.ConsentDenied {
			return nil, fmt.Errorf("consent %q: unknown status %d", k, c.Status)
		}
		dst = appendString(dst, k)
		dst = append(dst, byte(c.Status))
		dst = appendTime(dst, c.At)
		dst = appendString(dst, c.Raw)
	}

	dst = binary.AppendUvarint(dst, uint64(len(r.Attributes)))
	for _, k := range sortedKeys(e, r.Attributes) {
		dst = appendString(dst, k)
		dst = appendString(dst, r.Attributes[k])
	}
	return dst, nil
}

// sortedKeys returns the keys of m, sorted, in e's scratch slice; the
// result is valid until the next call.
func sortedKeys[V any](e *encoder, m map[string]V) []string {
	e.keys = e.keys[:0]
	for k := range m {
		e.keys = append(e.keys, k)
	}
	if len(e.keys) > 1 {
		slices.Sort(e.keys)
	}
	return e.keys
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendValue(dst []byte, v *customer.Value) ([]byte, error) {
	if v.Status > customer.Invalid {
		return nil, fmt.Errorf("unknown status %d", v.Status)
	}
	tag := byte(v.Status)
	if v.Raw != "" {
		tag |= tagRaw
	}
	switch {
	case v.Norm == "":
	case v.Norm == v.Raw:
		tag |= tagNormIsRaw
	default:
		tag |= tagNorm
	}
	if v.Reason != "" {
		tag |= tagReason
	}
	dst = append(dst, tag)
	if tag&tagRaw != 0 {
		dst = appendString(dst, v.Raw)
	}
	if tag&tagNorm != 0 {
		dst = appendString(dst, v.Norm)
	}
	if tag&tagReason != 0 {
		dst = appendString(dst, v.Reason)
	}
	return dst, nil
}

func appendTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(dst, timeZero)
	}
	_, off := t.Zone()
	if off == 0 {
		dst = append(dst, timeUTC)
	} else {
		dst = append(dst, timeOffset)
	}
	dst = binary.AppendVarint(dst, t.Unix())
	dst = binary.AppendUvarint(dst, uint64(t.Nanosecond()))
	if off != 0 {
		dst = binary.AppendVarint(dst, int64(off))
	}
	return dst
}

// recordDeleted reports whether the stored encoding b is of a deleted
// record, without decoding it.
func recordDeleted(b []byte) bool { return len(b) > 1 && b[1]&flagDeleted != 0 }

// sameContent reports whether two record encodings are equal except for
// their Row.
func sameContent(a, b []byte) bool {
	if len(a) < headerLen || len(b) < headerLen || len(a) != len(b) {
		return false
	}
	return a[0] == b[0] && a[1] == b[1] && bytes.Equal(a[headerLen:], b[headerLen:])
}

// decoder reads one record encoding. All decoded strings share one heap
// copy of the encoding, made once per record, so they stay valid after the
// bbolt transaction ends and decoding allocates little.
type decoder struct {
	b   []byte // the encoding
	s   string // a heap copy of b; strings are slices of it
	off int
}

// decodeRecord decodes the encoding b into r, overwriting all of r. The
// result shares no memory with b, and r's maps and Extra are freshly
// allocated (nil when empty), so a shallow copy of r is safe to keep.
func decodeRecord(b []byte, r *customer.Record) error {
	if len(b) < headerLen {
		return fmt.Errorf("%w: %d bytes, shorter than the header", errCorrupt, len(b))
	}
	version := b[0]
	if version != recordVersion && version != 1 {
		return fmt.Errorf("%w: unknown version %d", errCorrupt, b[0])
	}
	if b[1]&^flagDeleted != 0 {
		return fmt.Errorf("%w: unknown flags %#x", errCorrupt, b[1])
	}
	*r = customer.Record{
		Row:     int64(binary.BigEndian.Uint64(b[2:headerLen])),
		Deleted: b[1]&flagDeleted != 0,
	}
	d := decoder{b: b, s: string(b), off: headerLen}
	r.Source = d.string()
	r.ID = d.string()
	r.UpdatedAt = d.time()
	if version >= 2 {
		r.UpdatedRaw = d.string()
	}
	for f := range r.Fields {
		d.value(&r.Fields[f])
	}

	if n := d.count(2); n > 0 {
		r.Extra = make([]customer.Extra, n)
		for i := range r.Extra {
			f := customer.Field(d.byte())
			if f >= customer.NumFields {
				return fmt.Errorf("%w: extra value %d: unknown field %d", errCorrupt, i, f)
			}
			r.Extra[i].Field = f
			d.value(&r.Extra[i].Value)
		}
	}
	if n := d.count(2); n > 0 {
		r.Identifiers = make(map[string]customer.Value, n)
		for range n {
			k := d.string()
			var v customer.Value
			d.value(&v)
			r.Identifiers[k] = v
		}
	}
	if n := d.count(3); n > 0 {
		r.Consent = make(map[string]customer.Consent, n)
		for range n {
			k := d.string()
			st := customer.ConsentStatus(d.byte())
			if st > customer.ConsentDenied {
				return fmt.Errorf("%w: consent %q: unknown status %d", errCorrupt, k, st)
			}
			c := customer.Consent{Status: st, At: d.time()}
			if version >= 2 {
				c.Raw = d.string()
			}
			r.Consent[k] = c
		}
	}
	if n := d.count(2); n > 0 {
		r.Attributes = make(map[string]string, n)
		for range n {
			k := d.string()
			r.Attributes[k] = d.string()
		}
	}
	switch {
	case d.off > len(d.b):
		return fmt.Errorf("%w: truncated", errCorrupt)
	case d.off < 0:
		return fmt.Errorf("%w: bad length or tag", errCorrupt)
	case d.off != len(d.b):
		return fmt.Errorf("%w: %d trailing bytes", errCorrupt, len(d.b)-d.off)
	}
	return nil
}

// The decoder's read methods never fail: on bad input they move off past
// the end (truncation) or below zero (bad data), after which every read
// returns zero values, and decodeRecord reports the error once at the end.

func (d *decoder) ok() bool { return d.off >= 0 && d.off <= len(d.b) }

func (d *decoder) fail() { d.off = -1 }

func (d *decoder) byte() byte {
	if !d.ok() || d.off == len(d.b) {
		if d.ok() {
			d.off++
		}
		return 0
	}
	c := d.b[d.off]
	d.off++
	return c
}

func (d *decoder) uvarint() uint64 {
	if !d.ok() {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	switch {
	case n == 0:
		d.off = len(d.b) + 1
	case n < 0:
		d.fail()
	default:
		d.off += n
	}
	return v
}

// varint reads a zig-zag encoded signed varint, as binary.AppendVarint
// writes it.
func (d *decoder) varint() int64 {
	u := d.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

// count reads an element count and checks that the remaining input can
// hold that many elements of at least minSize bytes each, so corrupt input
// cannot make the decoder allocate without bound.
func (d *decoder) count(minSize int) int {
	n := d.uvarint()
	if !d.ok() {
		return 0
	}
	if n > uint64(len(d.b)-d.off)/uint64(minSize) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *decoder) string() string {
	n := d.uvarint()
	if !d.ok() {
		return ""
	}
	if n > uint64(len(d.b)-d.off) {
		d.off = len(d.b) + 1
		return ""
	}
	s := d.s[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

func (d *decoder) value(v *customer.Value) {
	tag := d.byte()
	if tag&^tagKnown != 0 || tag&tagStatusMask > byte(customer.Invalid) || tag&(tagNorm|tagNormIsRaw) == tagNorm|tagNormIsRaw {
		d.fail()
		return
	}
	v.Status = customer.Status(tag & tagStatusMask)
	if tag&tagRaw != 0 {
		v.Raw = d.string()
	}
	if tag&tagNorm != 0 {
		v.Norm = d.string()
	}
	if tag&tagNormIsRaw != 0 {
		v.Norm = v.Raw
	}
	if tag&tagReason != 0 {
		v.Reason = d.string()
	}
}

func (d *decoder) time() time.Time {
	tag := d.byte()
	switch tag {
	case timeZero:
		return time.Time{}
	case timeUTC, timeOffset:
	default:
		d.fail()
		return time.Time{}
	}
	sec := d.varint()
	nsec := d.uvarint()
	if nsec >= uint64(time.Second) {
		d.fail()
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec))
	if tag == timeUTC {
		return t.UTC()
	}
	off := d.varint()
	if off < -24*3600 || off > 24*3600 {
		d.fail()
		return time.Time{}
	}
	return t.In(time.FixedZone("", int(off)))
}
