package pluginhost

import (
	"fmt"
	"io"
	"os"
)

// RunShared is the body of a test binary's TestMain when all its tests share one plugin
// process: it builds the plugin (BuildTemp; AGENTSIGHT_PLUGIN_BINARY reuses a built one),
// starts it with its log going to log, sets *p, runs the tests and stops the plugin. It
// returns the exit code for os.Exit.
func RunShared(m interface{ Run() int }, repoRoot, prefix string, log io.Writer, p **Plugin) int {
	bin, cleanup, err := BuildTemp(repoRoot, prefix)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	if *p, err = Start(bin, log); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer (*p).Stop()
	return m.Run()
}
