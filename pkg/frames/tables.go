package frames

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// LinkTarget is the data source that data links open (the one that made the frame); a zero
// value adds no links.
type LinkTarget struct {
	UID  string
	Name string
}

// conversationLinks lets a user click a conversation id to open its messages and attachments.
func (l LinkTarget) conversationLinks() []data.DataLink {
	if l.UID == "" {
		return nil
	}
	link := func(title, queryType string) data.DataLink {
		return data.DataLink{
			Title: title,
			Internal: &data.InternalDataLink{
				DatasourceUID:  l.UID,
				DatasourceName: l.Name,
				Query: map[string]any{
					"refId":          "A",
					"queryType":      queryType,
					"conversationId": "${__value.raw}",
				},
			},
		}
	}
	return []data.DataLink{
		link("Messages of conversation ${__value.raw}", "messages"),
		link("Attachments of conversation ${__value.raw}", "attachments"),
	}
}

func linked(f *data.Field, l LinkTarget) *data.Field {
	if links := l.conversationLinks(); links != nil {
		f.Config = &data.FieldConfig{Links: links}
	}
	return f
}

func tableMeta() *data.FrameMeta {
	return &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
}

// ConversationsTable lists conversations, one row each, in the order given. messagesKnown
// says whether the conversations carry their messages: the list endpoint may send
// "messages": [] for every conversation, and then the message count is unknown (null), not 0.
func ConversationsTable(convs []agentsight.Conversation, messagesKnown bool, l LinkTarget) *data.Frame {
	n := len(convs)
	var (
		ids         = make([]int64, n)
		convIDs     = make([]string, n)
		customers   = make([]string, n)
		languages   = make([]string, n)
		devices     = make([]string, n)
		started     = make([]*time.Time, n)
		ended       = make([]*time.Time, n)
		durations   = make([]*float64, n)
		messages    = make([]*int64, n)
		ips         = make([]*string, n)
		cities      = make([]*string, n)
		countries   = make([]*string, n)
		isFavorites = make([]bool, n)
		// The nullable fields point into these, one allocation per column rather than one
		// per cell: 100k rows would otherwise cost 700k small allocations.
		times     = make([]time.Time, 2*n)
		floats    = make([]float64, n)
		counts    = make([]int64, n)
		locations = make([]string, 3*n)
	)
	for i := range convs {
		c := &convs[i]
		ids[i], convIDs[i], customers[i] = c.ID, c.ConversationID, c.CustomerID
		languages[i], devices[i], isFavorites[i] = c.Language, c.Device, c.IsFavorite
		started[i], ended[i] = utcInto(c.StartedAt, &times[2*i]), utcInto(c.EndedAt, &times[2*i+1])
		if c.StartedAt != nil && c.EndedAt != nil {
			floats[i] = c.EndedAt.Sub(*c.StartedAt).Seconds()
			durations[i] = &floats[i]
		}
		if messagesKnown {
			counts[i] = int64(c.MessageCount)
			messages[i] = &counts[i]
		}
		if g := c.GeoLocation; g != nil {
			ips[i], cities[i], countries[i] = nonEmptyInto(g.IPAddress, &locations[3*i]), nonEmptyInto(g.City, &locations[3*i+1]), nonEmptyInto(g.Country, &locations[3*i+2])
		}
	}
	frame := data.NewFrame("conversations",
		linked(data.NewField("id", nil, ids), l),
		data.NewField("conversation_id", nil, convIDs),
		data.NewField("customer_id", nil, customers),
		data.NewField("language", nil, languages),
		data.NewField("device", nil, devices),
		data.NewField("started_at", nil, started),
		data.NewField("ended_at", nil, ended),
		data.NewField("duration_s", nil, durations).SetConfig(&data.FieldConfig{Unit: "s"}),
		data.NewField("messages", nil, messages),
		data.NewField("ip_address", nil, ips),
		data.NewField("city", nil, cities),
		data.NewField("country", nil, countries),
		data.NewField("is_favorite", nil, isFavorites),
	)
	frame.Meta = tableMeta()
	return frame
}

// messageRow is one message with its conversation, and its sort key: sorting 100k
// conversations' messages compares integers rather than chasing pointers, and the row's
// position breaks the last ties, which keeps the order of a stable sort with an unstable
// (and much faster) one.
type messageRow struct {
	conv  *agentsight.Conversation
	msg   *agentsight.Message
	noTS  bool
	sec   int64
	nsec  int
	index int
}

// sortedMessages lists the messages of convs by timestamp (messages without one last), then id.
func sortedMessages(convs []agentsight.Conversation) []messageRow {
	total := 0
	for i := range convs {
		total += len(convs[i].Messages)
	}
	rows := make([]messageRow, 0, total)
	for i := range convs {
		for j := range convs[i].Messages {
			m := &convs[i].Messages[j]
			r := messageRow{conv: &convs[i], msg: m, noTS: m.Timestamp == nil, index: len(rows)}
			if m.Timestamp != nil {
				r.sec, r.nsec = m.Timestamp.Unix(), m.Timestamp.Nanosecond()
			}
			rows = append(rows, r)
		}
	}
	slices.SortFunc(rows, func(a, b messageRow) int {
		if a.noTS != b.noTS {
			if a.noTS {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(a.sec, b.sec); c != 0 {
			return c
		}
		if c := cmp.Compare(a.nsec, b.nsec); c != 0 {
			return c
		}
		if c := cmp.Compare(a.msg.ID, b.msg.ID); c != 0 {
			return c
		}
		return cmp.Compare(a.index, b.index)
	})
	return rows
}

// MessagesTable lists every message of the conversations, ordered by timestamp (messages
// without one last, then by id).
func MessagesTable(convs []agentsight.Conversation, l LinkTarget) *data.Frame {
	rows := sortedMessages(convs)
	n := len(rows)
	var (
		convs2      = make([]int64, n)
		convIDs     = make([]string, n)
		ids         = make([]int64, n)
		timestamps  = make([]*time.Time, n)
		senders     = make([]string, n)
		contents    = make([]string, n)
		attachments = make([]int64, n)
		times       = make([]time.Time, n)
	)
	for i, r := range rows {
		convs2[i], convIDs[i] = r.conv.ID, r.conv.ConversationID
		ids[i], timestamps[i], senders[i], contents[i] = r.msg.ID, utcInto(r.msg.Timestamp, &times[i]), r.msg.Sender, r.msg.Content
		attachments[i] = int64(len(r.msg.Attachments))
	}
	frame := data.NewFrame("messages",
		linked(data.NewField("conversation", nil, convs2), l),
		data.NewField("conversation_id", nil, convIDs),
		data.NewField("id", nil, ids),
		data.NewField("timestamp", nil, timestamps),
		data.NewField("sender", nil, senders),
		data.NewField("content", nil, contents),
		data.NewField("attachments", nil, attachments),
	)
	frame.Meta = tableMeta()
	return frame
}

// AttachmentRow is one attachment with the message and conversation it belongs to.
type AttachmentRow struct {
	Conversation int64
	Message      int64
	Attachment   agentsight.Attachment
}

// AttachmentRows flattens an attachments response.
func AttachmentRows(a *agentsight.ConversationAttachments) []AttachmentRow {
	var rows []AttachmentRow
	for _, m := range a.Messages {
		for _, att := range m.Attachments {
			rows = append(rows, AttachmentRow{Conversation: a.ID, Message: m.ID, Attachment: att})
		}
	}
	return rows
}

// AttachmentsTable lists attachments in the order given.
func AttachmentsTable(rows []AttachmentRow, l LinkTarget) *data.Frame {
	n := len(rows)
	var (
		convs     = make([]int64, n)
		messages  = make([]int64, n)
		ids       = make([]int64, n)
		types     = make([]string, n)
		filenames = make([]string, n)
		mimeTypes = make([]string, n)
		sizes     = make([]*int64, n)
		urls      = make([]string, n)
	)
	for i, r := range rows {
		a := r.Attachment
		convs[i], messages[i], ids[i] = r.Conversation, r.Message, a.ID
		types[i], filenames[i], mimeTypes[i], sizes[i], urls[i] = a.Type, a.Filename, a.MimeType, a.SizeBytes, a.FileURL
	}
	frame := data.NewFrame("attachments",
		linked(data.NewField("conversation", nil, convs), l),
		data.NewField("message", nil, messages),
		data.NewField("id", nil, ids),
		data.NewField("type", nil, types),
		data.NewField("filename", nil, filenames),
		data.NewField("mime_type", nil, mimeTypes),
		data.NewField("size_bytes", nil, sizes).SetConfig(&data.FieldConfig{Unit: "bytes"}),
		data.NewField("file_url", nil, urls),
	)
	frame.Meta = tableMeta()
	return frame
}

// ValuesFrame lists distinct values for a dashboard variable: text and value, sorted.
func ValuesFrame(values []string) *data.Frame {
	sorted := append([]string(nil), values...)
	sort.Strings(sorted)
	return data.NewFrame("values", data.NewField("text", nil, sorted), data.NewField("value", nil, append([]string(nil), sorted...)))
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// utcInto is utc with the copy kept in *dst, so that a column's values share one allocation.
func utcInto(t *time.Time, dst *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	*dst = t.UTC()
	return dst
}

func nonEmptyInto(s string, dst *string) *string {
	if s == "" {
		return nil
	}
	*dst = s
	return dst
}
