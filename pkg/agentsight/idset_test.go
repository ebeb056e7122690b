package agentsight

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestIDSetAgreesWithAMap(t *testing.T) {
	tests := []struct {
		name string
		size int   // the rows the set expects
		near int64 // the id its window is centred on
		ids  func(r *rand.Rand) []int64
	}{
		{"edge values", 4, 0, func(*rand.Rand) []int64 {
			return []int64{0, math.MinInt64, math.MaxInt64, -1, 1, 0, math.MinInt64, math.MaxInt64, -1, 1}
		}},
		{"a window at the lowest ids", 4, math.MinInt64 + 3, func(*rand.Rand) []int64 {
			return []int64{math.MinInt64, math.MinInt64 + 1, math.MinInt64 + 700, math.MinInt64, math.MaxInt64, math.MinInt64 + 700}
		}},
		{"a window at the highest ids", 4, math.MaxInt64 - 3, func(*rand.Rand) []int64 {
			return []int64{math.MaxInt64, math.MaxInt64 - 1, math.MaxInt64 - 700, math.MaxInt64, math.MinInt64, math.MaxInt64 - 700}
		}},
		{"a sequence around the window, twice", 100, 500, func(*rand.Rand) []int64 {
			var ids []int64
			for range 2 {
				for id := int64(-2000); id <= 3000; id++ {
					ids = append(ids, id)
				}
			}
			return ids
		}},
		{"random with repeats, growing from a small set", 1, 0, func(r *rand.Rand) []int64 {
			ids := make([]int64, 20000)
			for i := range ids {
				ids[i] = r.Int64N(5000) - 2500
			}
			return ids
		}},
		{"wide random: the hash table", 10, 0, func(r *rand.Rand) []int64 {
			ids := make([]int64, 5000)
			for i := range ids {
				ids[i] = int64(r.Uint64())
			}
			return append(ids, ids[:100]...)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newIDSet(tt.size, tt.near)
			// The second round reuses the set, as a client does for its next listing.
			for round := range 2 {
				seen := map[int64]bool{}
				for i, id := range tt.ids(rand.New(rand.NewPCG(1, uint64(round)))) {
					if got, want := s.add(id), !seen[id]; got != want {
						t.Fatalf("round %d: add #%d (%d) = %v, want %v", round, i, id, got, want)
					}
					seen[id] = true
				}
				s.reset(tt.size, tt.near)
			}
		})
	}
}
