package agentsight

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strconv"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Detail is how much of each conversation a list page decodes. It is comparable, so that
// listings can be shared by detail.
type Detail struct {
	// Messages decodes the embedded messages (and their attachments); otherwise they are only
	// counted: counts, tables and value lists never read them, and they are most of a page.
	Messages bool
	// StartsOnly decodes only what a count reads, the id, started_at and the GroupBy field,
	// and skips the rest without allocating any of it.
	StartsOnly bool
	GroupBy    string
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

// fieldSet marks the conversation fields a decode keeps.
type fieldSet uint16

const (
	fieldConversationID fieldSet = 1 << iota
	fieldCustomer
	fieldLanguage
	fieldDevice
	fieldFlags // is_favorite, is_used
	fieldEndedAt
	fieldGeoIP
	fieldGeoCity
	fieldGeoCountry
	fieldMessages // counted, or decoded with Detail.Messages

	fieldGeo  = fieldGeoIP | fieldGeoCity | fieldGeoCountry
	allFields = fieldConversationID | fieldCustomer | fieldLanguage | fieldDevice | fieldFlags | fieldEndedAt | fieldGeo | fieldMessages
)

func (d Detail) fields() fieldSet {
	if !d.StartsOnly {
		return allFields
	}
	switch d.GroupBy {
	case "language":
		return fieldLanguage
	case "device":
		return fieldDevice
	case "customer_id":
		return fieldCustomer
	case "city":
		return fieldGeoCity
	case "country":
		return fieldGeoCountry
	}
	return 0
}

// maxDepth is encoding/json's nesting limit, so that a body this decoder refuses for depth is
// one the standard library would refuse as well.
const maxDepth = 10000

// The decoder reads list pages and conversation details by hand rather than through
// encoding/json: a 100k-conversation range is about 100 MB of JSON, and reflection-based
// decoding of it (and of the messages nobody asked for) cost seconds and hundreds of MB.
// It accepts what encoding/json accepts into these types (keys match exactly; the API's are
// lower case) and refuses invalid JSON and wrong types with the field's path.
type decoder struct {
	data     []byte
	pos      int
	detail   Detail
	want     fieldSet
	pageSize int
	depth    int

	// Low-cardinality strings (language, device, city…) are shared within a page rather
	// than allocated per conversation.
	interned map[string]string
	// Times and locations are carved from blocks: one allocation per block, not per value.
	times     []time.Time
	locations []GeoLocation
}

// DecodePage decodes a body of GET /api/conversations/.
func DecodePage(body []byte, detail Detail) (*ConversationPage, error) {
	return decodePage(body, detail, 0)
}

// decodePage is DecodePage with room for pageSize results from the start, so that a full
// page is not copied as its results grow.
func decodePage(body []byte, detail Detail, pageSize int) (*ConversationPage, error) {
	d := newDecoder(body, detail)
	d.pageSize = pageSize
	p := ConversationPage{Bytes: len(body)}
	err := d.document(func() error {
		return d.object(func(key []byte) error {
			switch string(key) {
			case "count":
				return d.intField(&p.Count)
			case "next":
				return d.optionalString(&p.Next)
			case "previous":
				return d.optionalString(&p.Previous)
			case "results":
				return d.conversations(&p.Results)
			}
			return d.skip()
		})
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// DecodeConversation decodes a body of GET /api/conversations/{id}/, messages included.
func DecodeConversation(body []byte) (*Conversation, error) {
	d := newDecoder(body, WithMessages)
	var c Conversation
	if err := d.document(func() error { return d.conversation(&c) }); err != nil {
		return nil, err
	}
	return &c, nil
}

func newDecoder(body []byte, detail Detail) *decoder {
	return &decoder{data: body, detail: detail, want: detail.fields()}
}

// document decodes one top-level value and refuses anything after it but white space.
func (d *decoder) document(value func() error) error {
	if err := value(); err != nil {
		return err
	}
	d.space()
	if d.pos < len(d.data) {
		return d.syntaxError("after the top-level value")
	}
	return nil
}

func (d *decoder) conversations(out *[]Conversation) error {
	return arrayOf(d, out, max(d.pageSize, 16), d.conversation)
}

// arrayOf decodes an array into *out, each element by elem, or null into nil. As with
// encoding/json, an empty array is an empty slice, not nil.
func arrayOf[T any](d *decoder, out *[]T, capacity int, elem func(*T) error) error {
	if d.null() {
		*out = nil
		return nil
	}
	items := make([]T, 0, capacity)
	err := d.array(func(int) error {
		var zero T
		items = append(items, zero)
		return elem(&items[len(items)-1])
	})
	*out = items
	return err
}

func (d *decoder) conversation(c *Conversation) error {
	if d.depth > 0 && d.null() {
		return nil // as encoding/json: null leaves a struct as it was
	}
	more, err := d.openObject()
	for err == nil && more {
		var key []byte
		if key, err = d.key(); err != nil {
			return err
		}
		switch f := conversationField(key); {
		case f == 0:
			switch string(key) {
			case "id":
				err = d.int64Field(&c.ID)
			case "started_at":
				err = d.timeField(&c.StartedAt)
			default:
				err = d.skip()
			}
		case d.want&f == 0 && f == fieldMessages && d.peek() == '[':
			err = d.skipArrayLoosely()
		case d.want&f == 0:
			err = d.skip()
		case f == fieldConversationID:
			err = d.stringField(&c.ConversationID, false)
		case f == fieldCustomer:
			err = d.stringField(&c.CustomerID, false)
		case f == fieldLanguage:
			err = d.stringField(&c.Language, true)
		case f == fieldDevice:
			err = d.stringField(&c.Device, true)
		case f == fieldFlags && string(key) == "is_favorite":
			err = d.boolField(&c.IsFavorite)
		case f == fieldFlags:
			err = d.optionalBool(&c.IsUsed)
		case f == fieldEndedAt:
			err = d.timeField(&c.EndedAt)
		case f == fieldGeo:
			err = d.geoLocation(&c.GeoLocation)
		default: // fieldMessages
			err = d.messages(c)
		}
		if err != nil {
			return inField(string(key), err)
		}
		more, err = d.nextMember()
	}
	return err
}

// conversationField is the field set a conversation key belongs to; 0 for id and
// started_at, which every decode keeps, and for keys this client does not know.
func conversationField(key []byte) fieldSet {
	switch string(key) {
	case "conversation_id":
		return fieldConversationID
	case "customer_id":
		return fieldCustomer
	case "language":
		return fieldLanguage
	case "device":
		return fieldDevice
	case "is_favorite", "is_used":
		return fieldFlags
	case "ended_at":
		return fieldEndedAt
	case "geo_location":
		return fieldGeo
	case "messages":
		return fieldMessages
	}
	return 0
}

func (d *decoder) geoLocation(out **GeoLocation) error {
	if d.null() {
		*out = nil
		return nil
	}
	if d.peek() != '{' {
		return d.typeError("an object")
	}
	if *out == nil {
		if len(d.locations) == 0 {
			d.locations = make([]GeoLocation, 64)
		}
		*out, d.locations = &d.locations[0], d.locations[1:]
	}
	g := *out
	more, err := d.openObject()
	for err == nil && more {
		var key []byte
		if key, err = d.key(); err != nil {
			return err
		}
		switch string(key) {
		case "ip_address":
			err = d.optionalField(fieldGeoIP, &g.IPAddress, false)
		case "city":
			err = d.optionalField(fieldGeoCity, &g.City, true)
		case "country":
			err = d.optionalField(fieldGeoCountry, &g.Country, true)
		default:
			err = d.skip()
		}
		if err != nil {
			return inField(string(key), err)
		}
		more, err = d.nextMember()
	}
	return err
}

func (d *decoder) messages(c *Conversation) error {
	if d.null() {
		c.Messages, c.MessageCount = nil, 0
		return nil
	}
	if !d.detail.Messages {
		n := 0
		err := d.array(func(int) error { n++; return d.skip() })
		c.Messages, c.MessageCount = nil, n
		return err
	}
	err := arrayOf(d, &c.Messages, 0, d.message)
	c.MessageCount = len(c.Messages)
	return err
}

func (d *decoder) message(m *Message) error {
	if d.null() {
		return nil
	}
	return d.object(func(key []byte) error {
		switch string(key) {
		case "id":
			return d.int64Field(&m.ID)
		case "timestamp":
			return d.timeField(&m.Timestamp)
		case "sender":
			return d.stringField(&m.Sender, true)
		case "content":
			return d.stringField(&m.Content, false)
		case "attachments":
			return d.attachments(&m.Attachments)
		}
		return d.skip()
	})
}

func (d *decoder) attachments(out *[]Attachment) error {
	return arrayOf(d, out, 0, d.attachment)
}

func (d *decoder) attachment(a *Attachment) error {
	if d.null() {
		return nil
	}
	return d.object(func(key []byte) error {
		switch string(key) {
		case "id":
			return d.int64Field(&a.ID)
		case "type":
			return d.stringField(&a.Type, true)
		case "file_url":
			return d.stringField(&a.FileURL, false)
		case "filename":
			return d.stringField(&a.Filename, false)
		case "mime_type":
			return d.stringField(&a.MimeType, true)
		case "size_bytes":
			return d.optionalInt64(&a.SizeBytes)
		}
		return d.skip()
	})
}

// object reads an object, calling field for each key with the decoder on its value.
func (d *decoder) object(field func(key []byte) error) error {
	more, err := d.openObject()
	for err == nil && more {
		var key []byte
		if key, err = d.key(); err != nil {
			return err
		}
		if err = field(key); err != nil {
			return inField(string(key), err)
		}
		more, err = d.nextMember()
	}
	return err
}

// openObject reads the opening brace of an object and tells whether a member follows. The
// hot decoders (a conversation, its location) walk members with key and nextMember in a
// loop of their own rather than through object's callback.
func (d *decoder) openObject() (more bool, err error) {
	if d.peek() != '{' {
		return false, d.typeError("an object")
	}
	if err := d.enter(); err != nil {
		return false, err
	}
	d.pos++
	if d.peek() == '}' {
		d.pos++
		d.depth--
		return false, nil
	}
	return true, nil
}

// key reads a member's key and its colon.
func (d *decoder) key() ([]byte, error) {
	if d.peek() != '"' {
		return nil, d.syntaxError("where an object key was expected")
	}
	raw, escaped, err := d.scanString()
	if err != nil {
		return nil, err
	}
	if escaped {
		raw = []byte(unquote(raw))
	}
	if d.peek() != ':' {
		return nil, d.syntaxError("after an object key")
	}
	d.pos++
	return raw, nil
}

// nextMember reads what follows a member's value and tells whether another member follows.
func (d *decoder) nextMember() (more bool, err error) {
	switch d.peek() {
	case ',':
		d.pos++
		return true, nil
	case '}':
		d.pos++
		d.depth--
		return false, nil
	}
	return false, d.syntaxError("after an object value")
}

// array reads an array, calling elem with the decoder on each element.
func (d *decoder) array(elem func(i int) error) error {
	if d.peek() != '[' {
		return d.typeError("an array")
	}
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++
	if d.peek() == ']' {
		d.pos++
		d.depth--
		return nil
	}
	for i := 0; ; i++ {
		if err := elem(i); err != nil {
			return inField("["+strconv.Itoa(i)+"]", err)
		}
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			return nil
		default:
			return d.syntaxError("after an array element")
		}
	}
}

func (d *decoder) enter() error {
	d.depth++
	if d.depth > maxDepth {
		return d.errorf("nesting deeper than %d levels", maxDepth)
	}
	return nil
}

// skip reads a value of any type without keeping it, checking that it is valid JSON. It is
// most of a count's and a table's work (the messages, and the fields a count does not read),
// so it is one loop that keeps the containers it is in on a stack of their closing bytes,
// rather than a call per value.
func (d *decoder) skip() error {
	var buf [32]byte
	open := buf[:0] // '}' or ']' for each container entered
	defer func() { d.depth -= len(open) }()
	for {
		// A value.
		switch d.peek() {
		case '{', '[':
			if err := d.enter(); err != nil {
				return err
			}
			end := d.data[d.pos] + 2 // '{'+2 == '}', '['+2 == ']'
			open = append(open, end)
			d.pos++
			if d.peek() == end {
				d.pos++
				open = open[:len(open)-1]
				d.depth--
				break
			}
			if end == '}' {
				if _, err := d.key(); err != nil {
					return err
				}
			}
			continue
		case '"':
			if _, _, err := d.scanString(); err != nil {
				return err
			}
		case 't':
			if err := d.literal("true"); err != nil {
				return err
			}
		case 'f':
			if err := d.literal("false"); err != nil {
				return err
			}
		case 'n':
			if err := d.literal("null"); err != nil {
				return err
			}
		default:
			if _, err := d.scanNumber(); err != nil {
				return err
			}
		}
		// What follows a value: the end of the containers it closes, then a comma before
		// the next value (and its key, in an object).
		for {
			if len(open) == 0 {
				return nil
			}
			end := open[len(open)-1]
			c := d.peek()
			if c == end {
				d.pos++
				open = open[:len(open)-1]
				d.depth--
				continue
			}
			if c != ',' {
				if end == '}' {
					return d.syntaxError("after an object value")
				}
				return d.syntaxError("after an array element")
			}
			d.pos++
			if end == '}' {
				if _, err := d.key(); err != nil {
					return err
				}
			}
			break
		}
	}
}

// skipArrayLoosely skips the array at d.pos by matching its brackets outside strings, eight
// bytes at a time, without checking the JSON grammar inside it. A count skips the messages
// so: they are most of a page, it never reads them, and matching brackets costs a fraction
// of checking every token. A malformed message is then not reported by a count (the tables
// and message queries still check every byte), but a body that ends inside the array is.
func (d *decoder) skipArrayLoosely() error {
	data, i := d.data, d.pos+1
	depth := 1
	var open uint64 // highBits while a string is open at the start of the next word, else 0
	for {
		if i+8 <= len(data) {
			w := binary.LittleEndian.Uint64(data[i:])
			if b := w ^ ones*'\\'; (b-ones)&^b&highBits == 0 { // no backslash among them
				// The high bit of byte k is set when byte k lies inside a string: the count
				// of quotes up to it, as a prefix XOR, flipped if a string was open before.
				inside := byteMask(w, '"')
				inside ^= inside << 8
				inside ^= inside << 16
				inside ^= inside << 32
				inside ^= open
				open = uint64(int64(inside)>>63) & highBits // without a branch: it is a coin toss
				// Setting 0x20 and clearing 0x06 maps the four brackets onto 'y' (0x79), and
				// nothing else that valid JSON has outside strings; bit 0x02 tells an
				// opening bracket from a closing one.
				brackets := byteMask((w|ones*0x20)&^(ones*0x06), 'y') &^ inside
				opens := brackets & (w << 6)
				closes := brackets &^ opens
				if n := bits.OnesCount64(closes); n < depth {
					depth += bits.OnesCount64(opens) - n
					i += 8
					continue
				}
				for m := opens | closes; m != 0; m &= m - 1 {
					k := bits.TrailingZeros64(m)
					if opens>>k&1 != 0 {
						depth++
					} else if depth--; depth == 0 {
						d.pos = i + k>>3 + 1
						return nil
					}
				}
				i += 8
				continue
			}
		}
		// Byte by byte over an escape (which may hide a quote) or the last bytes.
		if i >= len(data) {
			d.pos = len(data)
			return d.syntaxError("in an array")
		}
		inString := open != 0
		for end := min(i+8, len(data)); i < end; i++ {
			switch c := data[i]; {
			case inString && c == '\\':
				i++ // the escaped byte, whatever it is
			case c == '"':
				inString = !inString
			case inString:
			case c == '[' || c == '{':
				depth++
			case c == ']' || c == '}':
				if depth--; depth == 0 {
					d.pos = i + 1
					return nil
				}
			}
		}
		open = 0
		if inString {
			open = highBits
		}
	}
}

// byteMask has the high bit of each byte of w set where that byte is c, exactly (unlike the
// "has zero byte" test, no borrow crosses bytes).
func byteMask(w uint64, c byte) uint64 {
	t := w ^ ones*uint64(c)
	return ^((t&^highBits + ^highBits&(ones*0x7f)) | t) & highBits
}

func (d *decoder) stringField(out *string, intern bool) error {
	if d.null() {
		return nil // encoding/json leaves a string unchanged on null
	}
	if d.peek() != '"' {
		return d.typeError("a string")
	}
	raw, escaped, err := d.scanString()
	if err != nil {
		return err
	}
	switch {
	case escaped || !utf8.Valid(raw):
		*out = unquote(raw)
	case intern:
		s, ok := d.interned[string(raw)]
		if !ok {
			if d.interned == nil {
				d.interned = map[string]string{}
			}
			s = string(raw)
			d.interned[s] = s
		}
		*out = s
	default:
		*out = string(raw)
	}
	return nil
}

// optionalField decodes a string the decode keeps (field in d.want) and skips it otherwise.
func (d *decoder) optionalField(field fieldSet, out *string, intern bool) error {
	if d.want&field == 0 {
		return d.skip()
	}
	return d.stringField(out, intern)
}

func (d *decoder) optionalString(out **string) error {
	if d.null() {
		*out = nil
		return nil
	}
	var s string
	if err := d.stringField(&s, false); err != nil {
		return err
	}
	*out = &s
	return nil
}

func (d *decoder) timeField(out **time.Time) error {
	if d.null() {
		*out = nil
		return nil
	}
	if d.peek() != '"' {
		return d.typeError("an RFC 3339 time string")
	}
	raw, _, err := d.scanString()
	if err != nil {
		return err
	}
	// Like time.Time's UnmarshalJSON: strict RFC 3339 on the bytes as sent, escapes and all.
	var t time.Time
	if err := t.UnmarshalText(raw); err != nil {
		return d.errorf("%q is not an RFC 3339 time", raw)
	}
	if *out == nil {
		if len(d.times) == 0 {
			d.times = make([]time.Time, 128)
		}
		*out, d.times = &d.times[0], d.times[1:]
	}
	**out = t
	return nil
}

func (d *decoder) boolField(out *bool) error {
	switch d.peek() {
	case 't':
		*out = true
		return d.literal("true")
	case 'f':
		*out = false
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	return d.typeError("a boolean")
}

func (d *decoder) optionalBool(out **bool) error {
	if d.null() {
		*out = nil
		return nil
	}
	var b bool
	if err := d.boolField(&b); err != nil {
		return err
	}
	*out = &b
	return nil
}

func (d *decoder) int64Field(out *int64) error {
	if d.null() {
		return nil
	}
	switch c := d.peek(); {
	case c == '-' || (c >= '0' && c <= '9'):
	default:
		return d.typeError("an integer")
	}
	raw, err := d.scanNumber()
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return d.errorf("%s is not a 64-bit integer", raw)
	}
	*out = n
	return nil
}

func (d *decoder) intField(out *int) error {
	var n int64
	if d.null() {
		return nil
	}
	if err := d.int64Field(&n); err != nil {
		return err
	}
	if int64(int(n)) != n {
		return d.errorf("%d is out of range", n)
	}
	*out = int(n)
	return nil
}

func (d *decoder) optionalInt64(out **int64) error {
	if d.null() {
		*out = nil
		return nil
	}
	var n int64
	if err := d.int64Field(&n); err != nil {
		return err
	}
	*out = &n
	return nil
}

// null consumes a null if one is next.
func (d *decoder) null() bool {
	if d.peek() == 'n' && d.literal("null") == nil {
		return true
	}
	return false
}

func (d *decoder) literal(word string) error {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return d.syntaxError("in a literal")
	}
	d.pos += len(word)
	return nil
}

// stringByte marks the bytes a string scan must stop at: the closing quote, an escape, and
// the control characters JSON forbids in strings.
var stringByte = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// scanString reads the string at d.pos and returns its bytes between the quotes, as sent,
// and whether it contains escapes.
func (d *decoder) scanString() (raw []byte, escaped bool, err error) {
	start := d.pos + 1
	i := start
	data := d.data
	for {
		// Eight bytes at a time: the classic "has zero byte" test finds a quote, a backslash
		// or a control character among them, and its lowest hit is exact (false hits only
		// ever sit above a true one), so it tells where the first of them is.
		for i+8 <= len(data) {
			x := binary.LittleEndian.Uint64(data[i:])
			quote, backslash := x^(ones*'"'), x^(ones*'\\')
			if hits := ((quote-ones)&^quote | (backslash-ones)&^backslash | (x-ones*0x20)&^x) & highBits; hits != 0 {
				i += bits.TrailingZeros64(hits) >> 3
				break
			}
			i += 8
		}
		for i < len(data) && !stringByte[data[i]] {
			i++
		}
		if i >= len(data) {
			d.pos = i
			return nil, false, d.syntaxError("in a string")
		}
		switch c := data[i]; {
		case c == '"':
			d.pos = i + 1
			return data[start:i], escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(data) {
				d.pos = i + 1
				return nil, false, d.syntaxError("in a string escape")
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(data) || !isHex(data[i+2]) || !isHex(data[i+3]) || !isHex(data[i+4]) || !isHex(data[i+5]) {
					d.pos = i + 1
					return nil, false, d.syntaxError("in a \\u escape")
				}
				i += 6
			default:
				d.pos = i + 1
				return nil, false, d.syntaxError("in a string escape")
			}
		default:
			d.pos = i
			return nil, false, d.syntaxError("in a string")
		}
	}
}

const (
	ones     = 0x0101010101010101
	highBits = 0x8080808080808080
)

// scanNumber reads a number with JSON's grammar and returns its text.
func (d *decoder) scanNumber() ([]byte, error) {
	data, start := d.data, d.pos
	i := start
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		i = digits(data, i)
	default:
		d.pos = i
		return nil, d.syntaxError("where a value was expected")
	}
	if i < len(data) && data[i] == '.' {
		if i+1 >= len(data) || !isDigit(data[i+1]) {
			d.pos = i + 1
			return nil, d.syntaxError("in a number")
		}
		i = digits(data, i+1)
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			d.pos = i
			return nil, d.syntaxError("in a number")
		}
		i = digits(data, i)
	}
	d.pos = i
	return data[start:i], nil
}

func digits(data []byte, i int) int {
	for i < len(data) && isDigit(data[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// peek skips white space and returns the next byte (0 at the end).
func (d *decoder) peek() byte {
	if d.pos < len(d.data) && d.data[d.pos] > ' ' {
		return d.data[d.pos] // compact JSON: no white space to skip
	}
	d.space()
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// decodeError is a decoding failure and the path of the field it happened in, which is
// built only when an error unwinds: decoding itself keeps no path.
type decodeError struct {
	path []string // innermost first
	msg  string
}

func (e *decodeError) Error() string {
	if len(e.path) == 0 {
		return e.msg
	}
	p := ""
	for i := len(e.path) - 1; i >= 0; i-- {
		part := e.path[i]
		if p != "" && part[0] != '[' {
			p += "."
		}
		p += part
	}
	return fmt.Sprintf("field %q: %s", p, e.msg)
}

func inField(part string, err error) error {
	if e, ok := err.(*decodeError); ok && part != "" {
		e.path = append(e.path, part)
	}
	return err
}

func (d *decoder) errorf(format string, args ...any) error {
	return &decodeError{msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) typeError(want string) error {
	found := "nothing"
	switch c := d.peek(); {
	case c == '{':
		found = "an object"
	case c == '[':
		found = "an array"
	case c == '"':
		found = "a string"
	case c == 't' || c == 'f':
		found = "a boolean"
	case c == 'n':
		found = "null"
	case c == '-' || isDigit(c):
		found = "a number"
	case d.pos < len(d.data):
		return d.syntaxError("where a value was expected")
	}
	return d.errorf("expected %s, found %s", want, found)
}

func (d *decoder) syntaxError(context string) error {
	if d.pos >= len(d.data) {
		return d.errorf("invalid JSON: unexpected end of the body %s", context)
	}
	return d.errorf("invalid JSON: unexpected %q at byte %d %s", d.data[d.pos], d.pos, context)
}

// unquote turns the bytes of a JSON string into Go text exactly as encoding/json does:
// escapes decoded, invalid UTF-8 and unpaired surrogates replaced by U+FFFD.
func unquote(s []byte) string {
	b := make([]byte, 0, len(s)+utf8.UTFMax)
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			r++
			switch s[r] {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := getu4(s[r-1:])
				r += 5
				if utf16.IsSurrogate(rr) {
					if r+6 <= len(s) && s[r] == '\\' && s[r+1] == 'u' {
						if dec := utf16.DecodeRune(rr, getu4(s[r:])); dec != unicode.ReplacementChar {
							b = utf8.AppendRune(b, dec)
							r += 6
							continue
						}
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
				continue
			default: // '"', '\\', '/'
				b = append(b, s[r])
			}
			r++
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			b = utf8.AppendRune(b, rr)
			r += size
		}
	}
	return string(b)
}

// getu4 decodes the four hex digits of a \uXXXX escape at the start of s (already checked).
func getu4(s []byte) rune {
	var r rune
	for _, c := range s[2:6] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		default:
			c = c - 'A' + 10
		}
		r = r*16 + rune(c)
	}
	return r
}
