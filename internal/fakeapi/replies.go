package fakeapi

import (
	"math/rand/v2"
	"time"
)

// addReplies redraws who sends each message and when, from a random stream of its own (so
// that everything else a data set holds stays as drawn), so that response times look like a
// support chat's: an agent answers within seconds (a bot) to minutes (a human taking over),
// a customer sometimes sends two messages before the answer, and some conversations open with
// the agent's greeting or hold an agent's follow-up, replies to no customer message. The
// conversation's end keeps its distance from its last message.
func addReplies(o DatasetOptions, convs []Conversation) {
	r := rand.New(rand.NewPCG(o.Seed, 0x5eed_2e9_11e5)) // #nosec G404 -- the demo data must come back the same from the same seed; nothing drawn here is secret
	for i := range convs {
		c := &convs[i]
		if len(c.Messages) == 0 {
			continue
		}
		oldLast := c.Messages[len(c.Messages)-1].Timestamp
		ts := c.Messages[0].Timestamp
		sender := "end_user"
		if r.IntN(10) == 0 {
			sender = "agent" // a greeting first
		}
		for j := range c.Messages {
			m := &c.Messages[j]
			if j > 0 {
				prev := sender
				// Mostly turns, sometimes the same side again.
				if r.IntN(100) < 75 {
					sender = other(prev)
				}
				ts = ts.Add(gap(r, prev, sender))
			}
			m.Sender, m.Timestamp = sender, ts
		}
		if c.EndedAt != nil {
			e := ts.Add(c.EndedAt.Sub(oldLast))
			c.EndedAt = &e
		}
	}
}

func other(sender string) string {
	if sender == "end_user" {
		return "agent"
	}
	return "end_user"
}

// gap is the time between two messages: an agent's answer to a customer mostly takes
// seconds (a bot), sometimes up to a minute, now and then minutes (a human taking over), so
// that the p90 of an hour's replies stays under a minute as drawn (the slow-replies scenario
// changes that). A customer's second message follows quickly, an agent's follow-up within a
// minute, a customer's answer to the agent within four.
func gap(r *rand.Rand, prev, next string) time.Duration {
	if prev == "end_user" && next == "agent" {
		switch n := r.IntN(100); {
		case n < 85:
			return time.Duration(1+r.IntN(25)) * time.Second
		case n < 98:
			return time.Duration(25+r.IntN(30)) * time.Second
		default:
			return time.Duration(60+r.IntN(540)) * time.Second
		}
	}
	switch {
	case prev == "end_user":
		return time.Duration(2+r.IntN(18)) * time.Second
	case next == "agent":
		return time.Duration(3+r.IntN(57)) * time.Second
	}
	return time.Duration(3+r.IntN(240)) * time.Second
}
