package agentsight

import (
	"net/url"
	"strconv"
	"time"
)

// Filters are the list endpoint's filter parameters. Empty strings and nil pointers are not
// sent, so the zero value lists everything.
type Filters struct {
	ActionName        string
	ConversationID    string
	CustomerID        string
	CustomerIPAddress string
	Device            string
	HasMessages       *bool
	Language          string
	MessageContains   string
	StartedAfter      time.Time // inclusive; zero = unbounded
	StartedBefore     time.Time // inclusive; zero = unbounded
}

// Values encodes the filters the way the API expects them: booleans as true/false and times
// as RFC 3339 in UTC.
func (f Filters) Values() url.Values {
	v := url.Values{}
	set := func(key, value string) {
		if value != "" {
			v.Set(key, value)
		}
	}
	set("action_name", f.ActionName)
	set("conversation_id", f.ConversationID)
	set("customer_id", f.CustomerID)
	set("customer_ip_address", f.CustomerIPAddress)
	set("device", f.Device)
	if f.HasMessages != nil {
		v.Set("has_messages", strconv.FormatBool(*f.HasMessages))
	}
	set("language", f.Language)
	set("message_contains", f.MessageContains)
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
