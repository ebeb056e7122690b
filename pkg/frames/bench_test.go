package frames

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
)

// Local work for 100k conversations (no HTTP, no decoding): bucketing and building tables.

const benchN = 100_000

var (
	benchOnce  sync.Once
	benchConvs []agentsight.Conversation
	benchFrom  = time.Date(2026, 10, 4, 0, 0, 0, 0, time.UTC)
	benchTo    = benchFrom.Add(28 * 24 * time.Hour)
)

// conversations100k spreads 100k conversations over 28 days, newest first as the API lists
// them, each with 4 messages (one with an attachment) and a location.
func conversations100k() []agentsight.Conversation {
	benchOnce.Do(func() {
		langs := []string{"en", "de", "fr", "es", "it", "nl"}
		devices := []string{"mobile", "desktop", "tablet"}
		step := benchTo.Sub(benchFrom) / benchN
		size := int64(2048)
		benchConvs = make([]agentsight.Conversation, benchN)
		for i := range benchConvs {
			start := benchTo.Add(-time.Duration(i+1) * step)
			end := start.Add(7 * time.Minute)
			msgs := make([]agentsight.Message, 4)
			for j := range msgs {
				ts := start.Add(time.Duration(j) * time.Minute)
				msgs[j] = agentsight.Message{ID: int64(i*4 + j + 1), Timestamp: &ts, Sender: []string{"end_user", "agent"}[j%2], Content: "hello, I need help with my invoice"}
			}
			msgs[1].Attachments = []agentsight.Attachment{{ID: int64(i + 1), Type: "image", Filename: "a.png", MimeType: "image/png", SizeBytes: &size}}
			benchConvs[i] = agentsight.Conversation{
				ID: int64(benchN - i), ConversationID: fmt.Sprintf("conv-%06d", benchN-i), CustomerID: fmt.Sprintf("cust-%d", i%5000),
				Language: langs[i%len(langs)], Device: devices[i%len(devices)], StartedAt: &start, EndedAt: &end,
				GeoLocation: &agentsight.GeoLocation{IPAddress: "192.0.2.1", City: "Berlin", Country: "DE"},
				Messages:    msgs,
			}
		}
	})
	return benchConvs
}

func benchBucketing(b *testing.B, groupBy string, size time.Duration) {
	convs := conversations100k()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		series := NewCountSeries(NewBuckets(benchFrom, benchTo, size), groupBy)
		for i := range convs {
			series.Add(FieldValue(&convs[i], groupBy), *convs[i].StartedAt, 1)
		}
		if f, err := series.Frames(); err != nil || len(f) == 0 {
			b.Fatal("no frames")
		}
	}
}

// Bucketing 100k conversations into 1h buckets (673 over 28 days) and framing the series.
func BenchmarkCountSeriesAdd100k(b *testing.B) { benchBucketing(b, "", time.Hour) }

func BenchmarkCountSeriesAdd100kByLanguage(b *testing.B) { benchBucketing(b, "language", time.Hour) }

func BenchmarkCountSeriesAdd100kByCustomer(b *testing.B) {
	benchBucketing(b, "customer_id", 24*time.Hour) // 5000 groups
}

func BenchmarkConversationsTable100k(b *testing.B) {
	convs := conversations100k()
	l := LinkTarget{UID: "uid", Name: "AgentSight"}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if f := ConversationsTable(convs, true, l); f.Rows() != benchN {
			b.Fatalf("%d rows", f.Rows())
		}
	}
}

// The table as the SDK sends it: built, then encoded to Arrow.
func BenchmarkConversationsTableArrow100k(b *testing.B) {
	convs := conversations100k()
	l := LinkTarget{UID: "uid", Name: "AgentSight"}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ConversationsTable(convs, true, l).MarshalArrow(); err != nil {
			b.Fatal(err)
		}
	}
}

// 400k messages of 100k conversations, sorted by timestamp.
func BenchmarkMessagesTable100k(b *testing.B) {
	convs := conversations100k()
	l := LinkTarget{UID: "uid", Name: "AgentSight"}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if f := MessagesTable(convs, l); f.Rows() != 4*benchN {
			b.Fatalf("%d rows", f.Rows())
		}
	}
}
