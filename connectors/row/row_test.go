package row

import (
	"slices"
	"testing"
)

func TestJoin(t *testing.T) {
	for _, tt := range []struct {
		name string
		cols [][]byte
		raw  string
		vals []string
	}{
		{"none", nil, "", []string{}},
		{"one", [][]byte{[]byte("C1")}, "C1", []string{"C1"}},
		{"empty columns", [][]byte{[]byte("C1"), nil, []byte("")}, "C1, , ", []string{"C1", "", ""}},
		{"comma inside", [][]byte{[]byte("a, b"), []byte("c")}, "a, b, c", []string{"a, b", "c"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			vals := make([]string, len(tt.cols))
			buf, raw := Join([]byte("left over"), tt.cols, vals)
			if raw != tt.raw || !slices.Equal(vals, tt.vals) {
				t.Errorf("Join = %q, %q; want %q, %q", raw, vals, tt.raw, tt.vals)
			}
			// The values are slices of Raw, which the next row's buffer
			// must not change.
			_, _ = Join(buf, [][]byte{[]byte("XXXXXXXXXX")}, make([]string, 1))
			if raw != tt.raw {
				t.Errorf("Raw changed to %q after the buffer was reused", raw)
			}
		})
	}
}
