package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/google/go-cmp/cmp"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// gatedAPI is the fake API behind a gate: requests wait until the test opens it, so that
// every viewer of a test is asking before any answer arrives.
type gatedAPI struct {
	fake     *fakeapi.Server
	open     chan struct{}
	requests atomic.Int64
	// canceled counts requests whose client went away while they waited.
	canceled atomic.Int64
}

func (g *gatedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.requests.Add(1)
	select {
	case <-g.open:
		g.fake.ServeHTTP(w, r)
	case <-r.Context().Done():
		g.canceled.Add(1)
	}
}

// newGatedEnv serves the test data set behind a closed gate, with the response cache off so
// that only sharing can save requests.
func newGatedEnv(t *testing.T) (*env, *gatedAPI) {
	t.Helper()
	dataset := fakeapi.NewDataset(fakeapi.DatasetOptions{Conversations: 2000})
	g := &gatedAPI{fake: fakeapi.New(fakeapi.Options{Dataset: dataset, EmbedMessages: true}), open: make(chan struct{})}
	hs := httptest.NewServer(g)
	t.Cleanup(func() { g.fake.Close(); hs.Close() })
	e := &env{t: t, fake: g.fake, url: hs.URL, truth: dataset}
	e.ds = e.instance(map[string]any{"cacheTTL": "0s"}, testKey)
	return e, g
}

// viewer sends one query as a panel of its own does, and delivers its answer on a channel.
func (e *env) viewer(ctx context.Context, model map[string]any) <-chan backend.DataResponse {
	raw, _ := json.Marshal(model)
	qt, _ := model["queryType"].(string)
	req := &backend.QueryDataRequest{Queries: []backend.DataQuery{{
		RefID: "A", QueryType: qt, JSON: raw,
		TimeRange: backend.TimeRange{From: rangeFrom, To: rangeTo}, Interval: time.Hour, MaxDataPoints: 1000,
	}}}
	out := make(chan backend.DataResponse, 1)
	go func() {
		resp, err := e.ds.QueryData(ctx, req)
		if err != nil {
			out <- backend.ErrDataResponse(backend.StatusInternal, err.Error())
			return
		}
		out <- resp.Responses["A"]
	}()
	return out
}

// waitJoined waits until n queries have joined the one answer in flight. This is how a test
// knows every viewer asks at the same time; a deadline turns a missing share into a failure.
func waitJoined(t *testing.T, d *Datasource, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		d.shared.mu.Lock()
		flights, joined := len(d.shared.flights), 0
		for _, f := range d.shared.flights {
			joined = f.joined
		}
		d.shared.mu.Unlock()
		if flights == 1 && joined == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d answers in flight, %d queries joined; want 1 answer shared by %d queries", flights, joined, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitFor waits until cond holds; a deadline turns "never" into a failure.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 20s for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func receive(t *testing.T, ch <-chan backend.DataResponse) backend.DataResponse {
	t.Helper()
	select {
	case dr := <-ch:
		return dr
	case <-time.After(30 * time.Second):
		t.Fatal("no answer within 30s")
		return backend.DataResponse{}
	}
}

// framesJSON is what a viewer sees of its frames, meta left out (its stats and executed
// query string are the viewer's own).
func framesJSON(t *testing.T, frames data.Frames) string {
	t.Helper()
	var out []json.RawMessage
	for _, f := range frames {
		bare := *f
		bare.Meta = nil
		raw, err := json.Marshal(&bare)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, raw)
	}
	raw, _ := json.Marshal(out)
	return string(raw)
}

// stat is a viewer's query stat by its name.
func stat(dr backend.DataResponse, name string) float64 {
	for _, s := range dr.Frames[0].Meta.Stats {
		if s.DisplayName == name {
			return s.Value
		}
	}
	return -1
}

// Viewers asking the same thing at the same time get one answer built once: the API sees
// the requests of one viewer, every viewer gets the frames of a viewer alone, one viewer's
// stats count the requests (the others show them as cached), and each viewer's frames are
// its own: changing one viewer's frames changes no other's.
func TestIdenticalConcurrentQueriesShareOneAnswer(t *testing.T) {
	const viewers = 8
	for _, tc := range []struct {
		name  string
		model map[string]any
	}{
		{"conversations table", map[string]any{"queryType": "conversations"}},
		{"count by language", map[string]any{"queryType": "count", "groupBy": "language", "bucket": "1h"}},
		{"messages", map[string]any{"queryType": "messages", "limit": 300}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alone, aloneAPI := newGatedEnv(t)
			close(aloneAPI.open)
			want := receive(t, alone.viewer(t.Context(), tc.model))
			mustOK(t, want)

			e, api := newGatedEnv(t)
			answers := make([]<-chan backend.DataResponse, viewers)
			for i := range answers {
				answers[i] = e.viewer(t.Context(), tc.model)
			}
			waitJoined(t, e.ds, viewers)
			close(api.open)
			got := make([]backend.DataResponse, viewers)
			var sent float64
			for i := range got {
				got[i] = receive(t, answers[i])
				mustOK(t, got[i])
				if diff := cmp.Diff(framesJSON(t, want.Frames), framesJSON(t, got[i].Frames)); diff != "" {
					t.Fatalf("viewer %d's frames differ from a viewer alone's (-alone +shared):\n%s", i, diff)
				}
				sent += stat(got[i], "API requests")
			}
			if n, alone := api.requests.Load(), aloneAPI.requests.Load(); n != alone {
				t.Fatalf("%d viewers sent %d API requests, want the %d of one viewer", viewers, n, alone)
			}
			if sent != float64(api.requests.Load()) {
				t.Fatalf("the viewers' stats count %v API requests, want the %d sent", sent, api.requests.Load())
			}

			before := framesJSON(t, got[1].Frames) + got[1].Frames[0].Meta.ExecutedQueryString
			f := got[0].Frames[0]
			f.Name = "changed"
			f.RefID = "Z"
			f.Fields[0].Name = "changed"
			f.Fields[0].Set(0, f.Fields[0].CopyAt(f.Fields[0].Len()-1))
			f.Meta.ExecutedQueryString = "changed"
			f.Meta.Notices = append(f.Meta.Notices, data.Notice{Text: "changed"})
			if f.Fields[0].Config != nil {
				f.Fields[0].Config.DisplayName = "changed"
			}
			if after := framesJSON(t, got[1].Frames) + got[1].Frames[0].Meta.ExecutedQueryString; after != before {
				t.Fatal("changing viewer 0's frames changed viewer 1's")
			}
		})
	}
}

// The viewer whose query started the answer closes the dashboard: it gets its cancellation
// at once, and the viewer that joined it still gets the whole answer.
func TestCanceledFirstViewerDoesNotFailTheOthers(t *testing.T) {
	e, api := newGatedEnv(t)
	model := map[string]any{"queryType": "conversations"}
	ctx, cancel := context.WithCancel(t.Context())
	first := e.viewer(ctx, model)
	waitJoined(t, e.ds, 1)
	second := e.viewer(t.Context(), model)
	waitJoined(t, e.ds, 2)
	cancel()
	// The gate is still closed: the first viewer's answer comes from its cancellation.
	if dr := receive(t, first); dr.Error == nil || !strings.Contains(dr.Error.Error(), "cancelled") {
		t.Fatalf("first viewer: error %v, want its cancellation", dr.Error)
	}
	close(api.open)
	dr := receive(t, second)
	mustOK(t, dr)
	if rows, want := dr.Frames[0].Rows(), len(e.inRange(rangeFrom, rangeTo, nil)); rows != want {
		t.Fatalf("second viewer: %d rows, want %d", rows, want)
	}
	if n := api.canceled.Load(); n != 0 {
		t.Fatalf("%d API requests canceled, want none while a viewer waits", n)
	}
}

// When every viewer has gone, the work stops (its API requests are canceled) and a viewer
// arriving afterwards gets an answer of its own.
func TestWorkStopsWhenEveryViewerHasGone(t *testing.T) {
	e, api := newGatedEnv(t)
	model := map[string]any{"queryType": "conversations"}
	ctx, cancel := context.WithCancel(t.Context())
	a, b := e.viewer(ctx, model), e.viewer(ctx, model)
	waitJoined(t, e.ds, 2)
	waitFor(t, "the first page asked for", func() bool { return api.requests.Load() > 0 })
	cancel()
	for _, ch := range []<-chan backend.DataResponse{a, b} {
		if dr := receive(t, ch); dr.Error == nil {
			t.Fatal("a canceled viewer got an answer, want its cancellation")
		}
	}
	waitFor(t, "the API request of the abandoned answer canceled", func() bool { return api.canceled.Load() > 0 })
	close(api.open)
	dr := receive(t, e.viewer(t.Context(), model))
	mustOK(t, dr)
	if rows, want := dr.Frames[0].Rows(), len(e.inRange(rangeFrom, rangeTo, nil)); rows != want {
		t.Fatalf("later viewer: %d rows, want %d", rows, want)
	}
}

// A panic while building the shared answer is every sharing viewer's internal error, and
// the data source answers the next query.
func TestPanicInSharedAnswerIsEachViewersError(t *testing.T) {
	e, api := newGatedEnv(t)
	e.panicOnFirstPage2()
	model := map[string]any{"queryType": "conversations"}
	answers := []<-chan backend.DataResponse{e.viewer(t.Context(), model), e.viewer(t.Context(), model), e.viewer(t.Context(), model)}
	waitJoined(t, e.ds, len(answers))
	close(api.open)
	for i, ch := range answers {
		dr := receive(t, ch)
		if dr.Error == nil || dr.Status != backend.StatusInternal || !strings.Contains(dr.Error.Error(), "internal error in the AgentSight plugin") {
			t.Fatalf("viewer %d: status %d, error %v; want the plugin's internal error", i, dr.Status, dr.Error)
		}
	}
	mustOK(t, receive(t, e.viewer(t.Context(), model)))
}

// Only queries with the same answer share: everything that changes an answer is in the key,
// the refId (and the viewer) is not.
func TestFlightKeyHoldsWhatChangesTheAnswer(t *testing.T) {
	base := backend.DataQuery{
		RefID: "A", JSON: json.RawMessage(`{"queryType":"count","groupBy":"language","bucket":"1h","filters":{"language":["en","fr"],"has_messages":true}}`),
		TimeRange: backend.TimeRange{From: rangeFrom, To: rangeTo}, Interval: time.Hour, MaxDataPoints: 1000,
	}
	key := func(t *testing.T, q backend.DataQuery, listed *listedRows, priority agentsight.Priority) string {
		t.Helper()
		r, err := newRun(q)
		if err != nil {
			t.Fatal(err)
		}
		r.listed = listed
		k, err := flightKey(agentsight.WithPriority(t.Context(), priority), r)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	want := key(t, base, nil, agentsight.PriorityNormal)
	for _, tc := range []struct {
		name     string
		change   func(q *backend.DataQuery)
		listed   *listedRows
		priority agentsight.Priority
		same     bool
	}{
		{name: "another refId", change: func(q *backend.DataQuery) { q.RefID = "B" }, same: true},
		{name: "filters written in another order", change: func(q *backend.DataQuery) {
			q.JSON = json.RawMessage(`{"filters":{"has_messages":true,"language":["en","fr"]},"bucket":"1h","groupBy":"language","queryType":"count"}`)
		}, same: true},
		{name: "another start", change: func(q *backend.DataQuery) { q.TimeRange.From = q.TimeRange.From.Add(time.Millisecond) }},
		{name: "another end", change: func(q *backend.DataQuery) { q.TimeRange.To = q.TimeRange.To.Add(-time.Millisecond) }},
		{name: "another interval", change: func(q *backend.DataQuery) { q.Interval = time.Minute }},
		{name: "another max data points", change: func(q *backend.DataQuery) { q.MaxDataPoints = 500 }},
		{name: "another bucket", change: func(q *backend.DataQuery) {
			q.JSON = json.RawMessage(`{"queryType":"count","groupBy":"language","bucket":"1d","filters":{"language":["en","fr"],"has_messages":true}}`)
		}},
		{name: "another filter value", change: func(q *backend.DataQuery) {
			q.JSON = json.RawMessage(`{"queryType":"count","groupBy":"language","bucket":"1h","filters":{"language":["en"],"has_messages":true}}`)
		}},
		{name: "in a request listing other pages", listed: &listedRows{limits: map[string]int{"language=en": 1000}}},
		{name: "asked by an alert rule", priority: agentsight.PriorityAlert},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := base
			if tc.change != nil {
				tc.change(&q)
			}
			if got := key(t, q, tc.listed, tc.priority); (got == want) != tc.same {
				t.Fatalf("same key: %v, want %v", got == want, tc.same)
			}
		})
	}
	t.Run("another format", func(t *testing.T) {
		table, logs := base, base
		table.JSON = json.RawMessage(`{"queryType":"messages"}`)
		logs.JSON = json.RawMessage(`{"queryType":"messages","format":"logs"}`)
		if key(t, table, nil, agentsight.PriorityNormal) == key(t, logs, nil, agentsight.PriorityNormal) {
			t.Fatal("a messages table and its logs share a key")
		}
	})
}

// Many viewers of many queries at once, under the race detector: every viewer gets its own
// correct answer whatever it shares.
func TestManyViewersOfSeveralQueries(t *testing.T) {
	e := newEnv(t, true, nil)
	models := []map[string]any{
		{"queryType": "conversations", "limit": 50},
		{"queryType": "count", "bucket": "1h"},
		totalQuery(),
	}
	want := make([]string, len(models))
	for i, m := range models {
		dr := e.query(m, rangeFrom, rangeTo)
		mustOK(t, dr)
		want[i] = framesJSON(t, dr.Frames)
	}
	answers := make([]<-chan backend.DataResponse, 30)
	for v := range answers {
		answers[v] = e.viewer(t.Context(), models[v%len(models)])
	}
	for v, ch := range answers {
		dr := receive(t, ch)
		mustOK(t, dr)
		if framesJSON(t, dr.Frames) != want[v%len(models)] {
			t.Errorf("viewer %d of query %d got other frames than a viewer alone: %s", v, v%len(models), cmp.Diff(want[v%len(models)], framesJSON(t, dr.Frames)))
		}
	}
}
