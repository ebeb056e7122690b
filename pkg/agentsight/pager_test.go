package agentsight

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestNextLinkToOtherHostIsNeverRequested(t *testing.T) {
	// The API's next link points elsewhere; walking by page number stays on the base URL.
	var rec counter
	_, c := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		page := r.URL.Query().Get("page")
		body := pageBody(r, 4, []int64{1, 2}, false)
		if page == "" {
			body["next"] = "http://203.0.113.9:1/api/conversations/?page=2&page_size=2"
		} else {
			body["results"] = []any{conv(3), conv(4)}
		}
		writeJSON(w, http.StatusOK, body)
	}), func(o *Options) { o.PageSize = 2 })
	l, err := c.listAll(context.Background(), Filters{}, 0, WithMessages)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Conversations) != 4 || len(l.Problems) != 0 {
		t.Errorf("listing = %d rows, problems %q", len(l.Conversations), l.Problems)
	}
	if rec.n() != 2 {
		t.Errorf("requests = %d, want 2", rec.n())
	}
}

func ids(l *Listing) []int64 {
	out := make([]int64, len(l.Conversations))
	for i, c := range l.Conversations {
		out[i] = c.ID
	}
	return out
}

func TestList(t *testing.T) {
	tests := []struct {
		name          string
		total         int
		pageSize      int
		limit         int
		pageIDs       func(page, size int) []int64 // nil = 1..total
		countOverride int                          // reported count, when not total
		noNext        bool
		wantRows      int
		wantFirstLast [2]int64
		wantTrunc     bool
		wantPages     []int // pages requested, each exactly once ("" = page 1)
		wantProblem   string
	}{
		{name: "all pages", total: 250, pageSize: 100, wantRows: 250, wantFirstLast: [2]int64{1, 250}, wantPages: []int{1, 2, 3}},
		{name: "empty", total: 0, pageSize: 100, wantRows: 0, wantPages: []int{1}},
		{name: "exactly one page", total: 100, pageSize: 100, wantRows: 100, wantFirstLast: [2]int64{1, 100}, wantPages: []int{1}},
		{name: "limit stops early", total: 250, pageSize: 100, limit: 120, wantRows: 120, wantFirstLast: [2]int64{1, 120}, wantTrunc: true, wantPages: []int{1, 2}},
		{name: "limit below page size reads one page", total: 250, pageSize: 100, limit: 30, wantRows: 30, wantFirstLast: [2]int64{1, 30}, wantTrunc: true, wantPages: []int{1}},
		{name: "limit equal to count is not truncated", total: 200, pageSize: 100, limit: 200, wantRows: 200, wantFirstLast: [2]int64{1, 200}, wantPages: []int{1, 2}},
		{name: "duplicates across pages", total: 30, pageSize: 10,
			pageIDs: func(page, size int) []int64 {
				// page 2 repeats the last two ids of page 1 (a row shifted between requests)
				start := int64((page-1)*size + 1)
				if page == 2 {
					start -= 2
				}
				out := []int64{}
				for id := start; id < start+int64(size); id++ {
					out = append(out, id)
				}
				return out
			},
			wantRows: 28, wantFirstLast: [2]int64{1, 30}, wantPages: []int{1, 2, 3}, wantProblem: "2 conversations appeared on more than one page"},
		{name: "count larger than the rows returned", total: 30, pageSize: 10,
			pageIDs: func(page, size int) []int64 {
				if page == 3 {
					return []int64{21, 22}
				}
				out := []int64{}
				for id := (page-1)*size + 1; id <= page*size; id++ {
					out = append(out, int64(id))
				}
				return out
			},
			wantRows: 22, wantFirstLast: [2]int64{1, 22}, wantPages: []int{1, 2, 3}, wantProblem: "reported 30 conversations but returned 22"},
		{name: "missing page is a problem", total: 30, pageSize: 10, countOverride: 40,
			wantRows: 30, wantFirstLast: [2]int64{1, 30}, wantPages: []int{1, 2, 3, 4}, wantProblem: "page 4 of 4 no longer exists"},
		{name: "count promises pages but no next link", total: 5, pageSize: 10, countOverride: 25, noNext: true,
			wantRows: 5, wantFirstLast: [2]int64{1, 5}, wantPages: []int{1}, wantProblem: "reported 25 conversations but only one page"},
		{name: "absurd count with a limit", total: 1_000_000_000_000, pageSize: 100, limit: 500,
			pageIDs: func(page, size int) []int64 {
				out := []int64{}
				for id := (page-1)*size + 1; id <= page*size; id++ {
					out = append(out, int64(id))
				}
				return out
			},
			wantRows: 500, wantFirstLast: [2]int64{1, 500}, wantTrunc: true, wantPages: []int{1, 2, 3, 4, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			pages := map[int]int{}
			_, c := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
				page := 1
				if p := r.URL.Query().Get("page"); p != "" {
					page, _ = strconv.Atoi(p)
				}
				mu.Lock()
				pages[page]++
				mu.Unlock()
				if size != tt.pageSize {
					// Pages of one size whatever the limit, so listings share cached pages.
					t.Errorf("page %d asked with page_size=%d, want %d", page, size, tt.pageSize)
				}
				count := tt.total
				if tt.countOverride > 0 {
					count = tt.countOverride
				}
				npages := (count + size - 1) / size
				var rows []int64
				if tt.pageIDs != nil {
					rows = tt.pageIDs(page, size)
				} else {
					if (page-1)*size >= max(tt.total, 1) && page > 1 {
						writeJSON(w, http.StatusNotFound, map[string]any{"detail": "Invalid page."})
						return
					}
					for id := (page-1)*size + 1; id <= min(page*size, tt.total); id++ {
						rows = append(rows, int64(id))
					}
				}
				writeJSON(w, http.StatusOK, pageBody(r, count, rows, page < npages && !tt.noNext))
			}), func(o *Options) { o.PageSize = tt.pageSize })
			l, err := c.listAll(context.Background(), Filters{Params: map[string]string{"language": "en"}}, tt.limit, WithMessages)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(l)
			if len(got) != tt.wantRows {
				t.Fatalf("rows = %d, want %d", len(got), tt.wantRows)
			}
			if len(got) > 0 && (got[0] != tt.wantFirstLast[0] || got[len(got)-1] != tt.wantFirstLast[1]) {
				t.Errorf("first/last = %d/%d, want %v", got[0], got[len(got)-1], tt.wantFirstLast)
			}
			seen := map[int64]bool{}
			for i, id := range got {
				if seen[id] {
					t.Errorf("id %d twice", id)
				}
				seen[id] = true
				if i > 0 && id < got[i-1] {
					t.Errorf("rows out of page order at %d", i)
				}
			}
			if l.Truncated != tt.wantTrunc {
				t.Errorf("Truncated = %v, want %v", l.Truncated, tt.wantTrunc)
			}
			problems := strings.Join(l.Problems, "; ")
			if tt.wantProblem == "" && problems != "" {
				t.Errorf("unexpected problems %q", problems)
			}
			if tt.wantProblem != "" && !strings.Contains(problems, tt.wantProblem) {
				t.Errorf("problems %q, want %q", problems, tt.wantProblem)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(pages) != len(tt.wantPages) {
				t.Errorf("pages requested %v, want %v", pages, tt.wantPages)
			}
			for _, p := range tt.wantPages {
				if pages[p] != 1 {
					t.Errorf("page %d requested %d times, want once (all: %v)", p, pages[p], pages)
				}
			}
			mu.Unlock()

			// A visit streams the same conversations: the same set, the same problems,
			// one page at a time.
			var (
				visited  []int64
				visiting atomic.Bool
			)
			each, err := c.List(context.Background(), ListRequest{Filters: Filters{Params: map[string]string{"language": "en"}}, Limit: tt.limit, Detail: Summary, Visit: func(convs []Conversation) {
				if visiting.Swap(true) {
					t.Error("two visits at once")
				}
				for _, conv := range convs {
					visited = append(visited, conv.ID)
				}
				visiting.Store(false)
			}})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(visited)
			if diff := cmp.Diff(got, visited, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("the visit saw other conversations than the listing holds (-listing +visit):\n%s", diff)
			}
			if each.Count != l.Count || each.Truncated != l.Truncated || !slices.Equal(each.Problems, l.Problems) || each.Conversations != nil {
				t.Errorf("visited listing = %+v, want the listing's %+v without conversations", each, *l)
			}
			mu.Lock()
		})
	}
}

func TestListErrorOnAPage(t *testing.T) {
	_, c := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "3" {
			writeJSON(w, http.StatusForbidden, map[string]any{"detail": "no"})
			return
		}
		pagedHandler(50, nil, nil)(w, r)
	}), func(o *Options) { o.PageSize = 10 })
	_, err := c.listAll(context.Background(), Filters{}, 0, WithMessages)
	if KindOf(err) != KindForbidden {
		t.Fatalf("error = %v, want the page's 403", err)
	}
}

func TestListConcurrencyBound(t *testing.T) {
	for _, conc := range []int{1, 3} {
		t.Run(strconv.Itoa(conc), func(t *testing.T) {
			const total, size = 200, 10 // 20 pages
			var (
				mu            sync.Mutex
				inflight, top int
				tripped       = make(chan struct{})
				trip          sync.Once
			)
			h := pagedHandler(total, nil, nil)
			_, c := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				inflight++
				top = max(top, inflight)
				if inflight >= conc {
					trip.Do(func() { close(tripped) })
				}
				mu.Unlock()
				// Hold each request until the client has conc in flight, so that a client
				// that sends too many (or too few) at once is seen doing it.
				if r.URL.Query().Has("page") { // the first page is alone by design
					select {
					case <-tripped:
					case <-time.After(5 * time.Second):
					}
					// Stay in flight a little: a client sending more than it may would
					// have them arrive meanwhile (this only lets a bug show; it asserts
					// no timing).
					time.Sleep(10 * time.Millisecond)
				}
				h(w, r)
				mu.Lock()
				inflight--
				mu.Unlock()
			}), func(o *Options) { o.PageSize = size; o.Concurrency = conc })
			l, err := c.listAll(context.Background(), Filters{}, 0, WithMessages)
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Conversations) != total {
				t.Errorf("rows = %d", len(l.Conversations))
			}
			mu.Lock()
			defer mu.Unlock()
			if top != conc {
				t.Errorf("max in flight = %d, want %d", top, conc)
			}
		})
	}
}

func TestListReadsTheFirstPageOnce(t *testing.T) {
	var rec counter
	_, c := newTestServer(t, pagedHandler(35, &rec, nil), func(o *Options) { o.PageSize = 10 })
	l, err := c.listAll(context.Background(), Filters{}, 0, WithMessages)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Conversations) != 35 || l.Count != 35 || l.Truncated || len(l.Problems) != 0 {
		t.Errorf("listing = %d rows, count %d, truncated %v, problems %q", len(l.Conversations), l.Count, l.Truncated, l.Problems)
	}
	if rec.n() != 4 {
		t.Errorf("requests = %d, want 4 (first page read once)", rec.n())
	}
}

func TestCount(t *testing.T) {
	var rec counter
	_, c := newTestServer(t, pagedHandler(1234, &rec, nil), nil)
	n, err := c.count(context.Background(), Filters{Params: map[string]string{"device": "mobile"}})
	if err != nil || n != 1234 {
		t.Fatalf("count = %d, %v", n, err)
	}
	for k := range rec.byKey {
		if !strings.Contains(k, "page_size=1") || !strings.Contains(k, "device=mobile") {
			t.Errorf("count request %q, want page_size=1 with the filter", k)
		}
	}
}

// A server that caps page_size below what the client asks for still yields every row: the
// pages are planned from the size of the first page.
func TestListWithServerPageSizeCap(t *testing.T) {
	const total, capped = 95, 10
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page == 0 {
			page = 1
		}
		lo, hi := (page-1)*capped, min(page*capped, total)
		if lo >= total {
			http.Error(w, `{"detail":"Invalid page."}`, http.StatusNotFound)
			return
		}
		body := map[string]any{"count": total, "previous": nil, "next": nil}
		if hi < total {
			body["next"] = fmt.Sprintf("http://%s/api/conversations/?page=%d", r.Host, page+1)
		}
		var results []map[string]any
		for id := lo + 1; id <= hi; id++ {
			results = append(results, map[string]any{"id": id})
		}
		body["results"] = results
		_ = json.NewEncoder(w).Encode(body)
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL, APIKey: "k", PageSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	l, err := c.listAll(t.Context(), Filters{}, 0, WithMessages)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Conversations) != total || len(l.Problems) != 0 {
		t.Fatalf("%d conversations, problems %v; want %d and none", len(l.Conversations), l.Problems, total)
	}
}

// oneRowServer answers every page with one row, an endless count and always a next link: a
// server that would make a planner trusting its page size send one request per row.
func oneRowServer(rec *counter) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		page := 1
		if p := r.URL.Query().Get("page"); p != "" {
			page, _ = strconv.Atoi(p)
		}
		writeJSON(w, http.StatusOK, pageBody(r, 1_000_000_000_000, []int64{int64(page)}, true))
	}
}

func TestOneRowPagesStopAtTheRequestBudget(t *testing.T) {
	for _, limit := range []int{1000, 10_000} {
		t.Run(strconv.Itoa(limit), func(t *testing.T) {
			rec := &counter{}
			_, c := newTestServer(t, oneRowServer(rec), func(o *Options) { o.PageSize = 100 })
			l, err := c.listAll(t.Context(), Filters{}, limit, Summary)
			if err != nil {
				t.Fatal(err)
			}
			budget := pageBudget(limit, 100) // 4 × the 100-row pages the limit needs
			if rec.n() != budget || len(l.Conversations) != budget {
				t.Fatalf("%d requests, %d rows; want the budget of %d requests", rec.n(), len(l.Conversations), budget)
			}
			if len(l.Problems) != 1 || !strings.Contains(l.Problems[0], "stopped after") || !strings.Contains(l.Problems[0], "maxConversations") {
				t.Fatalf("problems %q, want one naming the budget and the setting to raise", l.Problems)
			}
		})
	}
}

func TestCountAndRowsDisagree(t *testing.T) {
	tests := []struct {
		name  string
		count int
		rows  int
		want  string
	}{
		{"count 0 with rows", 0, 5, "reported 0 conversations but sent 5"},
		{"count below the rows", 3, 5, "reported 3 conversations but sent 5"},
		{"rows missing", 8, 5, "reported 8 conversations but only one page"},
		{"agreeing", 5, 5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ids := make([]int64, tt.rows)
				for i := range ids {
					ids[i] = int64(i + 1)
				}
				writeJSON(w, http.StatusOK, pageBody(r, tt.count, ids, false))
			}), func(o *Options) { o.PageSize = 5 })
			l, err := c.listAll(t.Context(), Filters{}, 0, Summary)
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Conversations) != tt.rows {
				t.Errorf("%d rows, want the %d that arrived", len(l.Conversations), tt.rows)
			}
			got := strings.Join(l.Problems, "; ")
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("problems %q, want %q", got, tt.want)
			}
		})
	}
}

// A panic in the worker of page 2 is the listing's error, not the end of the process, and the
// client serves the next listing.
func TestPanicInAPageWorkerIsTheListingsError(t *testing.T) {
	var faults atomic.Int32
	_, c := newTestServer(t, pagedHandler(50, nil, nil), func(o *Options) {
		o.PageSize = 10
		transport := o.HTTPClient.Transport
		o.HTTPClient = &http.Client{Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
			if req.URL.Query().Get("page") == "2" && faults.Add(1) == 1 {
				panic("fault injected on page 2")
			}
			return transport.RoundTrip(req)
		})}
	})
	for _, list := range []func() error{
		func() error { _, err := c.listAll(t.Context(), Filters{}, 0, Summary); return err },
		func() error {
			faults.Store(0)
			_, err := c.List(t.Context(), ListRequest{Filters: Filters{Params: map[string]string{"language": "fr"}}, Detail: Summary, Visit: func([]Conversation) {}})
			return err
		},
	} {
		var pe *PanicError
		if err := list(); !errors.As(err, &pe) || !strings.Contains(fmt.Sprint(pe.Value), "page 2") {
			t.Fatalf("error %v, want the panic of page 2", err)
		}
		l, err := c.listAll(t.Context(), Filters{}, 0, Summary)
		if err != nil || len(l.Conversations) != 50 {
			t.Fatalf("the next listing: %v, %v", l, err)
		}
	}
}

// After the caller gives up, no page worker is left running or starts: List returns the
// cancellation and goleak (TestMain) sees no goroutine left.
func TestCancelledListingStopsItsWorkers(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	rec := &counter{}
	_, c := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "5" {
			cancel()
		}
		pagedHandler(10_000, rec, nil)(w, r)
	}), func(o *Options) { o.PageSize = 10; o.Concurrency = 1 })
	_, err := c.listAll(ctx, Filters{}, 0, Summary)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want the cancellation", err)
	}
	if n := rec.n(); n > 10 {
		t.Fatalf("%d requests after cancelling at page 5 of 1000", n)
	}
}
