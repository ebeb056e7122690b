package agentsight

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// Detail is how much of each conversation a list page decodes. It is comparable, so that
// listings can be shared by detail.
type Detail struct {
	// Messages decodes the embedded messages (and their attachments); otherwise they are only
	// counted: counts, tables and value lists never read them, and they are most of a page.
	Messages bool
	// StartsOnly decodes only what a count reads, the id, started_at and the GroupBy field
	// (one of Fields, or "" for none), and skips the rest.
	StartsOnly bool
	GroupBy    string
	// Stats decodes only what a stats query reads (StatsDetail); with Messages, the messages'
	// timings rather than the whole messages.
	Stats bool
}

var (
	// Summary decodes every field of a conversation and counts its messages.
	Summary = Detail{}
	// WithMessages decodes everything, messages and attachments included.
	WithMessages = Detail{Messages: true}
)

// StartsGroupedBy is the detail a count needs: ids and starts, and the field it groups by
// ("" for none).
func StartsGroupedBy(field string) Detail { return Detail{StartsOnly: true, GroupBy: field} }

// decodeOptions make the decoder accept what encoding/json accepts into these types, so that
// no body the standard library reads is refused (docs/design.md, Decoding): member names match case-insensitively as strings.EqualFold does, a duplicate
// name's last value wins, a null leaves a string, number or boolean as it was, invalid UTF-8
// becomes U+FFFD, and times are RFC 3339 as loosely as time.Time reads them (a one-digit
// hour, a decimal comma, a zone offset of +24:00). Every byte is still checked against the
// JSON grammar.
var decodeOptions = json.JoinOptions(
	json.MatchCaseInsensitiveNames(true),
	jsonv1.MatchCaseSensitiveDelimiter(true),
	jsonv1.MergeWithLegacySemantics(true),
	jsonv1.ParseTimeWithLooseRFC3339(true),
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
)

// rowDecoder decodes one element of a page's results into c, which is zero. A page's row
// decoder is made for it: it may count what the page holds (nestedBudget) and reuses one
// row to decode into (a row handed to the library as an interface would otherwise be
// allocated for each element).
type rowDecoder func(dec *jsontext.Decoder, c *Conversation) error

func (d Detail) rowDecoder() (rowDecoder, error) {
	switch {
	case d.Stats:
		return statsDecoder(d.Messages), nil
	case d.StartsOnly && d.GroupBy == "":
		return startsDecoder[noGroup](), nil
	case d.StartsOnly:
		f, ok := FieldNamed(d.GroupBy)
		if !ok {
			return nil, fmt.Errorf("cannot group by %q: not a conversation field", d.GroupBy)
		}
		return f.startsDecoder(), nil
	case d.Messages:
		return newNestedBudget().decodeWithMessages, nil
	}
	return summaryDecoder(), nil
}

// pageJSON is a body of GET /api/conversations/, its results streamed by results.
type pageJSON struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  results `json:"results"`
}

// decodePage decodes a page that was asked for pageSize rows: a page holding more is refused
// at the first row over the limit, before it is decoded (a hostile page of a million empty
// objects must not become a million conversations). pageSize <= 0 sets no limit.
func decodePage(body []byte, detail Detail, pageSize int) (*ConversationPage, error) {
	row, err := detail.rowDecoder()
	if err != nil {
		return nil, err
	}
	p := pageJSON{Results: results{decode: row, limit: max(pageSize, 0)}}
	if err := json.Unmarshal(body, &p, decodeOptions); err != nil {
		return nil, describe(err, body)
	}
	if err := refuseNull(body); err != nil {
		return nil, err
	}
	return &ConversationPage{Count: p.Count, Next: p.Next, Previous: p.Previous, Results: p.Results.rows, Bytes: len(body)}, nil
}

// decodeConversation decodes a body of GET /api/conversations/{id}/, messages included.
func decodeConversation(body []byte) (*Conversation, error) {
	var c Conversation
	if err := json.Unmarshal(body, &c, decodeOptions, newNestedBudget().options); err != nil {
		return nil, describe(err, body)
	}
	if err := refuseNull(body); err != nil {
		return nil, err
	}
	c.MessageCount = len(c.Messages)
	return &c, nil
}

// decodeAttachments decodes a body of GET /api/conversations/{id}/attachments/.
func decodeAttachments(body []byte) (*ConversationAttachments, error) {
	var a ConversationAttachments
	if err := json.Unmarshal(body, &a, decodeOptions, newNestedBudget().options); err != nil {
		return nil, describe(err, body)
	}
	if err := refuseNull(body); err != nil {
		return nil, err
	}
	return &a, nil
}

// refuseNull refuses a body that is a bare null, which decodes into an empty value: it is a
// broken response, not an empty range.
func refuseNull(body []byte) error {
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == 'n' {
		return &DecodeError{Msg: "expected an object, found null"}
	}
	return nil
}

// results streams a page's "results" array a row at a time, decoding each as the detail asks
// and refusing the first row over the limit before reading it. A null or absent array leaves
// rows nil, as encoding/json would; a repeated "results" replaces the earlier one.
type results struct {
	decode rowDecoder
	limit  int // 0: none
	rows   []Conversation
}

// preallocatedRows caps the room made for a page's rows before any is read.
const preallocatedRows = 1000

func (r *results) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	rows := make([]Conversation, 0, min(r.limit, preallocatedRows))
	null, err := decodeArray(dec, kindError[[]Conversation](dec), func(i int) error {
		if r.limit > 0 && i == r.limit {
			return &DecodeError{
				Pointer: elementPointer(dec, r.limit),
				Msg:     fmt.Sprintf("the page holds more than the %d rows asked for (page_size)", r.limit),
			}
		}
		rows = append(rows, Conversation{})
		return r.decode(dec, &rows[i])
	})
	if err != nil {
		return err
	}
	r.rows = rows
	if null {
		r.rows = nil
	}
	return nil
}

// decodeArray reads a JSON array element by element, the one loop every bounded array of a
// body goes through: each(i) decodes element i from dec, and is where a caller refuses an
// element over its bound before reading it. A null is skipped and reported (true); any other
// kind than an array is wrongKind's error.
func decodeArray(dec *jsontext.Decoder, wrongKind func(jsontext.Kind) error, each func(i int) error) (null bool, err error) {
	switch k := dec.PeekKind(); k {
	case 'n':
		return true, dec.SkipValue()
	case '[':
	default:
		return false, wrongKind(k)
	}
	if _, err := dec.ReadToken(); err != nil {
		return false, err
	}
	for i := 0; ; i++ {
		switch dec.PeekKind() {
		case ']', 0: // the end, or the syntax error
			_, err := dec.ReadToken()
			return false, err
		}
		if err := each(i); err != nil {
			return false, err
		}
	}
}

// kindError is the error for a value of the wrong kind where a T was expected: the syntax
// error when there is no value, the library's semantic error otherwise.
func kindError[T any](dec *jsontext.Decoder) func(jsontext.Kind) error {
	return func(k jsontext.Kind) error {
		if k == 0 {
			_, err := dec.ReadToken()
			return err
		}
		return &json.SemanticError{JSONKind: k, GoType: reflect.TypeFor[T]()}
	}
}

// A row per detail level: the structs say which fields each level decodes; every other
// member is skipped, its bytes checked but nothing of it kept.

// startsRow is what a count reads of a conversation: its id, its start and the field G it
// groups by (see fields.go).
type startsRow[G grouping] struct {
	ID        int64      `json:"id"`
	StartedAt *time.Time `json:"started_at"`
	Group     G          `json:",embed"`
	// Named so that the library does not skip them as an unknown member, token by token:
	// they are most of a page.
	Messages skipped `json:"messages"`
}

func startsDecoder[G grouping]() rowDecoder {
	row := new(startsRow[G])
	return func(dec *jsontext.Decoder, c *Conversation) error {
		*row = startsRow[G]{}
		if err := json.UnmarshalDecode(dec, row); err != nil {
			return err
		}
		c.ID, c.StartedAt = row.ID, row.StartedAt
		row.Group.setOn(c)
		return nil
	}
}

// summaryRow is a conversation as tables and value lists read it: every field, and its
// messages counted (each checked to be an object or null) rather than decoded. Its Messages
// hides Conversation's, as a shallower field does in encoding/json. The conversation is
// decoded in place, through the pointer.
type summaryRow struct {
	*Conversation
	Messages messageCount `json:"messages"`
}

func summaryDecoder() rowDecoder {
	row := new(summaryRow)
	return func(dec *jsontext.Decoder, c *Conversation) error {
		*row = summaryRow{Conversation: c}
		if err := json.UnmarshalDecode(dec, row); err != nil {
			return err
		}
		c.MessageCount = int(row.Messages)
		return nil
	}
}

// messageCount is the length of a messages array whose elements are skipped.
type messageCount int

func (n *messageCount) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	count := 0
	_, err := decodeArray(dec, kindError[[]Message](dec), func(i int) error {
		switch k := dec.PeekKind(); k {
		case '{', 'n':
			count++
			_, err := dec.ReadValue()
			return err
		default:
			return &json.SemanticError{
				JSONPointer: jsontext.Pointer(elementPointer(dec, i)),
				JSONKind:    k, GoType: reflect.TypeFor[Message](),
			}
		}
	})
	*n = messageCount(count)
	return err
}

// skipped is a member whose value is checked against the JSON grammar and dropped. It reads
// the value whole (jsontext's ReadValue), several times cheaper than the token by token
// SkipValue the library uses for a member it does not know.
type skipped struct{}

func (skipped) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	_, err := dec.ReadValue()
	return err
}

// elementPointer is the JSON pointer to element i of the array being read, i elements of it
// read. It is built only for an error: building it walks the decoder's whole stack.
func elementPointer(dec *jsontext.Decoder, i int) string {
	p := dec.StackPointer() // the array itself, or its last element read
	if i > 0 {
		p = p.Parent()
	}
	return string(p.AppendToken(strconv.Itoa(i)))
}
