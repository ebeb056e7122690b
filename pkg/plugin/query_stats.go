package plugin

import (
	"context"
	"sync"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/frames"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/models"
)

// runStats answers a stats query: a measure of the conversations the filters select (started
// within the range, as for count), aggregated per bucket (or over the range) and group.
//
// Every conversation is read from list pages, decoded only as far as the measure needs
// (agentsight.StatsDetail: never a message's text). Per-message measures need the messages'
// timestamps and senders: from the list pages when they embed them, otherwise from each
// conversation's detail, within the client's concurrency. A range holding more conversations
// than maxConversations is refused before its rows are read, so the detail requests a query
// may send are bounded by that setting too.
func runStats(ctx context.Context, d *Datasource, r *run) (framer, error) {
	q := r.query
	spec, ok := models.LookupMeasure(q.Measure)
	if !ok {
		return nil, badQuery("unknown measure %q", q.Measure)
	}
	var buckets frames.Buckets
	if !q.Total {
		var err error
		if buckets, err = seriesBuckets(r); err != nil {
			return nil, err
		}
	}
	series := frames.NewStatsSeries(q, buckets, r.from, r.to)
	// The message count of a list row is only known when the pages embed messages.
	needsMessages := spec.PerMessage || q.Measure == models.MeasureMessages
	c := statsCollector{series: series, needsMessages: needsMessages}
	if err := d.statsListed(ctx, r, agentsight.StatsDetail(spec.PerMessage), c.visit); err != nil {
		return nil, err
	}
	if err := d.statsDetails(ctx, r, &c); err != nil {
		return nil, err
	}
	return series, nil
}

// statsCollector adds listed conversations to the series. A row without messages may be a
// conversation without any or a page that does not embed them: such rows wait until the
// listings tell which (embedded), then are added as they are or read in detail.
type statsCollector struct {
	series        *frames.StatsSeries
	needsMessages bool
	// seen holds the ids added or waiting, so that overlapping listings count a
	// conversation once.
	seen     map[int64]struct{}
	waiting  []agentsight.Conversation
	embedded bool
}

func (c *statsCollector) visit(convs []agentsight.Conversation) {
	if c.seen == nil {
		c.seen = map[int64]struct{}{}
	}
	for i := range convs {
		conv := &convs[i]
		if _, dup := c.seen[conv.ID]; dup {
			continue
		}
		c.seen[conv.ID] = struct{}{}
		if c.needsMessages && conv.MessageCount == 0 {
			c.waiting = append(c.waiting, *conv)
			continue
		}
		c.embedded = c.embedded || conv.MessageCount > 0
		c.series.Add(conv)
	}
}

// statsListed reads each combination of the query's filters, rows to visit one batch at a
// time. A listing other queries of the request read to the same limit is shared (and held);
// any other is streamed and refused, before its rows are read, when its range holds more
// conversations than maxConversations: an aggregate over the newest rows only would be
// silently wrong.
func (d *Datasource) statsListed(ctx context.Context, r *run, detail agentsight.Detail, visit func([]agentsight.Conversation)) error {
	limit := d.settings.MaxConversations
	combos, err := d.combinations(ctx, r)
	if err != nil {
		return err
	}
	for _, f := range combos {
		if err := ctx.Err(); err != nil {
			return err
		}
		var listing *agentsight.Listing
		if r.listed.rows(f) == limit {
			if listing, err = d.listAll(ctx, r, f, limit, detail); err != nil {
				return err
			}
			if listing.Truncated {
				return tooManyForStats(listing.Count, limit)
			}
			visit(listing.Conversations)
		} else {
			listing, err = d.client.List(ctx, agentsight.ListRequest{
				Filters: f, Limit: limit, Detail: detail, Settled: d.settled(), Visit: visit,
				Choose: func(count int) (bool, error) {
					if count > limit {
						return false, tooManyForStats(count, limit)
					}
					return true, nil
				},
			})
			if err != nil {
				return err
			}
			if listing.Truncated {
				// Settled rows answered without asking and the tail still overflowed.
				return tooManyForStats(listing.Count, limit)
			}
			r.settledRows.Add(int64(listing.Reused))
		}
		r.planned(listing.Plan)
		for _, p := range listing.Problems {
			r.warn("%s; the statistics may be incomplete", p)
		}
	}
	return nil
}

func tooManyForStats(count, limit int) error {
	return badQuery("this range holds %d conversations, more than max conversations (%d), and a stats query reads every conversation it aggregates: "+
		"narrow the range or the filters, or raise max conversations (maxConversations)", count, limit)
}

// statsDetails adds the conversations that waited for their messages: as listed when the
// pages embed messages (so theirs have none) or the filters select conversations without
// any, otherwise from their details, within the budget of maxConversations detail requests,
// checked before the first is sent.
func (d *Datasource) statsDetails(ctx context.Context, r *run, c *statsCollector) error {
	if c.embedded || noMessagesWanted(r) {
		for i := range c.waiting {
			c.series.Add(&c.waiting[i])
		}
		return nil
	}
	n := len(c.waiting)
	if n == 0 {
		return nil
	}
	if limit := d.settings.MaxConversations; n > limit {
		return badQuery("the API's list pages do not embed messages, and this query would need %d detail requests, one per conversation, more than max conversations (%d): "+
			"narrow the range or the filters, or raise max conversations (maxConversations)", n, limit)
	}
	r.planned("details")
	var mu sync.Mutex
	// Each detail is added as it arrives rather than all held first (withDetails).
	err := d.eachDetail(ctx, c.waiting, func(i int, detail *agentsight.Conversation) {
		// The listed start and range decide the bucket, as for every other conversation: a
		// detail read later may have moved.
		detail.StartedAt = c.waiting[i].StartedAt
		mu.Lock()
		c.series.Add(detail)
		mu.Unlock()
	})
	if err != nil {
		return err
	}
	r.info("the API's list pages do not embed messages: read them with %d detail requests, one per conversation", n)
	return nil
}
