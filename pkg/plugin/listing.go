package plugin

import (
	"context"
	"slices"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/internal/parallel"
)

// listConversations reads the conversations that a query's filters select in its range, one
// listing per combination of filter values, merged without duplicates, newest first. It warns
// when the limit or the API's inconsistencies cut rows, so a frame never silently drops any.
func (d *Datasource) listConversations(ctx context.Context, r *run, limit int) ([]agentsight.Conversation, error) {
	combos := r.query.Filters.Combinations(r.from, r.to)
	var merged []agentsight.Conversation
	seen := map[int64]bool{}
	reported, truncated := 0, false
	for _, f := range combos {
		listing, err := d.client.ListAll(ctx, f, limit)
		if err != nil {
			return nil, err
		}
		reported += listing.Count
		truncated = truncated || listing.Truncated
		for _, p := range listing.Problems {
			r.warn("%s; the table shows the conversations that arrived", p)
		}
		for _, c := range listing.Conversations {
			if !seen[c.ID] {
				seen[c.ID] = true
				merged = append(merged, c)
			}
		}
	}
	if len(combos) > 1 {
		slices.SortStableFunc(merged, newestFirst)
	}
	if len(merged) > limit {
		merged = merged[:limit]
		truncated = true
	}
	if truncated {
		r.warn("showing %d of %d conversations: raise the query's limit or the data source's max conversations, or narrow the filters", len(merged), reported)
	}
	return merged, nil
}

func newestFirst(a, b agentsight.Conversation) int {
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
	switch {
	case a.ID > b.ID:
		return -1
	case a.ID < b.ID:
		return 1
	}
	return 0
}

// messagesEmbedded tells whether a listing carries its conversations' messages: the API may
// send "messages": [] for every conversation of a list, and then details must be read.
func messagesEmbedded(convs []agentsight.Conversation) bool {
	for _, c := range convs {
		if len(c.Messages) > 0 {
			return true
		}
	}
	return false
}

// withDetails replaces each conversation by its detail (with messages), reading them
// concurrently within the client's concurrency.
func (d *Datasource) withDetails(ctx context.Context, convs []agentsight.Conversation) ([]agentsight.Conversation, error) {
	out := make([]agentsight.Conversation, len(convs))
	err := parallel.ForEach(ctx, len(convs), d.client.Concurrency(), func(ctx context.Context, i int) error {
		c, err := d.client.GetConversation(ctx, convs[i].ID)
		if err != nil {
			return err
		}
		out[i] = *c
		return nil
	})
	return out, err
}
