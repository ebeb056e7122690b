package plugin

import (
	"context"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func totalQuery() map[string]any { return map[string]any{"bucket": "total"} }

func TestThrottlingIsRetried(t *testing.T) {
	for _, retryAfter := range []string{"0", time.Now().Add(-time.Second).UTC().Format(http1123)} {
		e := newEnv(t, true, nil)
		e.fake.AddFault(fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: 429, RetryAfter: retryAfter, Times: 2})
		e.fake.AddFault(fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: 503, Times: 1})
		dr := e.query(totalQuery(), rangeFrom, rangeTo)
		mustOK(t, dr)
		if n := e.fake.RequestCount(); n != 4 {
			t.Fatalf("Retry-After %q: %d requests, want 2×429 + 1×503 + 1 success", retryAfter, n)
		}
	}
}

const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"

func TestPersistentThrottlingIsReported(t *testing.T) {
	e := newEnv(t, true, nil)
	e.fake.AddFault(fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: 429, RetryAfter: "0"})
	dr := e.query(totalQuery(), rangeFrom, rangeTo)
	if dr.Error == nil || !strings.Contains(dr.Error.Error(), "(429 Too Many Requests)") {
		t.Fatalf("error %v", dr.Error)
	}
	if n := e.fake.RequestCount(); n != 4 {
		t.Fatalf("%d attempts, want 4", n)
	}
}

// A Retry-After longer than the query may wait ends the query at once, with one request.
func TestRetryAfterBeyondDeadline(t *testing.T) {
	e := newEnv(t, true, nil)
	e.fake.AddFault(fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: 429, RetryAfter: "3600"})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	resp, _ := e.ds.QueryData(ctx, &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "A", JSON: mustJSON(totalQuery()), TimeRange: backend.TimeRange{From: rangeFrom, To: rangeTo}}}})
	if err := resp.Responses["A"].Error; err == nil || !strings.Contains(err.Error(), "429") {
		t.Fatalf("error %v", err)
	}
	if n := e.fake.RequestCount(); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 500} {
		e := newEnv(t, true, nil)
		e.fake.AddFault(fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: status})
		if dr := e.query(totalQuery(), rangeFrom, rangeTo); dr.Error == nil {
			t.Fatalf("%d: no error", status)
		}
		if n := e.fake.RequestCount(); n != 1 {
			t.Fatalf("%d: %d requests, want 1", status, n)
		}
	}
}

// A hanging API ends with a clear error when the query's deadline passes.
func TestHangingAPIEndsAtTheDeadline(t *testing.T) {
	e := newEnv(t, true, map[string]any{"timeout": "1s"})
	e.fake.AddFault(fakeapi.Fault{Kind: fakeapi.FaultHang})
	dr := e.query(totalQuery(), rangeFrom, rangeTo)
	if dr.Error == nil || !strings.Contains(dr.Error.Error(), "did not answer in time") {
		t.Fatalf("error %v", dr.Error)
	}
}

// When Grafana cancels a query (the dashboard is closed), no further pages are requested.
func TestCancellationStopsPaging(t *testing.T) {
	e := newEnv(t, true, map[string]any{"pageSize": 5, "concurrency": 2, "cacheTTL": 0})
	e.fake.SetLatency(20 * time.Millisecond)
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		for e.fake.RequestCount() < 4 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	resp, _ := e.ds.QueryData(ctx, &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "A",
		JSON: mustJSON(map[string]any{"queryType": "conversations"}), TimeRange: backend.TimeRange{From: rangeFrom, To: rangeTo}}}})
	if err := resp.Responses["A"].Error; err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("error %v, want the query cancelled", err)
	}
	// Requests already on the wire when the query was cancelled may still reach the API;
	// after that, nothing more may come.
	time.Sleep(50 * time.Millisecond)
	after := e.fake.RequestCount()
	time.Sleep(150 * time.Millisecond)
	if n := e.fake.RequestCount(); n != after || n > 10 {
		t.Fatalf("requests went on after cancellation: %d then %d (of %d pages)", after, n, len(e.inRange(rangeFrom, rangeTo, nil))/5)
	}
}

// Broken or hostile answers end in a clear error or a warning on a correct partial frame.
func TestHostileResponses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fault  fakeapi.Fault
		model  map[string]any
		errHas string // "" = the query succeeds with the right rows
		notice string
	}{
		{"next link to another host", fakeapi.Fault{Kind: fakeapi.FaultNextOtherHost}, map[string]any{"queryType": "conversations"}, "", ""},
		{"next link loops", fakeapi.Fault{Kind: fakeapi.FaultNextLoop}, map[string]any{"queryType": "conversations"}, "", ""},
		{"count ten times too large", fakeapi.Fault{Kind: fakeapi.FaultCountMismatch, Times: 1}, map[string]any{"queryType": "conversations"}, "", "no longer exists"},
		{"huge body", fakeapi.Fault{Kind: fakeapi.FaultHugeBody}, map[string]any{"queryType": "conversations"}, "response is larger than", ""},
		{"slow body past the timeout", fakeapi.Fault{Kind: fakeapi.FaultSlowBody, Delay: 200 * time.Millisecond}, map[string]any{"queryType": "conversations", "limit": 5}, "did not answer in time", ""},
		{"html error page", fakeapi.Fault{Kind: fakeapi.FaultHTMLError, Status: 502}, totalQuery(), "AgentSight answered 502 Bad Gateway", ""},
		{"invalid timestamps", fakeapi.Fault{Kind: fakeapi.FaultBadTimestamp}, map[string]any{"queryType": "conversations"}, "unexpected response from AgentSight", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			timeout := "1s"
			if tc.fault.Kind == fakeapi.FaultHugeBody {
				timeout = "60s" // reading past the cap takes a while under -race
			}
			e := newEnv(t, true, map[string]any{"pageSize": 50, "timeout": timeout})
			e.fake.AddFault(tc.fault)
			dr := e.query(tc.model, rangeFrom, rangeTo)
			if tc.errHas != "" {
				if dr.Error == nil || !strings.Contains(dr.Error.Error(), tc.errHas) {
					t.Fatalf("error %v, want %q", dr.Error, tc.errHas)
				}
				noKey(t, dr.Error.Error())
				return
			}
			mustOK(t, dr)
			if want := len(e.inRange(rangeFrom, rangeTo, nil)); dr.Frames[0].Rows() != want {
				t.Fatalf("%d rows, want %d", dr.Frames[0].Rows(), want)
			}
			var notices []string
			for _, n := range dr.Frames[0].Meta.Notices {
				notices = append(notices, n.Text)
			}
			if got := strings.Join(notices, "\n"); (tc.notice == "") != (got == "") || !strings.Contains(got, tc.notice) {
				t.Fatalf("notices %q, want one containing %q", got, tc.notice)
			}
		})
	}
}

// 200 concurrent queries over 20 data sources against a misbehaving API: each answer is the
// right number or a clear error, and nothing is left behind.
func TestLoadWithFaults(t *testing.T) {
	e := newEnv(t, true, nil)
	// Seven different ranges (7 and 20 share no factor), so that instances also send requests that cannot be shared.
	want := make([]int, 7)
	for i := range want {
		want[i] = len(e.inRange(rangeFrom.Add(time.Duration(i)*time.Hour), rangeTo, nil))
	}
	e.fake.SetLatency(2 * time.Millisecond)
	e.fake.AddFault(fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: 503, Times: 15})
	e.fake.AddFault(fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: 429, RetryAfter: "0", Times: 15})
	e.fake.AddFault(fakeapi.Fault{Kind: fakeapi.FaultBrokenJSON, Times: 5})
	e.fake.AddFault(fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: 502, Times: 5})

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	instances := make([]*Datasource, 20)
	for i := range instances {
		instances[i] = e.instance(map[string]any{"cacheTTL": 0}, testKey)
	}
	peakGoroutines, peakHeap, stopSampling := samplePeaks()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, failed := 0, map[string]int{}
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from := rangeFrom.Add(time.Duration(i%7) * time.Hour)
			resp, err := instances[i%20].QueryData(t.Context(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "A",
				JSON: mustJSON(totalQuery()), TimeRange: backend.TimeRange{From: from, To: rangeTo}}}})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("QueryData: %v", err)
				return
			}
			dr := resp.Responses["A"]
			if dr.Error != nil {
				msg := dr.Error.Error()
				if !strings.HasPrefix(msg, "unexpected response from AgentSight") && !strings.Contains(msg, "after retries") &&
					!strings.HasPrefix(msg, "AgentSight answered 50") {
					t.Errorf("unclear error: %s", msg)
				}
				failed[msg[:min(40, len(msg))]]++
				return
			}
			if v, _ := dr.Frames[0].Fields[0].FloatAt(0); int(v) != want[i%7] {
				t.Errorf("total %v, want %d", v, want[i%7])
			}
			ok++
		}()
	}
	wg.Wait()
	stopSampling()
	for _, d := range instances {
		d.Dispose()
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("%d correct answers, errors %v; peak %d goroutines and %d KiB of heap objects; heap %d KiB before, %d KiB after",
		ok, failed, peakGoroutines(), peakHeap()>>10, before.HeapAlloc>>10, after.HeapAlloc>>10)
	if ok == 0 || len(failed) == 0 {
		t.Errorf("%d successes and errors %v: the faults should hit some queries and spare others", ok, failed)
	}
	if after.HeapAlloc > before.HeapAlloc+32<<20 {
		t.Errorf("heap grew from %d to %d bytes", before.HeapAlloc, after.HeapAlloc)
	}
}

// samplePeaks samples the goroutine count and the bytes of heap objects every millisecond
// until stop is called, for a load test's figures.
func samplePeaks() (goroutines, heap func() uint64, stop func()) {
	var peakG, peakH uint64
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		heapObjects := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			peakG = max(peakG, uint64(runtime.NumGoroutine()))
			metrics.Read(heapObjects)
			peakH = max(peakH, heapObjects[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	stop = func() { close(done); <-stopped }
	return func() uint64 { return peakG }, func() uint64 { return peakH }, stop
}
