package agentsight

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecodePage is the differential test of the decoder against encoding/json, on generated
// pages, the committed corpus (testdata/fuzz/FuzzDecodePage) and what the fuzzer makes of
// them. It serves the bytes as a page of conversations: the client must never panic, must
// report anything it cannot use as a decode error without the key, and must accept every
// body encoding/json accepts (but a bare null, a negative count and more rows than asked).
// At every detail level the decoder must give what encoding/json gives (checkAgainstStdlib).
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
	r := rand.New(rand.NewPCG(1, 2))
	for range 40 {
		f.Add(pageGenerator{r}.page(r.IntN(4)))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		body.Store(data)
		// A body that made the client hang would otherwise stall the fuzzer silently; with a
		// deadline it fails here with a timeout error and is written out as a reproducer.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		page, err := c.listConversations(ctx, Filters{}, 1, 0)
		var direct ConversationPage
		stdlibErr := json.Unmarshal(data, &direct)
		valid := stdlibErr == nil && direct.Count >= 0 && len(direct.Results) <= c.PageSize() &&
			strings.TrimSpace(string(data)) != "null"
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
		} else if !json.Valid(data) {
			t.Fatalf("accepted a body that is not JSON: %q", data)
		} else if page.Count < 0 {
			t.Fatalf("negative count %d accepted", page.Count)
		}
		checkAgainstStdlib(t, data)
	})
}

// compareWithStdlib decodes body at every detail level and fails where the result is not
// encoding/json's.
func compareWithStdlib(t *testing.T, body []byte) {
	t.Helper()
	for _, detail := range Details() {
		want, err := StdlibDecode(body, detail)
		if err != nil {
			t.Fatalf("encoding/json refuses %q: %v", body, err)
		}
		got, err := DecodePage(body, detail)
		if err != nil {
			if strings.TrimSpace(string(body)) == "null" {
				continue
			}
			t.Fatalf("DecodePage(%+v) refused %q, which encoding/json accepts: %v", detail, body, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("DecodePage(%+v) of %q differs from encoding/json (-want +got):\n%s", detail, body, diff)
		}
	}
}
