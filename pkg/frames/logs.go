package frames

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
)

// MessagesLog is the messages of the conversations as log lines (the data plane's log-lines
// format), so that a transcript read in Explore opens in the logs view: one line per message
// at its timestamp, the content as the body, and the sender and conversation as labels that
// the logs view can filter by. A message without a timestamp is placed at its conversation's
// start, since a log line needs a time.
func MessagesLog(convs []agentsight.Conversation) *data.Frame {
	rows := sortedMessages(convs)
	n := len(rows)
	var (
		timestamps = make([]time.Time, n)
		bodies     = make([]string, n)
		ids        = make([]string, n)
		labels     = make([]json.RawMessage, n)
	)
	for i, r := range rows {
		switch {
		case r.msg.Timestamp != nil:
			timestamps[i] = r.msg.Timestamp.UTC()
		case r.conv.StartedAt != nil:
			timestamps[i] = r.conv.StartedAt.UTC()
		}
		bodies[i] = r.msg.Content
		ids[i] = strconv.FormatInt(r.msg.ID, 10)
		// Marshalling a map of strings cannot fail.
		labels[i], _ = json.Marshal(map[string]string{
			"sender":          r.msg.Sender,
			"conversation":    strconv.FormatInt(r.conv.ID, 10),
			"conversation_id": r.conv.ConversationID,
		})
	}
	frame := data.NewFrame("messages",
		data.NewField("timestamp", nil, timestamps),
		data.NewField("body", nil, bodies),
		data.NewField("id", nil, ids),
		data.NewField("labels", nil, labels),
	)
	frame.Meta = &data.FrameMeta{
		Type:                   data.FrameTypeLogLines,
		TypeVersion:            data.FrameTypeVersion{0, 0},
		PreferredVisualization: data.VisTypeLogs,
	}
	return frame
}
