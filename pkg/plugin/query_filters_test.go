package plugin

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
)

// "Negative feedback per hour", the wall-screen and alert query that today's filters make
// possible: the filter reaches the API as itself and the series counts what the API selects.
func TestCountNegativeFeedbackPerHour(t *testing.T) {
	e := newEnv(t, true, nil)
	dr := e.query(map[string]any{"queryType": "count", "bucket": "1h", "filters": map[string]any{"feedback_sentiment": "negative"}}, rangeFrom, rangeTo)
	mustOK(t, dr)
	negative := func(c *fakeapi.Conversation) bool {
		return slices.ContainsFunc(c.Feedback, func(f fakeapi.Feedback) bool { return f.Sentiment == "negative" })
	}
	want := map[time.Time]float64{}
	for _, c := range e.inRange(rangeFrom, rangeTo, negative) {
		want[c.StartedAt.Truncate(time.Hour)]++
	}
	if len(want) == 0 {
		t.Fatal("the test data has no negative feedback in the range")
	}
	if len(dr.Frames) != 1 {
		t.Fatalf("%d frames, want 1", len(dr.Frames))
	}
	f := dr.Frames[0]
	for i := range f.Rows() {
		at := f.Fields[0].At(i).(time.Time)
		got, _ := f.Fields[1].FloatAt(i)
		if got != want[at] {
			t.Errorf("%s: %v, want %v", at, got, want[at])
		}
	}
	for _, r := range e.fake.Requests() {
		if r.Query.Get("feedback_sentiment") != "negative" {
			t.Fatalf("request without the filter: %v", r.Query)
		}
	}
}

// Each of today's filters narrows a table through the plugin exactly as the API does.
func TestTodaysFiltersThroughThePlugin(t *testing.T) {
	e := newEnv(t, true, nil)
	tests := []struct {
		filters map[string]any
		keep    func(c *fakeapi.Conversation) bool
	}{
		{map[string]any{"is_marked": true}, func(c *fakeapi.Conversation) bool { return c.IsFavorite }},
		{map[string]any{"has_feedback": "false"}, func(c *fakeapi.Conversation) bool { return len(c.Feedback) == 0 }},
		{map[string]any{"feedback_source": []string{"email"}, "feedback_sentiment": []string{"positive", "neutral"}}, func(c *fakeapi.Conversation) bool {
			return slices.ContainsFunc(c.Feedback, func(f fakeapi.Feedback) bool { return f.Source == "email" && f.Sentiment != "negative" })
		}},
		{map[string]any{"customer_id__icontains": "CUST_00"}, func(c *fakeapi.Conversation) bool { return c.CustomerID[:7] == "cust_00" }},
	}
	for _, tt := range tests {
		dr := e.query(map[string]any{"queryType": "conversations", "filters": tt.filters}, rangeFrom, rangeTo)
		mustOK(t, dr)
		want := e.inRange(rangeFrom, rangeTo, tt.keep)
		if len(want) == 0 {
			t.Fatalf("%v selects nothing in the test data", tt.filters)
		}
		if got := dr.Frames[0].Rows(); got != len(want) {
			t.Errorf("%v: %d rows, want %d", tt.filters, got, len(want))
		}
	}
}

func TestUnknownChoiceIsAnErrorOnThatQuery(t *testing.T) {
	e := newEnv(t, true, nil)
	dr := e.query(map[string]any{"queryType": "count", "filters": map[string]any{"feedback_sentiment": "furious"}}, rangeFrom, rangeTo)
	if dr.Error == nil || e.fake.RequestCount() != 0 {
		t.Fatalf("error %v after %d requests, want an error before any request", dr.Error, e.fake.RequestCount())
	}
}

// An ad-hoc filter the API cannot apply is left out with a warning on the panel; the ones it
// can apply reach the API as filters.
func TestAdhocFiltersReachTheAPI(t *testing.T) {
	e := newEnv(t, true, nil)
	dr := e.query(map[string]any{"queryType": "count", "bucket": "total", "adhocFilters": []map[string]any{
		{"key": "device", "operator": "=", "value": "mobile"},
		{"key": "language", "operator": "!=", "value": "en"},
	}}, rangeFrom, rangeTo)
	mustOK(t, dr)
	if got := e.fake.Requests()[0].Query.Get("device"); got != "mobile" {
		t.Fatalf("device sent as %q", got)
	}
	if e.fake.Requests()[0].Query.Has("language") {
		t.Fatal("an unsupported operator reached the API")
	}
	notices := dr.Frames[0].Meta.Notices
	if len(notices) != 1 || !strings.Contains(notices[0].Text, "equality only") {
		t.Fatalf("notices %v", notices)
	}
}
