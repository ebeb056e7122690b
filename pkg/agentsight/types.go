// Package agentsight is a client for the AgentSight Conversation API. It knows HTTP, pagination,
// retries and caching; it knows nothing of Grafana frames.
package agentsight

import "time"

// Conversation is one conversation as the API returns it. Optional values the API may send as
// null (or omit) are pointers or zero values; unknown fields are ignored so that additions to
// the API do not break decoding.
type Conversation struct {
	ID             int64        `json:"id"`
	ConversationID string       `json:"conversation_id"`
	CustomerID     string       `json:"customer_id"`
	Language       string       `json:"language"`
	Device         string       `json:"device"`
	IsFavorite     bool         `json:"is_favorite"`
	IsUsed         *bool        `json:"is_used"`
	StartedAt      *time.Time   `json:"started_at"`
	EndedAt        *time.Time   `json:"ended_at"`
	GeoLocation    *GeoLocation `json:"geo_location"`
	Messages       []Message    `json:"messages"`
	// MessageCount is how many messages the API embedded, also when a Summary decode
	// counted them without decoding them (and Messages is nil).
	MessageCount int `json:"-"`
}

// GeoLocation is where a conversation's customer connected from.
type GeoLocation struct {
	IPAddress string `json:"ip_address"`
	City      string `json:"city"`
	Country   string `json:"country"`
}

// Message is one message of a conversation.
type Message struct {
	ID          int64        `json:"id"`
	Timestamp   *time.Time   `json:"timestamp"`
	Sender      string       `json:"sender"`
	Content     string       `json:"content"`
	Attachments []Attachment `json:"attachments"`
}

// Attachment is a file attached to a message.
type Attachment struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	FileURL   string `json:"file_url"`
	Filename  string `json:"filename"`
	MimeType  string `json:"mime_type"`
	SizeBytes *int64 `json:"size_bytes"`
}

// ConversationPage is one page of GET /api/conversations/.
type ConversationPage struct {
	Count    int            `json:"count"`
	Next     *string        `json:"next"`
	Previous *string        `json:"previous"`
	Results  []Conversation `json:"results"`
	// Bytes is the size of the body the client decoded the page from.
	Bytes int `json:"-"`
}

// ConversationAttachments is the body of GET /api/conversations/{id}/attachments/.
type ConversationAttachments struct {
	ID             int64                `json:"id"`
	ConversationID string               `json:"conversation_id"`
	Messages       []MessageAttachments `json:"messages"`
}

// MessageAttachments lists the attachments of one message.
type MessageAttachments struct {
	ID          int64        `json:"id"`
	Attachments []Attachment `json:"attachments"`
}
