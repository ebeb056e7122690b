package plugin

import (
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// sixtyEnv is the fake API of issue 21: 60 conversations, one every 5 minutes over the 5
// hours before now (id i started i×5 minutes ago), a third of them in German.
func sixtyEnv(t *testing.T, now time.Time) *env {
	t.Helper()
	ds := &fakeapi.Dataset{}
	for i := 1; i <= 60; i++ {
		lang := "en"
		if i%3 == 2 {
			lang = "de"
		}
		ds.Conversations = append(ds.Conversations, fakeapi.Conversation{ID: int64(i), ConversationID: fmt.Sprintf("c%d", i),
			Language: lang, Device: "desktop", StartedAt: now.Add(-time.Duration(i) * 5 * time.Minute)})
	}
	slices.Reverse(ds.Conversations)
	srv := fakeapi.New(fakeapi.Options{Dataset: ds, EmbedMessages: true})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return &env{t: t, fake: srv, url: hs.URL, truth: ds}
}

// sixtyPanels are a table, a total, a German total and a series grouped by language.
var sixtyPanels = []panel{
	{"A", map[string]any{"queryType": "conversations"}},
	{"B", map[string]any{"queryType": "count", "bucket": "total"}},
	{"C", map[string]any{"queryType": "count", "bucket": "total", "filters": map[string]any{"language": "de"}}},
	{"D", map[string]any{"queryType": "count", "bucket": "1h", "groupBy": "language"}},
}

// tableIDs are the ids of a table frame, in its order.
func tableIDs(t *testing.T, f *data.Frame) []int64 {
	t.Helper()
	field, _ := f.FieldByName("id")
	if field == nil {
		t.Fatalf("frame %q has no id field", f.Name)
	}
	ids := make([]int64, field.Len())
	for i := range ids {
		switch v := field.At(i).(type) {
		case int64:
			ids[i] = v
		case *int64:
			ids[i] = *v
		}
	}
	return ids
}

func totalOf(t *testing.T, dr backend.DataResponse) float64 {
	t.Helper()
	mustOK(t, dr)
	v, ok := dr.Frames[0].Fields[len(dr.Frames[0].Fields)-1].ConcreteAt(0)
	if !ok {
		t.Fatal("total frame has no value")
	}
	switch n := v.(type) {
	case float64:
		return n
	case int64:
		return float64(n)
	}
	t.Fatalf("total %T", v)
	return 0
}

// A conversation whose start moves after it was settled (250 → 30 minutes ago) is one row,
// counted once, on every refresh: the newest read of an id wins over the settled copy.
func TestRefreshCountsAMovedConversationOnce(t *testing.T) {
	now0 := fakeapi.DefaultEnd()
	e := sixtyEnv(t, now0)
	jd := map[string]any{"pageSize": 10, "cacheTTL": "1ms", "settleAfter": "1h", "settledMaxAge": "6h"}
	now := now0
	d := e.instance(jd, testKey)
	d.now = func() time.Time { return now }
	span := 8 * time.Hour // every conversation stays in range
	runPanels(t, d, sixtyPanels, now.Add(-span), now)
	moved := *e.truth.Conversation(50)
	moved.StartedAt = now0.Add(-30 * time.Minute)
	e.fake.Add(moved)
	for _, later := range []time.Duration{10 * time.Minute, 50 * time.Minute, 51 * time.Minute, 2 * time.Hour} {
		now = now0.Add(later)
		got := runPanels(t, d, sixtyPanels, now.Add(-span), now)
		where := fmt.Sprintf("+%s", later)
		mustOK(t, got["A"])
		ids := tableIDs(t, got["A"].Frames[0])
		if len(ids) != 60 || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != 60 {
			t.Fatalf("%s: table has %d rows (%d distinct ids) for 60 conversations", where, len(ids), len(slices.Compact(slices.Sorted(slices.Values(ids)))))
		}
		if n := totalOf(t, got["B"]); n != 60 {
			t.Fatalf("%s: total %v, want 60", where, n)
		}
		if n := totalOf(t, got["C"]); n != 20 {
			t.Fatalf("%s: German total %v, want 20", where, n)
		}
		cold := runPanels(t, e.instance(maps(jd, "settleAfter", "0s"), testKey), sixtyPanels, now.Add(-span), now)
		for _, p := range sixtyPanels {
			sameAnswer(t, where+" panel "+p.refID, got[p.refID], cold[p.refID])
		}
	}
}

// An API that honours both time bounds 10 minutes loosely (a tail overlapping the settled
// rows, rows from outside the range) never doubles a row nor shows one outside the range, on
// a cold read or on any refresh.
func TestLooseBoundsNeverDoubleARow(t *testing.T) {
	now0 := fakeapi.DefaultEnd()
	e := sixtyEnv(t, now0)
	e.fake.SetManners(fakeapi.Manners{Slack: 10 * time.Minute})
	jd := map[string]any{"pageSize": 10, "cacheTTL": "1ms", "settleAfter": "1h", "settledMaxAge": "6h"}
	now := now0
	d := e.instance(jd, testKey)
	d.now = func() time.Time { return now }
	span := 3 * time.Hour
	for step := range 16 {
		now = now0.Add(time.Duration(step) * 10 * time.Minute)
		from, to := now.Add(-span), now
		got := runPanels(t, d, sixtyPanels, from, to)
		mustOK(t, got["A"])
		ids := tableIDs(t, got["A"].Frames[0])
		want := e.inRange(from, to, nil)
		if len(ids) != len(want) || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(want) {
			t.Fatalf("+%s: table has %d rows (%d distinct), want the %d conversations in range", now.Sub(now0), len(ids), len(slices.Compact(slices.Sorted(slices.Values(ids)))), len(want))
		}
		if n := totalOf(t, got["B"]); int(n) != len(want) {
			t.Fatalf("+%s: total %v, want %d", now.Sub(now0), n, len(want))
		}
	}
}

// Tables are newest first by start, then id, whatever order the API lists in, and a limit
// keeps the newest.
func TestTablesAreNewestFirstWhateverTheAPISends(t *testing.T) {
	e := newEnv(t, true, nil)
	e.fake.SetManners(fakeapi.Manners{Ascending: true})
	all := e.inRange(rangeFrom, rangeTo, nil)
	slices.Reverse(all) // the truth is oldest first
	for _, limit := range []int{0, 5, 120} {
		model := map[string]any{"queryType": "conversations"}
		want := len(all)
		if limit > 0 {
			model["limit"], want = limit, limit
		}
		dr := e.query(model, rangeFrom, rangeTo)
		mustOK(t, dr)
		ids := tableIDs(t, dr.Frames[0])
		if len(ids) != want {
			t.Fatalf("limit %d: %d rows, want %d", limit, len(ids), want)
		}
		for i, id := range ids {
			if id != all[i].ID {
				t.Fatalf("limit %d: row %d is id %d, want %d (newest first)", limit, i, id, all[i].ID)
			}
		}
	}
}

// A query's limit lowers maxConversations and never raises it: the table, annotations and
// messages read at most maxConversations conversations (and their details), with a warning.
func TestQueryLimitNeverRaisesMaxConversations(t *testing.T) {
	inRange := 0
	for _, tc := range []struct {
		name  string
		embed bool
		model map[string]any
		// rows is what the result must not exceed; details the per-conversation reads.
		rows, details int
	}{
		{"table", true, map[string]any{"queryType": "conversations", "limit": 1000}, 25, 0},
		{"annotations", true, map[string]any{"queryType": "annotations", "limit": 1000}, 25, 0},
		{"messages without embedded messages", false, map[string]any{"queryType": "messages", "limit": 2000}, -1, 25},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.embed, map[string]any{"maxConversations": 25})
			inRange = len(e.inRange(rangeFrom, rangeTo, nil))
			dr := e.query(tc.model, rangeFrom, rangeTo)
			mustOK(t, dr)
			details := 0
			for _, r := range e.fake.Requests() {
				if r.Path != "/api/conversations/" {
					details++
				}
			}
			if tc.rows >= 0 && dr.Frames[0].Rows() > tc.rows {
				t.Fatalf("%d rows of %d in range, want at most maxConversations (%d)", dr.Frames[0].Rows(), inRange, tc.rows)
			}
			if details > tc.details {
				t.Fatalf("%d detail requests, want at most maxConversations (%d)", details, tc.details)
			}
			var warned bool
			for _, n := range dr.Frames[0].Meta.Notices {
				warned = warned || strings.Contains(n.Text, fmt.Sprintf("showing 25 of %d conversations", inRange))
			}
			if !warned {
				t.Fatalf("notices %v, want the cut named", dr.Frames[0].Meta.Notices)
			}
		})
	}
}
