package fakeapi

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
)

// find returns the first conversation of the test data matching pred.
func find(t *testing.T, pred func(c *Conversation) bool) *Conversation {
	t.Helper()
	ds := testData()
	for i := range ds.Conversations {
		if pred(&ds.Conversations[i]) {
			return &ds.Conversations[i]
		}
	}
	t.Fatal("the test data has no such conversation")
	return nil
}

func hasAttachments(c *Conversation) bool {
	for _, m := range c.Messages {
		if len(m.Attachments) > 0 {
			return true
		}
	}
	return false
}

var conversationKeys = []string{"conversation_id", "customer_id", "device", "ended_at", "geo_location", "id", "is_favorite",
	"is_used", "language", "messages", "started_at"}

func TestDetail(t *testing.T) {
	f := newFixture(t, Options{}) // detail embeds messages even when the list does not
	idPath := func(c *Conversation) string { return "/api/conversations/" + strconv.FormatInt(c.ID, 10) + "/" }

	t.Run("full conversation", func(t *testing.T) {
		c := find(t, func(c *Conversation) bool { return c.EndedAt != nil && c.HasGeo && c.City != "" && hasAttachments(c) })
		st, body := f.get(idPath(c), nil)
		if st != http.StatusOK {
			t.Fatalf("%d %s", st, body)
		}
		m := decodeMap(t, body)
		if keys := sortedKeys(m); !slices.Equal(keys, conversationKeys) {
			t.Fatalf("keys %v, want %v", keys, conversationKeys)
		}
		if m["id"] != float64(c.ID) || m["conversation_id"] != c.ConversationID || m["customer_id"] != c.CustomerID ||
			m["language"] != c.Language || m["device"] != c.Device || m["is_favorite"] != c.IsFavorite || m["is_used"] != c.IsUsed ||
			m["started_at"] != c.StartedAt.Format("2006-01-02T15:04:05Z") || m["ended_at"] != c.EndedAt.Format("2006-01-02T15:04:05Z") {
			t.Fatalf("fields differ from the ground truth:\n%v\n%+v", m, c)
		}
		geo := m["geo_location"].(map[string]any)
		if geo["ip_address"] != c.IPAddress || geo["city"] != c.City || geo["country"] != c.Country || len(geo) != 3 {
			t.Fatalf("geo_location %v", geo)
		}
		msgs := m["messages"].([]any)
		if len(msgs) != len(c.Messages) {
			t.Fatalf("%d messages, want %d", len(msgs), len(c.Messages))
		}
		for i, raw := range msgs {
			msg, want := raw.(map[string]any), c.Messages[i]
			if msg["id"] != float64(want.ID) || msg["sender"] != want.Sender || msg["content"] != want.Content ||
				msg["timestamp"] != want.Timestamp.Format("2006-01-02T15:04:05Z") {
				t.Fatalf("message %d: %v, want %+v", i, msg, want)
			}
			atts := msg["attachments"].([]any) // present and a list even when empty
			if len(atts) != len(want.Attachments) {
				t.Fatalf("message %d: %d attachments, want %d", i, len(atts), len(want.Attachments))
			}
			for j, a := range atts {
				checkAttachment(t, a.(map[string]any), want.Attachments[j])
			}
		}
	})
	t.Run("nulls", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			pred func(c *Conversation) bool
			null []string
		}{
			{"open conversation", func(c *Conversation) bool { return c.EndedAt == nil }, []string{"ended_at"}},
			{"no geo", func(c *Conversation) bool { return !c.HasGeo }, []string{"geo_location"}},
		} {
			c := find(t, tt.pred)
			_, body := f.get(idPath(c), nil)
			m := decodeMap(t, body)
			for _, k := range tt.null {
				if v, ok := m[k]; !ok || v != nil {
					t.Errorf("%s: %s = %v (present %v), want null", tt.name, k, v, ok)
				}
			}
		}
		c := find(t, func(c *Conversation) bool { return c.HasGeo && c.City == "" })
		_, body := f.get(idPath(c), nil)
		geo := decodeMap(t, body)["geo_location"].(map[string]any)
		if v, ok := geo["city"]; !ok || v != nil || geo["country"] != c.Country {
			t.Errorf("geo without a city: %v", geo)
		}
		c = find(t, func(c *Conversation) bool { return len(c.Messages) == 0 })
		_, body = f.get(idPath(c), nil)
		if msgs, ok := decodeMap(t, body)["messages"].([]any); !ok || len(msgs) != 0 {
			t.Errorf("conversation without messages: messages = %v", msgs)
		}
	})
	t.Run("not found", func(t *testing.T) {
		for _, p := range []string{"/api/conversations/0/", "/api/conversations/999999/", "/api/conversations/abc/",
			"/api/conversations/-1/", "/api/conversations/1.0/", "/api/conversations/0/attachments/", "/api/conversations/x/attachments/"} {
			st, body := f.get(p, nil)
			if st != http.StatusNotFound || string(body) != `{"detail":"Not found."}` {
				t.Errorf("%s: %d %s", p, st, body)
			}
		}
	})
}

func checkAttachment(t *testing.T, got map[string]any, want Attachment) {
	t.Helper()
	keys := sortedKeys(got)
	if w := []string{"file_url", "filename", "id", "mime_type", "size_bytes", "type"}; !slices.Equal(keys, w) {
		t.Fatalf("attachment keys %v, want %v", keys, w)
	}
	if got["id"] != float64(want.ID) || got["type"] != want.Type || got["file_url"] != want.FileURL || got["filename"] != want.Filename ||
		got["mime_type"] != want.MimeType || got["size_bytes"] != float64(want.SizeBytes) {
		t.Fatalf("attachment %v, want %+v", got, want)
	}
}

func TestAttachments(t *testing.T) {
	f := newFixture(t, Options{})
	c := find(t, func(c *Conversation) bool {
		n := 0
		for _, m := range c.Messages {
			if len(m.Attachments) > 0 {
				n++
			}
		}
		return n > 0 && n < len(c.Messages) // some messages with, some without
	})
	st, body := f.get("/api/conversations/"+strconv.FormatInt(c.ID, 10)+"/attachments/", nil)
	if st != http.StatusOK {
		t.Fatalf("%d %s", st, body)
	}
	m := decodeMap(t, body)
	if keys := sortedKeys(m); !slices.Equal(keys, []string{"conversation_id", "id", "messages"}) || m["id"] != float64(c.ID) || m["conversation_id"] != c.ConversationID {
		t.Fatalf("attachments body %v", m)
	}
	var want []Message
	for _, msg := range c.Messages {
		if len(msg.Attachments) > 0 {
			want = append(want, msg)
		}
	}
	msgs := m["messages"].([]any)
	if len(msgs) != len(want) {
		t.Fatalf("%d messages, want only the %d with attachments", len(msgs), len(want))
	}
	for i, raw := range msgs {
		msg := raw.(map[string]any)
		if keys := sortedKeys(msg); !slices.Equal(keys, []string{"attachments", "id"}) || msg["id"] != float64(want[i].ID) {
			t.Fatalf("message %v, want id %d", msg, want[i].ID)
		}
		for j, a := range msg["attachments"].([]any) {
			checkAttachment(t, a.(map[string]any), want[i].Attachments[j])
		}
	}

	none := find(t, func(c *Conversation) bool { return len(c.Messages) > 0 && !hasAttachments(c) })
	_, body = f.get("/api/conversations/"+strconv.FormatInt(none.ID, 10)+"/attachments/", nil)
	if msgs, ok := decodeMap(t, body)["messages"].([]any); !ok || len(msgs) != 0 {
		t.Fatalf("conversation without attachments: %s", body)
	}
}

func TestAuth(t *testing.T) {
	const (
		notProvided = `{"detail":"Authentication credentials were not provided."}`
		invalid     = `{"detail":"Invalid API key."}`
		forbidden   = `{"detail":"You do not have permission to perform this action."}`
	)
	tests := []struct {
		name   string
		opts   Options
		header string // header name; default Authorization
		value  string
		status int
		body   string
	}{
		{"no header", Options{}, "", "", 401, notProvided},
		{"demo key", Options{}, "", "Api-Key demo-key", 200, ""},
		{"scheme is case-insensitive", Options{}, "", "api-key demo-key", 200, ""},
		{"unknown key", Options{}, "", "Api-Key wrong", 401, invalid},
		{"scheme without key", Options{}, "", "Api-Key", 401, invalid},
		{"other scheme", Options{}, "", "Bearer demo-key", 401, notProvided},
		{"bare key when a scheme is expected", Options{}, "", "demo-key", 401, notProvided},
		{"forbidden key", Options{}, "", "Api-Key forbidden-key", 403, forbidden},
		{"custom header, bare key", Options{AuthHeader: "X-Api-Key", AuthScheme: NoAuthScheme}, "X-Api-Key", "demo-key", 200, ""},
		{"custom header, key in Authorization", Options{AuthHeader: "X-Api-Key", AuthScheme: NoAuthScheme}, "", "demo-key", 401, notProvided},
		{"custom header, scheme sent", Options{AuthHeader: "X-Api-Key", AuthScheme: NoAuthScheme}, "X-Api-Key", "Api-Key demo-key", 401, invalid},
		{"custom scheme", Options{AuthScheme: "Token"}, "", "Token demo-key", 200, ""},
		{"custom keys", Options{Keys: map[string]int{"k1": 200, "k2": 403}}, "", "Api-Key k2", 403, forbidden},
		{"custom keys drop the defaults", Options{Keys: map[string]int{"k1": 200}}, "", "Api-Key demo-key", 401, invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.opts)
			for _, path := range []string{"/api/conversations/", "/api/conversations/1/", "/api/conversations/1/attachments/"} {
				req, _ := http.NewRequest(http.MethodGet, f.ts.URL+path, nil)
				if tt.value != "" {
					h := tt.header
					if h == "" {
						h = "Authorization"
					}
					req.Header.Set(h, tt.value)
				}
				resp, err := f.ts.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body := readAll(t, resp)
				if resp.StatusCode != tt.status || (tt.body != "" && body != tt.body) {
					t.Fatalf("%s: %d %s, want %d %s", path, resp.StatusCode, body, tt.status, tt.body)
				}
				if tt.status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
					t.Fatalf("401 without WWW-Authenticate")
				}
			}
		})
	}
}

func TestRouting(t *testing.T) {
	f := newFixture(t, Options{})
	for _, tt := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/", 404},
		{"GET", "/api/", 404},
		{"GET", "/api/conversations", 404},
		{"GET", "/api/conversations/1", 404},
		{"GET", "/api/conversations/1/messages/", 404},
		{"GET", "/api/conversations/1/attachments", 404},
		{"POST", "/api/conversations/", 405},
		{"DELETE", "/api/conversations/1/", 405},
		{"PUT", "/api/conversations/1/attachments/", 405},
		{"HEAD", "/api/conversations/", 200},
	} {
		st, body, h := f.do(tt.method, f.ts.URL+tt.path)
		if st != tt.status {
			t.Errorf("%s %s: %d %s, want %d", tt.method, tt.path, st, body, tt.status)
		}
		if st == 405 && (h.Get("Allow") == "" || string(body) != `{"detail":"Method \"`+tt.method+`\" not allowed."}`) {
			t.Errorf("%s %s: 405 body %s, Allow %q", tt.method, tt.path, body, h.Get("Allow"))
		}
	}
	// Unknown paths are 404 before authentication, as Django resolves URLs first.
	f.auth = ""
	if st, _ := f.get("/api/nothing/", nil); st != 404 {
		t.Errorf("unauthenticated unknown path: %d", st)
	}
	if st, _, _ := f.do("POST", f.ts.URL+"/api/conversations/"); st != 401 {
		t.Errorf("unauthenticated POST: %d, want 401 (auth comes before the method check)", st)
	}
}
