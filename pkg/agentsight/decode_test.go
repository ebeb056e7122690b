package agentsight_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight/fake"
	"github.com/google/go-cmp/cmp"
)

// stdlibPage is what encoding/json makes of a body, the reference the decoder must match.
func stdlibPage(t *testing.T, body []byte) *agentsight.ConversationPage {
	t.Helper()
	var p agentsight.ConversationPage
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("encoding/json refuses the body: %v", err)
	}
	for i := range p.Results {
		p.Results[i].MessageCount = len(p.Results[i].Messages)
	}
	p.Bytes = len(body) // the size the decoder reports
	return &p
}

// summaryOf is a page as a Summary decode should give it: messages counted, not kept.
func summaryOf(p *agentsight.ConversationPage) *agentsight.ConversationPage {
	out := *p
	out.Results = nil
	if p.Results != nil {
		out.Results = make([]agentsight.Conversation, 0, len(p.Results))
	}
	for _, c := range p.Results {
		c.Messages = nil
		out.Results = append(out.Results, c)
	}
	return &out
}

// projectedOf is a page as a StartsGroupedBy(field) decode should give it: ids, starts and
// the one field, nothing else.
func projectedOf(p *agentsight.ConversationPage, field string) *agentsight.ConversationPage {
	out := *p
	out.Results = nil
	if p.Results != nil {
		out.Results = make([]agentsight.Conversation, 0, len(p.Results))
	}
	for _, c := range p.Results {
		kept := agentsight.Conversation{ID: c.ID, StartedAt: c.StartedAt}
		switch field {
		case "language":
			kept.Language = c.Language
		case "device":
			kept.Device = c.Device
		case "customer_id":
			kept.CustomerID = c.CustomerID
		case "city", "country":
			if g := c.GeoLocation; g != nil {
				kept.GeoLocation = &agentsight.GeoLocation{}
				if field == "city" {
					kept.GeoLocation.City = g.City
				} else {
					kept.GeoLocation.Country = g.Country
				}
			}
		}
		out.Results = append(out.Results, kept)
	}
	return &out
}

// groupFields are the fields a count can group by ("" for none).
var groupFields = []string{"", "language", "device", "customer_id", "city", "country"}

func fakePage(t *testing.T, embed bool) []byte {
	t.Helper()
	srv := fake.New(fake.Options{Dataset: fake.NewDataset(fake.DatasetOptions{Conversations: 300}), EmbedMessages: embed})
	req := httptest.NewRequest(http.MethodGet, "/api/conversations/?page_size=100&page=2", nil)
	req.Header.Set("Authorization", "Api-Key "+fake.DemoKey)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("fake: status %d", rec.Code)
	}
	return rec.Body.Bytes()
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
		{"escapes and odd text", `{"count":1,"results":[{"id":1,"customer_id":"a\"b\\c\/d\b\f\n\r\t","language":"\u00e9\u4e2d",
			"device":"\ud83d\ude00 \ud800 \udc00x","conversation_id":"` + "caf\xe9 \xff" + `",
			"geo_location":{"ip_address":"::1","city":"Z\u00fcrich","country":"CH"},
			"messages":[{"id":3,"sender":"agent","content":"<b>&amp;</b>","timestamp":"2026-10-20T10:00:00.123456789+02:00"}]}]}`},
		{"an escaped key", `{"\u0063ount":3,"results":[]}`},
		{"unknown fields of every kind", `{"count":1,"extra":{"a":[1,-2.5e+3,true,false,null,"x",{}],"b":[]},"results":[{"id":7,
			"is_used":true,"future":[[[]]],"geo_location":{"lat":51.5,"country":"UK"},"messages":[{"id":1,"reactions":{"up":2}}]}]}`},
		{"white space", " \n\t{ \"count\" : 2 , \"results\" : [ { \"id\" : 1 } , { \"id\" : 2 } ] } \r\n"},
		{"duplicate keys: the last wins", `{"count":1,"count":2,"results":[{"id":1,"language":"en","language":"de","started_at":"2026-01-01T00:00:00Z","started_at":"2026-02-01T00:00:00Z"}]}`},
		{"large ids and counts", `{"count":9223372036854775807,"results":[{"id":-9223372036854775808}]}`},
		{"attachments", `{"count":1,"results":[{"id":1,"messages":[{"id":2,"attachments":[{"id":3,"type":"image","file_url":"https://cdn.example.com/a.png","filename":"a.png","mime_type":"image/png","size_bytes":12}]}]}]}`},
		{"an empty object", `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := stdlibPage(t, []byte(tt.body))
			got, err := agentsight.DecodePage([]byte(tt.body), agentsight.WithMessages)
			if err != nil {
				t.Fatalf("DecodePage(WithMessages): %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("WithMessages differs from encoding/json (-want +got):\n%s", diff)
			}
			got, err = agentsight.DecodePage([]byte(tt.body), agentsight.Summary)
			if err != nil {
				t.Fatalf("DecodePage(Summary): %v", err)
			}
			if diff := cmp.Diff(summaryOf(want), got); diff != "" {
				t.Errorf("Summary differs (-want +got):\n%s", diff)
			}
			for _, field := range groupFields {
				got, err = agentsight.DecodePage([]byte(tt.body), agentsight.StartsGroupedBy(field))
				if err != nil {
					t.Fatalf("DecodePage(StartsGroupedBy(%q)): %v", field, err)
				}
				if diff := cmp.Diff(projectedOf(want, field), got); diff != "" {
					t.Errorf("StartsGroupedBy(%q) differs (-want +got):\n%s", field, diff)
				}
			}
		})
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
}

// Every body the decoder refuses, encoding/json refuses too, and the error names the field.
func TestDecodePageErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
		detail           agentsight.Detail
	}{
		{"empty body", ``, `expected an object, found nothing`, agentsight.Summary},
		{"HTML", `<html>502</html>`, `invalid JSON: unexpected '<' at byte 0`, agentsight.Summary},
		{"an array", `[]`, `expected an object, found an array`, agentsight.Summary},
		{"count as a string", `{"count":"5"}`, `field "count": expected an integer, found a string`, agentsight.Summary},
		{"fractional id", `{"results":[{"id":1.5}]}`, `field "results[0].id": 1.5 is not a 64-bit integer`, agentsight.Summary},
		{"id beyond int64", `{"results":[{"id":9223372036854775808}]}`, `field "results[0].id": 9223372036854775808 is not a 64-bit integer`, agentsight.Summary},
		{"bad time", `{"results":[{"id":1},{"started_at":"yesterday"}]}`, `field "results[1].started_at": "yesterday" is not an RFC 3339 time`, agentsight.Summary},
		{"time as a number", `{"results":[{"ended_at":1700000000}]}`, `field "results[0].ended_at": expected an RFC 3339 time string, found a number`, agentsight.Summary},
		{"escaped time", `{"results":[{"started_at":"2026-01-01T00:00:00\u005a"}]}`, `is not an RFC 3339 time`, agentsight.Summary},
		{"results as an object", `{"results":{}}`, `field "results": expected an array, found an object`, agentsight.Summary},
		{"geo_location as a string", `{"results":[{"geo_location":"UK"}]}`, `field "results[0].geo_location": expected an object, found a string`, agentsight.Summary},
		{"messages as an object", `{"results":[{"messages":{}}]}`, `field "results[0].messages": expected an array, found an object`, agentsight.Summary},
		{"message of the wrong type", `{"results":[{"messages":[{"id":1},{"content":5}]}]}`, `field "results[0].messages[1].content": expected a string, found a number`, agentsight.WithMessages},
		{"size_bytes as a string", `{"results":[{"messages":[{"attachments":[{"size_bytes":"12"}]}]}]}`, `field "results[0].messages[0].attachments[0].size_bytes": expected an integer`, agentsight.WithMessages},
		{"broken JSON inside skipped messages", `{"results":[{"messages":[{"content":"a}]}]}`, `invalid JSON: unexpected end of the body`, agentsight.Summary},
		{"truncated", `{"count":3,"results":[{"id":1},{"id"`, `invalid JSON: unexpected end of the body`, agentsight.Summary},
		{"trailing garbage", `{"count":1} {"count":2}`, `unexpected '{' at byte 12 after the top-level value`, agentsight.Summary},
		{"control character in a string", "{\"results\":[{\"language\":\"e\nn\"}]}", `in a string`, agentsight.Summary},
		{"bad escape", `{"results":[{"language":"\x41"}]}`, `in a string escape`, agentsight.Summary},
		{"short unicode escape", `{"results":[{"language":"\u00e"}]}`, `in a \u escape`, agentsight.Summary},
		{"bad literal", `{"results":[{"is_favorite":tru}]}`, `in a literal`, agentsight.Summary},
		{"leading zero", `{"count":01}`, `unexpected '1' at byte 10 after an object value`, agentsight.Summary},
		{"missing comma", `{"count":1 "next":null}`, `after an object value`, agentsight.Summary},
		{"trailing comma", `{"results":[{"id":1},]}`, `where a value was expected`, agentsight.Summary},
		{"nesting beyond encoding/json's limit", `{"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, `nesting deeper than 10000 levels`, agentsight.Summary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p agentsight.ConversationPage
			if json.Unmarshal([]byte(tt.body), &p) == nil {
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

func TestDecodePageRefusesTopLevelNull(t *testing.T) {
	// encoding/json would leave an empty page, which reads as "no conversations": a body of
	// null is a broken response, not an empty range.
	if _, err := agentsight.DecodePage([]byte(" null "), agentsight.Summary); err == nil {
		t.Fatal("DecodePage accepted null")
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
	b.Run("starts grouped by language", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := agentsight.DecodePage(body, agentsight.StartsGroupedBy("language")); err != nil {
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
