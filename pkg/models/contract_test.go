package models

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
)

const (
	generatedQuery   = "../../src/generated/query.json"
	generatedFilters = "../../src/generated/filters.json"
)

// The editors read the query contract only from src/generated/; it must be exactly what the Go
// tables generate. Run `go test ./pkg/models -run Contract -update` after changing a table.
func TestContractFilesAreGenerated(t *testing.T) {
	for path, generate := range map[string]func() ([]byte, error){
		generatedQuery:   QueryContractJSON,
		generatedFilters: FiltersContractJSON,
	} {
		want, err := generate()
		if err != nil {
			t.Fatal(err)
		}
		checkGenerated(t, path, want)
	}
}

// queryContract and filtersContract are the generated files as the front end reads them.
type queryContract struct {
	Keys       []string `json:"keys"`
	QueryTypes map[string]struct {
		Label       string   `json:"label"`
		Description string   `json:"description"`
		Options     []string `json:"options"`
	} `json:"queryTypes"`
	Measures map[string]struct {
		Label        string   `json:"label"`
		Description  string   `json:"description"`
		Unit         string   `json:"unit"`
		Aggregations []string `json:"aggregations"`
		BucketedBy   string   `json:"bucketedBy"`
		GroupBy      []string `json:"groupBy"`
		PerMessage   bool     `json:"perMessage"`
	} `json:"measures"`
	DefaultMeasure string `json:"defaultMeasure"`
	Aggregations   map[string]struct {
		Label string `json:"label"`
	} `json:"aggregations"`
	Fields map[string]struct {
		Label     string `json:"label"`
		Groupable bool   `json:"groupable"`
		Listable  bool   `json:"listable"`
	} `json:"fields"`
	Bucket struct {
		MinSeconds  int64            `json:"minSeconds"`
		MaxSeconds  int64            `json:"maxSeconds"`
		UnitSeconds map[string]int64 `json:"unitSeconds"`
	} `json:"bucket"`
}

type filtersContract map[string]map[string]struct {
	Label                   string   `json:"label"`
	Help                    string   `json:"help"`
	Order                   int      `json:"order"`
	OneValuePerConversation bool     `json:"oneValuePerConversation"`
	Choices                 []string `json:"choices"`
}

func readContract(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func parses(raw string) error {
	_, err := ParseQuery([]byte(raw), "")
	return err
}

// What the editors offer, as they read it, is what ParseQuery accepts, and a filter reaches the
// API under the name the editor stores.
func TestContractFiltersAreAccepted(t *testing.T) {
	var f filtersContract
	readContract(t, generatedFilters, &f)
	from, to := time.Unix(0, 0), time.Unix(60, 0)
	var orders []int
	count := 0
	for kind, filters := range f {
		for key, spec := range filters {
			count++
			orders = append(orders, spec.Order)
			p, ok := agentsight.LookupFilter(key)
			if !ok || string(p.Kind) != kind {
				t.Errorf("filter %q of kind %q: the API's table has %+v", key, kind, p)
				continue
			}
			if spec.Label == "" || spec.Help == "" || spec.OneValuePerConversation != p.OneValuePerConversation {
				t.Errorf("filter %q: no label or help, or counts are added when they should not be: %+v", key, spec)
			}
			value := `"v"`
			switch p.Kind {
			case agentsight.FilterBool:
				value = "true"
			case agentsight.FilterChoice:
				if len(spec.Choices) == 0 {
					t.Fatalf("choice filter %q offers no choice", key)
				}
				value = `"` + spec.Choices[len(spec.Choices)-1] + `"`
			}
			q, err := ParseQuery([]byte(`{"filters":{"`+key+`":`+value+`}}`), "")
			if err != nil {
				t.Errorf("filter %q: %v", key, err)
				continue
			}
			combos, err := q.Filters.Combinations(context.Background(), from, to, 0)
			if err != nil {
				t.Fatal(err)
			}
			if v := combos[0].Values(); !v.Has(key) {
				t.Errorf("filter %q is not sent as %q: %v", key, key, v)
			}
		}
	}
	if count != len(agentsight.FilterParams()) {
		t.Errorf("the editors offer %d filters, the API has %d", count, len(agentsight.FilterParams()))
	}
	slices.Sort(orders)
	for i, o := range orders {
		if o != i {
			t.Errorf("the filters' places in the editor are %v, want 0 to %d once each", orders, count-1)
			break
		}
	}
}

func TestContractQueryIsAccepted(t *testing.T) {
	var q queryContract
	readContract(t, generatedQuery, &q)
	for _, k := range q.Keys {
		if err := parses(`{"` + k + `":null}`); err != nil {
			t.Errorf("query key %q: %v", k, err)
		}
	}
	if err := parses(`{"filtres":{}}`); err == nil {
		t.Error("a key the contract does not list is accepted")
	}
	if len(q.QueryTypes) != len(QueryTypes) {
		t.Errorf("the editors offer %d query types, the backend has %d", len(q.QueryTypes), len(QueryTypes))
	}
	for qt, spec := range q.QueryTypes {
		if got, err := ParseQuery([]byte(`{"queryType":"`+qt+`","field":"language"}`), ""); err != nil || string(got.Type) != qt {
			t.Errorf("queryType %q: %+v %v", qt, got, err)
		}
		for _, o := range spec.Options {
			if !slices.Contains(q.Keys, o) {
				t.Errorf("queryType %q: option %q is not a query key", qt, o)
			}
		}
	}
	if len(q.Fields) != len(agentsight.FieldNames()) {
		t.Errorf("the editors know %d fields, the backend %d", len(q.Fields), len(agentsight.FieldNames()))
	}
	for name, f := range q.Fields {
		if err := parses(`{"groupBy":"` + name + `"}`); (err == nil) != f.Groupable {
			t.Errorf("groupBy %q: groupable %v, ParseQuery says %v", name, f.Groupable, err)
		}
		if err := parses(`{"queryType":"values","field":"` + name + `"}`); (err == nil) != f.Listable {
			t.Errorf("values field %q: listable %v, ParseQuery says %v", name, f.Listable, err)
		}
	}
	b := q.Bucket
	for bucket, ok := range map[string]bool{
		fmt.Sprintf("%ds", b.MinSeconds): true, fmt.Sprintf("%ds", b.MinSeconds-1): false,
		fmt.Sprintf("%ds", b.MaxSeconds): true, fmt.Sprintf("%ds", b.MaxSeconds+1): false,
	} {
		if err := parses(`{"bucket":"` + bucket + `"}`); (err == nil) != ok {
			t.Errorf("bucket %s: accepted %v, want %v", bucket, err == nil, ok)
		}
	}
	for unit, seconds := range b.UnitSeconds {
		d, err := parseBucket("1" + unit)
		if err != nil || d != time.Duration(seconds)*time.Second {
			t.Errorf("bucket 1%s is %v (%v), the editor takes %ds", unit, d, err, seconds)
		}
	}
}

// Every measure and aggregation the editor offers together is accepted, the first aggregation
// is the default, and every other combination is refused naming both.
func TestContractStatsAreAccepted(t *testing.T) {
	var q queryContract
	readContract(t, generatedQuery, &q)
	if len(q.Measures) != len(MeasureSpecs()) || len(q.Aggregations) != len(AggregationSpecs()) {
		t.Fatalf("the editors know %d measures and %d aggregations", len(q.Measures), len(q.Aggregations))
	}
	if got, err := ParseQuery([]byte(`{"queryType":"stats"}`), ""); err != nil || string(got.Measure) != q.DefaultMeasure {
		t.Errorf("a stats query naming no measure reads %q (%v); the editors show %q", got.Measure, err, q.DefaultMeasure)
	}
	for m, spec := range q.Measures {
		got, err := ParseQuery([]byte(`{"queryType":"stats","measure":"`+m+`"}`), "")
		if err != nil || string(got.Aggregation) != spec.Aggregations[0] {
			t.Errorf("measure %q alone: %+v %v, want aggregation %q", m, got, err, spec.Aggregations[0])
		}
		for a := range q.Aggregations {
			err := parses(`{"queryType":"stats","measure":"` + m + `","aggregation":"` + a + `"}`)
			if valid := slices.Contains(spec.Aggregations, a); valid != (err == nil) {
				t.Errorf("%s of %s: offered %v, ParseQuery says %v", a, m, valid, err)
			} else if err != nil && (!strings.Contains(err.Error(), `"`+a+`"`) || !strings.Contains(err.Error(), `"`+m+`"`)) {
				t.Errorf("%s of %s: the error names neither: %v", a, m, err)
			}
		}
		for _, g := range append(slices.Clone(GroupByFields), SenderGroup) {
			err := parses(`{"queryType":"stats","measure":"` + m + `","groupBy":"` + g + `"}`)
			if valid := slices.Contains(spec.GroupBy, g); valid != (err == nil) {
				t.Errorf("groupBy %s of %s: offered %v, ParseQuery says %v", g, m, valid, err)
			}
		}
	}
}

// The settings the config page stores in jsonData are the ones LoadSettings reads, and each is
// read: a wrong type is an error naming it by its label.
func TestContractSettingsAreRead(t *testing.T) {
	raw, err := os.ReadFile(generatedSettings)
	if err != nil {
		t.Fatal(err)
	}
	var specs map[string]struct {
		Label string `json:"label"`
		Kind  string `json:"kind"`
	}
	if err := json.Unmarshal(raw, &specs); err != nil {
		t.Fatal(err)
	}
	var jsonData, secrets []string
	for key, s := range specs {
		switch SettingKind(s.Kind) {
		case KindURL:
		case KindSecret:
			secrets = append(secrets, key)
		default:
			jsonData = append(jsonData, key)
		}
	}
	var read []string
	typ := reflect.TypeFor[settingsJSON]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		read = append(read, name)
	}
	slices.Sort(jsonData)
	slices.Sort(read)
	if !slices.Equal(jsonData, read) {
		t.Errorf("the page stores jsonData %q, LoadSettings reads %q", jsonData, read)
	}
	for _, k := range jsonData {
		_, err := LoadSettings("", []byte(`{"`+k+`":{"x":1}}`), secure())
		if err == nil || !strings.Contains(err.Error(), specs[k].Label) {
			t.Errorf("jsonData %q is not read: %v", k, err)
		}
	}
	if len(secrets) != 1 {
		t.Fatalf("secrets %q, want the API key alone", secrets)
	}
	if s, err := LoadSettings("", nil, map[string]string{secrets[0]: "k"}); err != nil || s.APIKey != "k" {
		t.Errorf("secureJsonData %q is not read as the key: %v", secrets[0], err)
	}
}

// The README's query reference names every filter.
func TestReadmeListsEveryFilter(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range agentsight.FilterParams() {
		if !bytes.Contains(readme, []byte("`"+p.Key+"`")) {
			t.Errorf("README.md does not list the filter %q", p.Key)
		}
	}
}
