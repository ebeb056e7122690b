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
	buckets, err := seriesBuckets(r)
	if err != nil {
		return nil, err
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

// seriesBuckets are the buckets of a count or stats series: the query's bucket, or the
// panel's interval widened so that the series has no more points than the panel asked.
func seriesBuckets(r *run) (frames.Buckets, error) {
	size := r.query.Bucket
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
		return frames.Buckets{}, badQuery("bucket %q over this range gives %d points: use a larger bucket (at most %d points)", gtime.FormatInterval(size), buckets.N, maxBuckets)
	}
	return buckets, nil
}

// MaxBucketCounts is the most page_size=1 requests a count query sends to count its buckets
// one by one (the plan for a range holding more conversations than a query may read): a
// panel's points at most, not the 50,000 an explicit bucket may draw.
const MaxBucketCounts = 2000

// countSeries adds one filter combination's counts per bucket, by the cheaper of two plans
// (decided once, from the count the API reports): read every conversation in range and
// bucket them here, or ask the API for one count (page_size=1) per bucket. Pages that
// another query of the same request reads anyway cost nothing extra. Counting per bucket is
// also the only exact plan when the range holds more conversations than a query may read.
func (d *Datasource) countSeries(ctx context.Context, r *run, f agentsight.Filters, series *frames.CountSeries) error {
	limit := d.settings.MaxConversations
	add := countInto(series, "")
	var listing *agentsight.Listing
	var err error
	if r.listed.rows(f) == limit {
		// Other queries of the request read this very listing: share it, settled rows too.
		listing, err = d.listAll(ctx, r, f, limit, agentsight.Summary)
		if err != nil {
			return err
		}
		if listing.Truncated {
			// More than a query may read: only counting bucket by bucket is exact.
			if err := d.planBucketCounts(r, series, listing.Count, limit); err != nil {
				return err
			}
			return d.countPerBucket(ctx, r, f, series)
		}
		add(listing.Conversations)
	} else {
		pageSize := d.client.PageSize()
		perBucket := false
		listing, err = d.client.List(ctx, agentsight.ListRequest{
			Filters: f, Limit: limit, Detail: agentsight.StartsGroupedBy(""), Settled: d.settled(), Visit: add,
			Choose: func(count int) (bool, error) {
				pages := func(rows int) int { return (min(count, rows) + pageSize - 1) / pageSize }
				// The pages that reading adds: beyond the first (read already) and beyond
				// those another query of the same request lists anyway.
				extraPages := pages(limit) - max(pages(r.listed.rows(f)), 1)
				perBucket = count > 0 && (count > limit || series.Buckets.N < extraPages)
				if perBucket && r.bucketCounts+series.Buckets.N > MaxBucketCounts {
					if count > limit {
						return false, d.planBucketCounts(r, series, count, limit)
					}
					perBucket = false
				}
				return !perBucket, nil
			},
		})
		if err != nil {
			return err
		}
		if perBucket {
			r.bucketCounts += series.Buckets.N
			r.planned("per-bucket counts")
			return d.countPerBucket(ctx, r, f, series)
		}
	}
	r.planned(listing.Plan)
	r.settledRows.Add(int64(listing.Reused))
	for _, p := range listing.Problems {
		r.warn("%s; the counts may be incomplete", p)
	}
	return nil
}

// planBucketCounts takes series' buckets from the query's budget of per-bucket counts, for a
// range whose count is over the limit; a query over the budget gets an error naming the
// settings to change, before any per-bucket request.
func (d *Datasource) planBucketCounts(r *run, series *frames.CountSeries, count, limit int) error {
	if r.bucketCounts+series.Buckets.N > MaxBucketCounts {
		// Neither plan is within budget: reading the range would cut it at the limit,
		// counting bucket by bucket would send more requests than a query may.
		return badQuery("this range holds %d conversations, more than max conversations (%d), and counting its %d buckets one by one would take more than the %d requests a query may send: use a larger bucket, a shorter range, or raise max conversations (maxConversations)",
			count, limit, r.bucketCounts+series.Buckets.N, MaxBucketCounts)
	}
	r.bucketCounts += series.Buckets.N
	r.planned("per-bucket counts")
	return nil
}

// countListed adds each conversation the query selects to its group's series. A single
// listing that no other query of the request reads is streamed, page by page, so that a
// range of 100k conversations is never held at once (unless the client keeps them as settled
// data); otherwise the request's shared listings are read.
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
	shown := 0
	listing, err := d.client.List(ctx, agentsight.ListRequest{
		Filters: combos[0], Limit: limit, Detail: agentsight.StartsGroupedBy(r.query.GroupBy), Settled: d.settled(),
		Visit: func(convs []agentsight.Conversation) {
			shown += len(convs)
			add(convs)
		},
	})
	if err != nil {
		return err
	}
	r.planned(listing.Plan)
	r.settledRows.Add(int64(listing.Reused))
	warnListing(r, listing.Problems, listing.Truncated, shown, listing.Count)
	return nil
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
		n, reused, err := d.client.Count(ctx, bf, settled)
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

// countOne is the number of conversations f selects: from a listing that another query of
// the request reads anyway (no request of its own; its rows in range when it is whole), or
// with one page_size=1 request.
func (d *Datasource) countOne(ctx context.Context, r *run, f agentsight.Filters) (int, error) {
	if rows := r.listed.rows(f); rows > 0 {
		listing, err := d.listAll(ctx, r, f, rows, agentsight.Summary)
		if err == nil {
			return listing.Count, nil
		}
		if ctx.Err() != nil {
			return 0, err
		}
		// The listing failed for the query that shares it (a page it could not read): the
		// total still has its own page_size=1 request.
	}
	n, _, err := d.client.Count(ctx, f, agentsight.Settled{})
	return n, err
}
