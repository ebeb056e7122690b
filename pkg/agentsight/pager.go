package agentsight

import (
	"context"
	"fmt"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/internal/parallel"
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

// ListAll reads the conversations matching f, at most limit of them (limit <= 0: MaxListRows). The
// first page reveals the count; the remaining pages are then requested by number, in parallel
// within the client's concurrency, and merged in page order without duplicate ids. Callers
// pin f.StartedBefore so that conversations arriving meanwhile cannot shift the pages.
func (c *Client) ListAll(ctx context.Context, f Filters, limit int) (*Listing, error) {
	if limit <= 0 || limit > MaxListRows {
		limit = MaxListRows
	}
	first, err := c.ListFirstPage(ctx, f)
	if err != nil {
		return nil, err
	}
	return c.ListRest(ctx, f, limit, first)
}

// ListFirstPage reads the first page of a listing. Every listing asks for pages of the
// configured size, whatever its limit, so that panels with different limits share the same
// cached pages.
func (c *Client) ListFirstPage(ctx context.Context, f Filters) (*ConversationPage, error) {
	return c.ListConversations(ctx, f, 1, c.pageSize)
}

// ListRest completes a listing whose first page (requested with ListFirstPage) a caller
// already read, e.g. to plan from its count.
func (c *Client) ListRest(ctx context.Context, f Filters, limit int, first *ConversationPage) (*Listing, error) {
	if limit <= 0 || limit > MaxListRows {
		limit = MaxListRows
	}
	pageSize := c.pageSize
	want := first.Count
	if limit < want {
		want = limit
	}
	// A server may cap page_size below what we ask; its first page shows the real size.
	perPage := pageSize
	if first.Next != nil && len(first.Results) > 0 && len(first.Results) < pageSize {
		perPage = len(first.Results)
	}
	pages := (want + perPage - 1) / perPage
	results := make([][]Conversation, max(pages, 1))
	results[0] = first.Results
	listing := &Listing{Count: first.Count, Truncated: first.Count > limit}

	if pages > 1 && first.Next == nil {
		listing.Problems = append(listing.Problems, fmt.Sprintf("AgentSight reported %d conversations but only one page", first.Count))
		pages = 1
	}
	if pages > 1 {
		missing := make([]bool, pages)
		// Twice as many workers as request slots, so that a worker decoding its page does
		// not keep a slot idle; more would only queue, and one goroutine per page would be
		// thousands for a large range.
		err := parallel.ForEach(ctx, pages-1, 2*c.Concurrency(), func(ctx context.Context, i int) error {
			page := i + 2
			p, err := c.ListConversations(ctx, f, page, pageSize)
			if KindOf(err) == KindNotFound {
				// The data shrank under us: fewer pages exist than the count promised.
				missing[page-1] = true
				return nil
			}
			if err != nil {
				return err
			}
			results[page-1] = p.Results
			return nil
		})
		if err != nil {
			return nil, err
		}
		for page, gone := range missing {
			if gone {
				listing.Problems = append(listing.Problems, fmt.Sprintf("page %d of %d no longer exists", page+1, pages))
			}
		}
	}

	seen := make(map[int64]struct{}, want)
	out := make([]Conversation, 0, want)
	duplicates := 0
	for _, page := range results {
		for _, conv := range page {
			if _, dup := seen[conv.ID]; dup {
				duplicates++
				continue
			}
			seen[conv.ID] = struct{}{}
			if len(out) == limit {
				listing.Truncated = true
				continue
			}
			out = append(out, conv)
		}
	}
	if duplicates > 0 {
		listing.Problems = append(listing.Problems, fmt.Sprintf("%d conversations appeared on more than one page", duplicates))
	}
	if len(out) < want && len(listing.Problems) == 0 {
		listing.Problems = append(listing.Problems, fmt.Sprintf("AgentSight reported %d conversations but returned %d", want, len(out)))
	}
	listing.Conversations = out
	return listing, nil
}
