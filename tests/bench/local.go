package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
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

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/frames"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/plugin"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// runLocalChild is the child process of the local-processing measurement, run on one core.
// It runs the query named by AGENTSIGHT_BENCH_QUERY (count or table) through the layer named
// by AGENTSIGHT_BENCH_LAYER, reps times, and prints a localResult as JSON on stdout:
//   - "core": decode + bucket/table + frame, what the plugin does with the bytes it gets.
//     The API client (cache, pager, decoder) and the frame builders run as the count and
//     table queries use them, on the pages rendered in target (a directory), each read from
//     its file when requested, with no HTTP and no page kept in memory.
//   - "plugin": the whole plugin, Datasource.QueryData, against the page server at target
//     (a URL), which the parent runs so that serving the pages costs this process nothing.
func runLocalChild(target string) error {
	size, _ := strconv.Atoi(flag.Lookup("local-size").Value.String())
	pageSize, _ := strconv.Atoi(flag.Lookup("page-size").Value.String())
	reps, _ := strconv.Atoi(flag.Lookup("reps").Value.String())
	warmups, _ := strconv.Atoi(flag.Lookup("warmups").Value.String())
	query, layer := os.Getenv("AGENTSIGHT_BENCH_QUERY"), os.Getenv("AGENTSIGHT_BENCH_LAYER")

	// AGENTSIGHT_BENCH_CPUPROFILE=<file> profiles the runs, to find where the time goes.
	if path := os.Getenv("AGENTSIGHT_BENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path + "." + layer + "." + query)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	once := pluginRun
	if layer == "core" {
		pages, err := openPages(target)
		if err != nil {
			return err
		}
		defer pages.Close()
		once = func(ctx context.Context, _ int, _, query string, size, pageSize int) (int, error) {
			return coreRun(ctx, pages, query, size, pageSize)
		}
	}
	// The first runs of a fresh process grow its heap (and fault its memory in); a plugin
	// serving dashboards is past that, so they are not counted.
	for i := range warmups {
		if _, err := once(context.Background(), -1-i, target, query, size, pageSize); err != nil {
			return err
		}
	}
	var runs, cpu []int64
	for i := range max(reps, 1) {
		cpuStart := selfCPU()
		start := time.Now()
		n, err := once(context.Background(), i, target, query, size, pageSize)
		elapsed, cpuUsed := time.Since(start), selfCPU()-cpuStart
		if err != nil {
			return err
		}
		if n != size {
			return fmt.Errorf("%s: %d conversations in the frames, want %d", query, n, size)
		}
		runs = append(runs, elapsed.Milliseconds())
		cpu = append(cpu, cpuUsed.Milliseconds())
	}
	sorted, sortedCPU := slices.Clone(runs), slices.Clone(cpu)
	slices.Sort(sorted)
	slices.Sort(sortedCPU)
	rss, err := vmHWM(os.Getpid())
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(localResult{
		Query: query, Layer: layer, Conversation: size,
		Millis: float64(sorted[len(sorted)/2]), AllMillis: runs, CPUMillis: float64(sortedCPU[len(sortedCPU)/2]),
		RSS: rss, GOMAXPROCS: runtime.GOMAXPROCS(0),
	})
}

// coreRun is one "core" run: a count by language in 1h buckets streams the listing into the
// series as the plugin's count does; a table lists every conversation and builds the
// conversations frame. Both frames are encoded to Arrow, as the SDK does before sending them.
// It returns the conversations the frames account for.
func coreRun(ctx context.Context, pages *pageFile, query string, size, pageSize int) (int, error) {
	c, err := agentsight.New(agentsight.Options{
		BaseURL: "http://agentsight.invalid", APIKey: fakeapi.DemoKey, PageSize: pageSize, CacheTTL: time.Minute,
		HTTPClient: &http.Client{Transport: pages},
	})
	if err != nil {
		return 0, err
	}
	from, to := wholeRange()
	f := agentsight.Filters{StartedAfter: from, StartedBefore: to}
	var fr data.Frames
	if query == "table" {
		listing, err := c.List(ctx, agentsight.ListRequest{Filters: f, Limit: size, Detail: agentsight.Summary})
		if err != nil {
			return 0, err
		}
		fr = data.Frames{frames.ConversationsTable(listing.Conversations, true, frames.LinkTarget{UID: "local", Name: "AgentSight"})}
	} else {
		// The count decodes what the plugin's grouped count decodes: the Summary row.
		series := frames.NewCountSeries(frames.NewBuckets(from, to, time.Hour), "language")
		_, err = c.List(ctx, agentsight.ListRequest{Filters: f, Limit: size, Detail: agentsight.Summary,
			Visit: func(convs []agentsight.Conversation) {
				for i := range convs {
					if t := convs[i].StartedAt; t != nil {
						series.Add(frames.FieldValue(&convs[i], "language"), *t, 1)
					}
				}
			}})
		if err != nil {
			return 0, err
		}
		if fr, err = series.Frames(); err != nil {
			return 0, err
		}
	}
	for _, frame := range fr {
		if _, err := frame.MarshalArrow(); err != nil {
			return 0, err
		}
	}
	return countedConversations(query, fr), nil
}

// pageFile answers list requests from the pages renderPages wrote into one file, each read
// from it (a pread per read, as a socket delivers a body) when requested, so that what the
// client does with the bytes is measured, not opening files.
type pageFile struct {
	f     *os.File
	pages map[string][2]int64 // page number: offset and length in f
}

func openPages(dir string) (*pageFile, error) {
	raw, err := os.ReadFile(filepath.Join(dir, pageIndexName))
	if err != nil {
		return nil, err
	}
	p := &pageFile{}
	if err := json.Unmarshal(raw, &p.pages); err != nil {
		return nil, err
	}
	if p.f, err = os.Open(filepath.Join(dir, allPagesName)); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *pageFile) Close() error { return p.f.Close() }

func (p *pageFile) RoundTrip(r *http.Request) (*http.Response, error) {
	page := r.URL.Query().Get("page")
	if page == "" {
		page = "1"
	}
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Request: r}
	span, ok := p.pages[page]
	if !ok {
		body := `{"detail":"Invalid page."}`
		resp.StatusCode, resp.Body, resp.ContentLength = http.StatusNotFound, io.NopCloser(strings.NewReader(body)), int64(len(body))
		return resp, nil
	}
	resp.Body, resp.ContentLength = io.NopCloser(io.NewSectionReader(p.f, span[0], span[1])), span[1]
	return resp, nil
}

// pluginRun is one "plugin" run: the query through QueryData on a fresh instance.
func pluginRun(ctx context.Context, i int, url, query string, size, pageSize int) (int, error) {
	model := map[string]any{"queryType": "count", "groupBy": "language", "bucket": "1h"}
	if query == "table" {
		model = map[string]any{"queryType": "conversations"}
	}
	raw, _ := json.Marshal(model)
	jsonData, _ := json.Marshal(map[string]any{"pageSize": pageSize, "maxConversations": size})
	inst, err := plugin.NewDatasource(ctx, backend.DataSourceInstanceSettings{
		UID: fmt.Sprintf("local-%d", i), Name: "AgentSight", Type: "agentsight-conversations-datasource", URL: url,
		JSONData: jsonData, DecryptedSecureJSONData: map[string]string{"apiKey": fakeapi.DemoKey},
	})
	if err != nil {
		return 0, err
	}
	d := inst.(*plugin.Datasource)
	defer d.Dispose()
	from, to := wholeRange()
	resp, err := d.QueryData(ctx, &backend.QueryDataRequest{Queries: []backend.DataQuery{{
		RefID: "A", QueryType: model["queryType"].(string), JSON: raw,
		TimeRange: backend.TimeRange{From: from, To: to}, Interval: time.Hour, MaxDataPoints: 2000,
	}}})
	if err != nil {
		return 0, err
	}
	dr := resp.Responses["A"]
	if dr.Error != nil {
		return 0, dr.Error
	}
	return countedConversations(query, dr.Frames), nil
}

func countedConversations(query string, fr data.Frames) int {
	if query == "table" {
		return fr[0].Rows()
	}
	sum := 0.0
	for _, f := range fr {
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
		page, isPage := strings.CutSuffix(e.Name(), ".json")
		if _, err := strconv.Atoi(page); !isPage || err != nil {
			continue // the combined file and its index
		}
		body, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ps.pages[page] = body
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
