package plugin

import (
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
)

// MemoryBudgetEnv is the variable Grafana sets from `memory_budget` in the plugin's section
// of grafana.ini, [plugin.agentsight-conversations-datasource]: Grafana passes each key of
// that section to the plugin process as GF_PLUGIN_<KEY in upper case>.
const MemoryBudgetEnv = "GF_PLUGIN_MEMORY_BUDGET"

// DefaultMemoryBudget is the memory of the plugin process when the administrator sets none.
const DefaultMemoryBudget = 256 << 20

// minMemoryLimit is the least soft memory limit the budget sets: below it the garbage
// collector would run on every few allocations of a single query.
const minMemoryLimit = 64 << 20

// KeptBytes is what the instances of a process whose memory budget is budget keep between
// queries, together (responses and settled rows): half of it, the other half being the
// queries' own work and the garbage collector's room. A process whose caches are full then
// stays near its budget rather than at twice what it keeps, where Go's collector lets the
// heap grow by default.
func KeptBytes(budget int64) int64 { return budget / 2 }

// LimitMemory makes budget the Go runtime's soft memory limit (debug.SetMemoryLimit), unless
// the administrator set GOMEMLIMIT, which then wins, or the budget is 0 (nothing kept, no
// limit). It returns the limit set, 0 for none.
func LimitMemory(budget int64, getenv func(string) string) int64 {
	if budget <= 0 || strings.TrimSpace(getenv("GOMEMLIMIT")) != "" {
		return 0
	}
	limit := max(budget, minMemoryLimit)
	debug.SetMemoryLimit(limit)
	return limit
}

// maxMemoryBudget bounds the setting far above any sensible value, so that no size overflows.
const maxMemoryBudget = 1 << 40

var memoryUnits = []struct {
	suffix string
	bytes  int64
}{
	// Longest suffixes first, so that "MiB" is not read as "B".
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1000}, {"mb", 1000 * 1000}, {"gb", 1000 * 1000 * 1000},
	{"b", 1},
}

// MemoryBudget reads the process's memory budget from getenv (os.Getenv in the plugin):
// DefaultMemoryBudget when the variable is unset or empty, and also when it is invalid, with
// an error saying so for the log.
func MemoryBudget(getenv func(string) string) (int64, error) {
	raw := strings.TrimSpace(getenv(MemoryBudgetEnv))
	if raw == "" {
		return DefaultMemoryBudget, nil
	}
	n, err := ParseMemorySize(raw)
	if err != nil {
		return DefaultMemoryBudget, fmt.Errorf("memory_budget (%s) %q %w; using the default, 256MiB", MemoryBudgetEnv, raw, err)
	}
	return n, nil
}

// ParseMemorySize reads a size such as "256MiB", "1GiB", "500MB" or "0" (keep nothing
// between queries). A unit is required for any other number, so that "256" meant as
// mebibytes is not taken as 256 bytes.
func ParseMemorySize(s string) (int64, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "0" {
		return 0, nil
	}
	for _, u := range memoryUnits {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("is not a size: write a whole number and a unit, e.g. 256MiB or 1GiB")
		}
		if n > maxMemoryBudget/u.bytes {
			return 0, fmt.Errorf("is more than 1TiB")
		}
		return n * u.bytes, nil
	}
	return 0, fmt.Errorf("has no unit: write e.g. 256MiB or 1GiB (B, KB, MB, GB, KiB, MiB, GiB), or 0 to keep nothing")
}
