package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/models"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// DocsURL is the troubleshooting section the health check links to.
const DocsURL = "https://github.com/agentsight/agentsight-conversations-datasource#troubleshooting"

// healthDetails are the details Grafana shows under the health check's message: message under
// the title, verboseMessage in an expandable block (what was tried), and a link to the docs.
type healthDetails struct {
	Message        string `json:"message,omitempty"`
	VerboseMessage string `json:"verboseMessage,omitempty"`
	DocsLink       string `json:"errorDetailsLink,omitempty"`
}

// CheckHealth answers the "Save & test" button with one cheap request (page_size=1) that
// proves the URL, the network path and the key, and says how much the key can see.
func (d *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if d.settingsErr != nil {
		msg := d.redact(d.settingsErr.Error())
		return d.health(backend.HealthStatusError, msg, healthDetails{
			Message:        "Fix the setting on this page, then Save & test again. Limits of every setting: see the documentation.",
			VerboseMessage: "Nothing was sent to AgentSight: the settings were checked first.\n" + msg,
			DocsLink:       DocsURL,
		}), nil
	}
	tried := d.tried()
	n, _, err := d.client.Count(ctx, agentsight.Filters{}, agentsight.Settled{})
	if err != nil {
		_, _, msg := d.describe(err, 0)
		return d.health(backend.HealthStatusError, msg, healthDetails{
			Message:        "Check the URL and the API key, and that Grafana's server can reach the URL.",
			VerboseMessage: tried + "\n" + msg,
			DocsLink:       DocsURL,
		}), nil
	}
	noun := "conversations"
	if n == 1 {
		noun = "conversation"
	}
	return d.health(backend.HealthStatusOk, fmt.Sprintf("Connected to AgentSight: the API key can see %d %s", n, noun), healthDetails{
		VerboseMessage: tried,
	}), nil
}

// tried says what the health check sends: the request, and where the key goes (never the key).
func (d *Datasource) tried() string {
	endpoint := d.settings.URL
	if u, err := url.Parse(d.settings.URL); err == nil {
		u.Path += "/api/conversations/"
		u.RawQuery = "page_size=1"
		endpoint = u.String()
	}
	where := d.settings.AuthHeader + ": "
	if d.settings.AuthScheme != "" {
		where += d.settings.AuthScheme + " "
	}
	return fmt.Sprintf("Tried: GET %s\nwith the API key in the %s header (%s<API key>), timeout %s.",
		endpoint, d.settings.AuthHeader, where, models.FormatDuration(d.settings.Timeout))
}

func (d *Datasource) health(status backend.HealthStatus, msg string, details healthDetails) *backend.CheckHealthResult {
	details.Message = d.redact(details.Message)
	details.VerboseMessage = d.redact(details.VerboseMessage)
	raw, err := json.Marshal(details)
	if err != nil {
		raw = nil
	}
	return &backend.CheckHealthResult{Status: status, Message: msg, JSONDetails: raw}
}
