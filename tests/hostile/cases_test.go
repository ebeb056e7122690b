//go:build hostile

package hostile

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/tests/internal/pluginhost"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
)

var (
	day  = time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)
	from = day.Add(-24 * time.Hour)
	to   = day.Add(24 * time.Hour)
)

// answer is everything the plugin said in a case: per query its error, notices and executed
// query text, or a health check's or a resource's answer.
type answer struct {
	results map[string]pluginhost.Result
	status  int // a resource's HTTP status
	texts   []string
	// warnings counts the warning notices of the queries' frames.
	warnings int
}

func (a *answer) add(s ...string) { a.texts = append(a.texts, s...) }

func (a *answer) all() string { return strings.Join(a.texts, "\n") }

// hostileCase is one attack: the server's behaviour, the data source's settings, what Grafana
// asks, how many requests it may cost, and what the answer must be.
type hostileCase struct {
	name    string
	handler http.HandlerFunc
	// url, when set, is the data source URL given the server's (credentials in it, …).
	url      func(s *server) string
	jsonData map[string]any
	ask      func(ctx context.Context, p *pluginhost.Plugin, ds pluginhost.DataSource, a *answer) error
	budget   int64
	check    func(t *testing.T, a *answer, s *server)
	// guard names what stops the attack (README and SECURITY.md describe it); the summary
	// of a failing case names it as what broke.
	guard string
}

func query(model map[string]any, from, to time.Time, maxPoints int64) func(context.Context, *pluginhost.Plugin, pluginhost.DataSource, *answer) error {
	return func(ctx context.Context, p *pluginhost.Plugin, ds pluginhost.DataSource, a *answer) error {
		res, err := p.QueryData(ctx, ds, pluginhost.Query{RefID: "A", JSON: model, From: from, To: to, Interval: time.Hour, MaxDataPoints: maxPoints})
		if err != nil {
			return err
		}
		a.results = res
		for _, r := range res {
			a.add(r.Error)
			for _, f := range r.Frames {
				if f.Meta == nil {
					continue
				}
				a.add(f.Meta.ExecutedQueryString)
				for _, n := range f.Meta.Notices {
					a.add(n.Text)
					if n.Severity == data.NoticeSeverityWarning {
						a.warnings++
					}
				}
			}
		}
		return nil
	}
}

func health(ctx context.Context, p *pluginhost.Plugin, ds pluginhost.DataSource, a *answer) error {
	res, err := p.CheckHealth(ctx, ds)
	if err != nil {
		return err
	}
	a.add(res.Message, string(res.JsonDetails))
	if res.Status == pluginv2.CheckHealthResponse_OK {
		a.status = 200
	}
	return nil
}

func resource(path string) func(context.Context, *pluginhost.Plugin, pluginhost.DataSource, *answer) error {
	return func(ctx context.Context, p *pluginhost.Plugin, ds pluginhost.DataSource, a *answer) error {
		status, body, err := p.CallResource(ctx, ds, path)
		a.status = status
		a.add(string(body))
		return err
	}
}

// both asks a query and the health check.
func both(q func(context.Context, *pluginhost.Plugin, pluginhost.DataSource, *answer) error) func(context.Context, *pluginhost.Plugin, pluginhost.DataSource, *answer) error {
	return func(ctx context.Context, p *pluginhost.Plugin, ds pluginhost.DataSource, a *answer) error {
		if err := q(ctx, p, ds, a); err != nil {
			return err
		}
		return health(ctx, p, ds, a)
	}
}

func values(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "v" + strconv.Itoa(i)
	}
	return out
}

// errorOrBounded: the query failed with a message, or its frames hold at most maxRows rows.
func errorOrBounded(maxRows int) func(*testing.T, *answer, *server) {
	return func(t *testing.T, a *answer, _ *server) {
		for ref, r := range a.results {
			if r.Error != "" {
				continue
			}
			for _, f := range r.Frames {
				if f.Rows() > maxRows {
					t.Errorf("%s: a frame of %d rows", ref, f.Rows())
				}
			}
		}
	}
}

func wantError(substr ...string) func(*testing.T, *answer, *server) {
	return func(t *testing.T, a *answer, _ *server) {
		r := a.results["A"]
		if r.Error == "" {
			t.Fatalf("no error; want one containing %q", substr)
		}
		for _, s := range substr {
			if !strings.Contains(r.Error, s) {
				t.Errorf("error %q lacks %q", r.Error, s)
			}
		}
	}
}

func cases() []hostileCase {
	fourByHundred := map[string]any{"language": values(100), "device": values(100), "customer_id": values(100), "action_name": values(100)}
	twoByThousand := map[string]any{"language": values(1000), "device": values(1000)}
	million := emptyObjects(1_000_000)
	return []hostileCase{
		{
			name: "filters: 4 lists of 100 values", handler: benign(day),
			ask:    query(map[string]any{"queryType": "count", "bucket": "1h", "filters": fourByHundred}, from, to, 1000),
			budget: 5, check: wantError("Max filter combinations", "maxFilterCombinations"),
		},
		{
			name: "filters: 2 lists of 1000 values", handler: benign(day),
			ask:    query(map[string]any{"queryType": "conversations", "filters": twoByThousand}, from, to, 1000),
			budget: 5, check: wantError("Max filter combinations"),
		},
		{
			name: "page of 1,000,000 empty objects", handler: serveBytes(million),
			ask:    query(map[string]any{"queryType": "conversations"}, from, to, 1000),
			budget: 10, check: wantError("the page holds more than the 100 rows asked for"),
			guard: "a list page holding more rows than its page_size is refused at the first row over it, before that row is decoded",
		},
		{
			name: "count 1h buckets over 1M-object pages", handler: serveBytes(million),
			ask:    query(map[string]any{"queryType": "count", "bucket": "1h"}, from, to, 1000),
			budget: 60, check: wantError("the page holds more than the 100 rows asked for"),
			guard: "the count reads the range's listing first, whose page is refused at the first row over its page_size",
		},
		{
			name: "10,000,000 items in 30 MB", handler: serveBytes(emptyObjects(10_000_000)),
			ask:    query(map[string]any{"queryType": "conversations"}, from, to, 1000),
			budget: 10, check: wantError("the page holds more than the 100 rows asked for"),
			guard: "a list page holding more rows than its page_size is refused at the first row over it, before that row is decoded",
		},
		{
			name: "one row per page, count 10^12", handler: oneRowPerPage,
			ask: query(map[string]any{"queryType": "conversations"}, from, to, 1000),
			// A default table may read 10000 rows at 100 a page: 100 requests, with headroom.
			budget: 500, guard: "a listing sends at most 4× the requests its limit needs at the page size asked, and warns naming maxConversations",
			check: func(t *testing.T, a *answer, _ *server) {
				if r := a.results["A"]; r.Error == "" && a.warnings == 0 {
					t.Errorf("stopped without a warning: %q", a.all())
				}
			},
		},
		{
			name: "one row per page, count by hour", handler: oneRowPerPage,
			ask:    query(map[string]any{"queryType": "count", "bucket": "1h"}, from, to, 1000),
			budget: 60, check: errorOrBounded(1000),
		},
		{
			name: "range 1700..2027 by 30d", handler: benign(time.Date(2026, 10, 12, 8, 0, 0, 0, time.UTC)),
			ask:    query(map[string]any{"queryType": "count", "bucket": "30d"}, time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 100000),
			budget: 5,
			check: func(t *testing.T, a *answer, _ *server) {
				r := a.results["A"]
				if r.Error != "" {
					return // refused with a message: allowed
				}
				started := time.Date(2026, 10, 12, 8, 0, 0, 0, time.UTC)
				found := false
				for _, f := range r.Frames {
					for i := range f.Rows() {
						at, _ := f.Fields[0].ConcreteAt(i)
						v, _ := f.Fields[1].FloatAt(i)
						if v == 0 {
							continue
						}
						start := at.(time.Time)
						if start.After(started) || !start.Add(30*24*time.Hour).After(started) {
							t.Errorf("the conversation of %s is counted in the bucket of %s", started, start)
						}
						found = true
					}
				}
				if !found {
					t.Errorf("the conversation is not counted")
				}
			},
		},
		{
			// The widest range the SDK carries exactly: Grafana's epoch milliseconds become int64
			// nanoseconds, which hold 1677-09-21 … 2262-04-11.
			name: "auto bucket, maxDataPoints 1, years 1678..2261", handler: benign(day),
			ask:    query(map[string]any{"queryType": "count"}, time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2261, 12, 31, 0, 0, 0, 0, time.UTC), 1),
			budget: 5,
			check: func(t *testing.T, a *answer, _ *server) {
				if strings.Contains(a.all(), "widened to 1ms") || strings.Contains(a.all(), "widened to -") {
					t.Errorf("the bucket wrapped: %q", a.all())
				}
				if r := a.results["A"]; r.Error != "" || !strings.Contains(a.all(), "started_at_after=1678-01-01T00%3A00%3A00Z") {
					t.Errorf("the range was not asked as sent: %q", a.all())
				}
				errorOrBounded(100)(t, a, nil)
			},
		},
		{
			// Beyond those years the SDK's conversion wraps before the plugin sees the range:
			// the plugin can only ask for what it received.
			name: "years 1..9999 arrive as 1754..1816", handler: benign(day),
			ask:    query(map[string]any{"queryType": "count"}, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), 1),
			budget: 5,
			check: func(t *testing.T, a *answer, _ *server) {
				all := a.all()
				if !strings.Contains(all, "started_at_after=1754-08-30T22") || !strings.Contains(all, "started_at_before=1816-03-29T05") {
					t.Errorf("not the range the SDK makes of it: %q", all)
				}
				errorOrBounded(100)(t, a, nil)
			},
		},
		{
			name: "range 2020..2300 arrives reversed", handler: benign(day),
			ask:    query(map[string]any{"queryType": "count"}, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), 1000),
			budget: 0,
			check:  wantError("ends before it starts", "received 2020-01-01T00:00:00Z to 1715-06-13T00:25:26.29Z", "from year 1678 to 2261"),
			guard:  "a range that arrives ending before it starts is refused naming the range as received",
		},
		{
			name: "values resource, the API refuses the key", handler: refuseKey,
			ask:    resource("values?field=language"),
			budget: 1,
			check: func(t *testing.T, a *answer, _ *server) {
				if a.status != 400 || !strings.Contains(a.all(), "AgentSight rejected the API key (401 Unauthorized)") {
					t.Errorf("%d %s", a.status, a.all())
				}
			},
			guard: "resources answer an upstream 401/403 with 400: Grafana reads a 401 as the user's session expiring",
		},
		{
			name: "values resource, absurd from", handler: benign(day),
			ask:    resource("values?field=language&from=-9223372036854775808&to=1"),
			budget: 0,
			check: func(t *testing.T, a *answer, _ *server) {
				if a.status != 400 || !strings.Contains(a.all(), `from \"-9223372036854775808\" is not valid`) {
					t.Errorf("%d %s", a.status, a.all())
				}
			},
		},
		{
			name: "URL with a password, bad scheme", handler: benign(day),
			url: func(s *server) string { return strings.Replace(s.URL, "http://", "htps://user:s3cretpass@", 1) },
			ask: both(query(map[string]any{"queryType": "count"}, from, to, 1000)), budget: 0,
			check: func(t *testing.T, a *answer, _ *server) {
				if strings.Contains(a.all(), "s3cretpass") {
					t.Errorf("the password is quoted: %q", a.all())
				}
				wantError("URL")(t, a, nil)
			},
		},
		{
			name: "URL with a password, bad port", handler: benign(day),
			url: func(s *server) string { return "http://user:s3cretpass@127.0.0.1:notaport/api" },
			ask: both(query(map[string]any{"queryType": "count"}, from, to, 1000)), budget: 0,
			check: func(t *testing.T, a *answer, _ *server) {
				if strings.Contains(a.all(), "s3cretpass") {
					t.Errorf("the password is quoted: %q", a.all())
				}
				wantError("URL")(t, a, nil)
			},
		},
		{
			name: "key echoed JSON-escaped in a 400", handler: echoEscapedKey,
			ask: query(map[string]any{"queryType": "count", "bucket": "total"}, from, to, 1000), budget: 5,
			check: wantError("400"),
		},
		{
			name: "key echoed JSON-escaped, undecodable", handler: brokenWithEscapedKey,
			ask: query(map[string]any{"queryType": "conversations"}, from, to, 1000), budget: 5,
			check: wantError("/count"), guard: "the key is redacted in any JSON-escaped form, and decode errors name the field and quote at most 12 bytes of a value",
		},
		{
			name: "gzip bomb (256 MiB inflated)", handler: serveGzipBomb,
			ask: query(map[string]any{"queryType": "conversations"}, from, to, 1000), budget: 5,
			check: wantError(),
		},
		{
			name: "endless body", handler: endless,
			ask: query(map[string]any{"queryType": "conversations"}, from, to, 1000), budget: 5,
			check: wantError(),
		},
		{
			name: "trickling body (1 byte / 200 ms)", handler: trickle, jsonData: map[string]any{"timeout": "2s"},
			ask: query(map[string]any{"queryType": "conversations"}, from, to, 1000), budget: 5,
			check: wantError(),
		},
		{
			name: "deep nesting (10^6 arrays)", handler: serveBytes(deepNesting()),
			ask: query(map[string]any{"queryType": "conversations"}, from, to, 1000), budget: 5,
			check: wantError(),
		},
	}
}

// refuseKey answers every request as an API that does not know the key.
func refuseKey(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusUnauthorized, `{"detail":"Invalid API key."}`)
}

// crossOrigin are the cases whose server sends the plugin to another origin.
func crossOriginCases(t *testing.T) []hostileCase {
	other := newServer(t, benign(day))
	noKeyThere := func(t *testing.T, a *answer, _ *server) {
		if n := other.keyed.Load(); n > 0 {
			t.Errorf("the other origin received the API key %d times", n)
		}
	}
	return []hostileCase{
		{
			name: "redirect to another origin",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusFound)
			},
			ask: query(map[string]any{"queryType": "conversations"}, from, to, 1000), budget: 5,
			check: noKeyThere,
		},
		{
			name: "next link to another origin",
			handler: func(w http.ResponseWriter, r *http.Request) {
				next := strconv.Quote(other.URL + "/api/conversations/?page=2&page_size=1")
				writeJSON(w, 200, `{"count":2,"next":`+next+`,"previous":null,"results":[`+conversation(1, day)+`]}`)
			},
			ask: query(map[string]any{"queryType": "conversations"}, from, to, 1000), budget: 5,
			check: noKeyThere,
		},
	}
}

func TestHostile(t *testing.T) {
	all := append(cases(), crossOriginCases(t)...)
	for _, hc := range all {
		t.Run(hc.name, func(t *testing.T) { runCase(t, hc) })
	}
}

func runCase(t *testing.T, hc hostileCase) {
	srv := newServer(t, hc.handler)
	p := startPlugin(t)
	dsURL := srv.URL
	if hc.url != nil {
		dsURL = hc.url(srv)
	}
	ds := pluginhost.DataSource{UID: "hostile", Name: "AgentSight", URL: dsURL, APIKey: key, JSONData: hc.jsonData, Updated: time.Now()}
	f := figures{name: hc.name, budget: hc.budget}
	defer func() {
		f.failed = t.Failed()
		if f.failed && hc.guard != "" {
			f.outcome += " (broken: " + hc.guard + ")"
		}
		record(f)
	}()

	ctx, cancel := context.WithTimeout(t.Context(), answerBound+15*time.Second)
	defer cancel()
	a := &answer{}
	start := time.Now()
	err := hc.ask(ctx, p.plugin, ds, a)
	f.elapsed = time.Since(start)
	f.requests = srv.requests.Load()
	f.hwm, _ = pluginhost.StatusBytes(p.pid, "VmHWM")
	f.outcome = outcome(a, err)
	select {
	case rss := <-p.killed:
		f.hwm = rss // at least: the watchdog killed it there
		f.outcome = "killed by the watchdog at " + strconv.FormatInt(rss>>20, 10) + " MiB of RSS"
		t.Fatalf("the plugin reached %d MiB of RSS and was killed", rss>>20)
	default:
	}
	t.Logf("%s: %.2fs, VmHWM %.1f MiB, %d requests (budget %d): %s", hc.name, f.elapsed.Seconds(), float64(f.hwm)/(1<<20), f.requests, hc.budget, f.outcome)
	if err != nil {
		t.Fatalf("no answer over gRPC (crashed or hung): %v", err)
	}
	if f.elapsed > answerBound {
		t.Errorf("answered after %s, more than %s", f.elapsed, answerBound)
	}
	if f.hwm == 0 || f.hwm > maxHWM {
		t.Errorf("peak RSS (VmHWM) %d MiB, more than %d MiB", f.hwm>>20, maxHWM>>20)
	}
	if f.requests > hc.budget {
		t.Errorf("%d requests sent, more than the case's budget of %d", f.requests, hc.budget)
	}
	for _, form := range []string{key, escapedKey(), strings.ReplaceAll(strconv.QuoteToASCII(key), `"`, "")} {
		if strings.Contains(a.all(), form) || strings.Contains(p.log.String(), form) {
			t.Errorf("the API key (as %q) is in what the plugin said or logged", form)
		}
	}
	if hc.check != nil {
		hc.check(t, a, srv)
	}
	stillAnswering(t, p)
}

// stillAnswering: the same process answers a health check against a sane API afterwards.
func stillAnswering(t *testing.T, p *proc) {
	t.Helper()
	sane := newServer(t, benign(day))
	ctx, cancel := context.WithTimeout(t.Context(), answerBound)
	defer cancel()
	res, err := p.plugin.CheckHealth(ctx, pluginhost.DataSource{UID: "sane", Name: "AgentSight", URL: sane.URL, APIKey: key, Updated: time.Now()})
	if err != nil || res.Status != pluginv2.CheckHealthResponse_OK {
		t.Fatalf("the plugin no longer answers: %v %v", res, err)
	}
}

func outcome(a *answer, err error) string {
	if err != nil {
		return "gRPC error: " + err.Error()
	}
	if r, ok := a.results["A"]; ok {
		if r.Error != "" {
			return "error: " + short(r.Error)
		}
		rows := 0
		for _, f := range r.Frames {
			rows += f.Rows()
		}
		return fmt.Sprintf("%d frames, %d rows", len(r.Frames), rows)
	}
	return fmt.Sprintf("status %d: %s", a.status, short(a.all()))
}

func short(s string) string {
	if len(s) > 110 {
		return s[:110] + "…"
	}
	return s
}

// After Grafana cancels a query, the plugin stops working on it: its CPU time stops growing
// within a few seconds.
func TestCancelledQueryGoesIdle(t *testing.T) {
	srv := newServer(t, oneRowPerPage)
	p := startPlugin(t)
	ds := pluginhost.DataSource{UID: "cancel", Name: "AgentSight", URL: srv.URL, APIKey: key, Updated: time.Now()}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	_, _ = p.plugin.QueryData(ctx, ds, pluginhost.Query{RefID: "A", JSON: map[string]any{"queryType": "conversations", "limit": 1000000}, From: from, To: to, MaxDataPoints: 1000})
	// A few seconds to wind down, then a window in which it must stay idle.
	time.Sleep(3 * time.Second)
	before, err := cpuTime(p.pid)
	if err != nil {
		t.Fatal(err)
	}
	requestsBefore := srv.requests.Load()
	time.Sleep(3 * time.Second)
	after, err := cpuTime(p.pid)
	if err != nil {
		t.Fatal(err)
	}
	grew, sent := after-before, srv.requests.Load()-requestsBefore
	t.Logf("after cancelling: %s of CPU and %d requests in 3s", grew, sent)
	record(figures{name: "cancelled query goes idle", requests: sent, outcome: fmt.Sprintf("CPU +%s in 3s after", grew)})
	// Idle is a few garbage collections and timers; a runaway loop burns the whole window.
	if grew > 500*time.Millisecond || sent > 0 {
		t.Errorf("still working 3s after the cancellation: %s of CPU, %d requests in 3s", grew, sent)
	}
	stillAnswering(t, p)
}
