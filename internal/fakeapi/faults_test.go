package fakeapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const listPath = "/api/conversations/"

func TestFaultStatus(t *testing.T) {
	f := newFixture(t, Options{})
	f.srv.AddFault(Fault{Kind: FaultStatus, Status: 503, Times: 2})
	for i := range 2 {
		st, body, _ := f.do("GET", f.url(listPath, nil))
		if st != 503 || string(body) != `{"detail":"Service temporarily unavailable, try again later."}` {
			t.Fatalf("request %d: %d %s", i, st, body)
		}
	}
	if st, _ := f.get(listPath, nil); st != 200 {
		t.Fatalf("after Times ran out: %d", st)
	}

	f.srv.AddFault(Fault{Kind: FaultStatus, Status: 429, RetryAfter: "7", Times: 1})
	st, body, h := f.do("GET", f.url(listPath, nil))
	if st != 429 || h.Get("Retry-After") != "7" || string(body) != `{"detail":"Request was throttled. Expected available in 7 seconds."}` {
		t.Fatalf("429: %d %s Retry-After %q", st, body, h.Get("Retry-After"))
	}
	date := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat)
	f.srv.AddFault(Fault{Kind: FaultStatus, Status: 429, RetryAfter: date, Times: 1})
	if st, _, h := f.do("GET", f.url(listPath, nil)); st != 429 || h.Get("Retry-After") != date {
		t.Fatalf("429 with a date: %d %q", st, h.Get("Retry-After"))
	}
	f.srv.AddFault(Fault{Kind: FaultStatus, Times: 1})
	if st, body := f.get(listPath, nil); st != 500 || !json.Valid(body) {
		t.Fatalf("default status: %d %s", st, body)
	}
}

func TestFaultHTMLError(t *testing.T) {
	f := newFixture(t, Options{})
	f.srv.AddFault(Fault{Kind: FaultHTMLError, Times: 1})
	st, body, h := f.do("GET", f.url(listPath, nil))
	if st != 502 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.HasPrefix(string(body), "<html>") || json.Valid(body) {
		t.Fatalf("%d %q %s", st, h.Get("Content-Type"), body)
	}
	f.srv.AddFault(Fault{Kind: FaultHTMLError, Status: 504, Times: 1})
	if st, body := f.get(listPath, nil); st != 504 || !strings.Contains(string(body), "504 Gateway Timeout") {
		t.Fatalf("%d %s", st, body)
	}
}

// TestFaultBodies covers the kinds that keep 200 but break the body.
func TestFaultBodies(t *testing.T) {
	ds := testData()
	q := url.Values{"page_size": {"5"}, "language": {"en"}}
	tests := []struct {
		kind  FaultKind
		path  string
		check func(t *testing.T, f *fixture, body []byte)
	}{
		{FaultBrokenJSON, listPath, func(t *testing.T, f *fixture, body []byte) {
			var v any
			if err := json.Unmarshal(body, &v); err == nil || len(body) == 0 {
				t.Fatalf("body decodes: %.200s", body)
			}
		}},
		{FaultWrongTypes, listPath, func(t *testing.T, f *fixture, body []byte) {
			m := decodeMap(t, body)
			if _, ok := m["count"].(string); !ok {
				t.Fatalf("count is %T", m["count"])
			}
			for _, r := range m["results"].([]any) {
				if _, ok := r.(map[string]any)["id"].(string); !ok {
					t.Fatalf("id is %T", r.(map[string]any)["id"])
				}
			}
		}},
		{FaultWrongTypes, "/api/conversations/1/", func(t *testing.T, f *fixture, body []byte) {
			if id, ok := decodeMap(t, body)["id"].(string); !ok || id != "1" {
				t.Fatalf("detail id %v", id)
			}
		}},
		{FaultBadTimestamp, listPath, func(t *testing.T, f *fixture, body []byte) {
			for _, r := range decodeMap(t, body)["results"].([]any) {
				if s := r.(map[string]any)["started_at"]; s != "not-a-date" {
					t.Fatalf("started_at %v", s)
				}
			}
		}},
		{FaultBadTimestamp, "/api/conversations/2/", func(t *testing.T, f *fixture, body []byte) {
			if s := decodeMap(t, body)["started_at"]; s != "not-a-date" {
				t.Fatalf("started_at %v", s)
			}
		}},
		{FaultNextOtherHost, listPath, func(t *testing.T, f *fixture, body []byte) {
			next, _ := decodeMap(t, body)["next"].(string)
			if want := "http://evil.example.invalid/api/conversations/?language=en&page=2&page_size=5"; next != want {
				t.Fatalf("next %q, want %q", next, want)
			}
		}},
		{FaultNextLoop, listPath, func(t *testing.T, f *fixture, body []byte) {
			next, _ := decodeMap(t, body)["next"].(string)
			if want := f.url(listPath, q); next != want {
				t.Fatalf("next %q, want %q", next, want)
			}
		}},
		{FaultCountMismatch, listPath, func(t *testing.T, f *fixture, body []byte) {
			want := len(expectIDs(ds, func(c *Conversation) bool { return c.Language == "en" }))
			if c := decodeMap(t, body)["count"]; c != float64(10*want) {
				t.Fatalf("count %v, want %d", c, 10*want)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String()+tt.path, func(t *testing.T) {
			f := newFixture(t, Options{})
			f.srv.AddFault(Fault{Kind: tt.kind, Times: 1})
			st, body, _ := f.do("GET", f.url(tt.path, q))
			if st != 200 {
				t.Fatalf("status %d %s", st, body)
			}
			tt.check(t, f, body)
			// Times: 1 means the next request is healthy again.
			if st, body, _ := f.do("GET", f.url(tt.path, q)); st != 200 || !json.Valid(body) || strings.Contains(string(body), "not-a-date") {
				t.Fatalf("second request still faulty: %d %.200s", st, body)
			}
		})
	}
}

func TestFaultsLeaveErrorsAlone(t *testing.T) {
	f := newFixture(t, Options{})
	f.srv.AddFault(Fault{Kind: FaultBrokenJSON})
	f.auth = ""
	if st, body := f.get(listPath, nil); st != 401 || !json.Valid(body) {
		t.Fatalf("%d %s", st, body)
	}
}

func TestFaultSlowBody(t *testing.T) {
	f := newFixture(t, Options{})
	q := url.Values{"page_size": {"2"}}
	_, want := f.get(listPath, q)
	f.srv.AddFault(Fault{Kind: FaultSlowBody, Delay: 2 * time.Millisecond, Times: 1})
	start := time.Now()
	st, got := f.get(listPath, q)
	chunks := (len(want) + slowChunk - 1) / slowChunk
	if st != 200 || string(got) != string(want) {
		t.Fatalf("slow body differs: %d %s", st, got)
	}
	if min := time.Duration(chunks-1) * 2 * time.Millisecond; time.Since(start) < min {
		t.Fatalf("took %v, want at least %v", time.Since(start), min)
	}

	// A client that gives up stops the writer instead of leaving it running.
	f.srv.AddFault(Fault{Kind: FaultSlowBody, Delay: time.Hour, Times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", f.url(listPath, q), nil)
	req.Header.Set("Authorization", f.auth)
	resp, err := f.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err) // headers and the first chunk arrive at once
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("read error %v, want deadline exceeded", err)
	}
}

func TestFaultHugeBody(t *testing.T) {
	f := newFixture(t, Options{})
	f.srv.AddFault(Fault{Kind: FaultHugeBody, Times: 1})
	req, _ := http.NewRequest("GET", f.url(listPath, nil), nil)
	req.Header.Set("Authorization", f.auth)
	resp, err := f.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != -1 {
		t.Fatalf("status %d, content length %d", resp.StatusCode, resp.ContentLength)
	}
	var head [32]byte
	if _, err := io.ReadFull(resp.Body, head[:]); err != nil || !strings.HasPrefix(string(head[:]), `{"count":1,"padding":"xxx`) {
		t.Fatalf("head %q %v", head, err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || n < HugeBodySize {
		t.Fatalf("read %d bytes (%v), want more than %d", n, err, HugeBodySize)
	}
}

func TestFaultHang(t *testing.T) {
	f := newFixture(t, Options{})
	f.srv.AddFault(Fault{Kind: FaultHang, Times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", f.url(listPath, nil), nil)
	start := time.Now()
	_, err := f.ts.Client().Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}

	// Close releases a hanging request, so test servers shut down promptly.
	f.srv.AddFault(Fault{Kind: FaultHang, Times: 1})
	done := make(chan int)
	go func() {
		req, _ := http.NewRequest("GET", f.url(listPath, nil), nil)
		resp, err := f.ts.Client().Do(req)
		if err != nil {
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	for f.srv.RequestCount() < 2 {
		time.Sleep(time.Millisecond)
	}
	f.srv.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release the hanging request")
	}
}

func TestFaultDelay(t *testing.T) {
	f := newFixture(t, Options{})
	f.srv.AddFault(Fault{Kind: FaultStatus, Status: 503, Delay: 50 * time.Millisecond, Times: 1})
	start := time.Now()
	if st, _ := f.get(listPath, nil); st != 503 || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("%d after %v", st, time.Since(start))
	}
}

func TestFaultSelection(t *testing.T) {
	f := newFixture(t, Options{})
	// Faults apply in the order added; each is used up before the next.
	f.srv.AddFault(Fault{Kind: FaultStatus, Status: 500, Times: 1})
	f.srv.AddFault(Fault{Kind: FaultStatus, Status: 502, Times: 1})
	f.srv.AddFault(Fault{Kind: FaultStatus, Status: 404, PathPrefix: "/api/conversations/7/"})
	var got []int
	for range 3 {
		st, _ := f.get(listPath, nil)
		got = append(got, st)
	}
	if want := []int{500, 502, 200}; !slices.Equal(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	for range 2 {
		if st, _ := f.get("/api/conversations/7/attachments/", nil); st != 404 {
			t.Fatalf("prefix fault with Times 0 not applied every time: %d", st)
		}
	}
	if st, _ := f.get("/api/conversations/8/", nil); st != 200 {
		t.Fatalf("prefix fault hit another path: %d", st)
	}
	f.srv.ClearFaults()
	if st, _ := f.get("/api/conversations/7/", nil); st != 200 {
		t.Fatalf("after ClearFaults: %d", st)
	}
}

func TestLatency(t *testing.T) {
	f := newFixture(t, Options{})
	f.srv.SetLatency(60 * time.Millisecond)
	start := time.Now()
	if st, _ := f.get("/api/conversations/1/", nil); st != 200 || time.Since(start) < 60*time.Millisecond {
		t.Fatalf("%d after %v", st, time.Since(start))
	}
	if got := f.srv.MeanResponseTime(); got < 60*time.Millisecond {
		t.Fatalf("MeanResponseTime = %v, want at least the latency", got)
	}
	// A cancelled request does not sit out the whole latency.
	f.srv.SetLatency(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", f.url(listPath, nil), nil)
	if _, err := f.ts.Client().Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	f.srv.SetLatency(0)
	start = time.Now()
	if st, _ := f.get(listPath, nil); st != 200 || time.Since(start) > 5*time.Second {
		t.Fatalf("after SetLatency(0): %d in %v", st, time.Since(start))
	}
}

func TestRequestLog(t *testing.T) {
	f := newFixture(t, Options{})
	f.get(listPath, url.Values{"language": {"de"}, "page": {"2"}})
	f.auth = "Api-Key " + ForbiddenKey
	f.get("/api/conversations/3/", nil)
	f.auth = ""
	f.do("POST", f.url("/api/conversations/3/attachments/", nil))

	reqs := f.srv.Requests()
	if f.srv.RequestCount() != 3 || len(reqs) != 3 {
		t.Fatalf("count %d, %d logged", f.srv.RequestCount(), len(reqs))
	}
	if r := reqs[0]; r.Method != "GET" || r.Path != listPath || r.Query.Get("language") != "de" || r.Query.Get("page") != "2" ||
		!r.Authorized || r.Header.Get("Authorization") != "Api-Key demo-key" {
		t.Fatalf("first request %+v", r)
	}
	if r := reqs[1]; r.Path != "/api/conversations/3/" || r.Authorized {
		t.Fatalf("forbidden request %+v", r)
	}
	if r := reqs[2]; r.Method != "POST" || r.Authorized || r.Header.Get("Authorization") != "" {
		t.Fatalf("unauthenticated request %+v", r)
	}
	// The log hands out copies.
	reqs[0].Query.Set("language", "xx")
	reqs[0].Header.Set("Authorization", "changed")
	if r := f.srv.Requests()[0]; r.Query.Get("language") != "de" || r.Header.Get("Authorization") != "Api-Key demo-key" {
		t.Fatal("Requests returned shared maps")
	}
	f.srv.ResetRequests()
	if f.srv.RequestCount() != 0 || len(f.srv.Requests()) != 0 {
		t.Fatal("ResetRequests left entries")
	}
}

// TestConcurrency exercises every mutable part at once; run with -race.
func TestConcurrency(t *testing.T) {
	f := newFixture(t, Options{EmbedMessages: true})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			f.srv.AddFault(Fault{Kind: FaultCountMismatch, Times: 1})
			f.srv.SetLatency(time.Duration(i%2) * time.Millisecond)
			_ = f.srv.Requests()
			if i%10 == 0 {
				f.srv.ClearFaults()
			}
			time.Sleep(time.Millisecond)
		}
	})
	var clients sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		clients.Go(func() {
			for i := range 15 {
				q := url.Values{"page": {itoa(1 + i%3)}, "language": {[]string{"en", "de", "fr"}[g%3]}, "message_contains": {"order"}}
				req, _ := http.NewRequest("GET", f.url(listPath, q), nil)
				req.Header.Set("Authorization", "Api-Key demo-key")
				resp, err := f.ts.Client().Do(req)
				if err != nil {
					errs <- err
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !json.Valid(body) {
					errs <- errors.New(resp.Status)
					return
				}
			}
		})
	}
	clients.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := f.srv.RequestCount(); n != 8*15 {
		t.Fatalf("logged %d requests, want %d", n, 8*15)
	}
}
