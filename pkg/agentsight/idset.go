package agentsight

import (
	"math"
	"math/bits"
)

// idSet is the set of conversation ids a listing has seen, so that a conversation two pages
// both carry is counted once. It is open addressing with linear probing over a slice,
// which on a listing of 100k conversations costs a fraction of a map's inserts.
type idSet struct {
	// slots hold id^math.MinInt64, so that a zeroed slot is empty; the one id that maps to
	// zero, math.MinInt64, is hasMinID instead.
	slots    []int64
	n        int
	shift    uint // 64 - log2(len(slots))
	hasMinID bool
}

// newIDSet returns a set with room for about n ids before it grows.
func newIDSet(n int) *idSet {
	s := &idSet{}
	s.reset(n)
	return s
}

// reset empties the set and gives it room for about n ids, keeping its slots if they are
// enough: a listing of 100k conversations needs 2 MB of them, which a client reuses from one
// listing to the next rather than asking the system for (and zeroing) fresh memory.
func (s *idSet) reset(n int) {
	size := 16
	for size < 2*n && size < 1<<18 { // beyond 256k slots (2 MB) it grows as ids arrive
		size *= 2
	}
	if len(s.slots) >= size && len(s.slots) <= 4*size {
		clear(s.slots)
	} else { // too few, or so many that clearing them would cost more than new ones
		s.slots = make([]int64, size)
	}
	s.shift = uint(64 - bits.TrailingZeros(uint(len(s.slots))))
	s.n, s.hasMinID = 0, false
}

// add puts id in the set and reports whether it was not there yet.
func (s *idSet) add(id int64) bool {
	key := id ^ math.MinInt64
	if key == 0 {
		added := !s.hasMinID
		s.hasMinID = true
		return added
	}
	if 2*(s.n+1) > len(s.slots) {
		s.grow()
	}
	mask := len(s.slots) - 1
	// Fibonacci hashing spreads ids that arrive in sequence over the table.
	for i := int(uint64(key) * 0x9E3779B97F4A7C15 >> s.shift); ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			s.slots[i] = key
			s.n++
			return true
		case key:
			return false
		}
	}
}

func (s *idSet) grow() {
	old := s.slots
	s.slots = make([]int64, 2*len(old))
	s.shift--
	s.n = 0
	for _, key := range old {
		if key != 0 {
			s.add(key ^ math.MinInt64)
		}
	}
}
