package agentsight

import (
	"context"
	"slices"
	"sync"
)

// Priority orders the requests waiting for a client's request slots.
type Priority int

const (
	// PriorityNormal is a dashboard's, Explore's or a resource's request.
	PriorityNormal Priority = iota
	// PriorityAlert is an alert rule's: it is sent before every waiting normal request, so
	// that an alert is not delayed by the dashboards loading on the same data source.
	PriorityAlert
)

type priorityKey struct{}

// WithPriority marks the requests made with ctx as of priority p.
func WithPriority(ctx context.Context, p Priority) context.Context {
	return context.WithValue(ctx, priorityKey{}, p)
}

// PriorityFrom is the priority WithPriority put in ctx (PriorityNormal when none).
func PriorityFrom(ctx context.Context) Priority {
	p, _ := ctx.Value(priorityKey{}).(Priority)
	return p
}

// slotQueue bounds the requests a client has in flight. A freed slot goes to the first alert
// request waiting, else to the first normal one: each priority is served in arrival order. No
// slot is reserved for alerts, so that dashboards keep the whole concurrency when no alert
// runs; an alert waits at most for the first request in flight to finish.
type slotQueue struct {
	mu      sync.Mutex
	size    int
	used    int
	waiting [PriorityAlert + 1][]*slotWaiter
}

type slotWaiter struct {
	granted chan struct{} // closed when the slot is handed over
}

func newSlotQueue(size int) *slotQueue { return &slotQueue{size: size} }

// acquire waits for a slot; the error is ctx's when it ends first.
func (q *slotQueue) acquire(ctx context.Context, p Priority) error {
	if p < PriorityNormal || p > PriorityAlert {
		p = PriorityNormal
	}
	q.mu.Lock()
	// Slots are handed over by release, so nobody waits while one is free.
	if q.used < q.size {
		q.used++
		q.mu.Unlock()
		return nil
	}
	w := &slotWaiter{granted: make(chan struct{})}
	q.waiting[p] = append(q.waiting[p], w)
	q.mu.Unlock()
	select {
	case <-w.granted:
		return nil
	case <-ctx.Done():
		q.mu.Lock()
		if i := slices.Index(q.waiting[p], w); i >= 0 {
			q.waiting[p] = slices.Delete(q.waiting[p], i, i+1)
			q.mu.Unlock()
			return ctx.Err()
		}
		q.mu.Unlock()
		// The slot was handed over as ctx ended: pass it on.
		q.release()
		return ctx.Err()
	}
}

// release frees a slot, handing it to the next waiter if any.
func (q *slotQueue) release() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for p := PriorityAlert; p >= PriorityNormal; p-- {
		if len(q.waiting[p]) > 0 {
			w := q.waiting[p][0]
			q.waiting[p] = slices.Delete(q.waiting[p], 0, 1)
			close(w.granted)
			return
		}
	}
	q.used--
}

// waiters is how many requests wait for a slot, for tests.
func (q *slotQueue) waiters() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.waiting[PriorityNormal]) + len(q.waiting[PriorityAlert])
}
