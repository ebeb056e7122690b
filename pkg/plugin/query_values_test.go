package plugin

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
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
		// A bad from/to is named, never sent upstream as year -292277022.
		{"values?field=device&from=yesterday", 400, `{"error":"from \"yesterday\" is not valid: use milliseconds since 1970-01-01 UTC, between years 1 and 9999"}`},
		{"values?field=device&to=-9223372036854775808", 400, `{"error":"to \"-9223372036854775808\" is not valid: use milliseconds since 1970-01-01 UTC, between years 1 and 9999"}`},
		{"values?field=device&from=253402300800000", 400, `{"error":"from \"253402300800000\" is not valid: use milliseconds since 1970-01-01 UTC, between years 1 and 9999"}`},
		{"values?field=device&from=1.5e12", 400, `{"error":"from \"1.5e12\" is not valid: use milliseconds since 1970-01-01 UTC, between years 1 and 9999"}`},
		{"values?field=device&from=" + itoa(int(rangeTo.UnixMilli())) + "&to=" + itoa(int(rangeFrom.UnixMilli())), 400, `{"error":"from must be before to"}`},
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

// An API that refuses the key is answered 400 with the health check's words: Grafana's front
// end takes a 401 from its own API as the user's session expiring (a login check and a retry),
// a 403 as the user's own, so the plugin's resources never answer either for AgentSight's.
func TestValuesResourceUpstreamRefusal(t *testing.T) {
	e := newEnv(t, true, nil)
	for _, tc := range []struct {
		key  string
		body string
	}{
		{"wrong-key", `{"error":"AgentSight rejected the API key (401 Unauthorized)"}`},
		{fakeapi.ForbiddenKey, `{"error":"the API key is not allowed to read this agent's conversations (403 Forbidden)"}`},
	} {
		ds := e.instance(nil, tc.key)
		var sent sentResponses
		err := ds.CallResource(t.Context(), &backend.CallResourceRequest{Method: "GET", Path: "values", URL: "/resources/values?field=device"}, &sent)
		if err != nil || len(sent) != 1 {
			t.Fatalf("%s: err %v, %d responses", tc.key, err, len(sent))
		}
		if sent[0].Status != 400 || !jsonEqual(sent[0].Body, tc.body) {
			t.Errorf("%s: %d %s, want 400 %s", tc.key, sent[0].Status, sent[0].Body, tc.body)
		}
		res, err := ds.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
		if err != nil || !jsonEqual(sent[0].Body, string(mustJSON(errorBody(res.Message)))) {
			t.Errorf("%s: the health check says %q (%v), the resource %s", tc.key, res.Message, err, sent[0].Body)
		}
	}
}

// The resource table answers an unknown method or path in JSON too, and nothing reaches the API.
func TestResourceRoutes(t *testing.T) {
	e := newEnv(t, true, nil)
	for _, tc := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"POST", "values", 405, `{"error":"only GET is supported"}`},
		{"GET", "values/extra", 404, `{"error":"unknown resource \"values/extra\""}`},
		{"GET", "", 404, `{"error":"unknown resource \"\""}`},
	} {
		var sent sentResponses
		err := e.ds.CallResource(t.Context(), &backend.CallResourceRequest{Method: tc.method, Path: tc.path, URL: "/resources/" + tc.path}, &sent)
		if err != nil || len(sent) != 1 || sent[0].Status != tc.status || !jsonEqual(sent[0].Body, tc.body) {
			t.Errorf("%s %s: %v %+v, want %d %s", tc.method, tc.path, err, sent, tc.status, tc.body)
		}
	}
	if n := e.fake.RequestCount(); n != 0 {
		t.Errorf("%d API requests", n)
	}
}

func jsonEqual(a []byte, b string) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal([]byte(b), &y) == nil && string(mustJSON(x)) == string(mustJSON(y))
}
