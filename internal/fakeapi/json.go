package fakeapi

import (
	"bytes"
	"encoding/json"
	"time"
)

// The wire structs mirror the reference page field by field; they are the
// fake's own so that a mistake in the client cannot hide in a shared type.

type apiGeo struct {
	IPAddress string  `json:"ip_address"`
	City      *string `json:"city"`
	Country   string  `json:"country"`
}

type apiAttachment struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	FileURL   string `json:"file_url"`
	Filename  string `json:"filename"`
	MimeType  string `json:"mime_type"`
	SizeBytes int64  `json:"size_bytes"`
}

type apiMessage struct {
	ID          int64           `json:"id"`
	Timestamp   string          `json:"timestamp"`
	Sender      string          `json:"sender"`
	Content     string          `json:"content"`
	Attachments []apiAttachment `json:"attachments"`
}

type apiConversation struct {
	ID             int64        `json:"id"`
	ConversationID string       `json:"conversation_id"`
	CustomerID     string       `json:"customer_id"`
	Language       string       `json:"language"`
	Device         string       `json:"device"`
	IsFavorite     bool         `json:"is_favorite"`
	IsUsed         bool         `json:"is_used"`
	StartedAt      string       `json:"started_at"`
	EndedAt        *string      `json:"ended_at"`
	GeoLocation    *apiGeo      `json:"geo_location"`
	Messages       []apiMessage `json:"messages"`
}

type apiPage struct {
	Count    int               `json:"count"`
	Next     *string           `json:"next"`
	Previous *string           `json:"previous"`
	Results  []apiConversation `json:"results"`
}

type apiAttachmentMessage struct {
	ID          int64           `json:"id"`
	Attachments []apiAttachment `json:"attachments"`
}

type apiAttachments struct {
	ID             int64                  `json:"id"`
	ConversationID string                 `json:"conversation_id"`
	Messages       []apiAttachmentMessage `json:"messages"`
}

// formatTime writes timestamps as DRF does: whole seconds without a fraction,
// otherwise microseconds.
func formatTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return t.Format("2006-01-02T15:04:05.000000Z")
}

func toAPIAttachments(as []Attachment) []apiAttachment {
	out := make([]apiAttachment, len(as))
	for i, a := range as {
		out[i] = apiAttachment(a)
	}
	return out
}

func toAPI(c *Conversation, withMessages bool) apiConversation {
	out := apiConversation{
		ID: c.ID, ConversationID: c.ConversationID, CustomerID: c.CustomerID,
		Language: c.Language, Device: c.Device, IsFavorite: c.IsFavorite, IsUsed: c.IsUsed,
		StartedAt: formatTime(c.StartedAt),
		Messages:  []apiMessage{},
	}
	if c.EndedAt != nil {
		s := formatTime(*c.EndedAt)
		out.EndedAt = &s
	}
	if c.HasGeo {
		g := &apiGeo{IPAddress: c.IPAddress, Country: c.Country}
		if c.City != "" {
			city := c.City
			g.City = &city
		}
		out.GeoLocation = g
	}
	if withMessages {
		out.Messages = make([]apiMessage, len(c.Messages))
		for i, m := range c.Messages {
			out.Messages[i] = apiMessage{ID: m.ID, Timestamp: formatTime(m.Timestamp), Sender: m.Sender, Content: m.Content,
				Attachments: toAPIAttachments(m.Attachments)}
		}
	}
	return out
}

// marshal leaves <, > and & unescaped, as Python's json module does.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only our own structs reach here, so this is a programming error.
		panic(err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}
