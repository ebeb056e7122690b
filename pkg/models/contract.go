package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"
)

// This file is the query half of the contract between the backend and the editors: query types,
// filters and fields with what editors show of them, and the bucket bounds. The front end reads
// it only as src/generated/query.json and src/generated/filters.json, generated from these
// tables (TestContractFilesAreGenerated; -update regenerates them); settings are the other half
// (settings_spec.go, src/generated/settings.json).

// QueryTypeSpec is what editors show of a query type and which options of the query model it
// reads besides the filters.
type QueryTypeSpec struct {
	Type               QueryType
	Label, Description string
	Options            []string
}

// QueryTypeSpecs lists every query type of QueryTypes, in the same order.
func QueryTypeSpecs() []QueryTypeSpec {
	return []QueryTypeSpec{
		{QueryCount, "Count", "Number of conversations over time", []string{"groupBy", "bucket"}},
		{QueryStats, "Stats", "Customers, durations, messages and response times, aggregated over time", []string{"measure", "aggregation", "groupBy", "bucket"}},
		{QueryConversations, "Conversations", "One row per conversation", []string{"limit"}},
		{QueryMessages, "Messages", "Every message of the selected conversations", []string{"conversationId", "limit", "format"}},
		{QueryAttachments, "Attachments", "Files attached to messages", []string{"conversationId", "limit"}},
		{QueryValues, "Values", "Distinct values of a field", []string{"field"}},
		{QueryAnnotations, "Annotations", "Conversations marked on time-series panels", []string{"limit"}},
	}
}

// FilterText is what editors show of one API filter (agentsight.FilterParams): its label and
// what it matches.
type FilterText struct {
	Key, Label, Help string
}

// FilterTexts lists every filter of agentsight.FilterParams once, in the order the query
// editor shows them: the ones that take values first, then the true/false ones.
func FilterTexts() []FilterText {
	return []FilterText{
		{"language", "Language", "language code, exact (en, de)"},
		{"device", "Device", "device type, exact (mobile, desktop)"},
		{"customer_id", "Customer ID", "customer id, exact"},
		{"customer_id__icontains", "Customer contains", "part of the customer id, any case"},
		{"feedback_sentiment", "Feedback sentiment", "the sentiment of the conversation's feedback"},
		{"feedback_source", "Feedback source", "where the feedback came from, as AgentSight names it"},
		{"message_contains", "Message contains", "text in any message, any case"},
		{"name", "Name contains", "part of the conversation's name, any case"},
		{"action_name", "Action name", "an action the agent took (the API does not list actions: type the name)"},
		{"conversation_id", "Conversation ID", "AgentSight's conversation identifier (text), exact"},
		{"customer_ip_address", "Customer IP", "the customer's IP address, exact"},
		{"has_messages", "Has messages", "only conversations with (or without) messages"},
		{"has_feedback", "Has feedback", "only conversations with (or without) feedback"},
		{"is_marked", "Marked", "only marked (favourite) conversations, or only unmarked ones"},
		{"include_deleted", "Include deleted", "also soft-deleted conversations (the API leaves them out by default)"},
	}
}

// FieldLabels are what editors call each conversation field of agentsight.FieldNames.
func FieldLabels() map[string]string {
	return map[string]string{
		"language":    "Language",
		"device":      "Device",
		"country":     "Country",
		"city":        "City",
		"customer_id": "Customer ID",
	}
}

// object is a JSON object whose keys keep the order given: the editors list what they read
// from the generated files in that order.
type object []member

type member struct {
	key   string
	value any
}

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

type queryTypeJSON struct {
	Label       string   `json:"label"`
	Description string   `json:"description"`
	Options     []string `json:"options"`
}

type fieldJSON struct {
	Label     string `json:"label"`
	Groupable bool   `json:"groupable"`
	Listable  bool   `json:"listable"`
}

// measureJSON is a measure of the stats query type: aggregations lists the valid ones, the
// default first; groupBy the group-by values it accepts.
type measureJSON struct {
	Label        string        `json:"label"`
	Description  string        `json:"description"`
	Unit         string        `json:"unit"`
	Aggregations []Aggregation `json:"aggregations"`
	BucketedBy   string        `json:"bucketedBy"`
	GroupBy      []string      `json:"groupBy"`
	PerMessage   bool          `json:"perMessage"`
}

type aggregationJSON struct {
	Label string `json:"label"`
}

type bucketJSON struct {
	MinSeconds  int64            `json:"minSeconds"`
	MaxSeconds  int64            `json:"maxSeconds"`
	UnitSeconds map[string]int64 `json:"unitSeconds"`
}

// QueryContractJSON renders src/generated/query.json: the query model's keys, the query types
// with their options, the stats measures and aggregations, the conversation fields, and the bucket bounds of ParseQuery with the
// length of each of Grafana's calendar units, so that the editor refuses what ParseQuery
// refuses.
func QueryContractJSON() ([]byte, error) {
	var types object
	for _, s := range QueryTypeSpecs() {
		types = append(types, member{string(s.Type), queryTypeJSON{s.Label, s.Description, s.Options}})
	}
	var fields object
	labels := FieldLabels()
	for _, name := range agentsight.FieldNames() {
		label, ok := labels[name]
		if !ok {
			return nil, fmt.Errorf("field %q has no label", name)
		}
		fields = append(fields, member{name, fieldJSON{label, slices.Contains(GroupByFields, name), slices.Contains(ValueFields, name)}})
	}
	bucket := bucketJSON{MinSeconds: int64(MinBucket.Seconds()), MaxSeconds: int64(MaxBucket.Seconds()), UnitSeconds: map[string]int64{}}
	for _, unit := range []string{"d", "w", "M", "y"} {
		d, err := gtime.ParseDuration("1" + unit)
		if err != nil {
			return nil, err
		}
		bucket.UnitSeconds[unit] = int64(d.Seconds())
	}
	var measures object
	for _, m := range MeasureSpecs() {
		measures = append(measures, member{string(m.Key), measureJSON{m.Label, m.Per, m.Unit, m.Aggregations, m.BucketedBy, m.GroupBy, m.PerMessage}})
	}
	var aggregations object
	for _, a := range AggregationSpecs() {
		aggregations = append(aggregations, member{string(a.Key), aggregationJSON{a.Label}})
	}
	return indented(object{
		{"keys", QueryKeys()},
		{"queryTypes", types},
		{"measures", measures},
		{"defaultMeasure", DefaultMeasure},
		{"aggregations", aggregations},
		{"fields", fields},
		{"bucket", bucket},
	})
}

type filterJSON struct {
	Label                   string   `json:"label"`
	Help                    string   `json:"help"`
	Order                   int      `json:"order"`
	OneValuePerConversation bool     `json:"oneValuePerConversation,omitempty"`
	Choices                 []string `json:"choices,omitempty"`
}

// FiltersContractJSON renders src/generated/filters.json: the API's filters grouped by kind
// (text, choice, boolean), so that the front end's types tell a true/false filter from one
// that holds values, each with its label, help and place in the editor (order).
func FiltersContractJSON() ([]byte, error) {
	texts := FilterTexts()
	kinds := []agentsight.FilterKind{agentsight.FilterText, agentsight.FilterChoice, agentsight.FilterBool}
	groups := make(map[agentsight.FilterKind]object, len(kinds))
	seen := map[string]bool{}
	for order, text := range texts {
		p, ok := agentsight.LookupFilter(text.Key)
		if !ok || seen[text.Key] {
			return nil, fmt.Errorf("filter %q is not one of the API's, or is labelled twice", text.Key)
		}
		seen[text.Key] = true
		groups[p.Kind] = append(groups[p.Kind], member{p.Key, filterJSON{text.Label, text.Help, order, p.OneValuePerConversation, p.Choices}})
	}
	if n := len(agentsight.FilterParams()); n != len(texts) {
		return nil, fmt.Errorf("%d filters have a label, the API has %d", len(texts), n)
	}
	out := make(object, 0, len(kinds))
	for _, k := range kinds {
		if groups[k] == nil {
			groups[k] = object{}
		}
		out = append(out, member{string(k), groups[k]})
	}
	return indented(out)
}

func indented(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
