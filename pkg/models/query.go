package models

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"
)

// QueryType selects what a query returns.
type QueryType string

// The query types of the design.
const (
	QueryCount         QueryType = "count"
	QueryConversations QueryType = "conversations"
	QueryMessages      QueryType = "messages"
	QueryAttachments   QueryType = "attachments"
	QueryValues        QueryType = "values"
	// QueryAnnotations marks conversations on time-series panels (an annotation query).
	QueryAnnotations QueryType = "annotations"
	// QueryStats aggregates a measure (MeasureSpecs) per bucket and group.
	QueryStats QueryType = "stats"
)

// QueryTypes lists every query type, in the order editors show them.
var QueryTypes = []QueryType{QueryCount, QueryStats, QueryConversations, QueryMessages, QueryAttachments, QueryValues, QueryAnnotations}

// FormatLogs asks a messages query for log lines instead of a table: the front end sets it
// in Explore, so that a transcript opens in the logs view while dashboards keep the table.
const FormatLogs = "logs"

// BucketTotal asks a count query for one number over the whole range.
const BucketTotal = "total"

// MinBucket is the smallest bucket a count query uses: the API's timestamps are in seconds and
// a finer series would only plot noise.
const MinBucket = time.Minute

// parseBucket reads a bucket as Go writes a duration ("90m", "8766h0m0s", which refuses an
// overflow) or as Grafana writes an interval ("1d", "2w", "1M", "1y"). The SDK's day, week,
// month and year units overflow silently on huge numbers, so those are taken with at most
// five characters before their unit, far beyond any bucket.
func parseBucket(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	if len(strings.TrimRight(s, "smhdwMy")) > 5 {
		return 0, fmt.Errorf("bucket %q is too long", s)
	}
	return gtime.ParseDuration(s)
}

// MaxBucket is the largest bucket of a count series.
const MaxBucket = 366 * 24 * time.Hour

// GroupByFields are the conversation fields a count can be split by: the client's table of
// conversation fields, which its decoding and the frames read too.
var GroupByFields = agentsight.FieldNames()

// ValueFields are the fields whose distinct values a values query lists: the same table.
// Action names are not among them: the API filters by them but never returns them.
var ValueFields = agentsight.FieldNames()

// FilterKeys are the API's filter parameters a query may set, from the client's table of
// them (agentsight.FilterParams), in its order: the order of error messages and requests.
var FilterKeys = func() []string {
	params := agentsight.FilterParams()
	keys := make([]string, len(params))
	for i, p := range params {
		keys[i] = p.Key
	}
	return keys
}()

// Query is one panel or alert query after parsing.
type Query struct {
	Type    QueryType
	Filters Filters
	GroupBy string
	// Bucket is zero for "the panel's interval"; Total is set for "bucket": "total".
	Bucket         time.Duration
	Total          bool
	ConversationID int64
	Limit          int
	Field          string
	// Format is FormatLogs or "" (a table).
	Format string
	// Measure and Aggregation are a stats query's, defaults applied.
	Measure     Measure
	Aggregation Aggregation
	// Notices say what of the dashboard's ad-hoc filters the query could not apply.
	Notices []string
}

// Filters hold each filter's values. A key with several values (a multi-value dashboard
// variable) means "any of them": one API call per value, merged. A boolean filter has one
// value, "true" or "false".
type Filters struct {
	Values map[string][]string
}

// Bool returns a boolean filter's value, or nil when the query does not set it.
func (f Filters) Bool(key string) *bool {
	values := f.Values[key]
	if len(values) != 1 {
		return nil
	}
	b := values[0] == "true"
	return &b
}

// queryJSON is the stored form of a query; see the design's query model.
type queryJSON struct {
	QueryType      string                     `json:"queryType"`
	Filters        map[string]json.RawMessage `json:"filters"`
	GroupBy        string                     `json:"groupBy"`
	Bucket         string                     `json:"bucket"`
	ConversationID json.RawMessage            `json:"conversationId"`
	Limit          json.RawMessage            `json:"limit"`
	Field          string                     `json:"field"`
	Format         string                     `json:"format"`
	AdhocFilters   []AdhocFilter              `json:"adhocFilters"`
	Measure        string                     `json:"measure"`
	Aggregation    string                     `json:"aggregation"`
}

// ParseQuery reads a query's JSON. queryType is taken from the JSON, or from the request's
// own field when the JSON lacks it (alert rules and recorded queries), and defaults to count.
// Every error names the offending value so the user can find it in the query.
func ParseQuery(raw []byte, queryType string) (Query, error) {
	var j queryJSON
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &j); err != nil {
			return Query{}, fmt.Errorf("query is not valid JSON: %v", err)
		}
		if err := checkQueryKeys(raw); err != nil {
			return Query{}, err
		}
	}
	if j.QueryType == "" {
		j.QueryType = queryType
	}
	q := Query{Type: QueryType(strings.TrimSpace(j.QueryType))}
	if q.Type == "" {
		q.Type = QueryCount
	}
	if !slices.Contains(QueryTypes, q.Type) {
		return Query{}, fmt.Errorf("unknown queryType %q: use one of %s", j.QueryType, joinQuoted(QueryTypes))
	}
	var err error
	if q.Filters, err = parseFilters(j.Filters); err != nil {
		return Query{}, err
	}
	if err := q.applyAdhocFilters(j.AdhocFilters); err != nil {
		return Query{}, err
	}
	q.GroupBy = strings.TrimSpace(j.GroupBy)
	if q.Type == QueryStats {
		if err := q.parseStats(j.Measure, j.Aggregation); err != nil {
			return Query{}, err
		}
	} else if q.GroupBy != "" && !slices.Contains(GroupByFields, q.GroupBy) {
		return Query{}, fmt.Errorf("unknown groupBy %q: use one of %s", j.GroupBy, joinQuoted(GroupByFields))
	}
	switch bucket := strings.TrimSpace(j.Bucket); bucket {
	case "", "auto":
	case BucketTotal:
		q.Total = true
	default:
		d, err := parseBucket(bucket)
		if err != nil || d < MinBucket || d > MaxBucket {
			return Query{}, fmt.Errorf("bucket %q is not valid: use \"total\" or a duration from 1m to 366d such as \"5m\", \"1h\", \"1d\"", j.Bucket)
		}
		q.Bucket = d
	}
	if q.ConversationID, err = wholeNumber("conversationId", j.ConversationID); err != nil {
		return Query{}, err
	}
	if q.ConversationID < 0 {
		return Query{}, fmt.Errorf("conversationId %d is not valid: it must be a positive conversation id", q.ConversationID)
	}
	limit, err := wholeNumber("limit", j.Limit)
	if err != nil {
		return Query{}, err
	}
	if limit < 0 || limit > agentsight.MaxListRows {
		return Query{}, fmt.Errorf("limit %d is not valid: use 0 (the data source's maximum) or a number up to %d", limit, agentsight.MaxListRows)
	}
	q.Limit = int(limit)
	q.Field = strings.TrimSpace(j.Field)
	if q.Type == QueryValues && !slices.Contains(ValueFields, q.Field) {
		return Query{}, fmt.Errorf("field %q is not valid for a values query: use one of %s", j.Field, joinQuoted(ValueFields))
	}
	switch q.Format = strings.TrimSpace(j.Format); q.Format {
	case "", "table":
		q.Format = ""
	case FormatLogs:
	default:
		return Query{}, fmt.Errorf("format %q is not valid: use \"table\" or \"logs\"", j.Format)
	}
	return q, nil
}

// GrafanaQueryKeys are the keys Grafana itself adds to every query (the SDK's
// CommonQueryProperties and the front end's DataQuery); a query may carry them whatever its
// data source.
var GrafanaQueryKeys = []string{
	"refId", "datasource", "datasourceId", "hide", "key", "queryType", "intervalMs",
	"maxDataPoints", "timeRange", "resultAssertions", "queryCachingTTL",
}

// QueryKeys are the keys of this data source's query model: queryJSON's JSON names, so that
// a key added to the model is accepted without a second list to keep in step.
func QueryKeys() []string {
	t := reflect.TypeFor[queryJSON]()
	keys := make([]string, t.NumField())
	for i := range keys {
		keys[i], _, _ = strings.Cut(t.Field(i).Tag.Get("json"), ",")
	}
	return keys
}

// checkQueryKeys refuses a key that is neither ours nor Grafana's, such as a misspelled
// "filtres", which would otherwise be ignored and widen the query silently. The names are
// compared exactly, as the front end writes them.
func checkQueryKeys(raw []byte) error {
	var keys map[string]json.RawMessage
	if json.Unmarshal(raw, &keys) != nil {
		return nil // not an object: the struct decoding has said so already
	}
	var unknown []string
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if !slices.Contains(QueryKeys(), k) && !slices.Contains(GrafanaQueryKeys, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	if len(unknown) > 5 {
		unknown = append(unknown[:5], "…")
	}
	noun := "key"
	if len(unknown) > 1 {
		noun = "keys"
	}
	return fmt.Errorf("unknown query %s %s: use %s", noun, joinQuoted(unknown), joinQuoted(QueryKeys()))
}

func parseFilters(raw map[string]json.RawMessage) (Filters, error) {
	f := Filters{Values: map[string][]string{}}
	// Sorted, so that of several unknown keys the error always names the same one.
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		value := raw[key]
		param, ok := agentsight.LookupFilter(key)
		if !ok {
			return Filters{}, fmt.Errorf("unknown filter %q: use one of %s", key, joinQuoted(FilterKeys))
		}
		if isNull(value) {
			continue
		}
		var values []string
		var err error
		switch param.Kind {
		case agentsight.FilterBool:
			var b, set bool
			if b, set, err = parseBool(key, value); set {
				values = []string{strconv.FormatBool(b)}
			}
		case agentsight.FilterChoice:
			values, err = choiceValues(param, value)
		default:
			values, err = filterValues(key, value)
		}
		if err != nil {
			return Filters{}, err
		}
		if len(values) > 0 {
			f.Values[key] = values
		}
	}
	return f, nil
}

// choiceValues reads a choice filter's values like a text filter's, then checks each against
// the choices, ignoring case, so that a typo is an error here rather than the API's 400.
func choiceValues(param agentsight.FilterParam, raw json.RawMessage) ([]string, error) {
	values, err := filterValues(param.Key, raw)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(values))
	for _, v := range values {
		lower := strings.ToLower(v)
		if !slices.Contains(param.Choices, lower) {
			return nil, fmt.Errorf("filter %q has value %q: use one of %s", param.Key, v, joinQuoted(param.Choices))
		}
		if !slices.Contains(out, lower) {
			out = append(out, lower)
		}
	}
	return out, nil
}

// filterValues accepts a string, a number (ids typed without quotes) or a list of them, drops
// empties and duplicates, and keeps the order given.
func filterValues(key string, raw json.RawMessage) ([]string, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		list = []json.RawMessage{raw}
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(list))
	for _, item := range list {
		var s string
		if err := json.Unmarshal(item, &s); err != nil {
			var n json.Number
			if err := json.Unmarshal(item, &n); err != nil {
				return nil, fmt.Errorf("filter %q has value %s: use text or a list of texts", key, raw)
			}
			s = n.String()
		}
		s = strings.TrimSpace(s)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}

func parseBool(key string, raw json.RawMessage) (value, set bool, err error) {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, true, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "", "any", "all", "$__all":
			return false, false, nil
		case "true", "yes", "1":
			return true, true, nil
		case "false", "no", "0":
			return false, true, nil
		}
	}
	return false, false, fmt.Errorf("filter %q has value %s: use true or false", key, raw)
}

func wholeNumber(name string, raw json.RawMessage) (int64, error) {
	if isNull(raw) {
		return 0, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, fmt.Errorf("%s %s is not a whole number", name, raw)
		}
		if s = strings.TrimSpace(s); s == "" {
			return 0, nil
		}
		n = json.Number(s)
	}
	v, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %s is not a whole number", name, raw)
	}
	return v, nil
}

// CombinationsError is a query whose filter values combine into more listings than the
// data source allows.
type CombinationsError struct {
	Count  uint64 // the product of the list lengths, saturated at math.MaxUint64
	Budget int
	Lists  []string // "language (3 values)", for the message
}

func (e *CombinationsError) Error() string {
	count := strconv.FormatUint(e.Count, 10)
	if e.Count == math.MaxUint64 {
		count = "more than " + strconv.FormatUint(math.MaxUint64-1, 10)
	}
	return fmt.Sprintf("the filters combine into %s sets of values (%s), one API listing each, more than the %d allowed: "+
		"narrow the filters (a multi-value variable set to All), or raise %q (%s) in the data source settings, at most %d",
		count, strings.Join(e.Lists, " × "), e.Budget, Spec(KeyMaxFilterCombinations).Label, KeyMaxFilterCombinations, MaxFilterCombosLimit)
}

// CombinationCount is the number of filter sets Combinations would return: the product of the
// value lists' lengths, saturated rather than overflowing.
func (f Filters) CombinationCount() uint64 {
	n := uint64(1)
	for _, key := range FilterKeys {
		l := uint64(len(f.Values[key]))
		if l == 0 {
			continue
		}
		if n > math.MaxUint64/l {
			return math.MaxUint64
		}
		n *= l
	}
	return n
}

// Combinations expands the filters into the API filter sets to request, one per combination
// of values, each bounded by the query's time range (both bounds inclusive, as the API
// treats them). The count is checked against budget (0: the default) before anything is
// built, so a query with four lists of 100 values costs a multiplication, not 10^8 filter
// sets; the enumeration checks ctx as it goes.
func (f Filters) Combinations(ctx context.Context, from, to time.Time, budget int) ([]agentsight.Filters, error) {
	if budget <= 0 {
		budget = DefaultFilterCombos
	}
	n := f.CombinationCount()
	allowed := uint64(budget) // #nosec G115 -- budget > 0 here: the default replaced anything lower above
	if n > allowed {
		e := &CombinationsError{Count: n, Budget: budget}
		for _, key := range FilterKeys {
			if l := len(f.Values[key]); l > 0 {
				e.Lists = append(e.Lists, fmt.Sprintf("%s: %d", key, l))
			}
		}
		return nil, e
	}
	combos := make([]agentsight.Filters, 1, int(n)) // #nosec G115 -- n <= budget, an int, checked above
	combos[0] = agentsight.Filters{StartedAfter: from, StartedBefore: to}
	for _, key := range FilterKeys {
		values := f.Values[key]
		if len(values) == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		next := make([]agentsight.Filters, 0, len(combos)*len(values))
		for _, c := range combos {
			for _, v := range values {
				next = append(next, c.With(key, v))
			}
		}
		combos = next
	}
	return combos, nil
}

// Disjoint reports whether the combinations select disjoint sets of conversations, so that
// their counts may be added. Exact-match filters on a field a conversation has one value of
// never overlap; two message searches, two actions (a conversation can trigger several) or
// two partial matches can both match one conversation.
func (f Filters) Disjoint() bool {
	for key, values := range f.Values {
		if p, _ := agentsight.LookupFilter(key); len(values) > 1 && !p.OneValuePerConversation {
			return false
		}
	}
	return true
}

func joinQuoted[T ~string](list []T) string {
	parts := make([]string, len(list))
	for i, v := range list {
		parts[i] = strconv.Quote(string(v))
	}
	return strings.Join(parts, ", ")
}
