package fakeapi

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"
)

func TestMessageContainsStaysWithinOneMessage(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ds := &Dataset{Conversations: []Conversation{
		{ID: 1, StartedAt: t0, Messages: []Message{{ID: 1, Content: "Hello"}, {ID: 2, Content: "World"}}},
		{ID: 2, StartedAt: t0, Messages: []Message{{ID: 3, Content: "hello world"}, {ID: 4, Content: "HELLO again"}}},
	}}
	f := newFixture(t, Options{Dataset: ds})
	for _, tt := range []struct {
		search string
		want   []int64
	}{
		{"hello", []int64{2, 1}}, // a conversation with two hits is listed once
		{"o w", []int64{2}},
		{"ow", nil},
		{"helloworld", nil},
	} {
		p := f.list(url.Values{"message_contains": {tt.search}})
		if got := p.ids(); p.Count != len(tt.want) || !slices.Equal(got, tt.want) && len(tt.want) > 0 {
			t.Errorf("%q: %v (count %d), want %v", tt.search, got, p.Count, tt.want)
		}
	}
}

func TestServe(t *testing.T) {
	srv := New(Options{Dataset: NewDataset(DatasetOptions{Conversations: 10})})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()

	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/api/conversations/", nil)
	req.Header.Set("Authorization", "Api-Key "+DemoKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != 200 || len(body) == 0 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	// A hanging request must not hold up shutdown.
	srv.AddFault(Fault{Kind: FaultHang})
	go func() {
		if resp, err := http.DefaultClient.Do(req.Clone(context.Background())); err == nil {
			resp.Body.Close()
		}
	}()
	for srv.RequestCount() < 2 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}

// BenchmarkWalk100k reads every page of a 100k data set, the plugin's worst case.
func BenchmarkWalk100k(b *testing.B) {
	srv := New(Options{Dataset: NewDataset(DatasetOptions{Conversations: 100_000})})
	b.ResetTimer()
	for b.Loop() {
		for page := 1; page <= 1000; page++ {
			req, _ := http.NewRequest("GET", "/api/conversations/?page_size=100&page="+itoa(page)+"&started_at_after=2000-01-01T00:00:00Z", nil)
			req.Header.Set("Authorization", "Api-Key demo-key")
			w := &discardWriter{h: http.Header{}}
			srv.ServeHTTP(w, req)
			if w.status != 200 {
				b.Fatalf("page %d: %d", page, w.status)
			}
		}
	}
}

func BenchmarkMessageContains100k(b *testing.B) {
	srv := New(Options{Dataset: NewDataset(DatasetOptions{Conversations: 100_000})})
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		// A different search each time defeats the result cache.
		req, _ := http.NewRequest("GET", "/api/conversations/?message_contains=refund"+itoa(i), nil)
		req.Header.Set("Authorization", "Api-Key demo-key")
		w := &discardWriter{h: http.Header{}}
		srv.ServeHTTP(w, req)
	}
}

type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(s int)           { w.status = s }

// The health path answers without a key, past every fault, and leaves the log
// and the faults' Times alone.
func TestHealthPathSkipsAuthFaultsAndLog(t *testing.T) {
	srv := New(Options{Dataset: NewDataset(DatasetOptions{Conversations: 10})})
	srv.AddFault(Fault{Kind: FaultStatus, Status: 503, Times: 1})
	for range 3 {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest("GET", HealthPath, nil))
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s = %d %s, want 200", HealthPath, w.Code, w.Body)
		}
	}
	if n := srv.RequestCount(); n != 0 {
		t.Errorf("RequestCount = %d after health checks, want 0", n)
	}
	req := httptest.NewRequest("GET", "/api/conversations/", nil)
	req.Header.Set("Authorization", "Api-Key "+DemoKey)
	w := httptest.NewRecorder()
	srv.ServeHTTP(w, req)
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("first API request = %d, want the injected 503 still unused by the health checks", w.Code)
	}
}
