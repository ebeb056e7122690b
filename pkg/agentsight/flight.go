package agentsight

import (
	"context"
	"sync"
)

// flightGroup collapses identical requests in flight into one, so the panels of a dashboard
// that need the same page fetch it once. Unlike x/sync/singleflight it keeps each caller's
// cancellation its own: a caller that gives up leaves, and the request is cancelled only when
// every caller waiting for it has gone.
type flightGroup struct {
	mu      sync.Mutex
	flights map[string]*flight
}

type flight struct {
	done   chan struct{}
	body   []byte
	err    error
	cancel context.CancelFunc
	// waiters counts the callers still waiting; guarded by the group's mutex.
	waiters int
}

func newFlightGroup() *flightGroup {
	return &flightGroup{flights: map[string]*flight{}}
}

// do runs fn once per key at a time; shared reports whether this caller got another caller's
// result. A panic in fn is every waiting caller's *PanicError.
func (g *flightGroup) do(ctx context.Context, key string, fn func(context.Context) ([]byte, error)) (body []byte, shared bool, err error) {
	g.mu.Lock()
	f, ok := g.flights[key]
	if !ok {
		// The request outlives any one caller's cancellation but keeps the first caller's
		// values (trace, tracing span) and deadline.
		runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		if deadline, ok := ctx.Deadline(); ok {
			runCtx, cancel = context.WithDeadline(context.WithoutCancel(ctx), deadline)
		}
		f = &flight{done: make(chan struct{}), cancel: cancel}
		g.flights[key] = f
		go func() {
			defer close(f.done)
			defer cancel()
			var body []byte
			f.err = Contain(func() (err error) {
				body, err = fn(runCtx)
				return err
			})
			f.body = body
			g.mu.Lock()
			if g.flights[key] == f {
				delete(g.flights, key)
			}
			g.mu.Unlock()
		}()
	}
	f.waiters++
	g.mu.Unlock()

	select {
	case <-f.done:
		return f.body, ok, f.err
	case <-ctx.Done():
		g.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.cancel()
			// An abandoned request is cancelled: a caller arriving now must start afresh
			// rather than join it and inherit a cancellation that is not its own.
			if g.flights[key] == f {
				delete(g.flights, key)
			}
		}
		g.mu.Unlock()
		return nil, ok, &Error{Kind: KindNetwork, Endpoint: key, Err: ctx.Err()}
	}
}
