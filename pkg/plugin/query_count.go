package plugin

import (
	"context"
	"sync"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/frames"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/models"
	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// maxBuckets bounds an explicit bucket that would draw more points than any panel can show.
const maxBuckets = 50_000

type totalResult struct{ total int }

func (t totalResult) Frames() (data.Frames, error) {
	return data.Frames{frames.TotalFrame(t.total)}, nil
}

// runCount answers a count query: conversations started per bucket (or in total), grouped
// by a field when asked.
func runCount(ctx context.Context, d *Datasource, r *run) (framer, error) {
	q := r.query
	if q.Total {
		total, err := d.countTotal(ctx, r)
		return totalResult{total}, err
	}
	size := q.Bucket
	if size == 0 {
		// Requests without maxDataPoints (the HTTP API, some alert rules) still get a
		// series no panel would choke on.
		points := r.maxPoints
		if points <= 0 || points > maxBuckets {
			points = maxBuckets
		}
		var widened bool
		size, widened = frames.ChooseBucketSize(r.from, r.to, r.interval, models.MinBucket, points)
		if n := frames.NewBuckets(r.from, r.to, size).N; int64(n) > points {
			r.info("bucket widened to %s, the widest automatic bucket: the series has %d points, more than the %d asked", gtime.FormatInterval(size), n, points)
		} else if widened {
			r.info("bucket widened to %s so that the series has no more than %d points", gtime.FormatInterval(size), points)
		}
	}
	buckets := frames.NewBuckets(r.from, r.to, size)
	if buckets.N > maxBuckets {
		return nil, badQuery("bucket %q over this range gives %d points: use a larger bucket (at most %d points)", gtime.FormatInterval(size), buckets.N, maxBuckets)
	}
	series := frames.NewCountSeries(buckets, q.GroupBy)
	if q.GroupBy != "" || !q.Filters.Disjoint() {
		// Groups are only known from the conversations themselves, and overlapping message
		// searches must be merged by id: both need the conversations.
		return series, d.countListed(ctx, r, series)
	}
	combos, err := d.combinations(ctx, r)
	if err != nil {
		return nil, err
	}
	for _, f := range combos {
		if err := d.countSeries(ctx, r, f, series); err != nil {
			return nil, err
		}
	}
	return series, nil
}

// countSeries adds one filter combination's counts per bucket, by the cheaper of two plans
// (decided from the first page's count): read every conversation in range and bucket them
// here, or ask the API for one count (page_size=1) per bucket. Pages that another query of
// the same request reads anyway cost nothing extra. Counting per bucket is also the only
// exact plan when the range holds more conversations than a query may read.
func (d *Datasource) countSeries(ctx context.Context, r *run, f agentsight.Filters, series *frames.CountSeries) error {
	limit := d.settings.MaxConversations
	shared := r.listed.rows(f) == limit
	detail := agentsight.StartsGroupedBy("")
	if shared {
		// Other queries of the request read this very listing: share its settled rows too.
		detail = agentsight.Summary
	}
	if done, err := d.countSettled(ctx, r, f, detail, countInto(series, "")); done || err != nil {
		return err
	}
	first, err := d.client.ListFirstPage(ctx, f, agentsight.StartsGroupedBy(""))
	if err != nil {
		return err
	}
	if first.Count == 0 {
		if n := len(first.Results); n > 0 {
			r.warn("AgentSight reported 0 conversations but sent %d; the counts may be incomplete", n)
		}
		return nil
	}
	pageSize := d.client.PageSize()
	pages := func(rows int) int { return (min(first.Count, rows) + pageSize - 1) / pageSize }
	// The pages that fetching adds: beyond the first (read already) and beyond those another
	// query of the same request lists anyway.
	extraPages := pages(limit) - max(pages(r.listed.rows(f)), 1)
	perBucket := first.Count > limit || series.Buckets.N < extraPages
	if perBucket && r.bucketCounts+series.Buckets.N > agentsight.MaxBucketCounts {
		if first.Count > limit {
			// Neither plan is within budget: reading the range would cut it at the limit,
			// counting bucket by bucket would send more requests than a query may.
			return badQuery("this range holds %d conversations, more than max conversations (%d), and counting its %d buckets one by one would take more than the %d requests a query may send: use a larger bucket, a shorter range, or raise max conversations (maxConversations)",
				first.Count, limit, r.bucketCounts+series.Buckets.N, agentsight.MaxBucketCounts)
		}
		perBucket = false
	}
	if perBucket {
		r.bucketCounts += series.Buckets.N
		r.planned("per-bucket counts")
		return d.countPerBucket(ctx, r, f, series)
	}
	r.planned("listing")
	add := countInto(series, "")
	var listing *agentsight.Listing
	switch {
	case shared:
		listing, err = d.listAll(ctx, r, f, limit, agentsight.Summary)
		if err == nil {
			add(listing.Conversations)
		}
	case d.keepsRows(first.Count, limit):
		listing, err = d.keepListing(ctx, f, limit, detail, first, add)
	default:
		listing, err = d.client.ListEach(ctx, f, limit, detail, first, add)
	}
	if err != nil {
		return err
	}
	for _, p := range listing.Problems {
		r.warn("%s; the counts may be incomplete", p)
	}
	return nil
}

// countListed adds each conversation the query selects to its group's series. A single
// listing that no other query of the request reads is streamed, page by page, so that a
// range of 100k conversations is never held at once; otherwise the request's shared
// listings are read.
func (d *Datasource) countListed(ctx context.Context, r *run, series *frames.CountSeries) error {
	add := countInto(series, r.query.GroupBy)
	limit := d.settings.MaxConversations
	combos, err := d.combinations(ctx, r)
	if err != nil {
		return err
	}
	if len(combos) > 1 || r.listed.rows(combos[0]) == limit {
		convs, err := d.listConversations(ctx, r, limit, agentsight.Summary)
		if err == nil {
			add(convs)
		}
		return err
	}
	detail := agentsight.StartsGroupedBy(r.query.GroupBy)
	if done, err := d.countSettled(ctx, r, combos[0], detail, add); done || err != nil {
		return err
	}
	r.planned("streamed listing")
	first, err := d.client.ListFirstPage(ctx, combos[0], detail)
	if err != nil {
		return err
	}
	shown := 0
	visit := func(convs []agentsight.Conversation) {
		shown += len(convs)
		add(convs)
	}
	var listing *agentsight.Listing
	if d.keepsRows(first.Count, limit) {
		listing, err = d.keepListing(ctx, combos[0], limit, detail, first, visit)
	} else {
		listing, err = d.client.ListEach(ctx, combos[0], limit, detail, first, visit)
	}
	if err != nil {
		return err
	}
	warnListing(r, listing.Problems, listing.Truncated, shown, listing.Count)
	return nil
}

// countSettled counts f's conversations from the rows earlier refreshes kept and the API's
// rows since (agentsight.ListSettledTail). done is false when no settled rows cover the
// range's start (nothing was sent), when the tail is incomplete, or when the range holds
// more than maxConversations: the caller then plans as for a first read.
func (d *Datasource) countSettled(ctx context.Context, r *run, f agentsight.Filters, detail agentsight.Detail, add func([]agentsight.Conversation)) (done bool, err error) {
	listing, reused, ok, err := d.client.ListSettledTail(ctx, f, d.settings.MaxConversations, detail, d.settled())
	if err != nil || !ok || listing.Truncated {
		// A range over the limit is counted as a first read counts it (bucket by bucket,
		// or with the usual warning).
		return false, err
	}
	r.planned("settled listing")
	r.settledRows.Add(int64(reused))
	add(listing.Conversations)
	return true, nil
}

// keepsRows says whether a count whose listing has count rows (it reads at most limit)
// holds them for the next refresh rather than streaming them: only with incremental
// refresh on, and only if they fit what the cache may keep.
func (d *Datasource) keepsRows(count, limit int) bool {
	return d.settled() != (agentsight.Settled{}) && d.client.KeepsSettledRows(min(count, limit))
}

// keepListing is ListEach for a count whose settled rows the next refresh reuses: it keeps
// the rows (a count's detail holds little more than their starts) so that they can be
// stored.
func (d *Datasource) keepListing(ctx context.Context, f agentsight.Filters, limit int, detail agentsight.Detail, first *agentsight.ConversationPage, add func([]agentsight.Conversation)) (*agentsight.Listing, error) {
	listing, err := d.client.ListRest(ctx, f, limit, detail, first)
	if err != nil {
		return nil, err
	}
	add(listing.Conversations)
	d.client.KeepSettled(f, detail, listing, d.settled())
	return listing, nil
}

// countInto adds conversations to series at their start, in the group of their groupBy
// value ("" for an ungrouped series).
func countInto(series *frames.CountSeries, groupBy string) func([]agentsight.Conversation) {
	return func(convs []agentsight.Conversation) {
		for i := range convs {
			if t := convs[i].StartedAt; t != nil {
				series.Add(frames.FieldValue(&convs[i], groupBy), *t, 1)
			}
		}
	}
}

func (d *Datasource) countPerBucket(ctx context.Context, r *run, f agentsight.Filters, series *frames.CountSeries) error {
	var mu sync.Mutex
	settled := d.settled()
	return forEach(ctx, series.Buckets.N, d.client.Concurrency(), func(ctx context.Context, i int) error {
		bf := f
		bf.StartedAfter, bf.StartedBefore = series.Buckets.Bounds(i, r.from, r.to)
		n, reused, err := d.client.CountSettled(ctx, bf, settled)
		if err != nil {
			return err
		}
		if reused {
			r.settledBuckets.Add(1)
		}
		mu.Lock()
		series.AddToBucket("", i, float64(n))
		mu.Unlock()
		return nil
	})
}

// countTotal is one page_size=1 request per filter combination, whatever the range holds (or
// none when another query of the request lists the same conversations).
func (d *Datasource) countTotal(ctx context.Context, r *run) (int, error) {
	if !r.query.Filters.Disjoint() {
		convs, err := d.listConversations(ctx, r, d.settings.MaxConversations, agentsight.Summary)
		return len(convs), err
	}
	r.planned("totals")
	combos, err := d.combinations(ctx, r)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, f := range combos {
		n, err := d.countOne(ctx, r, f)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// countOne is the number of conversations f selects: from the first page of a listing that
// another query of the request reads anyway (no request of its own), or with one
// page_size=1 request.
func (d *Datasource) countOne(ctx context.Context, r *run, f agentsight.Filters) (int, error) {
	if rows := r.listed.rows(f); rows > 0 {
		// The settled rows and the tail that listing reads anyway count the range too.
		listing, reused, ok, err := d.client.ListSettledTail(ctx, f, rows, agentsight.Summary, d.settled())
		if err != nil {
			return 0, err
		}
		if ok {
			r.planned("settled listing")
			r.settledRows.Add(int64(reused))
			return listing.Count, nil
		}
		first, err := d.client.ListFirstPage(ctx, f, agentsight.StartsGroupedBy(""))
		if err != nil {
			return 0, err
		}
		return first.Count, nil
	}
	return d.client.CountConversations(ctx, f)
}
