package plugin

import (
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
)

func TestConversationsTable(t *testing.T) {
	for _, embed := range []bool{true, false} {
		name := map[bool]string{true: "embedded", false: "not_embedded"}[embed]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, embed, nil)
			from, to := rangeFrom, rangeFrom.Add(3*time.Hour)
			dr := e.query(map[string]any{"queryType": "conversations", "filters": map[string]any{"device": "mobile"}}, from, to)
			mustOK(t, dr)
			want := e.inRange(from, to, func(c *fakeapi.Conversation) bool { return c.Device == "mobile" })
			f := dr.Frames[0]
			if f.Rows() != len(want) || len(want) == 0 {
				t.Fatalf("%d rows, want %d", f.Rows(), len(want))
			}
			// Newest first, as the API lists them.
			for i := range want {
				w := want[len(want)-1-i]
				if id := f.Fields[0].At(i).(int64); id != w.ID {
					t.Fatalf("row %d: id %d, want %d", i, id, w.ID)
				}
				msgs, _ := f.FieldByName("messages")
				if got := msgs.At(i).(*int64); embed && (got == nil || *got != int64(len(w.Messages))) {
					t.Fatalf("row %d: messages %v, want %d", i, got, len(w.Messages))
				} else if !embed && got != nil {
					t.Fatalf("row %d: messages %v, want null when the list does not embed them", i, *got)
				}
			}
			golden(t, "conversations_mobile_"+name, dr)
		})
	}
}

func TestConversationsLimitWarns(t *testing.T) {
	e := newEnv(t, true, map[string]any{"pageSize": 10})
	dr := e.query(map[string]any{"queryType": "conversations", "limit": 25}, rangeFrom, rangeTo)
	mustOK(t, dr)
	total := len(e.inRange(rangeFrom, rangeTo, nil))
	if dr.Frames[0].Rows() != 25 {
		t.Fatalf("%d rows, want 25", dr.Frames[0].Rows())
	}
	notices := dr.Frames[0].Meta.Notices
	if len(notices) != 1 || notices[0].Text != "showing 25 of "+itoa(total)+" conversations: raise the query's limit or the data source's max conversations, or narrow the filters" {
		t.Fatalf("notices: %+v", notices)
	}
	// 3 pages of 10 for 25 rows, not all of them.
	if n := e.fake.RequestCount(); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
}
