package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
)

// truth answers the browser check's questions from the fake's data set itself, never through
// the plugin or the fake's HTTP API: how many conversations match, per group and per time slot.
type truth struct{ ds *fakeapi.Dataset }

// countAnswer is GET /truth/count's body.
type countAnswer struct {
	Total  int                   `json:"total"`
	Groups map[string]groupCount `json:"groups"`
}

type groupCount struct {
	Total   int           `json:"total"`
	Buckets map[int64]int `json:"buckets,omitempty"` // slot start (epoch ms) → conversations
}

// ServeHTTP answers GET /truth/count?from=&to=&step=&groupBy=&language=&device=&has_messages=&feedback_sentiment=
// (from and to in epoch ms, both inclusive; step in ms, slots aligned to the Unix epoch; a
// repeated filter matches any of its values) and GET /truth/values?from=&to=&field=.
func (t truth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, _ := strconv.ParseInt(q.Get("from"), 10, 64)
	to, _ := strconv.ParseInt(q.Get("to"), 10, 64)
	step, _ := strconv.ParseInt(q.Get("step"), 10, 64)
	field := q.Get("groupBy")
	if r.URL.Path == "/truth/values" {
		field = q.Get("field")
	}
	ans := countAnswer{Groups: map[string]groupCount{}}
	for i := range t.ds.Conversations {
		c := &t.ds.Conversations[i]
		ms := c.StartedAt.UnixMilli()
		if c.Deleted || ms < from || ms > to || !matches(c, q) {
			continue
		}
		ans.Total++
		key := attribute(c, field)
		g := ans.Groups[key]
		g.Total++
		if step > 0 {
			if g.Buckets == nil {
				g.Buckets = map[int64]int{}
			}
			g.Buckets[ms/step*step]++
		}
		ans.Groups[key] = g
	}
	var body any = ans
	if r.URL.Path == "/truth/values" {
		values := make([]string, 0, len(ans.Groups))
		for v := range ans.Groups {
			if v != "" {
				values = append(values, v)
			}
		}
		slices.Sort(values)
		body = values
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func matches(c *fakeapi.Conversation, q map[string][]string) bool {
	for _, key := range []string{"language", "device", "customer_id"} {
		if want := q[key]; len(want) > 0 && !slices.Contains(want, attribute(c, key)) {
			return false
		}
	}
	if v := q["has_messages"]; len(v) > 0 && (len(c.Messages) > 0) != (v[0] == "true") {
		return false
	}
	if v := q["feedback_sentiment"]; len(v) > 0 && !slices.ContainsFunc(c.Feedback, func(f fakeapi.Feedback) bool { return f.Sentiment == v[0] }) {
		return false
	}
	return true
}

func attribute(c *fakeapi.Conversation, field string) string {
	switch field {
	case "language":
		return c.Language
	case "device":
		return c.Device
	case "country":
		if !c.HasGeo {
			return "" // the API has no geo_location for it
		}
		return c.Country
	case "customer_id":
		return c.CustomerID
	}
	return ""
}
