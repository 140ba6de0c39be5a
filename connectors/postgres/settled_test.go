package postgres

import "testing"

func TestSettled(t *testing.T) {
	const h = "2024-01-01 10:00:00.500000"
	for _, tt := range []struct {
		ts   string
		want bool
	}{
		{"2024-01-01 10:00:00+00", true},
		{"2024-01-01 10:00:00.5+00", true},
		{"2024-01-01 10:00:00.500001+00", false},
		{"2024-01-01 10:00:00.49", true},
		{"2024-01-01 10:00:01", false},
		{"2024-01-01", true},
		{"2024-01-02", false},
		{"infinity", false},
		{"", false},
	} {
		if got := settled(tt.ts, h); got != tt.want {
			t.Errorf("settled(%q, %q) = %v, want %v", tt.ts, h, got, tt.want)
		}
	}
}
