// Package pluginhost starts the built plugin binary the way Grafana does: the hashicorp
// go-plugin handshake, then the SDK's gRPC services (data, diagnostics, resource). End-to-end
// tests and the benchmark talk to the plugin only through it.
package pluginhost

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
)

// PluginID is the plugin's id, as Grafana sends it.
const PluginID = "agentsight-conversations-datasource"

// BuildTemp builds the plugin into a new temporary folder, within five minutes, for a test
// binary's TestMain; cleanup removes the folder.
func BuildTemp(repoRoot, prefix string) (bin string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if bin, err = Build(ctx, repoRoot, dir); err != nil {
		cleanup()
		return "", nil, err
	}
	return bin, cleanup, nil
}

// Build compiles the backend into dir and returns the binary's path. AGENTSIGHT_PLUGIN_BINARY
// names an already built binary instead (e.g. the one in dist/).
func Build(ctx context.Context, repoRoot, dir string) (string, error) {
	if bin := os.Getenv("AGENTSIGHT_PLUGIN_BINARY"); bin != "" {
		return filepath.Abs(bin)
	}
	bin := filepath.Join(dir, fmt.Sprintf("gpx_agentsight_%s_%s", runtime.GOOS, runtime.GOARCH))
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./pkg")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./pkg: %v\n%s", err, out)
	}
	return bin, nil
}

// Plugin is a running plugin process.
type Plugin struct {
	client      *plugin.Client
	Data        pluginv2.DataClient
	Diagnostics pluginv2.DiagnosticsClient
	Resource    pluginv2.ResourceClient
}

// Start launches the binary and completes the handshake. stderr receives the plugin's logs.
func Start(bin string, stderr io.Writer) (*Plugin, error) {
	if stderr == nil {
		stderr = io.Discard
	}
	cmd := exec.Command(bin)
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig: plugin.HandshakeConfig{
			ProtocolVersion:  grpcplugin.ProtocolVersion,
			MagicCookieKey:   grpcplugin.MagicCookieKey,
			MagicCookieValue: grpcplugin.MagicCookieValue,
		},
		Plugins: map[string]plugin.Plugin{
			"data":        &grpcplugin.DataGRPCPlugin{},
			"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
			"resource":    &grpcplugin.ResourceGRPCPlugin{},
		},
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		// Trace, so that tests can check that not even the debug log carries a secret.
		Logger:       hclog.New(&hclog.LoggerOptions{Output: stderr, Level: hclog.Trace, Name: "plugin"}),
		Stderr:       stderr,
		StartTimeout: 30 * time.Second,
	})
	rpc, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("plugin handshake: %w", err)
	}
	p := &Plugin{client: client}
	for name, target := range map[string]any{"data": &p.Data, "diagnostics": &p.Diagnostics, "resource": &p.Resource} {
		raw, err := rpc.Dispense(name)
		if err != nil {
			client.Kill()
			return nil, fmt.Errorf("dispense %s: %w", name, err)
		}
		switch t := target.(type) {
		case *pluginv2.DataClient:
			*t = raw.(pluginv2.DataClient)
		case *pluginv2.DiagnosticsClient:
			*t = raw.(pluginv2.DiagnosticsClient)
		case *pluginv2.ResourceClient:
			*t = raw.(pluginv2.ResourceClient)
		}
	}
	return p, nil
}

// Pid is the plugin process id (for measuring its memory).
func (p *Plugin) Pid() int {
	if rc := p.client.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

// Stop ends the plugin process.
func (p *Plugin) Stop() { p.client.Kill() }

// DataSource is the data source configuration Grafana would send.
type DataSource struct {
	UID      string
	Name     string
	URL      string
	JSONData map[string]any
	APIKey   string
	// Updated changes when the settings change, which makes the SDK create a new instance.
	Updated time.Time
}

// Context is the plugin context of a request to this data source.
func (ds DataSource) Context() *pluginv2.PluginContext {
	jsonData, _ := json.Marshal(ds.JSONData)
	secure := map[string]string{}
	if ds.APIKey != "" {
		secure["apiKey"] = ds.APIKey
	}
	return &pluginv2.PluginContext{
		OrgId:    1,
		PluginId: PluginID,
		DataSourceInstanceSettings: &pluginv2.DataSourceInstanceSettings{
			Uid:                     ds.UID,
			Name:                    ds.Name,
			Url:                     ds.URL,
			JsonData:                jsonData,
			DecryptedSecureJsonData: secure,
			LastUpdatedMS:           ds.Updated.UnixMilli(),
		},
	}
}

// Query is one query of a QueryData request.
type Query struct {
	RefID         string
	JSON          map[string]any
	From, To      time.Time
	Interval      time.Duration
	MaxDataPoints int64
}

// Result is one query's answer, decoded from Arrow.
type Result struct {
	Frames      data.Frames
	Error       string
	Status      int32
	ErrorSource string
}

// QueryData sends the queries in one request, as a dashboard refresh does.
func (p *Plugin) QueryData(ctx context.Context, ds DataSource, queries ...Query) (map[string]Result, error) {
	resp, err := p.QueryDataReply(ctx, ds, queries...)
	if err != nil {
		return nil, err
	}
	return DecodeReply(resp)
}

// QueryDataReply sends the queries as one QueryData request and returns the plugin's reply as
// Grafana receives it, frames still Arrow-encoded: the plugin's answer time ends here.
func (p *Plugin) QueryDataReply(ctx context.Context, ds DataSource, queries ...Query) (*pluginv2.QueryDataResponse, error) {
	return p.QueryDataHeaders(ctx, ds, nil, queries...)
}

// QueryDataHeaders is QueryDataReply with the request's headers, such as the "FromAlert":
// "true" Grafana's alerting sends.
func (p *Plugin) QueryDataHeaders(ctx context.Context, ds DataSource, headers map[string]string, queries ...Query) (*pluginv2.QueryDataResponse, error) {
	req := &pluginv2.QueryDataRequest{PluginContext: ds.Context(), Headers: headers}
	for _, q := range queries {
		raw, err := json.Marshal(q.JSON)
		if err != nil {
			return nil, err
		}
		qt, _ := q.JSON["queryType"].(string)
		req.Queries = append(req.Queries, &pluginv2.DataQuery{
			RefId:         q.RefID,
			QueryType:     qt,
			Json:          raw,
			MaxDataPoints: q.MaxDataPoints,
			IntervalMS:    q.Interval.Milliseconds(),
			TimeRange: &pluginv2.TimeRange{
				FromEpochMS: q.From.UnixMilli(),
				ToEpochMS:   q.To.UnixMilli(),
			},
		})
	}
	return p.Data.QueryData(ctx, req)
}

// DecodeReply decodes the Arrow frames of a QueryData reply.
func DecodeReply(resp *pluginv2.QueryDataResponse) (map[string]Result, error) {
	out := map[string]Result{}
	for refID, r := range resp.Responses {
		frames, err := data.UnmarshalArrowFrames(r.Frames)
		if err != nil {
			return nil, fmt.Errorf("%s: decoding Arrow frames: %w", refID, err)
		}
		out[refID] = Result{Frames: frames, Error: r.Error, Status: r.Status, ErrorSource: r.ErrorSource}
	}
	return out, nil
}

// CheckHealth presses "Save & test".
func (p *Plugin) CheckHealth(ctx context.Context, ds DataSource) (*pluginv2.CheckHealthResponse, error) {
	return p.Diagnostics.CheckHealth(ctx, &pluginv2.CheckHealthRequest{PluginContext: ds.Context()})
}

// CallResource calls a resource path (e.g. "values?field=language") and returns status and body.
func (p *Plugin) CallResource(ctx context.Context, ds DataSource, pathAndQuery string) (int, []byte, error) {
	path := strings.SplitN(pathAndQuery, "?", 2)[0]
	stream, err := p.Resource.CallResource(ctx, &pluginv2.CallResourceRequest{
		PluginContext: ds.Context(),
		Path:          path,
		Method:        "GET",
		Url:           "/api/datasources/uid/" + ds.UID + "/resources/" + pathAndQuery,
	})
	if err != nil {
		return 0, nil, err
	}
	var status int
	var body []byte
	for {
		msg, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, nil, err
		}
		if msg.Code != 0 {
			status = int(msg.Code)
		}
		body = append(body, msg.Body...)
	}
	return status, body, nil
}
