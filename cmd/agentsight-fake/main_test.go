package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
)

var testNow = time.Date(2026, 12, 2, 3, 45, 12, 0, time.UTC)

func noEnv(string) string { return "" }

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want config
	}{
		{
			name: "defaults: loopback, the default data set: 28 days up to the current hour, and a day ahead",
			want: config{
				addr:          "127.0.0.1:8080",
				embedMessages: true,
				dataset: fakeapi.DatasetOptions{Seed: fakeapi.DefaultSeed, Conversations: fakeapi.DefaultConversations,
					End: time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC), Span: 29 * 24 * time.Hour, DeletedOneIn: defaultDeletedOneIn},
			},
		},
		{
			name: "a scenario from the environment starts an hour before now; -ahead=0 ends the data at the current hour",
			env:  map[string]string{"AGENTSIGHT_FAKE_SCENARIO": "language-drop=fr"},
			args: []string{"-ahead=0"},
			want: config{
				addr:          "127.0.0.1:8080",
				embedMessages: true,
				dataset: fakeapi.DatasetOptions{Seed: fakeapi.DefaultSeed, Conversations: fakeapi.DefaultConversations,
					End: time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC), Span: 28 * 24 * time.Hour, DeletedOneIn: defaultDeletedOneIn,
					Scenario: fakeapi.Scenario{Kind: fakeapi.ScenarioLanguageDrop, Language: "fr", From: time.Date(2026, 12, 2, 2, 45, 12, 0, time.UTC)}},
			},
		},
		{
			name: "-scenario overrides the environment; an empty one is none",
			env:  map[string]string{"AGENTSIGHT_FAKE_SCENARIO": "quiet"},
			args: []string{"-scenario=", "-ahead=2h"},
			want: config{
				addr:          "127.0.0.1:8080",
				embedMessages: true,
				dataset: fakeapi.DatasetOptions{Seed: fakeapi.DefaultSeed, Conversations: fakeapi.DefaultConversations,
					End: time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC), Span: 28*24*time.Hour + 2*time.Hour, DeletedOneIn: defaultDeletedOneIn},
			},
		},
		{
			name: "environment address, overridden by -addr; faults in the order given",
			env: map[string]string{"AGENTSIGHT_FAKE_ADDR": "0.0.0.0:9000",
				"AGENTSIGHT_FAKE_FAULTS": " hang,path=/api/conversations/1/ ; ;count-mismatch,times=1"},
			args: []string{"-addr=0.0.0.0:8080", "-conversations=10", "-seed=3", "-days=2", "-end=2026-11-01T00:00:00Z",
				"-embed-messages=false", "-latency=150ms", "-deleted-one-in=0",
				"-fault", "status,status=429,retry-after=2,times=3",
				"-fault=slow-body,delay=200ms,path=/api/conversations/"},
			want: config{
				addr:    "0.0.0.0:8080",
				latency: 150 * time.Millisecond,
				dataset: fakeapi.DatasetOptions{Seed: 3, Conversations: 10,
					End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Span: 2 * 24 * time.Hour},
				faults: []fakeapi.Fault{
					{Kind: fakeapi.FaultHang, PathPrefix: "/api/conversations/1/"},
					{Kind: fakeapi.FaultCountMismatch, Times: 1},
					{Kind: fakeapi.FaultStatus, Status: 429, RetryAfter: "2", Times: 3},
					{Kind: fakeapi.FaultSlowBody, Delay: 200 * time.Millisecond, PathPrefix: "/api/conversations/"},
				},
			},
		},
		{
			name: "healthcheck reads the same address",
			env:  map[string]string{"AGENTSIGHT_FAKE_ADDR": "0.0.0.0:8080", "AGENTSIGHT_FAKE_FAULTS": ""},
			args: []string{"-healthcheck"},
			want: config{
				addr: "0.0.0.0:8080", healthcheck: true, embedMessages: true,
				dataset: fakeapi.DatasetOptions{Seed: fakeapi.DefaultSeed, Conversations: fakeapi.DefaultConversations,
					End: time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC), Span: 29 * 24 * time.Hour, DeletedOneIn: defaultDeletedOneIn},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, testNow, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(config{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseConfigRejects(t *testing.T) {
	tests := map[string][]string{
		"unknown fault kind":         {"-fault=teapot"},
		"applies to the status":      {"-fault=hang,status=500"},
		"-conversations must be":     {"-conversations=0"},
		"between 1 and 1000000":      {"-conversations=1000001"},
		"-days must be positive":     {"-days=0"},
		"-deleted-one-in must not":   {"-deleted-one-in=-1"},
		"-latency must not be":       {"-latency=-1s"},
		"-end":                       {"-end=yesterday"},
		"-ahead must not be":         {"-ahead=-1h"},
		"unknown scenario \"storm\"": {"-scenario=storm"},
		"unexpected argument":        {"serve"},
		"flag provided but not def":  {"-faults=hang"},
	}
	for want, args := range tests {
		_, err := parseConfig(args, noEnv, testNow, io.Discard)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseConfig(%q) error = %v, want one containing %q", args, err, want)
		}
	}
	badEnv := func(k string) string {
		if k == "AGENTSIGHT_FAKE_FAULTS" {
			return "hang;teapot"
		}
		return ""
	}
	if _, err := parseConfig(nil, badEnv, testNow, io.Discard); err == nil || !strings.Contains(err.Error(), "AGENTSIGHT_FAKE_FAULTS: unknown fault kind") {
		t.Errorf("a bad AGENTSIGHT_FAKE_FAULTS gave error %v", err)
	}
}

// -h lists the fault option with every kind, so that the README's promise holds.
func TestHelpShowsFaults(t *testing.T) {
	var out strings.Builder
	_, err := parseConfig([]string{"-h"}, noEnv, testNow, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"-fault", "-healthcheck", "retry-after", "-scenario", "-ahead"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-h does not mention %s:\n%s", want, out.String())
		}
	}
	for _, k := range fakeapi.FaultKinds() {
		if !strings.Contains(out.String(), k.String()) {
			t.Errorf("-h does not name the fault kind %s", k)
		}
	}
	for _, k := range fakeapi.ScenarioKinds() {
		if !strings.Contains(out.String(), string(k)) {
			t.Errorf("-h does not name the scenario %s", k)
		}
	}
}

func TestHealthcheck(t *testing.T) {
	srv := fakeapi.New(fakeapi.Options{Dataset: fakeapi.NewDataset(fakeapi.DatasetOptions{Conversations: 5})})
	srv.AddFault(fakeapi.Fault{Kind: fakeapi.FaultStatus, Status: 503})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	defer func() { cancel(); <-done }()

	_, port, _ := net.SplitHostPort(ln.Addr().String())
	// The container listens on 0.0.0.0; the check reaches it on loopback, past the injected 503.
	if err := healthcheck(context.Background(), "0.0.0.0:"+port); err != nil {
		t.Errorf("healthcheck of a serving fake: %v", err)
	}
	if err := healthcheck(context.Background(), ln.Addr().String()); err != nil {
		t.Errorf("healthcheck on %s: %v", ln.Addr(), err)
	}

	// Nothing listens on a port just released.
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	if err := healthcheck(context.Background(), addr); err == nil {
		t.Errorf("healthcheck of %s with nothing listening succeeded", addr)
	}
	if err := healthcheck(context.Background(), "no-port"); err == nil {
		t.Error("healthcheck of an address without a port succeeded")
	}
}
