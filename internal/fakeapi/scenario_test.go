package fakeapi

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseScenario(t *testing.T) {
	for _, tc := range []struct {
		spec    string
		want    Scenario
		wantErr string
	}{
		{spec: "", want: Scenario{}},
		{spec: " quiet ", want: Scenario{Kind: ScenarioQuiet}},
		{spec: "negative-feedback", want: Scenario{Kind: ScenarioNegativeFeedback}},
		{spec: "language-drop", want: Scenario{Kind: ScenarioLanguageDrop}},
		{spec: "language-drop=fr", want: Scenario{Kind: ScenarioLanguageDrop, Language: "fr"}},
		{spec: "slow-replies", want: Scenario{Kind: ScenarioSlowReplies}},
		{spec: "slow-replies=2", wantErr: "scenario slow-replies takes no value"},
		{spec: "storm", wantErr: `unknown scenario "storm"`},
		{spec: "quiet=1", wantErr: "scenario quiet takes no value"},
		{spec: "language-drop=", wantErr: "name a language"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			got, err := ParseScenario(tc.spec)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// Each scenario changes only what starts at or after From, as documented, and keeps ids
// dense (id i at index i-1).
func TestScenarioReshapesFromItsStart(t *testing.T) {
	end := DefaultEnd()
	from := end.Add(-12 * time.Hour)
	base := DatasetOptions{Seed: 5, Conversations: 8000, Span: 7 * 24 * time.Hour}
	plain := NewDataset(base)
	before := func(ds *Dataset) []Conversation {
		i := slices.IndexFunc(ds.Conversations, func(c Conversation) bool { return !c.StartedAt.Before(from) })
		if i < 0 {
			i = len(ds.Conversations)
		}
		return ds.Conversations[:i]
	}
	after := func(ds *Dataset) []Conversation { return ds.Conversations[len(before(ds)):] }
	countIf := func(cs []Conversation, keep func(Conversation) bool) int {
		n := 0
		for _, c := range cs {
			if keep(c) {
				n++
			}
		}
		return n
	}
	negative := func(c Conversation) bool {
		return c.hasFeedback(func(f Feedback) bool { return f.Sentiment == "negative" })
	}
	german := func(c Conversation) bool { return c.Language == "de" }
	plainAfter := after(plain)
	if len(plainAfter) < 40 || countIf(plainAfter, german) < 8 {
		t.Fatalf("the data set is too thin for this test: %d conversations after From, %d in de", len(plainAfter), countIf(plainAfter, german))
	}

	for _, tc := range []struct {
		scenario Scenario
		check    func(t *testing.T, got []Conversation)
	}{
		{Scenario{Kind: ScenarioQuiet, From: from}, func(t *testing.T, got []Conversation) {
			if len(got) != 0 {
				t.Errorf("%d conversations after From, want none", len(got))
			}
		}},
		{Scenario{Kind: ScenarioNegativeFeedback, From: from}, func(t *testing.T, got []Conversation) {
			if len(got) != len(plainAfter) {
				t.Errorf("%d conversations after From, want %d", len(got), len(plainAfter))
			}
			if n := countIf(got, negative); 2*n < len(got) {
				t.Errorf("%d of %d conversations negative, want at least half", n, len(got))
			}
		}},
		{Scenario{Kind: ScenarioLanguageDrop, From: from}, func(t *testing.T, got []Conversation) {
			wantDE := countIf(plainAfter, german) / 4
			if n := countIf(got, german); n != wantDE {
				t.Errorf("%d de conversations after From, want %d (one in four)", n, wantDE)
			}
			notDE := func(c Conversation) bool { return !german(c) }
			if n, want := countIf(got, notDE), countIf(plainAfter, notDE); n != want {
				t.Errorf("%d other conversations after From, want %d", n, want)
			}
		}},
		{Scenario{Kind: ScenarioSlowReplies, From: from}, func(t *testing.T, got []Conversation) {
			if len(got) != len(plainAfter) {
				t.Fatalf("%d conversations after From, want %d", len(got), len(plainAfter))
			}
			for i, c := range got {
				was := plainAfter[i]
				if c.StartedAt != was.StartedAt || len(c.Messages) != len(was.Messages) {
					t.Fatalf("conversation %d: start or messages changed", c.ID)
				}
				for j := 1; j < len(c.Messages); j++ {
					gap, wasGap := c.Messages[j].Timestamp.Sub(c.Messages[j-1].Timestamp), was.Messages[j].Timestamp.Sub(was.Messages[j-1].Timestamp)
					if gap != wasGap*SlowRepliesFactor || c.Messages[j].Sender != was.Messages[j].Sender {
						t.Fatalf("conversation %d, message %d: gap %s, was %s", c.ID, j, gap, wasGap)
					}
				}
				if (c.EndedAt == nil) != (was.EndedAt == nil) || c.EndedAt != nil && len(c.Messages) > 0 && c.Messages[len(c.Messages)-1].Timestamp.After(*c.EndedAt) {
					t.Fatalf("conversation %d ends before its last message", c.ID)
				}
			}
		}},
	} {
		t.Run(string(tc.scenario.Kind), func(t *testing.T) {
			opts := base
			opts.Scenario = tc.scenario
			ds := NewDataset(opts)
			if got, want := before(ds), before(plain); !slices.EqualFunc(got, want, func(a, b Conversation) bool {
				return a.ID == b.ID && a.StartedAt.Equal(b.StartedAt) && a.Language == b.Language && slices.Equal(a.Feedback, b.Feedback)
			}) {
				t.Errorf("conversations before From changed: %d, want %d as drawn", len(got), len(want))
			}
			tc.check(t, after(ds))
			for i, c := range ds.Conversations {
				if c.ID != int64(i+1) || ds.Conversation(c.ID) != &ds.Conversations[i] {
					t.Fatalf("conversation at index %d has id %d", i, c.ID)
				}
			}
		})
	}
}

// A scenario without From starts an hour before the data set's end.
func TestScenarioDefaultsToTheLastHour(t *testing.T) {
	ds := NewDataset(DatasetOptions{Seed: 5, Conversations: 4000, Span: 7 * 24 * time.Hour, Scenario: Scenario{Kind: ScenarioQuiet}})
	last := ds.Conversations[len(ds.Conversations)-1].StartedAt
	if cut := DefaultEnd().Add(-time.Hour); !last.Before(cut) || last.Before(cut.Add(-30*time.Minute)) {
		t.Fatalf("the last conversation starts at %s, want shortly before %s", last, cut)
	}
}
