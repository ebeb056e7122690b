package agentsight

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// readAll completes a listing whose first page is read: the pages the plan needs, merged by
// id, in range, newest first, cut at the limit.
func (c *Client) readAll(ctx context.Context, req ListRequest, first *ConversationPage) (*Listing, error) {
	plan := c.planPages(req.Limit, first)
	results := make([][]Conversation, len(plan.pages)+1)
	results[0] = first.Results
	listing, err := c.fetchPages(ctx, req, plan, first, func(i int, convs []Conversation) {
		results[i+1] = convs
	})
	if err != nil {
		return nil, err
	}
	seen := plan.idSet()
	rows := make([]Conversation, 0, min(plan.want, len(results)*plan.perPage))
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
			rows = append(rows, conv)
		}
	}
	listing.finish(plan, len(rows), duplicates)
	var cut bool
	listing.Conversations, cut = finishRows(rows, req.Filters, plan.limit)
	listing.Truncated = listing.Truncated || cut
	if !listing.Truncated {
		listing.Count = len(listing.Conversations)
	}
	return listing, nil
}

// stream is readAll for a caller that needs each conversation once but never all of them at
// once (Visit): each page is handed over as it is decoded, without the conversations an
// earlier page had or those outside the range, and nothing is kept, so a range of 100k
// conversations costs a page's memory rather than the range's. Rows beyond the limit are
// those of the pages past it, in the API's order.
func (c *Client) stream(ctx context.Context, req ListRequest, first *ConversationPage) (*Listing, error) {
	plan := c.planPages(req.Limit, first)
	var (
		mu         sync.Mutex
		seen       = plan.idSet()
		received   = 0
		visited    = 0
		duplicates = 0
	)
	onPage := func(page int, convs []Conversation) {
		// The limit counts rows in page order, which a page's number tells without the
		// pages before it.
		if end := plan.limit - (page-1)*plan.perPage; !plan.ascending && end < len(convs) {
			convs = convs[:max(end, 0)]
		}
		mu.Lock()
		defer mu.Unlock()
		var fresh []Conversation // set at the first row left out: the page is not ours to change
		for i := range convs {
			_, dup := seen[convs[i].ID]
			if dup {
				duplicates++
			} else {
				seen[convs[i].ID] = struct{}{}
				received++
			}
			if dup || !inRange(&convs[i], req.Filters) {
				if fresh == nil {
					fresh = append(make([]Conversation, 0, len(convs)), convs[:i]...)
				}
				continue
			}
			if fresh != nil {
				fresh = append(fresh, convs[i])
			}
		}
		if fresh != nil {
			convs = fresh
		}
		visited += len(convs)
		req.Visit(convs)
	}
	onPage(1, first.Results)
	listing, err := c.fetchPages(ctx, req, plan, first, func(i int, convs []Conversation) { onPage(plan.pages[i], convs) })
	if err != nil {
		return nil, err
	}
	listing.finish(plan, received, duplicates)
	if !listing.Truncated {
		listing.Count = visited
	}
	listing.Plan = "streamed listing"
	return listing, nil
}

// pageHeadroom is how many times the pages its limit needs at the requested page size a
// listing may request: room for a server that caps page_size below what is asked (a quarter
// of it still reads every row), while a server that sends far fewer rows per page (one, say,
// with an endless count and always a next link) cannot multiply the requests a query sends.
const pageHeadroom = 4

// pageBudget is the most requests a listing of at most limit rows sends, its first page
// included, when it asks for pages of pageSize rows.
func pageBudget(limit, pageSize int) int {
	if limit <= 0 || limit > MaxListRows {
		limit = MaxListRows
	}
	return pageHeadroom * ((limit + pageSize - 1) / pageSize)
}

// pagePlan is how a listing pages through its rows.
type pagePlan struct {
	limit     int   // rows the caller takes at most
	count     int   // rows the API reported
	want      int   // rows the listing reads: the limit or the count, whichever is lower
	asked     int   // rows per page the listing asks for
	perPage   int   // rows a full page holds: what the server's first page shows
	ascending bool  // the API lists oldest first, so the newest rows are on the last pages
	pages     []int // pages to read after the first, within budget
	budget    int   // the most requests the listing may send
	needed    int   // pages the rows wanted span at perPage, beyond the budget or not
}

func (c *Client) planPages(limit int, first *ConversationPage) pagePlan {
	if limit <= 0 || limit > MaxListRows {
		limit = MaxListRows
	}
	count := max(first.Count, 0)
	want := min(count, limit)
	// A server may cap page_size below what we ask; its first page shows the real size.
	perPage := c.pageSize
	if first.Next != nil && len(first.Results) > 0 && len(first.Results) < perPage {
		perPage = len(first.Results)
	}
	p := pagePlan{limit: limit, count: count, want: want, asked: c.pageSize, perPage: perPage,
		ascending: ascending(first.Results), budget: pageBudget(limit, c.pageSize)}
	// The rows wanted are the first want the API lists, or its last want when it lists
	// oldest first: the newest are what a limit keeps.
	lo, hi := 1, max((want+perPage-1)/perPage, 1)
	if p.ascending && want < count {
		lo, hi = (count-want)/perPage+1, (count+perPage-1)/perPage
	}
	p.needed = hi - lo + 1
	if lo > 1 {
		p.needed++ // the first page is read anyway
	}
	if p.needed > p.budget {
		if p.ascending {
			lo = hi - p.budget + 2 // the newest pages, the first one beside them
		} else {
			hi = p.budget
		}
	}
	for page := max(lo, 2); page <= hi; page++ {
		p.pages = append(p.pages, page)
	}
	return p
}

// ascending says whether a page lists its rows oldest first.
func ascending(convs []Conversation) bool {
	if len(convs) < 2 {
		return false
	}
	a, b := convs[0].StartedAt, convs[len(convs)-1].StartedAt
	return a != nil && b != nil && a.Before(*b)
}

// rowsOn is how many rows the count says the pages read hold.
func (p pagePlan) rowsOn() int {
	n := min(p.perPage, p.count)
	for _, page := range p.pages {
		n += min(p.perPage, max(p.count-(page-1)*p.perPage, 0))
	}
	return n
}

// idSet is an empty set for the ids of the listing's rows, sized for the rows it can get.
func (p pagePlan) idSet() map[int64]struct{} {
	return make(map[int64]struct{}, min(p.want, (len(p.pages)+1)*p.perPage))
}

// fetchPages requests plan.pages by number, in parallel within the client's concurrency,
// and hands each decoded page to onPage with its index in plan.pages (page 1 is the
// caller's). It returns a listing with the count, whether the limit cuts it, and the pages
// that went missing.
func (c *Client) fetchPages(ctx context.Context, req ListRequest, plan pagePlan, first *ConversationPage, onPage func(i int, convs []Conversation)) (*Listing, error) {
	listing := &Listing{Count: first.Count, Truncated: first.Count > plan.limit, Plan: "listing"}
	pages := len(plan.pages)
	if pages > 0 && first.Next == nil {
		listing.Problems = append(listing.Problems, fmt.Sprintf("AgentSight reported %d conversations but only one page", first.Count))
		plan.pages = nil
		return listing, nil
	}
	if plan.needed > plan.budget {
		listing.Problems = append(listing.Problems, fmt.Sprintf(
			"AgentSight sent %d conversations per page where %d were asked: stopped after %d requests (the budget for a limit of %d conversations), %d of %d conversations read; raise max conversations (maxConversations) or the query's limit to read more",
			plan.perPage, plan.asked, plan.budget, plan.limit, min(plan.budget*plan.perPage, plan.want), plan.want))
	}
	if pages == 0 {
		return listing, nil
	}
	// A listing that would fill more than half the cache is not stored: it would push out
	// what the other panels share, and still not be there for its own refresh, which asks
	// for its pages in the order they were stored, so that each is evicted just before it
	// is wanted.
	store := c.cache.holds(int64(first.Bytes) * int64(pages+1))
	missing := make([]bool, pages)
	// Twice as many workers as request slots, so that a worker decoding its page does not
	// keep a slot idle; more would only queue. Each worker takes the next page until none is
	// left, rather than a goroutine per page: a new goroutine's stack grows (and is copied)
	// again while it decodes, a cost per page that a worker pays once.
	g, gctx := errgroup.WithContext(ctx)
	var next atomic.Int64
	next.Store(-1)
	for range min(2*c.Concurrency(), pages) {
		g.Go(func() error {
			return Contain(func() error {
				for {
					if err := gctx.Err(); err != nil {
						return err
					}
					i := int(next.Add(1))
					if i >= pages {
						return nil
					}
					p, err := c.listPage(gctx, req.Filters, plan.pages[i], c.pageSize, req.Detail, store)
					if KindOf(err) == KindNotFound {
						// The data shrank under us: fewer pages exist than the count promised.
						missing[i] = true
						continue
					}
					if err != nil {
						return err
					}
					onPage(i, p.Results)
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
	last := plan.pages[pages-1]
	for i, gone := range missing {
		if gone {
			listing.Problems = append(listing.Problems, fmt.Sprintf("page %d of %d no longer exists", plan.pages[i], last))
		}
	}
	return listing, nil
}

// finish records the rows that pages doubled, left out or added beyond the count; received
// is how many distinct rows the pages read held.
func (l *Listing) finish(plan pagePlan, received, duplicates int) {
	if duplicates > 0 {
		l.Problems = append(l.Problems, fmt.Sprintf("%d conversations appeared on more than one page", duplicates))
	}
	switch {
	case min(received, plan.want) < plan.want && len(l.Problems) == 0:
		l.Problems = append(l.Problems, fmt.Sprintf("AgentSight reported %d conversations but returned %d", plan.want, received))
	case received > plan.rowsOn():
		l.Problems = append(l.Problems, fmt.Sprintf("AgentSight reported %d conversations but sent %d", l.Count, received))
	}
}
