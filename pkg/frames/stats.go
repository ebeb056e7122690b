package frames

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/models"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// EndUser is the sender of a customer's messages; every other sender (the agent, a human
// operator, the system) answers them.
const EndUser = "end_user"

// StatsSeries collects the values of a stats query's measure per group and bucket (or over
// the whole range when Total is set) and reduces each bucket to one number.
type StatsSeries struct {
	Buckets     Buckets
	Total       bool
	GroupBy     string
	Measure     models.Measure
	Aggregation models.Aggregation
	// Unit is the values' unit in the field config ("s"), "" for counts.
	Unit string

	from, to time.Time
	groups   []statsGroup
	index    map[string]int
}

type statsGroup struct {
	name string
	accs []accumulator
}

// accumulator holds what its aggregation needs of one bucket's values: a running count, sum,
// minimum and maximum, and the values themselves only for a percentile, the customer ids
// only for a distinct count.
type accumulator struct {
	n             int
	sum, min, max float64
	values        []float64
	distinct      map[string]struct{}
}

// NewStatsSeries starts the series of a stats query over [from, to]. Values whose time is
// outside the range are left out (a reply after the range's end to a conversation started
// within it).
func NewStatsSeries(q models.Query, b Buckets, from, to time.Time) *StatsSeries {
	spec, _ := models.LookupMeasure(q.Measure)
	if q.Total {
		b = Buckets{N: 1}
	}
	return &StatsSeries{Buckets: b, Total: q.Total, GroupBy: q.GroupBy, Measure: q.Measure, Aggregation: q.Aggregation,
		Unit: spec.Unit, from: from, to: to, index: map[string]int{}}
}

// slot is the bucket holding t, or -1 outside the range.
func (s *StatsSeries) slot(t time.Time) int {
	if t.Before(s.from) || t.After(s.to) {
		return -1
	}
	if s.Total {
		return 0
	}
	return s.Buckets.Index(t)
}

func (s *StatsSeries) acc(group string, i int) *accumulator {
	g := groupOf(s.index, &s.groups, s.GroupBy, group, func(name string) statsGroup {
		return statsGroup{name: name, accs: make([]accumulator, s.Buckets.N)}
	})
	return &g.accs[i]
}

func (s *StatsSeries) add(group string, t time.Time, v float64) {
	i := s.slot(t)
	if i < 0 {
		return
	}
	a := s.acc(group, i)
	if a.n == 0 || v < a.min {
		a.min = v
	}
	if a.n == 0 || v > a.max {
		a.max = v
	}
	a.n++
	a.sum += v
	if s.Aggregation.Percentile() > 0 {
		a.values = append(a.values, v)
	}
}

// Add adds one conversation's values of the measure. Per-message measures read c.Messages,
// which must hold the conversation's messages (their timestamps and senders).
func (s *StatsSeries) Add(c *agentsight.Conversation) {
	group := ""
	if s.GroupBy != models.SenderGroup {
		group = FieldValue(c, s.GroupBy)
	}
	switch s.Measure {
	case models.MeasureCustomers:
		if c.StartedAt == nil || c.CustomerID == "" {
			return
		}
		if i := s.slot(*c.StartedAt); i >= 0 {
			a := s.acc(group, i)
			if a.distinct == nil {
				a.distinct = map[string]struct{}{}
			}
			a.distinct[c.CustomerID] = struct{}{}
		}
	case models.MeasureDuration:
		if c.StartedAt != nil && c.EndedAt != nil {
			s.add(group, *c.StartedAt, Seconds(*c.StartedAt, *c.EndedAt))
		}
	case models.MeasureMessages:
		if c.StartedAt != nil {
			s.add(group, *c.StartedAt, float64(c.MessageCount))
		}
	case models.MeasureSentMessages:
		for _, m := range c.Messages {
			if m.Timestamp == nil {
				continue
			}
			g := group
			if s.GroupBy == models.SenderGroup {
				g = m.Sender
			}
			s.add(g, *m.Timestamp, 1)
		}
	case models.MeasureResponseTime:
		for _, r := range Replies(c.Messages) {
			s.add(group, r.At, r.Seconds)
		}
	}
}

// Seconds is b − a in seconds, to the microsecond, over any span time.Time holds (a
// time.Duration saturates beyond 292 years).
func Seconds(a, b time.Time) float64 {
	return float64(b.Unix()-a.Unix()) + float64(b.Nanosecond()-a.Nanosecond())/1e9
}

// Reply is an answer to a customer: when it was sent and how long after the first customer
// message it answers.
type Reply struct {
	At      time.Time
	Seconds float64
}

// Replies finds the replies of one conversation's messages (in any order): ordered by
// timestamp then id, a reply is a message not from EndUser that follows at least one EndUser
// message since the previous message not from EndUser; its response time runs from the first
// of those EndUser messages. Messages without a timestamp are left out.
func Replies(messages []agentsight.Message) []Reply {
	ordered := make([]agentsight.Message, 0, len(messages))
	for _, m := range messages {
		if m.Timestamp != nil {
			ordered = append(ordered, m)
		}
	}
	slices.SortStableFunc(ordered, func(a, b agentsight.Message) int {
		if c := a.Timestamp.Compare(*b.Timestamp); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	var out []Reply
	var waiting *time.Time // the first customer message not answered yet
	for _, m := range ordered {
		switch {
		case m.Sender == EndUser:
			if waiting == nil {
				waiting = m.Timestamp
			}
		case waiting != nil:
			out = append(out, Reply{At: *m.Timestamp, Seconds: Seconds(*waiting, *m.Timestamp)})
			waiting = nil
		}
	}
	return out
}

// value reduces one bucket: nil for the average, extremes and percentiles of nothing (a gap
// in the series, not a zero).
func (s *StatsSeries) value(a *accumulator) *float64 {
	var v float64
	switch agg := s.Aggregation; {
	case agg == models.AggDistinct:
		v = float64(len(a.distinct))
	case agg == models.AggCount:
		v = float64(a.n)
	case agg == models.AggSum:
		v = a.sum
	case a.n == 0:
		return nil
	case agg == models.AggAvg:
		v = a.sum / float64(a.n)
	case agg == models.AggMin:
		v = a.min
	case agg == models.AggMax:
		v = a.max
	case agg.Percentile() > 0:
		v = Percentile(a.values, agg.Percentile())
	default:
		return nil
	}
	return &v
}

// Percentile is the nearest-rank percentile p of values (not empty): the ⌈p/100·n⌉-th
// smallest, so p90 of 10 values is the 9th smallest. values is left as it was: frames may be
// asked for twice, and concurrently.
func Percentile(values []float64, p int) float64 {
	values = slices.Clone(values)
	sort.Float64s(values)
	rank := (p*len(values) + 99) / 100
	return values[max(rank, 1)-1]
}

// Frames returns one frame per group, in alphabetical order, as a count gives them: a
// timeseries-multi frame with a time field, or with Total a numeric-multi frame of one value.
// A series with nothing in range still returns one ungrouped frame, so alert rules read 0
// (or no value) rather than no data.
func (s *StatsSeries) Frames() (data.Frames, error) {
	groups := slices.Clone(s.groups)
	if len(groups) == 0 && s.GroupBy == "" {
		groups = append(groups, statsGroup{accs: make([]accumulator, s.Buckets.N)})
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].name < groups[j].name })
	name := string(s.Aggregation) + " " + string(s.Measure)
	times := s.Buckets.times()
	out := make(data.Frames, 0, len(groups))
	for _, g := range groups {
		var values any
		if s.Aggregation.ZeroWhenEmpty() {
			zeroed := make([]float64, len(g.accs))
			for i := range g.accs {
				zeroed[i] = *s.value(&g.accs[i])
			}
			values = zeroed
		} else {
			nullable := make([]*float64, len(g.accs))
			for i := range g.accs {
				nullable[i] = s.value(&g.accs[i])
			}
			values = nullable
		}
		field := seriesField(name, s.GroupBy, g.name, s.Unit, values)
		if !s.Total {
			out = append(out, timeSeriesFrame(name, times, field))
			continue
		}
		frame := data.NewFrame(name, field)
		frame.Meta = &data.FrameMeta{Type: data.FrameTypeNumericMulti, TypeVersion: data.FrameTypeVersion{0, 1}}
		out = append(out, frame)
	}
	return out, nil
}
