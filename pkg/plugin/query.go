package plugin

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/models"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/backend/tracing"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
)

// framer is what every query type returns: a result that knows its frames (the SDK's
// data.Framer, so golden tests can check results directly).
type framer = data.Framer

// queryHandler runs one query type.
type queryHandler func(ctx context.Context, d *Datasource, r *run) (framer, error)

// handlers maps each query type to the file that implements it (query_<type>.go).
//
// The SDK's datasource.QueryTypeMux is not used: it would hand each query type its own
// QueryDataRequest, and the planner needs all the queries of a request at once, so that a
// count reuses the pages a table of the same request lists anyway (listedByRequest).
func handlers() map[models.QueryType]queryHandler {
	return map[models.QueryType]queryHandler{
		models.QueryCount:         runCount,
		models.QueryStats:         runStats,
		models.QueryConversations: runConversations,
		models.QueryMessages:      runMessages,
		models.QueryAttachments:   runAttachments,
		models.QueryValues:        runValues,
		models.QueryAnnotations:   runAnnotations,
	}
}

// run is one query being answered: the parsed query, its pinned time range and what it
// has to tell the user beside its frames.
type run struct {
	query     models.Query
	from, to  time.Time
	interval  time.Duration
	maxPoints int64
	notices   []data.Notice
	// listed is what the queries of the same request list anyway, so that a count can
	// reuse those pages rather than send requests of its own, and queries reading the same
	// listing decode it once.
	listed *listedRows
	// plans names how the query read its data (listing, per-bucket counts, …), for its span.
	plans []string
	// bucketCounts is how many per-bucket count requests the query planned so far, within
	// MaxBucketCounts.
	bucketCounts int
	// settledRows and settledBuckets are the rows and bucket counts taken from settled data
	// rather than read again (incremental refresh), for the inspector's stats.
	settledRows, settledBuckets atomic.Int64
}

// planned records a plan the query used, once.
func (r *run) planned(name string) {
	if !slices.Contains(r.plans, name) {
		r.plans = append(r.plans, name)
	}
}

func (r *run) warn(format string, args ...any) {
	r.notices = append(r.notices, data.Notice{Severity: data.NoticeSeverityWarning, Text: fmt.Sprintf(format, args...)})
}

func (r *run) info(format string, args ...any) {
	r.notices = append(r.notices, data.Notice{Severity: data.NoticeSeverityInfo, Text: fmt.Sprintf(format, args...)})
}

// limit is the most conversations the query may read: its own limit lowers the data
// source's maxConversations, never raises it.
func (r *run) limit(s models.Settings) int {
	if r.query.Limit > 0 {
		return min(r.query.Limit, s.MaxConversations)
	}
	return s.MaxConversations
}

// QueryData answers each query of the request on its own: queries run concurrently (the
// client bounds the API requests in flight) and one query's failure never touches another's.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	if fromAlert(req.Headers) {
		// An alert rule's requests go before the dashboards' waiting for the same slots.
		ctx = agentsight.WithPriority(ctx, agentsight.PriorityAlert)
	}
	resp := backend.NewQueryDataResponse()
	var mu sync.Mutex
	var wg sync.WaitGroup
	// Each query is parsed once, before any runs, so that the queries can share the
	// listings they read (listedByRequest).
	runs := make([]*run, len(req.Queries))
	errs := make([]error, len(req.Queries))
	if d.settingsErr == nil {
		for i, q := range req.Queries {
			runs[i], errs[i] = newRun(q)
		}
	}
	var listed *listedRows
	if err := agentsight.Contain(func() error { listed = d.listedByRequest(runs); return nil }); err != nil {
		// Sharing is an optimisation: without it each query reads its own pages.
		log.DefaultLogger.FromContext(ctx).Error("planning the request's shared listings panicked", "error", err, "stack", string(err.(*agentsight.PanicError).Stack))
		listed = nil
	}
	for i, q := range req.Queries {
		if runs[i] != nil {
			runs[i].listed = listed
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := d.query(ctx, q, runs[i], errs[i])
			mu.Lock()
			resp.Responses[q.RefID] = res
			mu.Unlock()
		}()
	}
	wg.Wait()
	return resp, nil
}

// newRun parses a query and pins its time range; an error is a mistake in the query.
func newRun(q backend.DataQuery) (r *run, err error) {
	defer func() {
		// Parsing runs before the query's own recovery; keep "never panics" true here too.
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("internal error in the AgentSight plugin while reading the query: %v", p)
		}
	}()
	parsed, err := models.ParseQuery(q.JSON, q.QueryType)
	if err != nil {
		return nil, err
	}
	r = &run{
		query:     parsed,
		from:      q.TimeRange.From.UTC(),
		to:        q.TimeRange.To.UTC(),
		interval:  q.Interval,
		maxPoints: q.MaxDataPoints,
	}
	for _, n := range parsed.Notices {
		r.warn("%s", n)
	}
	if r.to.Before(r.from) {
		return nil, reversedRange(r.from, r.to)
	}
	return r, nil
}

// reversedRange names a range that ends before it starts as the plugin received it. Grafana
// sends epoch milliseconds and the SDK turns them into int64 nanoseconds, which wrap outside
// 1677-09-21 … 2262-04-11: 2020 → 2300 arrives as 2020 → 1715, year 1 → 9999 as 1754 → 1816.
// Only the first kind can be seen here, so the message says what the range became and why.
func reversedRange(from, to time.Time) error {
	const layout = "2006-01-02T15:04:05.999Z07:00"
	return fmt.Errorf("the time range ends before it starts: the plugin received %s to %s. "+
		"Grafana's plugin SDK carries a range exactly only from year %d to %d and changes one reaching beyond them; keep the range within those years",
		from.Format(layout), to.Format(layout), time.Unix(0, math.MinInt64).Year()+1, time.Unix(0, math.MaxInt64).Year()-1)
}

func (d *Datasource) query(ctx context.Context, q backend.DataQuery, r *run, parseErr error) (res backend.DataResponse) {
	defer func() {
		// The query's work is contained below; this covers the rest of this goroutine.
		if p := recover(); p != nil {
			log.DefaultLogger.FromContext(ctx).Error("query panicked", "refId", q.RefID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			res = backend.ErrDataResponseWithSource(backend.StatusInternal, backend.ErrorSourcePlugin, internalErrorText)
		}
	}()
	if d.settingsErr != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, d.scrub(d.settingsErr.Error()))
	}
	if parseErr != nil {
		// The SDK knows no "user" source: a mistake in the query is not the plugin's.
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, parseErr.Error())
	}
	parsed := r.query
	ctx, span := tracing.DefaultTracer().Start(ctx, "agentsight.query")
	defer span.End()
	span.SetAttributes(attribute.String("query_type", string(parsed.Type)), attribute.String("ref_id", q.RefID))

	trace := &agentsight.Trace{}
	start := time.Now()
	// Identical queries answered at the same time share the work (shared_queries.go).
	frames, err := d.sharedFrames(agentsight.WithTrace(ctx, trace), r)
	sent, attempts, cached := trace.Requests()
	span.SetAttributes(attribute.Int("agentsight.requests", sent), attribute.Int("agentsight.attempts", attempts),
		attribute.Int("agentsight.cache_hits", cached), attribute.StringSlice("agentsight.plan", r.plans))
	logger := log.DefaultLogger.FromContext(ctx)
	args := []any{"refId", q.RefID, "queryType", parsed.Type, "plan", strings.Join(r.plans, ","),
		"requests", sent, "attempts", attempts, "cacheHits", cached, "settledRows", r.settledRows.Load(),
		"settledBuckets", r.settledBuckets.Load(), "duration", time.Since(start), "error", err}
	if err != nil {
		status, source, msg := d.describe(err, parsed.ConversationID)
		span.RecordError(err)
		span.SetStatus(codes.Error, msg)
		var pe *agentsight.PanicError
		if errors.As(err, &pe) {
			logger.Error("query done", append(args, "errorSource", source, "stack", string(pe.Stack))...)
		} else {
			logger.Debug("query done", append(args, "errorSource", source)...)
		}
		return backend.ErrDataResponseWithSource(status, source, msg)
	}
	logger.Debug("query done", args...)
	span.SetStatus(codes.Ok, "")
	d.annotate(frames, r, trace)
	return backend.DataResponse{Frames: frames}
}

// annotate tells the user what the query cost: the API calls it made (executed query
// string), how many were answered from the cache, and any notices.
func (d *Datasource) annotate(frames data.Frames, r *run, trace *agentsight.Trace) {
	if len(frames) == 0 {
		return
	}
	sent, _, cached := trace.Requests()
	executed := d.scrub(executedCalls(trace.Calls()))
	for i, f := range frames {
		if f.Meta == nil {
			f.Meta = &data.FrameMeta{}
		}
		f.Meta.ExecutedQueryString = executed
		if i == 0 {
			f.Meta.Notices = append(f.Meta.Notices, r.notices...)
			f.Meta.Stats = []data.QueryStat{
				{FieldConfig: data.FieldConfig{DisplayName: "API requests"}, Value: float64(sent)},
				{FieldConfig: data.FieldConfig{DisplayName: "Cached API responses"}, Value: float64(cached)},
			}
			// Shown only when a refresh reused settled data, so that a cold query's stats
			// stay as they were.
			if n := r.settledRows.Load(); n > 0 {
				f.Meta.Stats = append(f.Meta.Stats, data.QueryStat{FieldConfig: data.FieldConfig{DisplayName: "Rows from settled data"}, Value: float64(n)})
			}
			if n := r.settledBuckets.Load(); n > 0 {
				f.Meta.Stats = append(f.Meta.Stats, data.QueryStat{FieldConfig: data.FieldConfig{DisplayName: "Buckets from settled data"}, Value: float64(n)})
			}
		}
	}
}

// maxExecutedLines keeps the executed-query text readable when a query needed hundreds of
// pages.
const maxExecutedLines = 20

// executedCalls lists the calls in a stable order, since parallel requests finish in any
// order: list pages first (pages in numeric order), then per-conversation calls by id.
func executedCalls(calls []agentsight.Call) string {
	calls = slices.Clone(calls)
	slices.SortStableFunc(calls, func(a, b agentsight.Call) int {
		pa, ra := splitPage(a.Endpoint)
		pb, rb := splitPage(b.Endpoint)
		la, lb := strings.HasPrefix(ra, "/api/conversations/?"), strings.HasPrefix(rb, "/api/conversations/?")
		switch {
		case la != lb:
			if la {
				return -1
			}
			return 1
		case len(ra) != len(rb):
			return len(ra) - len(rb)
		}
		if c := strings.Compare(ra, rb); c != 0 {
			return c
		}
		return pa - pb
	})
	var b strings.Builder
	for i, c := range calls {
		if i == maxExecutedLines {
			fmt.Fprintf(&b, "… and %d more requests\n", len(calls)-maxExecutedLines)
			break
		}
		// Exactly as sent, percent-encoded: decoded, a filter value holding "&", "=" or a
		// newline would show parameters or requests that were never sent.
		b.WriteString("GET ")
		b.WriteString(c.Endpoint)
		if c.Cached {
			b.WriteString(" (cached)")
		}
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// splitPage separates an endpoint's page number from the rest of it.
func splitPage(endpoint string) (int, string) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return 0, endpoint
	}
	q := u.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	q.Del("page")
	return page, u.Path + "?" + q.Encode()
}
