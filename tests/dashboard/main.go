// Command dashboard serves the browser check of the provisioned dashboard (tests/dashboard/run.mjs):
// the fake API on loopback (fixed seed and end), the built plugin behind the test bridge
// (tests/internal/bridge) configured from provisioning/datasources/agentsight.yaml, the page's
// files, and the fake data set's own answers under /truth/. It prints one JSON line,
// {"url", "now"}, when ready, and stops when its standard input closes.
//
//	go run ./tests/dashboard -static test-results/dashboard-bundle
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/agentsight/agentsight-conversations-datasource/tests/internal/bridge"
	"github.com/agentsight/agentsight-conversations-datasource/tests/internal/pluginhost"
)

// now is the dashboard's "now" and the end of the fake's data set, so that every number drawn is
// the same on every run.
var now = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dashboard:", err)
		os.Exit(1)
	}
}

func run() error {
	root := flag.String("root", ".", "repository root")
	static := flag.String("static", "", "folder of the page's files (index.html and the bundle)")
	pluginLog := flag.String("plugin-log", "", "file for the plugin's log (default: discarded)")
	flag.Parse()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	dataset := fakeapi.NewDataset(fakeapi.DatasetOptions{Seed: fakeapi.DefaultSeed, End: now})
	fake := fakeapi.New(fakeapi.Options{Dataset: dataset, EmbedMessages: true})
	fakeLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() { _ = fake.Serve(ctx, fakeLn) }()

	ds, err := bridge.LoadProvisioning(filepath.Join(*root, "provisioning/datasources/agentsight.yaml"), "agentsight",
		map[string]string{"AGENTSIGHT_URL": "http://" + fakeLn.Addr().String(), "AGENTSIGHT_API_KEY": fakeapi.DemoKey})
	if err != nil {
		return err
	}
	bin, cleanup, err := pluginhost.BuildTemp(*root, "agentsight-dashboard")
	if err != nil {
		return err
	}
	defer cleanup()
	var logTo io.Writer = io.Discard
	if *pluginLog != "" {
		f, err := os.Create(*pluginLog) // #nosec G304 -- a path the test runner chose
		if err != nil {
			return err
		}
		defer f.Close()
		logTo = f
	}
	plugin, err := pluginhost.Start(bin, logTo)
	if err != nil {
		return err
	}
	defer plugin.Stop()

	mux := http.NewServeMux()
	b := bridge.New(plugin, ds)
	mux.Handle("/api/", b)
	mux.Handle("/bridge/", b)
	mux.Handle("/truth/", truth{ds: dataset})
	if *static != "" {
		mux.Handle("/", staticFiles(*static, filepath.Join(*root, "node_modules/@grafana/ui/dist/public/img")))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	ready, _ := json.Marshal(map[string]any{"url": "http://" + ln.Addr().String(), "now": now.UnixMilli()})
	fmt.Println(string(ready))
	// The runner holds standard input open while it needs the servers.
	_, err = io.Copy(io.Discard, os.Stdin)
	if errors.Is(err, os.ErrClosed) {
		err = nil
	}
	return err
}

// staticFiles serves the page, and @grafana/ui's icons where Grafana serves them
// (public/build/img/).
func staticFiles(dir, icons string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	iconFiles := http.StripPrefix("/public/build/img/", http.FileServer(http.Dir(icons)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/public/build/img/") {
			iconFiles.ServeHTTP(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}
