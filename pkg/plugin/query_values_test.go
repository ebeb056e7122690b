package plugin

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func TestValuesQuery(t *testing.T) {
	e := newEnv(t, true, nil)
	dr := e.query(map[string]any{"queryType": "values", "field": "country"}, rangeFrom, rangeTo)
	mustOK(t, dr)
	seen := map[string]bool{}
	for _, c := range e.inRange(rangeFrom, rangeTo, nil) {
		if c.HasGeo && c.Country != "" {
			seen[c.Country] = true
		}
	}
	var want []string
	for v := range seen {
		want = append(want, v)
	}
	slices.Sort(want)
	f := dr.Frames[0]
	var got []string
	for i := 0; i < f.Rows(); i++ {
		got = append(got, f.Fields[0].At(i).(string))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("values %v, want %v", got, want)
	}
	golden(t, "values_country", dr)
}

type sentResponses []*backend.CallResourceResponse

func (s *sentResponses) Send(r *backend.CallResourceResponse) error { *s = append(*s, r); return nil }

func TestValuesResource(t *testing.T) {
	e := newEnv(t, true, nil)
	for _, tc := range []struct {
		url    string
		status int
		body   string
	}{
		{"values?field=device&from=" + itoa(int(rangeFrom.UnixMilli())) + "&to=" + itoa(int(rangeTo.UnixMilli())), 200,
			`[{"text":"desktop","value":"desktop"},{"text":"mobile","value":"mobile"},{"text":"tablet","value":"tablet"}]`},
		{"values?field=colour", 400, `{"error":"field \"colour\" is not valid for a values query: use one of \"language\", \"device\", \"country\", \"city\", \"customer_id\""}`},
		{"nothing", 404, `{"error":"unknown resource \"nothing\""}`},
	} {
		var sent sentResponses
		path := tc.url
		if i := len("values"); len(path) >= i && path[:i] == "values" {
			path = "values"
		}
		err := e.ds.CallResource(t.Context(), &backend.CallResourceRequest{Method: "GET", Path: path, URL: "/resources/" + tc.url}, &sent)
		if err != nil || len(sent) != 1 {
			t.Fatalf("%s: err %v, %d responses", tc.url, err, len(sent))
		}
		if sent[0].Status != tc.status || !jsonEqual(sent[0].Body, tc.body) {
			t.Errorf("%s: %d %s, want %d %s", tc.url, sent[0].Status, sent[0].Body, tc.status, tc.body)
		}
	}
}

func jsonEqual(a []byte, b string) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal([]byte(b), &y) == nil && string(mustJSON(x)) == string(mustJSON(y))
}
