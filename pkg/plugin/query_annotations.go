package plugin

import (
	"context"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/frames"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

type annotationsResult struct {
	convs []agentsight.Conversation
}

func (a annotationsResult) Frames() (data.Frames, error) {
	return data.Frames{frames.Annotations(a.convs)}, nil
}

// runAnnotations answers an annotation query: the conversations the filters select in the
// dashboard's range, within the query's limit and through the same listing (and cache) as a
// table. Messages are read as far as the list embeds them, for the first one's preview.
func runAnnotations(ctx context.Context, d *Datasource, r *run) (framer, error) {
	convs, err := d.listConversations(ctx, r, r.limit(d.settings), agentsight.WithMessages)
	if err != nil {
		return nil, err
	}
	return annotationsResult{convs: convs}, nil
}
