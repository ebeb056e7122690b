package agentsight

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecodePage serves arbitrary bytes as a page of conversations: the client must never
// panic, must report anything it cannot use as a decode error without the key, and must
// accept every body encoding/json accepts (but a bare null). The decoder itself must agree
// with encoding/json on every page in encoding/json's own output form, and a Summary must
// be the full decode without the messages. Seeds are in testdata/fuzz/FuzzDecodePage.
func FuzzDecodePage(f *testing.F) {
	var body atomic.Value
	body.Store([]byte{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(body.Load().([]byte))
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL, APIKey: testKey, MaxAttempts: 1, MaxBodyBytes: 1 << 20, HTTPClient: srv.Client()})
	if err != nil {
		f.Fatal(err)
	}
	defer c.CloseIdleConnections()

	f.Fuzz(func(t *testing.T, data []byte) {
		body.Store(data)
		// A body that made the client hang would otherwise stall the fuzzer silently; with a
		// deadline it fails here with a timeout error and is written out as a reproducer.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		page, err := c.ListConversations(ctx, Filters{}, 1, 0)
		var direct ConversationPage
		stdlibErr := json.Unmarshal(data, &direct)
		valid := stdlibErr == nil && direct.Count >= 0 && strings.TrimSpace(string(data)) != "null"
		if err != nil {
			if KindOf(err) != KindDecode {
				t.Fatalf("error %v has kind %d, want KindDecode", err, KindOf(err))
			}
			if valid {
				t.Fatalf("a body encoding/json accepts was refused: %v", err)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Fatalf("error contains the key: %v", err)
			}
		} else {
			if !json.Valid(data) {
				t.Fatalf("accepted a body that is not JSON: %q", data)
			}
			if page.Count < 0 {
				t.Fatalf("negative count %d accepted", page.Count)
			}
			checkSummary(t, data, page)
		}
		if stdlibErr != nil {
			return
		}
		// encoding/json's output form has no duplicate or case-folded keys, where the two
		// decoders may differ by design; on it they must agree exactly.
		canonical, err := json.Marshal(&direct)
		if err != nil {
			t.Fatalf("encoding/json cannot re-encode its own page: %v", err)
		}
		got, err := DecodePage(canonical, WithMessages)
		if err != nil {
			t.Fatalf("refused encoding/json's output %s: %v", canonical, err)
		}
		for i := range direct.Results {
			direct.Results[i].MessageCount = len(direct.Results[i].Messages)
		}
		direct.Bytes = len(canonical)
		if diff := cmp.Diff(&direct, got); diff != "" {
			t.Fatalf("decoding %s differs from encoding/json (-want +got):\n%s", canonical, diff)
		}
		checkSummary(t, canonical, got)
	})
}

// checkSummary asserts that a Summary decode of body is full (the messages decoded) less the
// messages.
func checkSummary(t *testing.T, body []byte, full *ConversationPage) {
	t.Helper()
	summary, err := DecodePage(body, Summary)
	if err != nil {
		t.Fatalf("Summary refused a page WithMessages accepts: %v", err)
	}
	want := *full
	want.Results = nil
	if full.Results != nil {
		want.Results = make([]Conversation, 0, len(full.Results))
	}
	for _, c := range full.Results {
		c.Messages = nil
		want.Results = append(want.Results, c)
	}
	if diff := cmp.Diff(&want, summary); diff != "" {
		t.Fatalf("Summary differs from the full decode less its messages (-want +got):\n%s", diff)
	}
	// A count's decode keeps the id, the start and the field it groups by.
	starts, err := DecodePage(body, StartsGroupedBy("city"))
	if err != nil {
		t.Fatalf("StartsGroupedBy refused a page WithMessages accepts: %v", err)
	}
	for i, c := range full.Results {
		got := starts.Results[i]
		var city, gotCity string
		if c.GeoLocation != nil {
			city = c.GeoLocation.City
		}
		if got.GeoLocation != nil {
			gotCity = got.GeoLocation.City
		}
		if got.ID != c.ID || !cmp.Equal(got.StartedAt, c.StartedAt) || gotCity != city || got.Language != "" || got.MessageCount != 0 {
			t.Fatalf("StartsGroupedBy(city) of result %d = %+v, want id, start and city of %+v", i, got, c)
		}
	}
}

// FuzzSkipArrayLoosely feeds arbitrary bytes after a '[' to the bracket matching a count
// skips messages with: it must end (with an error at the latest when the bytes run out)
// without panicking, and wherever the strict skip reads a valid array, it must end the
// array exactly where the strict skip does. Where the bytes are not JSON it may end
// anywhere (a 'y' outside strings counts as a bracket, for one), as the decoder then reads
// on from there and refuses what follows or not, as it would any JSON.
func FuzzSkipArrayLoosely(f *testing.F) {
	for _, seed := range []string{
		`]`, `1,"a",[{}]]`, `"]\"",{"k":["}"]}]`, `"a\\",["\\\"]"]] tail`, `[[[`, `"unterminated`,
		`{"id":1,"content":"Rückerstattung #45","attachments":[{"id":2,"size_bytes":12}]}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, rest []byte) {
		body := append([]byte{'['}, rest...)
		loose := newDecoder(body, StartsGroupedBy(""))
		err := loose.skipArrayLoosely()
		if err == nil && (loose.pos < 2 || loose.pos > len(body)) {
			t.Fatalf("skipArrayLoosely(%q) ended at %d, outside the array's possible span", body, loose.pos)
		}
		strict := newDecoder(body, Summary)
		if strict.skip() != nil {
			return
		}
		if err != nil || loose.pos != strict.pos {
			t.Fatalf("skipArrayLoosely(%q) = %d, %v; the strict skip ends the array at %d", body, loose.pos, err, strict.pos)
		}
	})
}
