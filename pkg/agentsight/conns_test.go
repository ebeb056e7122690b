package agentsight

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Close closes the idle connections at once, lets a request in flight finish, and closes its
// connection when it ends; a call after Close still works, on a connection closed after it.
func TestCloseReleasesConnectionsOnceRequestsEnd(t *testing.T) {
	release := make(chan struct{})
	var held sync.Once
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("language") == "slow" {
			held.Do(func() { <-release })
		}
		writeJSON(w, http.StatusOK, pageBody(r, 1, []int64{1}, false))
	})
	srv := httptest.NewUnstartedServer(h)
	var mu sync.Mutex
	open := map[net.Conn]struct{}{}
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		mu.Lock()
		defer mu.Unlock()
		switch s {
		case http.StateNew:
			open[c] = struct{}{}
		case http.StateClosed, http.StateHijacked:
			delete(open, c)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	var releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(unblock) // before srv.Close, which waits for the held handler
	openConns := func() int { mu.Lock(); defer mu.Unlock(); return len(open) }
	// A transport of the test's own, wrapped as the SDK wraps the plugin's: the client must
	// close it through Options.Transport.
	transport := srv.Client().Transport.(*http.Transport).Clone()
	wrapped := &http.Client{Transport: roundTripper(transport.RoundTrip)}
	c, err := New(Options{BaseURL: srv.URL, APIKey: testKey, Concurrency: 2, HTTPClient: wrapped, Transport: transport})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Two requests at once: two connections, one held and one idle once answered.
	slow := make(chan error, 1)
	go func() {
		_, _, err := c.Count(ctx, Filters{Params: map[string]string{"language": "slow"}}, Settled{})
		slow <- err
	}()
	waitFor(t, func() bool { return openConns() == 1 })
	if _, _, err := c.Count(ctx, Filters{Params: map[string]string{"language": "en"}}, Settled{}); err != nil {
		t.Fatal(err)
	}
	if n := openConns(); n != 2 {
		t.Fatalf("%d connections open, want 2", n)
	}
	c.Close()
	waitFor(t, func() bool { return openConns() == 1 }) // the idle one, at once
	unblock()
	if err := <-slow; err != nil {
		t.Fatalf("the request in flight at Close failed: %v", err)
	}
	waitFor(t, func() bool { return openConns() == 0 })
	if _, _, err := c.Count(ctx, Filters{}, Settled{}); err != nil {
		t.Fatalf("a call after Close failed: %v", err)
	}
	waitFor(t, func() bool { return openConns() == 0 })
	deadline := time.Now().Add(200 * time.Millisecond)
	for time.Now().Before(deadline) {
		if n := openConns(); n != 0 {
			t.Fatalf("%d connections open after a call on a closed client", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
