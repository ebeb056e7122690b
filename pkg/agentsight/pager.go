package agentsight

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// MaxListRows bounds one listing whatever the caller asks, so that an absurd count from the
// API cannot make the plugin plan millions of requests.
const MaxListRows = 1_000_000

// Listing is every conversation a filter selects, up to a limit.
type Listing struct {
	Conversations []Conversation
	// Count is what the API reported for the filter.
	Count int
	// Truncated is true when Limit stopped the listing before Count.
	Truncated bool
	// Problems describe pages that disagreed with the first one (rows missing or doubled);
	// the rows that did arrive are kept, so callers show them with a warning.
	Problems []string
}

// ListAll reads the conversations matching f, at most limit of them (limit <= 0: MaxListRows),
// decoding detail of each. The
// first page reveals the count; the remaining pages are then requested by number, in parallel
// within the client's concurrency, and merged in page order without duplicate ids. Callers
// pin f.StartedBefore so that conversations arriving meanwhile cannot shift the pages.
func (c *Client) ListAll(ctx context.Context, f Filters, limit int, detail Detail) (*Listing, error) {
	first, err := c.ListFirstPage(ctx, f, detail)
	if err != nil {
		return nil, err
	}
	return c.ListRest(ctx, f, limit, detail, first)
}

// ListFirstPage reads the first page of a listing. Every listing asks for pages of the
// configured size, whatever its limit, so that panels with different limits share the same
// cached pages.
func (c *Client) ListFirstPage(ctx context.Context, f Filters, detail Detail) (*ConversationPage, error) {
	return c.listPage(ctx, f, 1, c.pageSize, detail, true)
}

// ListRest completes a listing whose first page (requested with ListFirstPage) a caller
// already read, e.g. to plan from its count, with the same detail.
func (c *Client) ListRest(ctx context.Context, f Filters, limit int, detail Detail, first *ConversationPage) (*Listing, error) {
	plan := c.planPages(limit, first)
	results := make([][]Conversation, plan.pages)
	results[0] = first.Results
	listing, err := c.fetchPages(ctx, f, detail, plan, first, func(page int, convs []Conversation) {
		results[page-1] = convs
	})
	if err != nil {
		return nil, err
	}
	seen := plan.idSet()
	out := make([]Conversation, 0, min(plan.want, plan.pages*plan.perPage))
	duplicates := 0
	for _, page := range results {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, conv := range page {
			if _, dup := seen[conv.ID]; dup {
				duplicates++
				continue
			}
			seen[conv.ID] = struct{}{}
			if len(out) == plan.limit {
				listing.Truncated = true
				continue
			}
			out = append(out, conv)
		}
	}
	listing.finish(plan, len(out), duplicates)
	listing.Conversations = out
	return listing, nil
}

// ListEach is ListRest for callers that need each conversation once but never all of them at
// once, such as a count: visit gets each page as it is decoded (in any order, one call at a
// time), without the conversations an earlier page had, and nothing is kept, so a range of
// 100k conversations costs a page's memory rather than the range's. The listing it returns
// has no Conversations; its limit trims each page to the rows that fall within it.
func (c *Client) ListEach(ctx context.Context, f Filters, limit int, detail Detail, first *ConversationPage, visit func([]Conversation)) (*Listing, error) {
	plan := c.planPages(limit, first)
	var (
		mu         sync.Mutex
		seen       = plan.idSet()
		kept       = 0
		duplicates = 0
	)
	onPage := func(page int, convs []Conversation) {
		// Rows beyond the limit are the ones ListRest would cut: the limit counts rows in
		// page order, which a page's number tells without the pages before it.
		if end := plan.limit - (page-1)*plan.perPage; end < len(convs) {
			convs = convs[:max(end, 0)]
		}
		mu.Lock()
		defer mu.Unlock()
		var fresh []Conversation // set at the first duplicate: the page is not ours to change
		for i := range convs {
			if _, dup := seen[convs[i].ID]; dup {
				if fresh == nil {
					fresh = append(make([]Conversation, 0, len(convs)), convs[:i]...)
				}
				duplicates++
				continue
			}
			seen[convs[i].ID] = struct{}{}
			if fresh != nil {
				fresh = append(fresh, convs[i])
			}
		}
		if fresh != nil {
			convs = fresh
		}
		kept += len(convs)
		visit(convs)
	}
	onPage(1, first.Results)
	listing, err := c.fetchPages(ctx, f, detail, plan, first, onPage)
	if err != nil {
		return nil, err
	}
	listing.finish(plan, kept, duplicates)
	return listing, nil
}

// PageHeadroom is how many times the pages its limit needs at the requested page size a
// listing may request: room for a server that caps page_size below what is asked (a quarter
// of it still reads every row), while a server that sends far fewer rows per page (one, say,
// with an endless count and always a next link) cannot multiply the requests a query sends.
const PageHeadroom = 4

// PageBudget is the most requests a listing of at most limit rows sends, its first page
// included, when it asks for pages of pageSize rows.
func PageBudget(limit, pageSize int) int {
	if limit <= 0 || limit > MaxListRows {
		limit = MaxListRows
	}
	return PageHeadroom * ((limit + pageSize - 1) / pageSize)
}

// MaxBucketCounts is the most page_size=1 requests a count query sends to count its buckets
// one by one (the plan for a range holding more conversations than a query may read): a
// panel's points at most, not the 50,000 an explicit bucket may draw.
const MaxBucketCounts = 2000

// pagePlan is how a listing pages through its rows.
type pagePlan struct {
	limit   int // rows the caller takes at most
	want    int // rows the listing reads: the limit or the count, whichever is lower
	asked   int // rows per page the listing asks for
	perPage int // rows a full page holds: what the server's first page shows
	pages   int // pages to read, the first included, within budget
	budget  int // the most requests the listing may send
	needed  int // pages the count would need at perPage, beyond the budget or not
}

func (c *Client) planPages(limit int, first *ConversationPage) pagePlan {
	if limit <= 0 || limit > MaxListRows {
		limit = MaxListRows
	}
	want := min(first.Count, limit)
	// A server may cap page_size below what we ask; its first page shows the real size.
	perPage := c.pageSize
	if first.Next != nil && len(first.Results) > 0 && len(first.Results) < perPage {
		perPage = len(first.Results)
	}
	needed := max((want+perPage-1)/perPage, 1)
	budget := PageBudget(limit, c.pageSize)
	return pagePlan{limit: limit, want: want, asked: c.pageSize, perPage: perPage, pages: min(needed, budget), budget: budget, needed: needed}
}

// idSet is an empty set for the ids of the listing's rows, sized for the rows it can get.
func (p pagePlan) idSet() map[int64]struct{} {
	return make(map[int64]struct{}, min(p.want, p.pages*p.perPage))
}

// fetchPages requests pages 2 to plan.pages by number, in parallel within the client's
// concurrency, and hands each decoded page to onPage (page 1 is the caller's). It returns a
// listing with the count, whether the limit cuts it, and the pages that went missing.
func (c *Client) fetchPages(ctx context.Context, f Filters, detail Detail, plan pagePlan, first *ConversationPage, onPage func(page int, convs []Conversation)) (*Listing, error) {
	listing := &Listing{Count: first.Count, Truncated: first.Count > plan.limit}
	pages := plan.pages
	if pages > 1 && first.Next == nil {
		listing.Problems = append(listing.Problems, fmt.Sprintf("AgentSight reported %d conversations but only one page", first.Count))
		return listing, nil
	}
	if plan.needed > plan.budget {
		listing.Problems = append(listing.Problems, fmt.Sprintf(
			"AgentSight sent %d conversations per page where %d were asked: stopped after %d requests (the budget for a limit of %d conversations), %d of %d conversations read; raise max conversations (maxConversations) or the query's limit to read more",
			plan.perPage, plan.asked, plan.budget, plan.limit, min(plan.budget*plan.perPage, plan.want), plan.want))
	}
	if pages == 1 {
		return listing, nil
	}
	// A listing that would fill more than half the cache is not stored: it would push out
	// what the other panels share, and still not be there for its own refresh, which asks
	// for its pages in the order they were stored, so that each is evicted just before it
	// is wanted.
	store := c.cache.holds(int64(first.Bytes) * int64(pages))
	missing := make([]bool, pages)
	// Twice as many workers as request slots, so that a worker decoding its page does not
	// keep a slot idle; more would only queue. Each worker takes the next page until none is
	// left, rather than a goroutine per page: a new goroutine's stack grows (and is copied)
	// again while it decodes, a cost per page that a worker pays once.
	g, gctx := errgroup.WithContext(ctx)
	var next atomic.Int64
	next.Store(1)
	for range min(2*c.Concurrency(), pages-1) {
		g.Go(func() error {
			return Contain(func() error {
				for {
					if err := gctx.Err(); err != nil {
						return err
					}
					page := int(next.Add(1))
					if page > pages {
						return nil
					}
					if c.pageFault != nil {
						c.pageFault(page)
					}
					p, err := c.listPage(gctx, f, page, c.pageSize, detail, store)
					if KindOf(err) == KindNotFound {
						// The data shrank under us: fewer pages exist than the count promised.
						missing[page-1] = true
						continue
					}
					if err != nil {
						return err
					}
					onPage(page, p.Results)
				}
			})
		})
	}
	err := g.Wait()
	if err == nil {
		// Pages not started because the caller gave up are no success.
		err = ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	for page, gone := range missing {
		if gone {
			listing.Problems = append(listing.Problems, fmt.Sprintf("page %d of %d no longer exists", page+1, pages))
		}
	}
	return listing, nil
}

// finish records the rows that pages doubled, left out or added beyond the count.
func (l *Listing) finish(plan pagePlan, got, duplicates int) {
	if duplicates > 0 {
		l.Problems = append(l.Problems, fmt.Sprintf("%d conversations appeared on more than one page", duplicates))
	}
	switch {
	case got < plan.want && len(l.Problems) == 0:
		l.Problems = append(l.Problems, fmt.Sprintf("AgentSight reported %d conversations but returned %d", plan.want, got))
	case got > plan.want:
		l.Problems = append(l.Problems, fmt.Sprintf("AgentSight reported %d conversations but sent %d", l.Count, got))
	}
}
