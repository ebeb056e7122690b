package pluginhost

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
)

// StatusBytes reads a "kB" line of /proc/<pid>/status (VmRSS, VmHWM, …) in bytes: what the
// hostile suite and the benchmark measure of a plugin process's memory.
func StatusBytes(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		return kb << 10, err
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", field, pid)
}

// OpenFiles is how many file descriptors the process has open (sockets included).
func OpenFiles(pid int) (int, error) {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return len(entries), err
}

// Goroutines is the plugin's go_goroutines metric, read through the diagnostics service as
// Grafana collects it.
func (p *Plugin) Goroutines(ctx context.Context) (int, error) {
	resp, err := p.Diagnostics.CollectMetrics(ctx, &pluginv2.CollectMetricsRequest{PluginContext: &pluginv2.PluginContext{PluginId: PluginID}})
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(resp.GetMetrics().GetPrometheus()), "\n") {
		if v, ok := strings.CutPrefix(line, "go_goroutines "); ok {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int(n), err
		}
	}
	return 0, fmt.Errorf("no go_goroutines in the plugin's metrics")
}
