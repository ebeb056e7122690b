package plugin

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// One bad query never spoils the others of the same request, and each error names what is
// wrong.
func TestQueryErrorsArePerQuery(t *testing.T) {
	e := newEnv(t, true, nil)
	resp := e.queries(map[string]map[string]any{
		"good":      {"bucket": "total"},
		"type":      {"queryType": "histogram"},
		"filter":    {"filters": map[string]any{"colour": "red"}},
		"bucket":    {"bucket": "fortnight"},
		"groupBy":   {"groupBy": "mood"},
		"limit":     {"queryType": "conversations", "limit": -5},
		"badFilter": {"filters": map[string]any{"has_messages": "maybe"}},
		"notJSON":   nil,
	}, rangeFrom, rangeTo)
	if resp["good"].Error != nil {
		t.Fatalf("good query failed: %v", resp["good"].Error)
	}
	for refID, want := range map[string]string{
		"type":      `unknown queryType "histogram"`,
		"filter":    `unknown filter "colour"`,
		"bucket":    `bucket "fortnight" is not valid`,
		"groupBy":   `unknown groupBy "mood"`,
		"limit":     `limit -5 is not valid`,
		"badFilter": `filter "has_messages" has value "maybe"`,
	} {
		r := resp[refID]
		if r.Error == nil || !strings.Contains(r.Error.Error(), want) {
			t.Errorf("%s: error %v, want it to contain %q", refID, r.Error, want)
			continue
		}
		if r.Status != backend.StatusBadRequest || r.ErrorSource != backend.ErrorSourceDownstream {
			t.Errorf("%s: status %v source %v", refID, r.Status, r.ErrorSource)
		}
	}
	// A null model is a count over the range, like an alert rule with nothing set.
	if resp["notJSON"].Error != nil {
		t.Errorf("null model: %v", resp["notJSON"].Error)
	}
}

// The design's error table, as the user reads it on a panel.
func TestAPIErrorsWording(t *testing.T) {
	e := newEnv(t, true, nil)
	for _, tc := range []struct {
		name  string
		key   string
		fault *fakeapi.Fault
		model map[string]any
		want  string
	}{
		{"bad key", "wrong-key", nil, map[string]any{"bucket": "total"}, "AgentSight rejected the API key (401 Unauthorized)"},
		{"forbidden", fakeapi.ForbiddenKey, nil, map[string]any{"bucket": "total"}, "the API key is not allowed to read this agent's conversations (403 Forbidden)"},
		{"bad request", testKey, &fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: 400}, map[string]any{"bucket": "total"}, "AgentSight rejected the query (400 Bad Request)"},
		{"server error", testKey, &fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: 500}, map[string]any{"bucket": "total"}, "AgentSight answered 500 Internal Server Error"},
		{"broken JSON", testKey, &fakeapi.Fault{Kind: fakeapi.FaultBrokenJSON}, map[string]any{"bucket": "total"}, "unexpected response from AgentSight: "},
		{"wrong types", testKey, &fakeapi.Fault{Kind: fakeapi.FaultWrongTypes}, map[string]any{"queryType": "conversations"}, "unexpected response from AgentSight: "},
		{"bad timestamp", testKey, &fakeapi.Fault{Kind: fakeapi.FaultBadTimestamp}, map[string]any{"queryType": "conversations"}, "unexpected response from AgentSight: "},
		{"html page", testKey, &fakeapi.Fault{Kind: fakeapi.FaultHTMLError, Status: 404}, map[string]any{"bucket": "total"}, "AgentSight answered 404 Not Found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.fake.ClearFaults()
			if tc.fault != nil {
				e.fake.AddFault(*tc.fault)
			}
			d := e.instance(map[string]any{"cacheTTL": 0}, tc.key)
			resp, err := d.QueryData(t.Context(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "A", JSON: mustJSON(tc.model), TimeRange: backend.TimeRange{From: rangeFrom, To: rangeTo}}}})
			if err != nil {
				t.Fatal(err)
			}
			r := resp.Responses["A"]
			if r.Error == nil || !strings.HasPrefix(r.Error.Error(), tc.want) {
				t.Fatalf("error %v, want it to start with %q", r.Error, tc.want)
			}
			if r.ErrorSource != backend.ErrorSourceDownstream {
				t.Fatalf("error source %q", r.ErrorSource)
			}
			noKey(t, r.Error.Error())
		})
	}
}

func TestBadSettingsFailEveryQuery(t *testing.T) {
	e := newEnv(t, true, nil)
	for _, tc := range []struct {
		jsonData map[string]any
		key      string
		want     string
	}{
		{nil, "", "API key is missing: add it in the data source settings"},
		{map[string]any{"pageSize": 500}, testKey, "settings: Page size must be between 1 and 100, got 500"},
		{map[string]any{"timeout": "soon"}, testKey, `settings: Timeout must be a duration such as "30s" (between 1s and 10m), got "soon"`},
	} {
		d := e.instance(tc.jsonData, tc.key)
		resp, _ := d.QueryData(t.Context(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "A", JSON: []byte(`{}`)}}})
		if got := resp.Responses["A"].Error; got == nil || got.Error() != tc.want {
			t.Errorf("error %v, want %q", got, tc.want)
		}
		health, _ := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
		if health.Status != backend.HealthStatusError || health.Message != tc.want {
			t.Errorf("health %v %q, want %q", health.Status, health.Message, tc.want)
		}
	}
}

func TestCheckHealth(t *testing.T) {
	e := newEnv(t, true, nil)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	for _, tc := range []struct {
		name, url, key string
		status         backend.HealthStatus
		message        string
	}{
		{"ok", e.url, testKey, backend.HealthStatusOk, "Connected to AgentSight: the API key can see 2000 conversations"},
		{"401", e.url, "nope", backend.HealthStatusError, "AgentSight rejected the API key (401 Unauthorized)"},
		{"403", e.url, fakeapi.ForbiddenKey, backend.HealthStatusError, "the API key is not allowed to read this agent's conversations (403 Forbidden)"},
		{"unreachable", closedURL, testKey, backend.HealthStatusError, "could not reach AgentSight at " + closedURL + ": "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saved := e.url
			e.url = tc.url
			d := e.instance(nil, tc.key)
			e.url = saved
			res, err := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status || !strings.HasPrefix(res.Message, tc.message) {
				t.Fatalf("%v %q, want %v %q", res.Status, res.Message, tc.status, tc.message)
			}
			noKey(t, res.Message)
		})
	}
	if r := e.fake.Requests()[0]; r.Query.Get("page_size") != "1" {
		t.Fatalf("health check sent %v, want page_size=1", r.Query)
	}
}
