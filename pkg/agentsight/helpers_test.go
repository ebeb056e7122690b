package agentsight

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// Every test server is closed and every client's idle connections with it, so no
	// goroutine may outlive the tests.
	goleak.VerifyTestMain(m)
}

// testKey is unique enough that finding it in any text means it leaked.
const testKey = "sk-live-7Qx9ZtEST-KEY-c4f1"

// newTestServer starts h and returns a client for it with zero-ish backoff. The server's own
// client (and so its transport) is used so that closing the server closes its connections.
func newTestServer(t *testing.T, h http.Handler, mod func(*Options)) (*httptest.Server, *Client) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts := Options{
		BaseURL:        srv.URL,
		APIKey:         testKey,
		RetryBaseDelay: time.Microsecond,
		MaxAttempts:    3,
		HTTPClient:     srv.Client(),
	}
	if mod != nil {
		mod(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return srv, c
}

// counter counts requests by path+query and in total.
type counter struct {
	mu    sync.Mutex
	total int
	byKey map[string]int
}

func (c *counter) add(r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil {
		c.byKey = map[string]int{}
	}
	c.total++
	c.byKey[r.URL.RequestURI()]++
}

func (c *counter) n() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// conv is conversation id as the API lists it; ids in ascending order are newest first, as
// the client orders them.
func conv(id int64) map[string]any {
	return map[string]any{
		"id": id, "conversation_id": fmt.Sprintf("c-%d", id), "customer_id": "cust",
		"language": "en", "device": "mobile", "is_favorite": false,
		"started_at": time.Date(2025, 10, 22, 10, 0, 0, 0, time.UTC).Add(-time.Duration(id) * time.Second).Format(time.RFC3339), "ended_at": nil, "geo_location": nil, "messages": []any{},
	}
}

// pageBody is a DRF page of the given ids; next is set when more exists.
func pageBody(r *http.Request, count int, ids []int64, more bool) map[string]any {
	results := make([]any, 0, len(ids))
	for _, id := range ids {
		results = append(results, conv(id))
	}
	var next any
	if more {
		page := 1
		if p, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil {
			page = p
		}
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(page+1))
		next = "http://" + r.Host + r.URL.Path + "?" + q.Encode()
	}
	return map[string]any{"count": count, "next": next, "previous": nil, "results": results}
}

// pagedHandler serves ids (1..total, or the ids func) in pages of page_size; page beyond the
// end is DRF's 404 "Invalid page.".
func pagedHandler(total int, rec *counter, ids func(page, size int) []int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if rec != nil {
			rec.add(r)
		}
		size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
		page := 1
		if p := r.URL.Query().Get("page"); p != "" {
			page, _ = strconv.Atoi(p)
		}
		pages := (total + size - 1) / size
		if page > max(pages, 1) {
			writeJSON(w, http.StatusNotFound, map[string]any{"detail": "Invalid page."})
			return
		}
		var out []int64
		if ids != nil {
			out = ids(page, size)
		} else {
			for id := (page-1)*size + 1; id <= min(page*size, total); id++ {
				out = append(out, int64(id))
			}
		}
		writeJSON(w, http.StatusOK, pageBody(r, total, out, page < pages))
	}
}

func assertNoKey(t *testing.T, s string) {
	t.Helper()
	if strings.Contains(s, testKey) {
		t.Errorf("text contains the API key: %s", s)
	}
}

// listAll is List without settled data or a visit, as most tests read a listing.
func (c *Client) listAll(ctx context.Context, f Filters, limit int, detail Detail) (*Listing, error) {
	return c.List(ctx, ListRequest{Filters: f, Limit: limit, Detail: detail})
}

// listConversations reads one page (page counts from 1), messages included, by the path every
// page of a listing takes.
func (c *Client) listConversations(ctx context.Context, f Filters, page, pageSize int) (*ConversationPage, error) {
	return c.listPage(ctx, f, page, pageSize, WithMessages, true)
}

// count is Count without settled data.
func (c *Client) count(ctx context.Context, f Filters) (int, error) {
	n, _, err := c.Count(ctx, f, Settled{})
	return n, err
}

// roundTripFunc is a test transport: a listing's worker runs it, so a panic in it is a panic
// in that worker.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }
