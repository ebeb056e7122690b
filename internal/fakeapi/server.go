package fakeapi

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Keys the default Options accept.
const (
	DemoKey      = "demo-key"
	ForbiddenKey = "forbidden-key"
)

// HealthPath answers 200 to anyone, outside the request log, latency and
// faults, so a container health check neither fails on an injected fault nor
// uses up its Times. The real API has no such path.
const HealthPath = "/-/healthy"

// NoAuthScheme as Options.AuthScheme makes the server expect the bare key in
// the auth header; the zero value means the default "Api-Key" scheme.
const NoAuthScheme = "-"

// maxLoggedRequests bounds the request log so a long-running demo does not
// grow without end; RequestCount still counts every request.
const maxLoggedRequests = 10_000

// Options configures a Server. Zero fields take the documented defaults.
type Options struct {
	Dataset       *Dataset // default: NewDataset(DatasetOptions{})
	EmbedMessages bool     // list results carry full messages instead of "messages": []
	AuthHeader    string   // default "Authorization"
	AuthScheme    string   // default "Api-Key"; NoAuthScheme for a bare key
	// Keys maps an API key to 200 (allowed) or 403 (authenticated but forbidden).
	// Default {DemoKey: 200, ForbiddenKey: 403}.
	Keys            map[string]int
	DefaultPageSize int // default 20
	MaxPageSize     int // default 100
	// Sees, when set, says which conversations a key sees (lists, details, attachments), as
	// accounts with different data would: a tenancy test gives two keys different data.
	Sees func(key string, c *Conversation) bool
}

// Request is one logged request.
type Request struct {
	Method     string
	Path       string
	Query      url.Values
	Authorized bool // the credentials were valid and allowed (would not get 401/403)
	Header     http.Header
}

// Server serves the Conversation API from a Dataset. It is safe for concurrent use.
type Server struct {
	opts   Options
	scheme string // "" for a bare key

	// data guards the index below: Add rebuilds it while requests read it.
	data   sync.RWMutex
	sorted []*Conversation // by StartedAt, then ID, ascending
	text   []string        // lower-cased message contents of sorted[i], for message_contains
	byID   map[int64]*Conversation

	closeOnce sync.Once
	closed    chan struct{}

	mu       sync.Mutex
	latency  time.Duration
	manners  Manners
	faults   []*faultState
	requests []Request
	reqCount int
	answered int           // requests answered in full
	answerIn time.Duration // their time from arrival to the end of the answer, summed

	cacheMu sync.Mutex
	cache   map[string][]int32
}

// New builds a Server. It indexes the data set once; the data set must not be modified
// afterwards (Add grows what the server serves).
func New(opts Options) *Server {
	if opts.Dataset == nil {
		opts.Dataset = NewDataset(DatasetOptions{})
	}
	if opts.AuthHeader == "" {
		opts.AuthHeader = "Authorization"
	}
	if opts.AuthScheme == "" {
		opts.AuthScheme = "Api-Key"
	}
	if opts.Keys == nil {
		opts.Keys = map[string]int{DemoKey: http.StatusOK, ForbiddenKey: http.StatusForbidden}
	}
	if opts.DefaultPageSize <= 0 {
		opts.DefaultPageSize = 20
	}
	if opts.MaxPageSize <= 0 {
		opts.MaxPageSize = 100
	}
	s := &Server{opts: opts, scheme: opts.AuthScheme, closed: make(chan struct{}), cache: map[string][]int32{}}
	if s.scheme == NoAuthScheme {
		s.scheme = ""
	}
	convs := opts.Dataset.Conversations
	all := make([]*Conversation, len(convs))
	for i := range convs {
		all[i] = &convs[i]
	}
	s.index(all)
	return s
}

// Add serves convs from now on, as if they had just been created: a test or a benchmark
// grows the data set while the plugin refreshes. A conversation whose id is served already
// replaces it (a start that moved, a deletion with Deleted set). The conversations are copied
// (their messages are shared); Dataset() still returns the data set the server was built with.
func (s *Server) Add(convs ...Conversation) {
	s.data.Lock()
	defer s.data.Unlock()
	replaced := make(map[int64]bool, len(convs))
	for i := range convs {
		replaced[convs[i].ID] = true
	}
	all := slices.DeleteFunc(slices.Clone(s.sorted), func(c *Conversation) bool { return replaced[c.ID] })
	for i := range convs {
		c := convs[i]
		all = append(all, &c)
	}
	s.index(all)
	s.cacheMu.Lock()
	clear(s.cache)
	s.cacheMu.Unlock()
}

// index orders convs and builds the lookups the handlers read; the caller holds s.data (or
// is New).
func (s *Server) index(all []*Conversation) {
	s.sorted = all
	s.byID = make(map[int64]*Conversation, len(all))
	for _, c := range all {
		s.byID[c.ID] = c
	}
	// A hand-made data set need not be sorted; the server must still order correctly.
	slices.SortStableFunc(s.sorted, func(a, b *Conversation) int {
		if c := a.StartedAt.Compare(b.StartedAt); c != 0 {
			return c
		}
		return cmpInt(a.ID, b.ID)
	})
	s.text = make([]string, len(s.sorted))
	var b strings.Builder
	for i, c := range s.sorted {
		b.Reset()
		for _, m := range c.Messages {
			// The separator keeps a search from matching across two messages.
			b.WriteString(strings.ToLower(m.Content))
			b.WriteByte(0)
		}
		s.text[i] = b.String()
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Dataset returns the data set being served.
func (s *Server) Dataset() *Dataset { return s.opts.Dataset }

// Close releases requests held by SetLatency or FaultHang so that an
// httptest.Server wrapping this one can close promptly.
func (s *Server) Close() { s.closeOnce.Do(func() { close(s.closed) }) }

// SetLatency makes every request take d: an answer is sent d after its request arrived (or
// when it is ready, if building it took longer). With a fault, d is waited before the fault.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = d
	s.mu.Unlock()
}

// Manners are liberties a real API may take with a list, which the plugin must not depend on.
type Manners struct {
	// Ascending lists oldest first rather than newest first.
	Ascending bool
	// Slack widens both time bounds of a list by this much: an API that honours
	// started_at_after (and started_at_before) a little loosely.
	Slack time.Duration
	// Overlap answers as a list paged while a conversation arrives at its top: every page
	// after the first starts with the last row of the page before, and the count is one more
	// than the rows, the last of which moves to the next page. No row is lost; one is doubled.
	Overlap bool
}

// SetManners changes how lists are answered from now on, so that a test can change them
// between two reads.
func (s *Server) SetManners(m Manners) {
	s.mu.Lock()
	s.manners = m
	s.mu.Unlock()
}

// Requests returns a copy of the request log, oldest first. Past
// maxLoggedRequests entries the oldest half is dropped.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = Request{Method: r.Method, Path: r.Path, Query: cloneValues(r.Query), Authorized: r.Authorized, Header: r.Header.Clone()}
	}
	return out
}

// MeanResponseTime is the mean time from a request's arrival to the end of its answer, over
// the requests answered in full since the last ResetRequests: a benchmark's real latency.
func (s *Server) MeanResponseTime() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.answered == 0 {
		return 0
	}
	return s.answerIn / time.Duration(s.answered)
}

// RequestCount is the number of requests received since the last reset.
func (s *Server) RequestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reqCount
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.requests = nil
	s.reqCount, s.answered, s.answerIn = 0, 0, 0
	s.mu.Unlock()
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func jsonResponse(status int, body []byte) response {
	return response{status: status, header: http.Header{"Content-Type": {"application/json"}}, body: body}
}

func detail(status int, msg string) response {
	return jsonResponse(status, marshal(map[string]string{"detail": msg}))
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == HealthPath {
		writeResponse(w, response{status: http.StatusOK, header: http.Header{"Content-Type": {"text/plain"}}, body: []byte("ok\n")})
		return
	}
	start := time.Now()
	authResp, authorized := s.authenticate(r)
	latency, fault := s.begin(r, authorized)
	if fault != nil && latency > 0 && !s.sleep(r.Context(), latency) {
		return
	}
	if fault != nil && fault.Kind != FaultSlowBody && fault.Delay > 0 && !s.sleep(r.Context(), fault.Delay) {
		return
	}
	if fault != nil && s.serveFault(w, r, fault) {
		return
	}
	resp := s.route(r, authResp)
	if fault != nil && resp.status == http.StatusOK {
		resp = s.transform(r, resp, fault)
		if fault.Kind == FaultSlowBody {
			s.writeSlowly(w, r, resp, fault.Delay)
			return
		}
	}
	// The answer is due latency after the request arrived, however long building it took:
	// the latency is the API's whole response time, as a benchmark assumes, and not latency
	// plus this fake's own work on a machine it shares with the plugin.
	if fault == nil && latency > 0 && !s.waitUntil(r.Context(), start.Add(latency)) {
		return
	}
	writeResponse(w, resp)
	s.mu.Lock()
	s.answered++
	s.answerIn += time.Since(start)
	s.mu.Unlock()
}

func writeResponse(w http.ResponseWriter, resp response) {
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// begin logs the request and picks the fault it meets, under one lock so
// concurrent requests consume a fault's Times exactly.
func (s *Server) begin(r *http.Request, authorized bool) (time.Duration, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqCount++
	if len(s.requests) >= maxLoggedRequests {
		s.requests = slices.Delete(s.requests, 0, len(s.requests)/2)
	}
	s.requests = append(s.requests, Request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Authorized: authorized, Header: r.Header.Clone(),
	})
	for _, f := range s.faults {
		if !strings.HasPrefix(r.URL.Path, f.PathPrefix) {
			continue
		}
		if f.Times > 0 && f.hits >= f.Times {
			continue
		}
		f.hits++
		fc := f.Fault
		return s.latency, &fc
	}
	return s.latency, nil
}

// sleep waits d; false means the client went away (or the server closed) first.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closed:
		return false
	}
}

// waitUntil returns at due, or false if the client went away or the server closed first.
// Go's timers wake up to a millisecond late when the process is idle (its poller sleeps in
// whole milliseconds), which would add 5 % to a 20 ms latency; so the last two milliseconds
// are slept on the thread (preciseSleep), which wakes within tens of microseconds.
func (s *Server) waitUntil(ctx context.Context, due time.Time) bool {
	const margin = 2 * time.Millisecond
	if early := time.Until(due) - margin; early > 0 && !s.sleep(ctx, early) {
		return false
	}
	preciseSleep(time.Until(due))
	return ctx.Err() == nil
}

// authenticate mirrors DRF: a missing header or another scheme is "not
// provided"; a key we do not know is "invalid". It returns nil when allowed.
func (s *Server) authenticate(r *http.Request) (*response, bool) {
	v := strings.TrimSpace(r.Header.Get(s.opts.AuthHeader))
	notProvided := func() (*response, bool) {
		resp := detail(http.StatusUnauthorized, "Authentication credentials were not provided.")
		resp.header.Set("WWW-Authenticate", s.opts.AuthScheme)
		return &resp, false
	}
	invalid := func() (*response, bool) {
		resp := detail(http.StatusUnauthorized, "Invalid API key.")
		resp.header.Set("WWW-Authenticate", s.opts.AuthScheme)
		return &resp, false
	}
	if v == "" {
		return notProvided()
	}
	key := v
	if s.scheme != "" {
		parts := strings.Fields(v)
		if !strings.EqualFold(parts[0], s.scheme) {
			return notProvided()
		}
		if len(parts) != 2 {
			return invalid()
		}
		key = parts[1]
	}
	status, ok := s.opts.Keys[key]
	switch {
	case !ok || status == http.StatusUnauthorized:
		return invalid()
	case status == http.StatusForbidden:
		resp := detail(http.StatusForbidden, "You do not have permission to perform this action.")
		return &resp, false
	case status != http.StatusOK:
		resp := detail(status, http.StatusText(status))
		return &resp, false
	}
	return nil, true
}

// route resolves the path before checking credentials and the method, in
// the order Django's URL resolver and DRF's dispatch do.
func (s *Server) route(r *http.Request, authResp *response) response {
	const prefix = "/api/conversations/"
	path := r.URL.Path
	if !strings.HasPrefix(path, prefix) {
		return detail(http.StatusNotFound, "Not found.")
	}
	rest := strings.Split(strings.TrimPrefix(path, prefix), "/")
	// rest is [""] for the list, [id, ""] for a detail, [id, "attachments", ""] for attachments.
	var handler func() response
	switch {
	case len(rest) == 1 && rest[0] == "":
		handler = func() response { return s.list(r) }
	case len(rest) == 2 && rest[1] == "":
		handler = func() response { return s.detail(s.visible(r, s.lookup(rest[0]))) }
	case len(rest) == 3 && rest[1] == "attachments" && rest[2] == "":
		handler = func() response { return s.attachments(s.visible(r, s.lookup(rest[0]))) }
	default:
		return detail(http.StatusNotFound, "Not found.")
	}
	if authResp != nil {
		return *authResp
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		resp := detail(http.StatusMethodNotAllowed, fmt.Sprintf("Method %q not allowed.", r.Method))
		resp.header.Set("Allow", "GET, HEAD")
		return resp
	}
	s.data.RLock()
	defer s.data.RUnlock()
	return handler()
}

func (s *Server) lookup(idText string) *Conversation {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil
	}
	return s.byID[id]
}

// visible is c when the key asking sees it (Options.Sees), else nil.
func (s *Server) visible(r *http.Request, c *Conversation) *Conversation {
	if c == nil || s.opts.Sees == nil || s.opts.Sees(s.keyOf(r), c) {
		return c
	}
	return nil
}

// keyOf is the API key a request carries, without its scheme.
func (s *Server) keyOf(r *http.Request) string {
	v := strings.TrimSpace(r.Header.Get(s.opts.AuthHeader))
	if s.scheme != "" {
		if parts := strings.Fields(v); len(parts) == 2 {
			return parts[1]
		}
	}
	return v
}

func (s *Server) detail(c *Conversation) response {
	if c == nil {
		return detail(http.StatusNotFound, "Not found.")
	}
	return jsonResponse(http.StatusOK, marshal(toAPI(c, true)))
}

func (s *Server) attachments(c *Conversation) response {
	if c == nil {
		return detail(http.StatusNotFound, "Not found.")
	}
	out := apiAttachments{ID: c.ID, ConversationID: c.ConversationID, Messages: []apiAttachmentMessage{}}
	for _, m := range c.Messages {
		if len(m.Attachments) > 0 {
			out.Messages = append(out.Messages, apiAttachmentMessage{ID: m.ID, Attachments: toAPIAttachments(m.Attachments)})
		}
	}
	return jsonResponse(http.StatusOK, marshal(out))
}

// last returns the value Django's QueryDict.get would: the last one given.
func last(q url.Values, key string) string {
	vs := q[key]
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

var dateTimeLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04Z07:00",
	"2006-01-02 15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseDateTime accepts what Django's IsoDateTimeField does; a value
// without an offset is taken as UTC (the server's time zone).
func parseDateTime(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, l := range dateTimeLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// pageSize follows DRF's _positive_int(strict=True, cutoff=max_page_size).
func (s *Server) pageSize(q url.Values) int {
	n, err := strconv.Atoi(strings.TrimSpace(last(q, "page_size")))
	if err != nil || n <= 0 {
		return s.opts.DefaultPageSize
	}
	return min(n, s.opts.MaxPageSize)
}

func parsePage(q url.Values, numPages int) (int, bool) {
	v := strings.TrimSpace(last(q, "page"))
	if v == "" {
		return 1, true
	}
	if v == "last" {
		return numPages, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > numPages {
		return 0, false
	}
	return n, true
}

func absoluteURL(r *http.Request, host string, q url.Values) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

// pageURL is the link DRF would make to page n of the same query.
func pageURL(r *http.Request, host string, n int) string {
	q := r.URL.Query()
	if n == 1 {
		q.Del("page")
	} else {
		q.Set("page", strconv.Itoa(n))
	}
	return absoluteURL(r, host, q)
}

func (s *Server) list(r *http.Request) response {
	q := r.URL.Query()
	f, errs := parseFilter(q)
	if len(errs) > 0 {
		return jsonResponse(http.StatusBadRequest, marshal(errs))
	}
	if s.opts.Sees != nil {
		f.viewer = s.keyOf(r)
	}
	s.mu.Lock()
	manners := s.manners
	s.mu.Unlock()
	if manners.Slack > 0 {
		if f.after != nil {
			after := f.after.Add(-manners.Slack)
			f.after = &after
		}
		if f.before != nil {
			before := f.before.Add(manners.Slack)
			f.before = &before
		}
	}
	idx := s.match(f)
	if manners.Ascending {
		idx = slices.Clone(idx) // the match cache's slice is shared
		slices.Reverse(idx)
	}
	size := s.pageSize(q)
	// shift is how far pages after the first have moved down the list (Manners.Overlap).
	shift := 0
	if manners.Overlap && len(idx) > 0 && size > 1 {
		// Only a list that is paged: a page_size=1 count reads no second page.
		shift = 1
	}
	numPages := max(1, int(math.Ceil(float64(len(idx)+shift)/float64(size))))
	page, ok := parsePage(q, numPages)
	if !ok {
		return detail(http.StatusNotFound, "Invalid page.")
	}
	out := apiPage{Count: len(idx) + shift, Results: []apiConversation{}}
	from, to := (page-1)*size, min(page*size, len(idx))
	if page > 1 {
		from, to = from-shift, min(page*size-shift, len(idx))
	}
	for _, i := range idx[from:to] {
		out.Results = append(out.Results, toAPI(s.sorted[i], s.opts.EmbedMessages))
	}
	if page < numPages {
		u := pageURL(r, r.Host, page+1)
		out.Next = &u
	}
	if page > 1 {
		u := pageURL(r, r.Host, page-1)
		out.Previous = &u
	}
	return jsonResponse(http.StatusOK, marshal(out))
}
