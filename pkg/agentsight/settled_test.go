package agentsight_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
)

// settledEnv is a client whose responses live a millisecond, for a fake API of 400
// conversations over 28 days, and a count of the requests it sends.
func settledEnv(t *testing.T, cacheBytes int64) (*agentsight.Client, *atomic.Int64, time.Time) {
	t.Helper()
	srv := fakeapi.New(fakeapi.Options{Dataset: fakeapi.NewDataset(fakeapi.DatasetOptions{Conversations: 400})})
	var sent atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { srv.Close(); hs.Close() })
	c, err := agentsight.New(agentsight.Options{BaseURL: hs.URL, APIKey: fakeapi.DemoKey, PageSize: 20, CacheTTL: time.Millisecond, Budget: agentsight.NewBudget(cacheBytes), HTTPClient: hs.Client()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, &sent, fakeapi.DefaultEnd()
}

// pastTTL waits until what the cache kept for d has expired.
func pastTTL(d time.Duration) { time.Sleep(d + 5*time.Millisecond) }

// listSettled is a listing of f that reuses settled rows, and how many it reused.
func listSettled(ctx context.Context, c *agentsight.Client, f agentsight.Filters, s agentsight.Settled) (*agentsight.Listing, int, error) {
	l, err := c.List(ctx, agentsight.ListRequest{Filters: f, Detail: agentsight.Summary, Settled: s})
	if err != nil {
		return nil, 0, err
	}
	return l, l.Reused, nil
}

func ids(convs []agentsight.Conversation) []int64 {
	out := make([]int64, len(convs))
	for i, c := range convs {
		out[i] = c.ID
	}
	return out
}

func TestSettledListingReadsOnlyTheTail(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		cacheBytes int64
		maxAge     time.Duration
		wantReuse  bool
	}{
		{"refresh reads the tail", 64 << 20, time.Hour, true},
		{"settled rows expire after MaxAge", 64 << 20, time.Millisecond, false},
		{"rows beyond the cache's budget are not kept", 4 << 10, time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, rec, end := settledEnv(t, tc.cacheBytes)
			settled := agentsight.Settled{Before: end.Add(-time.Hour), MaxAge: tc.maxAge}
			f := agentsight.Filters{StartedAfter: end.Add(-7 * 24 * time.Hour), StartedBefore: end.Add(-30 * time.Minute)}
			first, reused, err := listSettled(ctx, c, f, settled)
			if err != nil || reused != 0 {
				t.Fatalf("first read: reused %d, error %v", reused, err)
			}
			if len(first.Conversations) < 60 {
				t.Fatalf("only %d conversations in range: the test needs several pages", len(first.Conversations))
			}
			pastTTL(time.Millisecond)
			sent := rec.Load()
			f.StartedAfter, f.StartedBefore = f.StartedAfter.Add(10*time.Minute), end
			got, reused, err := listSettled(ctx, c, f, settled)
			if err != nil {
				t.Fatal(err)
			}
			refresh := int(rec.Load() - sent)
			pastTTL(time.Millisecond)
			want, err := c.List(ctx, agentsight.ListRequest{Filters: f, Detail: agentsight.Summary})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got.Conversations), ids(want.Conversations)) || got.Count != want.Count {
				t.Fatalf("refresh listed %v (count %d), a full read %v (count %d)", ids(got.Conversations), got.Count, ids(want.Conversations), want.Count)
			}
			full := (want.Count + 19) / 20
			if tc.wantReuse && (refresh != 1 || reused != len(want.Conversations)-countAfter(want.Conversations, settled.Before)) {
				t.Fatalf("refresh sent %d requests (want 1, the tail) and reused %d rows", refresh, reused)
			}
			if !tc.wantReuse && (refresh != full || reused != 0) {
				t.Fatalf("refresh sent %d requests (want a full read, %d) and reused %d rows", refresh, full, reused)
			}
		})
	}
}

func countAfter(convs []agentsight.Conversation, t time.Time) int {
	n := 0
	for _, c := range convs {
		if !c.StartedAt.Before(t) {
			n++
		}
	}
	return n
}

func TestCountReusesSettledBuckets(t *testing.T) {
	ctx := context.Background()
	c, rec, end := settledEnv(t, 64<<20)
	settled := agentsight.Settled{Before: end.Add(-time.Hour), MaxAge: time.Hour}
	old := agentsight.Filters{StartedAfter: end.Add(-3 * time.Hour), StartedBefore: end.Add(-2 * time.Hour)}
	live := agentsight.Filters{StartedAfter: end.Add(-time.Hour), StartedBefore: end}
	for i, want := range []struct {
		f      agentsight.Filters
		reused bool
	}{{old, false}, {old, true}, {live, false}, {live, false}} {
		before := rec.Load()
		_, reused, err := c.Count(ctx, want.f, settled)
		pastTTL(time.Millisecond)
		if err != nil || reused != want.reused || (rec.Load() == before) != want.reused {
			t.Fatalf("count %d: reused %v (want %v), %d requests, error %v", i, reused, want.reused, rec.Load()-before, err)
		}
	}
}

// An API that lists oldest first still gets its settled rows reused, in the client's order:
// newest first.
func TestSettledListingOrdersRowsWhateverTheAPIOrder(t *testing.T) {
	ctx := context.Background()
	end := fakeapi.DefaultEnd()
	var sent atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if after, _ := time.Parse(time.RFC3339, r.URL.Query().Get("started_at_after")); after.After(end.Add(-2 * time.Hour)) {
			_, _ = fmt.Fprint(w, `{"count":0,"next":null,"previous":null,"results":[]}`)
			return
		}
		_, _ = fmt.Fprintf(w, `{"count":2,"next":null,"previous":null,"results":[{"id":1,"started_at":%q},{"id":2,"started_at":%q}]}`,
			end.Add(-3*time.Hour).Format(time.RFC3339), end.Add(-2*time.Hour).Format(time.RFC3339))
	}))
	t.Cleanup(hs.Close)
	c, err := agentsight.New(agentsight.Options{BaseURL: hs.URL, APIKey: "k", CacheTTL: time.Millisecond, HTTPClient: hs.Client()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	settled := agentsight.Settled{Before: end.Add(-time.Hour), MaxAge: time.Hour}
	f := agentsight.Filters{StartedAfter: end.Add(-24 * time.Hour), StartedBefore: end}
	for i, wantReused := range []int{0, 2} {
		l, reused, err := listSettled(ctx, c, f, settled)
		pastTTL(time.Millisecond)
		if err != nil || reused != wantReused || sent.Load() != int64(i+1) || !slices.Equal(ids(l.Conversations), []int64{2, 1}) {
			t.Fatalf("read %d: %v, reused %d rows, %d requests, error %v", i, ids(l.Conversations), reused, sent.Load(), err)
		}
	}
}
