package frames

import (
	"flag"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"
)

// Regenerate with: go test ./pkg/frames/ -update (then review the diff).
var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func ptr[T any](v T) *T { return &v }

// conversations covers the API's optional values: an open conversation (no ended_at), no
// geo_location, a geo_location without city, no messages, messages with attachments.
func conversations() []agentsight.Conversation {
	t0 := ts("2026-10-20T10:00:00Z")
	return []agentsight.Conversation{
		{ID: 2, ConversationID: "conv-2", CustomerID: "cust_2", Language: "de", Device: "mobile", StartedAt: ptr(t0.Add(time.Hour)),
			GeoLocation:  &agentsight.GeoLocation{IPAddress: "203.0.113.9", Country: "DE"},
			MessageCount: 2,
			Messages: []agentsight.Message{
				{ID: 21, Timestamp: ptr(t0.Add(61 * time.Minute)), Sender: "end_user", Content: "Wo ist meine Rückerstattung?"},
				{ID: 22, Timestamp: ptr(t0.Add(62 * time.Minute)), Sender: "agent", Content: "Sie ist unterwegs.", Attachments: []agentsight.Attachment{
					{ID: 900, Type: "document", FileURL: "https://cdn.example.com/files/r.pdf", Filename: "r.pdf", MimeType: "application/pdf", SizeBytes: ptr(int64(2048))},
				}},
			}},
		{ID: 1, ConversationID: "conv-1", CustomerID: "cust_1", Language: "en", Device: "desktop", IsFavorite: true,
			StartedAt: ptr(t0), EndedAt: ptr(t0.Add(10 * time.Minute)),
			GeoLocation:  &agentsight.GeoLocation{IPAddress: "192.0.2.1", City: "London", Country: "UK"},
			MessageCount: 2,
			Messages: []agentsight.Message{
				{ID: 11, Timestamp: ptr(t0.Add(time.Minute)), Sender: "end_user", Content: "Hello, I need help."},
				{ID: 12, Sender: "agent", Content: "no timestamp: listed last"},
			}},
		{ID: 3, ConversationID: "conv-3", CustomerID: "cust_1", Language: "en", Device: "tablet", StartedAt: ptr(t0.Add(2 * time.Hour))},
	}
}

func TestTablesGolden(t *testing.T) {
	links := LinkTarget{UID: "ds-uid", Name: "AgentSight"}
	convs := conversations()
	experimental.CheckGoldenJSONFrame(t, "testdata", "conversations.golden", ConversationsTable(convs, true, links), *update)
	experimental.CheckGoldenJSONFrame(t, "testdata", "conversations_messages_unknown.golden", ConversationsTable(convs, false, LinkTarget{}), *update)
	experimental.CheckGoldenJSONFrame(t, "testdata", "messages.golden", MessagesTable(convs, links), *update)
	rows := AttachmentRows(&agentsight.ConversationAttachments{ID: 2, Messages: []agentsight.MessageAttachments{{ID: 22, Attachments: convs[0].Messages[1].Attachments}}})
	experimental.CheckGoldenJSONFrame(t, "testdata", "attachments.golden", AttachmentsTable(rows, links), *update)
	experimental.CheckGoldenJSONFrame(t, "testdata", "values.golden", ValuesFrame([]string{"fr", "de", "en"}), *update)
}

func TestCountSeriesFrames(t *testing.T) {
	from, to := ts("2026-10-20T10:00:00Z"), ts("2026-10-20T12:59:59Z")
	b := NewBuckets(from, to, time.Hour)
	grouped := NewCountSeries(b, "language")
	for _, c := range conversations() {
		grouped.Add(FieldValue(&c, "language"), *c.StartedAt, 1)
	}
	grouped.Add("", from, 1) // no language: grouped as unknown
	experimental.CheckGoldenJSONFramer(t, "testdata", "count_by_language.golden", grouped, *update)

	empty := NewCountSeries(b, "")
	if f, _ := empty.Frames(); len(f) != 1 || f[0].Rows() != 3 {
		t.Fatalf("an ungrouped count with nothing in range must be one all-zero series, got %d frames", len(f))
	}
	if f, _ := NewCountSeries(b, "device").Frames(); len(f) != 0 {
		t.Fatalf("a grouped count with nothing in range has no series, got %d", len(f))
	}
}
