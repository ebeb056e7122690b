// Package frames turns Conversation API results into Grafana data frames. It knows nothing
// of HTTP.
package frames

import (
	"time"
)

// Buckets are the equal, UTC-aligned time slots of a count series. Their arithmetic is done in
// whole seconds since the Unix epoch (int64), never with time.Duration between two instants,
// which saturates beyond ~292 years: any range from year 1 to 9999 is bucketed exactly.
type Buckets struct {
	First time.Time
	Size  time.Duration
	N     int

	firstSec, sizeSec int64
}

// NewBuckets covers [from, to] with slots of size (rounded up to whole seconds, at least one)
// aligned to multiples of size since the Unix epoch, 1970-01-01T00:00:00Z: a 1h series starts
// on the hour, a 1d series at midnight UTC and a 7d series on a Thursday (the epoch's
// weekday). The first slot holds from and the last holds to.
func NewBuckets(from, to time.Time, size time.Duration) Buckets {
	sizeSec := max(int64((size+time.Second-1)/time.Second), 1)
	firstSec := floorDiv(from.Unix(), sizeSec) * sizeSec
	b := Buckets{First: time.Unix(firstSec, 0).UTC(), Size: time.Duration(sizeSec) * time.Second, firstSec: firstSec, sizeSec: sizeSec}
	if !to.Before(from) {
		b.N = int(floorDiv(to.Unix(), sizeSec) - floorDiv(from.Unix(), sizeSec) + 1)
	}
	return b
}

// floorDiv is a/b rounded down (b > 0), for instants before 1970 too.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// Index is the slot holding t, or -1 outside the buckets.
func (b Buckets) Index(t time.Time) int {
	if b.sizeSec == 0 || t.Before(b.First) {
		return -1
	}
	i := (t.Unix() - b.firstSec) / b.sizeSec
	if i >= int64(b.N) {
		return -1
	}
	return int(i)
}

// Start is the start time of slot i.
func (b Buckets) Start(i int) time.Time {
	return time.Unix(b.firstSec+int64(i)*b.sizeSec, 0).UTC()
}

// Resolution is the finest step of the API's timestamps (Django keeps microseconds).
const Resolution = time.Microsecond

// Bounds are the inclusive API bounds of slot i, clipped to [from, to]. The API treats both
// bounds as inclusive, so a slot ends one Resolution before the next begins: slots share no
// instant and a conversation that starts exactly on a boundary is counted once.
func (b Buckets) Bounds(i int, from, to time.Time) (time.Time, time.Time) {
	start := b.Start(i)
	end := b.Start(i + 1).Add(-Resolution)
	if start.Before(from) {
		start = from
	}
	if end.After(to) {
		end = to
	}
	return start, end
}

// MaxAutoBucket is the widest bucket ChooseBucketSize picks: 30 days doubled 11 times (168
// years), the last such step time.Duration holds with room to spare.
const MaxAutoBucket = 30 * 24 * time.Hour << 11

// ChooseBucketSize picks the bucket of a count series when the query names none: the panel's
// interval, at least minSize, widened to a round size when the series would otherwise have
// more than maxPoints points (widened reports that). It never goes beyond MaxAutoBucket, so
// over a range of millennia it may return more than maxPoints points (a few dozen); it never
// wraps.
func ChooseBucketSize(from, to time.Time, interval, minSize time.Duration, maxPoints int64) (size time.Duration, widened bool) {
	size = min(max(interval, minSize), MaxAutoBucket)
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
	// Beyond the round sizes, the largest one doubled, up to MaxAutoBucket.
	size = max(size, steps[len(steps)-1])
	for !fits(size) && size < MaxAutoBucket {
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
