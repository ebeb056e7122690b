package plugin

import (
	"runtime/debug"
	"testing"
)

// The administrator's memory budget is the process's: Go's soft memory limit, unless
// GOMEMLIMIT says otherwise, and twice what the data sources keep between queries.
func TestMemoryBudgetLimitsTheProcess(t *testing.T) {
	previous := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(previous) })
	for _, tc := range []struct {
		name       string
		budget     int64
		gomemlimit string
		want       int64 // the limit set; 0: the runtime's limit left as it was
	}{
		{name: "the default", budget: DefaultMemoryBudget, want: 256 << 20},
		{name: "a larger budget", budget: 1 << 30, want: 1 << 30},
		{name: "a small budget gets a workable limit", budget: 8 << 20, want: minMemoryLimit},
		{name: "nothing kept, no limit", budget: 0},
		{name: "GOMEMLIMIT wins", budget: DefaultMemoryBudget, gomemlimit: "1GiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const untouched = 7 << 40
			debug.SetMemoryLimit(untouched)
			got := LimitMemory(tc.budget, func(name string) string {
				if name == "GOMEMLIMIT" {
					return tc.gomemlimit
				}
				return ""
			})
			want := tc.want
			if want == 0 {
				want = untouched
			}
			if got != tc.want || debug.SetMemoryLimit(-1) != want {
				t.Fatalf("LimitMemory = %d, runtime limit %d; want %d and %d", got, debug.SetMemoryLimit(-1), tc.want, want)
			}
		})
	}
	if got := NewFactory(DefaultMemoryBudget).Budget().MaxBytes(); got != 128<<20 {
		t.Fatalf("the instances keep %d bytes of a 256 MiB budget, want half", got)
	}
}
