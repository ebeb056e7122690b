package pluginhost

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
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
