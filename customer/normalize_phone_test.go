package customer

import (
	"bytes"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestNormalizePhone(t *testing.T) {
	for _, tt := range []struct {
		name, raw, country string
		want               string // E.164, or "" when not valid
		status             Status
	}{
		// Great Britain
		{"gb mobile", "07700 900123", "GB", "+447700900123", Valid},
		{"gb london", "020 7946 0958", "GB", "+442079460958", Valid},
		{"gb intl", "+44 20 7946 0958", "GB", "+442079460958", Valid},
		{"gb intl trunk zero", "+44 (0)20 7946 0958", "GB", "+442079460958", Valid},
		{"gb 00 prefix", "0044 20 7946 0958", "GB", "+442079460958", Valid},
		{"gb no trunk", "7700 900123", "GB", "+447700900123", Valid},
		{"gb e164", "+447700900123", "GB", "+447700900123", Valid},
		{"gb extension", "020 7946 0958 ext. 204", "GB", "+442079460958", Valid},
		{"gb x extension", "020 7946 0958 x204", "GB", "+442079460958", Valid},
		{"gb hash extension", "020 7946 0958 #204", "GB", "+442079460958", Valid},
		{"gb nbsp", "07700\u00a0900123", "GB", "+447700900123", Valid},
		{"gb bom crlf", "\ufeff07700 900123\r\n", "GB", "+447700900123", Valid},
		{"gb fullwidth", "０７７００ ９００１２３", "GB", "+447700900123", Valid},
		{"gb local only", "946 095", "GB", "", Invalid},
		{"gb too short", "0770", "GB", "", Invalid},
		{"gb too long", "07700 900123 456", "GB", "", Invalid},
		// United States
		{"us parens", "(415) 555-2671", "US", "+14155552671", Valid},
		{"us dots", "415.555.2671", "US", "+14155552671", Valid},
		{"us leading one", "1-415-555-2671", "US", "+14155552671", Valid},
		{"us 011 prefix", "011 44 20 7946 0958", "US", "+442079460958", Valid},
		{"us plus one", "+1 415 555 2671", "GB", "+14155552671", Valid},
		{"us vanity", "1-800-FLOWERS", "US", "", Invalid},
		{"us seven digits", "555-2671", "US", "", Invalid},
		// Australia
		{"au mobile", "0412 345 678", "AU", "+61412345678", Valid},
		{"au sydney", "(02) 9876 5432", "AU", "+61298765432", Valid},
		{"au intl", "+61 412 345 678", "AU", "+61412345678", Valid},
		// Germany
		{"de berlin", "030 1234567", "DE", "+49301234567", Valid},
		{"de slash", "030/1234567", "DE", "+49301234567", Valid},
		{"de mobile", "0151 23456789", "DE", "+4915123456789", Valid},
		{"de intl", "+49 (0)30 1234567", "DE", "+49301234567", Valid},
		// France
		{"fr mobile", "06 12 34 56 78", "FR", "+33612345678", Valid},
		{"fr dots", "01.23.45.67.89", "FR", "+33123456789", Valid},
		{"fr intl", "+33 6 12 34 56 78", "GB", "+33612345678", Valid},
		{"fr too short", "06 12 34 56", "FR", "", Invalid},
		// India
		{"in mobile", "098765 43210", "IN", "+919876543210", Valid},
		{"in plain", "9876543210", "IN", "+919876543210", Valid},
		{"in intl", "+91 98765 43210", "US", "+919876543210", Valid},
		// Other regions, through the slow path
		{"ar transform rule", "011 15 2345-6789", "AR", "+5491123456789", Valid},
		{"international toll free", "+800 1234 5678", "GB", "+80012345678", Valid},
		// Invalid and missing
		{"all zeros", "000 0000 0000", "GB", "", Invalid},
		{"letters", "call after 6", "GB", "", Invalid},
		{"words", "mobile", "GB", "", Invalid},
		{"two numbers", "07700 900123; 020 7946 0958", "GB", "", Invalid},
		{"unknown calling code", "+999 1234 5678", "GB", "", Invalid},
		{"national without country", "07700 900123", "", "", Invalid},
		{"international without country", "+44 7700 900123", "", "+447700900123", Valid},
		{"plus in the middle", "0770+0900123", "GB", "", Invalid},
		{"symbol", "07700 900123!", "GB", "", Invalid},
		{"only plus", "+", "GB", "", Invalid},
		{"empty", "", "GB", "", Missing},
		{"n/a", "N/A", "GB", "", Missing},
		{"dash", "-", "GB", "", Missing},
		{"lower-case country", "07700 900123", "gb", "+447700900123", Valid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := NormalizePhone(tt.raw, tt.country)
			if got.Norm != tt.want || got.Status != tt.status {
				t.Fatalf("NormalizePhone(%q, %q) = %+v, want %q %v", tt.raw, tt.country, got, tt.want, tt.status)
			}
			if got.Status == Invalid && got.Reason == "" {
				t.Errorf("invalid without a reason: %+v", got)
			}
			if got.Status != Invalid && got.Reason != "" {
				t.Errorf("reason on a %v value: %+v", got.Status, got)
			}
			if got.Raw != trim(tt.raw) {
				t.Errorf("Raw = %q, want %q", got.Raw, trim(tt.raw))
			}
		})
	}
}

func TestNormalizePhoneReasons(t *testing.T) {
	for _, tt := range []struct{ raw, country, want string }{
		{"0000", "GB", "phone number is all zeros"},
		{"call me", "GB", "phone number contains letters"},
		{"06 12 34 56", "FR", "phone number is too short for FR"},
		{"946 095", "GB", "phone number lacks its area code"},
		{"07700 900123", "", "phone number has no country calling code and the source has no default country"},
		{"07700 900123", "XX", `phone number has no country calling code and the default country "XX" has no telephone numbering plan`},
		{"+999 1234 5678", "GB", "phone number has an unknown country calling code"},
		{"0044 20 7946 0958 0000 0000", "GB", "phone number is too long"},
		{"+44 20 7946 09581", "US", "phone number is too long for GB"},
		{"07700 900123!", "GB", `phone number contains '!'`},
	} {
		if got := NormalizePhone(tt.raw, tt.country); got.Reason != tt.want {
			t.Errorf("NormalizePhone(%q, %q).Reason = %q, want %q", tt.raw, tt.country, got.Reason, tt.want)
		}
	}
}

// TestPhoneFastPathAgrees checks that the fast path reads numbers exactly
// as phonenumbers.Parse does, for every region it handles, on random
// digit strings shaped like national and international numbers.
func TestPhoneFastPathAgrees(t *testing.T) {
	m := phoneMetaOnce()
	regions := make([]string, 0, len(m.regions))
	for id := range m.regions {
		regions = append(regions, id)
	}
	sort.Strings(regions)
	rng := rand.New(rand.NewPCG(4, 2))
	handled, total := 0, 0
	for _, region := range regions {
		r := m.regions[region]
		prefixes := []string{"", "0", "00", r.ccDigits, "0" + r.ccDigits, "00" + r.ccDigits, "1", "011"}
		for range 100 {
			d := []byte(prefixes[rng.IntN(len(prefixes))])
			for n := 3 + rng.IntN(14); n > 0; n-- {
				d = append(d, byte('0'+rng.IntN(10)))
			}
			for _, plus := range []bool{false, true} {
				total++
				if comparePhonePaths(t, m, plus, d, region) {
					handled++
				}
			}
		}
	}
	if handled < total/2 {
		t.Errorf("fast path handled %d of %d numbers, want at least half", handled, total)
	}
	t.Logf("fast path handled %d of %d numbers", handled, total)
}

// TestPhoneFastPathCovers checks that the shapes of typical CRM numbers
// take the fast path.
func TestPhoneFastPathCovers(t *testing.T) {
	m := phoneMetaOnce()
	for _, tt := range []struct{ raw, region string }{
		{"07700 900123", "GB"}, {"+44 20 7946 0958", "GB"}, {"0044 20 7946 0958", "GB"},
		{"(415) 555-2671", "US"}, {"1-415-555-2671", "US"}, {"0412 345 678", "AU"},
		{"030 1234567", "DE"}, {"06 12 34 56 78", "FR"}, {"098765 43210", "IN"},
	} {
		var buf [maxPhoneDigits]byte
		plus, d, reason := phoneDigits(tt.raw, buf[:0])
		if reason != "" {
			t.Fatalf("phoneDigits(%q): %s", tt.raw, reason)
		}
		if _, ok := m.parse(plus, d, tt.region); !ok {
			t.Errorf("%q in %s takes the slow path", tt.raw, tt.region)
		}
	}
}

// comparePhonePaths fails t when the fast path's reading of d differs
// from phonenumbers.Parse; it reports whether the fast path handled d.
func comparePhonePaths(t *testing.T, m *phoneMeta, plus bool, d []byte, region string) bool {
	t.Helper()
	fast, ok := m.parse(plus, d, region)
	if !ok {
		return false
	}
	slow := parsePhoneSlow(plus, d, region)
	if fast.cc != slow.cc || !bytes.Equal(fast.nsn, slow.nsn) || fast.length != slow.length || errText(fast.err) != errText(slow.err) {
		t.Errorf("plus=%v digits=%s region=%s: fast %+v (nsn %s), Parse %+v (nsn %s)",
			plus, d, region, fast, fast.nsn, slow, slow.nsn)
	}
	return true
}

func FuzzPhoneFastPath(f *testing.F) {
	f.Add(false, "07700900123", "GB")
	f.Add(true, "4402079460958", "GB")
	f.Add(false, "14155552671", "US")
	f.Add(false, "0011441234567", "AU")
	f.Add(false, "491512345678", "DE")
	f.Add(false, "0612345678", "FR")
	f.Add(false, "09876543210", "IN")
	m := phoneMetaOnce()
	f.Fuzz(func(t *testing.T, plus bool, digits, region string) {
		if len(digits) > maxPhoneDigits {
			return
		}
		for i := 0; i < len(digits); i++ {
			if digits[i] < '0' || digits[i] > '9' {
				return
			}
		}
		comparePhonePaths(t, m, plus, []byte(digits), region)
	})
}

func BenchmarkNormalizePhone(b *testing.B) {
	for _, bb := range []struct{ name, raw, country string }{
		{"e164", "+447700900123", "GB"},
		{"gb national", "07700 900123", "GB"},
		{"us national", "(415) 555-2671", "US"},
		{"slow path", "011 15 2345-6789", "AR"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				NormalizePhone(bb.raw, bb.country)
			}
		})
	}
}

func BenchmarkPhonenumbersParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		num, err := phonenumbers.Parse("07700 900123", "GB")
		if err == nil && phonenumbers.IsPossibleNumber(num) {
			phonenumbers.Format(num, phonenumbers.E164)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestNormalizePhoneExampleNumbers reads phonenumbers' example number of
// every region and type, written in national and international format,
// and checks the result against phonenumbers.Parse of the same text.
func TestNormalizePhoneExampleNumbers(t *testing.T) {
	types := []phonenumbers.PhoneNumberType{
		phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE,
		phonenumbers.PREMIUM_RATE, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER,
	}
	regions := make([]string, 0, 256)
	for region := range phonenumbers.GetSupportedRegions() {
		regions = append(regions, region)
	}
	sort.Strings(regions)
	checked := 0
	for _, region := range regions {
		for _, typ := range types {
			num := phonenumbers.GetExampleNumberForType(region, typ)
			if num == nil {
				continue
			}
			for _, format := range []phonenumbers.PhoneNumberFormat{phonenumbers.NATIONAL, phonenumbers.INTERNATIONAL} {
				text := phonenumbers.Format(num, format)
				want := ""
				if p, err := phonenumbers.Parse(text, region); err == nil && phonenumbers.IsPossibleNumberWithReason(p) == phonenumbers.IS_POSSIBLE {
					want = phonenumbers.Format(p, phonenumbers.E164)
				}
				got := NormalizePhone(text, region)
				if got.Norm != want {
					t.Errorf("%s %v %q: got %+v, Parse gives %q", region, typ, text, got, want)
				}
				checked++
			}
		}
	}
	t.Logf("checked %d example numbers", checked)
	if checked < 1000 {
		t.Errorf("checked only %d example numbers", checked)
	}
}
