// Command bench measures the built plugin over gRPC against the fake API on loopback with a
// fixed per-request latency, and the plugin's local processing in-process on one core. It
// writes a Markdown report.
//
//	go run ./tests/bench -latency 20ms -concurrency 4 -sizes 1000,10000,100000 -out docs/benchmarks.md
//
// Everything stays on 127.0.0.1; the command stops by itself.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"

	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/tests/internal/pluginhost"
)

type config struct {
	latency       time.Duration
	concurrency   int
	sizes         []int
	out           string
	reps          int
	warmups       int
	localWarmups  int
	localReps     int
	pageSize      int
	dashboardSize int
	localSize     int
	embed         bool
	// The auto-refresh scenario (refresh.go).
	refreshSize     int
	refreshes       int
	refreshInterval time.Duration
	refreshArrivals int
	refreshOnly     bool
	queriesOnly     bool
	settleAfter     string
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench: ")
	var (
		cfg      config
		sizes    string
		child    string
		scenario string
		scale    scaleConfig
	)
	flag.StringVar(&scenario, "scenario", "", "run only a scale scenario (scale.go): tenants, viewers, or scale for both; or stats (stats.go)")
	tenants, viewers := scaleFlags(&scale)
	flag.DurationVar(&cfg.latency, "latency", 20*time.Millisecond, "fixed latency the fake API adds to every request")
	flag.IntVar(&cfg.concurrency, "concurrency", 4, "the data source's concurrency setting")
	flag.StringVar(&sizes, "sizes", "1000,10000,100000", "conversations in the data set, one run per size")
	flag.StringVar(&cfg.out, "out", "", "write the Markdown report here as well as to stdout")
	flag.IntVar(&cfg.reps, "reps", 9, "runs per measurement (the median wall time and the median plugin CPU are reported); 1 for sizes above 10000")
	flag.IntVar(&cfg.warmups, "warmups", 10, "untimed runs of each query before the timed ones, so that the plugin process is in its steady state (heap grown, connections open); 0 above 10000 conversations")
	flag.IntVar(&cfg.localWarmups, "local-warmups", 2, "untimed runs before the timed local-processing ones, in the same child process")
	flag.IntVar(&cfg.localReps, "local-reps", 7, "runs per local-processing measurement (the median is reported): short runs on a shared machine vary")
	flag.IntVar(&cfg.pageSize, "page-size", 100, "the data source's pageSize setting")
	flag.IntVar(&cfg.dashboardSize, "dashboard-size", 10000, "conversations for the dashboard scenario")
	flag.IntVar(&cfg.localSize, "local-size", 100000, "conversations for the local-processing measurement")
	flag.BoolVar(&cfg.embed, "embed", true, "list pages carry the conversations' messages")
	flag.IntVar(&cfg.refreshSize, "refresh-size", 10000, "conversations (over 28 days) for the auto-refresh scenario")
	flag.IntVar(&cfg.refreshes, "refreshes", 20, "refreshes in the auto-refresh scenario")
	flag.DurationVar(&cfg.refreshInterval, "refresh-interval", 30*time.Second, "how far the fake's clock moves between refreshes")
	flag.IntVar(&cfg.refreshArrivals, "refresh-arrivals", 3, "conversations that arrive before each refresh")
	flag.BoolVar(&cfg.refreshOnly, "refresh-only", false, "run only the auto-refresh scenario")
	flag.BoolVar(&cfg.queriesOnly, "queries-only", false, "run only the per-size queries over gRPC (no dashboard, auto-refresh or local processing)")
	flag.StringVar(&cfg.settleAfter, "settle-after", "", "the settleAfter setting of the per-size and dashboard queries (empty: the default; 0s: incremental refresh off, nothing kept for the next refresh)")
	flag.StringVar(&child, "local-child", "", "internal: run the local-processing measurement on the pages in this directory")
	flag.Parse()
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			log.Fatalf("-sizes: %q is not a positive number", s)
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	for _, list := range []struct {
		flag string
		text *string
		into *[]int
	}{{"tenants", tenants, &scale.tenants}, {"viewers", viewers, &scale.viewers}} {
		for _, s := range strings.Split(*list.text, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n <= 0 {
				log.Fatalf("-%s: %q is not a positive number", list.flag, s)
			}
			*list.into = append(*list.into, n)
		}
	}
	if child != "" {
		if err := runLocalChild(child); err != nil {
			log.Fatal(err)
		}
		return
	}
	// The whole run is bounded, so a hang cannot keep it going.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	var report string
	var err error
	if scenario == "stats" {
		report, err = runStatsScenario(ctx, cfg)
	} else if scenario != "" {
		report, err = runScenario(ctx, cfg, scale, scenario)
	} else {
		report, err = run(ctx, cfg)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(report)
	if cfg.out != "" {
		if err := os.MkdirAll(filepath.Dir(cfg.out), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(cfg.out, []byte(report), 0o644); err != nil {
			log.Fatal(err)
		}
		log.Printf("wrote %s", cfg.out)
	}
}

// repoRoot is the directory holding go.mod, found upwards from the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found: run from the repository")
		}
		dir = parent
	}
}

// api is the fake API served on loopback.
type api struct {
	srv    *fakeapi.Server
	url    string
	cancel context.CancelFunc
	done   chan error
}

func startAPI(ds *fakeapi.Dataset, embed bool, latency time.Duration) (*api, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := fakeapi.New(fakeapi.Options{Dataset: ds, EmbedMessages: embed})
	srv.SetLatency(latency)
	ctx, cancel := context.WithCancel(context.Background())
	a := &api{srv: srv, url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1)}
	go func() { a.done <- srv.Serve(ctx, ln) }()
	return a, nil
}

func (a *api) stop() {
	a.cancel()
	<-a.done
}

// host is one plugin process; each data source it is given gets its own instance (and so an
// empty cache), since instances are keyed by data source id and uid.
// startHost serves ds from the fake API and starts a plugin process to query it; stop ends both.
func startHost(cfg config, bin string, ds *fakeapi.Dataset) (*host, func(), error) {
	a, err := startAPI(ds, cfg.embed, cfg.latency)
	if err != nil {
		return nil, nil, err
	}
	p, err := pluginhost.Start(bin, io.Discard)
	if err != nil {
		a.stop()
		return nil, nil, err
	}
	return &host{p: p, api: a, cfg: cfg}, func() { p.Stop(); a.stop() }, nil
}

type host struct {
	p      *pluginhost.Plugin
	api    *api
	cfg    config
	nextID int64
}

func (h *host) dataSource(jsonData map[string]any) pluginhost.DataSource {
	h.nextID++
	jd := map[string]any{"pageSize": h.cfg.pageSize, "concurrency": h.cfg.concurrency}
	if h.cfg.settleAfter != "" {
		jd["settleAfter"] = h.cfg.settleAfter
	}
	for k, v := range jsonData {
		jd[k] = v
	}
	return pluginhost.DataSource{
		UID: fmt.Sprintf("bench-%d", h.nextID), Name: "AgentSight", URL: h.api.url,
		JSONData: jd, APIKey: fakeapi.DemoKey, Updated: time.Unix(h.nextID, 0),
	}
}

type measured struct {
	requests int
	wall     time.Duration
	// pluginCPU is the CPU time the plugin process used; apiCPU is this process's (the fake
	// API rendering JSON), both on the same machine.
	pluginCPU, apiCPU time.Duration
	// pluginCPUQ1 and pluginCPUQ3 are the quartiles of the plugin's CPU over a median run's
	// runs: how much one run's CPU moves on a shared machine.
	pluginCPUQ1, pluginCPUQ3 time.Duration
	// apiLatency is the fake's mean time from a request's arrival to the end of its answer.
	apiLatency time.Duration
}

// query sends the queries as one request and returns the API requests it caused and its
// wall time, failing on any query error.
func (h *host) query(ctx context.Context, ds pluginhost.DataSource, qs ...pluginhost.Query) (measured, map[string]pluginhost.Result, error) {
	h.api.srv.ResetRequests()
	cpu0, self0 := procCPU(h.p.Pid()), selfCPU()
	start := time.Now()
	reply, err := h.p.QueryDataReply(ctx, ds, qs...)
	wall := time.Since(start)
	cpu1, self1 := procCPU(h.p.Pid()), selfCPU()
	if err != nil {
		return measured{}, nil, err
	}
	// Decoding the frames is Grafana's work, after the plugin has answered.
	res, err := pluginhost.DecodeReply(reply)
	if err != nil {
		return measured{}, nil, err
	}
	for ref, r := range res {
		if r.Error != "" {
			return measured{}, nil, fmt.Errorf("query %s: %s", ref, r.Error)
		}
	}
	return measured{requests: h.api.srv.RequestCount(), wall: wall, pluginCPU: cpu1 - cpu0, apiCPU: self1 - self0, apiLatency: h.api.srv.MeanResponseTime()}, res, nil
}

// procCPU is the CPU time of a process so far: the sum over its threads of the time each ran
// (/proc/<pid>/task/*/schedstat, in nanoseconds), or, where the kernel has no schedstat, its
// user+system time from /proc/<pid>/stat in 10 ms clock ticks. A Go process keeps its threads,
// so the sum over the threads alive at each reading loses nothing between two readings.
func procCPU(pid int) time.Duration {
	if d, ok := threadsCPU(pid); ok {
		return d
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) start after the last ')'.
	fields := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func threadsCPU(pid int) (time.Duration, bool) {
	stats, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(stats) == 0 {
		return 0, false
	}
	var total time.Duration
	for _, path := range stats {
		raw, err := os.ReadFile(path)
		if err != nil {
			continue // the thread ended between the listing and the reading
		}
		fields := strings.Fields(string(raw))
		if len(fields) == 0 {
			return 0, false
		}
		ns, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, false
		}
		total += time.Duration(ns)
	}
	return total, true
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// vmHWM is a process's peak resident set size in bytes.
func vmHWM(pid int) (int64, error) { return pluginhost.StatusBytes(pid, "VmHWM") }

// countInRange is the ground truth for a range: the conversations that started in it, both
// ends included, as the API's started_at_after and started_at_before filters select them.
func countInRange(ds *fakeapi.Dataset, from, to time.Time) int {
	n := 0
	for i := range ds.Conversations {
		if t := ds.Conversations[i].StartedAt; !t.Before(from) && !t.After(to) {
			n++
		}
	}
	return n
}

func wholeRange() (time.Time, time.Time) {
	end := fakeapi.DefaultEnd()
	return end.Add(-fakeapi.DefaultSpan), end
}

func q(refID string, model map[string]any) pluginhost.Query {
	from, to := wholeRange()
	return pluginhost.Query{RefID: refID, JSON: model, From: from, To: to, Interval: time.Hour, MaxDataPoints: 2000}
}

type row struct {
	kind, size    string
	requests      int
	wall          time.Duration
	pluginCPU     time.Duration
	cpuQ1, cpuQ3  time.Duration
	apiCPU        time.Duration
	apiLatency    time.Duration
	seq, floor    time.Duration
	rss           int64
	note          string
	withBaselines bool
	// firstQuery marks the first query of a new plugin process, before any warm-up.
	firstQuery bool
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// medianRun runs f reps times and keeps the run of median wall time.
func medianRun(reps int, f func() (measured, error)) (measured, error) {
	var runs []measured
	for range reps {
		m, err := f()
		if err != nil {
			return m, err
		}
		runs = append(runs, m)
	}
	// The median CPU over the runs, not the CPU of the median-wall run: one run's garbage
	// collection or a busy neighbour must not decide the figure.
	cpus := make([]time.Duration, len(runs))
	for i, r := range runs {
		cpus[i] = r.pluginCPU
	}
	slices.Sort(cpus)
	slices.SortFunc(runs, func(a, b measured) int { return int(a.wall - b.wall) })
	m := runs[len(runs)/2]
	m.pluginCPU = cpus[len(cpus)/2]
	m.pluginCPUQ1, m.pluginCPUQ3 = cpus[len(cpus)/4], cpus[(3*len(cpus))/4]
	return m, nil
}

type target struct {
	name, value string
	met         bool
}

// buildPlugin builds the plugin binary into a temporary folder, which cleanup removes.
func buildPlugin(ctx context.Context) (bin string, cleanup func(), err error) {
	root, err := repoRoot()
	if err != nil {
		return "", nil, err
	}
	tmp, err := os.MkdirTemp("", "agentsight-bench-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	log.Printf("building the plugin")
	if bin, err = pluginhost.Build(ctx, root, tmp); err != nil {
		cleanup()
		return "", nil, err
	}
	return bin, cleanup, nil
}

func run(ctx context.Context, cfg config) (string, error) {
	bin, cleanup, err := buildPlugin(ctx)
	if err != nil {
		return "", err
	}
	defer cleanup()

	loadBefore := loadAvg()
	if cfg.refreshOnly {
		log.Printf("auto-refresh (%d conversations, %d refreshes)", cfg.refreshSize, cfg.refreshes)
		refresh, targets, err := runRefresh(ctx, cfg, bin)
		if err != nil {
			return "", fmt.Errorf("auto-refresh: %w", err)
		}
		var b strings.Builder
		w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
		w("# Benchmarks: auto-refresh only\n\nLatency %s, concurrency %d, page size %d; load average %s at the start, %s at the end.\n", cfg.latency, cfg.concurrency, cfg.pageSize, loadBefore, loadAvg())
		renderRefresh(w, refresh)
		renderTargets(w, targets)
		return b.String(), nil
	}
	var rows []row
	var targets []target
	datasets := map[int]*fakeapi.Dataset{}
	dataset := func(n int) *fakeapi.Dataset {
		if datasets[n] == nil {
			datasets[n] = fakeapi.NewDataset(fakeapi.DatasetOptions{Conversations: n})
		}
		return datasets[n]
	}
	for _, n := range cfg.sizes {
		log.Printf("size %d", n)
		ds := dataset(n)
		sizeRows, err := runSize(ctx, cfg, bin, ds, n)
		if err != nil {
			return "", fmt.Errorf("size %d: %w", n, err)
		}
		rows = append(rows, sizeRows...)
		for _, r := range sizeRows {
			targets = append(targets, sizeTargets(cfg, n, r)...)
		}
		if n == 100000 && len(sizeRows) > 0 {
			r := sizeRows[0]
			targets = append(targets, target{"plugin peak RSS at 100000 conversations ≤ 200 MB", fmt.Sprintf("%.0f MB", float64(r.rss)/1e6), r.rss <= 200e6})
		}
	}
	delete(datasets, 0)
	if cfg.queriesOnly {
		var b strings.Builder
		w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
		w("# Benchmarks: queries only\n\nLatency %s, concurrency %d, page size %d, %d runs after %d untimed; load average %s at the start, %s at the end.\n\n", cfg.latency, cfg.concurrency, cfg.pageSize, cfg.reps, cfg.warmups, loadBefore, loadAvg())
		renderQueries(w, rows)
		w("\n")
		renderTargets(w, targets)
		return b.String(), nil
	}

	log.Printf("dashboard (%d conversations)", cfg.dashboardSize)
	dash, dashTargets, err := runDashboard(ctx, cfg, bin, dataset(cfg.dashboardSize))
	if err != nil {
		return "", fmt.Errorf("dashboard: %w", err)
	}
	targets = append(targets, dashTargets...)
	clear(datasets) // the local measurement runs in a child process; free the parent's memory

	log.Printf("auto-refresh (%d conversations, %d refreshes)", cfg.refreshSize, cfg.refreshes)
	refresh, refreshTargets, err := runRefresh(ctx, cfg, bin)
	if err != nil {
		return "", fmt.Errorf("auto-refresh: %w", err)
	}
	targets = append(targets, refreshTargets...)

	log.Printf("local processing (%d conversations, one core)", cfg.localSize)
	// Local processing is reported, no longer a target: every query is bound by the API's
	// latency, so decode microseconds are not what a user feels (issue 11).
	local, err := runLocal(ctx, cfg, filepath.Dir(bin)) // the build folder, removed with it
	if err != nil {
		return "", fmt.Errorf("local processing: %w", err)
	}
	return render(cfg, rows, dash, refresh, local, targets, loadBefore+" at the start, "+loadAvg()+" at the end"), nil
}

func renderQueries(w func(string, ...any), rows []row) {
	w("## Queries over gRPC\n\n")
	w("| query | conversations | API requests | API latency | wall time | sequential baseline | ratio | floor | ratio | plugin peak RSS | plugin CPU | fake API CPU | plan |\n")
	w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
	for _, r := range rows {
		w("| %s | %s | %d | %.1f ms | %s | %s | %.2f× | %s | %.2f× | %s | %s | %s | %s |\n", r.kind, r.size, r.requests, float64(r.apiLatency.Microseconds())/1000, ms(r.wall), ms(r.seq),
			float64(r.wall)/float64(r.seq), ms(r.floor), float64(r.wall)/float64(r.floor), mb(r.rss), cpuCell(r), ms(r.apiCPU), r.note)
	}
}

// cpuCell is a row's plugin CPU, with its quartiles when it is the median of several runs.
func cpuCell(r row) string {
	if r.cpuQ3 == 0 || r.cpuQ1 == r.cpuQ3 {
		return ms(r.pluginCPU)
	}
	return fmt.Sprintf("%s (%s–%s)", ms(r.pluginCPU), strings.TrimSuffix(ms(r.cpuQ1), " ms"), ms(r.cpuQ3))
}

// loadAvg is the 1, 5 and 15 minute load averages: other work on the machine skews every
// time here, and this says how much there was.
func loadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func runSize(ctx context.Context, cfg config, bin string, ds *fakeapi.Dataset, n int) ([]row, error) {
	h, stop, err := startHost(cfg, bin, ds)
	if err != nil {
		return nil, err
	}
	defer stop()
	reps, warmups := cfg.reps, cfg.warmups
	if n > 10000 {
		reps, warmups = 1, 0
	}
	// One data source serves every run of a size, as one serves a dashboard; each run moves
	// the range one second back, as a relative range ("last 28 days") does on every refresh,
	// so that the cache has none of its pages and every run is a cold query.
	source := h.dataSource(map[string]any{"maxConversations": max(n, 10000)})
	shift := 0
	var rows []row
	for _, sc := range []struct {
		kind  string
		model map[string]any
		check func(res map[string]pluginhost.Result, inRange int) error
	}{
		{"conversations table", map[string]any{"queryType": "conversations", "limit": n}, func(res map[string]pluginhost.Result, inRange int) error {
			if got := res["A"].Frames[0].Rows(); got != inRange {
				return fmt.Errorf("table has %d rows, want %d", got, inRange)
			}
			return nil
		}},
		{"count series (1h buckets)", map[string]any{"queryType": "count", "bucket": "1h"}, func(res map[string]pluginhost.Result, inRange int) error {
			sum := 0.0
			for _, f := range res["A"].Frames {
				for i := 0; i < f.Rows(); i++ {
					v, _ := f.Fields[1].FloatAt(i)
					sum += v
				}
			}
			if int(sum) != inRange {
				return fmt.Errorf("series sums to %v, want %d", sum, inRange)
			}
			return nil
		}},
		{"total count", map[string]any{"queryType": "count", "bucket": "total"}, func(res map[string]pluginhost.Result, inRange int) error {
			if v, _ := res["A"].Frames[0].Fields[0].FloatAt(0); int(v) != inRange {
				return fmt.Errorf("total %v, want %d", v, inRange)
			}
			return nil
		}},
	} {
		var inRange int
		runOnce := func() (measured, error) {
			shift++
			query := q("A", sc.model)
			query.From = query.From.Add(-time.Duration(shift) * time.Second)
			query.To = query.To.Add(-time.Duration(shift) * time.Second)
			inRange = countInRange(ds, query.From, query.To)
			m, res, err := h.query(ctx, source, query)
			if err == nil {
				err = sc.check(res, inRange)
			}
			return m, err
		}
		// The first query of a new plugin process is what users meet after a Grafana
		// restart: it is reported apart from the steady state the timed runs measure.
		if len(rows) == 0 && warmups > 0 {
			first, err := runOnce()
			if err != nil {
				return nil, fmt.Errorf("%s (first query): %w", sc.kind, err)
			}
			fr := row{kind: sc.kind + ", first query of a new process", size: strconv.Itoa(n), requests: first.requests, wall: first.wall,
				pluginCPU: first.pluginCPU, apiCPU: first.apiCPU, apiLatency: first.apiLatency, withBaselines: true, firstQuery: true}
			fr.seq = time.Duration(first.requests) * cfg.latency
			fr.floor = time.Duration(ceilDiv(first.requests, cfg.concurrency)) * cfg.latency
			rows = append(rows, fr)
			warmups--
		}
		for range warmups {
			if _, err := runOnce(); err != nil {
				return nil, fmt.Errorf("%s (warm-up): %w", sc.kind, err)
			}
		}
		m, err := medianRun(reps, runOnce)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", sc.kind, err)
		}
		r := row{kind: sc.kind, size: strconv.Itoa(n), requests: m.requests, wall: m.wall, pluginCPU: m.pluginCPU, cpuQ1: m.pluginCPUQ1, cpuQ3: m.pluginCPUQ3, apiCPU: m.apiCPU, apiLatency: m.apiLatency, withBaselines: true}
		r.seq = time.Duration(m.requests) * cfg.latency
		r.floor = time.Duration(ceilDiv(m.requests, cfg.concurrency)) * cfg.latency
		if sc.kind == "count series (1h buckets)" {
			pages := ceilDiv(inRange, cfg.pageSize)
			if m.requests == pages {
				r.note = "fetched every page, bucketed locally"
			} else {
				r.note = fmt.Sprintf("first page + %d page_size=1 counts (fewer than %d pages)", m.requests-1, pages)
			}
		}
		rows = append(rows, r)
		log.Printf("  %s: %d requests, %s", sc.kind, m.requests, m.wall.Round(time.Millisecond))
	}
	rss, err := vmHWM(h.p.Pid())
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].rss = rss
	}
	return rows, nil
}

func dashboardPanels() []pluginhost.Query {
	filters := map[string]any{"has_messages": true}
	return []pluginhost.Query{
		q("A", map[string]any{"queryType": "count", "groupBy": "language", "bucket": "1h", "filters": filters}),
		q("B", map[string]any{"queryType": "count", "groupBy": "device", "bucket": "1h", "filters": filters}),
		q("C", map[string]any{"queryType": "count", "bucket": "1h", "filters": filters}),
		q("D", map[string]any{"queryType": "conversations", "limit": 500, "filters": filters}),
		q("E", map[string]any{"queryType": "messages", "limit": 5000, "filters": filters}),
		q("F", map[string]any{"queryType": "count", "bucket": "total", "filters": filters}),
	}
}

type dashboardResult struct {
	size                  int
	panels                []string
	alone                 []measured
	worst                 int
	dash, refresh, noCach measured
	rss                   int64
}

func runDashboard(ctx context.Context, cfg config, bin string, ds *fakeapi.Dataset) (*dashboardResult, []target, error) {
	h, stop, err := startHost(cfg, bin, ds)
	if err != nil {
		return nil, nil, err
	}
	defer stop()
	jd := map[string]any{"maxConversations": max(len(ds.Conversations), 10000)}
	res := &dashboardResult{size: len(ds.Conversations)}
	panels := dashboardPanels()
	for _, pn := range panels {
		m, _, err := h.query(ctx, h.dataSource(jd), pn)
		if err != nil {
			return nil, nil, err
		}
		res.panels = append(res.panels, fmt.Sprintf("%s %v", pn.RefID, pn.JSON))
		res.alone = append(res.alone, m)
		if m.requests > res.alone[res.worst].requests {
			res.worst = len(res.alone) - 1
		}
	}
	ds1 := h.dataSource(jd)
	if res.dash, _, err = h.query(ctx, ds1, panels...); err != nil {
		return nil, nil, err
	}
	if res.refresh, _, err = h.query(ctx, ds1, panels...); err != nil {
		return nil, nil, err
	}
	noCache := map[string]any{"cacheTTL": "0s"}
	for k, v := range jd {
		noCache[k] = v
	}
	ds2 := h.dataSource(noCache)
	if _, _, err = h.query(ctx, ds2, panels...); err != nil {
		return nil, nil, err
	}
	if res.noCach, _, err = h.query(ctx, ds2, panels...); err != nil {
		return nil, nil, err
	}
	if res.rss, err = vmHWM(h.p.Pid()); err != nil {
		return nil, nil, err
	}
	worst := res.alone[res.worst].requests
	ratio := float64(res.dash.requests) / float64(worst)
	targets := []target{
		{"dashboard (6 panels, one request) ≤ 1.1× its most expensive panel alone", fmt.Sprintf("%d vs %d requests: %.2f×", res.dash.requests, worst, ratio), ratio <= 1.1},
		{"refresh within the cache TTL: 0 requests", fmt.Sprintf("%d requests", res.refresh.requests), res.refresh.requests == 0},
	}
	return res, targets, nil
}

// localResult is what a local-processing child reports.
type localResult struct {
	Query        string  `json:"query"`
	Layer        string  `json:"layer"`
	Embed        bool    `json:"embed"`
	Conversation int     `json:"conversations"`
	Pages        int     `json:"pages"`
	Bytes        int64   `json:"bytes"`
	Millis       float64 `json:"ms"`
	AllMillis    []int64 `json:"allMs"`
	CPUMillis    float64 `json:"cpuMs"`
	RSS          int64   `json:"rss"`
	GOMAXPROCS   int     `json:"gomaxprocs"`
}

// runLocal renders the pages of the local-size data set once (with and without embedded
// messages) into files, then measures each query in a child process of its own on one core
// (GOMAXPROCS=1), so that its peak RSS is the plugin's work and not the fake's data set.
func runLocal(ctx context.Context, cfg config, tmp string) ([]localResult, error) {
	ds := fakeapi.NewDataset(fakeapi.DatasetOptions{Conversations: cfg.localSize})
	from, to := wholeRange()
	dirs := map[bool]string{}
	for _, embed := range []bool{true, false} {
		dir := filepath.Join(tmp, fmt.Sprintf("pages-embed-%v", embed))
		if err := renderPages(fakeapi.New(fakeapi.Options{Dataset: ds, EmbedMessages: embed}), dir, cfg.pageSize, from, to); err != nil {
			return nil, err
		}
		dirs[embed] = dir
	}
	ds = nil
	runtime.GC()
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var out []localResult
	for _, layer := range []string{"core", "plugin"} {
		for _, c := range []struct {
			query string
			embed bool
		}{{"count", true}, {"count", false}, {"table", true}, {"table", false}} {
			pages, err := startPageServer(dirs[c.embed])
			if err != nil {
				return nil, err
			}
			childTarget := dirs[c.embed]
			if layer == "plugin" {
				childTarget = pages.url()
			}
			cmd := exec.CommandContext(ctx, self, "-local-child", childTarget, "-local-size", strconv.Itoa(cfg.localSize),
				"-page-size", strconv.Itoa(cfg.pageSize), "-reps", strconv.Itoa(cfg.localReps), "-warmups", strconv.Itoa(cfg.localWarmups))
			cmd.Env = append(os.Environ(), "GOMAXPROCS=1", "AGENTSIGHT_BENCH_QUERY="+c.query, "AGENTSIGHT_BENCH_LAYER="+layer, "GF_PLUGIN_LOG_LEVEL=warn")
			var stderr bytes.Buffer // the plugin's logs; shown only if the child fails
			cmd.Stderr = &stderr
			raw, err := cmd.Output()
			pages.close()
			if err != nil {
				return nil, fmt.Errorf("child (%s %s, embed %v): %w\n%s", layer, c.query, c.embed, err, tail(stderr.String(), 4000))
			}
			var r localResult
			if err := json.Unmarshal(raw, &r); err != nil {
				return nil, fmt.Errorf("child output %q: %w", raw, err)
			}
			r.Embed, r.Pages, r.Bytes = c.embed, len(pages.pages), pages.bytes
			out = append(out, r)
			log.Printf("  %s %s (embed %v): %.0f ms (CPU %.0f ms), peak RSS %d MiB", layer, r.Query, r.Embed, r.Millis, r.CPUMillis, r.RSS>>20)
		}
	}
	return out, nil
}

func embedText(embed bool) string {
	if embed {
		return "pages with messages"
	}
	return `pages with "messages": []`
}

// Besides one file per page (<page>.json), renderPages writes them all into one file, with an
// index of where each starts and ends.
const (
	allPagesName  = "pages.all"
	pageIndexName = "pages.index.json"
)

// renderPages writes the body of every page of the whole-range listing, as the client asks
// for them, to dir/<page>.json and to dir/pages.all (indexed by dir/pages.index.json).
func renderPages(srv *fakeapi.Server, dir string, pageSize int, from, to time.Time) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	all, err := os.Create(filepath.Join(dir, allPagesName))
	if err != nil {
		return err
	}
	defer all.Close()
	index := map[string][2]int64{}
	offset := int64(0)
	v := agentsight.Filters{StartedAfter: from, StartedBefore: to}.Values()
	v.Set("page_size", strconv.Itoa(pageSize))
	for page := 1; ; page++ {
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/api/conversations/?"+v.Encode(), nil)
		req.Header.Set("Authorization", "Api-Key "+fakeapi.DemoKey)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return fmt.Errorf("rendering page %d: status %d", page, rec.Code)
		}
		body := rec.Body.Bytes()
		if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(page)+".json"), body, 0o644); err != nil {
			return err
		}
		if _, err := all.Write(body); err != nil {
			return err
		}
		index[strconv.Itoa(page)] = [2]int64{offset, int64(len(body))}
		offset += int64(len(body))
		var head struct {
			Next *string `json:"next"`
		}
		if err := json.Unmarshal(body, &head); err != nil {
			return err
		}
		if head.Next == nil {
			break
		}
	}
	raw, err := json.Marshal(index)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, pageIndexName), raw, 0o644); err != nil {
		return err
	}
	return all.Close()
}

func render(cfg config, rows []row, dash *dashboardResult, refresh *refreshResult, local []localResult, targets []target, load string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Benchmarks\n\n")
	w("Generated by `go run ./tests/bench -latency %s -concurrency %d -sizes %s` on %s.\n\n",
		cfg.latency, cfg.concurrency, joinInts(cfg.sizes), time.Now().UTC().Format("2006-01-02 15:04 MST"))
	w("## Machine\n\n")
	w("| | |\n| --- | --- |\n")
	w("| CPUs (`nproc`) | %d |\n", runtime.NumCPU())
	w("| CPU model | %s |\n", cpuModel())
	w("| memory | %s |\n", memTotal())
	w("| Go | %s %s/%s |\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	w("| kernel | %s |\n", kernel())
	w("| load average (1, 5, 15 min) | %s |\n\n", load)
	w("## Method\n\n")
	w("- The plugin is built (`go build ./pkg`) and launched as Grafana does (go-plugin handshake, gRPC); each size gets a fresh plugin process, so the peak RSS (`VmHWM` of `/proc/<pid>/status`) is per size.\n")
	w("- The fake AgentSight API serves the seeded data set on 127.0.0.1 and answers every request %s after it arrived, its own work included (the API latency column is its measured mean, from a request's arrival to the end of writing its answer; the fake sleeps the last 2 ms on its thread, since Go's timers wake up to a millisecond late); list pages %s. API requests are the fake's own counter.\n", cfg.latency, map[bool]string{true: "carry the conversations' messages", false: `carry "messages": []`}[cfg.embed])
	w("- Settings: pageSize %d, concurrency %d, maxConversations ≥ the size, cacheTTL 60s. One data source instance serves every run of a size, as one serves a dashboard; each run moves the time range one second back, as a relative range (\"last 28 days\") does on every refresh, so the cache holds none of its pages and every run is a cold query. Each query first runs %d times untimed, so that the plugin process is in its steady state (heap grown, connections open) as in a Grafana server that has been serving a while; the wall time is then the median of %d runs and the plugin CPU the median of their CPU times, with its quartiles in brackets (the sum of its threads' run time from `/proc/<pid>/task/*/schedstat`, in nanoseconds; above 10 000 conversations: no warm-up, 1 run), timed from sending the gRPC request to receiving the plugin's reply (frames Arrow-encoded, as Grafana receives them; decoding them is Grafana's work and is not timed).\n", cfg.pageSize, cfg.concurrency, cfg.warmups, cfg.reps)
	w("- Range: the data set's 28 days (moved back 1 s per run; the expected counts follow the range). The table asks for `limit` = size; the count series uses 1h buckets (673 buckets); the total is `bucket: total`.\n")
	w("- Sequential baseline: requests × latency (paging one request after another). Floor: ceil(requests / concurrency) × latency, what %d requests in flight at a time cannot beat. A ratio to the floor near 1 means the query is latency-bound.\n\n", cfg.concurrency)
	renderQueries(w, rows)
	w("\n## Dashboard: 6 panels in one request (%d conversations)\n\n", dash.size)
	w("Panels share filters (`has_messages: true`) and the 28-day range: series by language, series by device, ungrouped series (1h buckets), conversations table (limit 500), messages (limit 5000), total. Each panel alone runs on a fresh instance.\n\n")
	w("| run | API requests | wall time |\n| --- | ---: | ---: |\n")
	for i, m := range dash.alone {
		w("| panel %s alone | %d | %s |\n", string(rune('A'+i)), m.requests, ms(m.wall))
	}
	w("| **dashboard, one request** | **%d** | %s |\n", dash.dash.requests, ms(dash.dash.wall))
	w("| refresh within the cache TTL | %d | %s |\n", dash.refresh.requests, ms(dash.refresh.wall))
	w("| refresh with cacheTTL 0 (cache off) | %d | %s |\n", dash.noCach.requests, ms(dash.noCach.wall))
	w("\nPlugin peak RSS over the dashboard runs: %s.\n", mb(dash.rss))
	renderRefresh(w, refresh)
	w("\n")
	w("## Local processing (%d conversations, one core)\n\n", cfg.localSize)
	w("Each measurement runs in a child process with `GOMAXPROCS=1` (one core); after %d untimed runs (a fresh process first grows its heap and faults its memory in), the time is the median of %d runs (each with a fresh client or instance, so an empty cache), CPU the child's user + system time over the same run, peak RSS the child's `VmHWM`. The pages of the whole range are rendered by the fake beforehand.\n\n", cfg.localWarmups, cfg.localReps)
	w("- **core** is the local processing the target names, decode + bucket/table + frame: the API client (cache, pager, decoder) and the frame builders, as the count and table queries use them, with each page read from its file when requested (no HTTP), the frames encoded to Arrow as the SDK does. The count streams its listing into the series, decoding the Summary row the plugin's counts decode; the table lists every conversation.\n")
	w("- **plugin** is the whole plugin, `Datasource.QueryData` on a fresh instance, against a loopback server in the benchmark process that answers each page from memory without latency. It adds what every API request costs whatever its body: the socket reads and the SDK's HTTP middlewares (tracing, Prometheus metrics).\n\n")
	w("| layer | query | list pages | pages | JSON | time | runs (ms) | CPU | peak RSS |\n| --- | --- | --- | ---: | ---: | ---: | --- | ---: | ---: |\n")
	for _, l := range local {
		w("| %s | %s | %s | %d | %.0f MB | %.0f ms | %s | %.0f ms | %s |\n", l.Layer, map[string]string{"count": "count by language, 1h buckets", "table": "conversations table"}[l.Query],
			embedText(l.Embed), l.Pages, float64(l.Bytes)/1e6, l.Millis, joinInt64s(l.AllMillis), l.CPUMillis, mb(l.RSS))
	}
	renderTargets(w, targets)
	return b.String()
}

func renderTargets(w func(string, ...any), targets []target) {
	w("\n## Targets\n\n| target | measured | |\n| --- | --- | --- |\n")
	for _, t := range targets {
		w("| %s | %s | %s |\n", t.name, t.value, map[bool]string{true: "met", false: "**not met**"}[t.met])
	}
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds())
}

func mb(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/1e6) }

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func joinInt64s(v []int64) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(s, ", ")
}

func procField(path, prefix string) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, prefix) {
			if _, v, ok := strings.Cut(line, ":"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return "unknown"
}

func cpuModel() string { return procField("/proc/cpuinfo", "model name") }

func memTotal() string {
	v := procField("/proc/meminfo", "MemTotal")
	kb, err := strconv.ParseInt(strings.TrimSuffix(v, " kB"), 10, 64)
	if err != nil {
		return v
	}
	return fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
}

func kernel() string {
	raw, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "unknown"
	}
	return "Linux " + string(bytes.TrimSpace(raw))
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// sizeTargets are the targets a query of one size is held to: a total is one request; a table
// or a count over 100 pages stays within 1.25× the latency-bound floor. The plugin's CPU is
// reported, no longer held to a share of the wall time: what matters is its cost per viewer
// (the viewers scenario, scale.go; issue 22).
func sizeTargets(cfg config, n int, r row) []target {
	if r.firstQuery {
		return nil
	}
	if r.kind == "total count" {
		return []target{{fmt.Sprintf("total over %d conversations = 1 request", n), fmt.Sprintf("%d requests", r.requests), r.requests == 1}}
	}
	if r.requests != 100 || (r.kind != "conversations table" && r.kind != "count series (1h buckets)") {
		return nil
	}
	ratioFloor := float64(r.wall) / float64(r.floor)
	return []target{
		{fmt.Sprintf("%s over 100 pages at %s, concurrency %d: ≤ 1.25× floor", r.kind, cfg.latency, cfg.concurrency), fmt.Sprintf("%.2f×", ratioFloor), ratioFloor <= 1.25},
	}
}
