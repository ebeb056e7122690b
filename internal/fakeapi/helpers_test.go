package fakeapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
)

// testData is shared by the tests: building it once keeps the package fast.
var testData = sync.OnceValue(func() *Dataset {
	return NewDataset(DatasetOptions{Seed: 7, Conversations: 3000})
})

type fixture struct {
	t   *testing.T
	srv *Server
	ts  *httptest.Server
	// auth is the Authorization header value sent; "" sends none.
	auth string
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	if opts.Dataset == nil {
		opts.Dataset = testData()
	}
	srv := New(opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	return &fixture{t: t, srv: srv, ts: ts, auth: "Api-Key " + DemoKey}
}

func (f *fixture) url(path string, q url.Values) string {
	u := f.ts.URL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func (f *fixture) do(method, rawURL string) (int, []byte, http.Header) {
	f.t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	if f.auth != "" {
		req.Header.Set("Authorization", f.auth)
	}
	resp, err := f.ts.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp.StatusCode, body, resp.Header
}

func (f *fixture) get(path string, q url.Values) (int, []byte) {
	f.t.Helper()
	st, body, _ := f.do(http.MethodGet, f.url(path, q))
	return st, body
}

// testPage is the test's own reading of a list response.
type testPage struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []struct {
		ID        int64             `json:"id"`
		StartedAt string            `json:"started_at"`
		Messages  []json.RawMessage `json:"messages"`
	} `json:"results"`
}

func (p testPage) ids() []int64 {
	out := make([]int64, len(p.Results))
	for i, r := range p.Results {
		out[i] = r.ID
	}
	return out
}

func (f *fixture) list(q url.Values) testPage {
	f.t.Helper()
	st, body := f.get("/api/conversations/", q)
	if st != http.StatusOK {
		f.t.Fatalf("GET list %v: status %d: %s", q, st, body)
	}
	var p testPage
	if err := json.Unmarshal(body, &p); err != nil {
		f.t.Fatalf("decode: %v: %s", err, body)
	}
	return p
}

func decodeMap(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("decode: %v: %.300s", err, body)
	}
	return m
}

// expectIDs computes, straight from the ground truth, the ids a filter should
// return in the API's order (newest first, then highest id).
func expectIDs(ds *Dataset, pred func(c *Conversation) bool) []int64 {
	var cs []*Conversation
	for i := range ds.Conversations {
		if pred(&ds.Conversations[i]) {
			cs = append(cs, &ds.Conversations[i])
		}
	}
	slices.SortFunc(cs, func(a, b *Conversation) int {
		if c := b.StartedAt.Compare(a.StartedAt); c != 0 {
			return c
		}
		return int(b.ID - a.ID)
	})
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

// walk follows next links from the first page and returns every id seen.
func (f *fixture) walk(q url.Values) (ids []int64, count int) {
	f.t.Helper()
	next := f.url("/api/conversations/", q)
	for pages := 0; next != ""; pages++ {
		if pages > 10000 {
			f.t.Fatal("too many pages")
		}
		st, body, _ := f.do(http.MethodGet, next)
		if st != http.StatusOK {
			f.t.Fatalf("GET %s: %d %s", next, st, body)
		}
		var p testPage
		if err := json.Unmarshal(body, &p); err != nil {
			f.t.Fatal(err)
		}
		count = p.Count
		ids = append(ids, p.ids()...)
		next = ""
		if p.Next != nil {
			next = *p.Next
		}
	}
	return ids, count
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// expectFirstPage lists with query (100 a page) and checks the count and the first page's ids.
func (f *fixture) expectFirstPage(t *testing.T, query url.Values, want []int64) {
	t.Helper()
	q := url.Values{"page_size": {"100"}}
	for k, v := range query {
		q[k] = v
	}
	p := f.list(q)
	if p.Count != len(want) {
		t.Fatalf("count = %d, want %d", p.Count, len(want))
	}
	if got, w := p.ids(), want[:min(100, len(want))]; !slices.Equal(got, w) {
		t.Fatalf("first page ids = %v\nwant %v", got, w)
	}
}
