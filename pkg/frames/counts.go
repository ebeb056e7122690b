package frames

import (
	"sort"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Series is one line of a count series: the conversations started per bucket, for one group.
type Series struct {
	// Group is the value of the group-by field ("en"); empty when the count is not grouped.
	Group  string
	Counts []float64
}

// CountSeries holds the series of a count query over the same buckets.
type CountSeries struct {
	Buckets Buckets
	GroupBy string
	Series  []Series
	index   map[string]int
}

// UnknownGroup labels conversations that have no value for the group-by field.
const UnknownGroup = "unknown"

// NewCountSeries starts a series set with zeros in every bucket.
func NewCountSeries(b Buckets, groupBy string) *CountSeries {
	return &CountSeries{Buckets: b, GroupBy: groupBy, index: map[string]int{}}
}

// Add counts n conversations that started at t in group (t outside the buckets is ignored).
func (c *CountSeries) Add(group string, t time.Time, n float64) {
	i := c.Buckets.Index(t)
	if i < 0 {
		return
	}
	c.series(group).Counts[i] += n
}

// AddToBucket counts n conversations in bucket i of group.
func (c *CountSeries) AddToBucket(group string, i int, n float64) {
	c.series(group).Counts[i] += n
}

func (c *CountSeries) series(group string) *Series {
	return groupOf(c.index, &c.Series, c.GroupBy, group, func(name string) Series {
		return Series{Group: name, Counts: make([]float64, c.Buckets.N)}
	})
}

// Frames returns one timeseries-multi frame per series, groups in alphabetical order. A count
// with nothing in range still returns one all-zero series, so alert rules read 0, not no data.
func (c *CountSeries) Frames() (data.Frames, error) {
	series := append([]Series(nil), c.Series...)
	if len(series) == 0 && c.GroupBy == "" {
		series = append(series, Series{Counts: make([]float64, c.Buckets.N)})
	}
	sort.Slice(series, func(i, j int) bool { return series[i].Group < series[j].Group })
	times := c.Buckets.times()
	out := make(data.Frames, 0, len(series))
	for _, s := range series {
		out = append(out, timeSeriesFrame("count", times, seriesField("count", c.GroupBy, s.Group, "", s.Counts)))
	}
	return out, nil
}

// TotalFrame is a single number: the conversations in the whole range (alertable as is).
func TotalFrame(total int) *data.Frame {
	frame := data.NewFrame("count", data.NewField("count", nil, []float64{float64(total)}))
	frame.Meta = &data.FrameMeta{Type: data.FrameTypeNumericWide, TypeVersion: data.FrameTypeVersion{0, 1}}
	return frame
}
