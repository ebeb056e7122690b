// Package fake is an in-memory stand-in for the AgentSight Conversation API.
//
// It is deliberately independent of the plugin's own client types: its JSON
// is written from its own structs so that a mistake in the client cannot be
// mirrored by the fake and go unnoticed.
package fakeapi

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Defaults used when a DatasetOptions field is zero.
const (
	DefaultSeed          uint64 = 1
	DefaultConversations        = 5000
	DefaultSpan                 = 28 * 24 * time.Hour
)

// MaxConversations caps a data set's size: it keeps a demo's memory bounded
// and every index the server caches within int32.
const MaxConversations = 1_000_000

// DefaultEnd is the fixed end of the default data set, so that tests do not
// depend on the wall clock.
func DefaultEnd() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }

// DatasetOptions selects a data set; the same value always yields the same data.
type DatasetOptions struct {
	Seed          uint64
	Conversations int // at most MaxConversations; more are cut to it
	End           time.Time
	Span          time.Duration
	// DeletedOneIn soft-deletes about one conversation in DeletedOneIn (0: none), so that
	// lists leave them out unless include_deleted is set. It is off by default so that the
	// counts tests and benchmarks expect stay those of every conversation.
	DeletedOneIn int
	// Scenario reshapes the data from Scenario.From on so that an alert rule fires (none by
	// default); it is applied last, so everything before From is as drawn.
	Scenario Scenario
}

func (o DatasetOptions) withDefaults() DatasetOptions {
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Conversations <= 0 {
		o.Conversations = DefaultConversations
	}
	o.Conversations = min(o.Conversations, MaxConversations)
	if o.End.IsZero() {
		o.End = DefaultEnd()
	}
	if o.Span <= 0 {
		o.Span = DefaultSpan
	}
	o.End = o.End.UTC()
	return o
}

// Attachment is a file attached to a message.
type Attachment struct {
	ID        int64
	Type      string // image, document or audio
	FileURL   string
	Filename  string
	MimeType  string
	SizeBytes int64
}

// Message is one message of a conversation.
type Message struct {
	ID          int64
	Timestamp   time.Time
	Sender      string // end_user or agent
	Content     string
	Attachments []Attachment
}

// Conversation is the ground truth of one conversation, including fields the
// API never shows (Actions) so that tests can compute expected results.
type Conversation struct {
	ID             int64
	ConversationID string
	CustomerID     string
	Language       string
	Device         string
	IsFavorite     bool
	IsUsed         bool
	StartedAt      time.Time
	EndedAt        *time.Time // nil while the conversation is still open

	// HasGeo false is shown as "geo_location": null; IPAddress, City and
	// Country are then empty, so customer_ip_address never matches it.
	HasGeo    bool
	IPAddress string
	City      string // "" is shown as "city": null
	Country   string

	Actions  []string // hidden from the API; only the action_name filter sees them
	Messages []Message

	// Name, Feedback and Deleted are seen only by the filters (name, has_feedback,
	// feedback_sentiment, feedback_source, include_deleted): today's API reference documents
	// those filters but not the response fields behind them, so the fake does not show them.
	Name     string
	Feedback []Feedback
	Deleted  bool
}

// Feedback is one piece of feedback a customer left on a conversation.
type Feedback struct {
	Sentiment string // positive, neutral or negative
	Source    string
}

func (c *Conversation) hasFeedback(match func(Feedback) bool) bool {
	return slices.ContainsFunc(c.Feedback, match)
}

// HasAction reports whether the conversation triggered the named action.
func (c *Conversation) HasAction(name string) bool { return slices.Contains(c.Actions, name) }

// Dataset is the ground truth a Server serves.
type Dataset struct {
	// Options are the options the data set was built with, defaults filled in.
	Options DatasetOptions
	// Conversations are sorted by StartedAt ascending, ties by ID; ID i is at index i-1
	// for data sets made by NewDataset.
	Conversations []Conversation
}

// Conversation returns the conversation with the given id, or nil.
func (d *Dataset) Conversation(id int64) *Conversation {
	// NewDataset assigns ids in slice order, so try the direct index first.
	if id >= 1 && id <= int64(len(d.Conversations)) && d.Conversations[id-1].ID == id {
		return &d.Conversations[id-1]
	}
	for i := range d.Conversations {
		if d.Conversations[i].ID == id {
			return &d.Conversations[i]
		}
	}
	return nil
}

type weighted[T any] struct {
	items   []T
	cumul   []int
	totalWt int
}

func newWeighted[T any](pairs ...any) weighted[T] {
	var w weighted[T]
	for i := 0; i < len(pairs); i += 2 {
		w.items = append(w.items, pairs[i].(T))
		w.totalWt += pairs[i+1].(int)
		w.cumul = append(w.cumul, w.totalWt)
	}
	return w
}

func (w weighted[T]) pick(r *rand.Rand) T {
	n := r.IntN(w.totalWt)
	i, _ := slices.BinarySearch(w.cumul, n+1)
	return w.items[i]
}

var (
	countryCities = map[string][]string{
		"US": {"New York", "San Francisco", "Chicago", "Austin", "Seattle"},
		"UK": {"London", "Manchester", "Edinburgh", "Bristol"},
		"DE": {"Berlin", "München", "Hamburg", "Köln"},
		"FR": {"Paris", "Lyon", "Marseille"},
		"ES": {"Madrid", "Barcelona", "Valencia"},
		"NL": {"Amsterdam", "Rotterdam", "Utrecht"},
		"BR": {"São Paulo", "Rio de Janeiro", "Belo Horizonte"},
		"JP": {"Tokyo", "Osaka", "Kyoto"},
	}
	countryLanguage = map[string]string{
		"US": "en", "UK": "en", "DE": "de", "FR": "fr", "ES": "es", "NL": "nl", "BR": "pt", "JP": "ja",
	}
	countryOctet = map[string]int{
		"US": 23, "UK": 51, "DE": 78, "FR": 90, "ES": 83, "NL": 145, "BR": 177, "JP": 126,
	}
)

// Hour-of-day weights (UTC) give the daily rhythm; they peak in European and
// American working hours and never drop to zero.
var hourWeight = [24]float64{
	0.25, 0.2, 0.15, 0.12, 0.12, 0.15, 0.25, 0.4, 0.6, 0.8, 0.9, 0.95,
	1.0, 1.0, 0.95, 0.95, 0.9, 0.85, 0.75, 0.65, 0.55, 0.45, 0.35, 0.3,
}

type customer struct {
	id       string
	country  string
	city     string
	ip       string
	language string
	device   string
}

type topic struct {
	name   string
	action string
	user   []string // %d is replaced with a number
	agent  []string
	german []string
}

var topics = []topic{
	{name: "refund", action: "refund",
		user: []string{"I would like a refund for order #%d.", "REFUND please, the item arrived broken.",
			"How long does a Refund take?", "Can I get my money back? I was charged twice (order %d).",
			"I still haven't received my refund."},
		agent: []string{"I've started the refund; it takes 5-7 business days.", "Sorry about that! Your refund for order #%d is approved.",
			"Could you send a photo of the damaged item?"},
		german: []string{"Ich möchte eine Rückerstattung für Bestellung #%d.", "Wann bekomme ich meine RÜCKERSTATTUNG?"}},
	{name: "invoice", action: "send_invoice",
		user: []string{"Where can I download my invoice?", "The Invoice for last month is wrong.",
			"Please resend invoice INV-%d.", "I need an invoice with our VAT number."},
		agent: []string{"Here is your invoice: INV-%d.", "I've corrected the invoice and emailed it to you.",
			"You can find every invoice under Billing > Invoices."},
		german: []string{"Wo finde ich meine Rechnung (invoice)?", "Die Rechnung %d ist falsch."}},
	{name: "password", action: "reset_password",
		user: []string{"I forgot my password.", "The Password reset link does not work.",
			"How do I change my PASSWORD?", "I'm locked out of my account."},
		agent: []string{"I sent a password reset link to your email.", "The link expires after 24 hours; try again now.",
			"Your account is unlocked."},
		german: []string{"Ich habe mein Passwort vergessen.", "Der Link zum Zurücksetzen des Passworts funktioniert nicht."}},
	{name: "order", action: "order_status",
		user: []string{"Where is my order #%d?", "My package hasn't arrived yet.",
			"Order status says shipped but nothing came.", "Can I change the delivery address?"},
		agent: []string{"Your order #%d is on its way and arrives tomorrow.", "The carrier shows a delay of two days.",
			"I've updated the delivery address."},
		german: []string{"Wo ist meine Bestellung #%d?", "Mein Paket ist noch nicht angekommen."}},
	{name: "demo", action: "book_demo",
		user: []string{"Can I book a demo for my team?", "We'd like a product Demo next week.",
			"Do you offer a free trial?"},
		agent: []string{"Happy to book a demo — which day works for you?", "I've booked your demo for Tuesday at 10:00.",
			"Yes, the trial lasts 14 days."},
		german: []string{"Können wir eine Demo vereinbaren?"}},
	{name: "cancel", action: "cancel_subscription",
		user:   []string{"I want to cancel my subscription.", "How do I stop the automatic renewal?"},
		agent:  []string{"Your subscription is cancelled at the end of the period.", "I'm sorry to see you go!"},
		german: []string{"Ich möchte mein Abo kündigen."}},
	{name: "general", action: "",
		user: []string{"Hello, I need help.", "Is anyone there?", "Do you ship to Japan?", "What are your opening hours?",
			"Thanks, that's all."},
		agent: []string{"Hi! How can I help you today?", "We're available 24/7 in this chat.",
			"Is there anything else I can do for you?"},
		german: []string{"Hallo, ich brauche Hilfe.", "Danke schön!"}},
}

var (
	topicPick = newWeighted[int](0, 22, 1, 14, 2, 14, 3, 20, 4, 6, 5, 6, 6, 18)
	langPick  = newWeighted[string]("en", 40, "de", 15, "fr", 12, "es", 12, "nl", 8, "pt", 8, "ja", 5)
	devPick   = newWeighted[string]("desktop", 55, "mobile", 38, "tablet", 7)
	ctryPick  = newWeighted[string]("US", 30, "UK", 15, "DE", 15, "FR", 10, "ES", 8, "NL", 7, "BR", 8, "JP", 7)
	msgsPick  = newWeighted[int](1, 6, 2, 16, 3, 14, 4, 16, 5, 11, 6, 10, 7, 7, 8, 6, 9, 5, 10, 4, 11, 3, 12, 2)
	extraActs = []string{"handoff_to_human", "update_address", "apply_discount"}
	attKinds  = []struct{ typ, stem, ext, mime string }{
		{"image", "screenshot", "png", "image/png"},
		{"image", "photo", "jpg", "image/jpeg"},
		{"document", "invoice", "pdf", "application/pdf"},
		{"document", "receipt", "pdf", "application/pdf"},
		{"audio", "voice-note", "m4a", "audio/mp4"},
		{"audio", "message", "ogg", "audio/ogg"},
	}
)

// NumCustomers is how many distinct customer ids a data set draws from.
const NumCustomers = 300

// NewDataset builds a deterministic data set: the same options give the same data.
func NewDataset(opts DatasetOptions) *Dataset {
	o := opts.withDefaults()
	// #nosec G404 -- the demo data must come back the same from the same seed; nothing drawn here is secret.
	r := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))

	customers := make([]customer, NumCustomers)
	for i := range customers {
		c := customer{id: fmt.Sprintf("cust_%04d", i+1), country: ctryPick.pick(r)}
		cities := countryCities[c.country]
		c.city = cities[r.IntN(len(cities))]
		c.ip = randomIP(r, c.country)
		c.language = countryLanguage[c.country]
		if r.IntN(10) < 2 {
			c.language = langPick.pick(r)
		}
		c.device = devPick.pick(r)
		customers[i] = c
	}
	// Zipf makes a few customers very frequent, as real support traffic is.
	zipf := rand.NewZipf(r, 1.1, 3, NumCustomers-1)

	startSec := ceilUnix(o.End.Add(-o.Span))
	endSec := ceilUnix(o.End) // exclusive: whole seconds strictly before End
	spanSec := max(endSec-startSec, 1)
	starts := make([]int64, o.Conversations)
	for i := range starts {
		for {
			s := startSec + r.Int64N(spanSec)
			t := time.Unix(s, 0).UTC()
			w := hourWeight[t.Hour()]
			if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
				w *= 0.6
			}
			if r.Float64() < w {
				starts[i] = s
				break
			}
		}
	}
	slices.Sort(starts)

	convs := make([]Conversation, o.Conversations)
	var msgID, attID int64 = 1000, 500
	for i := range convs {
		cu := &customers[zipf.Uint64()]
		c := &convs[i]
		c.ID = int64(i + 1)
		c.ConversationID = fmt.Sprintf("conv-%06d", c.ID)
		c.CustomerID = cu.id
		c.Language = cu.language
		if r.IntN(10) == 0 {
			c.Language = langPick.pick(r)
		}
		c.Device = cu.device
		if r.IntN(4) == 0 {
			c.Device = devPick.pick(r)
		}
		c.IsFavorite = r.IntN(100) < 8
		c.IsUsed = r.IntN(100) < 70
		c.StartedAt = time.Unix(starts[i], 0).UTC()

		switch g := r.IntN(1000); {
		case g < 20: // no geo at all
		default:
			c.HasGeo = true
			c.Country, c.City, c.IPAddress = cu.country, cu.city, cu.ip
			if r.IntN(100) < 15 { // travelling or on a mobile network
				c.Country = ctryPick.pick(r)
				cities := countryCities[c.Country]
				c.City = cities[r.IntN(len(cities))]
				c.IPAddress = randomIP(r, c.Country)
			}
			if g < 35 {
				c.City = ""
			}
		}

		tp := &topics[topicPick.pick(r)]
		if tp.action != "" && r.IntN(100) < 75 {
			c.Actions = append(c.Actions, tp.action)
		}
		if r.IntN(100) < 12 {
			c.Actions = append(c.Actions, "handoff_to_human")
		}
		if r.IntN(100) < 4 {
			if a := extraActs[r.IntN(len(extraActs))]; !c.HasAction(a) {
				c.Actions = append(c.Actions, a)
			}
		}

		last := c.StartedAt
		if r.IntN(100) >= 5 {
			n := msgsPick.pick(r)
			c.Messages = make([]Message, n)
			ts := c.StartedAt.Add(time.Duration(r.IntN(20)) * time.Second)
			for j := range c.Messages {
				m := &c.Messages[j]
				m.ID = msgID
				msgID++
				m.Timestamp = ts
				ts = ts.Add(time.Duration(3+r.IntN(240)) * time.Second)
				m.Sender = "end_user"
				if j%2 == 1 {
					m.Sender = "agent"
				}
				m.Content = sentence(r, tp, m.Sender, c.Language, j)
				if r.IntN(10) == 0 {
					k := attKinds[r.IntN(len(attKinds))]
					name := fmt.Sprintf("%s-%d.%s", k.stem, attID, k.ext)
					m.Attachments = []Attachment{{
						ID: attID, Type: k.typ, Filename: name, MimeType: k.mime,
						FileURL:   "https://cdn.example.com/files/" + name,
						SizeBytes: 10_000 + r.Int64N(5_000_000),
					}}
					attID++
				}
				last = m.Timestamp
			}
		}
		if r.IntN(100) >= 3 {
			e := last.Add(time.Duration(5+r.IntN(300)) * time.Second)
			c.EndedAt = &e
		}
	}
	addFeedback(o, convs)
	addReplies(o, convs)
	convs = applyScenario(o, convs)
	return &Dataset{Options: o, Conversations: convs}
}

// feedbackSentiments and feedbackSources are weighted as support feedback tends to be: most
// conversations get none, and of those that do, negative is not rare.
var (
	feedbackSentiments = newWeighted[string]("positive", 5, "neutral", 3, "negative", 2)
	feedbackSources    = newWeighted[string]("widget", 7, "email", 3)
)

// addFeedback draws names, marks' feedback and deletions from a random stream of their own,
// so that every other value of a data set stays what it was before these fields existed.
func addFeedback(o DatasetOptions, convs []Conversation) {
	r := rand.New(rand.NewPCG(o.Seed, 0x5eed_feedbac)) // #nosec G404 -- the demo data must come back the same from the same seed; nothing drawn here is secret
	for i := range convs {
		c := &convs[i]
		c.Name = fmt.Sprintf("%s %s", c.CustomerID, topics[r.IntN(len(topics))].name)
		if r.IntN(100) < 30 {
			c.Feedback = append(c.Feedback, Feedback{Sentiment: feedbackSentiments.pick(r), Source: feedbackSources.pick(r)})
		}
		// Drawn whatever DeletedOneIn is, so that it changes nothing else.
		roll := r.IntN(1 << 20)
		c.Deleted = o.DeletedOneIn > 0 && roll%o.DeletedOneIn == 0
	}
}

func sentence(r *rand.Rand, tp *topic, sender, lang string, j int) string {
	var bank []string
	switch {
	case sender == "agent":
		bank = tp.agent
	case lang == "de" && r.IntN(3) > 0:
		bank = tp.german
	case j == 0:
		bank = tp.user
	default:
		// Later user lines sometimes wander off topic, as chats do.
		if r.IntN(4) == 0 {
			bank = topics[len(topics)-1].user
		} else {
			bank = tp.user
		}
	}
	s := bank[r.IntN(len(bank))]
	if strings.Contains(s, "%d") {
		s = fmt.Sprintf(s, 10000+r.IntN(90000))
	}
	return s
}

func randomIP(r *rand.Rand, country string) string {
	return fmt.Sprintf("%d.%d.%d.%d", countryOctet[country], r.IntN(256), r.IntN(256), 1+r.IntN(254))
}

func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}
