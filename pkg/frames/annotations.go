package frames

import (
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
)

// Annotations marks each conversation on time-series panels, in the fields Grafana's
// annotation support reads without any mapping: time (the start), timeEnd (the end, so an
// ended conversation is a region), title, text and tags. The text quotes the first message
// when the list embeds messages; tags (language and device) let a dashboard filter them.
// Conversations without a start cannot be placed and are left out.
func Annotations(convs []agentsight.Conversation) *data.Frame {
	var (
		times  = make([]time.Time, 0, len(convs))
		ends   = make([]*time.Time, 0, len(convs))
		titles = make([]string, 0, len(convs))
		texts  = make([]string, 0, len(convs))
		tags   = make([]string, 0, len(convs))
	)
	for i := range convs {
		c := &convs[i]
		if c.StartedAt == nil {
			continue
		}
		times = append(times, c.StartedAt.UTC())
		ends = append(ends, utc(c.EndedAt))
		titles = append(titles, annotationTitle(c))
		texts = append(texts, firstMessage(c))
		tags = append(tags, strings.Join(nonEmptyOf(c.Language, c.Device), ","))
	}
	frame := data.NewFrame("annotations",
		data.NewField("time", nil, times),
		data.NewField("timeEnd", nil, ends),
		data.NewField("title", nil, titles),
		data.NewField("text", nil, texts),
		data.NewField("tags", nil, tags),
	)
	return frame
}

func annotationTitle(c *agentsight.Conversation) string {
	who := c.CustomerID
	if who == "" {
		who = "conversation " + c.ConversationID
	}
	if details := nonEmptyOf(c.Language, c.Device); len(details) > 0 {
		return who + " (" + strings.Join(details, ", ") + ")"
	}
	return who
}

// maxAnnotationText keeps a tooltip readable: the first message is a preview, not the
// transcript.
const maxAnnotationText = 200

func firstMessage(c *agentsight.Conversation) string {
	if len(c.Messages) == 0 {
		return ""
	}
	text := c.Messages[0].Content
	if r := []rune(text); len(r) > maxAnnotationText {
		text = string(r[:maxAnnotationText]) + "…"
	}
	return text
}

func nonEmptyOf(values ...string) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
