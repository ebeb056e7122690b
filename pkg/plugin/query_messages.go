package plugin

import (
	"context"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/frames"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/models"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

type messagesResult struct {
	convs []agentsight.Conversation
	limit int
	links frames.LinkTarget
	// logs is set in Explore: the transcript as log lines rather than a table.
	logs bool
}

func (m messagesResult) Frames() (data.Frames, error) {
	if m.logs {
		return frames.LimitedTable(frames.MessagesLog(m.convs), m.limit, "messages"), nil
	}
	return frames.LimitedTable(frames.MessagesTable(m.convs, m.links), m.limit, "messages"), nil
}

// runMessages answers a messages table: every message of one conversation (conversationId)
// or of the conversations the filters select, so that a search shows whole transcripts.
func runMessages(ctx context.Context, d *Datasource, r *run) (framer, error) {
	if id := r.query.ConversationID; id > 0 {
		c, err := d.client.GetConversation(ctx, id)
		if err != nil {
			return nil, err
		}
		return messagesResult{convs: []agentsight.Conversation{*c}, limit: r.query.Limit, links: d.links, logs: r.query.Format == models.FormatLogs}, nil
	}
	convs, err := d.listConversations(ctx, r, r.limit(d.settings), agentsight.WithMessages)
	if err != nil {
		return nil, err
	}
	if !messagesEmbedded(convs) && !noMessagesWanted(r) {
		if convs, err = d.withDetails(ctx, convs); err != nil {
			return nil, err
		}
	}
	return messagesResult{convs: convs, limit: r.query.Limit, links: d.links, logs: r.query.Format == models.FormatLogs}, nil
}

// noMessagesWanted is true when the filters select conversations without messages, so no
// detail request could find any.
func noMessagesWanted(r *run) bool {
	hm := r.query.Filters.Bool("has_messages")
	return hm != nil && !*hm
}
