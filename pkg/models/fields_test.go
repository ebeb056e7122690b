package models

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
)

// modelFields is testdata/model_fields.json, which the front end reads too: the names a
// dashboard or provisioning file uses must be the same on both sides.
type modelFields struct {
	Query          []string `json:"query"`
	Filters        []string `json:"filters"`
	QueryTypes     []string `json:"queryTypes"`
	GroupBy        []string `json:"groupBy"`
	ValueFields    []string `json:"valueFields"`
	JSONData       []string `json:"jsonData"`
	SecureJSONData []string `json:"secureJsonData"`
}

func loadModelFields(t *testing.T) modelFields {
	t.Helper()
	b, err := os.ReadFile("testdata/model_fields.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var m modelFields
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("model_fields.json: %v", err)
	}
	return m
}

func jsonTags(t *testing.T, v any) []string {
	t.Helper()
	typ := reflect.TypeOf(v)
	var out []string
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			t.Fatalf("%s.%s has no JSON name", typ.Name(), typ.Field(i).Name)
		}
		out = append(out, name)
	}
	return out
}

func TestModelFieldsMatchFrontEnd(t *testing.T) {
	m := loadModelFields(t)
	queryTypes := make([]string, len(QueryTypes))
	for i, q := range QueryTypes {
		queryTypes[i] = string(q)
	}
	checks := []struct {
		name      string
		got, want []string
	}{
		// refId belongs to every Grafana query and is read by the SDK, not by queryJSON.
		{"query", append([]string{"refId"}, jsonTags(t, queryJSON{})...), m.Query},
		{"query keys accepted", jsonTags(t, queryJSON{}), QueryKeys()},
		{"filters", FilterKeys, m.Filters},
		{"queryTypes", queryTypes, m.QueryTypes},
		{"groupBy", append([]string{""}, GroupByFields...), m.GroupBy},
		{"valueFields", ValueFields, m.ValueFields},
		{"jsonData", jsonTags(t, settingsJSON{}), m.JSONData},
		{"secureJsonData", []string{"apiKey"}, m.SecureJSONData},
	}
	for _, c := range checks {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: Go has %q, model_fields.json has %q", c.name, c.got, c.want)
		}
	}
}

// The names are not only listed: each is accepted where it is used.
func TestModelFieldsAreUsed(t *testing.T) {
	m := loadModelFields(t)
	from, to := time.Unix(0, 0), time.Unix(60, 0)
	for _, key := range m.Filters {
		value := `"v"`
		switch p, _ := agentsight.LookupFilter(key); p.Kind {
		case agentsight.FilterBool:
			value = "true"
		case agentsight.FilterChoice:
			value = `"` + p.Choices[0] + `"`
		}
		q, err := ParseQuery([]byte(`{"filters":{"`+key+`":`+value+`}}`), "")
		if err != nil {
			t.Errorf("filter %q: %v", key, err)
			continue
		}
		// The filter reaches the API under the same name.
		combos, err := q.Filters.Combinations(context.Background(), from, to, 0)
		if err != nil {
			t.Fatal(err)
		}
		if v := combos[0].Values(); !v.Has(key) {
			t.Errorf("filter %q is not sent as %q: %v", key, key, v)
		}
	}
	for _, qt := range m.QueryTypes {
		raw := `{"queryType":"` + qt + `","field":"language"}`
		if q, err := ParseQuery([]byte(raw), ""); err != nil || string(q.Type) != qt {
			t.Errorf("queryType %q: %+v %v", qt, q, err)
		}
	}
	for _, g := range m.GroupBy {
		if q, err := ParseQuery([]byte(`{"groupBy":"`+g+`"}`), ""); err != nil || q.GroupBy != g {
			t.Errorf("groupBy %q: %+v %v", g, q, err)
		}
	}
	for _, f := range m.ValueFields {
		if q, err := ParseQuery([]byte(`{"queryType":"values","field":"`+f+`"}`), ""); err != nil || q.Field != f {
			t.Errorf("value field %q: %+v %v", f, q, err)
		}
	}
	s, err := LoadSettings("", nil, map[string]string{m.SecureJSONData[0]: "k"})
	if err != nil || s.APIKey != "k" {
		t.Errorf("secureJsonData %q not read as the key: %v", m.SecureJSONData[0], err)
	}
	// Every jsonData key is read: a wrong type for it is an error naming it by its label.
	for _, k := range m.JSONData {
		_, err := LoadSettings("", []byte(`{"`+k+`":{"x":1}}`), map[string]string{"apiKey": "k"})
		if err == nil || !strings.Contains(err.Error(), Spec(k).Label) {
			t.Errorf("jsonData %q is not read: %v", k, err)
		}
	}
}
