package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/google/go-cmp/cmp"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		name      string
		json      string
		queryType string // the request's own queryType
		want      Query
	}{
		{"empty is count", ``, "", Query{Type: QueryCount}},
		{"empty object is count", `{}`, "", Query{Type: QueryCount}},
		{"missing queryType from the request", `{"refId":"A"}`, "conversations", Query{Type: QueryConversations}},
		{"JSON queryType wins", `{"queryType":"messages"}`, "conversations", Query{Type: QueryMessages}},
		{"queryType trimmed", `{"queryType":" attachments "}`, "", Query{Type: QueryAttachments}},
		{"values with field", `{"queryType":"values","field":"language"}`, "", Query{Type: QueryValues, Field: "language"}},
		{"groupBy", `{"groupBy":"country"}`, "", Query{Type: QueryCount, GroupBy: "country"}},
		{"bucket auto", `{"bucket":"auto"}`, "", Query{Type: QueryCount}},
		{"bucket total", `{"bucket":"total"}`, "", Query{Type: QueryCount, Total: true}},
		{"bucket 5m", `{"bucket":"5m"}`, "", Query{Type: QueryCount, Bucket: 5 * time.Minute}},
		{"bucket 1h", `{"bucket":"1h"}`, "", Query{Type: QueryCount, Bucket: time.Hour}},
		{"bucket 1d", `{"bucket":"1d"}`, "", Query{Type: QueryCount, Bucket: 24 * time.Hour}},
		{"bucket 1m is the minimum", `{"bucket":"1m"}`, "", Query{Type: QueryCount, Bucket: time.Minute}},
		{"bucket 1y", `{"bucket":"1y"}`, "", Query{Type: QueryCount, Bucket: 8766 * time.Hour}},
		{"bucket as Go writes a duration", `{"bucket":"8766h0m0s"}`, "", Query{Type: QueryCount, Bucket: 8766 * time.Hour}},
		{"conversationId number", `{"queryType":"messages","conversationId":42}`, "", Query{Type: QueryMessages, ConversationID: 42}},
		{"conversationId string", `{"queryType":"messages","conversationId":"42"}`, "", Query{Type: QueryMessages, ConversationID: 42}},
		{"conversationId empty string", `{"conversationId":""}`, "", Query{Type: QueryCount}},
		{"conversationId null", `{"conversationId":null}`, "", Query{Type: QueryCount}},
		{"limit", `{"limit":500}`, "", Query{Type: QueryCount, Limit: 500}},
		{"messages as logs", `{"queryType":"messages","format":"logs"}`, "", Query{Type: QueryMessages, Format: FormatLogs}},
		{"format table is the default", `{"queryType":"messages","format":"table"}`, "", Query{Type: QueryMessages}},
		{"stats defaults", `{"queryType":"stats"}`, "", Query{Type: QueryStats, Measure: MeasureResponseTime, Aggregation: AggAvg}},
		{"stats measure's default aggregation", `{"queryType":"stats","measure":"customers"}`, "", Query{Type: QueryStats, Measure: MeasureCustomers, Aggregation: AggDistinct}},
		{"stats p90 by language, total", `{"queryType":"stats","measure":"response_time","aggregation":"p90","groupBy":"language","bucket":"total"}`, "",
			Query{Type: QueryStats, Measure: MeasureResponseTime, Aggregation: AggP90, GroupBy: "language", Total: true}},
		{"stats sent messages by sender", `{"queryType":"stats","measure":"sent_messages","groupBy":"sender"}`, "", Query{Type: QueryStats, Measure: MeasureSentMessages, Aggregation: AggCount, GroupBy: "sender"}},
		{"measure ignored by count", `{"measure":"nothing","aggregation":"p90"}`, "", Query{Type: QueryCount}},
		{"annotations", `{"queryType":"annotations","filters":{"language":"en"}}`, "", Query{Type: QueryAnnotations, Filters: Filters{Values: map[string][]string{"language": {"en"}}}}},
		{"limit as string", `{"limit":"500"}`, "", Query{Type: QueryCount, Limit: 500}},
		{"limit at the maximum", `{"limit":1000000}`, "", Query{Type: QueryCount, Limit: 1000000}},
		{"string filter", `{"filters":{"language":"en"}}`, "", Query{Type: QueryCount, Filters: Filters{Values: map[string][]string{"language": {"en"}}}}},
		{"number filter", `{"filters":{"conversation_id":1234}}`, "", Query{Type: QueryCount, Filters: Filters{Values: map[string][]string{"conversation_id": {"1234"}}}}},
		{"list filter deduped, empties dropped, order kept", `{"filters":{"device":["mobile"," desktop ","","mobile","desktop",null]}}`, "",
			Query{Type: QueryCount, Filters: Filters{Values: map[string][]string{"device": {"mobile", "desktop"}}}}},
		{"empty filter not sent", `{"filters":{"language":"","device":[],"customer_id":"  "}}`, "", Query{Type: QueryCount}},
		{"null filter ignored", `{"filters":{"language":null,"has_messages":null}}`, "", Query{Type: QueryCount}},
		{"has_messages true", `{"filters":{"has_messages":true}}`, "", Query{Type: QueryCount, Filters: Filters{Values: map[string][]string{"has_messages": {"true"}}}}},
		{"has_messages false", `{"filters":{"has_messages":false}}`, "", Query{Type: QueryCount, Filters: Filters{Values: map[string][]string{"has_messages": {"false"}}}}},
		{"has_messages \"true\"", `{"filters":{"has_messages":"true"}}`, "", Query{Type: QueryCount, Filters: Filters{Values: map[string][]string{"has_messages": {"true"}}}}},
		{"has_messages \"false\"", `{"filters":{"has_messages":"false"}}`, "", Query{Type: QueryCount, Filters: Filters{Values: map[string][]string{"has_messages": {"false"}}}}},
		{"has_messages \"\" is any", `{"filters":{"has_messages":""}}`, "", Query{Type: QueryCount}},
		{"every filter", `{"filters":{"action_name":"refund","conversation_id":"abc","customer_id":"c1","customer_ip_address":"10.0.0.1","device":"mobile","has_messages":true,"language":"en","message_contains":"help"}}`, "",
			Query{Type: QueryCount, Filters: Filters{Values: map[string][]string{
				"has_messages": {"true"}, "action_name": {"refund"}, "conversation_id": {"abc"}, "customer_id": {"c1"}, "customer_ip_address": {"10.0.0.1"},
				"device": {"mobile"}, "language": {"en"}, "message_contains": {"help"},
			}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQuery([]byte(tt.json), tt.queryType)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want.Filters.Values == nil {
				tt.want.Filters.Values = map[string][]string{}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseQuery = %+v\nwant          %+v", got, tt.want)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct {
		name string
		json string
		want []string
	}{
		{"not JSON", `{"queryType":`, []string{"not valid JSON"}},
		{"queryType wrong type", `{"queryType":5}`, []string{"not valid JSON"}},
		{"unknown queryType", `{"queryType":"sessions"}`, []string{`"sessions"`, `"count"`}},
		{"unknown filter", `{"filters":{"lang":"en"}}`, []string{`"lang"`, `"language"`}},
		{"filter object value", `{"filters":{"language":{"a":1}}}`, []string{`"language"`}},
		{"filter bool value", `{"filters":{"device":true}}`, []string{`"device"`, "true"}},
		{"filter nested list", `{"filters":{"device":[["a"]]}}`, []string{`"device"`}},
		{"has_messages number", `{"filters":{"has_messages":2}}`, []string{`"has_messages"`, "2"}},
		{"has_messages text", `{"filters":{"has_messages":"maybe"}}`, []string{`"has_messages"`, "maybe"}},
		{"unknown groupBy", `{"groupBy":"browser"}`, []string{`"browser"`, "groupBy"}},
		{"sender on count", `{"groupBy":"sender"}`, []string{`"sender"`, "groupBy"}},
		{"unknown measure", `{"queryType":"stats","measure":"latency"}`, []string{`"latency"`, `"response_time"`}},
		{"distinct of duration", `{"queryType":"stats","measure":"duration","aggregation":"distinct"}`, []string{`"distinct"`, `"duration"`, `"avg"`}},
		{"p90 by default measure's name", `{"queryType":"stats","aggregation":"median"}`, []string{`"median"`, `"response_time"`}},
		{"sender on a conversation measure", `{"queryType":"stats","measure":"duration","groupBy":"sender"}`, []string{`"sender"`, `"duration"`, "groupBy"}},
		{"bucket 30s", `{"bucket":"30s"}`, []string{`"30s"`, "bucket"}},
		{"bucket abc", `{"bucket":"abc"}`, []string{`"abc"`, "bucket"}},
		{"bucket overflowing days", `{"bucket":"213504d"}`, []string{`"213504d"`, "bucket"}},
		{"bucket over a year", `{"bucket":"400d"}`, []string{`"400d"`, "bucket"}},
		{"bucket overflowing hours", `{"bucket":"9999999999999h"}`, []string{`"9999999999999h"`, "bucket"}},
		{"bucket negative", `{"bucket":"-5m"}`, []string{`"-5m"`}},
		{"bucket 0", `{"bucket":"0"}`, []string{`"0"`}},
		{"negative limit", `{"limit":-1}`, []string{"limit", "-1"}},
		{"unknown format", `{"queryType":"messages","format":"csv"}`, []string{`"csv"`, `"logs"`}},
		{"limit too large", `{"limit":1000001}`, []string{"limit", "1000001"}},
		{"limit fraction", `{"limit":2.5}`, []string{"limit", "2.5"}},
		{"limit text", `{"limit":"lots"}`, []string{"limit", "lots"}},
		{"conversationId text", `{"conversationId":"abc"}`, []string{"conversationId", "abc"}},
		{"conversationId negative", `{"conversationId":-4}`, []string{"conversationId", "-4"}},
		{"conversationId fraction", `{"conversationId":4.2}`, []string{"conversationId", "4.2"}},
		{"conversationId bool", `{"conversationId":true}`, []string{"conversationId", "true"}},
		{"conversationId overflow", `{"conversationId":99999999999999999999}`, []string{"conversationId", "99999999999999999999"}},
		{"values without field", `{"queryType":"values"}`, []string{"field", `""`}},
		{"values with unknown field", `{"queryType":"values","field":"os"}`, []string{"field", `"os"`}},
		{"misspelled filters", `{"filtres":{"language":"en"}}`, []string{`unknown query key "filtres"`, `"filters"`}},
		{"two misspelled keys, sorted", `{"limt":5,"filtres":{}}`, []string{`unknown query keys "filtres", "limt"`}},
		{"a key in another case", `{"QueryType":"count"}`, []string{`"QueryType"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseQuery([]byte(tt.json), "")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %s", err, w)
				}
			}
		})
	}
	// The request's own queryType is checked too.
	if _, err := ParseQuery(nil, "bogus"); err == nil || !strings.Contains(err.Error(), `"bogus"`) {
		t.Errorf("request queryType: error = %v", err)
	}
}

// Grafana adds its own keys to every query (the SDK's CommonQueryProperties, the front end's
// DataQuery): they are accepted and ignored.
func TestParseQueryAcceptsGrafanaKeys(t *testing.T) {
	raw := `{"refId":"A","datasource":{"type":"agentsight-conversations-datasource","uid":"x"},"datasourceId":3,"hide":false,
		"key":"Q-1","queryType":"count","intervalMs":60000,"maxDataPoints":800,"timeRange":{"from":"now-6h","to":"now"},
		"resultAssertions":{"typeVersion":[0,0]},"filters":{},"groupBy":"","bucket":"","limit":0,"field":"","conversationId":0}`
	q, err := ParseQuery([]byte(raw), "")
	if err != nil || q.Type != QueryCount {
		t.Fatalf("ParseQuery = %+v, %v", q, err)
	}
}

func TestCombinationsBudget(t *testing.T) {
	from, to := time.Unix(0, 0), time.Unix(3600, 0)
	list := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = strconv.Itoa(i)
		}
		return out
	}
	tests := []struct {
		name   string
		f      Filters
		budget int
		want   int    // combinations, when within budget
		count  uint64 // the refused count otherwise
	}{
		{"within the default", Filters{Values: map[string][]string{"language": list(10), "device": list(10)}}, 0, 100, 0},
		{"one over the default", Filters{Values: map[string][]string{"language": list(101)}}, 0, 0, 101},
		{"four lists of 100", Filters{Values: map[string][]string{"language": list(100), "device": list(100), "customer_id": list(100), "action_name": list(100)}}, 0, 0, 100_000_000},
		{"two lists of 1000 with the largest budget", Filters{Values: map[string][]string{"language": list(1000), "device": list(1000)}}, MaxFilterCombosLimit, 0, 1_000_000},
		{"raised budget", Filters{Values: map[string][]string{"language": list(20), "device": list(20)}}, 400, 400, 0},
		// 7 lists of 10^3 would be 10^21: the count saturates, it does not wrap to a small number.
		{"overflowing product", Filters{Values: map[string][]string{
			"action_name": list(1000), "conversation_id": list(1000), "customer_id": list(1000), "customer_ip_address": list(1000),
			"device": list(1000), "language": list(1000), "message_contains": list(1000),
		}}, 0, 0, math.MaxUint64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.f.Combinations(context.Background(), from, to, tt.budget)
			if tt.count == 0 {
				if err != nil || len(got) != tt.want {
					t.Fatalf("%d combinations, %v; want %d", len(got), err, tt.want)
				}
				return
			}
			var ce *CombinationsError
			if !errors.As(err, &ce) || ce.Count != tt.count || got != nil {
				t.Fatalf("Combinations = %d, %v; want a refusal of %d", len(got), err, tt.count)
			}
			for _, w := range []string{"Max filter combinations", "maxFilterCombinations", "narrow the filters"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
	// A cancelled query enumerates nothing.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (Filters{Values: map[string][]string{"language": list(5)}}).Combinations(ctx, from, to, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		max  time.Duration
		want time.Duration
		ok   bool
	}{
		{"0", 0, 0, true},
		{"90s", 0, 90 * time.Second, true},
		{"1h30m", 0, 90 * time.Minute, true},
		{"2w", 0, 14 * 24 * time.Hour, true},
		{"1d12h", 0, 36 * time.Hour, true},
		{"1.5s", 0, 1500 * time.Millisecond, true},
		{"250ms", 0, 250 * time.Millisecond, true},
		{"-1s", 0, -time.Second, true},
		{"24h", 24 * time.Hour, 24 * time.Hour, true},
		{"25h", 24 * time.Hour, 0, false},
		{"213503982335d", 0, 0, false},
		{"106751d", 0, 106751 * 24 * time.Hour, true},
		{"106752d", 0, 0, false},
		{"99999999999999999999s", 0, 0, false},
		{"106751d23h59m59s1ms", 0, 0, false},
		{"1M", 0, 0, false},
		{"soon", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in, tt.max)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDuration(%q, %s) = %s, %v", tt.in, tt.max, got, err)
		}
	}
	for d, want := range map[time.Duration]string{0: "0s", 48 * time.Hour: "48h", 10 * time.Minute: "10m", 90 * time.Second: "1m30s", time.Second: "1s", 1500 * time.Millisecond: "1.5s"} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestCombinations(t *testing.T) {
	from := time.Date(2025, 10, 22, 0, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	tests := []struct {
		name string
		f    Filters
		want []agentsight.Filters
	}{
		{"no filters: one call with the range", Filters{}, []agentsight.Filters{{StartedAfter: from, StartedBefore: to}}},
		{"single values", Filters{Values: map[string][]string{"has_messages": {"true"}, "language": {"en"}, "device": {"mobile"}}},
			[]agentsight.Filters{{Params: map[string]string{"language": "en", "device": "mobile", "has_messages": "true"}, StartedAfter: from, StartedBefore: to}}},
		{"cartesian product", Filters{Values: map[string][]string{"language": {"en", "fr"}, "device": {"mobile", "desktop"}, "customer_id": {"c1"}}},
			[]agentsight.Filters{
				{Params: map[string]string{"customer_id": "c1", "device": "mobile", "language": "en"}, StartedAfter: from, StartedBefore: to},
				{Params: map[string]string{"customer_id": "c1", "device": "desktop", "language": "en"}, StartedAfter: from, StartedBefore: to},
				{Params: map[string]string{"customer_id": "c1", "device": "mobile", "language": "fr"}, StartedAfter: from, StartedBefore: to},
				{Params: map[string]string{"customer_id": "c1", "device": "desktop", "language": "fr"}, StartedAfter: from, StartedBefore: to},
			}},
		{"every key is sent as itself", everyFilter(), []agentsight.Filters{{Params: everyParam(), StartedAfter: from, StartedBefore: to}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.f.Combinations(context.Background(), from, to, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Combinations =\n%+v\nwant\n%+v", got, tt.want)
			}
			for _, c := range got {
				v := c.Values()
				if v.Get("started_at_after") != "2025-10-22T00:00:00Z" || v.Get("started_at_before") != "2025-10-23T00:00:00Z" {
					t.Errorf("combination without the time range: %v", v)
				}
			}
		})
	}
}

func TestCombinationsFromParsedQuery(t *testing.T) {
	q, err := ParseQuery([]byte(`{"filters":{"language":["en","fr","de"],"device":["mobile","desktop"],"has_messages":"true"}}`), "")
	if err != nil {
		t.Fatal(err)
	}
	from, to := time.Unix(0, 0), time.Unix(3600, 0)
	combos, err := q.Filters.Combinations(context.Background(), from, to, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(combos) != 6 {
		t.Fatalf("%d combinations, want 6", len(combos))
	}
	seen := map[string]bool{}
	for _, c := range combos {
		if c.Params["has_messages"] != "true" {
			t.Errorf("has_messages lost: %+v", c)
		}
		seen[c.Values().Encode()] = true
	}
	if len(seen) != 6 {
		t.Errorf("combinations not distinct: %v", seen)
	}
}

func TestDisjoint(t *testing.T) {
	tests := []struct {
		name string
		f    Filters
		want bool
	}{
		{"no filters", Filters{}, true},
		{"exact-match values", Filters{Values: map[string][]string{"language": {"en", "fr"}, "device": {"mobile", "desktop"}}}, true},
		{"one search", Filters{Values: map[string][]string{"message_contains": {"refund"}}}, true},
		{"two searches can match one conversation", Filters{Values: map[string][]string{"message_contains": {"refund", "invoice"}}}, false},
		{"one action", Filters{Values: map[string][]string{"action_name": {"refund"}, "language": {"en", "fr"}}}, true},
		// A conversation triggers several actions, so it can match both values.
		{"two actions can match one conversation", Filters{Values: map[string][]string{"action_name": {"refund", "handoff_to_human"}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.Disjoint(); got != tt.want {
				t.Errorf("Disjoint() = %v, want %v", got, tt.want)
			}
		})
	}
}

// everyFilter sets every filter of the API's table to a value of its kind.
func everyFilter() Filters {
	f := Filters{Values: map[string][]string{}}
	for k, v := range everyParam() {
		f.Values[k] = []string{v}
	}
	return f
}

func everyParam() map[string]string {
	params := map[string]string{}
	for i, p := range agentsight.FilterParams() {
		switch p.Kind {
		case agentsight.FilterBool:
			params[p.Key] = "false"
		case agentsight.FilterChoice:
			params[p.Key] = p.Choices[len(p.Choices)-1]
		default:
			params[p.Key] = fmt.Sprintf("value %d", i)
		}
	}
	return params
}

func TestParseEveryFilter(t *testing.T) {
	raw := map[string]any{}
	for k, v := range everyParam() {
		raw[k] = v
	}
	b, err := json.Marshal(map[string]any{"filters": raw})
	if err != nil {
		t.Fatal(err)
	}
	q, err := ParseQuery(b, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(everyFilter(), q.Filters); diff != "" {
		t.Errorf("filters (-want +got):\n%s", diff)
	}
}

func TestParseFilterKinds(t *testing.T) {
	tests := []struct {
		name, filters string
		want          map[string][]string
		wantErr       string
	}{
		{"boolean as text", `{"is_marked":"yes","include_deleted":false}`, map[string][]string{"is_marked": {"true"}, "include_deleted": {"false"}}, ""},
		{"boolean any is unset", `{"has_feedback":"$__all"}`, map[string][]string{}, ""},
		{"boolean list is refused", `{"has_feedback":[true]}`, nil, `filter "has_feedback" has value [true]: use true or false`},
		{"choices ignore case", `{"feedback_sentiment":["Negative","neutral","negative"]}`, map[string][]string{"feedback_sentiment": {"negative", "neutral"}}, ""},
		{"unknown choice names the choices", `{"feedback_sentiment":"angry"}`, nil, `filter "feedback_sentiment" has value "angry": use one of "positive", "neutral", "negative"`},
		{"free text for the source", `{"feedback_source":["widget","email"]}`, map[string][]string{"feedback_source": {"widget", "email"}}, ""},
		{"partial customer match", `{"customer_id__icontains":"CUST_00"}`, map[string][]string{"customer_id__icontains": {"CUST_00"}}, ""},
		{"unknown key named", `{"sentiment":"negative"}`, nil, `unknown filter "sentiment"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := ParseQuery([]byte(`{"filters":`+tt.filters+`}`), "")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, q.Filters.Values); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}
