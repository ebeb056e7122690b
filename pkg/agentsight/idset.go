package agentsight

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// idSet is the set of conversation ids a listing has seen, so that a conversation two pages
// both carry is counted once.
//
// An API numbers conversations in sequence, so a listing's ids mostly lie close together:
// those within 8 ids per expected row of the first one are bits of window, a bit per
// possible id (200 kB for 100k rows, and no cache miss per insert). The others go to a hash
// table, open addressing with linear probing.
type idSet struct {
	base   int64
	window []uint64 // bit i of word w: id base+64w+i is in the set

	// slots hold id^math.MinInt64, so that a zeroed slot is empty; the one id that maps to
	// zero, math.MinInt64, is hasMinID instead.
	slots    []int64
	n        int
	shift    uint // 64 - log2(len(slots))
	hasMinID bool
	// multiplier is a random odd number, drawn for each listing: with a fixed one, an API
	// could send ids that all land in one run of slots and make each insert scan them all.
	multiplier uint64
}

const (
	minSlots       = 16
	windowPerRow   = 16      // bits of window per expected row: 8 ids either side
	maxWindowWords = 1 << 18 // 2 MB
)

// newIDSet returns a set for about n ids around near.
func newIDSet(n int, near int64) *idSet {
	s := &idSet{}
	s.reset(n, near)
	return s
}

// reset empties the set for about n ids around near, keeping its memory when it is about the
// right size: a client reuses a set from one listing to the next rather than asking the
// system for (and zeroing) fresh memory.
func (s *idSet) reset(n int, near int64) {
	words := min(max(n*windowPerRow/64, 16), maxWindowWords)
	s.window = resize(s.window, words)
	half := int64(words) * 32
	s.base = math.MinInt64
	if near > math.MinInt64+half {
		s.base = near - half
	}
	s.slots = resize(s.slots, minSlots)
	s.shift = uint(64 - bits.TrailingZeros(uint(len(s.slots))))
	s.n, s.hasMinID = 0, false
	s.multiplier = rand.Uint64() | 1
}

// resize is an empty slice of length n, reusing s unless it is too short or over four times
// too long (clearing it would then cost more than a new one).
func resize[T any](s []T, n int) []T {
	if cap(s) < n || cap(s) > 4*n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// add puts id in the set and reports whether it was not there yet.
func (s *idSet) add(id int64) bool {
	// Unsigned, an id below base wraps around to a large offset, outside the window.
	if off := uint64(id) - uint64(s.base); off < uint64(len(s.window))*64 {
		w, bit := off/64, uint64(1)<<(off%64)
		if s.window[w]&bit != 0 {
			return false
		}
		s.window[w] |= bit
		return true
	}
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
	// Multiply-shift hashing: the top bits of the product pick the slot.
	for i := int(uint64(key) * s.multiplier >> s.shift); ; i = (i + 1) & mask {
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
