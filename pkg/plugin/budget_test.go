package plugin

import (
	"strconv"
	"strings"
	"testing"
	"time"
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
