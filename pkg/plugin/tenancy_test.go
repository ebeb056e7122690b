package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/google/go-cmp/cmp"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

const otherKey = "other-tenant-key"

// tenantQueries are the panels both tenants ask for: every plan that keeps something between
// queries (responses, settled rows, settled counts).
var tenantQueries = []map[string]any{
	{"queryType": "conversations", "limit": 300},
	{"queryType": "count", "bucket": "total"},
	{"queryType": "count", "bucket": "6h", "groupBy": "language"},
	{"queryType": "count", "bucket": "1h", "filters": map[string]any{"language": "en"}},
	{"queryType": "annotations"},
}

// Two data sources of one process on one API URL, with keys that see different
// conversations, ask the same queries interleaved, again and again: every answer is the
// key's own cold answer (from an instance alone), never one the other tenant's reads left.
func TestTenantsNeverSeeEachOthersData(t *testing.T) {
	dataset := fakeapi.NewDataset(fakeapi.DatasetOptions{Conversations: 2000})
	srv := fakeapi.New(fakeapi.Options{
		Dataset: dataset, EmbedMessages: true,
		Keys: map[string]int{testKey: http.StatusOK, otherKey: http.StatusOK},
		// The other tenant sees a third of the conversations.
		Sees: func(key string, c *fakeapi.Conversation) bool { return (c.ID%3 == 0) == (key == otherKey) },
	})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	e := &env{t: t, fake: srv, url: hs.URL, truth: dataset}
	// Settled after 1 minute: the range's rows are kept as settled rows, which refreshes reuse.
	settings := map[string]any{"pageSize": 50, "settleAfter": "1m"}
	from, to := rangeFrom, rangeTo

	cold := map[string][]string{}
	for _, key := range []string{testKey, otherKey} {
		alone := e.instance(settings, key)
		for _, q := range tenantQueries {
			cold[key] = append(cold[key], answerText(t, queryOn(t, alone, nil, q, from, to)))
		}
		alone.Dispose()
	}
	for i := range tenantQueries {
		if cold[testKey][i] == cold[otherKey][i] {
			t.Fatalf("query %d: the two keys' cold answers are equal; the test could not tell them apart", i)
		}
	}

	factory := NewFactory(64 << 20)
	tenant := func(uid, key, namespace string) *Datasource {
		raw, _ := json.Marshal(settings)
		ctx := backend.WithPluginContext(context.Background(), backend.PluginContext{Namespace: namespace})
		inst, err := factory.NewInstance(ctx, backend.DataSourceInstanceSettings{
			UID: uid, Name: "AgentSight", URL: hs.URL, JSONData: raw, DecryptedSecureJSONData: map[string]string{"apiKey": key},
		})
		if err != nil {
			t.Fatal(err)
		}
		d := inst.(*Datasource)
		t.Cleanup(d.Dispose)
		return d
	}
	// Same UID in two organisations, as two Grafana orgs provisioned alike would have.
	tenants := map[string]*Datasource{testKey: tenant("agentsight-uid", testKey, "default"), otherKey: tenant("agentsight-uid", otherKey, "org-2")}
	for round := range 3 {
		for i, q := range tenantQueries {
			for _, key := range []string{testKey, otherKey, testKey} {
				got := answerText(t, queryOn(t, tenants[key], nil, q, from, to))
				if diff := cmp.Diff(cold[key][i], got); diff != "" {
					t.Fatalf("round %d, query %d, key %s: the answer differs from the key's cold answer (-cold +got):\n%s", round, i, key, diff)
				}
			}
		}
	}
	if factory.Budget().Bytes() == 0 {
		t.Fatal("nothing was kept in the shared budget: the test did not exercise it")
	}
}

// answerText is a query's answer without its notices and executed-query text, which say
// how the answer was read (requests, cache hits) rather than what it is.
func answerText(t *testing.T, dr backend.DataResponse) string {
	t.Helper()
	if dr.Error != nil {
		t.Fatalf("query failed: %v", dr.Error)
	}
	var out string
	for _, f := range dr.Frames {
		plain := data.NewFrame(f.Name, f.Fields...)
		b, err := json.Marshal(plain)
		if err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("%s\n", b)
	}
	return out
}

// A Factory's instances share its budget, and an instance replaced by a new one for the same
// data source is released at once: its entries go, and later queries on it still work.
func TestFactoryReleasesAReplacedInstanceAtOnce(t *testing.T) {
	e := newEnv(t, true, nil)
	factory := NewFactory(64 << 20)
	settings := backend.DataSourceInstanceSettings{ID: 7, UID: "ds", Name: "AgentSight", URL: e.url, JSONData: []byte(`{}`), DecryptedSecureJSONData: map[string]string{"apiKey": testKey}}
	make := func(ctx context.Context, s backend.DataSourceInstanceSettings) *Datasource {
		inst, err := factory.NewInstance(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		d := inst.(*Datasource)
		t.Cleanup(d.Dispose)
		return d
	}
	ctx := backend.WithPluginContext(context.Background(), backend.PluginContext{Namespace: "default"})
	old := make(ctx, settings)
	q := map[string]any{"queryType": "conversations", "limit": 100}
	mustOK(t, queryOn(t, old, nil, q, rangeFrom, rangeTo))
	kept := factory.Budget().Bytes()
	if kept == 0 {
		t.Fatal("the query kept nothing")
	}
	// Another data source (another organisation, same UID) does not replace it.
	mustOK(t, queryOn(t, make(backend.WithPluginContext(context.Background(), backend.PluginContext{Namespace: "org-2"}), settings), nil, q, rangeFrom, rangeTo))
	if got := factory.Budget().Bytes(); got != 2*kept {
		t.Fatalf("after a second data source's query the budget holds %d bytes, want %d", got, 2*kept)
	}
	newer := make(ctx, settings) // saved again: same identity
	if got := factory.Budget().Bytes(); got != kept {
		t.Errorf("after the replacement the budget holds %d bytes, want %d: the old instance's entries should be gone", got, kept)
	}
	before := e.fake.RequestCount()
	mustOK(t, queryOn(t, old, nil, q, rangeFrom, rangeTo))
	mustOK(t, queryOn(t, newer, nil, q, rangeFrom, rangeTo))
	if sent := e.fake.RequestCount() - before; sent == 0 {
		t.Error("the replaced instance answered from a cache it should no longer have")
	}
}

func TestMemoryBudgetSetting(t *testing.T) {
	tests := []struct {
		value   string
		want    int64
		wantErr string
	}{
		{"", 256 << 20, ""},
		{"512MiB", 512 << 20, ""},
		{" 1GiB ", 1 << 30, ""},
		{"100mb", 100_000_000, ""},
		{"64 KiB", 64 << 10, ""},
		{"0", 0, ""},
		{"256", 256 << 20, "has no unit"},
		{"lots", 256 << 20, "has no unit"},
		{"-5MiB", 256 << 20, "is not a size"},
		{"1.5GiB", 256 << 20, "is not a size"},
		{"2000GiB", 256 << 20, "more than 1TiB"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			got, err := MemoryBudget(func(name string) string {
				if name != "GF_PLUGIN_MEMORY_BUDGET" {
					t.Fatalf("read %s", name)
				}
				return tt.value
			})
			if got != tt.want {
				t.Errorf("budget = %d, want %d", got, tt.want)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v", err)
			case tt.wantErr != "" && (err == nil || !containsAll(err.Error(), tt.wantErr, "memory_budget", "using the default")):
				t.Errorf("error %v, want one saying %q, naming the setting and the default", err, tt.wantErr)
			}
		})
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func TestFromAlert(t *testing.T) {
	tests := []struct {
		headers map[string]string
		want    bool
	}{
		{map[string]string{"FromAlert": "true"}, true},
		{map[string]string{"fromalert": "True"}, true},
		{map[string]string{"FromAlert": "false"}, false},
		{map[string]string{"X-Rule-Uid": "abc"}, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := fromAlert(tt.headers); got != tt.want {
			t.Errorf("fromAlert(%v) = %v, want %v", tt.headers, got, tt.want)
		}
	}
}
