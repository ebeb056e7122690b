// Package plugin is the AgentSight data source instance: it wires Grafana's requests to the
// API client (pkg/agentsight) and the frame builders (pkg/frames).
package plugin

import (
	"context"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/frames"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/models"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
)

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// Datasource is one configured AgentSight data source. Its client (and so its cache and its
// bound on requests in flight) is shared by every query and user of the data source.
type Datasource struct {
	settings models.Settings
	// settingsErr is kept rather than returned by NewDatasource so that every query and the
	// health check can show the user what is wrong with the settings.
	settingsErr error
	client      *agentsight.Client
	links       frames.LinkTarget
	// now is the clock that settles conversations (nil: time.Now); tests move it.
	now func() time.Time
	// shared lets identical queries in flight at the same time share one answer.
	shared sharedQueries
}

// settled is which conversations a refresh may take from what it read before: those that
// started more than settleAfter ago (none when settleAfter is 0).
func (d *Datasource) settled() agentsight.Settled {
	if d.settings.SettleAfter <= 0 {
		return agentsight.Settled{}
	}
	now := time.Now
	if d.now != nil {
		now = d.now
	}
	// On the minute: the listings of a dashboard's panels, kept at slightly different
	// moments, then end at the same instant, and so share their tails' pages.
	before := now().Add(-d.settings.SettleAfter).Truncate(time.Minute)
	return agentsight.Settled{Before: before, MaxAge: d.settings.SettledMaxAge}
}

// NewDatasource creates the instance for one data source's settings. It never fails: a bad
// setting becomes the error of every query and of the health check.
func NewDatasource(ctx context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	d := &Datasource{links: frames.LinkTarget{UID: s.UID, Name: s.Name}}
	d.settings, d.settingsErr = models.LoadSettings(s.URL, s.JSONData, s.DecryptedSecureJSONData)
	if d.settingsErr != nil {
		return d, nil
	}
	httpOpts, err := s.HTTPClientOptions(ctx)
	if err != nil {
		d.settingsErr = err
		return d, nil
	}
	httpOpts.Timeouts.Timeout = d.settings.Timeout
	httpClient, err := httpclient.New(httpOpts)
	if err != nil {
		d.settingsErr = err
		return d, nil
	}
	d.client, d.settingsErr = agentsight.New(d.settings.ClientOptions(httpClient))
	return d, nil
}

// Dispose releases the instance's cached responses and idle connections when Grafana
// replaces it after a settings change.
func (d *Datasource) Dispose() {
	if d.client != nil {
		d.client.Close()
	}
}

// redact removes the API key from any text that leaves the plugin. Nothing should contain
// it; this is the last line of defence should a future message quote a header.
func (d *Datasource) redact(s string) string {
	// A key of a few characters would blank out ordinary text; no real key is that short.
	if len(d.settings.APIKey) < 4 {
		return s
	}
	return agentsight.Redact(s, d.settings.APIKey)
}
