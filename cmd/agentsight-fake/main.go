// Command agentsight-fake serves a seeded, in-memory AgentSight Conversation
// API for demos and manual testing of the data source.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight/fake"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "agentsight-fake:", err)
		os.Exit(1)
	}
}

func run() error {
	defaultAddr := "127.0.0.1:8080"
	if v := os.Getenv("AGENTSIGHT_FAKE_ADDR"); v != "" {
		defaultAddr = v
	}
	addr := flag.String("addr", defaultAddr, "listen address (env AGENTSIGHT_FAKE_ADDR)")
	conversations := flag.Int("conversations", fake.DefaultConversations, "number of conversations")
	seed := flag.Int64("seed", fake.DefaultSeed, "data set seed")
	days := flag.Int("days", 28, "days of history the data set spans")
	end := flag.String("end", "", "end of the data set, RFC 3339 (default: the start of the current hour, so recent dashboards show data)")
	embed := flag.Bool("embed-messages", true, "include full messages in list results")
	latency := flag.Duration("latency", 0, "delay added to every response")
	flag.Parse()

	endTime := time.Now().UTC().Truncate(time.Hour)
	if *end != "" {
		t, err := time.Parse(time.RFC3339, *end)
		if err != nil {
			return fmt.Errorf("-end: %w", err)
		}
		endTime = t
	}
	if *days <= 0 {
		return fmt.Errorf("-days must be positive")
	}

	ds := fake.NewDataset(fake.DatasetOptions{
		Seed: *seed, Conversations: *conversations, End: endTime, Span: time.Duration(*days) * 24 * time.Hour,
	})
	srv := fake.New(fake.Options{Dataset: ds, EmbedMessages: *embed})
	srv.SetLatency(*latency)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Printf("AgentSight fake API on http://%s — API key: %s\n", ln.Addr(), fake.DemoKey)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return srv.Serve(ctx, ln)
}
