package agentsight

import (
	"cmp"
	"context"
	"slices"
)

// MaxListRows bounds one listing whatever the caller asks, so that an absurd count from the
// API cannot make the plugin plan millions of requests.
const MaxListRows = 1_000_000

// ListRequest is what a query asks of one listing: the conversations one combination of
// filters selects in its range.
type ListRequest struct {
	// Filters select the conversations; their StartedAfter and StartedBefore (inclusive) are
	// the range. Callers pin StartedBefore so that conversations arriving meanwhile cannot
	// shift the pages.
	Filters Filters
	// Limit is the most rows the listing holds, the newest ones (<= 0, or above MaxListRows:
	// MaxListRows).
	Limit int
	// Detail is how much of each conversation is decoded.
	Detail Detail
	// Settled lets the listing reuse the rows an earlier read of it kept (zero: none).
	Settled Settled
	// Visit, when set, receives the rows instead of Listing.Conversations, a batch at a time
	// (one call at a time, in no particular order, each id once), so that a count over 100k
	// conversations need not hold them all.
	Visit func([]Conversation)
	// Choose, when set, is asked once, with the count the API reports, whether to read the
	// rows at all; when it says no, the listing holds that count only (Declined) and nothing
	// more is sent. Settled rows that answer the listing whole are used without asking.
	Choose func(count int) (read bool, err error)
}

// Listing is what List read.
type Listing struct {
	// Conversations are newest first (by start, then id), one per id, all within the range;
	// nil with Visit.
	Conversations []Conversation
	// Count is how many conversations the range holds: the rows' own number when the
	// listing is whole, what the API reported when Limit cut it.
	Count int
	// Truncated is true when Limit stopped the listing before Count.
	Truncated bool
	// Problems describe pages that disagreed with the first one (rows missing or doubled);
	// the rows that did arrive are kept, so callers show them with a warning.
	Problems []string
	// Reused is how many of the rows came from settled data rather than from the API.
	Reused int
	// Declined is true when Choose said not to read the rows.
	Declined bool
	// Plan names how the listing was read: "listing", "streamed listing" or "settled listing".
	Plan string
}

// List reads the conversations req selects. Everything about how is decided here: the
// first page tells the count, the remaining pages are requested by number in parallel within
// the client's concurrency (shared with identical requests in flight and kept in the cache),
// and settled rows an earlier read kept are reused, only the rest of the range being read.
// Whatever order, bounds or duplicates the API sends, the rows are merged by id (the newest
// read wins), those outside the range are dropped before anything is counted, and the
// newest are kept.
func (c *Client) List(ctx context.Context, req ListRequest) (*Listing, error) {
	if req.Limit <= 0 || req.Limit > MaxListRows {
		req.Limit = MaxListRows
	}
	if listing, err := c.listSettled(ctx, req); err != nil || listing != nil {
		return listing, err
	}
	first, err := c.listPage(ctx, req.Filters, 1, c.pageSize, req.Detail, true)
	if err != nil {
		return nil, err
	}
	if req.Choose != nil {
		read, err := req.Choose(first.Count)
		if err != nil {
			return nil, err
		}
		if !read {
			return &Listing{Count: first.Count, Declined: true}, nil
		}
	}
	if req.Visit != nil && !c.keepsRows(req, first.Count) {
		return c.stream(ctx, req, first)
	}
	listing, err := c.readAll(ctx, req, first)
	if err != nil {
		return nil, err
	}
	c.keepSettled(req, listing)
	if req.Visit != nil {
		req.Visit(listing.Conversations)
		listing.Conversations = nil
	}
	return listing, nil
}

// inRange says whether a conversation started within f's range; one without a start cannot
// be placed and is kept, last.
func inRange(conv *Conversation, f Filters) bool {
	t := conv.StartedAt
	return t == nil || ((f.StartedAfter.IsZero() || !t.Before(f.StartedAfter)) && (f.StartedBefore.IsZero() || !t.After(f.StartedBefore)))
}

// NewestFirst orders conversations as every table shows them: by start, newest first, then
// by id, highest first; those without a start last.
func NewestFirst(a, b Conversation) int {
	switch {
	case a.StartedAt == nil || b.StartedAt == nil:
		if (a.StartedAt == nil) != (b.StartedAt == nil) {
			if a.StartedAt == nil {
				return 1
			}
			return -1
		}
	case !a.StartedAt.Equal(*b.StartedAt):
		return b.StartedAt.Compare(*a.StartedAt)
	}
	return cmp.Compare(b.ID, a.ID)
}

// finishRows drops the rows outside f's range, orders the rest newest first and cuts them at
// limit.
func finishRows(rows []Conversation, f Filters, limit int) (kept []Conversation, cut bool) {
	rows = slices.DeleteFunc(rows, func(conv Conversation) bool { return !inRange(&conv, f) })
	sortNewestFirst(rows)
	if len(rows) > limit {
		return rows[:limit], true
	}
	return rows, false
}

// sortNewestFirst orders rows newest first; rows the API listed so already (the usual case)
// are only checked, not moved.
func sortNewestFirst(rows []Conversation) {
	if !slices.IsSortedFunc(rows, NewestFirst) {
		slices.SortStableFunc(rows, NewestFirst)
	}
}
