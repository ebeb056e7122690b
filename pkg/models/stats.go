package models

import (
	"fmt"
	"slices"
	"strings"
)

// Measure is what a stats query aggregates: one value per conversation, per message or per
// agent reply (MeasureSpecs).
type Measure string

// The measures of a stats query.
const (
	MeasureCustomers    Measure = "customers"
	MeasureDuration     Measure = "duration"
	MeasureMessages     Measure = "messages"
	MeasureSentMessages Measure = "sent_messages"
	MeasureResponseTime Measure = "response_time"
)

// DefaultMeasure is the measure of a stats query that names none.
const DefaultMeasure = MeasureResponseTime

// Aggregation reduces the values of one bucket to one number.
type Aggregation string

// The aggregations of a stats query. Percentiles are nearest-rank: pN of n values is the
// ceil(N/100·n)-th smallest.
const (
	AggDistinct Aggregation = "distinct"
	AggCount    Aggregation = "count"
	AggAvg      Aggregation = "avg"
	AggMin      Aggregation = "min"
	AggMax      Aggregation = "max"
	AggSum      Aggregation = "sum"
	AggP50      Aggregation = "p50"
	AggP90      Aggregation = "p90"
	AggP95      Aggregation = "p95"
	AggP99      Aggregation = "p99"
)

// What a measure's value is bucketed by: the conversation's start, or the message's (or
// reply's) own timestamp.
const (
	BucketedByStart     = "started_at"
	BucketedByTimestamp = "timestamp"
)

// SenderGroup is the group-by of a message measure that splits by the message's sender rather
// than by a conversation field.
const SenderGroup = "sender"

// MeasureSpec is one measure of the stats query type, as editors show it and ParseQuery
// checks it.
type MeasureSpec struct {
	Key   Measure
	Label string
	// Per says what one value is, for the editor's help.
	Per string
	// Unit is the field config unit of its values ("s"), or "" for counts.
	Unit string
	// Aggregations are the valid ones, the default first.
	Aggregations []Aggregation
	// BucketedBy is BucketedByStart or BucketedByTimestamp.
	BucketedBy string
	// GroupBy are the group-by values it accepts.
	GroupBy []string
	// PerMessage is set when its values come from messages, which list pages may not embed.
	PerMessage bool
}

var valueAggregations = []Aggregation{AggAvg, AggMin, AggMax, AggSum, AggP50, AggP90, AggP95, AggP99}

// MeasureSpecs lists the measures in the order editors show them.
func MeasureSpecs() []MeasureSpec {
	return []MeasureSpec{
		{MeasureCustomers, "Customers", "distinct customer_id of the conversations (empty ones not counted)", "",
			[]Aggregation{AggDistinct}, BucketedByStart, GroupByFields, false},
		{MeasureDuration, "Duration", "conversation: ended_at − started_at, in seconds (no ended_at: left out)", "s",
			valueAggregations, BucketedByStart, GroupByFields, false},
		{MeasureMessages, "Messages per conversation", "conversation: its number of messages", "",
			valueAggregations, BucketedByStart, GroupByFields, false},
		{MeasureSentMessages, "Sent messages", "message: one each, at its timestamp", "",
			[]Aggregation{AggCount}, BucketedByTimestamp, append(slices.Clone(GroupByFields), SenderGroup), true},
		{MeasureResponseTime, "Response time", "agent reply: its time since the first customer message it answers, in seconds", "s",
			valueAggregations, BucketedByTimestamp, GroupByFields, true},
	}
}

// LookupMeasure returns the spec of a measure.
func LookupMeasure(m Measure) (MeasureSpec, bool) {
	for _, s := range MeasureSpecs() {
		if s.Key == m {
			return s, true
		}
	}
	return MeasureSpec{}, false
}

// AggregationSpec is what editors show of an aggregation.
type AggregationSpec struct {
	Key   Aggregation
	Label string
}

// AggregationSpecs lists every aggregation once.
func AggregationSpecs() []AggregationSpec {
	return []AggregationSpec{
		{AggAvg, "Average"},
		{AggMin, "Minimum"},
		{AggMax, "Maximum"},
		{AggSum, "Sum"},
		{AggP50, "Median (p50)"},
		{AggP90, "90th percentile"},
		{AggP95, "95th percentile"},
		{AggP99, "99th percentile"},
		{AggCount, "Count"},
		{AggDistinct, "Distinct count"},
	}
}

// Percentile returns N of an aggregation pN, or 0 for one that is no percentile.
func (a Aggregation) Percentile() int {
	switch a {
	case AggP50:
		return 50
	case AggP90:
		return 90
	case AggP95:
		return 95
	case AggP99:
		return 99
	}
	return 0
}

// ZeroWhenEmpty reports whether an empty bucket's value is 0 (counts and sums) rather than
// null (a gap: there is no average of nothing).
func (a Aggregation) ZeroWhenEmpty() bool {
	return a == AggSum || a == AggCount || a == AggDistinct
}

// parseStats reads a stats query's measure and aggregation and checks its group-by against
// the measure; the defaults are the default measure and its first aggregation.
func (q *Query) parseStats(measure, aggregation string) error {
	q.Measure = Measure(strings.TrimSpace(measure))
	if q.Measure == "" {
		q.Measure = DefaultMeasure
	}
	spec, ok := LookupMeasure(q.Measure)
	if !ok {
		keys := make([]Measure, 0, len(MeasureSpecs()))
		for _, s := range MeasureSpecs() {
			keys = append(keys, s.Key)
		}
		return fmt.Errorf("unknown measure %q: use one of %s", measure, joinQuoted(keys))
	}
	q.Aggregation = Aggregation(strings.TrimSpace(aggregation))
	if q.Aggregation == "" {
		q.Aggregation = spec.Aggregations[0]
	}
	if !slices.Contains(spec.Aggregations, q.Aggregation) {
		return fmt.Errorf("aggregation %q is not valid for measure %q: use %s", aggregation, q.Measure, joinQuoted(spec.Aggregations))
	}
	if q.GroupBy != "" && !slices.Contains(spec.GroupBy, q.GroupBy) {
		return fmt.Errorf("groupBy %q is not valid for measure %q: use one of %s", q.GroupBy, q.Measure, joinQuoted(spec.GroupBy))
	}
	return nil
}

// ValueName is the name of a stats frame's value field: what it holds ("p90 response_time").
func (q Query) ValueName() string {
	return string(q.Aggregation) + " " + string(q.Measure)
}
