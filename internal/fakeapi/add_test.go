package fakeapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

// Conversations added while the server runs are listed in order, found by id and by the
// filters, and a listing read before the addition is not answered from the server's cache.
func TestAddServesNewConversations(t *testing.T) {
	ds := NewDataset(DatasetOptions{Seed: 3, Conversations: 50})
	f := newFixture(t, Options{Dataset: ds})
	end := ds.Conversations[len(ds.Conversations)-1].StartedAt
	q := url.Values{"language": {"en"}, "page_size": {"100"}}
	list := func() testPage {
		t.Helper()
		st, body := f.get("/api/conversations/", q)
		if st != http.StatusOK {
			t.Fatalf("list: status %d", st)
		}
		var p testPage
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	before := list()
	newest, older := ds.Conversations[0], ds.Conversations[1]
	newest.ID, newest.Language, newest.StartedAt = 9001, "en", end.Add(time.Minute)
	older.ID, older.Language, older.StartedAt = 9002, "en", ds.Conversations[0].StartedAt.Add(-time.Minute)
	f.srv.Add(newest, older)
	after := list()
	if after.Count != before.Count+2 {
		t.Fatalf("count %d after adding 2 to %d", after.Count, before.Count)
	}
	want := append([]int64{9001}, append(before.ids(), 9002)...)
	if got := after.ids(); !slices.Equal(got, want) {
		t.Fatalf("ids %v, want %v", got, want)
	}
	if st, _ := f.get("/api/conversations/9002/", nil); st != http.StatusOK {
		t.Fatalf("detail of an added conversation: status %d", st)
	}
	if len(ds.Conversations) != 50 {
		t.Fatalf("Add changed the data set the server was built with: %d conversations", len(ds.Conversations))
	}
}
