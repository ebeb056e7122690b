package fakeapi

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// With Sees, each key lists, reads and counts only the conversations it sees, and the
// server's own cache of matches never answers one key with another's.
func TestSeesScopesEachKey(t *testing.T) {
	odd := func(key string, c *Conversation) bool { return (c.ID%2 == 1) == (key == DemoKey) }
	f := newFixture(t, Options{Sees: odd, Keys: map[string]int{DemoKey: http.StatusOK, "even-key": http.StatusOK}})
	total := len(testData().Conversations)
	tests := []struct {
		key     string
		wantOdd bool
	}{{DemoKey, true}, {"even-key", false}, {DemoKey, true}}
	for _, tt := range tests {
		f.auth = "Api-Key " + tt.key
		ids, count := f.walk(url.Values{"page_size": {"100"}})
		if count < total/3 || count > 2*total/3 || len(ids) != count {
			t.Fatalf("%s: count %d, %d ids, of %d conversations", tt.key, count, len(ids), total)
		}
		for _, id := range ids {
			if (id%2 == 1) != tt.wantOdd {
				t.Fatalf("%s listed conversation %d", tt.key, id)
			}
		}
		for _, path := range []string{"/", "/attachments/"} {
			if st, _ := f.get("/api/conversations/"+strconv.FormatInt(ids[0]+1, 10)+path, nil); st != http.StatusNotFound {
				t.Errorf("%s reads conversation %d%s of the other key: status %d", tt.key, ids[0]+1, path, st)
			}
			if st, _ := f.get("/api/conversations/"+strconv.FormatInt(ids[0], 10)+path, nil); st != http.StatusOK {
				t.Errorf("%s cannot read its own conversation %d%s: status %d", tt.key, ids[0], path, st)
			}
		}
	}
}
