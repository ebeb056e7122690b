package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/agentsight/agentsight-conversations-datasource/tests/internal/pluginhost"
)

// refreshResult is the auto-refresh scenario: the dashboard over the last 7 days refreshed
// again and again while conversations arrive, by a data source reusing settled data and by
// one reading the whole range every time (settleAfter 0s, as before incremental refresh).
type refreshResult struct {
	size, refreshes, arrivals int
	interval                  time.Duration
	firstIncremental          measured
	firstFull                 measured
	incremental, full         []measured
}

// runRefresh builds a data set ending at the wall clock (the plugin settles conversations by
// its own clock), then moves the fake's clock by cfg.refreshInterval per refresh, adding
// cfg.refreshArrivals conversations that started since the last one, and queries both data
// sources over [now-7d, now]. Their frames must be identical.
func runRefresh(ctx context.Context, cfg config, bin string) (*refreshResult, []target, error) {
	now := time.Now().UTC().Truncate(time.Second)
	ds := fakeapi.NewDataset(fakeapi.DatasetOptions{Conversations: cfg.refreshSize, End: now})
	h, stop, err := startHost(cfg, bin, ds)
	if err != nil {
		return nil, nil, err
	}
	defer stop()
	// settleAfter is set on both, whatever -settle-after says for the other scenarios.
	jd := map[string]any{"maxConversations": max(cfg.refreshSize, 10000), "settleAfter": "1h"}
	incremental := h.dataSource(jd)
	jd["settleAfter"] = "0s"
	full := h.dataSource(jd)
	res := &refreshResult{size: cfg.refreshSize, refreshes: cfg.refreshes, arrivals: cfg.refreshArrivals, interval: cfg.refreshInterval}
	panels := func() []pluginhost.Query {
		qs := dashboardPanels()
		for i := range qs {
			qs[i].From, qs[i].To = now.Add(-7*24*time.Hour), now
			qs[i].Interval, qs[i].MaxDataPoints = time.Hour, 2000
		}
		return qs
	}
	both := func() (measured, measured, error) {
		mi, ri, err := h.query(ctx, incremental, panels()...)
		if err != nil {
			return measured{}, measured{}, err
		}
		mf, rf, err := h.query(ctx, full, panels()...)
		if err != nil {
			return measured{}, measured{}, err
		}
		// Links in the tables name their data source: the two differ only there.
		return mi, mf, sameResults(ri, rf, strings.NewReplacer(incremental.UID, full.UID))
	}
	if res.firstIncremental, res.firstFull, err = both(); err != nil {
		return nil, nil, fmt.Errorf("first load: %w", err)
	}
	nextID := int64(len(ds.Conversations)) + 1
	for i := range cfg.refreshes {
		now = now.Add(cfg.refreshInterval)
		for j := range cfg.refreshArrivals {
			c := ds.Conversations[(i*cfg.refreshArrivals+j)%len(ds.Conversations)]
			c.ID, c.ConversationID = nextID, fmt.Sprintf("arrived-%d", nextID)
			c.StartedAt = now.Add(-time.Duration(j+1) * cfg.refreshInterval / time.Duration(cfg.refreshArrivals+1))
			c.EndedAt = nil
			nextID++
			h.api.srv.Add(c)
		}
		mi, mf, err := both()
		if err != nil {
			return nil, nil, fmt.Errorf("refresh %d: %w", i+1, err)
		}
		res.incremental, res.full = append(res.incremental, mi), append(res.full, mf)
	}
	worst := slices.MaxFunc(res.incremental, func(a, b measured) int { return a.requests - b.requests })
	wall := median(res.incremental)
	targets := []target{
		{"auto-refresh of the 6-panel dashboard over 7 days: ≤ 8 requests per refresh", fmt.Sprintf("at most %d (full re-read: %d)", worst.requests, median(res.full).requests), worst.requests <= 8},
		{"auto-refresh: wall time per refresh ≤ 2× one request's latency", fmt.Sprintf("median %s at %s latency", ms(wall.wall), cfg.latency), wall.wall <= 2*cfg.latency},
	}
	return res, targets, nil
}

// median is the run with the median wall time (requests, wall, CPU of the same run).
func median(ms []measured) measured {
	sorted := slices.Clone(ms)
	slices.SortFunc(sorted, func(a, b measured) int { return int(a.wall - b.wall) })
	return sorted[len(sorted)/2]
}

// sameResults compares the frames and errors of two replies, the notices included.
func sameResults(got, want map[string]pluginhost.Result, inGot *strings.Replacer) error {
	for ref, w := range want {
		g := got[ref]
		if g.Error != w.Error {
			return fmt.Errorf("query %s: error %q, full re-read %q", ref, g.Error, w.Error)
		}
		gj, err := framesData(g)
		if err != nil {
			return err
		}
		wj, err := framesData(w)
		if err != nil {
			return err
		}
		if inGot.Replace(gj) != wj {
			return fmt.Errorf("query %s: frames differ from the full re-read's", ref)
		}
	}
	return nil
}

func framesData(r pluginhost.Result) (string, error) {
	var out []any
	for _, f := range r.Frames {
		bare := *f
		var notices []string
		if f.Meta != nil {
			for _, n := range f.Meta.Notices {
				notices = append(notices, n.Text)
			}
		}
		bare.Meta = nil
		b, err := json.Marshal(&bare)
		if err != nil {
			return "", err
		}
		out = append(out, map[string]any{"frame": json.RawMessage(b), "notices": notices})
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func renderRefresh(w func(string, ...any), r *refreshResult) {
	w("\n## Dashboard on auto-refresh (%d conversations, growing)\n\n", r.size)
	w("The dashboard above over the last 7 days, refreshed %d times at %s intervals of the fake's clock, %d conversations arriving before each refresh. One data source reuses settled data (settleAfter 1h, the default); the other has settleAfter 0s and reads the whole range every time, as every refresh did before. Both answer identical frames (checked on every refresh).\n\n", r.refreshes, r.interval, r.arrivals)
	w("| run | API requests | wall time |\n| --- | ---: | ---: |\n")
	w("| first load, incremental | %d | %s |\n", r.firstIncremental.requests, ms(r.firstIncremental.wall))
	w("| first load, full re-read | %d | %s |\n", r.firstFull.requests, ms(r.firstFull.wall))
	mi, mf := median(r.incremental), median(r.full)
	maxReq := func(ms []measured) int {
		return slices.MaxFunc(ms, func(a, b measured) int { return a.requests - b.requests }).requests
	}
	w("| **refresh, incremental** (median; most requests) | **%d**; %d | **%s** |\n", mi.requests, maxReq(r.incremental), ms(mi.wall))
	w("| refresh, full re-read (median; most requests) | %d; %d | %s |\n", mf.requests, maxReq(r.full), ms(mf.wall))
}
