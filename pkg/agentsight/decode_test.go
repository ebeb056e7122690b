package agentsight_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/google/go-cmp/cmp"
)

func fakePage(t *testing.T, embed bool) []byte {
	t.Helper()
	srv := fakeapi.New(fakeapi.Options{Dataset: fakeapi.NewDataset(fakeapi.DatasetOptions{Conversations: 300}), EmbedMessages: embed})
	req := httptest.NewRequest(http.MethodGet, "/api/conversations/?page_size=100&page=2", nil)
	req.Header.Set("Authorization", "Api-Key "+fakeapi.DemoKey)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("fake: status %d", rec.Code)
	}
	return rec.Body.Bytes()
}

// decodeAll decodes body at every detail level and compares each with encoding/json's.
func decodeAll(t *testing.T, body []byte) {
	t.Helper()
	for _, detail := range agentsight.Details() {
		want, err := agentsight.StdlibDecode(body, detail)
		if err != nil {
			t.Fatalf("encoding/json refuses the body: %v", err)
		}
		got, err := agentsight.DecodePage(body, detail)
		if err != nil {
			t.Fatalf("DecodePage(%+v): %v", detail, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("DecodePage(%+v) differs from encoding/json (-want +got):\n%s", detail, diff)
		}
	}
}

func TestDecodePageMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"fake page with messages", string(fakePage(t, true))},
		{"fake page without messages", string(fakePage(t, false))},
		{"nulls everywhere", `{"count":1,"next":null,"previous":null,"results":[{"id":1,"conversation_id":null,"customer_id":null,
			"language":null,"device":null,"is_favorite":null,"is_used":null,"started_at":null,"ended_at":null,"geo_location":null,"messages":null}]}`},
		{"null elements", `{"count":2,"results":[null,{"id":2,"messages":[null,{"id":5,"timestamp":null,"attachments":[null,{"id":9,"size_bytes":null}]}]}]}`},
		{"null results", `{"count":0,"results":null}`},
		{"no results", `{"count":0}`},
		{"empty results", `{"count":0,"results":[]}`},
		{"escapes and odd text", `{"count":1,"results":[{"id":1,"customer_id":"a\"b\\c\/d\b\f\n\r\t","language":"\u00e9\u4e2d",
			"device":"\ud83d\ude00 \ud800 \udc00x","conversation_id":"` + "caf\xe9 \xff" + `",
			"geo_location":{"ip_address":"::1","city":"Z\u00fcrich","country":"CH"},
			"messages":[{"id":3,"sender":"agent","content":"<b>&amp;</b>","timestamp":"2026-10-20T10:00:00.123456789+02:00"}]}]}`},
		{"an escaped key", `{"\u0063ount":3,"results":[]}`},
		{"keys differing by case", `{"Count":3,"RESULTS":[{"ID":7,"Started_At":"2026-01-01T00:00:00Z","LANGUAGE":"en","Geo_Location":{"CITY":"Oslo","Country":"NO"},"Messages":[{"ID":1}]}]}`},
		{"unknown fields of every kind", `{"count":1,"extra":{"a":[1,-2.5e+3,true,false,null,"x",{}],"b":[]},"results":[{"id":7,
			"is_used":true,"future":[[[]]],"geo_location":{"lat":51.5,"country":"UK"},"messages":[{"id":1,"reactions":{"up":2}}]}]}`},
		{"white space", " \n\t{ \"count\" : 2 , \"results\" : [ { \"id\" : 1 } , { \"id\" : 2 } ] } \r\n"},
		{"duplicate keys: the last wins", `{"count":1,"count":2,"results":[{"id":1,"language":"en","language":"de","started_at":"2026-01-01T00:00:00Z","started_at":"2026-02-01T00:00:00Z"}]}`},
		{"duplicate keys: a later null keeps a string", `{"results":[{"id":1,"language":"en","language":null,"device":"web","DEVICE":null}]}`},
		{"large ids and counts", `{"count":9223372036854775807,"results":[{"id":-9223372036854775808}]}`},
		{"attachments", `{"count":1,"results":[{"id":1,"messages":[{"id":2,"attachments":[{"id":3,"type":"image","file_url":"https://cdn.example.com/a.png","filename":"a.png","mime_type":"image/png","size_bytes":12}]}]}]}`},
		{"an empty object", `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { decodeAll(t, []byte(tt.body)) })
	}
}

// A grouped count for every field of the table: the Summary row a count decodes keeps the
// field, the id and the start as the full decode does, and the table's Value reads it back,
// on the fake API's data where every field has values.
func TestGroupedCountForEveryField(t *testing.T) {
	body := fakePage(t, true)
	full, err := agentsight.DecodePage(body, agentsight.WithMessages)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := agentsight.FieldNames(), []string{"language", "device", "country", "city", "customer_id"}; !slices.Equal(got, want) {
		t.Fatalf("the table has fields %q, the test knows %q", got, want)
	}
	page, err := agentsight.DecodePage(body, agentsight.Summary)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != len(full.Results) || len(page.Results) == 0 {
		t.Fatalf("Summary decoded %d rows, the full decode %d", len(page.Results), len(full.Results))
	}
	for _, f := range agentsight.Fields() {
		t.Run(f.Name, func(t *testing.T) {
			counts := map[string]int{}
			for i := range page.Results {
				got, want := &page.Results[i], &full.Results[i]
				if got.ID != want.ID || !cmp.Equal(got.StartedAt, want.StartedAt) || f.Value(got) != f.Value(want) {
					t.Fatalf("row %d: id %d, start %v, %s %q; want %d, %v, %q", i, got.ID, got.StartedAt, f.Name, f.Value(got), want.ID, want.StartedAt, f.Value(want))
				}
				counts[f.Value(got)]++
			}
			// Each value's count is the number of conversations holding it.
			want := map[string]int{}
			for i := range full.Results {
				want[f.Value(&full.Results[i])]++
			}
			if diff := cmp.Diff(want, counts); diff != "" {
				t.Errorf("counts by %s (-want +got):\n%s", f.Name, diff)
			}
			if len(counts) < 2 {
				t.Errorf("counts by %s: %v; the fake data should hold several values", f.Name, counts)
			}
		})
	}
	if _, ok := agentsight.FieldNamed("action_name"); ok {
		t.Error("action_name is a field: the API never returns action names")
	}
}

func TestDecodeConversationMatchesEncodingJSON(t *testing.T) {
	body := `{"id":4,"conversation_id":"c-4","started_at":"2026-10-20T10:00:00Z","geo_location":{"city":"Oslo"},
		"messages":[{"id":1,"timestamp":"2026-10-20T10:00:01Z","sender":"end_user","content":"hi"},{"id":2}]}`
	var want agentsight.Conversation
	if err := json.Unmarshal([]byte(body), &want); err != nil {
		t.Fatal(err)
	}
	want.MessageCount = 2
	got, err := agentsight.DecodeConversation([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []string{`null`, `[]`, `{"id":"4"}`, `{"id":4} x`} {
		if _, err := agentsight.DecodeConversation([]byte(bad)); err == nil {
			t.Errorf("DecodeConversation(%s) accepted it", bad)
		}
	}
}

func TestDecodeAttachmentsMatchesEncodingJSON(t *testing.T) {
	body := `{"id":4,"conversation_id":"c-4","messages":[{"id":1,"attachments":[{"id":2,"type":"image","file_url":"https://cdn.example.com/a.png","size_bytes":12}]},{"id":3,"attachments":null}]}`
	var want agentsight.ConversationAttachments
	if err := json.Unmarshal([]byte(body), &want); err != nil {
		t.Fatal(err)
	}
	got, err := agentsight.DecodeAttachments([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = agentsight.DecodeAttachments([]byte(`{"messages":[{"attachments":[{"size_bytes":"12"}]}]}`))
	if want := "/messages/0/attachments/0/size_bytes: expected a 64-bit integer, found the string \"12\""; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

// Every body the decoder refuses, encoding/json refuses too, and the error names the field by
// its JSON pointer and what was expected there.
func TestDecodePageErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
		detail           agentsight.Detail
	}{
		{"empty body", ``, `invalid JSON: the body ends early`, agentsight.Summary},
		{"HTML", `<html>502</html>`, `invalid JSON at byte 0: invalid character '<' at start of value`, agentsight.Summary},
		{"an array", `[]`, `expected an object, found an array`, agentsight.Summary},
		{"count as a string", `{"count":"5"}`, `/count: expected a 64-bit integer, found the string "5"`, agentsight.Summary},
		{"fractional id", `{"results":[{"id":1.5}]}`, `/results/0/id: expected a 64-bit integer, found the number 1.5`, agentsight.Summary},
		{"id beyond int64", `{"results":[{"id":9223372036854775808}]}`, `/results/0/id: expected a 64-bit integer, found the number 922337203685…`, agentsight.Summary},
		{"bad time", `{"results":[{"id":1},{"started_at":"yesterday"}]}`, `/results/1/started_at: expected an RFC 3339 time, found the string "yesterday"`, agentsight.Summary},
		{"month 13", `{"results":[{"id":1},{"started_at":"2026-13-01T00:00:00Z"}]}`, `/results/1/started_at: expected an RFC 3339 time, found the string "2026-13-01T00:00:00Z"`, agentsight.Summary},
		{"time as a number", `{"results":[{"ended_at":1700000000}]}`, `/results/0/ended_at: expected an RFC 3339 time, found the number 1700000000`, agentsight.Summary},
		{"results as an object", `{"results":{}}`, `/results: expected an array, found an object`, agentsight.Summary},
		{"a row as a string", `{"results":[{},"x"]}`, `/results/1: expected an object, found the string "x"`, agentsight.Summary},
		{"geo_location as a string", `{"results":[{"geo_location":"UK"}]}`, `/results/0/geo_location: expected an object, found the string "UK"`, agentsight.Summary},
		{"language as a number", `{"results":[{"language":5}]}`, `/results/0/language: expected a string, found the number 5`, agentsight.Summary},
		{"messages as an object", `{"results":[{"messages":{}}]}`, `/results/0/messages: expected an array, found an object`, agentsight.Summary},
		{"a message as a number", `{"results":[{"messages":[{},1]}]}`, `/results/0/messages/1: expected an object, found the number 1`, agentsight.Summary},
		{"message of the wrong type", `{"results":[{"messages":[{"id":1},{"content":5}]}]}`, `/results/0/messages/1/content: expected a string, found the number 5`, agentsight.WithMessages},
		{"size_bytes as a string", `{"results":[{"messages":[{"attachments":[{"size_bytes":"12"}]}]}]}`, `/results/0/messages/0/attachments/0/size_bytes: expected a 64-bit integer`, agentsight.WithMessages},
		{"broken JSON inside counted messages", `{"results":[{"messages":[{"content":"a}]}]}`, `invalid JSON: the body ends early`, agentsight.Summary},
		{"bad escape in a counted message", `{"results":[{"id":1,"messages":[{"content":"\q"}]}]}`, "/results/0/messages/0/content: invalid JSON at byte 44: invalid escape sequence `\\q` in string", agentsight.Summary},
		{"broken JSON inside a counted message", `{"results":[{"messages":[{"content":tru}]}]}`, `/results/0/messages/0/content: invalid JSON at byte 39: invalid character '}' in literal true (expecting 'e')`, agentsight.Summary},
		{"truncated", `{"count":3,"results":[{"id":1},{"id"`, `invalid JSON: the body ends early`, agentsight.Summary},
		{"trailing garbage", `{"count":1} {"count":2}`, `invalid JSON at byte 12: invalid character '{' after top-level value`, agentsight.Summary},
		{"control character in a string", "{\"results\":[{\"language\":\"e\nn\"}]}", `/results/0/language: invalid JSON at byte 26: invalid character '\n' in string (expecting non-control character)`, agentsight.Summary},
		{"bad escape", `{"results":[{"language":"\x41"}]}`, "/results/0/language: invalid JSON at byte 25: invalid escape sequence `\\x` in string", agentsight.Summary},
		{"short unicode escape", `{"results":[{"language":"\u00e"}]}`, "/results/0/language: invalid JSON at byte 25: invalid escape sequence `\\u00e\"` in string", agentsight.Summary},
		{"bad literal", `{"results":[{"is_favorite":tru}]}`, `/results/0/is_favorite: invalid JSON at byte 30: invalid character '}' in literal true (expecting 'e')`, agentsight.Summary},
		{"leading zero", `{"count":01}`, `invalid JSON at byte 10: invalid character '1' after object value (expecting ',' or '}')`, agentsight.Summary},
		{"missing comma", `{"count":1 "next":null}`, `invalid character '"' after object value (expecting ',' or '}')`, agentsight.Summary},
		{"trailing comma", `{"results":[{"id":1},]}`, `/results: invalid JSON at byte 20: invalid character ',' at start of value`, agentsight.Summary},
		{"top-level null", ` null `, `expected an object, found null`, agentsight.Summary},
		{"nesting beyond encoding/json's limit", `{"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, `exceeded max depth`, agentsight.Summary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p agentsight.ConversationPage
			if tt.name != "top-level null" && json.Unmarshal([]byte(tt.body), &p) == nil {
				t.Fatalf("encoding/json accepts %q: not a case the decoder may refuse", tt.body)
			}
			_, err := agentsight.DecodePage([]byte(tt.body), tt.detail)
			if err == nil {
				t.Fatalf("DecodePage accepted %q", tt.body)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestDecodePageNestingAtTheLimit(t *testing.T) {
	body := `{"x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`
	if !json.Valid([]byte(body)) {
		t.Fatal("encoding/json refuses the body: the limit moved")
	}
	if _, err := agentsight.DecodePage([]byte(body), agentsight.Summary); err != nil {
		t.Fatalf("DecodePage: %v", err)
	}
}

// Where the library is stricter or looser than encoding/json by design (docs/design.md).
func TestDecodePageDiffersFromEncodingJSONByDesign(t *testing.T) {
	// encoding/json hands time.Time the string's bytes with their escapes (go.dev/issue/47353);
	// the library unescapes them first, as JSON means.
	body := []byte(`{"results":[{"started_at":"2026-01-01T00:00:00\u005a"}]}`)
	p, err := agentsight.DecodePage(body, agentsight.Summary)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Results[0].StartedAt; got == nil || !got.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("started_at = %v", got)
	}
	// A Summary checks that messages are objects, not what each message holds: it never reads them.
	body = []byte(`{"results":[{"messages":[{"id":"x"},{"content":5}]}]}`)
	p, err = agentsight.DecodePage(body, agentsight.Summary)
	if err != nil || p.Results[0].MessageCount != 2 {
		t.Errorf("Summary = %+v, %v; want 2 messages counted", p, err)
	}
}

// A page holding more rows than the page_size asked is refused at the first row over the
// limit, before that row is decoded, and no slice of every row is ever built.
func TestDecodePageRowLimit(t *testing.T) {
	rows := func(n int) []byte {
		return []byte(`{"count":` + strconv.Itoa(n) + `,"results":[` + strings.TrimSuffix(strings.Repeat(`{"id":1},`, n), ",") + `]}`)
	}
	for _, detail := range agentsight.Details() {
		p, err := agentsight.DecodePageOfSize(rows(3), detail, 3)
		if err != nil || len(p.Results) != 3 {
			t.Errorf("%+v: a full page of 3: %v, %v", detail, p, err)
		}
		p, err = agentsight.DecodePageOfSize(rows(3), detail, 0)
		if err != nil || len(p.Results) != 3 {
			t.Errorf("%+v: no limit: %v, %v", detail, p, err)
		}
		// The fourth row is refused even though it is broken: it is never read.
		_, err = agentsight.DecodePageOfSize([]byte(`{"results":[{},{},{},{"id":"x"}]}`), detail, 3)
		if want := "/results/3: the page holds more than the 3 rows asked for (page_size)"; err == nil || err.Error() != want {
			t.Errorf("%+v: 4 rows with a limit of 3: %v, want %s", detail, err, want)
		}
	}
	// A million empty rows, 3 MB: refused after 100, allocating a fraction of the body.
	huge := []byte(`{"results":[` + strings.TrimSuffix(strings.Repeat(`{},`, 1_000_000), ",") + `]}`)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := agentsight.DecodePageOfSize(huge, agentsight.Summary, 100)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "/results/100:") {
		t.Fatalf("a million rows with a limit of 100: %v", err)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 1<<20 {
		t.Errorf("refusing a million rows allocated %d bytes, want at most 1 MiB", allocated)
	}
}

// Errors quote at most a short excerpt of the body: a value or a name the API echoes (the key,
// say) does not reach the message whole.
func TestDecodeErrorsQuoteOnlyAnExcerpt(t *testing.T) {
	const key = "sk-live-7Qx9ZtEST-KEY-c4f1"
	long := strings.Repeat("x", 500)
	tests := []struct{ name, body string }{
		{"key as a time", `{"results":[{"started_at":"` + key + `"}]}`},
		{"key as an id", `{"results":[{"id":"` + key + `"}]}`},
		{"key as a name, broken value", `{"results":[{"` + key + `":tru}]}`},
		{"key as a name, deep", `{"results":[{"` + key + `":{"` + key + `":[[[[[[[[[[[["` + key + `"]]]]]]]]]]],}}]}`},
		{"long value", `{"count":"` + long + `"}`},
		{"long name", `{"` + long + `":[1,]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, detail := range agentsight.Details() {
				_, err := agentsight.DecodePage([]byte(tt.body), detail)
				if err == nil {
					t.Fatalf("%+v: accepted", detail)
				}
				// Not even the start of the key: its first six bytes would already be a leak.
				if msg := err.Error(); strings.Contains(msg, key[:6]) || strings.Contains(msg, "7Qx9ZtEST") || strings.Contains(msg, long[:20]) || len(msg) > 200 {
					t.Errorf("%+v: error quotes too much of the body: %s", detail, msg)
				}
			}
		})
	}
}

// BenchmarkDecodePage decodes a 100-conversation page with embedded messages (what most of
// a large listing's bytes are) by each detail, and by encoding/json for comparison.
func BenchmarkDecodePage(b *testing.B) {
	t := &testing.T{}
	body := fakePage(t, true)
	b.Run("Summary without messages", func(b *testing.B) {
		body := fakePage(t, false)
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := agentsight.DecodePage(body, agentsight.Summary); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Summary", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := agentsight.DecodePage(body, agentsight.Summary); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("WithMessages", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := agentsight.DecodePage(body, agentsight.WithMessages); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var p agentsight.ConversationPage
			if err := json.Unmarshal(body, &p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Where messages and attachments are decoded, one body holds at most MaxNestedRows of them:
// the first over the budget is refused before it is read, whichever array it is in. Where
// they are only counted, there is no budget: nothing of them is kept.
func TestDecodeBoundsMessagesAndAttachments(t *testing.T) {
	n := agentsight.MaxNestedRows
	empties := func(k int) string { return strings.TrimSuffix(strings.Repeat(`{},`, k), ",") }
	withAttachment := strings.TrimSuffix(strings.Repeat(`{"attachments":[{}]},`, n/2), ",")
	tests := []struct {
		name, body, wantErr string
		decode              func([]byte) error
	}{
		{"page at the budget", `{"results":[{"messages":[` + empties(n-10) + `]},{"messages":[` + empties(10) + `]}]}`, "", decodeWithMessages},
		{"page over it", `{"results":[{"messages":[` + empties(n-10) + `]},{"messages":[` + empties(11) + `]}]}`,
			"/results/1/messages/10: the body holds more than 100000 messages and attachments", decodeWithMessages},
		{"attachments count too", `{"results":[{"messages":[` + withAttachment + `]}]}`, "", decodeWithMessages},
		{"one attachment over it", `{"results":[{"messages":[` + withAttachment + `,{"attachments":[{}]}]}]}`,
			"/results/0/messages/50000: the body holds more than 100000 messages and attachments", decodeWithMessages},
		{"a conversation over it", `{"id":1,"messages":[` + empties(n+1) + `]}`,
			"/messages/100000: the body holds more than 100000 messages and attachments",
			func(b []byte) error { _, err := agentsight.DecodeConversation(b); return err }},
		{"attachments of a conversation over it", `{"id":1,"messages":[{"attachments":[` + empties(n-2) + `]},{"attachments":[{}]}]}`,
			"/messages/1/attachments/0: the body holds more than 100000 messages and attachments",
			func(b []byte) error { _, err := agentsight.DecodeAttachments(b); return err }},
		{"a table or a count counts any number", `{"results":[{"messages":[` + empties(3*n) + `]}]}`, "",
			func(b []byte) error { _, err := agentsight.DecodePage(b, agentsight.Summary); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.decode([]byte(tt.body))
			if tt.wantErr == "" && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr) {
				t.Fatalf("error %v, want %s", err, tt.wantErr)
			}
		})
	}
	// Three million empty messages, 9 MB: refused after the budget, having allocated tens of
	// megabytes rather than the gigabyte decoding them all takes.
	huge := []byte(`{"results":[{"messages":[` + empties(30*n) + `]}]}`)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := decodeWithMessages(huge)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("three million messages accepted")
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 64<<20 {
		t.Errorf("refusing three million messages allocated %d MB, want at most 64", allocated>>20)
	}
}

func decodeWithMessages(body []byte) error {
	_, err := agentsight.DecodePage(body, agentsight.WithMessages)
	return err
}
