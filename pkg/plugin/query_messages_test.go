package plugin

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
)

func itoa(n int) string { return strconv.Itoa(n) }

func TestMessagesOfSearch(t *testing.T) {
	for _, embed := range []bool{true, false} {
		name := map[bool]string{true: "embedded", false: "from_details"}[embed]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, embed, nil)
			from, to := rangeFrom, rangeFrom.Add(12*time.Hour)
			dr := e.query(map[string]any{"queryType": "messages", "filters": map[string]any{"message_contains": "REFUND"}}, from, to)
			mustOK(t, dr)
			convs := e.inRange(from, to, func(c *fakeapi.Conversation) bool {
				for _, m := range c.Messages {
					if strings.Contains(strings.ToLower(m.Content), "refund") {
						return true
					}
				}
				return false
			})
			wantRows := 0
			for _, c := range convs {
				wantRows += len(c.Messages)
			}
			f := dr.Frames[0]
			if f.Rows() != wantRows || wantRows == 0 {
				t.Fatalf("%d rows, want %d (whole transcripts of %d conversations)", f.Rows(), wantRows, len(convs))
			}
			ts, _ := f.FieldByName("timestamp")
			for i := 1; i < f.Rows(); i++ {
				if ts.At(i).(*time.Time).Before(*ts.At(i - 1).(*time.Time)) {
					t.Fatalf("row %d is older than row %d: not ordered by timestamp", i, i-1)
				}
			}
			if !embed {
				details := 0
				for _, r := range e.fake.Requests() {
					if r.Path != "/api/conversations/" {
						details++
					}
				}
				if details != len(convs) {
					t.Fatalf("%d detail requests, want %d", details, len(convs))
				}
			}
			golden(t, "messages_refund_"+name, dr)
		})
	}
}

func TestMessagesOfOneConversation(t *testing.T) {
	e := newEnv(t, false, nil)
	c := e.truth.Conversation(42)
	dr := e.query(map[string]any{"queryType": "messages", "conversationId": 42}, rangeFrom, rangeTo)
	mustOK(t, dr)
	if dr.Frames[0].Rows() != len(c.Messages) {
		t.Fatalf("%d rows, want %d", dr.Frames[0].Rows(), len(c.Messages))
	}
	if reqs := e.fake.Requests(); len(reqs) != 1 || reqs[0].Path != "/api/conversations/42/" {
		t.Fatalf("requests: %+v", reqs)
	}
	golden(t, "messages_conversation_42", dr)
}

func TestMessagesOfMissingConversation(t *testing.T) {
	e := newEnv(t, true, nil)
	dr := e.query(map[string]any{"queryType": "messages", "conversationId": 999999}, rangeFrom, rangeTo)
	if dr.Error == nil || dr.Error.Error() != "conversation 999999 not found" {
		t.Fatalf("error %v, want conversation 999999 not found", dr.Error)
	}
}

func TestMessagesLimitWarns(t *testing.T) {
	e := newEnv(t, true, nil)
	c := e.truth.Conversation(42)
	if len(c.Messages) < 2 {
		t.Fatal("conversation 42 of the seeded data set should have at least 2 messages")
	}
	dr := e.query(map[string]any{"queryType": "messages", "conversationId": 42, "limit": 1}, rangeFrom, rangeTo)
	mustOK(t, dr)
	f := dr.Frames[0]
	want := "showing the first 1 of " + itoa(len(c.Messages)) + " messages: raise the query's limit or narrow the filters"
	if f.Rows() != 1 || len(f.Meta.Notices) != 1 || f.Meta.Notices[0].Text != want {
		t.Fatalf("%d rows, notices %+v; want 1 row and %q", f.Rows(), f.Meta.Notices, want)
	}
}
