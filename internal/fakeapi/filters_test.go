package fakeapi

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
)

// Every filter of the API's table has a matcher, and nothing else does: a filter the fake did
// not implement would be ignored and its tests would pass vacuously.
func TestEveryFilterOfTheTableIsServed(t *testing.T) {
	var keys []string
	for _, p := range agentsight.FilterParams() {
		keys = append(keys, p.Key)
		if matchers[p.Key] == nil {
			t.Errorf("the fake does not implement the filter %q", p.Key)
		}
	}
	for k := range matchers {
		if !slices.Contains(keys, k) {
			t.Errorf("the fake implements %q, which the API's table does not list", k)
		}
	}
}

func TestListFiltersOfTodaysReference(t *testing.T) {
	ds := NewDataset(DatasetOptions{Conversations: 2000, DeletedOneIn: 50})
	f := newFixture(t, Options{Dataset: ds})
	visible := func(c *Conversation) bool { return !c.Deleted }
	feedback := func(pred func(Feedback) bool) func(c *Conversation) bool {
		return func(c *Conversation) bool { return visible(c) && slices.ContainsFunc(c.Feedback, pred) }
	}
	cust := mostFrequentCustomer(ds)
	tests := []struct {
		name  string
		query url.Values
		want  func(c *Conversation) bool
	}{
		{"soft-deleted are left out", nil, visible},
		{"include_deleted true lists them", url.Values{"include_deleted": {"true"}}, func(*Conversation) bool { return true }},
		{"include_deleted false", url.Values{"include_deleted": {"false"}}, visible},
		{"customer_id__icontains ignores case", url.Values{"customer_id__icontains": {strings.ToUpper(cust[2:])}},
			func(c *Conversation) bool { return visible(c) && strings.Contains(c.CustomerID, cust[2:]) }},
		{"name is partial", url.Values{"name": {"REFUND"}}, func(c *Conversation) bool { return visible(c) && strings.Contains(strings.ToLower(c.Name), "refund") }},
		{"is_marked", url.Values{"is_marked": {"true"}}, func(c *Conversation) bool { return visible(c) && c.IsFavorite }},
		{"is_marked false", url.Values{"is_marked": {"false"}}, func(c *Conversation) bool { return visible(c) && !c.IsFavorite }},
		{"has_feedback", url.Values{"has_feedback": {"true"}}, func(c *Conversation) bool { return visible(c) && len(c.Feedback) > 0 }},
		{"has_feedback false", url.Values{"has_feedback": {"0"}}, func(c *Conversation) bool { return visible(c) && len(c.Feedback) == 0 }},
		{"negative feedback", url.Values{"feedback_sentiment": {"negative"}}, feedback(func(f Feedback) bool { return f.Sentiment == "negative" })},
		{"neutral feedback", url.Values{"feedback_sentiment": {"neutral"}}, feedback(func(f Feedback) bool { return f.Sentiment == "neutral" })},
		{"feedback by email", url.Values{"feedback_source": {"email"}}, feedback(func(f Feedback) bool { return f.Source == "email" })},
		{"negative by widget, deleted too", url.Values{"feedback_sentiment": {"negative"}, "feedback_source": {"widget"}, "include_deleted": {"1"}},
			func(c *Conversation) bool {
				return slices.ContainsFunc(c.Feedback, func(f Feedback) bool { return f.Sentiment == "negative" && f.Source == "widget" })
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := expectIDs(ds, tt.want)
			if len(want) == 0 || len(want) == len(ds.Conversations) && tt.query.Get("include_deleted") != "true" {
				t.Fatalf("the test data makes this case vacuous: %d of %d conversations", len(want), len(ds.Conversations))
			}
			f.expectFirstPage(t, tt.query, want)
		})
	}
}

func TestListRefusesWhatItCannotRead(t *testing.T) {
	f := newFixture(t, Options{})
	for _, q := range []string{"is_marked=maybe", "has_feedback=yes", "include_deleted=x", "feedback_sentiment=angry", "feedback_sentiment=Negative"} {
		key, value, _ := strings.Cut(q, "=")
		want := `{"` + key + `":["Select a valid choice. ` + value + ` is not one of the available choices."]}`
		if st, body, _ := f.do(http.MethodGet, f.ts.URL+"/api/conversations/?"+q); st != http.StatusBadRequest || string(body) != want {
			t.Errorf("%s: got %d %s, want 400 %s", q, st, body, want)
		}
	}
}

// The fields behind the new filters do not change any value a data set had before them.
func TestFeedbackDoesNotChangeTheRestOfTheData(t *testing.T) {
	plain := NewDataset(DatasetOptions{Conversations: 500})
	deleted := NewDataset(DatasetOptions{Conversations: 500, DeletedOneIn: 10})
	n := 0
	for i := range plain.Conversations {
		a, b := plain.Conversations[i], deleted.Conversations[i]
		if a.Deleted {
			t.Fatalf("conversation %d deleted without DeletedOneIn", a.ID)
		}
		if b.Deleted {
			n++
		}
		if a.ID != b.ID || a.CustomerID != b.CustomerID || !a.StartedAt.Equal(b.StartedAt) || len(a.Messages) != len(b.Messages) || a.Name != b.Name {
			t.Fatalf("conversation %d differs between the data sets", a.ID)
		}
	}
	if n == 0 {
		t.Error("DeletedOneIn: 10 deleted nothing")
	}
}
