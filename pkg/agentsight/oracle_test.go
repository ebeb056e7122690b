package agentsight

import (
	"bytes"
	stdjson "encoding/json"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// StdlibDecode is what encoding/json (v1) makes of a page body for a detail: the reference
// the decoder must match. It is exported to the external tests through this test file.
func StdlibDecode(body []byte, detail Detail) (*ConversationPage, error) {
	var p ConversationPage
	if err := stdjson.Unmarshal(body, &p); err != nil {
		return nil, err
	}
	p.Bytes = len(body)
	for i := range p.Results {
		c := &p.Results[i]
		c.MessageCount = len(c.Messages)
		switch {
		case detail.Stats:
			*c = StatsProjected(c, detail.Messages)
		case detail.StartsOnly:
			*c = Projected(c, detail.GroupBy)
		case !detail.Messages:
			c.Messages = nil
		}
	}
	return &p, nil
}

// Projected is what a count grouped by field keeps of a conversation, spelled out field by
// field rather than derived from the table it checks.
func Projected(c *Conversation, field string) Conversation {
	kept := Conversation{ID: c.ID, StartedAt: c.StartedAt}
	switch field {
	case "language":
		kept.Language = c.Language
	case "device":
		kept.Device = c.Device
	case "customer_id":
		kept.CustomerID = c.CustomerID
	case "city", "country":
		if g := c.GeoLocation; g != nil {
			kept.GeoLocation = &GeoLocation{}
			if field == "city" {
				kept.GeoLocation.City = g.City
			} else {
				kept.GeoLocation.Country = g.Country
			}
		}
	}
	return kept
}

// StatsProjected is what a stats query keeps of a conversation: no IP address, no flags, and
// of its messages (with timings) only their id, timestamp and sender.
func StatsProjected(c *Conversation, timings bool) Conversation {
	kept := Conversation{ID: c.ID, StartedAt: c.StartedAt, EndedAt: c.EndedAt, CustomerID: c.CustomerID,
		Language: c.Language, Device: c.Device, MessageCount: c.MessageCount}
	if g := c.GeoLocation; g != nil {
		kept.GeoLocation = &GeoLocation{City: g.City, Country: g.Country}
	}
	if timings && c.Messages != nil {
		kept.Messages = make([]Message, len(c.Messages))
		for i, m := range c.Messages {
			kept.Messages[i] = Message{ID: m.ID, Timestamp: m.Timestamp, Sender: m.Sender}
		}
	}
	return kept
}

// OracleGroupFields are the fields Projected knows: a field added to the table must be added
// here too.
var OracleGroupFields = []string{"language", "device", "country", "city", "customer_id"}

// Details are every detail level a list page is decoded at.
func Details() []Detail {
	out := []Detail{WithMessages, Summary, StartsGroupedBy(""), StatsDetail(false), StatsDetail(true)}
	for _, f := range FieldNames() {
		out = append(out, StartsGroupedBy(f))
	}
	return out
}

// Comparable tells whether the two decoders must agree on body exactly: strictly valid JSON
// (valid UTF-8, no duplicate names) with no two names of one object equal but for case. On
// the other bodies both accept, they differ by design in what wins (docs/design.md, Decoding).
func Comparable(body []byte) bool {
	if !jsontext.Value(body).IsValid() {
		return false
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	var names [][]string // per open object or array (nil for an array)
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return true
		}
		switch k := tok.Kind(); {
		case k == '{':
			names = append(names, []string{})
		case k == '[':
			names = append(names, nil)
		case k == '}' || k == ']':
			names = names[:len(names)-1]
		case k == '"' && len(names) > 0 && names[len(names)-1] != nil && nameNext(dec):
			name := tok.String()
			for _, seen := range names[len(names)-1] {
				if strings.EqualFold(seen, name) {
					return false
				}
			}
			names[len(names)-1] = append(names[len(names)-1], name)
		}
	}
}

// nameNext tells whether the string just read was an object member's name: an object's
// length is odd right after a name.
func nameNext(dec *jsontext.Decoder) bool {
	_, n := dec.StackIndex(dec.StackDepth())
	return n%2 == 1
}

// DecodePageOfSize is decodePage, for the external tests.
var DecodePageOfSize = decodePage
