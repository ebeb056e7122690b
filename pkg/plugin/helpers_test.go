package plugin

import (
	"context"
	"encoding/json"
	"flag"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"
)

// Regenerate golden files with: go test ./pkg/plugin/ -update (then review the diff).
var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The test data set: 2000 conversations over the 28 days before 2026-11-01.
var (
	rangeFrom = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	rangeTo   = time.Date(2026, 10, 22, 0, 0, 0, 0, time.UTC)
)

const testKey = fakeapi.DemoKey

type env struct {
	t     *testing.T
	fake  *fakeapi.Server
	url   string
	ds    *Datasource
	truth *fakeapi.Dataset
}

// newEnv starts a fake API and a data source instance configured for it.
func newEnv(t *testing.T, embed bool, jsonData map[string]any) *env {
	t.Helper()
	dataset := fakeapi.NewDataset(fakeapi.DatasetOptions{Conversations: 2000})
	srv := fakeapi.New(fakeapi.Options{Dataset: dataset, EmbedMessages: embed})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	e := &env{t: t, fake: srv, url: hs.URL, truth: dataset}
	e.ds = e.instance(jsonData, testKey)
	return e
}

func (e *env) instance(jsonData map[string]any, key string) *Datasource {
	e.t.Helper()
	raw, _ := json.Marshal(jsonData)
	secure := map[string]string{}
	if key != "" {
		secure["apiKey"] = key
	}
	inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{
		UID: "agentsight-uid", Name: "AgentSight", Type: "agentsight-conversations-datasource", URL: e.url, JSONData: raw, DecryptedSecureJSONData: secure,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	d := inst.(*Datasource)
	e.t.Cleanup(d.Dispose)
	return d
}

// query runs one query through QueryData, as Grafana sends it.
func (e *env) query(model map[string]any, from, to time.Time) backend.DataResponse {
	e.t.Helper()
	return e.queries(map[string]map[string]any{"A": model}, from, to)["A"]
}

func (e *env) queries(models map[string]map[string]any, from, to time.Time) backend.Responses {
	e.t.Helper()
	req := &backend.QueryDataRequest{}
	for refID, m := range models {
		raw, _ := json.Marshal(m)
		qt, _ := m["queryType"].(string)
		req.Queries = append(req.Queries, backend.DataQuery{
			RefID: refID, QueryType: qt, JSON: raw,
			TimeRange: backend.TimeRange{From: from, To: to}, Interval: time.Hour, MaxDataPoints: 1000,
		})
	}
	resp, err := e.ds.QueryData(context.Background(), req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.Responses
}

// inRange is the ground truth: the conversations started in [from, to] that keep says to.
func (e *env) inRange(from, to time.Time, keep func(*fakeapi.Conversation) bool) []*fakeapi.Conversation {
	var out []*fakeapi.Conversation
	for i := range e.truth.Conversations {
		c := &e.truth.Conversations[i]
		if c.StartedAt.Before(from) || c.StartedAt.After(to) {
			continue
		}
		if keep == nil || keep(c) {
			out = append(out, c)
		}
	}
	return out
}

func golden(t *testing.T, name string, dr backend.DataResponse) {
	t.Helper()
	experimental.CheckGoldenJSONResponse(t, "testdata", name+".golden", &dr, *update)
}

func mustOK(t *testing.T, dr backend.DataResponse) {
	t.Helper()
	if dr.Error != nil {
		t.Fatalf("query failed: %v", dr.Error)
	}
}

func noKey(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, testKey) {
			t.Fatalf("the API key leaked into %q", s)
		}
	}
}
