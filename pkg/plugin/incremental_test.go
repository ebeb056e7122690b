package plugin

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// A refresh that reuses settled data answers exactly what a cold query over the same range
// answers: random dashboards (filters, group-by, buckets, limits) refreshed at random
// intervals over random ranges while conversations arrive, starts move (later, from the
// settled part too, and earlier), conversations are deleted and backfilled, and the API
// changes its order between reads or honours both time bounds loosely. No table ever holds an
// id twice.
//
// What a refresh cannot see until settledMaxAge (the documented staleness) is not generated:
// a settled conversation deleted, backfilled or moved within the settled part, since a
// refresh reads only the tail; nor a start moved out of the settled part where the series
// is counted bucket by bucket (maxConversations below the range's count), since a settled
// bucket's count is reused as it was counted. Nor are per-bucket counts and totals checked against an API
// with slack: they are the API's own counts, which slack inflates whatever the plugin does.
func TestIncrementalRefreshEqualsColdQuery(t *testing.T) {
	filterSets := []map[string]any{
		{},
		{"has_messages": true},
		{"language": "en"},
		{"language": []string{"en", "de"}},
		{"device": "mobile"},
		{"message_contains": []string{"refund", "order"}},
	}
	spans := []time.Duration{3 * time.Hour, 12 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour}
	intervals := []time.Duration{10 * time.Second, 30 * time.Second, 5 * time.Minute, 45 * time.Minute, 2 * time.Hour}
	const sequences, refreshes = 24, 12
	base := fakeapi.NewDataset(fakeapi.DatasetOptions{Conversations: 600})
	for seq := range sequences {
		t.Run(fmt.Sprintf("sequence %d", seq), func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(uint64(seq), 13))
			pick := func(n int) int { return rnd.IntN(n) }
			// A stream of its own, so that the sequences drawn from rnd stay as they were.
			overlap := rand.New(rand.NewPCG(uint64(seq), 17))
			srv := fakeapi.New(fakeapi.Options{Dataset: base, EmbedMessages: true})
			hs := httptest.NewServer(srv)
			t.Cleanup(func() { srv.Close(); hs.Close() })
			e := &env{t: t, fake: srv, url: hs.URL}

			filters := filterSets[pick(len(filterSets))]
			panels := randomPanels(rnd, filters)
			slack := seq%3 == 2
			if slack {
				// Rows from outside the range must be dropped before anything is counted: the
				// panels that read rows.
				srv.SetManners(fakeapi.Manners{Slack: 10 * time.Minute})
				panels = slices.DeleteFunc(panels, func(p panel) bool {
					_, grouped := p.model["groupBy"]
					return p.model["queryType"] == "count" && !grouped && p.refID != "A"
				})
			}
			served := slices.Clone(base.Conversations)
			// Responses kept for a millisecond: the response cache's own staleness (up to its
			// TTL, by design) is not what this test checks; settled rows are.
			jd := map[string]any{"pageSize": 50, "cacheTTL": "1ms", "settleAfter": "1h", "settledMaxAge": "6h",
				"maxConversations": []int{10000, 150, 30}[pick(3)]}
			if slack {
				jd["maxConversations"] = 10000 // a cut listing's "of M" is the API's count
			}
			now := fakeapi.DefaultEnd()
			incremental := e.instance(jd, testKey)
			incremental.now = func() time.Time { return now }
			coldSettings := maps(jd, "settleAfter", "0s")
			nextID := int64(1_000_000)
			span := spans[pick(len(spans))]
			reused := 0
			for refresh := range refreshes {
				now = now.Add(intervals[pick(len(intervals))])
				if pick(4) == 0 {
					span = spans[pick(len(spans))] // the user changed the range
				}
				for range pick(8) {
					// Arrivals start within settleAfter of now: later than that, a
					// conversation is settled, and settled data is what a refresh reuses.
					c := base.Conversations[pick(len(base.Conversations))]
					c.ID, c.ConversationID = nextID, fmt.Sprintf("arrived-%d", nextID)
					c.StartedAt = now.Add(-time.Duration(rnd.Int64N(int64(50 * time.Minute))))
					c.EndedAt = nil
					c.Messages = slices.Clone(c.Messages)
					for j := range c.Messages {
						c.Messages[j].ID = nextID*100 + int64(j)
						c.Messages[j].Timestamp = c.StartedAt.Add(time.Duration(j) * time.Second)
					}
					nextID++
					srv.Add(c)
					served = append(served, c)
				}
				changeServed(rnd, srv, served, now, &nextID, jd["maxConversations"] == 10000)
				// The order, the bounds and the paging may change between reads: pages that
				// overlap double a row at each page boundary and lose the last one.
				overlapping := overlap.IntN(4) == 0
				srv.SetManners(fakeapi.Manners{Ascending: pick(2) == 0, Slack: map[bool]time.Duration{true: 10 * time.Minute}[slack], Overlap: overlapping})
				from, to := now.Add(-span), now
				got := runPanels(t, incremental, panels, from, to)
				cold := e.instance(coldSettings, testKey)
				want := runPanels(t, cold, panels, from, to)
				mustOK(t, got[panels[0].refID]) // the bucketed series of every dashboard
				for _, p := range panels {
					if f := got[p.refID].Frames; p.model["queryType"] == "conversations" && len(f) > 0 {
						if ids := tableIDs(t, f[0]); len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
							t.Fatalf("refresh %d, panel %s: an id shown twice", refresh, p.refID)
						}
					}
					where := fmt.Sprintf("refresh %d (%s over %s, panel %s %v)", refresh, to.Format(time.RFC3339), span, p.refID, p.model)
					if overlapping {
						// A refresh reads the tail's pages, a cold query every page: each warns
						// of the API's doubled rows where it met them. The frames are the same.
						got[p.refID], want[p.refID] = withoutPagingWarnings(got[p.refID]), withoutPagingWarnings(want[p.refID])
					}
					sameAnswer(t, where, got[p.refID], want[p.refID])
					reused += settledStat(got[p.refID])
				}
			}
			t.Logf("panels %d, filters %v: %d rows or buckets reused over %d refreshes", len(panels), filters, reused, refreshes)
			if reused == 0 {
				t.Fatal("no refresh reused settled data: the sequence tested nothing")
			}
		})
	}
}

// changeServed changes what the API serves as the tail of a refresh sees it: a start moved
// later (from anywhere, the settled part included when fromSettled, into the last 50
// minutes), a start moved
// earlier within the last 50 minutes, a deletion and a backfill 30 to 55 minutes ago, each
// now and then.
func changeServed(rnd *rand.Rand, srv *fakeapi.Server, served []fakeapi.Conversation, now time.Time, nextID *int64, fromSettled bool) {
	recent := func() int { // a conversation of the last 50 minutes, or -1
		for range 20 {
			if i := rnd.IntN(len(served)); !served[i].Deleted && served[i].StartedAt.After(now.Add(-50*time.Minute)) {
				return i
			}
		}
		return -1
	}
	if i := rnd.IntN(len(served)); (fromSettled || served[i].StartedAt.After(now.Add(-50*time.Minute))) && rnd.IntN(2) == 0 {
		served[i].StartedAt = now.Add(-time.Duration(rnd.Int64N(int64(50 * time.Minute))))
		srv.Add(served[i])
	}
	if i := recent(); i >= 0 && rnd.IntN(2) == 0 {
		served[i].StartedAt = now.Add(-55 * time.Minute).Add(time.Duration(rnd.Int64N(int64(served[i].StartedAt.Sub(now.Add(-55 * time.Minute))))))
		srv.Add(served[i])
	}
	if i := recent(); i >= 0 && rnd.IntN(3) == 0 {
		served[i].Deleted = true
		srv.Add(served[i])
	}
	if rnd.IntN(3) == 0 {
		c := served[rnd.IntN(len(served))]
		c.ID, c.ConversationID, c.Deleted = *nextID, fmt.Sprintf("backfilled-%d", *nextID), false
		c.StartedAt = now.Add(-55 * time.Minute).Add(time.Duration(rnd.Int64N(int64(25 * time.Minute))))
		*nextID++
		srv.Add(c)
	}
}

// randomPanels is a dashboard over one set of filters: series (grouped or not, automatic or
// fixed buckets), a total, tables with and without a small limit, messages, values.
func randomPanels(rnd *rand.Rand, filters map[string]any) []panel {
	all := []map[string]any{
		{"queryType": "count", "filters": filters},
		{"queryType": "count", "bucket": []string{"5m", "1h", "6h"}[rnd.IntN(3)], "filters": filters},
		{"queryType": "count", "groupBy": []string{"language", "device"}[rnd.IntN(2)], "filters": filters},
		{"queryType": "count", "bucket": "total", "filters": filters},
		{"queryType": "conversations", "filters": filters},
		{"queryType": "conversations", "limit": 20, "filters": filters},
		{"queryType": "messages", "filters": filters},
		{"queryType": "values", "field": "language", "filters": filters},
		{"queryType": "stats", "measure": "response_time", "aggregation": "p90", "bucket": "1h", "filters": filters},
		{"queryType": "stats", "measure": "customers", "groupBy": "device", "filters": filters},
	}
	var out []panel
	for i, m := range all {
		if i == 0 || rnd.IntN(2) == 0 {
			out = append(out, panel{string(rune('A' + i)), m})
		}
	}
	return out
}

func runPanels(t *testing.T, d *Datasource, panels []panel, from, to time.Time) backend.Responses {
	t.Helper()
	req := &backend.QueryDataRequest{}
	for _, p := range panels {
		raw, _ := json.Marshal(p.model)
		qt, _ := p.model["queryType"].(string)
		req.Queries = append(req.Queries, backend.DataQuery{RefID: p.refID, QueryType: qt, JSON: raw,
			TimeRange: backend.TimeRange{From: from, To: to}, Interval: time.Minute, MaxDataPoints: 500})
	}
	resp, err := d.QueryData(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Responses
}

// sameAnswer compares what a user sees: the error, the frames' data and the notices; not
// the requests sent or the stats.
func sameAnswer(t *testing.T, where string, got, want backend.DataResponse) {
	t.Helper()
	if (got.Error == nil) != (want.Error == nil) || (got.Error != nil && got.Error.Error() != want.Error.Error()) {
		t.Fatalf("%s: error %v, cold %v", where, got.Error, want.Error)
	}
	g, w := answerJSON(t, got.Frames), answerJSON(t, want.Frames)
	if g != w {
		i := 0 // where they part
		for i < min(len(g), len(w)) && g[i] == w[i] {
			i++
		}
		from := max(i-200, 0)
		t.Fatalf("%s: frames differ from a cold query's at byte %d\n got: …%.600s\nwant: …%.600s", where, i, g[from:], w[from:])
	}
}

// withoutPagingWarnings is r without the notices of rows a paged list doubled or left out,
// and with the API's count in a cut table's "showing N of M" left out: a cut listing reports
// the count the API claimed, one more than its rows per listing that overlapped.
func withoutPagingWarnings(r backend.DataResponse) backend.DataResponse {
	for _, f := range r.Frames {
		if f.Meta == nil {
			continue
		}
		var kept []data.Notice
		for _, n := range f.Meta.Notices {
			if strings.HasPrefix(n.Text, "AgentSight reported ") || strings.Contains(n.Text, "appeared on more than one page") {
				continue
			}
			n.Text = apiCount.ReplaceAllString(n.Text, "of M conversations")
			kept = append(kept, n)
		}
		f.Meta.Notices = kept
	}
	return r
}

var apiCount = regexp.MustCompile(`of \d+ conversations`)

func answerJSON(t *testing.T, frames data.Frames) string {
	t.Helper()
	var out []any
	for _, f := range frames {
		var notices []string
		if f.Meta != nil {
			for _, n := range f.Meta.Notices {
				notices = append(notices, n.Text)
			}
		}
		bare := *f
		bare.Meta = nil
		b, err := json.Marshal(&bare)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, map[string]any{"frame": json.RawMessage(b), "notices": notices})
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// settledStat is how many rows and buckets a response says came from settled data.
func settledStat(dr backend.DataResponse) int {
	n := 0
	if len(dr.Frames) > 0 && dr.Frames[0].Meta != nil {
		for _, s := range dr.Frames[0].Meta.Stats {
			if s.DisplayName == "Rows from settled data" || s.DisplayName == "Buckets from settled data" {
				n += int(s.Value)
			}
		}
	}
	return n
}

// maps is m with key set to value, m unchanged.
func maps(m map[string]any, key string, value any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	out[key] = value
	return out
}

// The six-panel dashboard of the benchmarks, refreshed every 30 s over the last 7 days while
// conversations arrive, sends a few requests per refresh (the tail of each listing) rather
// than the full read, and says in its stats what it reused.
func TestIncrementalDashboardRefreshSendsTheTail(t *testing.T) {
	p := newPerfEnv(t, 20000).with(t)
	jd := map[string]any{"pageSize": 100, "maxConversations": 20000}
	now := fakeapi.DefaultEnd()
	d := p.instance(jd)
	d.now = func() time.Time { return now }
	panels := dashboardPanels("")
	_, cold := p.run(d, now.Add(-7*24*time.Hour), now, panels...)
	worst := 0
	for refresh := range 5 {
		now = now.Add(30 * time.Second)
		c := p.data.Conversations[refresh]
		c.ID, c.StartedAt = int64(900_000+refresh), now.Add(-10*time.Second)
		p.fake.Add(c)
		resp, sent := p.run(d, now.Add(-7*24*time.Hour), now, panels...)
		worst = max(worst, sent)
		if n := settledStat(resp["D"]); n == 0 {
			t.Fatalf("refresh %d: the table's stats show no rows from settled data", refresh)
		}
	}
	t.Logf("first load %d requests, refreshes at most %d", cold, worst)
	if worst > 8 {
		t.Fatalf("a refresh sent %d requests, want at most 8 (the first load sent %d)", worst, cold)
	}
}

// A series over more conversations than maxConversations counts bucket by bucket; on a
// refresh the buckets that ended before the settled boundary are not counted again, and the
// stats say how many were reused.
func TestIncrementalRefreshReusesSettledBuckets(t *testing.T) {
	p := newPerfEnv(t, 20000).with(t)
	jd := map[string]any{"maxConversations": 1000}
	now := fakeapi.DefaultEnd()
	d := p.instance(jd)
	d.now = func() time.Time { return now }
	series := panel{"A", map[string]any{"queryType": "count", "bucket": "6h"}}
	from := func() time.Time { return now.Add(-7 * 24 * time.Hour) }
	_, first := p.run(d, from(), now, series)
	now = now.Add(30 * time.Second)
	resp, sent := p.run(d, from(), now, series)
	buckets := 0
	for _, s := range resp["A"].Frames[0].Meta.Stats {
		if s.DisplayName == "Buckets from settled data" {
			buckets = int(s.Value)
		}
	}
	// 30 buckets now: the first (cut by the range's start, which moved), the one holding the
	// unsettled hour and the new one the range's end reaches are counted again; the first
	// page, which plans the query, is read again too.
	t.Logf("first load %d requests, refresh %d, %d buckets reused", first, sent, buckets)
	if buckets < 26 || sent > first-buckets {
		t.Fatalf("refresh sent %d requests (first load %d) and reused %d buckets", sent, first, buckets)
	}
	cold := p.instance(jd)
	want, _ := p.run(cold, from(), now, series)
	sameAnswer(t, "refresh", resp["A"], want["A"])
}

// settleAfter 0s turns incremental refresh off: every refresh reads the whole range again.
func TestIncrementalRefreshOff(t *testing.T) {
	p := newPerfEnv(t, 20000).with(t)
	now := fakeapi.DefaultEnd()
	d := p.instance(map[string]any{"pageSize": 100, "maxConversations": 20000, "settleAfter": "0s"})
	d.now = func() time.Time { return now }
	panels := dashboardPanels("")
	_, first := p.run(d, now.Add(-7*24*time.Hour), now, panels...)
	now = now.Add(30 * time.Second)
	resp, sent := p.run(d, now.Add(-7*24*time.Hour), now, panels...)
	for _, pn := range panels {
		if n := settledStat(resp[pn.refID]); n != 0 {
			t.Fatalf("panel %s: %d rows or buckets from settled data with settleAfter 0s", pn.refID, n)
		}
	}
	t.Logf("first load %d requests, refresh %d", first, sent)
	if sent < first {
		t.Fatalf("a refresh sent %d requests, the first load %d: with settleAfter 0s it reads the whole range", sent, first)
	}
}
