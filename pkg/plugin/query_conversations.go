package plugin

import (
	"context"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/frames"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

type conversationsResult struct {
	convs []agentsight.Conversation
	links frames.LinkTarget
}

func (c conversationsResult) Frames() (data.Frames, error) {
	return data.Frames{frames.ConversationsTable(c.convs, messagesEmbedded(c.convs), c.links)}, nil
}

// runConversations answers a conversations table: one row per conversation in range.
func runConversations(ctx context.Context, d *Datasource, r *run) (framer, error) {
	convs, err := d.listConversations(ctx, r, r.limit(d.settings), agentsight.Summary)
	if err != nil {
		return nil, err
	}
	return conversationsResult{convs: convs, links: d.links}, nil
}
