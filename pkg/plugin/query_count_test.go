package plugin

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

func TestCountTotalIsOneRequest(t *testing.T) {
	e := newEnv(t, true, nil)
	dr := e.query(map[string]any{"queryType": "count", "bucket": "total", "filters": map[string]any{"language": "en"}}, rangeFrom, rangeTo)
	mustOK(t, dr)
	want := len(e.inRange(rangeFrom, rangeTo, func(c *fakeapi.Conversation) bool { return c.Language == "en" }))
	got, _ := dr.Frames[0].Fields[0].FloatAt(0)
	if int(got) != want || want == 0 {
		t.Fatalf("total = %v, want %d", got, want)
	}
	if n := e.fake.RequestCount(); n != 1 {
		t.Fatalf("%d API requests, want 1", n)
	}
	req := e.fake.Requests()[0]
	if req.Query.Get("page_size") != "1" || req.Query.Get("language") != "en" ||
		req.Query.Get("started_at_after") != "2026-10-20T00:00:00Z" || req.Query.Get("started_at_before") != "2026-10-22T00:00:00Z" {
		t.Fatalf("request sent: %v", req.Query)
	}
	golden(t, "count_total_en", dr)
}

// Alert rules send queries without the editor's defaults: no queryType means count.
func TestCountWithoutQueryTypeIsACount(t *testing.T) {
	e := newEnv(t, true, nil)
	dr := e.query(map[string]any{"bucket": "total"}, rangeFrom, rangeTo)
	mustOK(t, dr)
	got, _ := dr.Frames[0].Fields[0].FloatAt(0)
	if want := len(e.inRange(rangeFrom, rangeTo, nil)); int(got) != want {
		t.Fatalf("total = %v, want %d", got, want)
	}
}

func TestCountSeriesGroupedByLanguage(t *testing.T) {
	e := newEnv(t, true, nil)
	dr := e.query(map[string]any{"queryType": "count", "groupBy": "language", "bucket": "6h"}, rangeFrom, rangeTo)
	mustOK(t, dr)
	want := map[string]map[time.Time]float64{}
	for _, c := range e.inRange(rangeFrom, rangeTo, nil) {
		if want[c.Language] == nil {
			want[c.Language] = map[time.Time]float64{}
		}
		want[c.Language][c.StartedAt.Truncate(6*time.Hour)]++
	}
	if len(dr.Frames) != len(want) {
		t.Fatalf("%d series, want %d", len(dr.Frames), len(want))
	}
	for _, f := range dr.Frames {
		if f.Meta.Type != data.FrameTypeTimeSeriesMulti {
			t.Fatalf("frame type %q", f.Meta.Type)
		}
		lang := f.Fields[1].Labels["language"]
		if f.Rows() != 9 { // 00:00 on the 20th to 00:00 on the 22nd, both ends included
			t.Fatalf("%s: %d buckets, want 9", lang, f.Rows())
		}
		for i := 0; i < f.Rows(); i++ {
			ts := f.Fields[0].At(i).(time.Time)
			got, _ := f.Fields[1].FloatAt(i)
			if got != want[lang][ts] {
				t.Errorf("%s at %s: %v, want %v", lang, ts, got, want[lang][ts])
			}
		}
	}
	golden(t, "count_by_language_6h", dr)
}

// A conversation that starts exactly on a bucket boundary belongs to exactly one bucket,
// whichever plan answers the query.
func TestCountPlansAgreeOnBoundaries(t *testing.T) {
	e := newEnv(t, true, map[string]any{"pageSize": 100})
	// Per-bucket counting is chosen when there are fewer buckets than remaining pages.
	perBucket := e.query(map[string]any{"bucket": "7d"}, rangeFrom.AddDate(0, 0, -14), rangeTo)
	fetched := e.query(map[string]any{"bucket": "1h"}, rangeFrom, rangeTo)
	mustOK(t, perBucket)
	mustOK(t, fetched)
	check := func(name string, dr []*data.Frame, from, to time.Time, size time.Duration) {
		want := map[time.Time]float64{}
		for _, c := range e.inRange(from, to, nil) {
			// Buckets are multiples of their size since the Unix epoch.
			sec := int64(size / time.Second)
			want[time.Unix(c.StartedAt.Unix()/sec*sec, 0).UTC()]++
		}
		f := dr[0]
		for i := 0; i < f.Rows(); i++ {
			ts := f.Fields[0].At(i).(time.Time)
			got, _ := f.Fields[1].FloatAt(i)
			if got != want[ts] {
				t.Errorf("%s at %s: %v, want %v", name, ts, got, want[ts])
			}
		}
	}
	check("per bucket", perBucket.Frames, rangeFrom.AddDate(0, 0, -14), rangeTo, 7*24*time.Hour)
	check("fetched", fetched.Frames, rangeFrom, rangeTo, time.Hour)
}

// The planner's two strategies: per-bucket count requests, or reading every page.
func TestCountPlannerChoice(t *testing.T) {
	for _, tc := range []struct {
		name      string
		bucket    string
		from      time.Time
		perBucket bool
	}{
		{"few buckets, many pages: count per bucket", "7d", rangeFrom.AddDate(0, 0, -21), true},
		{"many buckets, few pages: fetch and bucket", "5m", rangeTo.Add(-6 * time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, true, map[string]any{"pageSize": 20})
			mustOK(t, e.query(map[string]any{"bucket": tc.bucket}, tc.from, rangeTo))
			sizeOne := 0
			for _, r := range e.fake.Requests() {
				if r.Query.Get("page_size") == "1" {
					sizeOne++
				}
			}
			if got := sizeOne > 0; got != tc.perBucket {
				t.Fatalf("per-bucket requests: %d (of %d requests); want per-bucket plan %v", sizeOne, e.fake.RequestCount(), tc.perBucket)
			}
		})
	}
}

// The interval of a panel is widened (and the user told) rather than exceed maxDataPoints.
func TestCountBucketFromIntervalIsWidened(t *testing.T) {
	e := newEnv(t, true, nil)
	req := map[string]map[string]any{"A": {"queryType": "count"}}
	resp := e.queries(req, rangeFrom, rangeTo) // interval 1h, 1000 points: fits, 49 buckets
	mustOK(t, resp["A"])
	if n := resp["A"].Frames[0].Rows(); n != 49 {
		t.Fatalf("%d buckets, want 49 hourly buckets", n)
	}
	start := resp["A"].Frames[0].Fields[0].At(0).(time.Time)
	if !start.Equal(rangeFrom) {
		t.Fatalf("first bucket %s, want %s", start, rangeFrom)
	}
}

// sum(count series) == total, for random ranges, buckets and filters.
func TestCountSeriesSumsToTotal(t *testing.T) {
	e := newEnv(t, true, map[string]any{"cacheTTL": "0s"})
	rng := rand.New(rand.NewPCG(7, 11))
	buckets := []string{"1m", "15m", "1h", "6h", "1d", "7d"}
	filters := []map[string]any{{}, {"language": "de"}, {"device": []string{"mobile", "tablet"}}, {"has_messages": true}, {"message_contains": []string{"refund", "invoice"}}}
	span := 28 * 24 * time.Hour
	for i := 0; i < 25; i++ {
		from := fakeapi.DefaultEnd().Add(-span).Add(time.Duration(rng.Int64N(int64(span))))
		to := from.Add(time.Duration(rng.Int64N(int64(5 * 24 * time.Hour))))
		bucket := buckets[rng.IntN(len(buckets))]
		f := filters[rng.IntN(len(filters))]
		series := e.query(map[string]any{"bucket": bucket, "filters": f}, from, to)
		total := e.query(map[string]any{"bucket": "total", "filters": f}, from, to)
		mustOK(t, series)
		mustOK(t, total)
		sum := 0.0
		for _, fr := range series.Frames {
			for j := 0; j < fr.Rows(); j++ {
				v, _ := fr.Fields[1].FloatAt(j)
				sum += v
			}
		}
		want, _ := total.Frames[0].Fields[0].FloatAt(0)
		if sum != want {
			t.Fatalf("from %s to %s bucket %s filters %v: series sum %v, total %v", from, to, bucket, f, sum, want)
		}
	}
}

// A multi-value variable makes one call per value; values of one field never overlap.
func TestCountMultiValueFilter(t *testing.T) {
	e := newEnv(t, true, nil)
	dr := e.query(map[string]any{"bucket": "total", "filters": map[string]any{"language": []string{"en", "de"}}}, rangeFrom, rangeTo)
	mustOK(t, dr)
	want := len(e.inRange(rangeFrom, rangeTo, func(c *fakeapi.Conversation) bool { return c.Language == "en" || c.Language == "de" }))
	if got, _ := dr.Frames[0].Fields[0].FloatAt(0); int(got) != want {
		t.Fatalf("total = %v, want %d", got, want)
	}
	if n := e.fake.RequestCount(); n != 2 {
		t.Fatalf("%d requests, want one per value", n)
	}
}

// A panel's interval that would draw more points than the panel asked for is widened to a
// round bucket, and the user is told.
func TestCountBucketWidenedToMaxDataPoints(t *testing.T) {
	e := newEnv(t, true, nil)
	resp, err := e.ds.QueryData(t.Context(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{
		RefID: "A", JSON: []byte(`{"queryType":"count"}`), Interval: time.Minute, MaxDataPoints: 100,
		TimeRange: backend.TimeRange{From: rangeFrom, To: rangeTo},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	dr := resp.Responses["A"]
	mustOK(t, dr)
	f := dr.Frames[0]
	// 2 days of 1m buckets is 2881 points; 30m is the first round size within 100 points.
	if f.Rows() != 97 {
		t.Fatalf("%d buckets, want 97 buckets of 30m", f.Rows())
	}
	step := f.Fields[0].At(1).(time.Time).Sub(f.Fields[0].At(0).(time.Time))
	notices := f.Meta.Notices
	if step != 30*time.Minute || len(notices) != 1 || notices[0].Text != "bucket widened to 30m so that the series has no more than 100 points" {
		t.Fatalf("step %s, notices %+v", step, notices)
	}
}

// Without maxDataPoints (HTTP API, recorded queries) a year of 1m buckets is widened, not
// refused; an explicit bucket that would draw too many points is refused with its name.
func TestCountBucketBounds(t *testing.T) {
	e := newEnv(t, true, nil)
	yearAgo := rangeTo.AddDate(-1, 0, 0)
	resp, err := e.ds.QueryData(t.Context(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		{RefID: "auto", JSON: []byte(`{"queryType":"count"}`), TimeRange: backend.TimeRange{From: yearAgo, To: rangeTo}},
		{RefID: "explicit", JSON: []byte(`{"queryType":"count","bucket":"1m"}`), TimeRange: backend.TimeRange{From: yearAgo, To: rangeTo}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	auto := resp.Responses["auto"]
	mustOK(t, auto)
	if n := auto.Frames[0].Rows(); n > maxBuckets {
		t.Fatalf("%d buckets without maxDataPoints, want at most %d", n, maxBuckets)
	}
	if err := resp.Responses["explicit"].Error; err == nil || !strings.HasPrefix(err.Error(), `bucket "1m" over this range gives 525601 points`) {
		t.Fatalf("explicit 1m over a year: %v", err)
	}
}
