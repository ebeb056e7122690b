package models

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// durationUnits are the units a duration setting may be written in: Go's and Grafana's,
// without months and years (whose length varies). A count's bucket is read by parseBucket,
// which also takes Grafana's months and years, as the SDK's gtime does.
var durationUnits = map[string]time.Duration{
	"ms": time.Millisecond,
	"s":  time.Second,
	"m":  time.Minute,
	"h":  time.Hour,
	"d":  24 * time.Hour,
	"w":  7 * 24 * time.Hour,
}

// errDurationRange is a duration too large for time.Duration (about 292 years).
var errDurationRange = errors.New("duration out of range")

// ParseDuration reads "90s", "5m", "1d", "2w" or Go's compound form ("1h30m"), refusing, rather
// than wrapping, anything beyond max (0: time.Duration's own limit). A plain "0" is zero.
func ParseDuration(text string, max time.Duration) (time.Duration, error) {
	text = strings.TrimSpace(text)
	if max <= 0 {
		max = math.MaxInt64
	}
	if text == "0" {
		return 0, nil
	}
	if text == "" {
		return 0, errors.New("empty duration")
	}
	neg := strings.HasPrefix(text, "-")
	rest := strings.TrimPrefix(text, "-")
	var total time.Duration
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		j := i
		for j < len(rest) && (rest[j] < '0' || rest[j] > '9') {
			j++
		}
		if i == 0 {
			return 0, errors.New("a duration is a number and a unit")
		}
		unit, ok := durationUnits[rest[i:j]]
		if !ok {
			// Fractions ("1.5s") and Go's µs/ns: Go's parser, which reports overflow itself.
			d, err := time.ParseDuration(text)
			if err != nil {
				return 0, err
			}
			if d > max || d < -max {
				return 0, errDurationRange
			}
			return d, nil
		}
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil || n > int64(max/unit) {
			return 0, errDurationRange
		}
		part := time.Duration(n) * unit
		if total > max-part {
			return 0, errDurationRange
		}
		total += part
		rest = rest[j:]
	}
	if neg {
		total = -total
	}
	return total, nil
}

// FormatDuration writes a duration the way a person types it: "48h", "10m", "1m30s", "0s";
// never Go's "48h0m0s".
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
