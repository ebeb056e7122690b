package agentsight

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// failThen answers the first n requests with fail, then a valid empty page.
func failThen(n int64, fail func(w http.ResponseWriter, r *http.Request)) (http.HandlerFunc, *atomic.Int64) {
	var seen atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= n {
			fail(w, r)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"count": 0, "next": nil, "previous": nil, "results": []any{}})
	}, &seen
}

func status(code int, header ...string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
	}
}

// hangUp closes the connection without an answer; reset makes it a TCP RST.
func hangUp(reset bool) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		if tcp, ok := conn.(*net.TCPConn); ok && reset {
			_ = tcp.SetLinger(0)
		}
		_ = conn.Close()
	}
}

func TestRetries(t *testing.T) {
	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name      string
		fail      func(w http.ResponseWriter, r *http.Request)
		failures  int64
		wantErr   ErrorKind // 0 = success
		wantCalls int64
	}{
		{"429 Retry-After 0 then ok", status(429, "Retry-After", "0"), 2, 0, 3},
		{"429 without Retry-After then ok", status(429), 1, 0, 2},
		{"429 Retry-After HTTP-date in the past then ok", status(429, "Retry-After", past), 1, 0, 2},
		{"429 until attempts run out", status(429, "Retry-After", "0"), 99, KindRateLimited, 3},
		{"502 then ok", status(502), 1, 0, 2},
		{"503 then ok", status(503), 2, 0, 3},
		{"504 until attempts run out", status(504), 99, KindServer, 3},
		{"connection closed then ok", hangUp(false), 2, 0, 3},
		{"connection reset then ok", hangUp(true), 1, 0, 2},
		{"connection closed until attempts run out", hangUp(false), 99, KindNetwork, 3},
		{"400 not retried", status(400), 99, KindBadRequest, 1},
		{"401 not retried", status(401), 99, KindUnauthorized, 1},
		{"403 not retried", status(403), 99, KindForbidden, 1},
		{"404 not retried", status(404), 99, KindNotFound, 1},
		{"500 not retried", status(500), 99, KindServer, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, seen := failThen(tt.failures, tt.fail)
			_, c := newTestServer(t, h, nil)
			trace := &Trace{}
			_, err := c.listConversations(WithTrace(context.Background(), trace), Filters{}, 1, 0)
			if KindOf(err) != tt.wantErr {
				t.Fatalf("error = %v (kind %d), want kind %d", err, KindOf(err), tt.wantErr)
			}
			if err != nil {
				assertNoKey(t, err.Error())
			}
			if n := seen.Load(); n != tt.wantCalls {
				t.Errorf("server saw %d requests, want %d", n, tt.wantCalls)
			}
			if sent, attempts, _ := trace.Requests(); sent != 1 || int64(attempts) != tt.wantCalls {
				t.Errorf("trace: sent %d attempts %d, want 1 and %d", sent, attempts, tt.wantCalls)
			}
		})
	}
}

func TestRetryAfterBeyondDeadlineStopsAtOnce(t *testing.T) {
	for _, retryAfter := range []string{"3600", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)} {
		t.Run(retryAfter, func(t *testing.T) {
			h, seen := failThen(99, status(429, "Retry-After", retryAfter))
			_, c := newTestServer(t, h, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err := c.listConversations(ctx, Filters{}, 1, 0)
			var apiErr *Error
			// Waiting would end in the deadline (a network error); giving up at once reports the 429.
			if !errors.As(err, &apiErr) || apiErr.Kind != KindRateLimited {
				t.Fatalf("error = %v, want the 429 at once", err)
			}
			if apiErr.RetryAfter < 50*time.Minute {
				t.Errorf("RetryAfter = %s, want about an hour", apiErr.RetryAfter)
			}
			if n := seen.Load(); n != 1 {
				t.Errorf("server saw %d requests, want 1", n)
			}
		})
	}
}

func TestRetryPolicy(t *testing.T) {
	p := retryPolicy{maxAttempts: 4, base: 100 * time.Millisecond, max: 10 * time.Second}
	deadline, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	tests := []struct {
		name      string
		ctx       context.Context
		attempt   int
		err       error
		wantRetry bool
		wantWait  time.Duration // exact when RetryAfter is set; else the backoff's upper bound
	}{
		{"429 honours Retry-After", context.Background(), 1, &Error{Kind: KindRateLimited, StatusCode: 429, RetryAfter: 3 * time.Second}, true, 3 * time.Second},
		{"429 backoff", context.Background(), 2, &Error{Kind: KindRateLimited, StatusCode: 429}, true, 200 * time.Millisecond},
		{"503 backoff", context.Background(), 1, &Error{Kind: KindServer, StatusCode: 503}, true, 100 * time.Millisecond},
		{"last attempt", context.Background(), 4, &Error{Kind: KindServer, StatusCode: 503}, false, 0},
		{"500", context.Background(), 1, &Error{Kind: KindServer, StatusCode: 500}, false, 0},
		{"decode", context.Background(), 1, &Error{Kind: KindDecode}, false, 0},
		{"plain error", context.Background(), 1, errors.New("x"), false, 0},
		{"cancelled", cancelled, 1, &Error{Kind: KindServer, StatusCode: 503}, false, 0},
		{"Retry-After past the deadline", deadline, 1, &Error{Kind: KindRateLimited, StatusCode: 429, RetryAfter: time.Minute}, false, 0},
		// Without a deadline a Retry-After of an hour would hang the query for an hour.
		{"Retry-After beyond the longest wait", context.Background(), 1, &Error{Kind: KindRateLimited, StatusCode: 429, RetryAfter: time.Hour}, false, 0},
		{"network error that is not a reset", context.Background(), 1, &Error{Kind: KindNetwork, Err: errors.New("no such host")}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wait, retry := p.next(tt.ctx, tt.attempt, tt.err)
			if retry != tt.wantRetry {
				t.Fatalf("retry = %v, want %v", retry, tt.wantRetry)
			}
			if !retry {
				return
			}
			var apiErr *Error
			errors.As(tt.err, &apiErr)
			if apiErr.RetryAfter > 0 && wait != tt.wantWait {
				t.Errorf("wait = %s, want %s", wait, tt.wantWait)
			}
			if apiErr.RetryAfter == 0 && (wait < tt.wantWait/2 || wait > tt.wantWait) {
				t.Errorf("wait = %s, want between %s and %s", wait, tt.wantWait/2, tt.wantWait)
			}
		})
	}
}

func TestBackoffBounded(t *testing.T) {
	p := retryPolicy{maxAttempts: 100, base: time.Second, max: 10 * time.Second}
	for attempt := 1; attempt < 80; attempt++ {
		if d := p.backoff(attempt); d <= 0 || d > p.max {
			t.Fatalf("backoff(%d) = %s, want in (0, %s]", attempt, d, p.max)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 10, 22, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"7", 7 * time.Second},
		{"-3", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"Wed, 22 Oct 2025 10:00:30 GMT", 30 * time.Second},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestCancellationStopsInFlightRequest(t *testing.T) {
	started := make(chan struct{})
	serverSawCancel := make(chan struct{})
	srv, c := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done() // the client hung up
		close(serverSawCancel)
	}), nil)
	_ = srv
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := c.listConversations(ctx, Filters{}, 1, 0)
		errc <- err
	}()
	<-started
	cancel()
	err := <-errc
	if KindOf(err) != KindNetwork || !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want a network error wrapping context.Canceled", err)
	}
	<-serverSawCancel
}

func TestPerAttemptTimeout(t *testing.T) {
	release := make(chan struct{})
	var seen atomic.Int64
	_, c := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}), func(o *Options) { o.Timeout = 50 * time.Millisecond })
	defer close(release)
	_, err := c.listConversations(context.Background(), Filters{}, 1, 0)
	if KindOf(err) != KindNetwork || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want a network timeout", err)
	}
	if seen.Load() != 1 {
		t.Errorf("a timed-out request was retried %d times", seen.Load()-1)
	}
}

func TestRedirects(t *testing.T) {
	t.Run("same origin is followed with the key", func(t *testing.T) {
		var gotKey atomic.Value
		mux := http.NewServeMux()
		mux.HandleFunc("/old/api/conversations/", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/api/conversations/?"+r.URL.RawQuery, http.StatusMovedPermanently)
		})
		mux.HandleFunc("/api/conversations/", func(w http.ResponseWriter, r *http.Request) {
			gotKey.Store(r.Header.Get("Authorization"))
			writeJSON(w, http.StatusOK, map[string]any{"count": 3, "results": []any{conv(1)}})
		})
		srv, _ := newTestServer(t, mux, nil)
		c, err := New(Options{BaseURL: srv.URL + "/old", APIKey: testKey, HTTPClient: srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseIdleConnections()
		p, err := c.listConversations(context.Background(), Filters{}, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		if p.Count != 3 {
			t.Errorf("count = %d", p.Count)
		}
		if gotKey.Load() != "Api-Key "+testKey {
			t.Errorf("redirected request carried %q", gotKey.Load())
		}
	})
	for _, header := range []string{"Authorization", "X-Api-Key"} {
		t.Run("other origin is refused/"+header, func(t *testing.T) {
			var otherSeen atomic.Int64
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				otherSeen.Add(1)
				for _, vs := range r.Header {
					for _, v := range vs {
						if strings.Contains(v, testKey) {
							t.Errorf("the other origin received the key")
						}
					}
				}
				writeJSON(w, http.StatusOK, map[string]any{"count": 0, "results": []any{}})
			}))
			defer other.Close()
			defer other.CloseClientConnections()
			var seen atomic.Int64
			_, c := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen.Add(1)
				http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusFound)
			}), func(o *Options) { o.AuthHeader = header })
			_, err := c.listConversations(context.Background(), Filters{}, 1, 0)
			if KindOf(err) != KindRefused {
				t.Fatalf("error = %v (kind %d), want KindRefused", err, KindOf(err))
			}
			if !strings.Contains(err.Error(), "another origin") {
				t.Errorf("error = %v, want it to say why", err)
			}
			assertNoKey(t, err.Error())
			if otherSeen.Load() != 0 {
				t.Errorf("the other origin saw %d requests", otherSeen.Load())
			}
			if seen.Load() != 1 {
				t.Errorf("a refused redirect was retried: %d requests", seen.Load())
			}
		})
	}
	t.Run("redirect loop stops", func(t *testing.T) {
		var seen atomic.Int64
		_, c := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := seen.Add(1)
			http.Redirect(w, r, "/api/conversations/?n="+strconv.FormatInt(n, 10), http.StatusFound)
		}), nil)
		_, err := c.listConversations(context.Background(), Filters{}, 1, 0)
		if err == nil || !strings.Contains(err.Error(), "redirects") {
			t.Fatalf("error = %v, want a redirect limit", err)
		}
		if seen.Load() > 6 {
			t.Errorf("followed %d redirects", seen.Load())
		}
	})
}
