package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// sharedQueries lets identical queries that are answered at the same time share one answer:
// when 40 people open the same dashboard, each page is decoded once and each result built
// once, and every viewer gets its own copy of the frames. It holds only the queries in
// flight: an answer is not kept once its last viewer has it (the client's response cache
// and settled rows are what later queries reuse).
//
// It belongs to one data source instance, so only queries of the same data source (same
// URL, API key, organisation and settings) can share. Nothing of the user enters an answer:
// the plugin forwards no header of the viewer's request to the API (the HTTP client's
// ForwardHTTPHeaders option is off) and reads no user field, so two users asking the same
// thing get the same answer, as they do from the instance's response cache.
//
// The zero value is ready to use.
type sharedQueries struct {
	mu      sync.Mutex
	flights map[string]*flight
}

// flight is one answer being built for every query that asked for it while it ran.
type flight struct {
	// done is closed once the answer below is written and the flight has left the group, so
	// no query can join it any more.
	done chan struct{}
	// cancel stops the work when every query waiting for it has gone.
	cancel context.CancelFunc
	// waiting is how many queries wait for the answer, joined how many ever asked for it;
	// both guarded by sharedQueries.mu (joined is final once done is closed).
	waiting, joined int

	frames data.Frames
	err    error
	// calls are the API calls the answer came from; run is the query as answered (its
	// notices, plans and settled-data counts).
	calls []agentsight.Call
	run   *run
}

// maxFlights bounds how often a query joins or starts an answer that ended with a canceled
// context it did not cancel (another query of the first viewer's request may have read a
// listing shared with it, with that viewer's context); then it gets that error.
const maxFlights = 3

// sharedFrames answers r: it joins the identical query in flight, if any, or builds the
// answer for every query that asks for it while it runs. The calls the answer came from
// are recorded in ctx's trace, counted as sent only for the query that started it. The
// frames are this query's own: a copy when other queries got the same answer.
func (d *Datasource) sharedFrames(ctx context.Context, r *run) (data.Frames, error) {
	key, err := flightKey(ctx, r)
	if err != nil {
		// A query that cannot be keyed is answered alone: sharing is an optimisation.
		return d.build(ctx, r)
	}
	var f *flight
	for range maxFlights {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var started bool
		f, started = d.shared.join(ctx, key, r, d.build)
		select {
		case <-f.done:
		case <-ctx.Done():
			d.shared.leave(key, f)
			return nil, ctx.Err()
		}
		if errors.Is(f.err, context.Canceled) && ctx.Err() == nil {
			continue // not this query's cancellation: build it again
		}
		if f.run != nil {
			r.adopt(f.run)
		}
		agentsight.RecordShared(ctx, f.calls, started)
		if f.err != nil {
			return nil, f.err
		}
		if f.joined == 1 {
			return f.frames, nil // nobody else can see these frames
		}
		var frames data.Frames
		err := agentsight.Contain(func() (err error) {
			frames, err = copyFrames(f.frames)
			return err
		})
		return frames, err
	}
	return nil, f.err
}

// build runs the query's handler and builds its frames: the work identical queries share.
func (d *Datasource) build(ctx context.Context, r *run) (data.Frames, error) {
	var result framer
	err := agentsight.Contain(func() (err error) {
		result, err = handlers()[r.query.Type](ctx, d, r)
		return err
	})
	var frames data.Frames
	if err == nil {
		err = agentsight.Contain(func() (err error) {
			frames, err = result.Frames()
			return err
		})
	}
	return frames, err
}

// join returns the flight answering key, starting it (started true) when there is none.
// A new flight runs on a context of its own, detached from the cancellation of the query
// that started it (a viewer closing the dashboard must not fail the others) and canceled
// when no query waits any more (leave), so work nobody waits for stops.
func (g *sharedQueries) join(ctx context.Context, key string, r *run, build func(context.Context, *run) (data.Frames, error)) (f *flight, started bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if f := g.flights[key]; f != nil {
		f.waiting++
		f.joined++
		return f, false
	}
	if g.flights == nil {
		g.flights = map[string]*flight{}
	}
	// WithoutCancel keeps the request's values (logger, tracing span, the SDK's contextual
	// HTTP middlewares); the trace of the calls is the flight's own.
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f = &flight{done: make(chan struct{}), cancel: cancel, waiting: 1, joined: 1}
	g.flights[key] = f
	go g.fly(fctx, key, f, r.forFlight(), build)
	return f, true
}

// fly builds the answer, then takes the flight out of the group before telling its queries.
func (g *sharedQueries) fly(ctx context.Context, key string, f *flight, r *run, build func(context.Context, *run) (data.Frames, error)) {
	// Contained, so that the flight always ends and its queries always get an answer.
	trace := &agentsight.Trace{}
	f.err = agentsight.Contain(func() (err error) {
		f.frames, err = build(agentsight.WithTrace(ctx, trace), r)
		return err
	})
	f.calls, f.run = trace.Calls(), r
	g.mu.Lock()
	if g.flights[key] == f {
		delete(g.flights, key)
	}
	g.mu.Unlock()
	f.cancel()
	close(f.done)
}

// leave is a query giving up waiting (its context ended). The last one to go cancels the
// work and takes the flight out of the group, so a query arriving later starts afresh.
func (g *sharedQueries) leave(key string, f *flight) {
	g.mu.Lock()
	f.waiting--
	abandoned := f.waiting == 0
	if abandoned && g.flights[key] == f {
		delete(g.flights, key)
	}
	g.mu.Unlock()
	if abandoned {
		f.cancel()
	}
}

// flightKey is everything that decides a query's answer: the query as parsed (normalised:
// defaults applied, ad-hoc filters merged, the query type resolved), its time range, interval
// and maximum data points, and the listings the other queries of its request read (a count
// may reuse them; see listedByRequest). The refId does not change an answer (the SDK names
// the frames after the refId it is answered under), nor does the data frame format of the
// reply (the SDK encodes frames after the query). The data source is the instance's own.
func flightKey(ctx context.Context, r *run) (string, error) {
	// encoding/json writes map keys sorted, so equal queries give equal keys.
	parsed, err := json.Marshal(r.query)
	if err != nil {
		return "", err
	}
	var listed []string
	if r.listed != nil {
		for pages, limit := range r.listed.limits {
			listed = append(listed, fmt.Sprintf("%s#%d", pages, limit))
		}
		slices.Sort(listed)
	}
	// The priority too: the answer is the same, but an alert rule's query must not wait in a
	// dashboard's flight, whose requests queue behind the other dashboards'.
	return fmt.Sprintf("%s\x00%d\x00%d\x00%d\x00%d\x00%d\x00%s", parsed, r.from.UnixNano(), r.to.UnixNano(),
		r.interval, r.maxPoints, agentsight.PriorityFrom(ctx), strings.Join(listed, "\x00")), nil
}

// forFlight is a fresh run of the same query for a flight, so that the handler never writes
// to a run its query reads.
func (r *run) forFlight() *run {
	return &run{query: r.query, from: r.from, to: r.to, interval: r.interval, maxPoints: r.maxPoints,
		notices: slices.Clone(r.notices), listed: r.listed}
}

// adopt takes what answering the query told about it from the flight's run: the notices
// (the parse notices included, equal since the queries are), plans and settled-data counts.
// A field added to run that answering sets must be copied here too.
func (r *run) adopt(from *run) {
	r.notices = slices.Clone(from.notices)
	r.plans = slices.Clone(from.plans)
	r.bucketCounts = from.bucketCounts
	r.settledRows.Store(from.settledRows.Load())
	r.settledBuckets.Store(from.settledBuckets.Load())
}

// copyFrames deep-copies frames, so that one viewer's frames share nothing another viewer's
// query (or the SDK, which sets each frame's refId) could change. Meta and field configs are
// copied through their JSON, which is also how they reach Grafana (in the Arrow schema).
func copyFrames(frames data.Frames) (data.Frames, error) {
	if frames == nil {
		return nil, nil
	}
	out := make(data.Frames, len(frames))
	for i, f := range frames {
		if f == nil {
			continue
		}
		c := &data.Frame{Name: f.Name, RefID: f.RefID, Fields: make([]*data.Field, len(f.Fields))}
		if f.Meta != nil {
			c.Meta = &data.FrameMeta{}
			if err := copyJSON(f.Meta, c.Meta); err != nil {
				return nil, fmt.Errorf("copying the meta of frame %q: %w", f.Name, err)
			}
		}
		for j, field := range f.Fields {
			n := field.Len()
			fc := data.NewFieldFromFieldType(field.Type(), n)
			fc.Name = field.Name
			if field.Labels != nil { // nil stays nil: Labels.Copy makes it empty, which shows
				fc.Labels = field.Labels.Copy()
			}
			for k := range n {
				fc.Set(k, copyValue(field.CopyAt(k)))
			}
			if field.Config != nil {
				fc.Config = &data.FieldConfig{}
				if err := copyJSON(field.Config, fc.Config); err != nil {
					return nil, fmt.Errorf("copying the config of field %q: %w", field.Name, err)
				}
			}
			c.Fields[j] = fc
		}
		out[i] = c
	}
	return out, nil
}

// copyValue completes Field.CopyAt, which copies the value but not the bytes a JSON field's
// value holds.
func copyValue(v any) any {
	switch t := v.(type) {
	case json.RawMessage:
		return bytes.Clone(t)
	case *json.RawMessage:
		if t != nil {
			c := json.RawMessage(bytes.Clone(*t))
			return &c
		}
	}
	return v
}

func copyJSON(from, to any) error {
	raw, err := json.Marshal(from)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, to)
}
