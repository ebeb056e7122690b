package alerting

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/agentsight/agentsight-conversations-datasource/tests/internal/pluginhost"
)

var (
	plugin    *pluginhost.Plugin
	pluginLog pluginhost.Log
)

func TestMain(m *testing.M) {
	os.Exit(pluginhost.RunShared(m, "../..", "agentsight-alerting", &pluginLog, &plugin))
}

// The evaluation time: a Thursday afternoon (UTC), so that "the same hour yesterday" is a
// weekday as busy as today, and not on the hour, so that an hour's range spans two hourly
// buckets as it does in production.
var evalNow = time.Date(2026, 10, 29, 15, 37, 0, 0, time.UTC)

// scenarioData is the fake's data set for a scenario: three days of conversations (about 400
// an hour at this time of day; the rules read the last hour and the same hour yesterday)
// ending at evalNow, reshaped from an hour before it.
func scenarioData(kind fakeapi.ScenarioKind) *fakeapi.Dataset {
	return fakeapi.NewDataset(fakeapi.DatasetOptions{
		Seed: 24, Conversations: 17_000, End: evalNow, Span: 3 * 24 * time.Hour,
		Scenario: fakeapi.Scenario{Kind: kind, From: evalNow.Add(-time.Hour)},
	})
}

// queryTimeout bounds one rule's queries; alerting's own default evaluation timeout is 30s.
const queryTimeout = 30 * time.Second

// evaluateRule sends the rule's data queries to the plugin as Grafana's alerting does and
// evaluates its expressions with the oracle (oracle_test.go).
func evaluateRule(ctx context.Context, ds pluginhost.DataSource, r rule, now time.Time) ([]instance, error) {
	// Grafana's ngalert marks every data source request of a rule evaluation with these
	// headers (FromAlert, X-Cache-Skip, and the rule's uid and organisation).
	req := &pluginv2.QueryDataRequest{
		PluginContext: ds.Context(),
		Headers: map[string]string{
			"FromAlert":        "true",
			"X-Cache-Skip":     "true",
			"X-Rule-Uid":       r.UID,
			"X-Grafana-Org-Id": "1",
		},
	}
	var exprs []expression
	for _, q := range r.Data {
		if q.isExpression() {
			e, err := parseExpression(q)
			if err != nil {
				return nil, err
			}
			exprs = append(exprs, e)
			continue
		}
		raw, interval, points, err := q.modelJSON()
		if err != nil {
			return nil, err
		}
		// The rule's relative range, resolved against the evaluation time (ngalert's
		// RelativeTimeRange: from = now - From seconds, to = now - To seconds).
		from := now.Add(-time.Duration(q.RelativeTimeRange.From) * time.Second)
		to := now.Add(-time.Duration(q.RelativeTimeRange.To) * time.Second)
		req.Queries = append(req.Queries, &pluginv2.DataQuery{
			RefId:         q.RefID,
			QueryType:     q.QueryType,
			Json:          raw,
			IntervalMS:    interval.Milliseconds(),
			MaxDataPoints: points,
			TimeRange:     &pluginv2.TimeRange{FromEpochMS: from.UnixMilli(), ToEpochMS: to.UnixMilli()},
		})
	}
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	resp, err := plugin.Data.QueryData(ctx, req)
	if err != nil {
		return nil, err
	}
	decoded, err := pluginhost.DecodeReply(resp)
	if err != nil {
		return nil, err
	}
	vars := map[string]results{}
	for _, q := range req.Queries {
		res, ok := decoded[q.RefId]
		if !ok {
			return nil, fmt.Errorf("%s: no response", q.RefId)
		}
		if res.Error != "" {
			// The rule's execErrState decides; the shipped rules set Error.
			return []instance{{Labels: mergeLabels(r.Labels, nil), State: "Error: " + res.Error}}, nil
		}
		if vars[q.RefId], err = fromFrames(res.Frames); err != nil {
			return nil, fmt.Errorf("%s: %w", q.RefId, err)
		}
	}
	if err := evaluate(exprs, vars); err != nil {
		return nil, err
	}
	cond, ok := vars[r.Condition]
	if !ok {
		return nil, fmt.Errorf("condition %s is none of the rule's refIds", r.Condition)
	}
	return conditionStates(r, cond)
}

var dsSeq struct {
	sync.Mutex
	n int
}

// dataSource is a fresh data source instance (its own cache) on url.
func dataSource(url string) pluginhost.DataSource {
	dsSeq.Lock()
	defer dsSeq.Unlock()
	dsSeq.n++
	return pluginhost.DataSource{UID: fmt.Sprintf("alerting-%d", dsSeq.n), Name: "AgentSight", URL: url, APIKey: fakeapi.DemoKey, Updated: time.Now()}
}

// labels is the string form of an alert instance's labels, as instance.Labels holds it.
func labels(kv ...string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return mergeLabels(m, nil)
}

// Every provisioned rule against the fake API: normal data keeps every rule Normal, and each
// scenario fires its own rule (with the expected labels) and no other.
func TestRulesFireInTheirScenarioOnly(t *testing.T) {
	rules := allRules(loadRuleFiles(t))
	ruleLabels := func(uid string, extra ...string) string {
		for _, r := range rules {
			if r.UID == uid {
				var kv []string
				for k, v := range r.Labels {
					kv = append(kv, k, v)
				}
				return labels(append(kv, extra...)...)
			}
		}
		t.Fatalf("no rule %s in the rule files", uid)
		return ""
	}
	// firing: for each scenario, the rule uids that fire and their instances' labels; every
	// other instance of every rule must be Normal.
	scenarios := []struct {
		kind   fakeapi.ScenarioKind
		firing map[string][]string
	}{
		{fakeapi.ScenarioNone, nil},
		{fakeapi.ScenarioQuiet, map[string][]string{
			"agentsight-no-conversations": {ruleLabels("agentsight-no-conversations")},
		}},
		{fakeapi.ScenarioNegativeFeedback, map[string][]string{
			"agentsight-negative-feedback": {ruleLabels("agentsight-negative-feedback")},
		}},
		{fakeapi.ScenarioLanguageDrop, map[string][]string{
			"agentsight-language-drop": {ruleLabels("agentsight-language-drop", "language", fakeapi.DefaultScenarioLanguage)},
		}},
		{fakeapi.ScenarioSlowReplies, map[string][]string{
			"agentsight-slow-replies": {ruleLabels("agentsight-slow-replies")},
		}},
	}
	// Every rule must fire in some scenario: a new rule needs a scenario (and a fake option).
	for _, r := range rules {
		if !slices.ContainsFunc(scenarios, func(s struct {
			kind   fakeapi.ScenarioKind
			firing map[string][]string
		}) bool {
			_, ok := s.firing[r.UID]
			return ok
		}) {
			t.Errorf("rule %s fires in no scenario: add one", r.UID)
		}
	}
	for _, sc := range scenarios {
		name := string(sc.kind)
		if name == "" {
			name = "normal"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := fakeapi.New(fakeapi.Options{Dataset: scenarioData(sc.kind), EmbedMessages: true})
			hs := httptest.NewServer(srv)
			t.Cleanup(func() { srv.Close(); hs.Close() })
			ds := dataSource(hs.URL)
			for _, r := range rules {
				got, err := evaluateRule(t.Context(), ds, r, evalNow)
				if err != nil {
					t.Errorf("%s: %v", r.UID, err)
					continue
				}
				t.Logf("%s: %v", r.UID, got)
				var firing []string
				for _, in := range got {
					switch in.State {
					case "Alerting":
						firing = append(firing, in.Labels)
					case "Normal":
					default:
						t.Errorf("%s: instance {%s} is %s, want Normal or Alerting", r.UID, in.Labels, in.State)
					}
				}
				if diff := cmp.Diff(sc.firing[r.UID], firing); diff != "" {
					t.Errorf("%s: firing instances (-want +got):\n%s\nall instances: %v", r.UID, diff, got)
				}
				if len(got) == 0 {
					t.Errorf("%s: no instance at all", r.UID)
				}
			}
			// The language rule must have judged several languages, not one or none.
			if sc.kind == fakeapi.ScenarioNone {
				for _, r := range rules {
					if r.UID != "agentsight-language-drop" {
						continue
					}
					got, err := evaluateRule(t.Context(), ds, r, evalNow)
					if err != nil || len(got) < 3 {
						t.Errorf("%s judged %d languages (%v), want at least 3", r.UID, len(got), err)
					}
				}
			}
			// Every request of the alert queries reached the fake with the key and nothing else
			// went wrong on the way.
			for _, rq := range srv.Requests() {
				if !rq.Authorized {
					t.Errorf("unauthorized request %s %s", rq.Method, rq.Path)
				}
			}
		})
	}
}

// The queries the rules send are what Grafana's alerting sends: the FromAlert header, the
// rule's range resolved against the evaluation time, and the API sees exactly that range.
func TestRuleQueriesUseTheRuleRange(t *testing.T) {
	srv := fakeapi.New(fakeapi.Options{Dataset: scenarioData(fakeapi.ScenarioNone), EmbedMessages: true})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	for _, r := range allRules(loadRuleFiles(t)) {
		if r.UID != "agentsight-language-drop" {
			continue
		}
		srv.ResetRequests()
		if _, err := evaluateRule(t.Context(), dataSource(hs.URL), r, evalNow); err != nil {
			t.Fatal(err)
		}
		var ranges []string
		for _, rq := range srv.Requests() {
			if rq.Path == "/api/conversations/" {
				ranges = append(ranges, rq.Query.Get("started_at_after")+" "+rq.Query.Get("started_at_before"))
			}
		}
		slices.Sort(ranges)
		ranges = slices.Compact(ranges)
		want := []string{
			"2026-10-28T14:37:00Z 2026-10-28T15:37:00Z", // 25h to 24h before evalNow
			"2026-10-29T14:37:00Z 2026-10-29T15:37:00Z", // the last hour
		}
		if diff := cmp.Diff(want, ranges); diff != "" {
			t.Errorf("ranges asked of the API (-want +got):\n%s", diff)
		}
	}
	if strings.Contains(pluginLog.String(), fakeapi.DemoKey) {
		t.Error("the plugin's log carries the API key")
	}
}
