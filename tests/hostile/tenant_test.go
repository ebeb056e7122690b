//go:build hostile

package hostile

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/agentsight/agentsight-conversations-datasource/tests/internal/pluginhost"
)

// fakeAPI is the fake Conversation API on 127.0.0.1, accepting key, counting the
// connections it has open.
type fakeAPI struct {
	*httptest.Server
	fake *fakeapi.Server
	mu   sync.Mutex
	open map[net.Conn]struct{}
}

func newFakeAPI(t *testing.T, latency time.Duration) *fakeAPI {
	t.Helper()
	dataset := fakeapi.NewDataset(fakeapi.DatasetOptions{Conversations: 2000})
	f := &fakeAPI{fake: fakeapi.New(fakeapi.Options{Dataset: dataset, Keys: map[string]int{key: http.StatusOK}}), open: map[net.Conn]struct{}{}}
	f.fake.SetLatency(latency)
	f.Server = httptest.NewUnstartedServer(f.fake)
	f.Config.ConnState = func(c net.Conn, s http.ConnState) {
		f.mu.Lock()
		defer f.mu.Unlock()
		switch s {
		case http.StateNew:
			f.open[c] = struct{}{}
		case http.StateClosed, http.StateHijacked:
			delete(f.open, c)
		}
	}
	f.Start()
	t.Cleanup(func() { f.fake.Close(); f.Close() })
	return f
}

func (f *fakeAPI) openConns() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.open)
}

// dashboardOf is a 3-panel dashboard over the fake's last day.
func dashboardOf() []pluginhost.Query {
	to := fakeapi.DefaultEnd()
	from := to.Add(-24 * time.Hour)
	return []pluginhost.Query{
		{RefID: "table", JSON: map[string]any{"queryType": "conversations", "limit": 200}, From: from, To: to, Interval: time.Minute, MaxDataPoints: 1000},
		{RefID: "total", JSON: map[string]any{"queryType": "count", "bucket": "total"}, From: from, To: to, Interval: time.Minute, MaxDataPoints: 1000},
		{RefID: "series", JSON: map[string]any{"queryType": "count", "bucket": "1h", "groupBy": "language"}, From: from, To: to, Interval: time.Minute, MaxDataPoints: 1000},
	}
}

// resources is what the plugin process holds: goroutines, file descriptors, and the
// connections the API sees open.
type resources struct{ goroutines, files, conns int }

func measure(t *testing.T, p *proc, api *fakeAPI) resources {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	g, err := p.plugin.Goroutines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fds, err := pluginhost.OpenFiles(p.pid)
	if err != nil {
		t.Fatal(err)
	}
	return resources{goroutines: g, files: fds, conns: api.openConns()}
}

// within10 says whether r is back within 10 % of base (rounded up) on every count.
func (r resources) within10(base resources) bool {
	limit := func(n int) int { return n + (n+9)/10 }
	return r.goroutines <= limit(base.goroutines) && r.files <= limit(base.files) && r.conns <= max(limit(base.conns), base.conns)
}

// The same data source saved 300 times while a dashboard refreshes on it: every save makes a
// new instance and replaces the previous one, whose connections must close once its queries
// end rather than at the HTTP idle timeout (90 s). Within 5 s of the last save the process
// holds no more goroutines and file descriptors than 10 % above what one instance under the
// same load held, and no query failed.
func TestSavesWhileQueriesRun(t *testing.T) {
	api := newFakeAPI(t, 2*time.Millisecond)
	p := startPlugin(t)
	start := time.Now()
	var current atomic.Pointer[pluginhost.DataSource]
	save := func(i int) pluginhost.DataSource {
		ds := pluginhost.DataSource{UID: "churn", Name: "AgentSight", URL: api.URL, APIKey: key, JSONData: map[string]any{"pageSize": 20}, Updated: start.Add(time.Duration(i) * time.Millisecond)}
		current.Store(&ds)
		return ds
	}
	save(0)
	dashboard := dashboardOf()
	var failures atomic.Int64
	var firstFailure atomic.Value
	refresh := func(ctx context.Context) {
		res, err := p.plugin.QueryData(ctx, *current.Load(), dashboard...)
		if err != nil {
			if ctx.Err() == nil {
				failures.Add(1)
				firstFailure.CompareAndSwap(nil, err.Error())
			}
			return
		}
		for ref, r := range res {
			if r.Error != "" {
				failures.Add(1)
				firstFailure.CompareAndSwap(nil, ref+": "+r.Error)
			}
		}
	}
	// viewers refresh the dashboard in a loop until stop is closed.
	viewers := func(stop chan struct{}) *sync.WaitGroup {
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					refresh(t.Context())
				}
			}()
		}
		return &wg
	}

	// The baseline: one instance under the same load, then idle.
	stop := make(chan struct{})
	wg := viewers(stop)
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	time.Sleep(200 * time.Millisecond)
	base := measure(t, p, api)

	stop = make(chan struct{})
	wg = viewers(stop)
	peak := base
	for i := 1; i <= 300; i++ {
		ds := save(i)
		// Saving is what Grafana's "Save & test" does: the settings change, then the check.
		ctx, cancel := context.WithTimeout(t.Context(), answerBound)
		if _, err := p.plugin.CheckHealth(ctx, ds); err != nil {
			failures.Add(1)
			firstFailure.CompareAndSwap(nil, err.Error())
		}
		cancel()
		if i%30 == 0 {
			r := measure(t, p, api)
			peak = resources{max(peak.goroutines, r.goroutines), max(peak.files, r.files), max(peak.conns, r.conns)}
		}
	}
	lastSave := time.Now()
	close(stop)
	wg.Wait()
	saving := lastSave.Sub(start)

	var after resources
	var back time.Duration
	for {
		after = measure(t, p, api)
		back = time.Since(lastSave)
		if after.within10(base) || back > 5*time.Second {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	outcome := fmt.Sprintf("300 saves in %.1fs; baseline %d goroutines %d fds %d conns; peak %d/%d/%d; %.2fs after the last save %d/%d/%d",
		saving.Seconds(), base.goroutines, base.files, base.conns, peak.goroutines, peak.files, peak.conns, back.Seconds(), after.goroutines, after.files, after.conns)
	t.Log(outcome)
	record(figures{name: "300 saves while a dashboard refreshes", elapsed: back, outcome: outcome, failed: !after.within10(base) || failures.Load() > 0})
	if n := failures.Load(); n > 0 {
		t.Errorf("%d queries or checks failed during the saves; the first: %v", n, firstFailure.Load())
	}
	if !after.within10(base) {
		t.Errorf("5 s after the last save the plugin holds %+v, more than 10%% above the baseline %+v", after, base)
	}
}

// An alert rule's query on a data source busy with 20 dashboards loading answers about as
// fast as on an idle one: its requests go before the dashboards' for the request slots. The
// ratio is measured and reported in the suite's summary (22× before alerts went first).
func TestAlertsGoBeforeDashboards(t *testing.T) {
	api := newFakeAPI(t, 20*time.Millisecond)
	p := startPlugin(t)
	ds := pluginhost.DataSource{UID: "alerts", Name: "AgentSight", URL: api.URL, APIKey: key, JSONData: map[string]any{"pageSize": 20, "cacheTTL": "0s"}, Updated: time.Now()}
	to := fakeapi.DefaultEnd()
	alert := pluginhost.Query{RefID: "alert", JSON: map[string]any{"queryType": "count", "bucket": "total"}, From: to.Add(-time.Hour), To: to, Interval: time.Minute, MaxDataPoints: 100}
	fromAlert := map[string]string{"FromAlert": "true"}
	ask := func() time.Duration {
		ctx, cancel := context.WithTimeout(t.Context(), answerBound)
		defer cancel()
		began := time.Now()
		resp, err := p.plugin.QueryDataHeaders(ctx, ds, fromAlert, alert)
		took := time.Since(began)
		if err != nil {
			t.Fatal(err)
		}
		res, err := pluginhost.DecodeReply(resp)
		if err != nil || res["alert"].Error != "" {
			t.Fatalf("alert query: %v %q", err, res["alert"].Error)
		}
		return took
	}
	median := func(d []time.Duration) time.Duration {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[len(d)/2]
	}
	ask() // warm: the instance and its connection
	var idle []time.Duration
	for range 5 {
		idle = append(idle, ask())
	}

	// 20 dashboards loading: each its 3 panels, with ranges of their own so that nothing is
	// shared, again and again while the alert is measured.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				qs := dashboardOf()
				for j := range qs {
					qs[j].To = qs[j].To.Add(-time.Duration(i*1000+n) * time.Minute)
					qs[j].From = qs[j].To.Add(-24 * time.Hour)
				}
				_, _ = p.plugin.QueryData(t.Context(), ds, qs...)
			}
		}()
	}
	time.Sleep(500 * time.Millisecond) // the dashboards fill the queue
	var busy []time.Duration
	for range 5 {
		busy = append(busy, ask())
	}
	close(stop)
	wg.Wait()
	ratio := float64(median(busy)) / float64(median(idle))
	verdict := map[bool]string{true: "met", false: "not met"}[ratio <= 3]
	outcome := fmt.Sprintf("alert median %.0fms idle, %.0fms under 20 dashboards: %.1f× (target ≤ 3×: %s)", ms(median(idle)), ms(median(busy)), ratio, verdict)
	t.Log(outcome)
	// Measured and reported, not asserted: a time on a shared machine is no verdict. What
	// puts the alert first is asserted without a clock by TestAlertRequestIsSentBeforeQueuedRequests
	// (pkg/agentsight), the order in which a freed request slot is handed out.
	record(figures{name: "alert while 20 dashboards load", elapsed: median(busy), outcome: outcome})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// 40 data sources (each its own key, as one per agent or organisation) on one plugin
// process, each reading the same 5,000 conversations with their messages, under a memory
// budget the test sets as an administrator would (memory_budget in grafana.ini, which Grafana
// passes as GF_PLUGIN_MEMORY_BUDGET): the process's peak RSS stays bounded by the budget,
// not by the number of data sources.
//
// maxTenantsHWM is the budget, four listings decoding at once and the garbage collector's
// headroom (GOGC 100) with room to spare: 130 MiB measured, where a cache per data source
// reached 315 MiB (and only GOMEMLIMIT kept it there).
const maxTenantsHWM = 200 << 20

func TestManyTenantsUnderOneBudget(t *testing.T) {
	t.Setenv("GF_PLUGIN_MEMORY_BUDGET", "32MiB")
	const tenants = 40
	keys := map[string]int{}
	for i := range tenants {
		keys[fmt.Sprintf("%s-%d", key, i)] = http.StatusOK
	}
	dataset := fakeapi.NewDataset(fakeapi.DatasetOptions{Conversations: 5000})
	fake := fakeapi.New(fakeapi.Options{Dataset: dataset, Keys: keys, EmbedMessages: true})
	hs := httptest.NewServer(fake)
	t.Cleanup(func() { fake.Close(); hs.Close() })
	p := startPlugin(t)
	to := fakeapi.DefaultEnd()
	table := pluginhost.Query{RefID: "A", JSON: map[string]any{"queryType": "conversations", "limit": 5000}, From: to.Add(-fakeapi.DefaultSpan), To: to, Interval: time.Hour, MaxDataPoints: 1000}
	began := time.Now()
	var wg sync.WaitGroup
	errs := make(chan string, tenants)
	sem := make(chan struct{}, 4) // four dashboards at a time
	for i := range tenants {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			ds := pluginhost.DataSource{UID: fmt.Sprintf("tenant-%d", i), Name: "AgentSight", URL: hs.URL, APIKey: fmt.Sprintf("%s-%d", key, i), JSONData: map[string]any{"maxConversations": 5000}, Updated: began}
			res, err := p.plugin.QueryData(t.Context(), ds, table)
			switch {
			case err != nil:
				errs <- err.Error()
			case res["A"].Error != "":
				errs <- res["A"].Error
			case len(res["A"].Frames) == 0 || res["A"].Frames[0].Rows() != 5000:
				errs <- fmt.Sprintf("tenant %d: not the 5000 rows", i)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	hwm, _ := pluginhost.StatusBytes(p.pid, "VmHWM")
	outcome := fmt.Sprintf("%d tenants × 5000 conversations with messages, budget 32MiB: VmHWM %d MiB, %d requests", tenants, hwm>>20, fake.RequestCount())
	t.Log(outcome)
	record(figures{name: "40 tenants under a 32MiB budget", elapsed: time.Since(began), hwm: hwm, requests: int64(fake.RequestCount()), outcome: outcome, failed: hwm > maxTenantsHWM})
	if hwm == 0 || hwm > maxTenantsHWM {
		t.Errorf("peak RSS %d MiB, more than %d MiB", hwm>>20, maxTenantsHWM>>20)
	}
	stillAnswering(t, p)
}

// An invalid memory_budget is an error in the plugin's log naming the setting, and the
// plugin still answers, with the default budget.
func TestInvalidMemoryBudgetIsLogged(t *testing.T) {
	t.Setenv("GF_PLUGIN_MEMORY_BUDGET", "lots")
	p := startPlugin(t)
	stillAnswering(t, p)
	if log := p.log.String(); !strings.Contains(log, "memory_budget") || !strings.Contains(log, `\"lots\"`) && !strings.Contains(log, `"lots"`) {
		t.Errorf("the plugin's log does not name the invalid setting:\n%s", log)
	}
}
