package agentsight

import (
	"fmt"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// StatsDetail is the detail a stats query reads: the id, started_at, ended_at, customer_id,
// the fields it may group by and the number of messages; with timings, also each message's
// id, timestamp and sender. Never a message's text or attachments: they are most of a page.
func StatsDetail(timings bool) Detail { return Detail{Stats: true, Messages: timings} }

// statsRow is a conversation as a stats query reads it; its members are the fields of
// Fields, so that any group-by is decoded.
type statsRow struct {
	ID          int64      `json:"id"`
	StartedAt   *time.Time `json:"started_at"`
	EndedAt     *time.Time `json:"ended_at"`
	CustomerID  string     `json:"customer_id"`
	Language    string     `json:"language"`
	Device      string     `json:"device"`
	GeoLocation *struct {
		City    string `json:"city"`
		Country string `json:"country"`
	} `json:"geo_location"`
}

// statsCounted is statsRow with its messages counted, statsTimed with their timings decoded.
type statsCounted struct {
	statsRow
	Messages messageCount `json:"messages"`
}

type statsTimed struct {
	statsRow
	Messages timings `json:"messages"`
}

func (r *statsRow) setOn(c *Conversation) {
	c.ID, c.StartedAt, c.EndedAt, c.CustomerID, c.Language, c.Device = r.ID, r.StartedAt, r.EndedAt, r.CustomerID, r.Language, r.Device
	if r.GeoLocation != nil {
		c.GeoLocation = &GeoLocation{City: r.GeoLocation.City, Country: r.GeoLocation.Country}
	}
}

func statsDecoder(withTimings bool) rowDecoder {
	if !withTimings {
		row := new(statsCounted)
		return func(dec *jsontext.Decoder, c *Conversation) error {
			*row = statsCounted{}
			if err := json.UnmarshalDecode(dec, row); err != nil {
				return err
			}
			row.setOn(c)
			c.MessageCount = int(row.Messages)
			return nil
		}
	}
	row := new(statsTimed)
	budget := maxNestedRows // for the page, as nestedBudget bounds a page of whole messages
	return func(dec *jsontext.Decoder, c *Conversation) error {
		*row = statsTimed{Messages: timings{left: &budget}}
		if err := json.UnmarshalDecode(dec, row); err != nil {
			return err
		}
		row.setOn(c)
		c.Messages = row.Messages.rows
		c.MessageCount = len(c.Messages)
		return nil
	}
}

// timingRow is what a stats query reads of a message.
type timingRow struct {
	ID          int64      `json:"id"`
	Timestamp   *time.Time `json:"timestamp"`
	Sender      string     `json:"sender"`
	Content     skipped    `json:"content"`
	Attachments skipped    `json:"attachments"`
}

// timings decodes a messages array into messages holding only their id, timestamp and
// sender, within the page's budget of nested rows.
type timings struct {
	left *int
	rows []Message
}

func (t *timings) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	rows := []Message{}
	var row timingRow
	null, err := decodeArray(dec, kindError[[]Message](dec), func(i int) error {
		if *t.left == 0 {
			return &DecodeError{
				Pointer: elementPointer(dec, i),
				Msg:     fmt.Sprintf("the body holds more than %d messages and attachments", maxNestedRows),
			}
		}
		*t.left--
		row = timingRow{}
		if err := json.UnmarshalDecode(dec, &row); err != nil {
			return err
		}
		rows = append(rows, Message{ID: row.ID, Timestamp: row.Timestamp, Sender: row.Sender})
		return nil
	})
	if err != nil {
		return err
	}
	t.rows = rows
	if null {
		t.rows = nil
	}
	return nil
}
