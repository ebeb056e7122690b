package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
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
)

// QueryTypes lists every query type, in the order editors show them.
var QueryTypes = []QueryType{QueryCount, QueryConversations, QueryMessages, QueryAttachments, QueryValues}

// BucketTotal asks a count query for one number over the whole range.
const BucketTotal = "total"

// MinBucket is the smallest bucket a count query uses: the API's timestamps are in seconds and
// a finer series would only plot noise.
const MinBucket = time.Minute

// MaxBucket is the largest bucket of a count series.
const MaxBucket = 366 * 24 * time.Hour

// GroupByFields are the conversation fields a count can be split by: the client's table of
// conversation fields, which its decoding and the frames read too.
var GroupByFields = agentsight.FieldNames()

// ValueFields are the fields whose distinct values a values query lists: the same table.
// Action names are not among them: the API filters by them but never returns them.
var ValueFields = agentsight.FieldNames()

// FilterKeys are the API's filter parameters a query may set.
var FilterKeys = []string{"action_name", "conversation_id", "customer_id", "customer_ip_address", "device", "has_messages", "language", "message_contains"}

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
}

// Filters hold each filter's values. A key with several values (a multi-value dashboard
// variable) means "any of them": one API call per value, merged.
type Filters struct {
	Values      map[string][]string
	HasMessages *bool
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
	q.GroupBy = strings.TrimSpace(j.GroupBy)
	if q.GroupBy != "" && !slices.Contains(GroupByFields, q.GroupBy) {
		return Query{}, fmt.Errorf("unknown groupBy %q: use one of %s", j.GroupBy, joinQuoted(GroupByFields))
	}
	switch bucket := strings.TrimSpace(j.Bucket); bucket {
	case "", "auto":
	case BucketTotal:
		q.Total = true
	default:
		d, err := gtime.ParseDuration(bucket)
		// The SDK's day/week/year units overflow silently on huge numbers, so a wrapped
		// result is caught by comparing with a bound that no sane bucket reaches.
		if err != nil || d < MinBucket || d > MaxBucket || len(strings.TrimRight(bucket, "smhdwMy")) > 5 {
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
	return q, nil
}

func parseFilters(raw map[string]json.RawMessage) (Filters, error) {
	f := Filters{Values: map[string][]string{}}
	// Sorted, so that of several unknown keys the error always names the same one.
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		value := raw[key]
		if !slices.Contains(FilterKeys, key) {
			return Filters{}, fmt.Errorf("unknown filter %q: use one of %s", key, joinQuoted(FilterKeys))
		}
		if isNull(value) {
			continue
		}
		if key == "has_messages" {
			b, set, err := parseBool(value)
			if err != nil {
				return Filters{}, err
			}
			if set {
				f.HasMessages = &b
			}
			continue
		}
		values, err := filterValues(key, value)
		if err != nil {
			return Filters{}, err
		}
		if len(values) > 0 {
			f.Values[key] = values
		}
	}
	return f, nil
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

func parseBool(raw json.RawMessage) (value, set bool, err error) {
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
	return false, false, fmt.Errorf("filter \"has_messages\" has value %s: use true or false", raw)
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

// Combinations expands the filters into the API filter sets to request, one per combination
// of values, each bounded by the query's time range (both bounds inclusive, as the API
// treats them).
func (f Filters) Combinations(from, to time.Time) []agentsight.Filters {
	combos := []agentsight.Filters{{HasMessages: f.HasMessages, StartedAfter: from, StartedBefore: to}}
	for _, key := range FilterKeys {
		values := f.Values[key]
		if len(values) == 0 {
			continue
		}
		next := make([]agentsight.Filters, 0, len(combos)*len(values))
		for _, c := range combos {
			for _, v := range values {
				c := c
				setFilter(&c, key, v)
				next = append(next, c)
			}
		}
		combos = next
	}
	return combos
}

// Disjoint reports whether the combinations select disjoint sets of conversations, so that
// their counts may be added. Exact-match filters on a field a conversation has one value of
// never overlap; two message searches, or two actions (a conversation can trigger several),
// can both match one conversation.
func (f Filters) Disjoint() bool {
	return len(f.Values["message_contains"]) <= 1 && len(f.Values["action_name"]) <= 1
}

func setFilter(f *agentsight.Filters, key, v string) {
	switch key {
	case "action_name":
		f.ActionName = v
	case "conversation_id":
		f.ConversationID = v
	case "customer_id":
		f.CustomerID = v
	case "customer_ip_address":
		f.CustomerIPAddress = v
	case "device":
		f.Device = v
	case "language":
		f.Language = v
	case "message_contains":
		f.MessageContains = v
	}
}

func joinQuoted[T ~string](list []T) string {
	parts := make([]string, len(list))
	for i, v := range list {
		parts[i] = strconv.Quote(string(v))
	}
	return strings.Join(parts, ", ")
}
