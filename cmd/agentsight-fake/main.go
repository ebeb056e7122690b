// Command agentsight-fake serves a seeded, in-memory AgentSight Conversation
// API for demos and manual testing of the data source, with optional fault
// injection (-fault) and a self-check for container health checks (-healthcheck).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "agentsight-fake:", err)
		}
		os.Exit(1)
	}
}

// config is what the command line asks for.
type config struct {
	addr          string
	healthcheck   bool
	dataset       fakeapi.DatasetOptions
	embedMessages bool
	latency       time.Duration
	faults        []fakeapi.Fault
}

// defaultDeletedOneIn gives the demo a few soft-deleted conversations (25 of the default
// 5,000), so that the include_deleted filter shows a difference.
const defaultDeletedOneIn = 200

// defaultAhead lets conversations keep starting for a day after the fake starts, so that an
// alert rule over "the last hour" reads live-looking data for as long as a demo runs.
const defaultAhead = 24 * time.Hour

// healthcheckTimeout bounds -healthcheck; a container runtime kills a slower check anyway.
const healthcheckTimeout = 3 * time.Second

func parseConfig(args []string, getenv func(string) string, now time.Time, stderr io.Writer) (config, error) {
	cfg := config{addr: "127.0.0.1:8080"}
	if v := getenv("AGENTSIGHT_FAKE_ADDR"); v != "" {
		cfg.addr = v
	}
	fs := flag.NewFlagSet("agentsight-fake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", cfg.addr, "listen address (env AGENTSIGHT_FAKE_ADDR)")
	fs.BoolVar(&cfg.healthcheck, "healthcheck", false,
		"instead of serving, check that the fake at -addr answers (exit 0) or not (exit 1), for a container health check")
	fs.IntVar(&cfg.dataset.Conversations, "conversations", fakeapi.DefaultConversations,
		fmt.Sprintf("number of conversations, 1 to %d", fakeapi.MaxConversations))
	fs.Uint64Var(&cfg.dataset.Seed, "seed", fakeapi.DefaultSeed, "data set seed")
	days := fs.Int("days", 28, "days of history the data set spans")
	end := fs.String("end", "", "end of the data set, RFC 3339 (default: the start of the current hour plus -ahead, so recent dashboards and alert rules show data)")
	ahead := fs.Duration("ahead", defaultAhead, "without -end, conversations keep starting for this long after the current hour (they appear as time passes)")
	scenario := fs.String("scenario", "", "trip an alert rule of provisioning/alerting from an hour before now (env AGENTSIGHT_FAKE_SCENARIO): "+fakeapi.ScenarioHelp())
	fs.IntVar(&cfg.dataset.DeletedOneIn, "deleted-one-in", defaultDeletedOneIn,
		"soft-delete about one conversation in N, listed only with include_deleted=true (0: none)")
	fs.BoolVar(&cfg.embedMessages, "embed-messages", true, "include full messages in list results")
	fs.DurationVar(&cfg.latency, "latency", 0, "delay added to every response")
	fs.Func("fault", "inject a fault, repeatable (env AGENTSIGHT_FAKE_FAULTS, separated by ;, applies first); "+
		"a request meets the first fault that applies: "+fakeapi.FaultSpecHelp(),
		func(spec string) error {
			f, err := fakeapi.ParseFault(spec)
			if err != nil {
				return err
			}
			cfg.faults = append(cfg.faults, f)
			return nil
		})
	// Faults from the environment let docker compose pass none at all, which a flag cannot.
	for _, spec := range strings.Split(getenv("AGENTSIGHT_FAKE_FAULTS"), ";") {
		if strings.TrimSpace(spec) == "" {
			continue
		}
		f, err := fakeapi.ParseFault(spec)
		if err != nil {
			return config{}, fmt.Errorf("AGENTSIGHT_FAKE_FAULTS: %w", err)
		}
		cfg.faults = append(cfg.faults, f)
	}
	if v := getenv("AGENTSIGHT_FAKE_SCENARIO"); v != "" {
		*scenario = v
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q (flags only; see -h)", fs.Arg(0))
	}
	if cfg.dataset.Conversations < 1 || cfg.dataset.Conversations > fakeapi.MaxConversations {
		return config{}, fmt.Errorf("-conversations must be between 1 and %d", fakeapi.MaxConversations)
	}
	if cfg.dataset.DeletedOneIn < 0 {
		return config{}, fmt.Errorf("-deleted-one-in must not be negative")
	}
	if *days <= 0 {
		return config{}, fmt.Errorf("-days must be positive")
	}
	if cfg.latency < 0 {
		return config{}, fmt.Errorf("-latency must not be negative")
	}
	if *ahead < 0 {
		return config{}, fmt.Errorf("-ahead must not be negative")
	}
	cfg.dataset.Span = time.Duration(*days) * 24 * time.Hour
	cfg.dataset.End = now.UTC().Truncate(time.Hour)
	if *end != "" {
		t, err := time.Parse(time.RFC3339, *end)
		if err != nil {
			return config{}, fmt.Errorf("-end: %w", err)
		}
		cfg.dataset.End = t
	} else if *ahead > 0 {
		// The history before now keeps its -days; the day ahead comes on top.
		cfg.dataset.End = cfg.dataset.End.Add(*ahead)
		cfg.dataset.Span += *ahead
	}
	sc, err := fakeapi.ParseScenario(*scenario)
	if err != nil {
		return config{}, fmt.Errorf("-scenario: %w", err)
	}
	if sc.Kind != fakeapi.ScenarioNone {
		// From an hour before now, so that a rule over the last hour sees it at once.
		sc.From = now.UTC().Add(-time.Hour).Truncate(time.Second)
		cfg.dataset.Scenario = sc
	}
	return cfg, nil
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, time.Now(), stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.healthcheck {
		return healthcheck(ctx, cfg.addr)
	}

	srv := fakeapi.New(fakeapi.Options{Dataset: fakeapi.NewDataset(cfg.dataset), EmbedMessages: cfg.embedMessages})
	srv.SetLatency(cfg.latency)
	for _, f := range cfg.faults {
		srv.AddFault(f)
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "AgentSight fake API on http://%s — API key: %s\n", ln.Addr(), fakeapi.DemoKey)
	for _, f := range cfg.faults {
		fmt.Fprintf(stdout, "fault injected: %s %+v\n", f.Kind, f)
	}
	if sc := cfg.dataset.Scenario; sc.Kind != fakeapi.ScenarioNone {
		fmt.Fprintf(stdout, "scenario %s from %s\n", sc.Kind, sc.From.Format(time.RFC3339))
	}
	return srv.Serve(ctx, ln)
}

// healthcheck GETs the fake's health path on addr and wants 200.
func healthcheck(ctx context.Context, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	// A wildcard listen address is reached on loopback.
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + fakeapi.HealthPath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", url, resp.Status)
	}
	return nil
}
