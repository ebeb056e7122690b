package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// The benchmarks here measure the plugin's local work for 100k conversations: decoding the
// pages, bucketing and building frames. The API is a loopback server answering from memory
// with no latency (every page rendered once by the fake beforehand), so the time is the
// plugin's, not the API's. Run with -benchtime=3x: one iteration reads 1000 pages.

const benchConversations = 100_000

// memAPI answers each distinct request from memory, asking the fake only the first time.
type memAPI struct {
	fake  http.Handler
	mu    sync.Mutex
	pages map[string][]byte
}

func (m *memAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.URL.RequestURI()
	m.mu.Lock()
	body, ok := m.pages[key]
	m.mu.Unlock()
	if !ok {
		rec := httptest.NewRecorder()
		m.fake.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		body = rec.Body.Bytes()
		m.mu.Lock()
		m.pages[key] = body
		m.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

var (
	benchDataOnce sync.Once
	benchData     *fakeapi.Dataset
)

// benchAPI serves the 100k data set from memory; embed selects whether list pages carry the
// conversations' messages.
func benchAPI(b *testing.B, embed bool) string {
	b.Helper()
	benchDataOnce.Do(func() { benchData = fakeapi.NewDataset(fakeapi.DatasetOptions{Conversations: benchConversations}) })
	srv := fakeapi.New(fakeapi.Options{Dataset: benchData, EmbedMessages: embed})
	hs := httptest.NewServer(&memAPI{fake: srv, pages: map[string][]byte{}})
	b.Cleanup(func() { srv.Close(); hs.Close() })
	return hs.URL
}

func benchInstance(b *testing.B, url string) *Datasource {
	b.Helper()
	raw, _ := json.Marshal(map[string]any{"pageSize": 100, "maxConversations": benchConversations, "cacheTTL": "0s"})
	inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{
		UID: "bench", Name: "AgentSight", URL: url, JSONData: raw, DecryptedSecureJSONData: map[string]string{"apiKey": testKey},
	})
	if err != nil {
		b.Fatal(err)
	}
	d := inst.(*Datasource)
	b.Cleanup(d.Dispose)
	return d
}

func benchQuery(b *testing.B, d *Datasource, model map[string]any) backend.DataResponse {
	b.Helper()
	raw, _ := json.Marshal(model)
	qt, _ := model["queryType"].(string)
	end := fakeapi.DefaultEnd()
	resp, err := d.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{
		RefID: "A", QueryType: qt, JSON: raw,
		TimeRange: backend.TimeRange{From: end.Add(-fakeapi.DefaultSpan), To: end}, Interval: time.Hour, MaxDataPoints: 1000,
	}}})
	if err != nil {
		b.Fatal(err)
	}
	dr := resp.Responses["A"]
	if dr.Error != nil {
		b.Fatal(dr.Error)
	}
	return dr
}

func benchLocal(b *testing.B, embed bool, model map[string]any, rows func(backend.DataResponse) int) {
	url := benchAPI(b, embed)
	// The first run fills the in-memory API; it is not measured.
	if n := rows(benchQuery(b, benchInstance(b, url), model)); n != benchConversations {
		b.Fatalf("%d conversations in the frames, want %d", n, benchConversations)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := benchInstance(b, url)
		benchQuery(b, d, model)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/query")
}

func seriesSum(dr backend.DataResponse) int {
	sum := 0.0
	for _, f := range dr.Frames {
		for i := 0; i < f.Rows(); i++ {
			v, _ := f.Fields[1].FloatAt(i)
			sum += v
		}
	}
	return int(sum)
}

func tableRows(dr backend.DataResponse) int { return dr.Frames[0].Rows() }

// Count series by language, 1h buckets over 28 days (673 buckets), from 1000 pages.
func BenchmarkLocalCountByLanguage100k(b *testing.B) {
	benchLocal(b, true, map[string]any{"queryType": "count", "groupBy": "language", "bucket": "1h"}, seriesSum)
}

// The same when the list endpoint sends "messages": [] (the design allows either).
func BenchmarkLocalCountByLanguage100kNoMessages(b *testing.B) {
	benchLocal(b, false, map[string]any{"queryType": "count", "groupBy": "language", "bucket": "1h"}, seriesSum)
}

// The conversations table of 100k rows, from 1000 pages.
func BenchmarkLocalConversationsTable100k(b *testing.B) {
	benchLocal(b, true, map[string]any{"queryType": "conversations"}, tableRows)
}
