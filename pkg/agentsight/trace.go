package agentsight

import (
	"context"
	"sync"
	"time"
)

// Call is one API request a query needed, as shown to users: never with the key.
type Call struct {
	Endpoint string
	// Cached is true when the answer came from the cache or from an identical request that
	// another query had in flight, so no request of its own was sent.
	Cached   bool
	Attempts int
	Duration time.Duration
	Err      error
}

// Trace collects the calls made on behalf of one query. Attach it with WithTrace.
type Trace struct {
	mu    sync.Mutex
	calls []Call
}

type traceKey struct{}

// WithTrace returns a context whose API calls are recorded in t.
func WithTrace(ctx context.Context, t *Trace) context.Context {
	return context.WithValue(ctx, traceKey{}, t)
}

func traceFrom(ctx context.Context) *Trace {
	t, _ := ctx.Value(traceKey{}).(*Trace)
	return t
}

func (t *Trace) add(c Call) {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.calls = append(t.calls, c)
	t.mu.Unlock()
}

// Calls returns the recorded calls in the order they finished.
func (t *Trace) Calls() []Call {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Call(nil), t.calls...)
}

// Requests counts the calls that were sent to the API (not answered from the cache) and the
// attempts they took, retries included.
func (t *Trace) Requests() (sent, attempts, cached int) {
	for _, c := range t.Calls() {
		if c.Cached {
			cached++
			continue
		}
		sent++
		attempts += c.Attempts
	}
	return sent, attempts, cached
}

// RecordShared records in ctx's trace calls made for a result that another query computed
// and this query reuses. They are marked cached unless owned (this query made them), so that
// each query shows the calls its data came from and the requests count once.
func RecordShared(ctx context.Context, calls []Call, owned bool) {
	t := traceFrom(ctx)
	for _, c := range calls {
		if !owned {
			c.Cached = true
		}
		t.add(c)
	}
}
