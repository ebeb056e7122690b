package plugin

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/frames"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// These tests pin what queries cost in API requests, counted by the fake API. They never
// assert times: the benchmarks (bench_test.go, tests/bench) measure those.

// perfEnv is a fake API holding n conversations over the default 28 days.
type perfEnv struct {
	t    *testing.T
	fake *fakeapi.Server
	url  string
	data *fakeapi.Dataset
}

// The fake's data sets are deterministic, so the large ones are built once per test binary.
var perfDatasets = map[int]*fakeapi.Dataset{}

func newPerfEnv(t *testing.T, n int) *perfEnv {
	t.Helper()
	ds, ok := perfDatasets[n]
	if !ok {
		ds = fakeapi.NewDataset(fakeapi.DatasetOptions{Conversations: n})
		perfDatasets[n] = ds
	}
	srv := fakeapi.New(fakeapi.Options{Dataset: ds, EmbedMessages: true})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return &perfEnv{t: t, fake: srv, url: hs.URL, data: ds}
}

// instance is a fresh data source instance (empty cache) for the fake.
// with is p for a subtest, so that its failures stop the subtest, not its parent.
func (p *perfEnv) with(t *testing.T) *perfEnv {
	c := *p
	c.t = t
	return &c
}

func (p *perfEnv) instance(jsonData map[string]any) *Datasource {
	p.t.Helper()
	e := &env{t: p.t, url: p.url}
	return e.instance(jsonData, testKey)
}

// whole is the data set's full range.
func (p *perfEnv) whole() (time.Time, time.Time) {
	end := fakeapi.DefaultEnd()
	return end.Add(-fakeapi.DefaultSpan), end
}

func (p *perfEnv) inRange(from, to time.Time) int {
	n := 0
	for i := range p.data.Conversations {
		if s := p.data.Conversations[i].StartedAt; !s.Before(from) && !s.After(to) {
			n++
		}
	}
	return n
}

type panel struct {
	refID string
	model map[string]any
}

// run sends the panels as one QueryData request and returns the responses and the API
// requests the fake received for it.
func (p *perfEnv) run(d *Datasource, from, to time.Time, panels ...panel) (backend.Responses, int) {
	p.t.Helper()
	before := p.fake.RequestCount()
	req := &backend.QueryDataRequest{}
	for _, pn := range panels {
		raw, _ := json.Marshal(pn.model)
		qt, _ := pn.model["queryType"].(string)
		req.Queries = append(req.Queries, backend.DataQuery{
			RefID: pn.refID, QueryType: qt, JSON: raw,
			TimeRange: backend.TimeRange{From: from, To: to}, Interval: time.Hour, MaxDataPoints: 2000,
		})
	}
	resp, err := d.QueryData(context.Background(), req)
	if err != nil {
		p.t.Fatal(err)
	}
	for refID, dr := range resp.Responses {
		if dr.Error != nil {
			p.t.Fatalf("%s failed: %v", refID, dr.Error)
		}
	}
	return resp.Responses, p.fake.RequestCount() - before
}

// requestsSince splits the fake's requests after the first skip into page_size=1 counts and
// list pages.
func (p *perfEnv) requestsSince(skip int) (counts, pages []fakeapi.Request) {
	for _, r := range p.fake.Requests()[skip:] {
		if r.Query.Get("page_size") == "1" {
			counts = append(counts, r)
		} else {
			pages = append(pages, r)
		}
	}
	return counts, pages
}

func statValue(t *testing.T, dr backend.DataResponse, name string) int {
	t.Helper()
	for _, s := range dr.Frames[0].Meta.Stats {
		if s.DisplayName == name {
			return int(s.Value)
		}
	}
	t.Fatalf("no %q stat on the frame", name)
	return 0
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// A total is one page_size=1 request whatever the range holds.
func TestPerfTotalIsOneRequest(t *testing.T) {
	for _, n := range []int{1000, 20000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			p := newPerfEnv(t, n)
			d := p.instance(map[string]any{"pageSize": 100})
			from, to := p.whole()
			resp, sent := p.run(d, from, to, panel{"A", map[string]any{"queryType": "count", "bucket": "total"}})
			if sent != 1 {
				t.Fatalf("%d API requests for a total over %d conversations, want 1", sent, n)
			}
			if got, _ := resp["A"].Frames[0].Fields[0].FloatAt(0); int(got) != p.inRange(from, to) {
				t.Fatalf("total %v, want %d", got, p.inRange(from, to))
			}
			if r := p.fake.Requests()[0]; r.Query.Get("page_size") != "1" {
				t.Fatalf("the total asked for page_size=%s, want 1", r.Query.Get("page_size"))
			}
			if got := statValue(t, resp["A"], "API requests"); got != 1 {
				t.Fatalf("the frame reports %d API requests, want 1", got)
			}
		})
	}
}

// The planner counts per bucket (page_size=1) when that is fewer requests than the remaining
// pages or when it is the only exact plan, and fetches the pages otherwise; either way the
// requests are exactly the plan's.
func TestPerfPlannerChoice(t *testing.T) {
	p := newPerfEnv(t, 20000)
	end := fakeapi.DefaultEnd()
	for _, tc := range []struct {
		name      string
		jsonData  map[string]any
		from      time.Time
		bucket    string
		size      time.Duration
		perBucket bool
	}{
		{"few buckets, many pages: per bucket", nil, end.Add(-fakeapi.DefaultSpan), "7d", 7 * 24 * time.Hour, true},
		{"many buckets, few pages: fetch", nil, end.Add(-6 * time.Hour), "1m", time.Minute, false},
		{"more than maxConversations: per bucket, the only exact plan", map[string]any{"maxConversations": 1000}, end.Add(-fakeapi.DefaultSpan), "1h", time.Hour, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := p.with(t)
			jd := map[string]any{"pageSize": 100}
			for k, v := range tc.jsonData {
				jd[k] = v
			}
			d := p.instance(jd)
			skip := p.fake.RequestCount()
			resp, sent := p.run(d, tc.from, end, panel{"A", map[string]any{"queryType": "count", "bucket": tc.bucket}})
			counts, pages := p.requestsSince(skip)
			buckets := frames.NewBuckets(tc.from, end, tc.size).N
			inRange := p.inRange(tc.from, end)
			if tc.perBucket {
				// The first page (which told the count) and one count per bucket.
				if len(pages) != 1 || len(counts) != buckets {
					t.Fatalf("%d list pages and %d counts, want 1 page and %d per-bucket counts", len(pages), len(counts), buckets)
				}
			} else {
				if len(counts) != 0 || len(pages) != ceilDiv(inRange, 100) {
					t.Fatalf("%d list pages and %d counts, want %d pages and no counts", len(pages), len(counts), ceilDiv(inRange, 100))
				}
			}
			if sent != len(counts)+len(pages) {
				t.Fatalf("sent %d, counted %d", sent, len(counts)+len(pages))
			}
			sum := 0.0
			for i := 0; i < resp["A"].Frames[0].Rows(); i++ {
				v, _ := resp["A"].Frames[0].Fields[1].FloatAt(i)
				sum += v
			}
			if int(sum) != inRange {
				t.Fatalf("series sums to %v, want %d", sum, inRange)
			}
		})
	}
}

// A table with limit L reads ceil(L/pageSize) pages, not the whole range.
func TestPerfTableLimitReadsOnlyItsPages(t *testing.T) {
	p := newPerfEnv(t, 20000)
	from, to := p.whole()
	for _, limit := range []int{1, 100, 250, 1000} {
		t.Run(strconv.Itoa(limit), func(t *testing.T) {
			p := p.with(t)
			d := p.instance(map[string]any{"pageSize": 100})
			resp, sent := p.run(d, from, to, panel{"A", map[string]any{"queryType": "conversations", "limit": limit}})
			if want := ceilDiv(limit, 100); sent != want {
				t.Fatalf("limit %d: %d API requests, want %d", limit, sent, want)
			}
			if rows := resp["A"].Frames[0].Rows(); rows != limit {
				t.Fatalf("limit %d: %d rows", limit, rows)
			}
		})
	}
}

// dashboardPanels are six panels over the same filters and range, as a dashboard sends them
// in one request.
func dashboardPanels(bucket string) []panel {
	filters := map[string]any{"has_messages": true}
	return []panel{
		{"A", map[string]any{"queryType": "count", "groupBy": "language", "bucket": bucket, "filters": filters}},
		{"B", map[string]any{"queryType": "count", "groupBy": "device", "bucket": bucket, "filters": filters}},
		{"C", map[string]any{"queryType": "count", "bucket": bucket, "filters": filters}},
		{"D", map[string]any{"queryType": "conversations", "limit": 500, "filters": filters}},
		{"E", map[string]any{"queryType": "messages", "limit": 5000, "filters": filters}},
		{"F", map[string]any{"queryType": "count", "bucket": "total", "filters": filters}},
	}
}

// A dashboard's panels share their pages: the request costs at most 10% more than its most
// expensive panel alone; a refresh within the cache TTL costs nothing; without a cache
// requests repeat.
func TestPerfDashboardSharesRequests(t *testing.T) {
	p := newPerfEnv(t, 20000)
	end := fakeapi.DefaultEnd()
	for _, tc := range []struct {
		name   string
		span   time.Duration
		bucket string
	}{
		// The ungrouped series alone would count per bucket here (29 buckets < 49 pages).
		{"7 days, 6h buckets", 7 * 24 * time.Hour, "6h"},
		// ... and fetch pages here (25 buckets > 7 pages).
		{"1 day, 1h buckets", 24 * time.Hour, "1h"},
		// Few buckets, many pages: per bucket alone (5 buckets).
		{"28 days, 7d buckets", fakeapi.DefaultSpan, "7d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := p.with(t)
			from := end.Add(-tc.span)
			jd := map[string]any{"pageSize": 100, "maxConversations": 20000}
			panels := dashboardPanels(tc.bucket)
			worst, worstRef := 0, ""
			alone := map[string]backend.DataResponse{}
			for _, pn := range panels {
				resp, sent := p.run(p.instance(jd), from, end, pn)
				alone[pn.refID] = resp[pn.refID]
				if sent > worst {
					worst, worstRef = sent, pn.refID
				}
			}
			d := p.instance(jd)
			resp, sent := p.run(d, from, end, panels...)
			t.Logf("%s: dashboard %d requests, most expensive panel alone (%s) %d", tc.name, sent, worstRef, worst)
			if float64(sent) > 1.1*float64(worst) {
				t.Fatalf("dashboard: %d API requests, most expensive panel alone (%s) %d: more than 1.1x", sent, worstRef, worst)
			}
			// The frames' own accounting agrees: what each query sent plus what it reused.
			reported := 0
			for _, pn := range panels {
				reported += statValue(t, resp[pn.refID], "API requests")
			}
			if reported != sent {
				t.Fatalf("frames report %d API requests, the API saw %d", reported, sent)
			}
			// Sharing pages and listings changes the cost, never the answer.
			for _, pn := range panels {
				sameFrames(t, pn.refID, resp[pn.refID].Frames, alone[pn.refID].Frames)
			}
			if _, again := p.run(d, from, end, panels...); again != 0 {
				t.Fatalf("a refresh within the cache TTL sent %d API requests, want 0", again)
			}
		})
	}
}

// With the cache off (cacheTTL 0) each refresh asks the API again.
func TestPerfNoCacheRepeatsRequests(t *testing.T) {
	p := newPerfEnv(t, 20000)
	end := fakeapi.DefaultEnd()
	from := end.Add(-24 * time.Hour)
	d := p.instance(map[string]any{"pageSize": 100, "cacheTTL": "0s"})
	table := panel{"A", map[string]any{"queryType": "conversations"}}
	_, first := p.run(d, from, end, table)
	_, second := p.run(d, from, end, table)
	if want := ceilDiv(p.inRange(from, end), 100); first != want || second != want {
		t.Fatalf("table without cache: %d then %d API requests, want %d each time", first, second, want)
	}
	_, dash := p.run(d, from, end, dashboardPanels("1h")...)
	if _, again := p.run(d, from, end, dashboardPanels("1h")...); again == 0 || dash == 0 {
		t.Fatalf("dashboard without cache: %d then %d API requests, want both > 0", dash, again)
	}
}

// sameFrames compares the data of two frame lists (not their metadata, which tells the cost).
func sameFrames(t *testing.T, refID string, got, want data.Frames) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d frames in the dashboard, %d alone", refID, len(got), len(want))
	}
	for i := range got {
		if len(got[i].Fields) != len(want[i].Fields) || got[i].Rows() != want[i].Rows() {
			t.Fatalf("%s frame %d: shape differs from the panel alone", refID, i)
		}
		for j, f := range got[i].Fields {
			if !reflect.DeepEqual(f.Labels, want[i].Fields[j].Labels) {
				t.Fatalf("%s frame %d field %s: labels %v, alone %v", refID, i, f.Name, f.Labels, want[i].Fields[j].Labels)
			}
			for k := 0; k < f.Len(); k++ {
				if !reflect.DeepEqual(f.At(k), want[i].Fields[j].At(k)) {
					t.Fatalf("%s frame %d field %s row %d: %v, alone %v", refID, i, f.Name, k, f.At(k), want[i].Fields[j].At(k))
				}
			}
		}
	}
}

// Pages another panel reads count only as far as its limit: a table of 100 rows shares the
// first page and leaves the per-bucket plan cheaper; a table reading nearly every page leaves
// the series only the last few to fetch.
func TestPerfPlannerCountsOnlyTheSharedPages(t *testing.T) {
	p := newPerfEnv(t, 20000)
	end := fakeapi.DefaultEnd()
	from := end.Add(-7 * 24 * time.Hour)
	pages := ceilDiv(p.inRange(from, end), 100)
	buckets := frames.NewBuckets(from, end, 6*time.Hour).N
	series := panel{"C", map[string]any{"queryType": "count", "bucket": "6h"}}
	for _, tc := range []struct {
		name      string
		limit     int
		perBucket bool
	}{
		{"table of one page", 100, true},
		{"table of all but 5 pages", (pages - 5) * 100, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := p.with(t)
			skip := p.fake.RequestCount()
			d := p.instance(map[string]any{"pageSize": 100})
			_, sent := p.run(d, from, end, series, panel{"D", map[string]any{"queryType": "conversations", "limit": tc.limit}})
			counts, listPages := p.requestsSince(skip)
			wantCounts, wantPages := 0, pages
			if tc.perBucket {
				wantCounts, wantPages = buckets, ceilDiv(tc.limit, 100)
			}
			if len(counts) != wantCounts || len(listPages) != wantPages || sent != wantCounts+wantPages {
				t.Fatalf("%d counts and %d pages (%d sent), want %d counts and %d pages", len(counts), len(listPages), sent, wantCounts, wantPages)
			}
		})
	}
}
