package bolt

import (
	"reflect"
	"strings"
	"testing"

	"github.com/scvhq/scv/customer"
	"github.com/scvhq/scv/golden"
	"github.com/scvhq/scv/store"
)

func TestGoldenCodecRoundTrip(t *testing.T) {
	a, b := typicalRecord("crm", 1), typicalRecord("shop", 2)
	b.Consent["email"] = customer.Consent{Status: customer.ConsentDenied, At: b.UpdatedAt, Raw: "no"}
	b.Consent["sms"] = customer.Consent{Raw: "J"}
	g := golden.New(golden.Options{OptOut: map[string]bool{"post": true}}).Build("p1", []customer.Record{a, b}, true)
	g.Confidence = 0.93
	enc := appendGolden(nil, g)
	got, err := decodeGolden("p1", enc)
	if err != nil {
		t.Fatal(err)
	}
	// Times decode in UTC with the same instant; compare encodings, which
	// hold every field, and a few values directly.
	if again := appendGolden(nil, got); string(again) != string(enc) {
		t.Error("decoding and encoding again changes the bytes")
	}
	if got.Confidence != 0.93 || !got.Suppressed || got.Get(customer.Email) != g.Get(customer.Email) ||
		got.Consent["email"].Status != customer.ConsentDenied || got.Consent["email"].From.Record != "shop/C0000002" {
		t.Errorf("decoded %+v", got)
	}
	if !reflect.DeepEqual(got.Reach, g.Reach) || len(got.Attributes) != len(g.Attributes) {
		t.Errorf("reach or attributes differ: %+v vs %+v", got.Reach, g.Reach)
	}
	for _, bad := range [][]byte{nil, enc[:5], append(enc[:len(enc):len(enc)], 0), append([]byte{9}, enc[1:]...)} {
		if _, err := decodeGolden("p1", bad); err == nil {
			t.Errorf("decoding %d corrupt bytes succeeded", len(bad))
		}
	}
	c := store.Change{Seq: 7, Profile: "p1", Kind: store.Merged, MergedFrom: []string{"p2", "p3"}, At: a.UpdatedAt}
	back, err := decodeChange(7, appendChange(nil, &c))
	if err != nil || !reflect.DeepEqual(back, c) {
		t.Errorf("change round trip: %+v, %v; want %+v", back, err, c)
	}
}

// The encoding holds each member's record key once, however many values
// and beaten values name it.
func TestGoldenCodecInternsStrings(t *testing.T) {
	a, b := typicalRecord("crm", 1), typicalRecord("shop", 2)
	g := golden.New(golden.Options{}).Build("p1", []customer.Record{a, b}, false)
	uses := 0
	for f := range g.Fields {
		for _, v := range g.Fields[f] {
			for _, o := range v.From {
				if o.Record == "crm/C0000001" {
					uses++
				}
			}
		}
	}
	enc := string(appendGolden(nil, g))
	if got := strings.Count(enc, "crm/C0000001"); uses < 2 || got != 1 {
		t.Errorf("record key used %d times, stored %d times; want stored once", uses, got)
	}
}

// BenchmarkAppendGolden encodes the golden profile of a profile of three
// typical records.
func BenchmarkAppendGolden(b *testing.B) {
	ms := []customer.Record{typicalRecord("crm", 1), typicalRecord("shop", 2), typicalRecord("support", 3)}
	g := golden.New(golden.Options{}).Build("p1", ms, false)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = appendGolden(buf[:0], g)
	}
	b.ReportMetric(float64(len(buf)), "bytes")
}
