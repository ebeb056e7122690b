// Package frames turns Conversation API results into Grafana data frames. It knows nothing
// of HTTP.
package frames

import (
	"time"
)

// Buckets are the equal, UTC-aligned time slots of a count series.
type Buckets struct {
	First time.Time
	Size  time.Duration
	N     int
}

// NewBuckets covers [from, to] with slots of size aligned to multiples of size since the Unix
// epoch (so a 1h series starts on the hour and a 1d series at midnight UTC), the first holding
// from and the last holding to.
func NewBuckets(from, to time.Time, size time.Duration) Buckets {
	first := from.UTC().Truncate(size)
	n := int(to.UTC().Truncate(size).Sub(first)/size) + 1
	if to.Before(from) {
		n = 0
	}
	return Buckets{First: first, Size: size, N: n}
}

// Index is the slot holding t, or -1 outside the buckets.
func (b Buckets) Index(t time.Time) int {
	if t.Before(b.First) {
		return -1
	}
	i := int(t.Sub(b.First) / b.Size)
	if i >= b.N {
		return -1
	}
	return i
}

// Start is the start time of slot i.
func (b Buckets) Start(i int) time.Time {
	return b.First.Add(time.Duration(i) * b.Size)
}

// Resolution is the finest step of the API's timestamps (Django keeps microseconds).
const Resolution = time.Microsecond

// Bounds are the inclusive API bounds of slot i, clipped to [from, to]. The API treats both
// bounds as inclusive, so a slot ends one Resolution before the next begins: slots share no
// instant and a conversation that starts exactly on a boundary is counted once.
func (b Buckets) Bounds(i int, from, to time.Time) (time.Time, time.Time) {
	start := b.Start(i)
	end := start.Add(b.Size - Resolution)
	if start.Before(from) {
		start = from
	}
	if end.After(to) {
		end = to
	}
	return start, end
}

// ChooseBucketSize picks the bucket of a count series when the query names none: the panel's
// interval, at least minSize, widened to a round size when the series would otherwise have
// more than maxPoints points (widened reports that).
func ChooseBucketSize(from, to time.Time, interval, minSize time.Duration, maxPoints int64) (size time.Duration, widened bool) {
	size = max(interval, minSize)
	fits := func(d time.Duration) bool { return maxPoints <= 0 || int64(NewBuckets(from, to, d).N) <= maxPoints }
	if fits(size) {
		return size, false
	}
	steps := roundSizes()
	for _, step := range steps {
		if step > size && fits(step) {
			return step, true
		}
	}
	// Beyond the round sizes, whole multiples of the largest one.
	size = max(size, steps[len(steps)-1])
	for !fits(size) {
		size *= 2
	}
	return size, true
}

// roundSizes are the sizes a widened bucket snaps to, so that axes read naturally.
func roundSizes() []time.Duration {
	return []time.Duration{
		time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
		24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 30 * 24 * time.Hour,
	}
}
