package plugin

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func values(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "v" + strconv.Itoa(i)
	}
	return out
}

// Four multi-value variables set to All (4 × 100 values) would be 10^8 listings: the query is
// refused before a single request, with an error naming the setting to raise, and the other
// queries of the request are answered.
func TestFilterCombinationsBudget(t *testing.T) {
	e := newEnv(t, true, nil)
	huge := map[string]any{"language": values(100), "device": values(100), "customer_id": values(100), "action_name": values(100)}
	for _, qt := range []map[string]any{
		{"queryType": "count", "filters": huge},
		{"queryType": "count", "filters": huge, "bucket": "total"},
		{"queryType": "count", "filters": huge, "groupBy": "country"},
		{"queryType": "conversations", "filters": huge},
		{"queryType": "values", "field": "city", "filters": huge},
		{"queryType": "count", "filters": map[string]any{"language": values(1000), "device": values(1000)}},
	} {
		e.fake.ResetRequests()
		start := time.Now()
		resp := e.queries(map[string]map[string]any{"A": qt, "B": {"queryType": "count", "bucket": "total"}}, rangeFrom, rangeTo)
		a := resp["A"]
		if a.Error == nil || !strings.Contains(a.Error.Error(), "Max filter combinations") || !strings.Contains(a.Error.Error(), "maxFilterCombinations") {
			t.Errorf("%v: error %v, want one naming the setting", qt["queryType"], a.Error)
		}
		mustOK(t, resp["B"])
		// B's single count; A sent nothing.
		if n := e.fake.RequestCount(); n > 1 {
			t.Errorf("%v: %d requests sent", qt["queryType"], n)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("%v: answered in %s", qt["queryType"], d)
		}
	}
	// Within a raised budget the same kind of query runs.
	e.ds = e.instance(map[string]any{"maxFilterCombinations": 400}, testKey)
	mustOK(t, e.query(map[string]any{"filters": map[string]any{"language": values(20), "device": values(20)}, "bucket": "total"}, rangeFrom, rangeTo))
}

// Ranges of centuries count every conversation in the bucket holding its start; the automatic
// bucket over millennia stays a sane size and says so.
func TestCountOverLongRanges(t *testing.T) {
	e := newEnv(t, true, nil)
	ask := func(model string, from, to time.Time, maxPoints int64) backend.DataResponse {
		resp, err := e.ds.QueryData(t.Context(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{
			RefID: "A", JSON: []byte(model), TimeRange: backend.TimeRange{From: from, To: to}, Interval: time.Minute, MaxDataPoints: maxPoints,
		}}})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Responses["A"]
	}
	from, to := time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	dr := ask(`{"bucket":"30d"}`, from, to, 100000)
	mustOK(t, dr)
	const size = 30 * 24 * 3600
	want := map[time.Time]float64{}
	for _, c := range e.inRange(from, to, nil) {
		want[time.Unix(c.StartedAt.Unix()/size*size, 0).UTC()]++
	}
	f := dr.Frames[0]
	total := 0.0
	for i := range f.Rows() {
		at := f.Fields[0].At(i).(time.Time)
		got, _ := f.Fields[1].FloatAt(i)
		total += got
		if got != want[at] {
			t.Errorf("bucket %s: %v, want %v", at, got, want[at])
		}
	}
	if total != float64(len(e.truth.Conversations)) {
		t.Errorf("counted %v of %d", total, len(e.truth.Conversations))
	}

	dr = ask(`{}`, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), 1)
	mustOK(t, dr)
	if n := dr.Frames[0].Rows(); n < 1 || n > 100 {
		t.Errorf("%d points", n)
	}
	notices := ""
	for _, n := range dr.Frames[0].Meta.Notices {
		notices += n.Text + "\n"
	}
	if !strings.Contains(notices, "the widest automatic bucket") || strings.Contains(notices, "1ms") {
		t.Errorf("notices %q", notices)
	}
}
