package plugin

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// queryOn runs one query on ds as Grafana sends it, with the request's headers (nil: none).
func queryOn(t *testing.T, ds *Datasource, headers map[string]string, model map[string]any, from, to time.Time) backend.DataResponse {
	t.Helper()
	raw, _ := json.Marshal(model)
	qt, _ := model["queryType"].(string)
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{
		Headers: headers,
		Queries: []backend.DataQuery{{
			RefID: "A", QueryType: qt, JSON: raw,
			TimeRange: backend.TimeRange{From: from, To: to}, Interval: time.Hour, MaxDataPoints: 1000,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Responses["A"]
}

// connCounter counts the connections a test server has open, as the API would see them.
type connCounter struct {
	mu    sync.Mutex
	open  map[net.Conn]struct{}
	total int
}

func countConnections(hs *httptest.Server) *connCounter {
	c := &connCounter{open: map[net.Conn]struct{}{}}
	hs.Config.ConnState = func(conn net.Conn, state http.ConnState) {
		c.mu.Lock()
		defer c.mu.Unlock()
		switch state {
		case http.StateNew:
			c.open[conn] = struct{}{}
			c.total++
		case http.StateClosed, http.StateHijacked:
			delete(c.open, conn)
		}
	}
	return c
}

func (c *connCounter) counts() (open, total int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.open), c.total
}

// After Dispose the API sees no connection of the instance left open: the transport the
// instance built is closed with it, rather than left to the idle timeout (90 s).
func TestDisposeClosesConnections(t *testing.T) {
	dataset := fakeapi.NewDataset(fakeapi.DatasetOptions{Conversations: 2000})
	srv := fakeapi.New(fakeapi.Options{Dataset: dataset})
	hs := httptest.NewUnstartedServer(srv)
	conns := countConnections(hs)
	hs.Start()
	t.Cleanup(func() { srv.Close(); hs.Close() })
	e := &env{t: t, fake: srv, url: hs.URL, truth: dataset}
	ds := e.instance(map[string]any{"pageSize": 20, "concurrency": 4}, testKey)
	// A table of a few hundred rows reads its pages in parallel: several connections.
	mustOK(t, queryOn(t, ds, nil, map[string]any{"queryType": "conversations", "limit": 400}, rangeFrom, rangeTo))
	open, total := conns.counts()
	if open < 2 {
		t.Fatalf("the query left %d connections open (of %d); the test needs several", open, total)
	}
	ds.Dispose()
	deadline := time.Now().Add(5 * time.Second)
	for {
		open, _ = conns.counts()
		if open == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("5 s after Dispose the API still sees %d open connections (of %d opened)", open, total)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
