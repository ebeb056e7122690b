//go:build hostile

package hostile

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// server is a hostile API on 127.0.0.1 that counts what it receives.
type server struct {
	*httptest.Server
	requests atomic.Int64
	// keyed counts the requests that carried the API key in any header.
	keyed atomic.Int64
}

func newServer(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		for _, values := range r.Header {
			for _, v := range values {
				if strings.Contains(v, key) {
					s.keyed.Add(1)
				}
			}
		}
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// conversation is one valid conversation of the API, started at when.
func conversation(id int64, when time.Time) string {
	return fmt.Sprintf(`{"id":%d,"conversation_id":"c-%d","customer_id":"cust-%d","language":"en","device":"mobile","is_favorite":false,"is_used":true,`+
		`"started_at":%q,"ended_at":null,"geo_location":{"ip_address":"10.0.0.1","city":"Lyon","country":"FR"},"messages":[]}`,
		id, id, id, when.UTC().Format(time.RFC3339))
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// benign answers every list with one conversation started at when.
func benign(when time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"count":1,"next":null,"previous":null,"results":[`+conversation(1, when)+`]}`)
	}
}

// emptyObjects is a list page of n empty objects claiming count: 3 bytes a row.
func emptyObjects(n int) []byte {
	var b bytes.Buffer
	b.Grow(n*3 + 64)
	fmt.Fprintf(&b, `{"count":%d,"next":null,"previous":null,"results":[`, n)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("{}")
	}
	b.WriteString("]}")
	return b.Bytes()
}

func serveBytes(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}
}

// oneRowPerPage claims 10^12 conversations, serves one per page whatever page_size asks, and
// always links a next page.
func oneRowPerPage(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	q := r.URL.Query()
	q.Set("page", strconv.Itoa(page+1))
	next := "http://" + r.Host + r.URL.Path + "?" + q.Encode()
	when := time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC).Add(-time.Duration(page) * time.Second)
	writeJSON(w, 200, `{"count":1000000000000,"next":`+strconv.Quote(next)+`,"previous":null,"results":[`+conversation(int64(page), when)+`]}`)
}

var (
	bombOnce sync.Once
	bomb     []byte
)

// gzipBomb is a list page that inflates to 256 MiB of whitespace inside its results: eight
// times the plugin's body cap, from about 256 KiB on the wire.
func gzipBomb() []byte {
	bombOnce.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		_, _ = zw.Write([]byte(`{"count":1,"next":null,"previous":null,"results":[`))
		chunk := bytes.Repeat([]byte(" "), 1<<20)
		for range 256 {
			_, _ = zw.Write(chunk)
		}
		_, _ = zw.Write([]byte(`]}`))
		_ = zw.Close()
		bomb = b.Bytes()
	})
	return bomb
}

func serveGzipBomb(w http.ResponseWriter, r *http.Request) {
	body := gzipBomb()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// endless starts a valid page and never ends it, until the client hangs up (or a minute).
func endless(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(200)
	if _, err := w.Write([]byte(`{"count":1,"next":null,"previous":null,"results":[`)); err != nil {
		return
	}
	chunk := bytes.Repeat([]byte(`{},`), 1<<15)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// trickle sends a valid page one byte every 200 ms.
func trickle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(200)
	flusher, _ := w.(http.Flusher)
	body := `{"count":1,"next":null,"previous":null,"results":[` + conversation(1, time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)) + `]}`
	for i := range len(body) {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(200 * time.Millisecond):
		}
		if _, err := w.Write([]byte{body[i]}); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
}

// deepNesting opens a million arrays inside results.
func deepNesting() []byte {
	return []byte(`{"count":1,"next":null,"previous":null,"results":[` + strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000) + `]}`)
}

// escapedKey is the key with its first letter written as a JSON escape: what a server that
// echoes the request's headers in JSON may send back.
func escapedKey() string { return fmt.Sprintf(`\u%04x`, key[0]) + key[1:] }

// echoEscapedKey answers 400 with the key, JSON-escaped, in its detail.
func echoEscapedKey(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 400, `{"detail":"invalid page_size for key `+escapedKey()+`"}`)
}

// brokenWithEscapedKey answers 200 with a body that does not decode and holds the escaped key
// where a decode error would quote it.
func brokenWithEscapedKey(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, `{"count":"`+escapedKey()+`","next":null,"results":[{"id":"`+escapedKey()+`"}]}`)
}
