package resolver

import (
	"math"
	"testing"
)

func TestClusterConfidence(t *testing.T) {
	// The weakest link is the weakest edge that merged, not the weakest edge.
	c := newClusterer(5, func(i, j int32) (bool, bool) { return true, false })
	c.union(3, 4) // a must-link: no scored edge
	c.link([]edge{{0, 1, 10}, {1, 2, 4}, {0, 2, 12}})
	for _, tt := range []struct {
		root int32
		want float64
	}{
		{0, probability(10)}, // 0-2 merge first (12), then 0-1 (10); 1-2 (4) joins nothing new
		{3, 1},
	} {
		if got := c.confidence(tt.root); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("confidence(%d) = %v, want %v", tt.root, got, tt.want)
		}
	}
}
