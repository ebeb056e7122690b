package fakeapi

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDatasetDeterministic(t *testing.T) {
	opts := DatasetOptions{Seed: 42, Conversations: 500}
	a, b := NewDataset(opts), NewDataset(opts)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same options gave different data sets")
	}
	c := NewDataset(DatasetOptions{Seed: 43, Conversations: 500})
	if reflect.DeepEqual(a.Conversations, c.Conversations) {
		t.Fatal("different seeds gave the same data set")
	}
}

func TestDatasetDefaults(t *testing.T) {
	ds := NewDataset(DatasetOptions{})
	want := DatasetOptions{Seed: 1, Conversations: 5000, End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Span: 28 * 24 * time.Hour}
	if ds.Options != want {
		t.Fatalf("options = %+v, want %+v", ds.Options, want)
	}
	if len(ds.Conversations) != 5000 {
		t.Fatalf("%d conversations", len(ds.Conversations))
	}
}

func TestDatasetSizeIsCapped(t *testing.T) {
	for _, n := range []int{MaxConversations, MaxConversations + 1, 1 << 40} {
		if got := (DatasetOptions{Conversations: n}).withDefaults().Conversations; got != MaxConversations {
			t.Errorf("Conversations %d became %d, want the cap %d", n, got, MaxConversations)
		}
	}
}

// TestDatasetInvariants checks what tests elsewhere rely on: order, ranges,
// id schemes and roughly the documented proportions.
func TestDatasetInvariants(t *testing.T) {
	ds := NewDataset(DatasetOptions{Seed: 3, Conversations: 20000})
	o := ds.Options
	from := o.End.Add(-o.Span)
	var open, noGeo, noCity, noMsgs, msgs, withAtt int
	customers := map[string]int{}
	langs := map[string]int{}
	countries := map[string]bool{}
	actions := map[string]bool{}
	var lastMsgID, lastAttID int64
	words := map[string]bool{"refund": false, "invoice": false, "password": false, "Rückerstattung": false, "REFUND": false}
	for i := range ds.Conversations {
		c := &ds.Conversations[i]
		if c.ID != int64(i+1) {
			t.Fatalf("index %d has id %d", i, c.ID)
		}
		if want := fmt.Sprintf("conv-%06d", c.ID); c.ConversationID != want {
			t.Fatalf("conversation_id %q, want %q", c.ConversationID, want)
		}
		if i > 0 && c.StartedAt.Before(ds.Conversations[i-1].StartedAt) {
			t.Fatalf("not sorted at %d", i)
		}
		if c.StartedAt.Before(from) || !c.StartedAt.Before(o.End) || c.StartedAt.Nanosecond() != 0 || c.StartedAt.Location() != time.UTC {
			t.Fatalf("started_at %v outside [%v, %v) or not whole UTC seconds", c.StartedAt, from, o.End)
		}
		if c.EndedAt == nil {
			open++
		} else if c.EndedAt.Before(c.StartedAt) {
			t.Fatalf("conversation %d ends before it starts", c.ID)
		}
		if !c.HasGeo {
			noGeo++
			if c.IPAddress != "" || c.City != "" || c.Country != "" {
				t.Fatalf("conversation %d without geo has address fields", c.ID)
			}
		} else {
			countries[c.Country] = true
			if c.City == "" {
				noCity++
			} else if !slices.Contains(countryCities[c.Country], c.City) {
				t.Fatalf("city %q is not in %s", c.City, c.Country)
			}
		}
		customers[c.CustomerID]++
		langs[c.Language]++
		for _, a := range c.Actions {
			actions[a] = true
		}
		if len(c.Messages) == 0 {
			noMsgs++
		}
		if len(c.Messages) > 12 {
			t.Fatalf("conversation %d has %d messages", c.ID, len(c.Messages))
		}
		for _, m := range c.Messages {
			msgs++
			if m.ID <= lastMsgID {
				t.Fatalf("message ids not increasing at %d", m.ID)
			}
			lastMsgID = m.ID
			if m.Timestamp.Before(c.StartedAt) || (c.EndedAt != nil && m.Timestamp.After(*c.EndedAt)) {
				t.Fatalf("message %d outside its conversation", m.ID)
			}
			if m.Sender != "end_user" && m.Sender != "agent" {
				t.Fatalf("sender %q", m.Sender)
			}
			for w := range words {
				if strings.Contains(m.Content, w) {
					words[w] = true
				}
			}
			if len(m.Attachments) > 0 {
				withAtt++
			}
			for _, a := range m.Attachments {
				if a.ID <= lastAttID || a.FileURL != "https://cdn.example.com/files/"+a.Filename || a.SizeBytes <= 0 ||
					!slices.Contains([]string{"image", "document", "audio"}, a.Type) || a.MimeType == "" {
					t.Fatalf("bad attachment %+v", a)
				}
				lastAttID = a.ID
			}
		}
	}
	n := float64(len(ds.Conversations))
	ratio := func(name string, got int, of float64, lo, hi float64) {
		if r := float64(got) / of; r < lo || r > hi {
			t.Errorf("%s: %.3f, want in [%.3f, %.3f]", name, r, lo, hi)
		}
	}
	ratio("open", open, n, 0.02, 0.04)
	ratio("no geo", noGeo, n, 0.01, 0.03)
	ratio("no city", noCity, n, 0.002, 0.03)
	ratio("no messages", noMsgs, n, 0.04, 0.06)
	ratio("messages with attachments", withAtt, float64(msgs), 0.08, 0.12)
	if len(customers) > NumCustomers || len(customers) < 200 {
		t.Errorf("%d distinct customers", len(customers))
	}
	counts := make([]int, 0, len(customers))
	for _, v := range customers {
		counts = append(counts, v)
	}
	slices.Sort(counts)
	if top, median := counts[len(counts)-1], counts[len(counts)/2]; top < 5*median {
		t.Errorf("customers not skewed: top %d, median %d", top, median)
	}
	for _, l := range []string{"en", "de", "fr", "es", "nl", "pt", "ja"} {
		if langs[l] == 0 {
			t.Errorf("no %s conversations", l)
		}
	}
	if langs["en"] < 3*langs["ja"] {
		t.Errorf("languages not skewed: %v", langs)
	}
	for _, c := range []string{"US", "UK", "DE", "FR", "ES", "NL", "BR", "JP"} {
		if !countries[c] {
			t.Errorf("no conversations from %s", c)
		}
	}
	for _, a := range []string{"refund", "order_status", "handoff_to_human", "book_demo", "reset_password"} {
		if !actions[a] {
			t.Errorf("action %s never occurs", a)
		}
	}
	for w, seen := range words {
		if !seen {
			t.Errorf("no message contains %q", w)
		}
	}
}

func TestDatasetDailyRhythm(t *testing.T) {
	var byHour [24]int
	for _, c := range testData().Conversations {
		byHour[c.StartedAt.Hour()]++
	}
	if byHour[13] < 3*byHour[3] {
		t.Errorf("no daily rhythm: 13h=%d 03h=%d", byHour[13], byHour[3])
	}
}

// The build time of a large data set is measured by BenchmarkNewDataset100k, not asserted.
func TestDatasetLarge(t *testing.T) {
	ds := NewDataset(DatasetOptions{Conversations: 100_000})
	if len(ds.Conversations) != 100_000 {
		t.Fatalf("%d conversations", len(ds.Conversations))
	}
}

func BenchmarkNewDataset100k(b *testing.B) {
	for b.Loop() {
		NewDataset(DatasetOptions{Conversations: 100_000})
	}
}
