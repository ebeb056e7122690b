package agentsight

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// pageGenerator writes list pages as the API would, and as a broken or hostile one might:
// every field with values of its type and of other types, names in other cases, repeated
// names, unknown members, escapes, invalid UTF-8, odd numbers and times.
type pageGenerator struct{ r *rand.Rand }

func (g pageGenerator) chance(p float64) bool { return g.r.Float64() < p }

func (g pageGenerator) pick(options ...string) string { return options[g.r.IntN(len(options))] }

// name spells a member name, sometimes in another case.
func (g pageGenerator) name(n string) string {
	switch {
	case g.chance(0.05):
		return strings.ToUpper(n)
	case g.chance(0.05):
		return strings.ToUpper(n[:1]) + n[1:]
	case g.chance(0.02):
		return strings.Replace(n, "_", "", 1) // not the same name for encoding/json
	}
	return n
}

func (g pageGenerator) object(members func(add func(name, value string))) string {
	var b strings.Builder
	b.WriteByte('{')
	add := func(name, value string) {
		for range 1 + g.r.IntN(2) - min(g.r.IntN(20), 1) { // now and then twice
			if b.Len() > 1 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + g.name(name) + `":` + value)
		}
	}
	members(add)
	if g.chance(0.1) {
		add(g.pick("extra", "x", "future_field"), g.any(2))
	}
	b.WriteByte('}')
	return b.String()
}

func (g pageGenerator) array(n int, elem func() string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = elem()
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// typed is a value of the expected kind most of the time, else null or anything.
func (g pageGenerator) typed(value func() string) string {
	switch {
	case g.chance(0.08):
		return "null"
	case g.chance(0.04):
		return g.any(1)
	}
	return value()
}

func (g pageGenerator) any(depth int) string {
	switch k := g.r.IntN(7); {
	case k == 0:
		return g.str()
	case k == 1:
		return g.integer()
	case k == 2:
		return g.pick("true", "false", "null", "1.5", "-2e3")
	case k == 3 && depth > 0:
		return g.array(g.r.IntN(3), func() string { return g.any(depth - 1) })
	case k == 4 && depth > 0:
		return g.object(func(add func(string, string)) {
			for range g.r.IntN(3) {
				add(g.pick("a", "id", "city", "messages"), g.any(depth-1))
			}
		})
	}
	return g.str()
}

func (g pageGenerator) str() string {
	pieces := []string{"a", "en", "Zürich", "東京", `\u00e9`, `\ud83d\ude00`, `\ud800`, `\udc00x`, `\"`, `\\`, `\/`, `\n`, `\t`, "\xff", "\xe9", " ", "😀"}
	var b strings.Builder
	for range g.r.IntN(6) {
		b.WriteString(pieces[g.r.IntN(len(pieces))])
	}
	return `"` + b.String() + `"`
}

func (g pageGenerator) integer() string {
	return g.pick("0", "1", "-1", "42", "-0", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1.0", "1e2", "123456789")
}

func (g pageGenerator) time() string {
	if g.chance(0.15) {
		return g.pick(`"2026-10-20T10:00:00"`, `"2026-1-20T10:00:00Z"`, `"yesterday"`, `""`, `"2026-10-20T10:00:00\u005a"`,
			`"2026-10-20T1:00:00Z"`, `"2026-10-20T10:00:00,5Z"`, `"2026-10-20T10:00:00+24:00"`, `"2026-10-20 10:00:00Z"`)
	}
	t := time.Date(2020+g.r.IntN(8), time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), g.r.IntN(24), g.r.IntN(60), g.r.IntN(60), 0, time.UTC)
	switch g.r.IntN(3) {
	case 0:
		return `"` + t.Format(time.RFC3339) + `"`
	case 1:
		return `"` + t.Add(123456789).In(time.FixedZone("", 7200)).Format(time.RFC3339Nano) + `"`
	}
	return `"` + t.Format("2006-01-02T15:04:05.000-07:00") + `"`
}

func (g pageGenerator) page(rows int) []byte {
	return []byte(g.object(func(add func(string, string)) {
		add("count", g.typed(g.integer))
		add("next", g.typed(func() string { return `"https://api.example.com/api/conversations/?page=2"` }))
		add("previous", g.typed(g.str))
		add("results", g.typed(func() string { return g.array(rows, func() string { return g.typed(g.conversation) }) }))
	}))
}

func (g pageGenerator) conversation() string {
	return g.object(func(add func(string, string)) {
		for _, f := range g.r.Perm(11) {
			switch f {
			case 0:
				add("id", g.typed(g.integer))
			case 1:
				add("conversation_id", g.typed(g.str))
			case 2:
				add("customer_id", g.typed(g.str))
			case 3:
				add("language", g.typed(func() string { return g.pick(`"en"`, `"de"`, `"EN"`, g.str()) }))
			case 4:
				add("device", g.typed(g.str))
			case 5:
				add("is_favorite", g.typed(func() string { return g.pick("true", "false") }))
			case 6:
				add("is_used", g.typed(func() string { return g.pick("true", "false") }))
			case 7:
				add("started_at", g.typed(g.time))
			case 8:
				add("ended_at", g.typed(g.time))
			case 9:
				add("geo_location", g.typed(func() string {
					return g.object(func(add func(string, string)) {
						add("ip_address", g.typed(g.str))
						add("city", g.typed(g.str))
						add("country", g.typed(g.str))
					})
				}))
			case 10:
				add("messages", g.typed(func() string { return g.array(g.r.IntN(3), func() string { return g.typed(g.message) }) }))
			}
		}
	})
}

func (g pageGenerator) message() string {
	return g.object(func(add func(string, string)) {
		add("id", g.typed(g.integer))
		add("timestamp", g.typed(g.time))
		add("sender", g.typed(func() string { return g.pick(`"agent"`, `"end_user"`) }))
		add("content", g.typed(g.str))
		add("attachments", g.typed(func() string {
			return g.array(g.r.IntN(2), func() string {
				return g.typed(func() string {
					return g.object(func(add func(string, string)) {
						add("id", g.typed(g.integer))
						add("file_url", g.typed(g.str))
						add("size_bytes", g.typed(g.integer))
					})
				})
			})
		}))
	})
}

// checkAgainstStdlib is the differential check of one body: every detail level accepts what
// encoding/json accepts, with the same result where they agree by design; a body only the
// decoder accepts is one encoding/json refuses for a reason documented as intended.
func checkAgainstStdlib(t *testing.T, body []byte) {
	t.Helper()
	var v1 ConversationPage
	v1Err := json.Unmarshal(body, &v1)
	if v1Err == nil {
		if Comparable(body) {
			compareWithStdlib(t, body)
		}
		// encoding/json reads times it cannot write (a zone offset of +24:00).
		if canonical, err := json.Marshal(&v1); err == nil {
			compareWithStdlib(t, canonical)
		}
		return
	}
	if _, err := DecodePage(body, WithMessages); err == nil && !refusedByDesign(v1Err) {
		t.Fatalf("DecodePage accepted %q, which encoding/json refuses: %v", body, v1Err)
	}
}

// refusedByDesign tells whether encoding/json refuses a body for a reason the decoder does not
// share: a time with escapes in it, which encoding/json hands to time.Time unescaped.
func refusedByDesign(err error) bool {
	var parseErr *time.ParseError
	return errors.As(err, &parseErr) || strings.Contains(err.Error(), "Time.UnmarshalJSON")
}

func TestDecodePageMatchesEncodingJSONOnGeneratedPages(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	accepted := 0
	for i := range 3000 {
		body := pageGenerator{r}.page(r.IntN(5))
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			checkAgainstStdlib(t, body)
		})
		if json.Unmarshal(body, &ConversationPage{}) == nil {
			accepted++
		}
	}
	// The generator must exercise both sides: pages encoding/json accepts and pages it refuses.
	if accepted < 300 || accepted > 2700 {
		t.Errorf("encoding/json accepted %d of 3000 generated pages; adjust the generator", accepted)
	}
}
