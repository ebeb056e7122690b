package fakeapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func mostFrequentCustomer(ds *Dataset) string {
	counts := map[string]int{}
	best := ""
	for _, c := range ds.Conversations {
		counts[c.CustomerID]++
		if counts[c.CustomerID] > counts[best] {
			best = c.CustomerID
		}
	}
	return best
}

func containsFold(c *Conversation, s string) bool {
	s = strings.ToLower(s)
	for _, m := range c.Messages {
		if strings.Contains(strings.ToLower(m.Content), s) {
			return true
		}
	}
	return false
}

func TestListFilters(t *testing.T) {
	ds := testData()
	f := newFixture(t, Options{})
	mid := &ds.Conversations[len(ds.Conversations)/2]
	var withGeo *Conversation
	for i := range ds.Conversations {
		if c := &ds.Conversations[i]; c.HasGeo && i > 100 {
			withGeo = c
			break
		}
	}
	cust := mostFrequentCustomer(ds)
	after := mid.StartedAt.Add(-36 * time.Hour)
	before := mid.StartedAt.Add(36 * time.Hour)
	all := func(*Conversation) bool { return true }

	tests := []struct {
		name  string
		query url.Values
		want  func(c *Conversation) bool
	}{
		{"no filter", nil, all},
		{"action_name refund", url.Values{"action_name": {"refund"}}, func(c *Conversation) bool { return slices.Contains(c.Actions, "refund") }},
		{"action_name handoff", url.Values{"action_name": {"handoff_to_human"}}, func(c *Conversation) bool { return slices.Contains(c.Actions, "handoff_to_human") }},
		{"action_name unknown", url.Values{"action_name": {"nope"}}, func(*Conversation) bool { return false }},
		{"conversation_id", url.Values{"conversation_id": {mid.ConversationID}}, func(c *Conversation) bool { return c.ID == mid.ID }},
		{"customer_id", url.Values{"customer_id": {cust}}, func(c *Conversation) bool { return c.CustomerID == cust }},
		{"customer_id is exact", url.Values{"customer_id": {strings.ToUpper(cust)}}, func(*Conversation) bool { return false }},
		{"customer_ip_address", url.Values{"customer_ip_address": {withGeo.IPAddress}}, func(c *Conversation) bool { return c.HasGeo && c.IPAddress == withGeo.IPAddress }},
		{"device tablet", url.Values{"device": {"tablet"}}, func(c *Conversation) bool { return c.Device == "tablet" }},
		{"language ja", url.Values{"language": {"ja"}}, func(c *Conversation) bool { return c.Language == "ja" }},
		{"has_messages true", url.Values{"has_messages": {"true"}}, func(c *Conversation) bool { return len(c.Messages) > 0 }},
		{"has_messages True", url.Values{"has_messages": {"True"}}, func(c *Conversation) bool { return len(c.Messages) > 0 }},
		{"has_messages 1", url.Values{"has_messages": {"1"}}, func(c *Conversation) bool { return len(c.Messages) > 0 }},
		{"has_messages false", url.Values{"has_messages": {"false"}}, func(c *Conversation) bool { return len(c.Messages) == 0 }},
		{"has_messages False", url.Values{"has_messages": {"False"}}, func(c *Conversation) bool { return len(c.Messages) == 0 }},
		{"has_messages 0", url.Values{"has_messages": {"0"}}, func(c *Conversation) bool { return len(c.Messages) == 0 }},
		{"message_contains refund", url.Values{"message_contains": {"refund"}}, func(c *Conversation) bool { return containsFold(c, "refund") }},
		{"message_contains is case-insensitive", url.Values{"message_contains": {"rEfUnD"}}, func(c *Conversation) bool { return containsFold(c, "refund") }},
		{"message_contains umlaut", url.Values{"message_contains": {"RÜCKERSTATTUNG"}}, func(c *Conversation) bool { return containsFold(c, "rückerstattung") }},
		{"message_contains phrase", url.Values{"message_contains": {"forgot my password"}}, func(c *Conversation) bool { return containsFold(c, "forgot my password") }},
		{"message_contains nothing", url.Values{"message_contains": {"zzzqqq"}}, func(*Conversation) bool { return false }},
		{"started_at_after", url.Values{"started_at_after": {after.Format(time.RFC3339)}}, func(c *Conversation) bool { return !c.StartedAt.Before(after) }},
		{"started_at_before", url.Values{"started_at_before": {before.Format(time.RFC3339)}}, func(c *Conversation) bool { return !c.StartedAt.After(before) }},
		{"time range", url.Values{"started_at_after": {after.Format(time.RFC3339)}, "started_at_before": {before.Format(time.RFC3339)}},
			func(c *Conversation) bool { return !c.StartedAt.Before(after) && !c.StartedAt.After(before) }},
		{"time range with offsets", url.Values{
			"started_at_after":  {after.In(time.FixedZone("", 2*3600)).Format(time.RFC3339)},
			"started_at_before": {before.In(time.FixedZone("", -5*3600)).Format("2006-01-02T15:04:05.000-07:00")}},
			func(c *Conversation) bool { return !c.StartedAt.Before(after) && !c.StartedAt.After(before) }},
		{"combined", url.Values{"language": {"en"}, "device": {"mobile"}, "has_messages": {"true"}, "message_contains": {"order"},
			"started_at_after": {after.Format(time.RFC3339)}},
			func(c *Conversation) bool {
				return c.Language == "en" && c.Device == "mobile" && len(c.Messages) > 0 && containsFold(c, "order") && !c.StartedAt.Before(after)
			}},
		{"combined action and customer", url.Values{"action_name": {"refund"}, "customer_id": {cust}},
			func(c *Conversation) bool { return c.CustomerID == cust && slices.Contains(c.Actions, "refund") }},
		{"empty values are ignored", url.Values{"language": {""}, "has_messages": {""}, "started_at_after": {""}, "message_contains": {""}}, all},
		{"unknown parameters are ignored", url.Values{"colour": {"blue"}, "is_favorite": {"true"}}, all},
		{"the last of repeated values wins", url.Values{"language": {"en", "ja"}}, func(c *Conversation) bool { return c.Language == "ja" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := expectIDs(ds, tt.want)
			f.expectFirstPage(t, tt.query, want)
		})
	}
	// Guard against a vacuous table: the filters above must actually select something.
	for _, name := range []string{"action_name refund", "customer_ip_address", "message_contains umlaut", "combined", "has_messages false"} {
		for _, tt := range tests {
			if tt.name == name && len(expectIDs(ds, tt.want)) == 0 {
				t.Errorf("%s selects nothing in the test data", name)
			}
		}
	}
}

func TestListTimeBoundsAreInclusive(t *testing.T) {
	ds := testData()
	f := newFixture(t, Options{})
	c := &ds.Conversations[1234]
	at := c.StartedAt
	sameInstant := func(x *Conversation) bool { return x.StartedAt.Equal(at) }
	tests := []struct {
		name  string
		query url.Values
		want  func(x *Conversation) bool
	}{
		{"after equals started_at", url.Values{"started_at_after": {at.Format(time.RFC3339)}}, func(x *Conversation) bool { return !x.StartedAt.Before(at) }},
		{"before equals started_at", url.Values{"started_at_before": {at.Format(time.RFC3339)}}, func(x *Conversation) bool { return !x.StartedAt.After(at) }},
		{"both equal started_at", url.Values{"started_at_after": {at.Format(time.RFC3339)}, "started_at_before": {at.Format(time.RFC3339)}}, sameInstant},
		{"same instant as an offset", url.Values{"started_at_after": {at.In(time.FixedZone("", 5*3600+1800)).Format(time.RFC3339)},
			"started_at_before": {at.Format("2006-01-02T15:04:05.000000Z")}}, sameInstant},
		{"half a second later excludes it", url.Values{"started_at_after": {at.Add(500 * time.Millisecond).Format(time.RFC3339Nano)},
			"started_at_before": {at.Add(time.Second).Format(time.RFC3339)}}, func(x *Conversation) bool { return x.StartedAt.Equal(at.Add(time.Second)) }},
		{"no offset is UTC", url.Values{"started_at_after": {at.Format("2006-01-02T15:04:05")}, "started_at_before": {at.Format("2006-01-02 15:04:05")}}, sameInstant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := expectIDs(ds, tt.want)
			p := f.list(tt.query)
			if p.Count != len(want) {
				t.Fatalf("count = %d, want %d", p.Count, len(want))
			}
		})
	}
	p := f.list(url.Values{"started_at_after": {at.Format(time.RFC3339)}, "started_at_before": {at.Format(time.RFC3339)}})
	if !slices.Contains(p.ids(), c.ID) {
		t.Fatalf("conversation %d, exactly on both bounds, is missing: %v", c.ID, p.ids())
	}
}

func TestListBadParameters(t *testing.T) {
	f := newFixture(t, Options{})
	tests := []struct {
		name  string
		query string // raw, so the test controls the encoding
		want  string
	}{
		{"has_messages", "has_messages=maybe", `{"has_messages":["Select a valid choice. maybe is not one of the available choices."]}`},
		{"has_messages yes", "has_messages=yes", `{"has_messages":["Select a valid choice. yes is not one of the available choices."]}`},
		{"started_at_after", "started_at_after=yesterday", `{"started_at_after":["Enter a valid date/time."]}`},
		{"started_at_before", "started_at_before=2026-13-01T00:00:00Z", `{"started_at_before":["Enter a valid date/time."]}`},
		{"unencoded plus becomes a space", "started_at_after=2026-10-01T00:00:00+02:00", `{"started_at_after":["Enter a valid date/time."]}`},
		{"every error at once", "has_messages=x&started_at_after=x&started_at_before=y",
			`{"has_messages":["Select a valid choice. x is not one of the available choices."],"started_at_after":["Enter a valid date/time."],"started_at_before":["Enter a valid date/time."]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body, h := f.do(http.MethodGet, f.ts.URL+"/api/conversations/?"+tt.query)
			if st != http.StatusBadRequest || string(body) != tt.want {
				t.Fatalf("got %d %s, want 400 %s", st, body, tt.want)
			}
			if ct := h.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("content type %q", ct)
			}
		})
	}
	// An encoded offset is fine.
	if st, body := f.get("/api/conversations/", url.Values{"started_at_after": {"2026-10-01T00:00:00+02:00"}}); st != http.StatusOK {
		t.Fatalf("encoded offset: %d %s", st, body)
	}
}

func TestListPagination(t *testing.T) {
	ds := testData()
	f := newFixture(t, Options{})
	base := f.ts.URL + "/api/conversations/"
	total := len(ds.Conversations)
	all := expectIDs(ds, func(*Conversation) bool { return true })

	t.Run("first page", func(t *testing.T) {
		p := f.list(nil)
		if p.Count != total || len(p.Results) != 20 || p.Previous != nil || p.Next == nil || *p.Next != base+"?page=2" {
			t.Fatalf("count %d, %d results, previous %v, next %v", p.Count, len(p.Results), p.Previous, deref(p.Next))
		}
	})
	t.Run("links keep other parameters", func(t *testing.T) {
		p := f.list(url.Values{"page": {"2"}, "page_size": {"5"}, "language": {"en"}, "colour": {"blue"}})
		if want := base + "?colour=blue&language=en&page=3&page_size=5"; deref(p.Next) != want {
			t.Errorf("next = %s, want %s", deref(p.Next), want)
		}
		// DRF drops page=1 from the previous link of page 2.
		if want := base + "?colour=blue&language=en&page_size=5"; deref(p.Previous) != want {
			t.Errorf("previous = %s, want %s", deref(p.Previous), want)
		}
		p = f.list(url.Values{"page": {"3"}, "page_size": {"5"}})
		if want := base + "?page=2&page_size=5"; deref(p.Previous) != want {
			t.Errorf("previous of page 3 = %s, want %s", deref(p.Previous), want)
		}
	})
	t.Run("links use the request host", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, base, nil)
		req.Host = "api.example.test:1234"
		req.Header.Set("Authorization", "Api-Key "+DemoKey)
		resp, err := f.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p testPage
		if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
			t.Fatal(err)
		}
		if want := "http://api.example.test:1234/api/conversations/?page=2"; deref(p.Next) != want {
			t.Fatalf("next = %s, want %s", deref(p.Next), want)
		}
	})
	t.Run("last page", func(t *testing.T) {
		last := (total + 99) / 100
		p := f.list(url.Values{"page": {itoa(last)}, "page_size": {"100"}})
		if p.Next != nil || len(p.Results) != total-(last-1)*100 || !slices.Equal(p.ids(), all[(last-1)*100:]) {
			t.Fatalf("next %v, %d results", deref(p.Next), len(p.Results))
		}
		if q := f.list(url.Values{"page": {"last"}, "page_size": {"100"}}); !slices.Equal(q.ids(), p.ids()) {
			t.Fatal(`page=last differs from the last page`)
		}
	})
	t.Run("page sizes", func(t *testing.T) {
		for _, tt := range []struct {
			size string
			want int
		}{{"1", 1}, {"100", 100}, {"101", 100}, {"100000", 100}, {"0", 20}, {"-5", 20}, {"abc", 20}, {"", 20}, {"2.5", 20}} {
			p := f.list(url.Values{"page_size": {tt.size}})
			if len(p.Results) != tt.want {
				t.Errorf("page_size=%q: %d results, want %d", tt.size, len(p.Results), tt.want)
			}
		}
		if p := f.list(url.Values{"page_size": {"1000"}}); deref(p.Next) != base+"?page=2&page_size=1000" {
			t.Errorf("clamped next = %s", deref(p.Next))
		}
	})
	t.Run("invalid pages", func(t *testing.T) {
		for _, page := range []string{"0", "-1", "abc", "1.5", itoa((total+19)/20 + 1), "999999"} {
			st, body := f.get("/api/conversations/", url.Values{"page": {page}})
			if st != http.StatusNotFound || string(body) != `{"detail":"Invalid page."}` {
				t.Errorf("page=%s: %d %s", page, st, body)
			}
		}
	})
	t.Run("empty result", func(t *testing.T) {
		st, body := f.get("/api/conversations/", url.Values{"language": {"xx"}})
		if st != http.StatusOK || string(body) != `{"count":0,"next":null,"previous":null,"results":[]}` {
			t.Fatalf("%d %s", st, body)
		}
		if st, _ := f.get("/api/conversations/", url.Values{"language": {"xx"}, "page": {"2"}}); st != http.StatusNotFound {
			t.Fatalf("page 2 of nothing: %d", st)
		}
	})
	t.Run("walking every page yields each conversation once", func(t *testing.T) {
		ids, count := f.walk(url.Values{"page_size": {"100"}})
		if count != total || !slices.Equal(ids, all) {
			t.Fatalf("walked %d ids (count %d), want %d in order", len(ids), count, total)
		}
		q := url.Values{"page_size": {"7"}, "language": {"de"}, "has_messages": {"true"}}
		ids, count = f.walk(q)
		want := expectIDs(ds, func(c *Conversation) bool { return c.Language == "de" && len(c.Messages) > 0 })
		if count != len(want) || !slices.Equal(ids, want) {
			t.Fatalf("filtered walk: %d ids (count %d), want %d", len(ids), count, len(want))
		}
	})
}

// TestListOrderTies uses a hand-made, unsorted data set so that equal start
// times and fractional seconds are certain to occur.
func TestListOrderTies(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	frac := t0.Add(1500 * time.Millisecond)
	ds := &Dataset{Conversations: []Conversation{
		{ID: 5, ConversationID: "c5", StartedAt: t0},
		{ID: 2, ConversationID: "c2", StartedAt: t0.Add(time.Hour)},
		{ID: 9, ConversationID: "c9", StartedAt: t0},
		{ID: 1, ConversationID: "c1", StartedAt: frac},
	}}
	f := newFixture(t, Options{Dataset: ds})
	p := f.list(nil)
	if want := []int64{2, 1, 9, 5}; !slices.Equal(p.ids(), want) {
		t.Fatalf("order %v, want %v", p.ids(), want)
	}
	if got := p.Results[1].StartedAt; got != "2026-01-02T03:04:06.500000Z" {
		t.Fatalf("fractional started_at = %s", got)
	}
	if p := f.list(url.Values{"started_at_after": {"2026-01-02T03:04:06.5Z"}, "started_at_before": {"2026-01-02T03:04:06.500Z"}}); !slices.Equal(p.ids(), []int64{1}) {
		t.Fatalf("fractional bounds: %v", p.ids())
	}
}

func TestListModes(t *testing.T) {
	ds := testData()
	for _, embed := range []bool{false, true} {
		f := newFixture(t, Options{EmbedMessages: embed})
		p := f.list(url.Values{"page_size": {"100"}, "has_messages": {"true"}})
		for _, r := range p.Results {
			want := 0
			if embed {
				want = len(ds.Conversation(r.ID).Messages)
			}
			if len(r.Messages) != want || r.Messages == nil {
				t.Fatalf("embed=%v: conversation %d has %d messages in the list, want %d", embed, r.ID, len(r.Messages), want)
			}
		}
		_, body := f.get("/api/conversations/", url.Values{"page_size": {"1"}, "has_messages": {"true"}})
		m := decodeMap(t, body)
		msgs := m["results"].([]any)[0].(map[string]any)["messages"].([]any)
		if embed {
			keys := sortedKeys(msgs[0].(map[string]any))
			if want := []string{"attachments", "content", "id", "sender", "timestamp"}; !slices.Equal(keys, want) {
				t.Fatalf("message keys %v, want %v", keys, want)
			}
		} else if len(msgs) != 0 {
			t.Fatalf("messages not empty: %v", msgs)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func itoa(n int) string { return strconv.Itoa(n) }

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
