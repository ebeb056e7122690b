package frames

import (
	"testing"
	"time"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNewBuckets(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		size     time.Duration
		first    string
		n        int
	}{
		{"2026-10-20T10:17:00Z", "2026-10-20T12:00:00Z", time.Hour, "2026-10-20T10:00:00Z", 3},
		{"2026-10-20T10:00:00Z", "2026-10-20T10:59:59Z", time.Hour, "2026-10-20T10:00:00Z", 1},
		{"2026-10-20T13:30:00Z", "2026-10-22T01:00:00Z", 24 * time.Hour, "2026-10-20T00:00:00Z", 3},
		{"2026-10-20T10:07:00+02:00", "2026-10-20T08:20:00Z", 5 * time.Minute, "2026-10-20T08:05:00Z", 4},
		{"2026-10-20T10:00:00Z", "2026-10-20T09:00:00Z", time.Hour, "2026-10-20T10:00:00Z", 0},
	} {
		b := NewBuckets(ts(tc.from), ts(tc.to), tc.size)
		if !b.First.Equal(ts(tc.first)) || b.N != tc.n {
			t.Errorf("%s..%s by %s: first %s n %d, want %s %d", tc.from, tc.to, tc.size, b.First, b.N, tc.first, tc.n)
		}
	}
}

// Slots share no instant: a conversation exactly on a boundary belongs to the later slot
// only, and the API bounds of neighbouring slots do not overlap.
func TestBucketBoundaries(t *testing.T) {
	from, to := ts("2026-10-20T10:30:00Z"), ts("2026-10-20T13:00:00Z")
	b := NewBuckets(from, to, time.Hour)
	for _, tc := range []struct {
		at   string
		want int
	}{
		{"2026-10-20T10:00:00Z", 0}, {"2026-10-20T10:59:59.999999Z", 0}, {"2026-10-20T11:00:00Z", 1},
		{"2026-10-20T13:00:00Z", 3}, {"2026-10-20T14:00:00Z", -1}, {"2026-10-20T09:59:59Z", -1},
	} {
		if got := b.Index(ts(tc.at)); got != tc.want {
			t.Errorf("Index(%s) = %d, want %d", tc.at, got, tc.want)
		}
	}
	lo0, hi0 := b.Bounds(0, from, to)
	lo1, hi1 := b.Bounds(1, from, to)
	_, hi3 := b.Bounds(3, from, to)
	if !lo0.Equal(from) || !hi0.Equal(ts("2026-10-20T10:59:59.999999Z")) || !lo1.Equal(ts("2026-10-20T11:00:00Z")) || !hi1.Before(ts("2026-10-20T12:00:00Z")) || !hi3.Equal(to) {
		t.Fatalf("bounds: [%s %s] [%s %s] ... %s", lo0, hi0, lo1, hi1, hi3)
	}
}

func TestChooseBucketSize(t *testing.T) {
	from := ts("2026-10-01T00:00:00Z")
	for _, tc := range []struct {
		span      time.Duration
		interval  time.Duration
		maxPoints int64
		want      time.Duration
		widened   bool
	}{
		{24 * time.Hour, time.Hour, 1000, time.Hour, false},
		{24 * time.Hour, 10 * time.Second, 2000, time.Minute, false}, // never below 1m
		{2 * 24 * time.Hour, time.Minute, 100, 30 * time.Minute, true},
		{7 * 24 * time.Hour, time.Minute, 0, time.Minute, false}, // no maxPoints: as asked
		{3650 * 24 * time.Hour, time.Minute, 10, 480 * 24 * time.Hour, true},
	} {
		got, widened := ChooseBucketSize(from, from.Add(tc.span), tc.interval, time.Minute, tc.maxPoints)
		if got != tc.want || widened != tc.widened {
			t.Errorf("span %s interval %s max %d: %s widened=%v, want %s %v", tc.span, tc.interval, tc.maxPoints, got, widened, tc.want, tc.widened)
		}
		if tc.maxPoints > 0 && int64(NewBuckets(from, from.Add(tc.span), got).N) > tc.maxPoints {
			t.Errorf("span %s: %s gives more than %d points", tc.span, got, tc.maxPoints)
		}
	}
}

// Buckets are aligned to multiples of their size since the Unix epoch, as the design says: a 7d
// bucket starts on a Thursday (1970-01-01 was one), at midnight UTC.
func TestBucketsAlignedToTheEpoch(t *testing.T) {
	for _, from := range []string{"2026-10-20T13:30:00Z", "1969-12-25T00:00:00Z", "0001-03-01T00:00:00Z", "9999-06-01T00:00:00Z"} {
		b := NewBuckets(ts(from), ts(from).Add(30*24*time.Hour), 7*24*time.Hour)
		for i := range b.N {
			if s := b.Start(i); s.Weekday() != time.Thursday || s.Hour() != 0 || s.Minute() != 0 {
				t.Errorf("from %s: bucket %d starts %s (%s)", from, i, s, s.Weekday())
			}
		}
		if b.Index(ts(from)) != 0 {
			t.Errorf("from %s: not in the first bucket starting %s", from, b.First)
		}
	}
	// A 90-minute series is aligned to the epoch, not to the hour.
	b := NewBuckets(ts("2026-10-20T10:17:00Z"), ts("2026-10-20T12:00:00Z"), 90*time.Minute)
	if want := ts("2026-10-20T09:00:00Z"); !b.First.Equal(want) || b.First.Unix()%5400 != 0 {
		t.Errorf("90m buckets start %s, want %s", b.First, want)
	}
}

// Over ranges of centuries (beyond time.Duration's ~292 years) each conversation is still
// counted in the bucket holding its start.
func TestBucketsOverLongRanges(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		size     time.Duration
	}{
		{"1700-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 30 * 24 * time.Hour},
		{"0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", 366 * 24 * time.Hour},
		{"0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", time.Minute},
	} {
		b := NewBuckets(ts(tc.from), ts(tc.to), tc.size)
		for _, at := range []string{tc.from, "2026-10-15T08:30:00Z", "1500-06-01T00:00:00Z", tc.to} {
			when := ts(at)
			if when.Before(ts(tc.from)) || when.After(ts(tc.to)) {
				continue
			}
			i := b.Index(when)
			if i < 0 || b.Start(i).After(when) || !b.Start(i+1).After(when) {
				t.Errorf("%s..%s by %s: %s in bucket %d [%s, %s)", tc.from, tc.to, tc.size, at, i, b.Start(i), b.Start(i+1))
			}
		}
		if last := b.Start(b.N - 1); last.After(ts(tc.to)) || !b.Start(b.N).After(ts(tc.to)) {
			t.Errorf("%s..%s by %s: %d buckets, the last starting %s", tc.from, tc.to, tc.size, b.N, last)
		}
	}
}

// The automatic bucket never wraps: over any range it stays a positive size no wider than
// MaxAutoBucket, and gives at most maxPoints points whenever MaxAutoBucket can.
func TestChooseBucketSizeNeverWraps(t *testing.T) {
	for _, tc := range []struct {
		from, to  string
		maxPoints int64
	}{
		{"1700-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 1},
		{"0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", 1},
		{"0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", 1000},
		{"2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 1},
	} {
		size, widened := ChooseBucketSize(ts(tc.from), ts(tc.to), time.Minute, time.Minute, tc.maxPoints)
		n := NewBuckets(ts(tc.from), ts(tc.to), size).N
		if size < time.Minute || size > MaxAutoBucket || !widened {
			t.Errorf("%s..%s max %d: size %s widened %v", tc.from, tc.to, tc.maxPoints, size, widened)
		}
		if int64(n) > tc.maxPoints && size != MaxAutoBucket {
			t.Errorf("%s..%s max %d: %s gives %d points", tc.from, tc.to, tc.maxPoints, size, n)
		}
		if int64(n) > max(100, tc.maxPoints) {
			t.Errorf("%s..%s: %d points", tc.from, tc.to, n)
		}
	}
}
