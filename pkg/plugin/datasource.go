// Package plugin is the AgentSight data source instance: it wires Grafana's requests to the
// API client (pkg/agentsight) and the frame builders (pkg/frames).
package plugin

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/frames"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/models"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
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
	// release forgets the instance in its Factory (nil: made without one).
	release func()
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

// Factory makes the data source instances of one plugin process. They share its memory
// budget (each instance's entries its own), and an instance replaced by a settings change
// is released at once rather than when the SDK disposes of it (5 s later): its cached
// entries go and its connections close, while its queries in flight finish.
type Factory struct {
	budget *agentsight.Budget

	mu sync.Mutex
	// current is the instance serving each data source, by the identity the SDK caches
	// instances under (see instanceIdentity).
	current map[string]*Datasource
}

// NewFactory returns the factory of a plugin process whose memory budget is budgetBytes:
// its instances keep at most KeptBytes of it between queries, together.
func NewFactory(budgetBytes int64) *Factory {
	return &Factory{budget: agentsight.NewBudget(KeptBytes(budgetBytes)), current: map[string]*Datasource{}}
}

// Budget is the memory budget the factory's instances share.
func (f *Factory) Budget() *agentsight.Budget { return f.budget }

// NewInstance is the datasource.InstanceFactoryFunc of the process.
func (f *Factory) NewInstance(ctx context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	d := newDatasource(ctx, s, f.budget)
	id := instanceIdentity(ctx, s)
	d.release = func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.current[id] == d {
			delete(f.current, id)
		}
	}
	f.mu.Lock()
	replaced := f.current[id]
	f.current[id] = d
	f.mu.Unlock()
	if replaced != nil {
		replaced.close()
	}
	return d, nil
}

var _ datasource.InstanceFactoryFunc = (*Factory)(nil).NewInstance

// instanceIdentity names a data source as the SDK's instance cache does: its id, UID and
// namespace (the organisation, or the stack of a multi-tenant Grafana). A new instance under
// the same identity replaces the previous one. Left out are the proxy settings' hash, the
// same for every request of one Grafana, and the tenant, which comes with a namespace of its
// own: finer than the SDK would be safe (an instance would only miss its early release),
// coarser would not.
func instanceIdentity(ctx context.Context, s backend.DataSourceInstanceSettings) string {
	return fmt.Sprintf("%d\x00%s\x00%s", s.ID, s.UID, backend.PluginConfigFromContext(ctx).Namespace)
}

// NewDatasource creates the instance for one data source's settings, with a memory budget of
// its own (the default size): for tests and tools that run one instance. The plugin process
// makes its instances with a Factory. It never fails: a bad setting becomes the error of
// every query and of the health check.
func NewDatasource(ctx context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	return newDatasource(ctx, s, agentsight.NewBudget(KeptBytes(DefaultMemoryBudget))), nil
}

func newDatasource(ctx context.Context, s backend.DataSourceInstanceSettings, budget *agentsight.Budget) *Datasource {
	d := &Datasource{links: frames.LinkTarget{UID: s.UID, Name: s.Name}}
	d.settings, d.settingsErr = models.LoadSettings(s.URL, s.JSONData, s.DecryptedSecureJSONData)
	if d.settingsErr != nil {
		return d
	}
	httpOpts, err := s.HTTPClientOptions(ctx)
	if err != nil {
		d.settingsErr = err
		return d
	}
	httpOpts.Timeouts.Timeout = d.settings.Timeout
	// The SDK's middleware chain around the transport does not forward CloseIdleConnections:
	// the client closes the transport itself.
	var transport *http.Transport
	configure := httpOpts.ConfigureTransport
	httpOpts.ConfigureTransport = func(opts httpclient.Options, t *http.Transport) {
		if configure != nil {
			configure(opts, t)
		}
		transport = t
	}
	httpClient, err := httpclient.New(httpOpts)
	if err != nil {
		d.settingsErr = err
		return d
	}
	opts := d.settings.ClientOptions(httpClient)
	opts.Budget = budget
	if transport != nil {
		opts.Transport = transport
	}
	d.client, d.settingsErr = agentsight.New(opts)
	return d
}

// Dispose releases the instance when Grafana replaces it after a settings change (the SDK
// calls it 5 s later; a Factory's instance is released when its successor is made): its
// entries in the memory budget go at once, its idle connections close at once and the
// others as their requests end.
func (d *Datasource) Dispose() {
	d.close()
	if d.release != nil {
		d.release()
	}
}

func (d *Datasource) close() {
	if d.client != nil {
		d.client.Close()
	}
}

// fromAlert says whether a request comes from an alert rule: Grafana's alerting sets the
// FromAlert header (backend.FromAlertHeaderName) to "true"; matched without regard to case,
// as HTTP headers are.
func fromAlert(headers map[string]string) bool {
	for k, v := range headers {
		if strings.EqualFold(k, backend.FromAlertHeaderName) && strings.EqualFold(strings.TrimSpace(v), "true") {
			return true
		}
	}
	return false
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
