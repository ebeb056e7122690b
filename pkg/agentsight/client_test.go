package agentsight

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFiltersValues(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		f    Filters
		want url.Values
	}{
		{"zero value sends nothing", Filters{}, url.Values{}},
		{"every filter under its own key", Filters{Params: map[string]string{
			"action_name": "refund", "conversation_id": "abc123", "customer_id": "cust_001", "customer_ip_address": "192.168.0.1",
			"device": "desktop", "language": "en", "message_contains": "help me", "feedback_sentiment": "negative",
		}}, url.Values{
			"action_name": {"refund"}, "conversation_id": {"abc123"}, "customer_id": {"cust_001"},
			"customer_ip_address": {"192.168.0.1"}, "device": {"desktop"}, "language": {"en"}, "message_contains": {"help me"},
			"feedback_sentiment": {"negative"},
		}},
		{"empty values are not sent", Filters{Params: map[string]string{"language": ""}}, url.Values{}},
		{"has_messages false is sent", Filters{Params: map[string]string{"has_messages": "false"}}, url.Values{"has_messages": {"false"}}},
		{"times in UTC RFC 3339", Filters{
			StartedAfter:  time.Date(2025, 10, 22, 11, 0, 0, 0, paris),
			StartedBefore: time.Date(2025, 10, 22, 23, 59, 59, 0, time.UTC),
		}, url.Values{"started_at_after": {"2025-10-22T10:00:00Z"}, "started_at_before": {"2025-10-22T23:59:59Z"}}},
		{"sub-second kept", Filters{StartedAfter: time.Date(2025, 1, 2, 3, 4, 5, 500_000_000, time.UTC)},
			url.Values{"started_at_after": {"2025-01-02T03:04:05.5Z"}}},
		{"only one bound", Filters{StartedBefore: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)},
			url.Values{"started_at_before": {"2025-01-02T03:04:05Z"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.f.Values()
			if got.Encode() != tt.want.Encode() {
				t.Errorf("Values() = %q, want %q", got.Encode(), tt.want.Encode())
			}
		})
	}
}

func TestRequestHeadersAndPaths(t *testing.T) {
	tests := []struct {
		name       string
		prefix     string // appended to the server URL to make BaseURL
		header     string
		scheme     *string
		wantHeader string
		wantValue  string
		wantPath   string
	}{
		{"defaults", "", "", nil, "Authorization", "Api-Key " + testKey, "/api/conversations/"},
		{"trailing slash", "/", "", nil, "Authorization", "Api-Key " + testKey, "/api/conversations/"},
		{"base with /api", "/api", "", nil, "Authorization", "Api-Key " + testKey, "/api/conversations/"},
		{"base with /api/", "/api/", "", nil, "Authorization", "Api-Key " + testKey, "/api/conversations/"},
		{"path prefix", "/prefix", "", nil, "Authorization", "Api-Key " + testKey, "/prefix/api/conversations/"},
		{"path prefix with /api/", "/prefix/api/", "", nil, "Authorization", "Api-Key " + testKey, "/prefix/api/conversations/"},
		{"custom header and scheme", "", "X-Api-Key", ptr("Token"), "X-Api-Key", "Token " + testKey, "/api/conversations/"},
		{"empty scheme sends the bare key", "", "X-Api-Key", NoAuthScheme(), "X-Api-Key", testKey, "/api/conversations/"},
		{"bearer", "", "", ptr("Bearer"), "Authorization", "Bearer " + testKey, "/api/conversations/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				mu  sync.Mutex
				got *http.Request
			)
			srv, _ := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				got = r.Clone(context.Background())
				mu.Unlock()
				writeJSON(w, http.StatusOK, map[string]any{"count": 0, "next": nil, "previous": nil, "results": []any{}})
			}), nil)
			c, err := New(Options{BaseURL: srv.URL + tt.prefix, APIKey: testKey, AuthHeader: tt.header, AuthScheme: tt.scheme, HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseIdleConnections()
			if _, err := c.listConversations(context.Background(), Filters{Params: map[string]string{"language": "en"}}, 1, 0); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if got.URL.Path != tt.wantPath {
				t.Errorf("path = %q, want %q", got.URL.Path, tt.wantPath)
			}
			if v := got.Header.Get(tt.wantHeader); v != tt.wantValue {
				t.Errorf("%s = %q, want %q", tt.wantHeader, v, tt.wantValue)
			}
			if tt.wantHeader != "Authorization" && got.Header.Get("Authorization") != "" {
				t.Errorf("Authorization sent as well as %s", tt.wantHeader)
			}
			if a := got.Header.Get("Accept"); a != "application/json" {
				t.Errorf("Accept = %q", a)
			}
			if q := got.URL.Query(); q.Get("language") != "en" || q.Get("page_size") != "100" || q.Has("page") {
				t.Errorf("query = %q, want language=en&page_size=100 and no page", got.URL.RawQuery)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestPageParameters(t *testing.T) {
	tests := []struct {
		name           string
		clientSize     int
		page, size     int
		wantPage, want string
	}{
		{"first page has no page parameter", 0, 1, 0, "", "100"},
		{"later page", 0, 3, 0, "3", "100"},
		{"explicit size", 0, 2, 25, "2", "25"},
		{"client page size", 40, 1, 0, "", "40"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var q url.Values
			_, c := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				q = r.URL.Query()
				mu.Unlock()
				writeJSON(w, http.StatusOK, map[string]any{"count": 0, "results": []any{}})
			}), func(o *Options) { o.PageSize = tt.clientSize })
			if _, err := c.listConversations(context.Background(), Filters{}, tt.page, tt.size); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if q.Get("page") != tt.wantPage || q.Get("page_size") != tt.want {
				t.Errorf("page=%q page_size=%q, want %q %q", q.Get("page"), q.Get("page_size"), tt.wantPage, tt.want)
			}
		})
	}
}

func TestDetailPaths(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	_, c := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.RequestURI())
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/attachments/") {
			writeJSON(w, http.StatusOK, map[string]any{"id": 42, "conversation_id": "conv-42", "messages": []any{
				map[string]any{"id": 1001, "attachments": []any{map[string]any{"id": 900, "type": "image", "size_bytes": 204800}}},
			}})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": 42, "conversation_id": "conv-42", "messages": []any{
			map[string]any{"id": 1001, "timestamp": "2025-10-22T09:01:00Z", "sender": "end_user", "content": "Hello", "attachments": []any{}},
		}})
	}), nil)
	conv, err := c.GetConversation(context.Background(), 42)
	if err != nil {
		t.Fatal(err)
	}
	if conv.ID != 42 || len(conv.Messages) != 1 || conv.Messages[0].Timestamp == nil || conv.Messages[0].Content != "Hello" {
		t.Errorf("conversation = %+v", conv)
	}
	att, err := c.GetAttachments(context.Background(), 42)
	if err != nil {
		t.Fatal(err)
	}
	if len(att.Messages) != 1 || len(att.Messages[0].Attachments) != 1 || *att.Messages[0].Attachments[0].SizeBytes != 204800 {
		t.Errorf("attachments = %+v", att)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"/api/conversations/42/", "/api/conversations/42/attachments/"}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Errorf("paths = %q, want %q", paths, want)
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no key", Options{BaseURL: "https://api.agentsight.io"}, "API key is missing"},
		{"no URL", Options{APIKey: testKey}, "URL is missing"},
		{"ftp", Options{BaseURL: "ftp://api.agentsight.io", APIKey: testKey}, "http:// or https://"},
		{"no host", Options{BaseURL: "https://", APIKey: testKey}, "no host"},
		{"port but no host", Options{BaseURL: "http://:8080", APIKey: testKey}, "no host"},
		{"credentials", Options{BaseURL: "https://user:secret@api.agentsight.io", APIKey: testKey}, "user name or password"},
		{"query", Options{BaseURL: "https://api.agentsight.io/?x=1", APIKey: testKey}, "query or fragment"},
		{"fragment", Options{BaseURL: "https://api.agentsight.io/#x", APIKey: testKey}, "query or fragment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New() error = %v, want it to contain %q", err, tt.want)
			}
			assertNoKey(t, err.Error())
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error repeats the URL's password: %v", err)
			}
		})
	}
}

func TestErrorsByStatus(t *testing.T) {
	type resp struct {
		status int
		header map[string]string
		body   string
	}
	tests := []struct {
		name       string
		resp       resp
		get        bool // GetConversation instead of a list page
		wantKind   ErrorKind
		wantStatus int
		wantDetail string // substring of Detail
		wantErr    string // substring of Error()
		wantCalls  int
	}{
		{"400 field messages", resp{400, nil, `{"has_messages":["Select a valid choice. maybe is not one of the available choices."]}`}, false,
			KindBadRequest, 400, "has_messages: Select a valid choice. maybe is not one of the available choices.", "status 400", 1},
		{"400 several fields sorted", resp{400, nil, `{"started_at_before":["Enter a valid date/time."],"has_messages":["Select a valid choice."]}`}, false,
			KindBadRequest, 400, "has_messages: Select a valid choice.; started_at_before: Enter a valid date/time.", "", 1},
		{"400 detail string", resp{400, nil, `{"detail":"Invalid page size."}`}, false, KindBadRequest, 400, "Invalid page size.", "", 1},
		{"401", resp{401, nil, `{"detail":"Invalid API key."}`}, false, KindUnauthorized, 401, "Invalid API key.", "status 401", 1},
		{"401 echoing the key", resp{401, nil, `{"detail":"Invalid key Api-Key ` + testKey + `"}`}, false, KindUnauthorized, 401, "Invalid key", "", 1},
		{"403", resp{403, nil, `{"detail":"You do not have permission to perform this action."}`}, false, KindForbidden, 403, "permission", "status 403", 1},
		{"404 conversation", resp{404, nil, `{"detail":"No Conversation matches the given query."}`}, true, KindNotFound, 404, "No Conversation", "status 404 from GET /api/conversations/42/", 1},
		{"500 HTML page", resp{500, map[string]string{"Content-Type": "text/html"}, "<html><body>Server Error (500)</body></html>"}, false, KindServer, 500, "", "status 500", 1},
		{"501", resp{501, nil, ""}, false, KindServer, 501, "", "status 501", 1},
		{"302 without location is not followed", resp{302, nil, ""}, false, KindServer, 302, "", "status 302", 1},
		{"502 after retries", resp{502, nil, "bad gateway"}, false, KindServer, 502, "", "status 502", 3},
		{"503 after retries", resp{503, map[string]string{"Retry-After": "0"}, `{"detail":"down"}`}, false, KindServer, 503, "down", "status 503", 3},
		{"504 after retries", resp{504, nil, ""}, false, KindServer, 504, "", "status 504", 3},
		{"429 after retries", resp{429, map[string]string{"Retry-After": "0"}, `{"detail":"Request was throttled."}`}, false, KindRateLimited, 429, "throttled", "status 429", 3},
		{"200 HTML page", resp{200, map[string]string{"Content-Type": "text/html"}, "<!DOCTYPE html><html></html>"}, false, KindDecode, 0, "", "unexpected response", 1},
		{"broken JSON", resp{200, nil, `{"count": 3, "results": [`}, false, KindDecode, 0, "", "unexpected response", 1},
		{"empty body", resp{200, nil, ``}, false, KindDecode, 0, "", "unexpected response", 1},
		{"count as string", resp{200, nil, `{"count":"12","next":null,"previous":null,"results":[]}`}, false, KindDecode, 0, "", `/count: expected a 64-bit integer, found the string "12"`, 1},
		{"results not a list", resp{200, nil, `{"count":1,"results":{"id":1}}`}, false, KindDecode, 0, "", `/results: expected an array, found an object`, 1},
		{"id as string", resp{200, nil, `{"count":1,"results":[{"id":"one"}]}`}, false, KindDecode, 0, "", `id`, 1},
		{"invalid timestamp", resp{200, nil, `{"count":1,"results":[{"id":1,"started_at":"yesterday"}]}`}, false, KindDecode, 0, "", "unexpected response", 1},
		{"negative count", resp{200, nil, `{"count":-1,"next":null,"previous":null,"results":[]}`}, false, KindDecode, 0, "negative count", "", 1},
		{"body larger than MaxBodyBytes", resp{200, nil, `{"count":0,"results":[],"padding":"` + strings.Repeat("x", 2000) + `"}`}, false,
			KindDecode, 0, "larger than 1024 bytes", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec counter
			_, c := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rec.add(r)
				for k, v := range tt.resp.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.resp.status)
				_, _ = w.Write([]byte(tt.resp.body))
			}), func(o *Options) { o.MaxBodyBytes = 1024 })
			var err error
			if tt.get {
				_, err = c.GetConversation(context.Background(), 42)
			} else {
				_, err = c.listConversations(context.Background(), Filters{}, 1, 0)
			}
			if err == nil {
				t.Fatal("no error")
			}
			var apiErr *Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			if apiErr.Kind != tt.wantKind || KindOf(err) != tt.wantKind {
				t.Errorf("kind = %d, want %d (%v)", apiErr.Kind, tt.wantKind, err)
			}
			if apiErr.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", apiErr.StatusCode, tt.wantStatus)
			}
			if !strings.Contains(apiErr.Detail, tt.wantDetail) {
				t.Errorf("detail = %q, want it to contain %q", apiErr.Detail, tt.wantDetail)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Error() = %q, want it to contain %q", err.Error(), tt.wantErr)
			}
			if apiErr.Endpoint == "" || !strings.HasPrefix(apiErr.Endpoint, "/api/conversations/") {
				t.Errorf("endpoint = %q", apiErr.Endpoint)
			}
			assertNoKey(t, err.Error())
			assertNoKey(t, apiErr.Detail)
			if n := rec.n(); n != tt.wantCalls {
				t.Errorf("server saw %d requests, want %d", n, tt.wantCalls)
			}
		})
	}
}

func TestUnreachableHostNamesNoKey(t *testing.T) {
	// A server that was closed: the port refuses connections.
	srv, c := newTestServer(t, http.NotFoundHandler(), nil)
	srv.Close()
	_, err := c.listConversations(context.Background(), Filters{}, 1, 0)
	if KindOf(err) != KindNetwork {
		t.Fatalf("error = %v, want a network error", err)
	}
	assertNoKey(t, err.Error())
}

func TestFilterWithDoesNotChangeTheOriginal(t *testing.T) {
	base := Filters{Params: map[string]string{"language": "en"}}
	a := base.With("device", "mobile")
	b := base.With("device", "desktop")
	if len(base.Params) != 1 || a.Params["device"] != "mobile" || b.Params["device"] != "desktop" || a.Params["language"] != "en" {
		t.Errorf("With shares state: base %v, a %v, b %v", base.Params, a.Params, b.Params)
	}
}

func TestFilterTable(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range FilterParams() {
		if seen[p.Key] {
			t.Errorf("filter %q: duplicate", p.Key)
		}
		seen[p.Key] = true
		if (p.Kind == FilterChoice) != (len(p.Choices) > 0) {
			t.Errorf("filter %q: choices %v for kind %s", p.Key, p.Choices, p.Kind)
		}
		if got, ok := LookupFilter(p.Key); !ok || got.Key != p.Key {
			t.Errorf("LookupFilter(%q) = %v, %v", p.Key, got, ok)
		}
	}
	if _, ok := LookupFilter("started_at_after"); ok {
		t.Error("the time bounds are set by the query's range, not as filters")
	}
}

func TestRedactCoversJSONEscapes(t *testing.T) {
	const key = "sk_live/AbC9"
	tests := []struct{ in, want string }{
		{"key sk_live/AbC9 echoed", "key [redacted] echoed"},
		{`"\u0073k_live/AbC9"`, `"[redacted]"`},
		{`"sk_live\/AbC9"`, `"[redacted]"`},
		{`"\u0073\u006B\u005f\u006c\u0069\u0076\u0065\u002f\u0041\u0062\u0043\u0039"`, `"[redacted]"`},
		{`quoted again: "\\u0073k_live\\/AbC9"`, `quoted again: "[redacted]"`},
		{`two: \u0073k_live/AbC9 and sk_live/AbC9.`, `two: [redacted] and [redacted].`},
		{`near miss \u0073k_live/AbC8 \uZZZZ \`, `near miss \u0073k_live/AbC8 \uZZZZ \`},
	}
	for _, tt := range tests {
		if got := Redact(tt.in, key); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := Redact(`\ud83d\ude00k`, "😀k"); got != "[redacted]" {
		t.Errorf("a surrogate pair: %q", got)
	}
}

// A key the API echoes JSON-escaped in a body the client cannot decode never reaches the error.
func TestEscapedKeyInADecodeErrorIsRedacted(t *testing.T) {
	escaped := `\u00` + fmt.Sprintf("%x", testKey[0]) + testKey[1:]
	for _, body := range []string{
		`{"count": 1, "results": [{"id": 1, "started_at": "` + escaped + `"}]}`,
		`{"count": 1, "results": [{"id": 1, "started_at": "2025-10-22T10:00:00Z", "ended_at": "` + strings.ReplaceAll(escaped, "-", `\u002d`) + `"}]}`,
	} {
		_, c := newTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(body))
		}), nil)
		_, err := c.listConversations(t.Context(), Filters{}, 1, 0)
		if err == nil {
			t.Fatalf("%s: no error", body)
		}
		if msg := err.Error(); strings.Contains(msg, "7Qx9ZtEST") {
			t.Errorf("the key leaked, escaped, into %q", msg)
		}
	}
}

// A body is read into a buffer made for its Content-Length, so that the cache keeps no slack
// beside it; a Content-Length claiming more than presizedBody allocates nothing up front.
func TestReadBodySizesItsBufferFromContentLength(t *testing.T) {
	page := strings.Repeat("x", 100_000)
	tests := []struct {
		name          string
		contentLength int64
		body          string
		limit         int64
		maxCap        int
	}{
		{"exact Content-Length", int64(len(page)), page, fallbackMaxBodyBytes, len(page) + bytes.MinRead},
		{"no Content-Length", -1, page, fallbackMaxBodyBytes, 2 * len(page)},
		{"a claim beyond presizedBody", 1 << 40, "{}", fallbackMaxBodyBytes, 2 * bytes.MinRead},
		{"a claim beyond the limit", 4096, "{}", 1024, 2 * bytes.MinRead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{ContentLength: tt.contentLength, Body: io.NopCloser(strings.NewReader(tt.body))}
			b, err := readBody(resp, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.body {
				t.Errorf("read %d bytes, want %d", len(b), len(tt.body))
			}
			if cap(b) > tt.maxCap {
				t.Errorf("buffer of %d bytes for a %d-byte body, want at most %d", cap(b), len(b), tt.maxCap)
			}
		})
	}
}
