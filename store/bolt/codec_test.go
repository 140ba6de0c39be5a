package bolt

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/scvhq/scv/customer"
)

func TestCodecRoundTrip(t *testing.T) {
	full := typicalRecord("crm", 35) // has an extra email and an invalid gender
	full.Deleted = true
	full.Fields[customer.MiddleName] = customer.Value{Raw: "n/a", Status: customer.Missing}
	full.Extra = append(full.Extra, customer.Extra{Field: customer.Phone, Value: customer.Value{Raw: "12", Status: customer.Invalid, Reason: "too short"}})
	full.Identifiers["national_id"] = customer.Value{Raw: "AB 12 34 56 C", Norm: "AB123456C", Status: customer.Valid}
	full.Consent["sms"] = customer.Consent{Status: customer.ConsentDenied}
	full.Consent["post"] = customer.Consent{}
	full.Consent["phone"] = customer.Consent{Raw: "J"} // an invalid answer
	full.UpdatedRaw = "20.11.2026"

	paris := time.FixedZone("", 3600)
	for _, tt := range []struct {
		name string
		rec  customer.Record
	}{
		{"minimal", customer.Record{Source: "s", ID: "1"}},
		{"typical", typicalRecord("shop", 3)},
		{"everything", full},
		{"unicode and separators", func() customer.Record {
			r := rec("desk", "a/b\x00c", "zoë@exämple.com", "")
			r.Fields[customer.FullName] = val("Zoë  Ní Bhriain\n", "zoë ní bhriain")
			r.Attributes = map[string]string{"": "", "note": "\x00\xff"}
			return r
		}()},
		{"negative row and old dates", customer.Record{
			Source: "legacy", ID: "x", Row: -5,
			UpdatedAt: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
			Consent:   map[string]customer.Consent{"email": {Status: customer.ConsentGranted, At: time.Date(1899, 12, 31, 23, 59, 59, 999999999, time.UTC)}},
		}},
		{"zone offset", customer.Record{Source: "s", ID: "tz", UpdatedAt: time.Date(2025, 6, 1, 12, 30, 0, 5, paris)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := new(encoder).appendRecord(nil, &tt.rec)
			if err != nil {
				t.Fatal(err)
			}
			var got customer.Record
			if err := decodeRecord(enc, &got); err != nil {
				t.Fatal(err)
			}
			if !got.UpdatedAt.Equal(tt.rec.UpdatedAt) {
				t.Errorf("UpdatedAt = %v, want %v", got.UpdatedAt, tt.rec.UpdatedAt)
			}
			_, gotOff := got.UpdatedAt.Zone()
			_, wantOff := tt.rec.UpdatedAt.Zone()
			if gotOff != wantOff {
				t.Errorf("UpdatedAt zone offset = %d, want %d", gotOff, wantOff)
			}
			for k, c := range tt.rec.Consent {
				if !got.Consent[k].At.Equal(c.At) {
					t.Errorf("Consent[%q].At = %v, want %v", k, got.Consent[k].At, c.At)
				}
			}
			// Times compared above; the rest must be deeply equal.
			got.UpdatedAt, tt.rec.UpdatedAt = time.Time{}, time.Time{}
			for k, c := range got.Consent {
				c.At = time.Time{}
				got.Consent[k] = c
			}
			want := tt.rec
			if want.Consent != nil {
				want.Consent = map[string]customer.Consent{}
				for k, c := range tt.rec.Consent {
					want.Consent[k] = customer.Consent{Status: c.Status, Raw: c.Raw}
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestCodecEqualRecordsEncodeEqually(t *testing.T) {
	a, b := typicalRecord("crm", 1), typicalRecord("crm", 1)
	// Maps built in another order must still encode to the same bytes.
	b.Attributes = map[string]string{"segment": "retail", "lifetime_value": "1"}
	b.Row = 99
	ea, err := new(encoder).appendRecord(nil, &a)
	if err != nil {
		t.Fatal(err)
	}
	eb, err := new(encoder).appendRecord(nil, &b)
	if err != nil {
		t.Fatal(err)
	}
	if !sameContent(ea, eb) {
		t.Error("records equal but for Row do not have the same content")
	}
	b.Attributes["segment"] = "trade"
	if eb, err = new(encoder).appendRecord(nil, &b); err != nil {
		t.Fatal(err)
	}
	if sameContent(ea, eb) {
		t.Error("records with different attributes have the same content")
	}
}

func TestCodecRejectsUnknownEnums(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(*customer.Record)
	}{
		{"field status", func(r *customer.Record) { r.Fields[customer.Email].Status = 9 }},
		{"extra field", func(r *customer.Record) {
			r.Extra = []customer.Extra{{Field: customer.NumFields, Value: val("x", "x")}}
		}},
		{"identifier status", func(r *customer.Record) {
			r.Identifiers = map[string]customer.Value{"nid": {Raw: "1", Status: 4}}
		}},
		{"consent status", func(r *customer.Record) {
			r.Consent = map[string]customer.Consent{"sms": {Status: 3}}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := rec("s", "1", "a@b.c", "")
			tt.edit(&r)
			if _, err := new(encoder).appendRecord(nil, &r); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestDecodeCorrupt(t *testing.T) {
	r := typicalRecord("crm", 10)
	good, err := new(encoder).appendRecord(nil, &r)
	if err != nil {
		t.Fatal(err)
	}
	with := func(i int, b byte) []byte {
		c := append([]byte(nil), good...)
		c[i] = b
		return c
	}
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"bad version", with(0, 9)},
		{"bad flags", with(1, 0x80)},
		{"trailing byte", append(append([]byte(nil), good...), 0)},
		{"huge string length", append(good[:headerLen:headerLen], 0xff, 0xff, 0xff, 0xff, 0x0f)},
		{"overlong varint", append(good[:headerLen:headerLen], 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)},
	}
	for n := headerLen; n < len(good); n++ {
		tests = append(tests, struct {
			name string
			in   []byte
		}{"truncated", good[:n]})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got customer.Record
			err := decodeRecord(tt.in, &got)
			if !errors.Is(err, errCorrupt) {
				t.Errorf("len %d: err = %v, want errCorrupt", len(tt.in), err)
			}
		})
	}
}

// FuzzDecodeRecord checks that any input decodes to an error or to a record
// that encodes and decodes again to the same encoding; never a panic.
func FuzzDecodeRecord(f *testing.F) {
	for i := range 8 {
		r := typicalRecord("crm", i*5)
		r.Deleted = i%2 == 0
		enc, err := new(encoder).appendRecord(nil, &r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(enc)
	}
	f.Add([]byte{recordVersion, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var r customer.Record
		if err := decodeRecord(b, &r); err != nil {
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("error %v does not wrap errCorrupt", err)
			}
			return
		}
		enc, err := new(encoder).appendRecord(nil, &r)
		if err != nil {
			t.Fatalf("decoded record does not encode: %v", err)
		}
		var again customer.Record
		if err := decodeRecord(enc, &again); err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
		enc2, err := new(encoder).appendRecord(nil, &again)
		if err != nil {
			t.Fatal(err)
		}
		if string(enc) != string(enc2) {
			t.Fatalf("encoding not stable:\n%x\n%x", enc, enc2)
		}
	})
}

func BenchmarkEncodeRecord(b *testing.B) {
	r := typicalRecord("crm", 35)
	var e encoder
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = e.appendRecord(buf[:0], &r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(buf)), "bytes/record")
}

func BenchmarkDecodeRecord(b *testing.B) {
	r := typicalRecord("crm", 35)
	enc, err := new(encoder).appendRecord(nil, &r)
	if err != nil {
		b.Fatal(err)
	}
	var got customer.Record
	b.ReportAllocs()
	for b.Loop() {
		if err := decodeRecord(enc, &got); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCodecReadsVersion1(t *testing.T) {
	// A version 1 encoding of crm/1 with one consent answer: no
	// UpdatedRaw and no raw consent value.
	r := customer.Record{Source: "crm", ID: "1", Consent: map[string]customer.Consent{"email": {Status: customer.ConsentGranted}}}
	v1 := []byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 'c', 'r', 'm', 1, '1', timeZero}
	for range customer.NumFields {
		v1 = append(v1, 0)
	}
	v1 = append(v1, 0, 0, 1, 5, 'e', 'm', 'a', 'i', 'l', byte(customer.ConsentGranted), timeZero, 0)
	var got customer.Record
	if err := decodeRecord(v1, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("decoded %+v, want %+v", got, r)
	}
}
