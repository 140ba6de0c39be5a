package customer

import (
	"testing"
	"time"
)

func TestConsentSupersedes(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 1, d, 0, 0, 0, 0, time.UTC) }
	granted := func(at time.Time) Consent { return Consent{Status: ConsentGranted, At: at} }
	denied := func(at time.Time) Consent { return Consent{Status: ConsentDenied, At: at} }
	for _, tt := range []struct {
		name   string
		c, old Consent
		want   bool
	}{
		{"unknown never", Consent{}, granted(day(1)), false},
		{"known over unknown", granted(time.Time{}), Consent{}, true},
		{"dated over undated", granted(day(1)), denied(time.Time{}), true},
		{"undated under dated", denied(time.Time{}), granted(day(1)), false},
		{"later wins", granted(day(2)), denied(day(1)), true},
		{"earlier loses", denied(day(1)), granted(day(2)), false},
		{"same date: denial wins", denied(day(1)), granted(day(1)), true},
		{"same date: grant does not", granted(day(1)), denied(day(1)), false},
		{"both undated: denial wins", denied(time.Time{}), granted(time.Time{}), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Supersedes(tt.old); got != tt.want {
				t.Errorf("%+v.Supersedes(%+v) = %v, want %v", tt.c, tt.old, got, tt.want)
			}
		})
	}
}
