package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// A panic while handling page 2 is that query's internal error: the other query of the
// request gets its frames, and the data source serves the next request.
func TestPanicOnPage2IsTheQuerysError(t *testing.T) {
	e := newEnv(t, true, nil)
	e.panicOnFirstPage2()

	table := map[string]any{"queryType": "conversations"} // 2 pages over the test range
	resp := e.queries(map[string]map[string]any{"A": table, "B": totalQuery()}, rangeFrom, rangeTo)
	a := resp["A"]
	if a.Error == nil || a.Status != backend.StatusInternal || a.ErrorSource != backend.ErrorSourcePlugin ||
		!strings.Contains(a.Error.Error(), "internal error in the AgentSight plugin") {
		t.Fatalf("A: status %d, source %q, error %v; want an internal error of the plugin", a.Status, a.ErrorSource, a.Error)
	}
	mustOK(t, resp["B"])
	again := e.query(table, rangeFrom, rangeTo)
	mustOK(t, again)
	if rows := again.Frames[0].Rows(); rows != len(e.inRange(rangeFrom, rangeTo, nil)) {
		t.Fatalf("after the panic: %d rows, want every conversation in range", rows)
	}
}

// roundTripFunc is a test transport: the request's worker runs it, so a panic in it is a
// panic in that worker.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// panicOnFirstPage2 gives e's data source a client whose transport panics on the first
// request for page 2 and serves every other request (including later page-2 ones), so a
// test sees one query's panic and then a data source that still answers.
func (e *env) panicOnFirstPage2() {
	e.t.Helper()
	var faults atomic.Int32
	opts := e.ds.settings.ClientOptions(&http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if req.URL.Query().Get("page") == "2" && faults.Add(1) == 1 {
			panic("fault injected on page 2")
		}
		return http.DefaultTransport.RoundTrip(req)
	})})
	client, err := agentsight.New(opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.ds.client = client
	e.t.Cleanup(client.Close)
}

// The executed-query text is what was sent: a filter value holding "&", "=" or a newline
// shows percent-encoded, never as parameters or requests of its own.
func TestExecutedQueryIsWhatWasSent(t *testing.T) {
	e := newEnv(t, true, nil)
	dr := e.query(map[string]any{"queryType": "conversations", "filters": map[string]any{"customer_id": "a&page=7\nGET /api/conversations/?x=1"}}, rangeFrom, rangeTo)
	mustOK(t, dr)
	executed := dr.Frames[0].Meta.ExecutedQueryString
	if strings.Count(executed, "\n") != 0 || strings.Count(executed, "GET ") != 1 ||
		!strings.Contains(executed, "customer_id=a%26page%3D7%0AGET+%2Fapi%2Fconversations%2F%3Fx%3D1&") {
		t.Fatalf("executed query %q, want the one request as sent", executed)
	}
}

// A server answering one row per page, with an endless count and always a next link, gets
// the request budget and no more; the table says so and names the setting to raise.
func TestOneRowPagesStopWithinTheBudget(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		page = max(page, 1)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"count": 1_000_000_000_000, "previous": nil,
			"next":    "http://" + r.Host + "/api/conversations/?page=" + strconv.Itoa(page+1),
			"results": []any{map[string]any{"id": page, "started_at": "2026-10-20T10:00:00Z", "messages": []any{}}},
		})
	}))
	t.Cleanup(srv.Close)
	e := &env{t: t, url: srv.URL}
	e.ds = e.instance(map[string]any{"maxConversations": 1000}, testKey)
	dr := e.query(map[string]any{"queryType": "conversations"}, rangeFrom, rangeTo)
	mustOK(t, dr)
	const budget = 4 * 1000 / 100 // 4 × the pages a limit of 1000 needs at the default page size
	if n := requests.Load(); n != int64(budget) {
		t.Fatalf("%d requests, want the budget of %d", n, budget)
	}
	var warned bool
	for _, n := range dr.Frames[0].Meta.Notices {
		warned = warned || (strings.Contains(n.Text, "stopped after") && strings.Contains(n.Text, "maxConversations"))
	}
	if !warned {
		t.Fatalf("notices %v, want one naming the budget and maxConversations", dr.Frames[0].Meta.Notices)
	}
}

// Counting more buckets one by one than a query may send is refused, naming the settings to
// change, before any per-bucket request.
func TestPerBucketCountsHaveABudget(t *testing.T) {
	e := newEnv(t, true, map[string]any{"maxConversations": 10})
	dr := e.query(map[string]any{"queryType": "count", "bucket": "1m"}, rangeFrom, rangeTo)
	if dr.Error == nil || dr.ErrorSource != backend.ErrorSourceDownstream || !strings.Contains(dr.Error.Error(), "maxConversations") {
		t.Fatalf("error %v (%q), want the budget named", dr.Error, dr.ErrorSource)
	}
	if n := e.fake.RequestCount(); n != 1 {
		t.Fatalf("%d requests, want the first page only", n)
	}
	mustOK(t, e.query(map[string]any{"queryType": "count", "bucket": "1h"}, rangeFrom, rangeTo.Add(-time.Hour)))
}

// A count of 0 beside rows is a warning on a count series, not a silent zero.
func TestCountZeroWithRowsIsAWarning(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"count": 0, "previous": nil, "next": nil,
			"results": []any{map[string]any{"id": 1, "started_at": "2026-10-20T10:00:00Z", "messages": []any{}}}})
	}))
	t.Cleanup(srv.Close)
	e := &env{t: t, url: srv.URL}
	e.ds = e.instance(nil, testKey)
	dr := e.query(map[string]any{"queryType": "count", "bucket": "1h"}, rangeFrom, rangeTo)
	mustOK(t, dr)
	var warned bool
	for _, n := range dr.Frames[0].Meta.Notices {
		warned = warned || strings.Contains(n.Text, "reported 0 conversations but sent 1")
	}
	if !warned {
		t.Fatalf("notices %v, want the disagreement", dr.Frames[0].Meta.Notices)
	}
}

// The detail, attachment and per-bucket workers share forEach: a worker's panic is the loop's
// error, the other items stop, and nothing starts after the caller gives up.
func TestForEachContainsPanicsAndStops(t *testing.T) {
	var ran atomic.Int32
	err := forEach(t.Context(), 1000, 2, func(ctx context.Context, i int) error {
		ran.Add(1)
		if i == 1 {
			panic("fault injected in item 1")
		}
		<-ctx.Done() // the others wait for the panic to cancel them
		return ctx.Err()
	})
	var pe *agentsight.PanicError
	if !errors.As(err, &pe) || pe.Value != "fault injected in item 1" {
		t.Fatalf("error %v, want the panic", err)
	}
	if n := ran.Load(); n > 2 {
		t.Fatalf("%d items ran, want at most the 2 workers' first", n)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran.Store(0)
	if err := forEach(ctx, 1000, 2, func(context.Context, int) error { ran.Add(1); return nil }); !errors.Is(err, context.Canceled) || ran.Load() != 0 {
		t.Fatalf("cancelled: %v after %d items, want the cancellation and none", err, ran.Load())
	}
}
