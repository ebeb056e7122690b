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
)

// FuzzDecodePage serves arbitrary bytes as a page of conversations: the client must never
// panic, must report anything it cannot use as a decode error, and must accept every body
// that is a well-formed page. Seeds are in testdata/fuzz/FuzzDecodePage.
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
		valid := json.Unmarshal(data, &direct) == nil && direct.Count >= 0
		if err != nil {
			if KindOf(err) != KindDecode {
				t.Fatalf("error %v has kind %d, want KindDecode", err, KindOf(err))
			}
			if valid {
				t.Fatalf("a well-formed page was refused: %v", err)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Fatalf("error contains the key: %v", err)
			}
			return
		}
		if !valid {
			t.Fatalf("accepted a body that does not decode: %q", data)
		}
		if page.Count < 0 {
			t.Fatalf("negative count %d accepted", page.Count)
		}
	})
}
