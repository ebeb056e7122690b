package agentsight

import (
	"net/url"
	"slices"
	"time"
)

// FilterKind is how a list filter's value is written.
type FilterKind string

// The kinds of list filters.
const (
	// FilterText is free text: an exact or partial match, as the filter's description says.
	FilterText FilterKind = "text"
	// FilterBool is true or false; absent means "either".
	FilterBool FilterKind = "boolean"
	// FilterChoice is one of a fixed list of values.
	FilterChoice FilterKind = "choice"
)

// FilterParam is one filter of GET /api/conversations/. This table is the one list of the
// API's filters: the query model parses by it, the client sends by it, the fake API serves
// by it and the front end and the README are checked against it (what editors show of each
// filter is pkg/models' business). The time bounds are not in it: a query's range always
// sets them.
type FilterParam struct {
	// Key is the query parameter.
	Key  string
	Kind FilterKind
	// Choices are the values a FilterChoice accepts.
	Choices []string
	// OneValuePerConversation is true for an exact match on a field a conversation has one
	// value of: conversations selected by different values of it never overlap, so their
	// counts may be added.
	OneValuePerConversation bool
}

// filterParams follows today's API reference: the seed edition's filters, then the ones
// added since. The values of feedback_source are not published: it is free text, and the
// API's 400 names a value it does not know.
var filterParams = []FilterParam{
	{Key: "language", Kind: FilterText, OneValuePerConversation: true},
	{Key: "device", Kind: FilterText, OneValuePerConversation: true},
	{Key: "customer_id", Kind: FilterText, OneValuePerConversation: true},
	{Key: "customer_id__icontains", Kind: FilterText},
	{Key: "customer_ip_address", Kind: FilterText, OneValuePerConversation: true},
	{Key: "conversation_id", Kind: FilterText, OneValuePerConversation: true},
	{Key: "name", Kind: FilterText},
	{Key: "action_name", Kind: FilterText},
	{Key: "message_contains", Kind: FilterText},
	{Key: "has_messages", Kind: FilterBool},
	{Key: "is_marked", Kind: FilterBool},
	{Key: "has_feedback", Kind: FilterBool},
	{Key: "feedback_sentiment", Kind: FilterChoice, Choices: []string{"positive", "neutral", "negative"}},
	{Key: "feedback_source", Kind: FilterText},
	{Key: "include_deleted", Kind: FilterBool},
}

// FilterParams returns the API's list filters, in the table's order.
func FilterParams() []FilterParam { return slices.Clone(filterParams) }

// LookupFilter returns the filter with the given query parameter.
func LookupFilter(key string) (FilterParam, bool) {
	i := slices.IndexFunc(filterParams, func(p FilterParam) bool { return p.Key == key })
	if i < 0 {
		return FilterParam{}, false
	}
	return filterParams[i], true
}

// Filters are one request's filter parameters: at most one value per filter (booleans as
// "true" or "false"), and the time bounds. Empty values are not sent, so the zero value lists
// everything.
type Filters struct {
	Params        map[string]string
	StartedAfter  time.Time // inclusive; zero = unbounded
	StartedBefore time.Time // inclusive; zero = unbounded
}

// With returns a copy of f with key set to value; f itself is not changed.
func (f Filters) With(key, value string) Filters {
	params := make(map[string]string, len(f.Params)+1)
	for k, v := range f.Params {
		params[k] = v
	}
	params[key] = value
	f.Params = params
	return f
}

// Values encodes the filters the way the API expects them: booleans as true/false and times
// as RFC 3339 in UTC.
func (f Filters) Values() url.Values {
	v := url.Values{}
	for key, value := range f.Params {
		if value != "" {
			v.Set(key, value)
		}
	}
	if !f.StartedAfter.IsZero() {
		v.Set("started_at_after", FormatTime(f.StartedAfter))
	}
	if !f.StartedBefore.IsZero() {
		v.Set("started_at_before", FormatTime(f.StartedBefore))
	}
	return v
}

// FormatTime renders t as the API's ISO 8601 UTC form; sub-second precision is kept only when
// present so that whole-second bounds read naturally in logs and executed-query strings.
func FormatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}
