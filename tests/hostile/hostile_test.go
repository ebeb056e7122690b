//go:build hostile

package hostile

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/tests/internal/pluginhost"
)

const (
	// key is the API key every case configures; it must show up in nothing the plugin says.
	key = "sk_live_hostile_4f2b9c0e7d1a"
	// answerBound is how long a case may take to be answered: generous, so that a loaded CI
	// machine never fails a case that is merely slow, while a hang or a runaway loop still does.
	answerBound = 30 * time.Second
	// maxHWM is the peak resident memory the plugin may reach in any case.
	maxHWM = 400 << 20
	// killRSS stops a runaway plugin before it takes the machine with it.
	killRSS = 1 << 30
	// memLimit is the plugin's soft memory limit (GOMEMLIMIT): the garbage collector works
	// harder near it, but only the budgets keep the process under maxHWM.
	memLimit = "300MiB"
)

var bin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	built, cleanup, err := pluginhost.BuildTemp("../..", "agentsight-hostile")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	bin = built
	// The plugin inherits the environment: its soft memory limit.
	os.Setenv("GOMEMLIMIT", memLimit)
	code := m.Run()
	printSummary()
	return code
}

// proc is one plugin process, started for one case so that its VmHWM is that case's alone.
type proc struct {
	t      *testing.T
	plugin *pluginhost.Plugin
	pid    int
	log    *pluginhost.Log
	stop   chan struct{}
	killed chan int64 // the RSS at which the watchdog killed the plugin
}

func startPlugin(t *testing.T) *proc {
	t.Helper()
	log := &pluginhost.Log{}
	p, err := pluginhost.Start(bin, log)
	if err != nil {
		t.Fatal(err)
	}
	pr := &proc{t: t, plugin: p, pid: p.Pid(), log: log, stop: make(chan struct{}), killed: make(chan int64, 1)}
	if pr.pid == 0 {
		p.Stop()
		t.Fatal("no plugin pid")
	}
	go pr.watch()
	t.Cleanup(func() {
		close(pr.stop)
		p.Stop()
	})
	return pr
}

// watch kills the plugin when its RSS passes killRSS: the case then fails on its VmHWM, and
// the machine is spared.
func (p *proc) watch() {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-tick.C:
			rss, err := pluginhost.StatusBytes(p.pid, "VmRSS")
			if err == nil && rss > killRSS {
				if pr, err := os.FindProcess(p.pid); err == nil {
					_ = pr.Kill()
				}
				p.killed <- rss
				return
			}
		}
	}
}

// cpuTime is the process's user and system CPU time, from /proc/<pid>/stat (in clock ticks,
// 100 per second on Linux).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces: the fields start after its closing parenthesis.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad /proc/%d/stat", pid)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// figures are what a case measured, for the summary printed at the end.
type figures struct {
	name     string
	elapsed  time.Duration
	hwm      int64
	requests int64
	budget   int64
	outcome  string
	failed   bool
}

var (
	summaryMu sync.Mutex
	summary   []figures
)

func record(f figures) {
	summaryMu.Lock()
	defer summaryMu.Unlock()
	summary = append(summary, f)
}

func printSummary() {
	summaryMu.Lock()
	defer summaryMu.Unlock()
	if len(summary) == 0 {
		return
	}
	fmt.Printf("\n%-46s %9s %9s %11s  %s\n", "case", "time", "VmHWM", "requests", "outcome")
	for _, f := range summary {
		status := "ok  "
		if f.failed {
			status = "FAIL"
		}
		fmt.Printf("%-46s %8.2fs %6.1fMiB %5d/%-5d %s %s\n", f.name, f.elapsed.Seconds(), float64(f.hwm)/(1<<20), f.requests, f.budget, status, f.outcome)
	}
}
