package parallel

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

func TestForEachRunsEveryItemOnce(t *testing.T) {
	var mu sync.Mutex
	var seen []int
	var inFlight, most atomic.Int32
	err := ForEach(t.Context(), 50, 3, func(_ context.Context, i int) error {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		mu.Lock()
		seen = append(seen, i)
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(seen)
	for i, v := range seen {
		if v != i {
			t.Fatalf("items %v, want 0..49 once each", seen)
		}
	}
	if len(seen) != 50 || most.Load() > 3 {
		t.Fatalf("%d items, %d at once (limit 3)", len(seen), most.Load())
	}
}

func TestForEachOneWorkerKeepsOrder(t *testing.T) {
	var order []int
	_ = ForEach(t.Context(), 5, 1, func(_ context.Context, i int) error { order = append(order, i); return nil })
	if !slices.Equal(order, []int{0, 1, 2, 3, 4}) {
		t.Fatalf("order %v", order)
	}
}

func TestForEachStopsAtTheFirstError(t *testing.T) {
	boom := errors.New("boom")
	var ran atomic.Int32
	err := ForEach(t.Context(), 1000, 1, func(ctx context.Context, i int) error {
		ran.Add(1)
		if i == 2 {
			return boom
		}
		return ctx.Err()
	})
	if !errors.Is(err, boom) || ran.Load() > 4 {
		t.Fatalf("err %v after %d items, want boom after about 3", err, ran.Load())
	}
}

func TestForEachHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var ran atomic.Int32
	err := ForEach(ctx, 100, 2, func(context.Context, int) error { ran.Add(1); return nil })
	if !errors.Is(err, context.Canceled) || ran.Load() != 0 {
		t.Fatalf("err %v after %d items", err, ran.Load())
	}
}
