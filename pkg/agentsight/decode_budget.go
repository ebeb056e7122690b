package agentsight

import (
	"errors"
	"fmt"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// maxNestedRows bounds the messages and attachments one body may hold where they are decoded
// (the messages and attachments tables, a conversation's detail). A page's rows are bounded
// by the page_size asked, but nothing bounds a conversation's messages, and an empty object
// (3 bytes of JSON) becomes a Message of a hundred bytes: a hostile body under the size cap
// would otherwise take gigabytes. Real pages hold a few thousand.
const maxNestedRows = 100_000

// nestedBudget counts down the messages and attachments of one body. Its options make the
// library decode every such array through boundedArray.
type nestedBudget struct {
	left    int
	options json.Options
}

func newNestedBudget() *nestedBudget {
	b := &nestedBudget{left: maxNestedRows}
	b.options = json.WithUnmarshalers(json.JoinUnmarshalers(
		json.UnmarshalFromFunc(boundedArray[Message](b)),
		json.UnmarshalFromFunc(boundedArray[Attachment](b)),
		json.UnmarshalFromFunc(boundedArray[MessageAttachments](b)),
	))
	return b
}

// boundedArray decodes an array of T element by element, refusing the first element over
// the budget before reading it. As encoding/json, null is a nil slice, [] an empty one; a
// repeated name's array replaces the earlier one.
func boundedArray[T any](b *nestedBudget) func(*jsontext.Decoder, *[]T) error {
	return func(dec *jsontext.Decoder, out *[]T) error {
		items := []T{}
		// For the wrong kind or a syntax error, the library's own error.
		null, err := decodeArray(dec, func(jsontext.Kind) error { return errors.ErrUnsupported }, func(i int) error {
			if b.left == 0 {
				return &DecodeError{
					Pointer: elementPointer(dec, i),
					Msg:     fmt.Sprintf("the body holds more than %d messages and attachments", maxNestedRows),
				}
			}
			b.left--
			var zero T
			items = append(items, zero)
			return json.UnmarshalDecode(dec, &items[i])
		})
		if err != nil {
			return err
		}
		*out = items
		if null {
			*out = nil
		}
		return nil
	}
}

// decodeWithMessages decodes every field of a row, its messages within the body's budget.
func (b *nestedBudget) decodeWithMessages(dec *jsontext.Decoder, c *Conversation) error {
	if err := json.UnmarshalDecode(dec, c, b.options); err != nil {
		return err
	}
	c.MessageCount = len(c.Messages)
	return nil
}
