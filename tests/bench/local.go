package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight/fake"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/plugin"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// runLocalChild is the child process of the local-processing measurement: it serves the
// pages rendered in dir on loopback without latency and runs the query (named by
// AGENTSIGHT_BENCH_QUERY) through the plugin's QueryData in this process, then prints a
// localResult as JSON on stdout.
func runLocalChild(dir string) error {
	size, _ := strconv.Atoi(flag.Lookup("local-size").Value.String())
	pageSize, _ := strconv.Atoi(flag.Lookup("page-size").Value.String())
	reps, _ := strconv.Atoi(flag.Lookup("reps").Value.String())
	query := os.Getenv("AGENTSIGHT_BENCH_QUERY")
	model := map[string]any{"queryType": "count", "groupBy": "language", "bucket": "1h"}
	if query == "table" {
		model = map[string]any{"queryType": "conversations"}
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var bytes int64
	for _, e := range entries {
		if info, err := e.Info(); err == nil {
			bytes += info.Size()
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		if page == "" {
			page = "1"
		}
		body, err := os.ReadFile(filepath.Join(dir, filepath.Base(page)+".json"))
		if err != nil {
			http.Error(w, `{"detail":"Invalid page."}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	raw, _ := json.Marshal(model)
	jsonData, _ := json.Marshal(map[string]any{"pageSize": pageSize, "maxConversations": size})
	end := fake.DefaultEnd()
	var runs []int64
	for i := range max(reps, 1) {
		inst, err := plugin.NewDatasource(context.Background(), backend.DataSourceInstanceSettings{
			UID: fmt.Sprintf("local-%d", i), Name: "AgentSight", Type: "agentsight-conversations-datasource", URL: "http://" + ln.Addr().String(),
			JSONData: jsonData, DecryptedSecureJSONData: map[string]string{"apiKey": fake.DemoKey},
		})
		if err != nil {
			return err
		}
		d := inst.(*plugin.Datasource)
		start := time.Now()
		resp, err := d.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{
			RefID: "A", QueryType: model["queryType"].(string), JSON: raw,
			TimeRange: backend.TimeRange{From: end.Add(-fake.DefaultSpan), To: end}, Interval: time.Hour, MaxDataPoints: 2000,
		}}})
		elapsed := time.Since(start)
		d.Dispose()
		if err != nil {
			return err
		}
		dr := resp.Responses["A"]
		if dr.Error != nil {
			return dr.Error
		}
		if n := countedConversations(query, dr); n != size {
			return fmt.Errorf("%s: %d conversations in the frames, want %d", query, n, size)
		}
		runs = append(runs, elapsed.Milliseconds())
		resp, dr = nil, backend.DataResponse{}
	}
	sorted := slices.Clone(runs)
	slices.Sort(sorted)
	rss, err := vmHWM(os.Getpid())
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(localResult{
		Query: query, Conversation: size, Pages: len(entries), Bytes: bytes,
		Millis: float64(sorted[len(sorted)/2]), AllMillis: runs, RSS: rss, GOMAXPROCS: runtime.GOMAXPROCS(0),
	})
}

func countedConversations(query string, dr backend.DataResponse) int {
	if query == "table" {
		return dr.Frames[0].Rows()
	}
	sum := 0.0
	for _, f := range dr.Frames {
		for i := 0; i < f.Rows(); i++ {
			v, _ := f.Fields[1].FloatAt(i)
			sum += v
		}
	}
	return int(sum)
}
