package plugin

import (
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

func TestAnnotationsOfMobileConversations(t *testing.T) {
	e := newEnv(t, true, nil)
	from, to := rangeFrom, rangeFrom.Add(3*time.Hour)
	dr := e.query(map[string]any{"queryType": "annotations", "filters": map[string]any{"device": "mobile"}}, from, to)
	mustOK(t, dr)
	want := e.inRange(from, to, func(c *fakeapi.Conversation) bool { return c.Device == "mobile" })
	f := dr.Frames[0]
	if f.Rows() != len(want) || len(want) == 0 {
		t.Fatalf("%d annotations, want %d", f.Rows(), len(want))
	}
	for _, name := range []string{"time", "timeEnd", "title", "text", "tags"} {
		if _, i := f.FieldByName(name); i < 0 {
			t.Fatalf("no %q field: Grafana's annotation support reads it", name)
		}
	}
	golden(t, "annotations_mobile", dr)
}

// Explore asks for a transcript as log lines; a dashboard panel gets the table.
func TestMessagesAsLogLinesInExplore(t *testing.T) {
	e := newEnv(t, true, nil)
	id := e.inRange(rangeFrom, rangeTo, func(c *fakeapi.Conversation) bool { return len(c.Messages) > 3 })[0].ID
	logs := e.query(map[string]any{"queryType": "messages", "conversationId": id, "format": "logs"}, rangeFrom, rangeTo)
	mustOK(t, logs)
	table := e.query(map[string]any{"queryType": "messages", "conversationId": id}, rangeFrom, rangeTo)
	mustOK(t, table)
	lf, tf := logs.Frames[0], table.Frames[0]
	if lf.Meta.PreferredVisualization != data.VisTypeLogs || lf.Meta.Type != data.FrameTypeLogLines {
		t.Fatalf("logs meta %+v", lf.Meta)
	}
	if tf.Meta.PreferredVisualization != data.VisTypeTable {
		t.Fatalf("table meta %+v", tf.Meta)
	}
	if lf.Rows() != tf.Rows() {
		t.Fatalf("%d log lines for %d messages", lf.Rows(), tf.Rows())
	}
	content, _ := tf.FieldByName("content")
	for i := range lf.Rows() {
		if lf.Fields[1].At(i) != content.At(i) {
			t.Fatalf("line %d: %q, table row %q", i, lf.Fields[1].At(i), content.At(i))
		}
	}
	golden(t, "messages_conversation_log", logs)
}
