package frames

import (
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
)

func TestLogsAndAnnotationsGolden(t *testing.T) {
	convs := conversations()
	experimental.CheckGoldenJSONFrame(t, "testdata", "messages_log.golden", MessagesLog(convs), *update)
	experimental.CheckGoldenJSONFrame(t, "testdata", "annotations.golden", Annotations(convs), *update)
}

func TestMessagesLogIsALogsFrame(t *testing.T) {
	f := MessagesLog(conversations())
	if f.Meta.Type != data.FrameTypeLogLines || f.Meta.PreferredVisualization != data.VisTypeLogs {
		t.Fatalf("meta = %+v, want log lines shown as logs", f.Meta)
	}
	// The data plane's logs contract: the first field is a non-null time, then the body.
	if f.Fields[0].Type() != data.FieldTypeTime || f.Fields[1].Name != "body" {
		t.Fatalf("fields %v", f.Fields)
	}
	// The message without a timestamp is placed at its conversation's start, last.
	last := f.Rows() - 1
	if body := f.Fields[1].At(last).(string); body != "no timestamp: listed last" {
		t.Fatalf("last line %q", body)
	}
	if at := f.Fields[0].At(last); at != *conversations()[1].StartedAt {
		t.Fatalf("line without a timestamp at %v", at)
	}
}

func TestAnnotationsPreviewAndSkip(t *testing.T) {
	long := strings.Repeat("ü", 300)
	convs := []agentsight.Conversation{
		{ID: 1, CustomerID: "c", StartedAt: ptr(ts("2026-10-20T10:00:00Z")), Messages: []agentsight.Message{{Content: long}}},
		{ID: 2, CustomerID: "no start"},
	}
	f := Annotations(convs)
	if f.Rows() != 1 {
		t.Fatalf("%d annotations, want 1 (a conversation without a start cannot be placed)", f.Rows())
	}
	text := f.Fields[3].At(0).(string)
	if n := len([]rune(text)); n != maxAnnotationText+1 || !strings.HasSuffix(text, "…") {
		t.Fatalf("preview of %d runes: %q", n, text)
	}
}
