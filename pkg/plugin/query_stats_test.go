package plugin

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/models"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// bruteStats is the expected answer of a stats query over the fake's ground truth, computed
// the plainest way: every value with its time and group, then each bucket sorted and reduced.
// It shares no code with the plugin.
func bruteStats(convs []*fakeapi.Conversation, measure, agg, groupBy string, from, to time.Time, size time.Duration) map[string]map[time.Time]*float64 {
	type point struct {
		group, customer string
		at              time.Time
		value           float64
	}
	fieldOf := func(c *fakeapi.Conversation) string {
		v := map[string]string{"": "", "language": c.Language, "device": c.Device, "customer_id": c.CustomerID, "country": c.Country, "city": c.City}[groupBy]
		if groupBy != "" && v == "" {
			v = "unknown"
		}
		return v
	}
	var points []point
	for _, c := range convs {
		g := fieldOf(c)
		switch measure {
		case "customers":
			if c.CustomerID != "" {
				points = append(points, point{g, c.CustomerID, c.StartedAt, 0})
			}
		case "duration":
			if c.EndedAt != nil {
				points = append(points, point{group: g, at: c.StartedAt, value: float64(c.EndedAt.UnixMilli()-c.StartedAt.UnixMilli()) / 1000})
			}
		case "messages":
			points = append(points, point{group: g, at: c.StartedAt, value: float64(len(c.Messages))})
		case "sent_messages":
			for _, m := range c.Messages {
				mg := g
				if groupBy == "sender" {
					mg = m.Sender
				}
				points = append(points, point{group: mg, at: m.Timestamp, value: 1})
			}
		case "response_time":
			msgs := slices.Clone(c.Messages)
			slices.SortFunc(msgs, func(a, b fakeapi.Message) int {
				if !a.Timestamp.Equal(b.Timestamp) {
					return a.Timestamp.Compare(b.Timestamp)
				}
				return int(a.ID - b.ID)
			})
			var asked *time.Time
			for i := range msgs {
				if msgs[i].Sender == "end_user" {
					if asked == nil {
						asked = &msgs[i].Timestamp
					}
				} else if asked != nil {
					points = append(points, point{group: g, at: msgs[i].Timestamp, value: msgs[i].Timestamp.Sub(*asked).Seconds()})
					asked = nil
				}
			}
		}
	}
	out := map[string]map[time.Time][]point{}
	for _, p := range points {
		if p.at.Before(from) || p.at.After(to) {
			continue
		}
		start := from
		if size > 0 {
			sec := int64(size / time.Second)
			start = time.Unix(p.at.Unix()/sec*sec, 0).UTC()
			if p.at.Unix() < 0 && p.at.Unix()%sec != 0 {
				start = start.Add(-size)
			}
		}
		if out[p.group] == nil {
			out[p.group] = map[time.Time][]point{}
		}
		out[p.group][start] = append(out[p.group][start], p)
	}
	reduced := map[string]map[time.Time]*float64{}
	for g, buckets := range out {
		reduced[g] = map[time.Time]*float64{}
		for at, ps := range buckets {
			values := make([]float64, len(ps))
			customers := map[string]bool{}
			for i, p := range ps {
				values[i] = p.value
				customers[p.customer] = true
			}
			slices.Sort(values)
			var v float64
			switch agg {
			case "distinct":
				v = float64(len(customers))
			case "count":
				v = float64(len(values))
			case "sum", "avg":
				for _, x := range values {
					v += x
				}
				if agg == "avg" {
					v /= float64(len(values))
				}
			case "min":
				v = values[0]
			case "max":
				v = values[len(values)-1]
			default: // pN, nearest rank
				var p float64
				fmt.Sscanf(agg, "p%g", &p)
				v = values[int(math.Ceil(p/100*float64(len(values))))-1]
			}
			reduced[g][at] = &v
		}
	}
	return reduced
}

// statsAnswer reads a stats query's frames back into the shape bruteStats returns; a bucket
// without value (a gap) is nil.
func statsAnswer(t *testing.T, frames data.Frames, groupBy, name string) map[string]map[time.Time]*float64 {
	t.Helper()
	out := map[string]map[time.Time]*float64{}
	for _, f := range frames {
		value := f.Fields[len(f.Fields)-1]
		if value.Name != name {
			t.Fatalf("value field %q, want %q", value.Name, name)
		}
		g := value.Labels[groupBy]
		if out[g] != nil {
			t.Fatalf("group %q twice", g)
		}
		out[g] = map[time.Time]*float64{}
		for i := range value.Len() {
			at := time.Time{}
			if len(f.Fields) == 2 {
				at = f.Fields[0].At(i).(time.Time)
			}
			v, err := value.NullableFloatAt(i)
			if err != nil {
				t.Fatal(err)
			}
			out[g][at] = v
		}
	}
	return out
}

// Every measure and aggregation, over random ranges, buckets, groups and filters, equals a
// brute-force computation over the fake's data; pages with and without embedded messages.
func TestStatsEqualBruteForce(t *testing.T) {
	type pair struct{ measure, agg string }
	var pairs []pair
	for _, m := range models.MeasureSpecs() {
		for _, a := range m.Aggregations {
			pairs = append(pairs, pair{string(m.Key), string(a)})
		}
	}
	filterSets := []struct {
		filters map[string]any
		keep    func(*fakeapi.Conversation) bool
	}{
		{map[string]any{}, nil},
		{map[string]any{"language": "en"}, func(c *fakeapi.Conversation) bool { return c.Language == "en" }},
		{map[string]any{"device": []string{"mobile", "tablet"}}, func(c *fakeapi.Conversation) bool { return c.Device != "desktop" }},
	}
	groups := []string{"", "language", "device", "country", "city", "customer_id", "sender"}
	buckets := []string{"total", "1m", "5m", "1h", "6h", "1d"}
	embedded, detailed := newEnv(t, true, nil), newEnv(t, false, nil)
	rnd := rand.New(rand.NewPCG(23, 23))
	for i := range 3 * len(pairs) {
		p := pairs[i%len(pairs)]
		e := embedded
		span := time.Duration(1+rnd.IntN(72)) * time.Hour
		if i%5 == 4 {
			e, span = detailed, time.Duration(1+rnd.IntN(6))*time.Hour
		}
		from := e.truth.Conversations[0].StartedAt.Add(time.Duration(rnd.Int64N(int64(27*24*time.Hour - span))))
		from = from.Add(time.Duration(rnd.IntN(1000)) * time.Millisecond)
		to := from.Add(span)
		fs := filterSets[rnd.IntN(len(filterSets))]
		groupBy := groups[rnd.IntN(len(groups))]
		if groupBy == "sender" && p.measure != "sent_messages" {
			groupBy = ""
		}
		bucket := buckets[rnd.IntN(len(buckets))]
		if bucket == "1m" && span > 24*time.Hour {
			bucket = "1h"
		}
		model := map[string]any{"queryType": "stats", "measure": p.measure, "aggregation": p.agg, "groupBy": groupBy, "bucket": bucket, "filters": fs.filters}
		t.Run(fmt.Sprintf("%d %s of %s by %q per %s", i, p.agg, p.measure, groupBy, bucket), func(t *testing.T) {
			dr := e.query(model, from, to)
			mustOK(t, dr)
			size := time.Duration(0)
			if bucket != "total" {
				size, _ = time.ParseDuration(strings.Replace(bucket, "1d", "24h", 1))
			}
			want := bruteStats(e.inRange(from, to, fs.keep), p.measure, p.agg, groupBy, from, to, size)
			got := statsAnswer(t, dr.Frames, groupBy, p.agg+" "+p.measure)
			zero := p.agg == "sum" || p.agg == "count" || p.agg == "distinct"
			if groupBy == "" && want[""] == nil {
				want[""] = map[time.Time]*float64{}
			}
			if len(got) != len(want) {
				t.Fatalf("%d groups, want %d", len(got), len(want))
			}
			for g, series := range got {
				for at, v := range series {
					if bucket == "total" {
						at = from
					}
					w := want[g][at]
					if w == nil && zero {
						w = new(float64)
					}
					if (v == nil) != (w == nil) || (v != nil && math.Abs(*v-*w) > 1e-9*max(1, math.Abs(*w))) {
						t.Errorf("group %q at %s: %s, want %s", g, at.Format(time.RFC3339), show(v), show(w))
					}
				}
				for at := range want[g] {
					if bucket != "total" {
						if _, ok := series[at]; !ok {
							t.Errorf("group %q: no bucket at %s", g, at)
						}
					}
				}
			}
		})
	}
}

func show(v *float64) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(*v)
}

// The example of the issue as a dashboard sends it: p90 response time by language per hour.
func TestStatsP90ResponseTimeByLanguage(t *testing.T) {
	e := newEnv(t, true, nil)
	dr := e.query(map[string]any{"queryType": "stats", "measure": "response_time", "aggregation": "p90", "groupBy": "language", "bucket": "6h"}, rangeFrom, rangeTo)
	mustOK(t, dr)
	for _, f := range dr.Frames {
		if f.Meta.Type != data.FrameTypeTimeSeriesMulti || f.Fields[0].Name != "time" || f.Fields[1].Config.Unit != "s" || f.Fields[1].Labels["language"] == "" {
			t.Fatalf("frame %s: %+v %+v", f.Name, f.Meta, f.Fields[1].Config)
		}
	}
	for _, r := range e.fake.Requests() {
		if r.Path != "/api/conversations/" {
			t.Fatalf("request %s: the list pages embed the messages", r.Path)
		}
	}
	golden(t, "stats_p90_response_time_by_language_6h", dr)
}

// Pages without messages: one detail request per conversation, said in a notice, and no
// more than max conversations of them: a query needing more is refused before the first.
func TestStatsReadsDetailsWithinBudget(t *testing.T) {
	model := map[string]any{"queryType": "stats", "measure": "sent_messages", "groupBy": "sender", "bucket": "total", "filters": map[string]any{"language": "de"}}
	from, to := rangeFrom, rangeFrom.Add(12*time.Hour)
	e := newEnv(t, false, nil)
	listed := len(e.inRange(from, to, func(c *fakeapi.Conversation) bool { return c.Language == "de" }))
	if listed < 3 {
		t.Fatalf("%d conversations in range: the test needs a few", listed)
	}
	dr := e.query(model, from, to)
	mustOK(t, dr)
	details := 0
	for _, r := range e.fake.Requests() {
		if r.Path != "/api/conversations/" {
			details++
		}
	}
	if details != listed {
		t.Errorf("%d detail requests, want one per conversation: %d", details, listed)
	}
	want := fmt.Sprintf("read them with %d detail requests", listed)
	if n := dr.Frames[0].Meta.Notices; len(n) != 1 || !strings.Contains(n[0].Text, want) {
		t.Errorf("notices %v, want one saying %q", n, want)
	}

	tight := newEnv(t, false, map[string]any{"maxConversations": listed - 1})
	dr = tight.query(model, from, to)
	if dr.Error == nil || !strings.Contains(dr.Error.Error(), "maxConversations") || !strings.Contains(dr.Error.Error(), fmt.Sprint(listed)) {
		t.Fatalf("error %v, want the range refused naming maxConversations and the count", dr.Error)
	}
	for _, r := range tight.fake.Requests() {
		if r.Path != "/api/conversations/" || r.Query.Get("page") != "" && r.Query.Get("page") != "1" {
			t.Fatalf("request %s?%s sent by a refused query", r.Path, r.Query.Encode())
		}
	}
}

// Conversation measures never read a detail, whether or not the pages embed messages; the
// message count of pages without messages is the one measure that needs them.
func TestStatsConversationMeasuresReadListPagesOnly(t *testing.T) {
	for _, measure := range []string{"customers", "duration"} {
		e := newEnv(t, false, nil)
		mustOK(t, e.query(map[string]any{"queryType": "stats", "measure": measure, "bucket": "1h"}, rangeFrom, rangeTo))
		for _, r := range e.fake.Requests() {
			if r.Path != "/api/conversations/" {
				t.Fatalf("%s: request %s", measure, r.Path)
			}
		}
	}
}

func TestStatsErrorsNameTheCombination(t *testing.T) {
	e := newEnv(t, true, nil)
	for model, want := range map[string][]string{
		`{"queryType":"stats","measure":"duration","aggregation":"distinct"}`: {`"distinct"`, `"duration"`},
		`{"queryType":"stats","measure":"messages","groupBy":"sender"}`:       {`"sender"`, `"messages"`},
	} {
		var m map[string]any
		if err := json.Unmarshal([]byte(model), &m); err != nil {
			t.Fatal(err)
		}
		dr := e.query(m, rangeFrom, rangeTo)
		for _, w := range want {
			if dr.Error == nil || !strings.Contains(dr.Error.Error(), w) {
				t.Errorf("%s: error %v, want it to name %s", model, dr.Error, w)
			}
		}
	}
	if n := e.fake.RequestCount(); n != 0 {
		t.Errorf("%d requests for invalid queries", n)
	}
}
