// Package alerting tests the alert rules the project ships (provisioning/alerting, and the
// same rules in examples/terraform): each rule's data queries go to the built plugin over
// gRPC as Grafana's alerting sends them, a small oracle evaluates its expressions, and the
// rule's state is checked against the fake API in a scenario per rule.
package alerting

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// rulesDir holds the provisioned rule files, relative to this package.
var rulesDir = filepath.Join("..", "..", "provisioning", "alerting")

// exprUID is the data source uid Grafana gives server-side expressions.
const exprUID = "__expr__"

// ruleFile is Grafana's alerting provisioning format (apiVersion 1), the parts these rules use.
type ruleFile struct {
	APIVersion int         `yaml:"apiVersion"`
	Groups     []ruleGroup `yaml:"groups"`
}

type ruleGroup struct {
	OrgID    int    `yaml:"orgId"`
	Name     string `yaml:"name"`
	Folder   string `yaml:"folder"`
	Interval string `yaml:"interval"`
	Rules    []rule `yaml:"rules"`
}

type rule struct {
	UID          string            `yaml:"uid"`
	Title        string            `yaml:"title"`
	Condition    string            `yaml:"condition"`
	Data         []ruleQuery       `yaml:"data"`
	DashboardUID string            `yaml:"dashboardUid"`
	PanelID      int               `yaml:"panelId"`
	NoDataState  string            `yaml:"noDataState"`
	ExecErrState string            `yaml:"execErrState"`
	For          string            `yaml:"for"`
	Labels       map[string]string `yaml:"labels"`
	Annotations  map[string]string `yaml:"annotations"`
}

type ruleQuery struct {
	RefID             string         `yaml:"refId"`
	QueryType         string         `yaml:"queryType"`
	RelativeTimeRange relativeRange  `yaml:"relativeTimeRange"`
	DatasourceUID     string         `yaml:"datasourceUid"`
	Model             map[string]any `yaml:"model"`
}

// relativeRange is seconds before the evaluation time, as Grafana stores it.
type relativeRange struct {
	From int64 `yaml:"from"`
	To   int64 `yaml:"to"`
}

func (q ruleQuery) isExpression() bool { return q.DatasourceUID == exprUID }

// loadRuleFiles reads every *.yaml and *.yml file of provisioning/alerting, refusing keys the
// structs above do not know, so that a misspelt field fails here rather than being dropped.
func loadRuleFiles(t *testing.T) []ruleGroup {
	t.Helper()
	var names []string
	for _, pattern := range []string{"*.yaml", "*.yml"} {
		m, err := filepath.Glob(filepath.Join(rulesDir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, m...)
	}
	if len(names) == 0 {
		t.Fatalf("no rule files in %s", rulesDir)
	}
	var groups []ruleGroup
	for _, name := range names {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(raw)))
		dec.KnownFields(true)
		var f ruleFile
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if f.APIVersion != 1 {
			t.Fatalf("%s: apiVersion %d, want 1", name, f.APIVersion)
		}
		groups = append(groups, f.Groups...)
	}
	return groups
}

// allRules lists the rules of every group.
func allRules(groups []ruleGroup) []rule {
	var out []rule
	for _, g := range groups {
		out = append(out, g.Rules...)
	}
	return out
}

// modelJSON is a query's model as JSON, with the defaults Grafana's alerting fills in before
// it sends a query (ngalert's AlertQuery: intervalMs 1000, maxDataPoints 43200 when missing
// or zero), and the values it reads back from it.
func (q ruleQuery) modelJSON() (raw []byte, interval time.Duration, maxDataPoints int64, err error) {
	model := map[string]any{}
	for k, v := range q.Model {
		model[k] = v
	}
	ms := number(model["intervalMs"])
	if ms == 0 {
		ms = 1000
	}
	points := number(model["maxDataPoints"])
	if points == 0 {
		points = 43200
	}
	model["intervalMs"], model["maxDataPoints"] = ms, points
	raw, err = json.Marshal(model)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%s: model: %w", q.RefID, err)
	}
	return raw, time.Duration(ms) * time.Millisecond, int64(points), nil
}

// number reads a YAML or JSON number; anything else is 0.
func number(v any) float64 {
	switch n := v.(type) {
	case int:
		return float64(n)
	case int64:
		return float64(n)
	case float64:
		return n
	}
	return 0
}

// The rule files are well formed: every rule has a uid, a condition among its refIds, data
// queries on the provisioned data source with a range that ends after it starts, a summary,
// a description, a runbook link and a panel link, and the states it sets are Grafana's.
func TestRuleFilesAreComplete(t *testing.T) {
	groups := loadRuleFiles(t)
	panels := dashboardPanels(t)
	seen := map[string]bool{}
	for _, g := range groups {
		if g.Name == "" || g.Folder == "" {
			t.Errorf("group %q: name and folder are required", g.Name)
		}
		if _, err := time.ParseDuration(g.Interval); err != nil {
			t.Errorf("group %s: interval %q: %v", g.Name, g.Interval, err)
		}
		for _, r := range g.Rules {
			if r.UID == "" || seen[r.UID] {
				t.Errorf("rule %q: uid %q is missing or used twice", r.Title, r.UID)
			}
			seen[r.UID] = true
			refs := map[string]bool{}
			for _, q := range r.Data {
				refs[q.RefID] = true
				if q.isExpression() {
					continue
				}
				if q.DatasourceUID != "agentsight" {
					t.Errorf("%s/%s: datasourceUid %q, want the provisioned data source agentsight", r.UID, q.RefID, q.DatasourceUID)
				}
				if q.RelativeTimeRange.From <= q.RelativeTimeRange.To {
					t.Errorf("%s/%s: relativeTimeRange %+v does not end after it starts", r.UID, q.RefID, q.RelativeTimeRange)
				}
				if q.Model["refId"] != q.RefID || q.Model["queryType"] != q.QueryType {
					t.Errorf("%s/%s: the model's refId/queryType (%v/%v) differ from the query's", r.UID, q.RefID, q.Model["refId"], q.Model["queryType"])
				}
			}
			if !refs[r.Condition] {
				t.Errorf("%s: condition %q is none of its refIds", r.UID, r.Condition)
			}
			for _, a := range []string{"summary", "description", "runbook_url"} {
				if strings.TrimSpace(r.Annotations[a]) == "" {
					t.Errorf("%s: annotation %s is missing", r.UID, a)
				}
			}
			if _, ok := panels[r.PanelID]; r.DashboardUID != "agentsight-overview" || !ok {
				t.Errorf("%s: links to dashboard %q panel %d, want a panel of agentsight-overview", r.UID, r.DashboardUID, r.PanelID)
			}
			if !oneOf(r.NoDataState, "NoData", "OK", "Alerting", "KeepLast") || !oneOf(r.ExecErrState, "Error", "OK", "Alerting", "KeepLast") {
				t.Errorf("%s: noDataState %q / execErrState %q must be set to one of Grafana's", r.UID, r.NoDataState, r.ExecErrState)
			}
			if _, err := time.ParseDuration(r.For); err != nil {
				t.Errorf("%s: for %q: %v", r.UID, r.For, err)
			}
		}
	}
}

func oneOf(s string, options ...string) bool { return slices.Contains(options, s) }

// dashboardPanels returns the panel ids of the provisioned overview dashboard, rows' nested
// panels included.
func dashboardPanels(t *testing.T) map[int]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "provisioning", "dashboards", "agentsight-overview.json"))
	if err != nil {
		t.Fatal(err)
	}
	type panel struct {
		ID     int     `json:"id"`
		Title  string  `json:"title"`
		Panels []panel `json:"panels"`
	}
	var dash struct {
		UID    string  `json:"uid"`
		Panels []panel `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatal(err)
	}
	out := map[int]string{}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			out[p.ID] = p.Title
			walk(p.Panels)
		}
	}
	walk(dash.Panels)
	return out
}
