package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/agentsight/agentsight-conversations-datasource/tests/internal/pluginhost"
)

// The key faults, through the real binary: throttling is retried, a hanging API ends at
// Grafana's deadline, a broken body is a clear error, and the key shows up nowhere, not even
// in the plugin's own log.
func TestFaultsOverGRPC(t *testing.T) {
	a := startAPI(t, true)
	total := func(ctx context.Context, ds pluginhost.DataSource) pluginhost.Result {
		t.Helper()
		res, err := plugin.QueryData(ctx, ds, pluginhost.Query{RefID: "A", JSON: map[string]any{"bucket": "total"}, From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		return res["A"]
	}

	a.fake.AddFault(fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: 429, RetryAfter: "0", Times: 2})
	if r := total(t.Context(), dataSource(a.url, fakeapi.DemoKey, nil)); r.Error != "" || len(r.Frames) != 1 {
		t.Fatalf("throttled twice: %q", r.Error)
	}

	a.fake.ClearFaults()
	a.fake.AddFault(fakeapi.Fault{Kind: fakeapi.FaultHang})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	r := total(ctx, dataSource(a.url, fakeapi.DemoKey, map[string]any{"timeout": "1s"}))
	cancel()
	if !strings.Contains(r.Error, "did not answer in time") {
		t.Fatalf("hanging API: %q", r.Error)
	}

	a.fake.ClearFaults()
	a.fake.AddFault(fakeapi.Fault{Kind: fakeapi.FaultBrokenJSON})
	if r := total(t.Context(), dataSource(a.url, fakeapi.DemoKey, nil)); !strings.HasPrefix(r.Error, "unexpected response from AgentSight: ") || r.ErrorSource != "downstream" {
		t.Fatalf("broken JSON: %q (%s)", r.Error, r.ErrorSource)
	}

	log := pluginLog.Bytes()
	if !bytes.Contains(log, []byte(`"query done"`)) {
		t.Fatal("the plugin's debug log was not captured, so the next check would prove nothing")
	}
	if bytes.Contains(log, []byte(fakeapi.DemoKey)) {
		t.Fatal("the API key appears in the plugin's log")
	}
}
