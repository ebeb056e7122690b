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
	done    chan struct{}
	body    []byte
	err     error
	cancel  context.CancelFunc
	recycle func([]byte)
	// waiters counts the callers that wait for the body or hold it; finished is set when fn
	// has returned. Both are guarded by the group's mutex.
	waiters  int
	finished bool
}

// recycleBody hands the body back once nobody holds it any more.
func (f *flight) recycleBody() {
	if f.recycle != nil && f.err == nil && f.body != nil {
		f.recycle(f.body)
	}
}

func newFlightGroup() *flightGroup {
	return &flightGroup{flights: map[string]*flight{}}
}

// do runs fn once per key at a time; shared reports whether this caller got another caller's
// result. A caller calls release once done with the body: when every caller that got it has,
// recycle (unless nil) gets it back for reuse. The recycle of the caller that starts a flight
// applies to every caller that joins it.
func (g *flightGroup) do(ctx context.Context, key string, fn func(context.Context) ([]byte, error), recycle func([]byte)) (body []byte, shared bool, release func(), err error) {
	g.mu.Lock()
	f, ok := g.flights[key]
	if !ok {
		// The request outlives any one caller's cancellation but keeps the first caller's
		// values (trace, tracing span) and deadline.
		runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		if deadline, ok := ctx.Deadline(); ok {
			runCtx, cancel = context.WithDeadline(context.WithoutCancel(ctx), deadline)
		}
		f = &flight{done: make(chan struct{}), cancel: cancel, recycle: recycle}
		g.flights[key] = f
		go func() {
			f.body, f.err = fn(runCtx)
			cancel()
			g.mu.Lock()
			if g.flights[key] == f {
				delete(g.flights, key)
			}
			f.finished = true
			abandoned := f.waiters == 0
			g.mu.Unlock()
			close(f.done)
			if abandoned {
				f.recycleBody()
			}
		}()
	}
	f.waiters++
	g.mu.Unlock()

	select {
	case <-f.done:
		return f.body, ok, sync.OnceFunc(func() { g.leave(f) }), f.err
	case <-ctx.Done():
		g.mu.Lock()
		f.waiters--
		if f.waiters == 0 && !f.finished {
			f.cancel()
			// An abandoned request is cancelled: a caller arriving now must start afresh
			// rather than join it and inherit a cancellation that is not its own.
			if g.flights[key] == f {
				delete(g.flights, key)
			}
		}
		last := f.waiters == 0 && f.finished
		g.mu.Unlock()
		if last {
			f.recycleBody()
		}
		return nil, ok, func() {}, &Error{Kind: KindNetwork, Endpoint: key, Err: ctx.Err()}
	}
}

// leave is a caller's release of a finished flight's body.
func (g *flightGroup) leave(f *flight) {
	g.mu.Lock()
	f.waiters--
	last := f.waiters == 0
	g.mu.Unlock()
	if last {
		f.recycleBody()
	}
}
