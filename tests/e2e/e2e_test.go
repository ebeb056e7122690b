// Package e2e runs the built plugin binary as Grafana does (go-plugin handshake, gRPC) against
// the fake Conversation API on loopback.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/agentsight/agentsight-conversations-datasource/tests/internal/pluginhost"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
)

var (
	plugin    *pluginhost.Plugin
	pluginLog pluginhost.Log
	from      = time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC)
	to        = time.Date(2026, 10, 17, 0, 0, 0, 0, time.UTC)
)

func TestMain(m *testing.M) {
	os.Exit(pluginhost.RunShared(m, "../..", "agentsight-e2e", &pluginLog, &plugin))
}

type api struct {
	fake    *fakeapi.Server
	url     string
	dataset *fakeapi.Dataset
}

func startAPI(t *testing.T, embed bool) *api {
	t.Helper()
	ds := fakeapi.NewDataset(fakeapi.DatasetOptions{Conversations: 3000})
	srv := fakeapi.New(fakeapi.Options{Dataset: ds, EmbedMessages: embed})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return &api{fake: srv, url: hs.URL, dataset: ds}
}

var nextID int64

// dataSource is a fresh data source (own instance in the plugin) pointing at url.
func dataSource(url, key string, jsonData map[string]any) pluginhost.DataSource {
	nextID++
	return pluginhost.DataSource{UID: fmt.Sprintf("ds-%d", nextID), Name: "AgentSight", URL: url, APIKey: key, JSONData: jsonData, Updated: time.Now()}
}

func (a *api) truth(keep func(*fakeapi.Conversation) bool) []*fakeapi.Conversation {
	var out []*fakeapi.Conversation
	for i := range a.dataset.Conversations {
		c := &a.dataset.Conversations[i]
		if !c.StartedAt.Before(from) && !c.StartedAt.After(to) && (keep == nil || keep(c)) {
			out = append(out, c)
		}
	}
	return out
}

func TestCheckHealthOverGRPC(t *testing.T) {
	a := startAPI(t, true)
	closed := httptest.NewServer(nil)
	closedURL := closed.URL
	closed.Close()
	for _, tc := range []struct {
		name, url, key string
		status         pluginv2.CheckHealthResponse_HealthStatus
		message        string
	}{
		{"ok", a.url, fakeapi.DemoKey, pluginv2.CheckHealthResponse_OK, "Connected to AgentSight: the API key can see 3000 conversations"},
		{"401", a.url, "wrong", pluginv2.CheckHealthResponse_ERROR, "AgentSight rejected the API key (401 Unauthorized)"},
		{"403", a.url, fakeapi.ForbiddenKey, pluginv2.CheckHealthResponse_ERROR, "the API key is not allowed to read this agent's conversations (403 Forbidden)"},
		{"unreachable", closedURL, fakeapi.DemoKey, pluginv2.CheckHealthResponse_ERROR, "could not reach AgentSight at " + closedURL},
		{"no key", a.url, "", pluginv2.CheckHealthResponse_ERROR, "API key is missing: add it in the data source settings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := plugin.CheckHealth(t.Context(), dataSource(tc.url, tc.key, nil))
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status || !strings.HasPrefix(res.Message, tc.message) {
				t.Fatalf("%v %q, want %v %q", res.Status, res.Message, tc.status, tc.message)
			}
			if tc.key != "" && strings.Contains(res.Message, tc.key) {
				t.Fatal("the key leaked into the health message")
			}
		})
	}
}

func TestEveryQueryTypeOverGRPC(t *testing.T) {
	for _, embed := range []bool{true, false} {
		t.Run(map[bool]string{true: "messages embedded", false: "messages: []"}[embed], func(t *testing.T) {
			a := startAPI(t, embed)
			ds := dataSource(a.url, fakeapi.DemoKey, map[string]any{"pageSize": 50})
			q := func(refID string, model map[string]any) pluginhost.Query {
				return pluginhost.Query{RefID: refID, JSON: model, From: from, To: to, Interval: time.Hour, MaxDataPoints: 500}
			}
			res, err := plugin.QueryData(t.Context(), ds,
				q("total", map[string]any{"bucket": "total", "filters": map[string]any{"language": "en"}}),
				q("series", map[string]any{"queryType": "count", "groupBy": "device", "bucket": "1d"}),
				q("table", map[string]any{"queryType": "conversations", "filters": map[string]any{"has_messages": false}}),
				q("messages", map[string]any{"queryType": "messages", "filters": map[string]any{"customer_id": "cust_0001"}}),
				q("attachments", map[string]any{"queryType": "attachments", "conversationId": 7}),
				q("values", map[string]any{"queryType": "values", "field": "language"}),
				q("broken", map[string]any{"queryType": "count", "groupBy": "weather"}),
			)
			if err != nil {
				t.Fatal(err)
			}
			for refID, r := range res {
				if refID != "broken" && r.Error != "" {
					t.Fatalf("%s: %s", refID, r.Error)
				}
			}
			if got := res["broken"].Error; !strings.HasPrefix(got, `unknown groupBy "weather"`) {
				t.Fatalf("broken: %q", got)
			}

			en := len(a.truth(func(c *fakeapi.Conversation) bool { return c.Language == "en" }))
			if v, _ := res["total"].Frames[0].Fields[0].FloatAt(0); int(v) != en {
				t.Errorf("total: %v, want %d", v, en)
			}

			perDevice := map[string]float64{}
			for _, c := range a.truth(nil) {
				perDevice[c.Device]++
			}
			for _, f := range res["series"].Frames {
				sum := 0.0
				for i := 0; i < f.Rows(); i++ {
					v, _ := f.Fields[1].FloatAt(i)
					sum += v
				}
				if dev := f.Fields[1].Labels["device"]; sum != perDevice[dev] {
					t.Errorf("series %s sums to %v, want %v", dev, sum, perDevice[dev])
				}
			}
			if len(res["series"].Frames) != len(perDevice) {
				t.Errorf("%d series, want %d", len(res["series"].Frames), len(perDevice))
			}

			silent := len(a.truth(func(c *fakeapi.Conversation) bool { return len(c.Messages) == 0 }))
			if n := res["table"].Frames[0].Rows(); n != silent {
				t.Errorf("conversations without messages: %d rows, want %d", n, silent)
			}

			var msgs int
			for _, c := range a.truth(func(c *fakeapi.Conversation) bool { return c.CustomerID == "cust_0001" }) {
				msgs += len(c.Messages)
			}
			if n := res["messages"].Frames[0].Rows(); n != msgs {
				t.Errorf("messages of cust_0001: %d rows, want %d", n, msgs)
			}

			atts := 0
			for _, m := range a.dataset.Conversation(7).Messages {
				atts += len(m.Attachments)
			}
			if n := res["attachments"].Frames[0].Rows(); n != atts {
				t.Errorf("attachments of 7: %d rows, want %d", n, atts)
			}

			if n := res["values"].Frames[0].Rows(); n < 3 {
				t.Errorf("only %d languages", n)
			}

			raw, _ := json.Marshal(res)
			if bytes.Contains(raw, []byte(fakeapi.DemoKey)) {
				t.Fatal("the API key appears in a response")
			}
		})
	}
}

func TestValuesResourceOverGRPC(t *testing.T) {
	a := startAPI(t, true)
	status, body, err := plugin.CallResource(t.Context(), dataSource(a.url, fakeapi.DemoKey, nil),
		fmt.Sprintf("values?field=device&from=%d&to=%d", from.UnixMilli(), to.UnixMilli()))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"text":"desktop","value":"desktop"},{"text":"mobile","value":"mobile"},{"text":"tablet","value":"tablet"}]`
	if status != 200 || string(body) != want {
		t.Fatalf("%d %s, want 200 %s", status, body, want)
	}
}
