package plugin

import (
	"context"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/frames"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

type attachmentsResult struct {
	rows  []frames.AttachmentRow
	limit int
	links frames.LinkTarget
}

func (a attachmentsResult) Frames() (data.Frames, error) {
	return frames.LimitedTable(frames.AttachmentsTable(a.rows, a.links), a.limit, "attachments"), nil
}

// runAttachments answers an attachments table for one conversation (conversationId) or for
// the conversations the filters select.
func runAttachments(ctx context.Context, d *Datasource, r *run) (framer, error) {
	if id := r.query.ConversationID; id > 0 {
		a, err := d.client.GetAttachments(ctx, id)
		if err != nil {
			return nil, err
		}
		return attachmentsResult{rows: frames.AttachmentRows(a), limit: r.query.Limit, links: d.links}, nil
	}
	convs, err := d.listConversations(ctx, r, r.limit(d.settings), agentsight.WithMessages)
	if err != nil {
		return nil, err
	}
	var rows []frames.AttachmentRow
	if messagesEmbedded(convs) || noMessagesWanted(r) {
		for _, c := range convs {
			for _, m := range c.Messages {
				for _, att := range m.Attachments {
					rows = append(rows, frames.AttachmentRow{Conversation: c.ID, Message: m.ID, Attachment: att})
				}
			}
		}
	} else {
		perConv := make([][]frames.AttachmentRow, len(convs))
		err := forEach(ctx, len(convs), d.client.Concurrency(), func(ctx context.Context, i int) error {
			a, err := d.client.GetAttachments(ctx, convs[i].ID)
			if err != nil {
				return err
			}
			perConv[i] = frames.AttachmentRows(a)
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, convRows := range perConv {
			rows = append(rows, convRows...)
		}
	}
	return attachmentsResult{rows: rows, limit: r.query.Limit, links: d.links}, nil
}
