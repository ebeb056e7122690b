package plugin

import (
	"testing"
	"time"
)

func TestAttachmentsOfOneConversation(t *testing.T) {
	e := newEnv(t, true, nil)
	var id int64
	want := 0
	for _, c := range e.truth.Conversations {
		for _, m := range c.Messages {
			want += len(m.Attachments)
		}
		if want > 0 {
			id = c.ID
			break
		}
	}
	dr := e.query(map[string]any{"queryType": "attachments", "conversationId": id}, rangeFrom, rangeTo)
	mustOK(t, dr)
	if dr.Frames[0].Rows() != want {
		t.Fatalf("%d rows, want %d", dr.Frames[0].Rows(), want)
	}
	golden(t, "attachments_conversation", dr)
}

func TestAttachmentsOfRange(t *testing.T) {
	for _, embed := range []bool{true, false} {
		t.Run(map[bool]string{true: "embedded", false: "per_conversation"}[embed], func(t *testing.T) {
			e := newEnv(t, embed, nil)
			from, to := rangeFrom, rangeFrom.Add(6*time.Hour)
			want := 0
			for _, c := range e.inRange(from, to, nil) {
				for _, m := range c.Messages {
					want += len(m.Attachments)
				}
			}
			dr := e.query(map[string]any{"queryType": "attachments"}, from, to)
			mustOK(t, dr)
			if dr.Frames[0].Rows() != want || want == 0 {
				t.Fatalf("%d rows, want %d", dr.Frames[0].Rows(), want)
			}
		})
	}
}
