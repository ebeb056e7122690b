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
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight/fake"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/plugin"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// runLocalChild is the child process of the local-processing measurement: it runs the query
// (named by AGENTSIGHT_BENCH_QUERY) through the plugin's QueryData in this process against
// the page server at url, which the parent runs so that serving the pages costs this
// process nothing, then prints a localResult as JSON on stdout.
func runLocalChild(url string) error {
	size, _ := strconv.Atoi(flag.Lookup("local-size").Value.String())
	pageSize, _ := strconv.Atoi(flag.Lookup("page-size").Value.String())
	reps, _ := strconv.Atoi(flag.Lookup("reps").Value.String())
	query := os.Getenv("AGENTSIGHT_BENCH_QUERY")
	model := map[string]any{"queryType": "count", "groupBy": "language", "bucket": "1h"}
	if query == "table" {
		model = map[string]any{"queryType": "conversations"}
	}

	// AGENTSIGHT_BENCH_CPUPROFILE=<file> profiles the runs, to find where the time goes.
	if path := os.Getenv("AGENTSIGHT_BENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path + "." + query)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	raw, _ := json.Marshal(model)
	jsonData, _ := json.Marshal(map[string]any{"pageSize": pageSize, "maxConversations": size})
	end := fake.DefaultEnd()
	var runs, cpu []int64
	for i := range max(reps, 1) {
		inst, err := plugin.NewDatasource(context.Background(), backend.DataSourceInstanceSettings{
			UID: fmt.Sprintf("local-%d", i), Name: "AgentSight", Type: "agentsight-conversations-datasource", URL: url,
			JSONData: jsonData, DecryptedSecureJSONData: map[string]string{"apiKey": fake.DemoKey},
		})
		if err != nil {
			return err
		}
		d := inst.(*plugin.Datasource)
		cpuStart := selfCPU()
		start := time.Now()
		resp, err := d.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{
			RefID: "A", QueryType: model["queryType"].(string), JSON: raw,
			TimeRange: backend.TimeRange{From: end.Add(-fake.DefaultSpan), To: end}, Interval: time.Hour, MaxDataPoints: 2000,
		}}})
		elapsed := time.Since(start)
		cpuUsed := selfCPU() - cpuStart
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
		cpu = append(cpu, cpuUsed.Milliseconds())
		resp, dr = nil, backend.DataResponse{}
	}
	sorted, sortedCPU := slices.Clone(runs), slices.Clone(cpu)
	slices.Sort(sorted)
	slices.Sort(sortedCPU)
	rss, err := vmHWM(os.Getpid())
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(localResult{
		Query: query, Conversation: size,
		Millis: float64(sorted[len(sorted)/2]), AllMillis: runs, CPUMillis: float64(sortedCPU[len(sortedCPU)/2]),
		RSS: rss, GOMAXPROCS: runtime.GOMAXPROCS(0),
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

// pageServer answers the list requests of the local-processing child with the pages rendered
// in dir, read into memory beforehand, without latency.
type pageServer struct {
	pages map[string][]byte
	bytes int64
	ln    net.Listener
	srv   *http.Server
}

func startPageServer(dir string) (*pageServer, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	ps := &pageServer{pages: map[string][]byte{}}
	for _, e := range entries {
		body, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ps.pages[strings.TrimSuffix(e.Name(), ".json")] = body
		ps.bytes += int64(len(body))
	}
	if ps.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, err
	}
	ps.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		if page == "" {
			page = "1"
		}
		body, ok := ps.pages[page]
		if !ok {
			http.Error(w, `{"detail":"Invalid page."}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = ps.srv.Serve(ps.ln) }()
	return ps, nil
}

func (ps *pageServer) url() string { return "http://" + ps.ln.Addr().String() }

func (ps *pageServer) close() { _ = ps.srv.Close() }
