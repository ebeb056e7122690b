package plugin

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// The health check's details are what Grafana shows under the message: what was tried (the
// request, where the key goes, never the key) and a link to the documentation.
func TestCheckHealthDetails(t *testing.T) {
	e := newEnv(t, true, nil)
	for _, tc := range []struct {
		name     string
		jsonData map[string]any
		key      string
		status   backend.HealthStatus
		verbose  []string
		docs     bool
	}{
		{"ok", map[string]any{"timeout": "45s"}, testKey, backend.HealthStatusOk,
			[]string{"Tried: GET " + e.url + "/api/conversations/?page_size=1", "Authorization header (Authorization: Api-Key <API key>)", "timeout 45s"}, false},
		{"rejected key", nil, "nope-nope", backend.HealthStatusError,
			[]string{"Tried: GET " + e.url + "/api/conversations/?page_size=1", "Authorization: Api-Key <API key>", "401 Unauthorized"}, true},
		{"bad setting", map[string]any{"cacheTTL": "48h"}, testKey, backend.HealthStatusError,
			[]string{"Nothing was sent", "Cache TTL must be between 0s and 24h, got 48h"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := e.instance(tc.jsonData, tc.key)
			res, err := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
			if err != nil || res.Status != tc.status {
				t.Fatalf("%v %v", res, err)
			}
			var details struct {
				Message, VerboseMessage string
				ErrorDetailsLink        string `json:"errorDetailsLink"`
			}
			if err := json.Unmarshal(res.JSONDetails, &details); err != nil {
				t.Fatalf("details %s: %v", res.JSONDetails, err)
			}
			for _, w := range tc.verbose {
				if !strings.Contains(details.VerboseMessage, w) {
					t.Errorf("verboseMessage %q lacks %q", details.VerboseMessage, w)
				}
			}
			if (details.ErrorDetailsLink == DocsURL) != tc.docs || (tc.docs && details.Message == "") {
				t.Errorf("details %+v", details)
			}
			noKey(t, string(res.JSONDetails), res.Message)
		})
	}
}
