package agentsight

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCache(t *testing.T) {
	en := Filters{Params: map[string]string{"language": "en"}}
	fr := Filters{Params: map[string]string{"language": "fr"}}
	tests := []struct {
		name      string
		ttl       time.Duration
		calls     []Filters
		advance   time.Duration // fake clock moved between the calls
		wantSent  int
		wantCache int
	}{
		{"same endpoint within TTL", time.Minute, []Filters{en, en, en}, 0, 1, 2},
		{"different query", time.Minute, []Filters{en, fr}, 0, 2, 0},
		{"TTL 0 turns the cache off", 0, []Filters{en, en}, 0, 2, 0},
		{"expired", time.Minute, []Filters{en, en}, time.Minute + time.Second, 2, 0},
		{"just before expiry", time.Minute, []Filters{en, en}, time.Minute - time.Second, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec counter
			_, c := newTestServer(t, pagedHandler(3, &rec, nil), func(o *Options) { o.CacheTTL = tt.ttl })
			now := time.Date(2025, 10, 22, 10, 0, 0, 0, time.UTC)
			if c.cache != nil {
				c.cache.budget.now = func() time.Time { return now }
			}
			trace := &Trace{}
			ctx := WithTrace(context.Background(), trace)
			for i, f := range tt.calls {
				if i > 0 {
					now = now.Add(tt.advance)
				}
				p, err := c.listConversations(ctx, f, 1, 0)
				if err != nil {
					t.Fatal(err)
				}
				if p.Count != 3 || len(p.Results) != 3 {
					t.Errorf("page = %+v", p)
				}
			}
			if rec.n() != tt.wantSent {
				t.Errorf("server saw %d requests, want %d", rec.n(), tt.wantSent)
			}
			sent, _, cached := trace.Requests()
			if sent != tt.wantSent || cached != tt.wantCache {
				t.Errorf("trace: sent %d cached %d, want %d %d", sent, cached, tt.wantSent, tt.wantCache)
			}
		})
	}
}

func TestCacheDoesNotKeepErrors(t *testing.T) {
	h, seen := failThen(1, status(http.StatusBadRequest))
	_, c := newTestServer(t, h, func(o *Options) { o.CacheTTL = time.Minute })
	if _, err := c.listConversations(context.Background(), Filters{}, 1, 0); KindOf(err) != KindBadRequest {
		t.Fatalf("first call: %v", err)
	}
	if _, err := c.listConversations(context.Background(), Filters{}, 1, 0); err != nil {
		t.Fatalf("second call: %v", err)
	}
	if seen.Load() != 2 {
		t.Errorf("requests = %d, want 2", seen.Load())
	}
}

func TestCacheKeyHasNoAPIKey(t *testing.T) {
	_, c := newTestServer(t, pagedHandler(3, nil, nil), func(o *Options) { o.CacheTTL = time.Minute })
	if _, err := c.listConversations(context.Background(), Filters{Params: map[string]string{"customer_id": "c1"}}, 1, 0); err != nil {
		t.Fatal(err)
	}
	keys := c.cache.keys()
	if len(keys) != 1 {
		t.Fatalf("cache holds %d entries", len(keys))
	}
	for _, key := range keys {
		assertNoKey(t, key)
		if !strings.HasPrefix(key, "/api/conversations/?") || !strings.Contains(key, "customer_id=c1") {
			t.Errorf("cache key %q", key)
		}
	}
}

func TestCacheLRUByBytes(t *testing.T) {
	body := func(n int) []byte { return []byte(strings.Repeat("x", n)) }
	c := newResponseCache(NewBudget(100), time.Minute) // an entry costs len(key)+len(body)
	c.put("a", body(39))                               // 40
	c.put("b", body(39))                               // 80
	if _, ok := c.get("a"); !ok {                      // a is now the most recently used
		t.Fatal("a missing")
	}
	c.put("c", body(39)) // 120 > 100: the least recently used (b) goes
	if _, ok := c.get("b"); ok {
		t.Error("b should have been evicted")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.get(k); !ok {
			t.Errorf("%s evicted", k)
		}
	}
	if c.budget.bytes != 80 {
		t.Errorf("bytes = %d, want 80", c.budget.bytes)
	}
	c.put("big", body(200)) // larger than the whole cache: not kept, nothing evicted
	if _, ok := c.get("big"); ok {
		t.Error("oversized entry kept")
	}
	if len(c.keys()) != 2 || c.budget.order.Len() != 2 {
		t.Errorf("entries = %d / %d, want 2", len(c.keys()), c.budget.order.Len())
	}
	c.put("a", body(9)) // replacing an entry accounts its new size
	if c.budget.bytes != 50 {
		t.Errorf("bytes after replace = %d, want 50", c.budget.bytes)
	}
	c.put("d", body(98)) // 99: everything else goes
	if len(c.keys()) != 1 || c.budget.bytes != 100-1 {
		t.Errorf("entries = %d bytes = %d", len(c.keys()), c.budget.bytes)
	}
}

// waitForWaiters blocks until the flight for key has n callers waiting.
func waitForWaiters(t *testing.T, g *flightGroup, key string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		g.mu.Lock()
		f := g.flights[key]
		got := 0
		if f != nil {
			got = f.waiters
		}
		g.mu.Unlock()
		if got == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("flight %q never had %d waiters", key, n)
}

// firstPageKey is the flight key of listConversations(ctx, Filters{}, 1, 0).
const firstPageKey = conversationsPath + "?page_size=100"

// heldServer answers a 5-conversation page only once release is closed, counting requests.
func heldServer(t *testing.T) (chan struct{}, *atomic.Int64, *Client) {
	release := make(chan struct{})
	seen := &atomic.Int64{}
	_, c := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		<-release
		pagedHandler(5, nil, nil)(w, r)
	}), nil)
	return release, seen, c
}

func TestFlightCollapsesIdenticalCalls(t *testing.T) {
	const n = 8
	release, seen, c := heldServer(t)
	trace := &Trace{}
	ctx := WithTrace(context.Background(), trace)
	key := firstPageKey
	var wg sync.WaitGroup
	errs := make([]error, n)
	counts := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := c.listConversations(ctx, Filters{}, 1, 0)
			errs[i] = err
			if p != nil {
				counts[i] = p.Count
			}
		}()
	}
	waitForWaiters(t, c.flights, key, n)
	close(release)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || counts[i] != 5 {
			t.Errorf("caller %d: count %d err %v", i, counts[i], errs[i])
		}
	}
	if seen.Load() != 1 {
		t.Errorf("server saw %d requests, want 1", seen.Load())
	}
	if sent, _, cached := trace.Requests(); sent != 1 || cached != n-1 {
		t.Errorf("trace: sent %d cached %d, want 1 and %d", sent, cached, n-1)
	}
}

func TestFlightOneCallerCancelling(t *testing.T) {
	release, seen, c := heldServer(t)
	key := firstPageKey
	quitter, quit := context.WithCancel(context.Background())
	type result struct {
		count int
		err   error
	}
	results := make(chan result, 3)
	call := func(ctx context.Context) {
		p, err := c.listConversations(ctx, Filters{}, 1, 0)
		r := result{err: err}
		if p != nil {
			r.count = p.Count
		}
		results <- r
	}
	go call(quitter) // the first caller starts the request, then leaves
	waitForWaiters(t, c.flights, key, 1)
	go call(context.Background())
	go call(context.Background())
	waitForWaiters(t, c.flights, key, 3)
	quit()
	first := <-results
	if !errors.Is(first.err, context.Canceled) {
		t.Fatalf("the caller that left got %v, want context.Canceled", first.err)
	}
	close(release)
	for range 2 {
		if r := <-results; r.err != nil || r.count != 5 {
			t.Errorf("a caller that stayed got %d, %v", r.count, r.err)
		}
	}
	if seen.Load() != 1 {
		t.Errorf("server saw %d requests, want 1", seen.Load())
	}
}

// A caller arriving after every earlier caller left must not inherit the abandoned request's
// cancellation.
func TestFlightAbandonedIsNotJoined(t *testing.T) {
	g := newFlightGroup()
	release := make(chan struct{})
	var runs atomic.Int64
	fn := func(ctx context.Context) ([]byte, error) {
		runs.Add(1)
		<-release // the request does not notice cancellation at once
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return []byte("ok"), nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := g.do(ctx, "k", fn)
		done <- err
	}()
	waitForWaiters(t, g, "k", 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller got %v", err)
	}
	later := make(chan error, 1)
	var body []byte
	go func() {
		var err error
		body, _, err = g.do(context.Background(), "k", fn)
		later <- err
	}()
	waitForWaiters(t, g, "k", 1)
	close(release)
	if err := <-later; err != nil || string(body) != "ok" {
		t.Fatalf("later caller got %q, %v; want a fresh request's answer", body, err)
	}
	if runs.Load() != 2 {
		t.Errorf("runs = %d, want 2", runs.Load())
	}
}

func TestTrace(t *testing.T) {
	h, _ := failThen(1, status(http.StatusServiceUnavailable))
	_, c := newTestServer(t, h, func(o *Options) { o.CacheTTL = time.Minute })
	trace := &Trace{}
	ctx := WithTrace(context.Background(), trace)
	for range 2 {
		if _, err := c.listConversations(ctx, Filters{Params: map[string]string{"language": "en"}}, 1, 0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.GetConversation(ctx, 7); err != nil {
		t.Fatal(err)
	}
	calls := trace.Calls()
	if len(calls) != 3 {
		t.Fatalf("calls = %+v", calls)
	}
	want := []struct {
		ep       string
		cached   bool
		attempts int
	}{
		{"/api/conversations/?language=en&page_size=100", false, 2},
		{"/api/conversations/?language=en&page_size=100", true, 0},
		{"/api/conversations/7/", false, 1},
	}
	for i, w := range want {
		got := calls[i]
		if got.Endpoint != w.ep || got.Cached != w.cached || got.Attempts != w.attempts || got.Err != nil {
			t.Errorf("call %d = %+v, want %+v", i, got, w)
		}
		assertNoKey(t, got.Endpoint)
	}
	if sent, attempts, cached := trace.Requests(); sent != 2 || attempts != 3 || cached != 1 {
		t.Errorf("Requests() = %d, %d, %d; want 2, 3, 1", sent, attempts, cached)
	}
	// Without a trace nothing is recorded and nothing fails.
	if _, err := c.GetConversation(context.Background(), 8); err != nil {
		t.Fatal(err)
	}
	if len(trace.Calls()) != 3 {
		t.Error("a call without the trace was recorded in it")
	}
}

func TestTraceRecordsFailures(t *testing.T) {
	_, c := newTestServer(t, http.HandlerFunc(status(http.StatusUnauthorized)), nil)
	trace := &Trace{}
	_, err := c.listConversations(WithTrace(context.Background(), trace), Filters{}, 1, 0)
	if err == nil {
		t.Fatal("no error")
	}
	calls := trace.Calls()
	if len(calls) != 1 || calls[0].Err == nil || calls[0].Attempts != 1 {
		t.Fatalf("calls = %+v", calls)
	}
	assertNoKey(t, calls[0].Err.Error())
}

func TestListingLargerThanHalfTheCacheIsNotStored(t *testing.T) {
	// 5 pages of 10; how many bytes a page takes is measured, not assumed.
	_, probe := newTestServer(t, pagedHandler(50, nil, nil), func(o *Options) { o.PageSize = 10 })
	first, err := probe.listPage(context.Background(), Filters{}, 1, probe.pageSize, Summary, true)
	if err != nil {
		t.Fatal(err)
	}
	pageBytes := int64(first.Bytes)
	tests := []struct {
		name       string
		cacheBytes int64
		wantResent int // requests the same listing sends again within the TTL
	}{
		{"fits in half the cache: all kept", 100 * pageBytes, 0},
		{"more than half the cache: only the first page kept", 6 * pageBytes, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec counter
			_, c := newTestServer(t, pagedHandler(50, &rec, nil), func(o *Options) {
				o.PageSize, o.CacheTTL, o.Budget = 10, time.Minute, NewBudget(tt.cacheBytes)
			})
			for i := range 2 {
				before := rec.n()
				l, err := c.listAll(context.Background(), Filters{}, 0, Summary)
				if err != nil {
					t.Fatal(err)
				}
				if len(l.Conversations) != 50 || len(l.Problems) != 0 {
					t.Fatalf("listing %d: %d rows, problems %q", i, len(l.Conversations), l.Problems)
				}
				if sent := rec.n() - before; i == 0 && sent != 5 {
					t.Errorf("first listing sent %d requests, want 5", sent)
				} else if i == 1 && sent != tt.wantResent {
					t.Errorf("second listing sent %d requests, want %d", sent, tt.wantResent)
				}
			}
		})
	}
}

// A panic in a shared request is the error of every caller waiting for it, and the group
// goes on serving the key.
func TestFlightPanicIsEveryWaitersError(t *testing.T) {
	g := newFlightGroup()
	answer := make(chan struct{})
	fn := func(context.Context) ([]byte, error) { <-answer; panic("decoder bug") }
	const callers = 3
	errs := make(chan error, callers)
	for i := range callers {
		go func() {
			_, _, err := g.do(context.Background(), "k", fn)
			errs <- err
		}()
		waitForWaiters(t, g, "k", i+1)
	}
	close(answer)
	for range callers {
		var pe *PanicError
		if err := <-errs; !errors.As(err, &pe) || pe.Value != "decoder bug" || len(pe.Stack) == 0 {
			t.Fatalf("caller got %v, want the panic as a *PanicError with its stack", err)
		}
	}
	body, _, err := g.do(context.Background(), "k", func(context.Context) ([]byte, error) { return []byte("ok"), nil })
	if err != nil || string(body) != "ok" {
		t.Fatalf("after the panic: %q, %v", body, err)
	}
}

func TestCacheSweepDropsExpiredEntries(t *testing.T) {
	now := time.Date(2025, 10, 22, 10, 0, 0, 0, time.UTC)
	b := NewBudget(1 << 20)
	b.now = func() time.Time { return now }
	c := newResponseCache(b, time.Minute)
	t.Cleanup(c.close)
	steps := []struct {
		advance time.Duration
		put     string
		sweep   bool
		want    []string // the keys kept afterwards
	}{
		{0, "a", false, []string{"a"}},
		{30 * time.Second, "b", false, []string{"a", "b"}},
		{29 * time.Second, "", true, []string{"a", "b"}}, // nothing expired yet
		{time.Second, "", true, []string{"b"}},           // a expires at 60 s
		{30 * time.Second, "", true, nil},                // b at 90 s
	}
	for i, st := range steps {
		now = now.Add(st.advance)
		if st.put != "" {
			c.put(st.put, []byte("body"))
		}
		if st.sweep {
			b.sweep()
		}
		b.mu.Lock()
		var kept []string
		for el := b.order.Back(); el != nil; el = el.Prev() {
			kept = append(kept, el.Value.(*cacheEntry).key)
		}
		bytes, armed := b.bytes, b.sweeper != nil
		b.mu.Unlock()
		if diff := cmp.Diff(st.want, kept); diff != "" {
			t.Errorf("step %d: entries (-want +got):\n%s", i, diff)
		}
		if want := int64(len(st.want) * len("a"+"body")); bytes != want {
			t.Errorf("step %d: bytes = %d, want %d", i, bytes, want)
		}
		if armed != (len(st.want) > 0) {
			t.Errorf("step %d: sweeper armed = %v with %d entries", i, armed, len(st.want))
		}
	}
}

func TestCacheReleasesExpiredBodiesWithoutBeingAsked(t *testing.T) {
	// No call touches the cache after the put: its own timer must drop the body.
	c := newResponseCache(NewBudget(1<<20), 10*time.Millisecond)
	t.Cleanup(c.close)
	c.put("k", []byte("body"))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		n, bytes := len(c.keys()), c.budget.Bytes()
		if n == 0 && bytes == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %d entries (%d bytes) long after the TTL", n, bytes)
		}
	}
}

func TestClientCloseEmptiesTheCache(t *testing.T) {
	var rec counter
	_, c := newTestServer(t, pagedHandler(3, &rec, nil), func(o *Options) { o.CacheTTL = time.Hour })
	for range 2 {
		if _, err := c.listConversations(context.Background(), Filters{}, 1, 0); err != nil {
			t.Fatal(err)
		}
	}
	if rec.n() != 1 {
		t.Fatalf("requests before Close = %d, want 1 (the second from the cache)", rec.n())
	}
	c.Close()
	for range 2 {
		if _, err := c.listConversations(context.Background(), Filters{}, 1, 0); err != nil {
			t.Fatalf("a call after Close failed: %v", err)
		}
	}
	if rec.n() != 3 {
		t.Errorf("requests after Close = %d, want 3: nothing cached any more", rec.n())
	}
	if b := c.cache.budget; b.Bytes() != 0 || b.sweeper != nil {
		t.Errorf("closed cache holds %d bytes, sweeper armed %v", b.Bytes(), b.sweeper != nil)
	}
}

func TestAnAbandonedCacheIsCollectedBeforeItsEntriesExpire(t *testing.T) {
	// The sweep timer must not keep a cache (and its bodies) alive: a client dropped
	// without Close is collected as before.
	collected := make(chan struct{})
	func() {
		b := NewBudget(1 << 20)
		newResponseCache(b, time.Hour).put("k", []byte("body"))
		runtime.AddCleanup(b, func(ch chan struct{}) { close(ch) }, collected)
	}()
	for deadline := time.Now().Add(10 * time.Second); ; {
		runtime.GC()
		select {
		case <-collected:
			return
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("a cache nobody references was not collected while its sweep timer was armed")
		}
	}
}

// A cancelled caller gets no answer, not even from the cache: a loop of calls the cache
// answers stops with its query.
func TestCancelledCallIsNotAnsweredFromTheCache(t *testing.T) {
	_, c := newTestServer(t, pagedHandler(5, nil, nil), func(o *Options) { o.CacheTTL = time.Minute })
	if _, err := c.count(t.Context(), Filters{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.count(ctx, Filters{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want the cancellation", err)
	}
}

// A panic in the sweep timer's goroutine empties the cache instead of ending the process.
func TestCacheSweepPanicIsContained(t *testing.T) {
	c := newResponseCache(NewBudget(1<<20), time.Millisecond)
	c.put("k", []byte("body"))
	c.budget.mu.Lock()
	c.budget.stopSweep()
	c.budget.now = func() time.Time { panic("clock broke") }
	c.budget.armSweep(time.Millisecond)
	c.budget.mu.Unlock()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if len(c.keys()) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the sweep never ran")
		}
	}
	c.budget.mu.Lock()
	defer c.budget.mu.Unlock()
	if c.budget.bytes != 0 || c.budget.sweeper != nil {
		t.Fatalf("after the panic: %d bytes, sweeper armed %v; want an empty cache", c.budget.bytes, c.budget.sweeper != nil)
	}
}

// keys are the keys of c's entries, for tests.
func (c *responseCache) keys() []string {
	c.budget.mu.Lock()
	defer c.budget.mu.Unlock()
	var out []string
	for key := range c.budget.spaces[c.space] {
		out = append(out, key)
	}
	return out
}
