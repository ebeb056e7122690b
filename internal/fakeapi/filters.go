package fakeapi

import (
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
)

// filter is one list request's filters: the parameters of the API's filter table that the
// request set, and its time bounds. The table says which parameters exist and what kind each
// is; how each matches a conversation is the fake's own (matchers), so that a client mistake
// in a filter's meaning is not mirrored here.
type filter struct {
	params        map[string]string // text and choice values as given; booleans as "true"/"false"
	after, before *time.Time
	// viewer is the API key asking, when Options.Sees scopes what each key sees.
	viewer string
}

// matchers say how each filter of the table selects a conversation: exact matches compare
// the field, partial ones ignore case (Django's icontains). A parameter without a matcher
// would be ignored silently, as Django ignores unknown parameters; a test keeps the two lists
// equal.
var matchers = map[string]func(s *Server, i int, c *Conversation, v string) bool{
	"language":               func(_ *Server, _ int, c *Conversation, v string) bool { return c.Language == v },
	"device":                 func(_ *Server, _ int, c *Conversation, v string) bool { return c.Device == v },
	"customer_id":            func(_ *Server, _ int, c *Conversation, v string) bool { return c.CustomerID == v },
	"customer_id__icontains": func(_ *Server, _ int, c *Conversation, v string) bool { return containsIgnoringCase(c.CustomerID, v) },
	"customer_ip_address":    func(_ *Server, _ int, c *Conversation, v string) bool { return c.HasGeo && c.IPAddress == v },
	"conversation_id":        func(_ *Server, _ int, c *Conversation, v string) bool { return c.ConversationID == v },
	"name":                   func(_ *Server, _ int, c *Conversation, v string) bool { return containsIgnoringCase(c.Name, v) },
	"action_name":            func(_ *Server, _ int, c *Conversation, v string) bool { return c.HasAction(v) },
	"message_contains": func(s *Server, i int, _ *Conversation, v string) bool {
		return strings.Contains(s.text[i], strings.ToLower(v))
	},
	"has_messages": func(_ *Server, _ int, c *Conversation, v string) bool { return (len(c.Messages) > 0) == (v == "true") },
	"is_marked":    func(_ *Server, _ int, c *Conversation, v string) bool { return c.IsFavorite == (v == "true") },
	"has_feedback": func(_ *Server, _ int, c *Conversation, v string) bool { return (len(c.Feedback) > 0) == (v == "true") },
	"feedback_sentiment": func(_ *Server, _ int, c *Conversation, v string) bool {
		return c.hasFeedback(func(f Feedback) bool { return f.Sentiment == v })
	},
	"feedback_source": func(_ *Server, _ int, c *Conversation, v string) bool {
		return c.hasFeedback(func(f Feedback) bool { return f.Source == v })
	},
	// include_deleted widens the list instead of narrowing it: see (*Server).match.
	"include_deleted": func(_ *Server, _ int, _ *Conversation, _ string) bool { return true },
}

func containsIgnoringCase(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func (f filter) key() string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(f.params)) {
		fmt.Fprintf(&b, "%q=%q&", k, f.params[k])
	}
	for _, t := range []*time.Time{f.after, f.before} {
		if t == nil {
			b.WriteString("-|")
			continue
		}
		b.WriteString(t.Format(time.RFC3339Nano) + "|")
	}
	b.WriteString(f.viewer)
	return b.String()
}

// parseFilter reads the filters the way django-filter does: the last value of a parameter
// counts, an empty one is no filter, a boolean or a choice it cannot read is a 400 naming the
// parameter.
func parseFilter(q url.Values) (filter, map[string][]string) {
	f := filter{params: map[string]string{}}
	errs := map[string][]string{}
	for _, p := range agentsight.FilterParams() {
		v := last(q, p.Key)
		if v == "" {
			continue
		}
		switch p.Kind {
		case agentsight.FilterBool:
			switch strings.ToLower(v) {
			case "true", "1":
				v = "true"
			case "false", "0":
				v = "false"
			default:
				errs[p.Key] = []string{fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", v)}
				continue
			}
		case agentsight.FilterChoice:
			if !slices.Contains(p.Choices, v) {
				errs[p.Key] = []string{fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", v)}
				continue
			}
		}
		f.params[p.Key] = v
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"started_at_after", &f.after}, {"started_at_before", &f.before}} {
		if v := last(q, p.name); v != "" {
			t, ok := parseDateTime(v)
			if !ok {
				errs[p.name] = []string{"Enter a valid date/time."}
				continue
			}
			*p.dst = &t
		}
	}
	return f, errs
}

// match returns positions in s.sorted of the matching conversations, newest first.
// Soft-deleted conversations are left out unless include_deleted is true.
func (s *Server) match(f filter) []int32 {
	key := f.key()
	s.cacheMu.Lock()
	hit, ok := s.cache[key]
	s.cacheMu.Unlock()
	if ok {
		return hit
	}
	lo, hi := 0, len(s.sorted)
	if f.after != nil {
		lo = sort.Search(len(s.sorted), func(i int) bool { return !s.sorted[i].StartedAt.Before(*f.after) })
	}
	if f.before != nil {
		hi = sort.Search(len(s.sorted), func(i int) bool { return s.sorted[i].StartedAt.After(*f.before) })
	}
	includeDeleted := f.params["include_deleted"] == "true"
	var out []int32
	for i := hi - 1; i >= lo; i-- {
		// The cache keeps int32 indexes to halve its memory. NewDataset stops at
		// MaxConversations, far below this; only a hand-made Dataset could go past it.
		if i > math.MaxInt32 {
			continue
		}
		c := s.sorted[i]
		if c.Deleted && !includeDeleted {
			continue
		}
		if s.opts.Sees != nil && !s.opts.Sees(f.viewer, c) {
			continue
		}
		if s.matchesAll(i, c, f.params) {
			out = append(out, int32(i)) // #nosec G115 -- 0 <= i <= math.MaxInt32, checked at the top of the loop
		}
	}
	s.cacheMu.Lock()
	// A small cache keeps paging through 100k conversations linear; clearing
	// it wholesale is crude but bounds memory.
	if len(s.cache) >= 32 {
		clear(s.cache)
	}
	s.cache[key] = out
	s.cacheMu.Unlock()
	return out
}

func (s *Server) matchesAll(i int, c *Conversation, params map[string]string) bool {
	for k, v := range params {
		if !matchers[k](s, i, c, v) {
			return false
		}
	}
	return true
}
