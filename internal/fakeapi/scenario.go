package fakeapi

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ScenarioKind names a way of reshaping a data set so that one of the alert rules provisioned
// in provisioning/alerting fires: the demo trips a rule with agentsight-fake -scenario, and
// tests/alerting checks every rule against every scenario.
type ScenarioKind string

// The scenarios. Each changes only conversations that start at or after Scenario.From, so
// the hours before it (the "same hour yesterday" an alert compares with) stay as drawn.
const (
	// ScenarioNone keeps the data as drawn.
	ScenarioNone ScenarioKind = ""
	// ScenarioQuiet: no conversation starts at or after From (the agent went silent).
	ScenarioQuiet ScenarioKind = "quiet"
	// ScenarioNegativeFeedback: every other conversation from From on carries negative
	// feedback (the others keep theirs), so at least half of them are negative.
	ScenarioNegativeFeedback ScenarioKind = "negative-feedback"
	// ScenarioLanguageDrop: from From on, three in four conversations in Scenario.Language are
	// gone. Some are kept on purpose: a language with no conversation at all in a range has
	// no series in a grouped count, so a drop, not a stop, is what a grouped rule can see.
	ScenarioLanguageDrop ScenarioKind = "language-drop"
	// ScenarioSlowReplies: from From on, every conversation runs SlowRepliesFactor times
	// slower (each gap between its messages, so each response time, stretched; its end moves
	// with its last message), as when the agent's model or a human hand-off lags.
	ScenarioSlowReplies ScenarioKind = "slow-replies"
)

// SlowRepliesFactor is how much ScenarioSlowReplies stretches a conversation's messages: an
// hour's p90 response time, under a minute as drawn, goes well above it.
const SlowRepliesFactor = 6

// DefaultScenarioLanguage is the language ScenarioLanguageDrop thins when none is named.
const DefaultScenarioLanguage = "de"

// ScenarioKinds lists every kind but ScenarioNone, as ParseScenario accepts them.
func ScenarioKinds() []ScenarioKind {
	return []ScenarioKind{ScenarioQuiet, ScenarioNegativeFeedback, ScenarioLanguageDrop, ScenarioSlowReplies}
}

// Scenario reshapes a data set from From on.
type Scenario struct {
	Kind ScenarioKind
	// Language is the language ScenarioLanguageDrop thins (default DefaultScenarioLanguage).
	Language string
	// From is when the scenario starts; zero means an hour before the data set's End.
	From time.Time
}

// ScenarioHelp describes ParseScenario's syntax, for a command's -h.
func ScenarioHelp() string {
	names := make([]string, 0, len(ScenarioKinds()))
	for _, k := range ScenarioKinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ") + " (language-drop=LANG names the language, default " + DefaultScenarioLanguage + ")"
}

// ParseScenario reads a scenario as the agentsight-fake command takes it: "" (none), "quiet",
// "negative-feedback", "language-drop", "language-drop=fr" or "slow-replies". From is left zero.
func ParseScenario(spec string) (Scenario, error) {
	name, lang, hasLang := strings.Cut(strings.TrimSpace(spec), "=")
	s := Scenario{Kind: ScenarioKind(name)}
	if s.Kind == ScenarioNone {
		return Scenario{}, nil
	}
	if !slices.Contains(ScenarioKinds(), s.Kind) {
		return Scenario{}, fmt.Errorf("unknown scenario %q (want %s)", name, ScenarioHelp())
	}
	if hasLang {
		if s.Kind != ScenarioLanguageDrop {
			return Scenario{}, fmt.Errorf("scenario %s takes no value (only language-drop=LANG does)", s.Kind)
		}
		if s.Language = strings.TrimSpace(lang); s.Language == "" {
			return Scenario{}, fmt.Errorf("scenario language-drop=: name a language, e.g. language-drop=%s", DefaultScenarioLanguage)
		}
	}
	return s, nil
}

// applyScenario reshapes convs (sorted by start) as o.Scenario says and renumbers them so
// that id i stays at index i-1.
func applyScenario(o DatasetOptions, convs []Conversation) []Conversation {
	sc := o.Scenario
	if sc.Kind == ScenarioNone {
		return convs
	}
	from := sc.From
	if from.IsZero() {
		from = o.End.Add(-time.Hour)
	}
	lang := sc.Language
	if lang == "" {
		lang = DefaultScenarioLanguage
	}
	first, _ := slices.BinarySearchFunc(convs, from, func(c Conversation, t time.Time) int { return c.StartedAt.Compare(t) })
	kept := convs[:first]
	seen := 0
	for i := first; i < len(convs); i++ {
		c := convs[i]
		switch sc.Kind {
		case ScenarioQuiet:
			continue
		case ScenarioNegativeFeedback:
			if (i-first)%2 == 0 {
				c.Feedback = []Feedback{{Sentiment: "negative", Source: "widget"}}
			}
		case ScenarioLanguageDrop:
			if c.Language == lang {
				seen++
				if seen%4 != 0 {
					continue
				}
			}
		case ScenarioSlowReplies:
			c = slowed(c)
		}
		kept = append(kept, c)
	}
	for i := first; i < len(kept); i++ {
		kept[i].ID = int64(i + 1)
		kept[i].ConversationID = fmt.Sprintf("conv-%06d", kept[i].ID)
	}
	return kept
}

// slowed stretches a conversation's messages SlowRepliesFactor times from its first one.
func slowed(c Conversation) Conversation {
	if len(c.Messages) == 0 {
		return c
	}
	c.Messages = slices.Clone(c.Messages)
	first, last := c.Messages[0].Timestamp, c.Messages[len(c.Messages)-1].Timestamp
	for i := range c.Messages {
		m := &c.Messages[i]
		m.Timestamp = first.Add(m.Timestamp.Sub(first) * SlowRepliesFactor)
	}
	if c.EndedAt != nil {
		e := c.Messages[len(c.Messages)-1].Timestamp.Add(c.EndedAt.Sub(last))
		c.EndedAt = &e
	}
	return c
}
