package plugin

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/models"
	"golang.org/x/sync/errgroup"
)

// listedRows is what the queries of one request list anyway: for each listing (its filters
// and range, as the API receives them) the most conversations some query reads from it. The
// queries that read exactly that many share one listing, decoded once.
type listedRows struct {
	limits map[string]int

	mu     sync.Mutex
	shared map[sharedKey]*sharedListing
}

// sharedKey names a listing decoded for a request: its pages (filters and range, as the API
// receives them) and how much of each conversation it decodes.
type sharedKey struct {
	pages  string
	detail agentsight.Detail
}

type sharedListing struct {
	once    sync.Once
	listing *agentsight.Listing
	calls   *agentsight.Trace
	err     error
}

// rows is how many conversations of f the queries of the request list anyway (0: none).
func (l *listedRows) rows(f agentsight.Filters) int {
	if l == nil {
		return 0
	}
	return l.limits[f.Values().Encode()]
}

// listAll is client.List for one combination of filters, shared by the queries of a request
// that read the same listing to the same limit and detail: the pages are requested once
// anyway (the client's cache and in-flight collapsing see to that), and this decodes them
// once too. Every query sharing it shows the listing's calls; only the one that ran it
// counts them as sent.
func (d *Datasource) listAll(ctx context.Context, r *run, f agentsight.Filters, limit int, detail agentsight.Detail) (*agentsight.Listing, error) {
	req := agentsight.ListRequest{Filters: f, Limit: limit, Detail: detail, Settled: d.settled()}
	l := r.listed
	pages := f.Values().Encode()
	if l == nil || l.limits[pages] != limit {
		listing, err := d.client.List(ctx, req)
		if err == nil {
			r.settledRows.Add(int64(listing.Reused))
		}
		return listing, err
	}
	key := sharedKey{pages, detail}
	l.mu.Lock()
	s := l.shared[key]
	if s == nil {
		s = &sharedListing{}
		l.shared[key] = s
	}
	l.mu.Unlock()
	ran := false
	s.once.Do(func() {
		ran = true
		s.calls = &agentsight.Trace{}
		// Contained: a panic here would leave every query sharing the listing without one.
		s.err = agentsight.Contain(func() (err error) {
			s.listing, err = d.client.List(agentsight.WithTrace(ctx, s.calls), req)
			return err
		})
	})
	agentsight.RecordShared(ctx, s.calls.Calls(), ran)
	if s.err != nil {
		return nil, s.err
	}
	r.settledRows.Add(int64(s.listing.Reused))
	return s.listing, nil
}

// listedByRequest finds the listings that the queries of one request read whatever the count
// planner decides: tables, messages, values, grouped counts and counts over overlapping filter
// values. A count consults it to reuse those pages (the client's cache and in-flight
// collapsing share them) instead of sending requests of its own, so that a dashboard whose
// panels share their filters and range costs about as much as its most expensive panel.
func (d *Datasource) listedByRequest(runs []*run) *listedRows {
	if len(runs) < 2 {
		return nil
	}
	out := &listedRows{limits: map[string]int{}, shared: map[sharedKey]*sharedListing{}}
	for _, r := range runs {
		if r == nil {
			continue
		}
		parsed := r.query
		limit := 0
		switch parsed.Type {
		case models.QueryConversations:
			limit = r.limit(d.settings)
		case models.QueryMessages:
			if parsed.ConversationID <= 0 {
				limit = r.limit(d.settings)
			}
		case models.QueryValues, models.QueryStats:
			limit = d.settings.MaxConversations
		case models.QueryCount:
			if !parsed.Filters.Disjoint() || (parsed.GroupBy != "" && !parsed.Total) {
				limit = d.settings.MaxConversations
			}
		}
		if limit <= 0 {
			continue
		}
		// Bounded by the budget (a query over it is refused when it runs), so no context is
		// needed for this enumeration.
		combos, err := parsed.Filters.Combinations(context.Background(), r.from, r.to, d.settings.MaxFilterCombinations)
		if err != nil {
			continue
		}
		for _, f := range combos {
			key := f.Values().Encode()
			out.limits[key] = max(out.limits[key], limit)
		}
	}
	return out
}

// listConversations reads the conversations that a query's filters select in its range, one
// listing per combination of filter values, merged by id (the newest read wins), newest
// first. It warns
// when the limit or the API's inconsistencies cut rows, so a frame never silently drops any.
// Only the messages and attachments tables need the messages that list pages embed (detail
// WithMessages); the rest decode a Summary, which only counts them.
func (d *Datasource) listConversations(ctx context.Context, r *run, limit int, detail agentsight.Detail) ([]agentsight.Conversation, error) {
	combos, err := d.combinations(ctx, r)
	if err != nil {
		return nil, err
	}
	var merged []agentsight.Conversation
	seen := map[int64]int{} // index in merged
	reported, truncated := 0, false
	var problems []string
	for _, f := range combos {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		listing, err := d.listAll(ctx, r, f, limit, detail)
		if err != nil {
			return nil, err
		}
		r.planned(listing.Plan)
		reported += listing.Count
		truncated = truncated || listing.Truncated
		problems = append(problems, listing.Problems...)
		if len(combos) == 1 {
			merged = listing.Conversations // nothing to merge: no copy, no id set
			break
		}
		for _, c := range listing.Conversations {
			i, dup := seen[c.ID]
			switch {
			case !dup:
				seen[c.ID] = len(merged)
				merged = append(merged, c)
			case later(c, merged[i]):
				// One listing's settled copy and another's tail: the tail is the newer read,
				// and a tail only holds starts after the settled part.
				merged[i] = c
			}
		}
	}
	if len(combos) > 1 {
		slices.SortStableFunc(merged, agentsight.NewestFirst)
	}
	if len(merged) > limit {
		merged = merged[:limit]
		truncated = true
	}
	warnListing(r, problems, truncated, len(merged), reported)
	return merged, nil
}

// later says whether a started after b.
func later(a, b agentsight.Conversation) bool {
	return a.StartedAt != nil && (b.StartedAt == nil || a.StartedAt.After(*b.StartedAt))
}

// combinations are the filter sets a query's listings read, within the data source's
// budget; a query over it gets an error naming the setting to raise.
func (d *Datasource) combinations(ctx context.Context, r *run) ([]agentsight.Filters, error) {
	combos, err := r.query.Filters.Combinations(ctx, r.from, r.to, d.settings.MaxFilterCombinations)
	var budget *models.CombinationsError
	if errors.As(err, &budget) {
		return nil, badQuery("%s", budget.Error())
	}
	return combos, err
}

// warnListing tells of the rows a listing could not show: those the API's inconsistencies
// lost and those beyond the limit.
func warnListing(r *run, problems []string, truncated bool, shown, reported int) {
	for _, p := range problems {
		r.warn("%s; the table shows the conversations that arrived", p)
	}
	if truncated {
		r.warn("showing %d of %d conversations: raise the query's limit or the data source's max conversations, or narrow the filters", shown, reported)
	}
}

// messagesEmbedded tells whether a listing carries its conversations' messages: the API may
// send "messages": [] for every conversation of a list, and then details must be read.
func messagesEmbedded(convs []agentsight.Conversation) bool {
	for _, c := range convs {
		if c.MessageCount > 0 {
			return true
		}
	}
	return false
}

// withDetails replaces each conversation by its detail (with messages).
func (d *Datasource) withDetails(ctx context.Context, convs []agentsight.Conversation) ([]agentsight.Conversation, error) {
	out := make([]agentsight.Conversation, len(convs))
	err := d.eachDetail(ctx, convs, func(i int, detail *agentsight.Conversation) { out[i] = *detail })
	return out, err
}

// eachDetail reads each conversation's detail (with messages) concurrently, within the
// client's concurrency, and hands it to use with the conversation's index; use runs on
// several goroutines at once.
func (d *Datasource) eachDetail(ctx context.Context, convs []agentsight.Conversation, use func(i int, detail *agentsight.Conversation)) error {
	return forEach(ctx, len(convs), d.client.Concurrency(), func(ctx context.Context, i int) error {
		detail, err := d.client.GetConversation(ctx, convs[i].ID)
		if err != nil {
			return err
		}
		use(i, detail)
		return nil
	})
}

// forEach runs fn for 0..n-1 on at most workers goroutines and returns the first error,
// cancelling the rest; nothing new starts once ctx is done. A worker's panic is its query's
// error (agentsight.Contain), not the end of the process.
func forEach(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i := 0; i < n && gctx.Err() == nil; i++ {
		g.Go(func() error {
			return agentsight.Contain(func() error {
				if err := gctx.Err(); err != nil {
					return err
				}
				return fn(gctx, i)
			})
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}
