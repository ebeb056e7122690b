package agentsight

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/config"
)

// What a client built with Options left at zero uses. The data source's defaults are its
// settings' (pkg/models states them, and checks that these agree); the plugin passes every
// setting, so these serve clients built without settings: tests and the benchmark.
const (
	fallbackAuthHeader   = "Authorization"
	fallbackAuthScheme   = "Api-Key"
	fallbackPageSize     = 100
	fallbackTimeout      = 30 * time.Second
	fallbackConcurrency  = 4
	fallbackMaxBodyBytes = 32 << 20
	fallbackCacheBytes   = 64 << 20
	fallbackMaxAttempts  = 4
	conversationsPath    = "/api/conversations/"
)

// Options configure a Client.
type Options struct {
	// BaseURL is the API's origin (and optional path prefix), e.g. https://api.agentsight.io.
	BaseURL string
	APIKey  string
	// AuthHeader carries the key; AuthScheme is written before it ("Api-Key <key>"). A nil
	// AuthScheme means the default scheme; only a pointer to "" (NoAuthScheme) sends the bare
	// key.
	AuthHeader string
	AuthScheme *string
	PageSize   int
	// Timeout bounds each HTTP attempt, body included.
	Timeout time.Duration
	// Concurrency bounds the requests in flight for this client, whoever sends them.
	Concurrency int
	// CacheTTL is how long a response is reused; 0 turns the cache off.
	CacheTTL time.Duration
	// Budget is the process's memory for what is kept between queries, shared with the other
	// clients (data source instances) of the process; the client's entries are its own. Nil:
	// a budget of 64 MiB for this client alone.
	Budget       *Budget
	MaxBodyBytes int64
	MaxAttempts  int
	// RetryBaseDelay is the first backoff step (doubled per attempt, with jitter).
	RetryBaseDelay time.Duration
	// HTTPClient sends the requests; in the plugin it comes from the SDK's httpclient provider
	// so that Grafana's proxy, TLS and tracing settings apply.
	HTTPClient *http.Client
	// Transport is the transport under HTTPClient's middleware, which Close closes: the SDK's
	// middleware chain does not forward CloseIdleConnections, so closing HTTPClient alone
	// leaves its connections open until the idle timeout. Nil: HTTPClient's own transport.
	Transport IdleCloser
}

// Client calls the Conversation API. It is safe for concurrent use.
type Client struct {
	base         *url.URL
	http         *http.Client
	authHeader   string
	authValue    string
	apiKey       string
	pageSize     int
	timeout      time.Duration
	maxBodyBytes int64
	retry        retryPolicy
	slots        *slotQueue
	cache        *responseCache
	conns        connections
	flights      *flightGroup
}

// New validates opts and returns a client.
func New(opts Options) (*Client, error) {
	base, err := ParseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	if opts.APIKey == "" {
		return nil, errors.New("API key is missing")
	}
	header := opts.AuthHeader
	if header == "" {
		header = fallbackAuthHeader
	}
	scheme := fallbackAuthScheme
	if opts.AuthScheme != nil {
		scheme = *opts.AuthScheme
	}
	value := opts.APIKey
	if scheme != "" {
		value = scheme + " " + opts.APIKey
	}
	// A transport of the client's own when none is given, so that Close closes only its own
	// connections.
	httpClient := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	if opts.HTTPClient != nil {
		copied := *opts.HTTPClient
		httpClient = &copied
	}
	closer := opts.Transport
	if closer == nil {
		closer, _ = httpClient.Transport.(IdleCloser)
	}
	// The body cap is the SDK's response-limit middleware, as for Grafana's own data sources;
	// the plugin's httpclient already has it (with Grafana's limit, often none), and each
	// request sets ours (see once). Wrapping again here covers any other client.
	transport := httpClient.Transport
	if transport == nil {
		transport = http.DefaultTransport
	}
	httpClient.Transport = httpclient.ResponseLimitMiddleware(0).CreateMiddleware(httpclient.Options{}, transport)
	// The key rides in a header; Go forwards custom headers on redirects, so a redirect to
	// another origin must never be followed.
	httpClient.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !sameOrigin(req.URL, base) {
			return &redirectError{fmt.Sprintf("refused a redirect to another origin (%s)", req.URL.Host)}
		}
		if len(via) >= 5 {
			return &redirectError{"stopped after 5 redirects"}
		}
		return nil
	}
	c := &Client{
		base:         base,
		http:         httpClient,
		authHeader:   header,
		authValue:    value,
		apiKey:       opts.APIKey,
		pageSize:     orDefault(opts.PageSize, fallbackPageSize),
		timeout:      orDefaultDuration(opts.Timeout, fallbackTimeout),
		maxBodyBytes: int64(orDefault(int(opts.MaxBodyBytes), fallbackMaxBodyBytes)),
		retry: retryPolicy{
			maxAttempts: orDefault(opts.MaxAttempts, fallbackMaxAttempts),
			base:        orDefaultDuration(opts.RetryBaseDelay, 250*time.Millisecond),
			max:         10 * time.Second,
		},
		slots:   newSlotQueue(orDefault(opts.Concurrency, fallbackConcurrency)),
		conns:   connections{transport: closer},
		flights: newFlightGroup(),
	}
	if opts.CacheTTL > 0 {
		budget := opts.Budget
		if budget == nil {
			budget = NewBudget(fallbackCacheBytes)
		}
		c.cache = newResponseCache(budget, opts.CacheTTL)
	}
	return c, nil
}

// NoAuthScheme is an AuthScheme that sends the bare key.
func NoAuthScheme() *string { s := ""; return &s }

// PageSize is the page_size this client asks for.
func (c *Client) PageSize() int { return c.pageSize }

// Concurrency is how many requests this client runs at once.
func (c *Client) Concurrency() int { return c.slots.size }

// What ParseBaseURL finds wrong with a base URL, for callers that word it their own way (the
// settings name the field and quote the URL without credentials).
var (
	ErrURLMissing     = errors.New("URL is missing")
	ErrURLUnparsable  = errors.New("is not valid")
	ErrURLCredentials = errors.New("URL must not contain a user name or password: put the key in the API key field")
	ErrURLScheme      = errors.New("must start with http:// or https://")
	ErrURLNoHost      = errors.New("has no host")
	ErrURLQuery       = errors.New("must not have a query or fragment")
)

// ParseBaseURL accepts an http(s) origin with an optional path prefix. Credentials in the URL
// are refused, before anything else, so that no secret can end up in logs or error messages.
func ParseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, ErrURLMissing
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("URL %w", ErrURLUnparsable)
	}
	switch {
	case u.User != nil:
		return nil, ErrURLCredentials
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("URL %q %w", raw, ErrURLScheme)
	case u.Hostname() == "":
		return nil, fmt.Errorf("URL %q %w", raw, ErrURLNoHost)
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("URL %q %w", raw, ErrURLQuery)
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api")
	u.RawPath = ""
	return u, nil
}

// listPage reads one page; store says whether its body may be kept in the cache.
func (c *Client) listPage(ctx context.Context, f Filters, page, pageSize int, detail Detail, store bool) (*ConversationPage, error) {
	q := f.Values()
	if pageSize <= 0 {
		pageSize = c.pageSize
	}
	q.Set("page_size", strconv.Itoa(pageSize))
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	var out *ConversationPage
	err := c.get(ctx, conversationsPath, q, store, func(body []byte) (err error) {
		out, err = decodePage(body, detail, pageSize)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out.Count < 0 {
		return nil, &Error{Kind: KindDecode, Endpoint: endpoint(conversationsPath, q), Detail: "negative count"}
	}
	return out, nil
}

// GetConversation reads one conversation with its messages.
func (c *Client) GetConversation(ctx context.Context, id int64) (*Conversation, error) {
	var out *Conversation
	err := c.get(ctx, fmt.Sprintf("%s%d/", conversationsPath, id), nil, true, func(body []byte) (err error) {
		out, err = decodeConversation(body)
		return err
	})
	return out, err
}

// GetAttachments reads the attachments of one conversation.
func (c *Client) GetAttachments(ctx context.Context, id int64) (*ConversationAttachments, error) {
	var out *ConversationAttachments
	err := c.get(ctx, fmt.Sprintf("%s%d/attachments/", conversationsPath, id), nil, true, func(body []byte) (err error) {
		out, err = decodeAttachments(body)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// get reads an endpoint's body and decodes it; a decoding failure is a KindDecode error.
// store says whether the body may be kept in the cache.
func (c *Client) get(ctx context.Context, path string, q url.Values, store bool, decode func([]byte) error) error {
	ep := endpoint(path, q)
	body, err := c.body(ctx, ep, store)
	if err != nil {
		return err
	}
	if err := decode(body); err != nil {
		e := &Error{Kind: KindDecode, Endpoint: ep, Err: err}
		c.redact(e)
		return e
	}
	return nil
}

// redact removes the API key from an error the client is about to report: the API's own
// message (or a value it sent back) may echo the credentials it was given, plainly or
// JSON-escaped.
func (c *Client) redact(err error) {
	var e *Error
	if c.apiKey == "" || !errors.As(err, &e) {
		return
	}
	e.Detail = Redact(e.Detail, c.apiKey)
	if e.Err != nil {
		if msg := e.Err.Error(); Redact(msg, c.apiKey) != msg {
			e.Err = errors.New(Redact(msg, c.apiKey))
		}
	}
}

// body returns the response body for an endpoint from the cache, from an identical request
// already in flight, or from the API, and then keeps it in the cache if store is true.
func (c *Client) body(ctx context.Context, ep string, store bool) ([]byte, error) {
	// Checked before the cache too, so that a loop of calls the cache answers stops once
	// its query is cancelled.
	if err := ctx.Err(); err != nil {
		return nil, &Error{Kind: KindNetwork, Endpoint: ep, Err: err}
	}
	trace := traceFrom(ctx)
	if c.cache != nil {
		if b, ok := c.cache.get(ep); ok {
			trace.add(Call{Endpoint: ep, Cached: true})
			return b, nil
		}
	}
	// An alert's request does not join a dashboard's identical one, which may still wait
	// behind other dashboard requests for a slot: it is sent with its own priority.
	flightKey := ep
	if PriorityFrom(ctx) == PriorityAlert {
		flightKey = "alert\x00" + ep
	}
	b, shared, err := c.flights.do(ctx, flightKey, func(ctx context.Context) ([]byte, error) {
		start := time.Now()
		b, attempts, err := c.fetch(ctx, ep)
		trace.add(Call{Endpoint: ep, Attempts: attempts, Duration: time.Since(start), Err: err})
		if err == nil && store && c.cache != nil {
			c.cache.put(ep, b)
		}
		return b, err
	})
	if shared && err == nil {
		trace.add(Call{Endpoint: ep, Cached: true})
	}
	return b, err
}

// fetch sends the request, retrying throttling and transient failures.
func (c *Client) fetch(ctx context.Context, ep string) ([]byte, int, error) {
	logger := log.DefaultLogger.FromContext(ctx)
	for attempt := 1; ; attempt++ {
		b, err := c.once(ctx, ep)
		if err == nil {
			return b, attempt, nil
		}
		c.redact(err)
		wait, retry := c.retry.next(ctx, attempt, err)
		if KindOf(err) == KindRateLimited {
			logger.Warn("AgentSight is rate limiting", "endpoint", ep, "attempt", attempt, "retryIn", wait, "retrying", retry)
		}
		if !retry {
			return nil, attempt, err
		}
		logger.Info("retrying an AgentSight request", "endpoint", ep, "attempt", attempt, "wait", wait, "error", err)
		if err := sleep(ctx, wait); err != nil {
			return nil, attempt, &Error{Kind: KindNetwork, Endpoint: ep, Err: err}
		}
	}
}

func (c *Client) once(ctx context.Context, ep string) ([]byte, error) {
	if err := c.slots.acquire(ctx, PriorityFrom(ctx)); err != nil {
		return nil, &Error{Kind: KindNetwork, Endpoint: ep, Err: err}
	}
	defer c.slots.release()
	c.conns.start()
	defer c.conns.done()

	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	limit := c.maxBodyBytes
	if grafana := config.GrafanaConfigFromContext(ctx).ResponseLimit(); grafana > 0 {
		// An operator's limit for every data source (GF_DATAPROXY_RESPONSE_LIMIT) wins when
		// it is the stricter one.
		limit = min(limit, grafana)
	}
	ctx = httpclient.WithResponseLimit(ctx, limit)
	target := *c.base
	target.Path = c.base.Path + strings.SplitN(ep, "?", 2)[0]
	if i := strings.IndexByte(ep, '?'); i >= 0 {
		target.RawQuery = ep[i+1:]
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return nil, &Error{Kind: KindRefused, Endpoint: ep, Err: err}
	}
	req.Header.Set("Accept", "application/json")
	// A closed client's requests still work (a slow query on a replaced instance finishes),
	// but their connections are not kept for requests that will never come.
	req.Close = c.conns.isClosed()
	if sameOrigin(req.URL, c.base) {
		req.Header.Set(c.authHeader, c.authValue)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var refused *redirectError
		if errors.As(err, &refused) {
			return nil, &Error{Kind: KindRefused, Endpoint: ep, Err: refused}
		}
		return nil, &Error{Kind: KindNetwork, Endpoint: ep, Err: scrubURLError(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, statusError(resp, ep)
	}
	b, err := readBody(resp, limit)
	if errors.Is(err, httpclient.ErrResponseBodyTooLarge) {
		return nil, &Error{Kind: KindDecode, Endpoint: ep, Detail: fmt.Sprintf("response is larger than %d bytes", limit)}
	}
	if err != nil {
		return nil, &Error{Kind: KindNetwork, Endpoint: ep, Err: fmt.Errorf("reading the response: %w", scrubURLError(err))}
	}
	return b, nil
}

// presizedBody is the largest Content-Length a body's buffer is made for before it is read:
// a header can claim any size, and a buffer grows to what actually arrives.
const presizedBody = 1 << 20

// readBody reads a response whole into a buffer made for its Content-Length, rather than one
// grown (and copied) from 512 bytes: a list page is about 100 kB, and growing to it costs
// more than the rest of its reading.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	size := int64(0)
	if n := resp.ContentLength; n > 0 && n <= min(limit, presizedBody) {
		size = n
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// redirectError is a redirect the client would not follow: it is the API's doing, not the
// network's, so it is reported as KindRefused rather than as an unreachable host.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }

func statusError(resp *http.Response, ep string) *Error {
	e := &Error{StatusCode: resp.StatusCode, Endpoint: ep}
	switch {
	case resp.StatusCode == http.StatusBadRequest:
		e.Kind = KindBadRequest
	case resp.StatusCode == http.StatusUnauthorized:
		e.Kind = KindUnauthorized
	case resp.StatusCode == http.StatusForbidden:
		e.Kind = KindForbidden
	case resp.StatusCode == http.StatusNotFound:
		e.Kind = KindNotFound
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Kind = KindRateLimited
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	default:
		e.Kind = KindServer
	}
	// Error bodies are small; a larger one is an HTML page or worse and is not worth reading.
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body map[string]any
	if json.Unmarshal(raw, &body) == nil {
		e.Detail = detailFromBody(body)
	}
	return e
}

func endpoint(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func sameOrigin(u, base *url.URL) bool {
	return strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Host, base.Host)
}

// scrubURLError drops the URL from a *url.Error: it names our own request, which the caller
// already reports as an endpoint, and keeping only the cause makes messages shorter.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func orDefaultDuration(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}

// CloseIdleConnections closes the client's idle keep-alive connections.
func (c *Client) CloseIdleConnections() { c.conns.closeIdle() }

// Close releases what the client holds once it is no longer used: its entries in the budget
// at once, its idle connections at once, and the connections of requests in flight as soon
// as the last of them ends. Calls made afterwards still work, uncached, each on a
// connection closed after its response.
func (c *Client) Close() {
	if c.cache != nil {
		c.cache.close()
	}
	c.conns.close()
}
