package agentsight

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// One budget for every client: eviction is least recently used across them, each sees only
// its own entries, and a closed client's entries go at once.
func TestBudgetIsSharedButEntriesAreNot(t *testing.T) {
	body := func(n int) []byte { return []byte(strings.Repeat("x", n)) }
	b := NewBudget(100) // an entry costs len(key)+len(body)
	one, two := newResponseCache(b, time.Minute), newResponseCache(b, time.Minute)
	one.put("k", body(29)) // 30
	if _, ok := two.get("k"); ok {
		t.Fatal("a second namespace reads the first one's entry under the same key")
	}
	two.put("k", body(29))  // 60
	two.put("k2", body(28)) // 90
	if got, _ := one.get("k"); len(got) != 29 {
		t.Fatalf("the first namespace's entry is %d bytes, want its own 29", len(got))
	}
	// one's k is now the most recently used: the next put evicts two's k, the least recent.
	one.put("k3", body(28)) // 120 > 100
	tests := []struct {
		cache *responseCache
		want  []string
	}{{one, []string{"k", "k3"}}, {two, []string{"k2"}}}
	for i, tt := range tests {
		if diff := cmp.Diff(tt.want, sorted(tt.cache.keys())); diff != "" {
			t.Errorf("namespace %d keys (-want +got):\n%s", i, diff)
		}
	}
	if b.Bytes() != 90 {
		t.Errorf("bytes = %d, want 90", b.Bytes())
	}
	one.close()
	if b.Bytes() != 30 || len(one.keys()) != 0 {
		t.Errorf("after closing one: %d bytes, its keys %v; want 30 and none", b.Bytes(), one.keys())
	}
	one.put("late", body(1))
	if _, ok := one.get("late"); ok {
		t.Error("a closed namespace keeps a new entry")
	}
	two.close()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bytes != 0 || len(b.spaces) != 0 || b.order.Len() != 0 || b.sweeper != nil {
		t.Errorf("all closed: %d bytes, %d namespaces, %d entries, sweeper %v", b.bytes, len(b.spaces), b.order.Len(), b.sweeper != nil)
	}
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}

// holds is the half-the-budget rule on the process's budget, however many clients share it.
func TestHoldsIsHalfTheSharedBudget(t *testing.T) {
	b := NewBudget(1000)
	caches := []*responseCache{newResponseCache(b, time.Minute), newResponseCache(b, time.Minute), newResponseCache(b, time.Minute)}
	for i, c := range caches {
		if !c.holds(500) || c.holds(501) {
			t.Errorf("cache %d: holds(500) %v holds(501) %v; want true, false", i, c.holds(500), c.holds(501))
		}
	}
	var none *responseCache
	if none.holds(0) {
		t.Error("no cache holds something")
	}
}

// Two clients on one budget and one API, same endpoint, different keys: each answer is the
// key's own, never the other client's cached body.
func TestClientsOnOneBudgetNeverShareBodies(t *testing.T) {
	srv, _ := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The count tells the keys apart: 3 for one, 7 for the other.
		count := 3
		if strings.Contains(r.Header.Get("Authorization"), "other") {
			count = 7
		}
		writeJSON(w, http.StatusOK, pageBody(r, count, []int64{1}, false))
	}), nil)
	budget := NewBudget(1 << 20)
	client := func(key string) *Client {
		c, err := New(Options{BaseURL: srv.URL, APIKey: key, CacheTTL: time.Hour, Budget: budget, HTTPClient: srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		return c
	}
	one, other := client(testKey), client("other-"+testKey)
	for range 3 {
		for _, tc := range []struct {
			c    *Client
			want int
		}{{one, 3}, {other, 7}} {
			n, _, err := tc.c.Count(context.Background(), Filters{}, Settled{})
			if err != nil || n != tc.want {
				t.Fatalf("count = %d, %v; want %d", n, err, tc.want)
			}
		}
	}
}

// A freed slot goes to the alert request waiting, before the dashboard requests that queued
// earlier.
func TestAlertRequestIsSentBeforeQueuedRequests(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var order []string
	_, c := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		order = append(order, r.URL.Query().Get("language"))
		first := len(order) == 1
		mu.Unlock()
		if first {
			<-release
		}
		writeJSON(w, http.StatusOK, pageBody(r, 1, []int64{1}, false))
	}), func(o *Options) { o.Concurrency = 1 })
	ask := func(ctx context.Context, lang string, done *sync.WaitGroup) {
		done.Add(1)
		go func() {
			defer done.Done()
			if _, _, err := c.Count(ctx, Filters{Params: map[string]string{"language": lang}}, Settled{}); err != nil {
				t.Errorf("%s: %v", lang, err)
			}
		}()
	}
	var wg sync.WaitGroup
	ask(context.Background(), "holder", &wg)
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(order) == 1 })
	for i, lang := range []string{"d1", "d2", "d3"} {
		ask(context.Background(), lang, &wg)
		waitFor(t, func() bool { return c.slots.waiters() == i+1 })
	}
	ask(WithPriority(context.Background(), PriorityAlert), "alert", &wg)
	waitFor(t, func() bool { return c.slots.waiters() == 4 })
	close(release)
	wg.Wait()
	if diff := cmp.Diff([]string{"holder", "alert", "d1", "d2", "d3"}, order); diff != "" {
		t.Errorf("request order (-want +got):\n%s", diff)
	}
}

// A waiter whose context ends leaves the queue, and the slots still add up.
func TestSlotWaiterCancelled(t *testing.T) {
	q := newSlotQueue(1)
	if err := q.acquire(context.Background(), PriorityNormal); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- q.acquire(ctx, PriorityAlert) }()
	waitFor(t, func() bool { return q.waiters() == 1 })
	cancel()
	if err := <-errc; err != context.Canceled {
		t.Fatalf("cancelled waiter: %v", err)
	}
	q.release()
	if err := q.acquire(context.Background(), PriorityNormal); err != nil {
		t.Fatal(err)
	}
	q.release()
	if q.used != 0 || q.waiters() != 0 {
		t.Errorf("used %d waiters %d, want 0 0", q.used, q.waiters())
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition never met")
		}
	}
}
