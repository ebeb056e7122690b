package plugin

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/models"
)

// The provisioned example files, relative to this package.
var (
	dashboardFile  = filepath.Join("..", "..", "provisioning", "dashboards", "agentsight-overview.json")
	datasourceFile = filepath.Join("..", "..", "provisioning", "datasources", "agentsight.yaml")
)

const (
	pluginID      = "agentsight-conversations-datasource"
	datasourceUID = "agentsight"
)

// The dashboard's range: "now-7d" to "now", with now pinned to the end of the fake data set.
var (
	dashboardTo   = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	dashboardFrom = dashboardTo.Add(-7 * 24 * time.Hour)
)

// dashboardQuery is one query the dashboard sends: a panel target or a variable's query.
type dashboardQuery struct {
	where string
	model map[string]any
}

// variableValues says what each dashboard variable holds in one scenario. A nil value stands
// for "All": the filter that uses the variable is dropped (the front end would send every
// value; no filter selects the same conversations).
type variableValues map[string]any

// dashboardScenarios returns a fresh set each call, since a test fills in data-set details.
func dashboardScenarios() map[string]variableValues {
	return map[string]variableValues{
		"sample": {"language": "en", "device": "mobile", "conversation": "42", "search": "refund"},
		"all":    {"language": nil, "device": nil, "conversation": "42", "search": "refund"},
		"multi":  {"language": []any{"en", "fr"}, "device": []any{"mobile", "desktop"}, "conversation": "7", "search": "order"},
	}
}

func loadDashboard(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var dash map[string]any
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("%s is not valid JSON: %v", dashboardFile, err)
	}
	return dash
}

// dashboardQueries collects every panel target (rows' nested panels included) and every
// query variable's query.
func dashboardQueries(t *testing.T, dash map[string]any) []dashboardQuery {
	t.Helper()
	var out []dashboardQuery
	var walk func(panels []any)
	walk = func(panels []any) {
		for _, p := range panels {
			panel, _ := p.(map[string]any)
			title, _ := panel["title"].(string)
			if nested, ok := panel["panels"].([]any); ok {
				walk(nested)
			}
			if panel["type"] == "row" {
				continue
			}
			checkDatasourceRef(t, "panel "+title, panel["datasource"])
			targets, _ := panel["targets"].([]any)
			if len(targets) == 0 {
				t.Errorf("panel %q has no targets", title)
			}
			for _, tg := range targets {
				target, _ := tg.(map[string]any)
				checkDatasourceRef(t, "a target of panel "+title, target["datasource"])
				out = append(out, dashboardQuery{where: fmt.Sprintf("panel %q target %v", title, target["refId"]), model: target})
			}
		}
	}
	panels, _ := dash["panels"].([]any)
	walk(panels)

	annotations, _ := dash["annotations"].(map[string]any)
	annoList, _ := annotations["list"].([]any)
	for _, a := range annoList {
		anno, _ := a.(map[string]any)
		if ref, _ := anno["datasource"].(map[string]any); ref["type"] != pluginID {
			continue // Grafana's own annotations and alerts
		}
		name, _ := anno["name"].(string)
		checkDatasourceRef(t, "annotation "+name, anno["datasource"])
		target, ok := anno["target"].(map[string]any)
		if !ok {
			t.Errorf("annotation %q has no target", name)
			continue
		}
		out = append(out, dashboardQuery{where: fmt.Sprintf("annotation %q", name), model: target})
	}

	templating, _ := dash["templating"].(map[string]any)
	vars, _ := templating["list"].([]any)
	for _, v := range vars {
		variable, _ := v.(map[string]any)
		if variable["type"] != "query" {
			continue
		}
		name, _ := variable["name"].(string)
		checkDatasourceRef(t, "variable "+name, variable["datasource"])
		query, ok := variable["query"].(map[string]any)
		if !ok {
			t.Errorf("variable %q: query is %T, want a query object", name, variable["query"])
			continue
		}
		out = append(out, dashboardQuery{where: fmt.Sprintf("variable %q", name), model: query})
	}
	return out
}

func checkDatasourceRef(t *testing.T, where string, ref any) {
	t.Helper()
	m, ok := ref.(map[string]any)
	if !ok || m["uid"] != datasourceUID || m["type"] != pluginID {
		t.Errorf("%s: datasource is %v, want {type: %s, uid: %s}", where, ref, pluginID, datasourceUID)
	}
}

var variableRef = regexp.MustCompile(`^\$\{?([A-Za-z0-9_]+)\}?$`)

// substitute returns a copy of a query with the scenario's variable values in place of
// "$name". A filter whose variable means All is removed.
func substitute(t *testing.T, model map[string]any, values variableValues) map[string]any {
	t.Helper()
	resolve := func(s string) (any, bool) {
		m := variableRef.FindStringSubmatch(s)
		if m == nil {
			if strings.Contains(s, "$") {
				t.Errorf("unexpected variable use %q: only whole-string variables are used by this dashboard", s)
			}
			return s, true
		}
		v, known := values[m[1]]
		if !known {
			t.Errorf("query uses the unknown variable %q", m[1])
		}
		return v, v != nil
	}
	out := map[string]any{}
	for k, v := range model {
		switch k {
		case "datasource", "hide":
			continue
		case "filters":
			filters := map[string]any{}
			for fk, fv := range v.(map[string]any) {
				if s, ok := fv.(string); ok {
					if value, keep := resolve(s); keep {
						filters[fk] = value
					}
					continue
				}
				filters[fk] = fv
			}
			out[k] = filters
		default:
			if s, ok := v.(string); ok {
				value, keep := resolve(s)
				if !keep {
					continue
				}
				if k == "conversationId" {
					// applyTemplateVariables turns an all-digits id into a number.
					if n, err := strconv.ParseInt(fmt.Sprint(value), 10, 64); err == nil {
						value = n
					}
				}
				out[k] = value
				continue
			}
			out[k] = v
		}
	}
	return out
}

// TestDashboardQueriesRun runs every query of the provisioned overview dashboard against the
// fake API, as the front end would send it after interpolating the dashboard's variables.
func TestDashboardQueriesRun(t *testing.T) {
	dash := loadDashboard(t)
	if dash["uid"] != "agentsight-overview" || dash["title"] != "AgentSight overview" {
		t.Errorf("dashboard uid/title = %v/%v", dash["uid"], dash["title"])
	}
	if tr, _ := dash["time"].(map[string]any); tr["from"] != "now-7d" || tr["to"] != "now" {
		t.Errorf("dashboard time range = %v, want now-7d to now", dash["time"])
	}
	queries := dashboardQueries(t, dash)
	seen := map[models.QueryType]bool{}
	for _, q := range queries {
		raw, _ := json.Marshal(q.model)
		qt, _ := q.model["queryType"].(string)
		if _, err := models.ParseQuery(raw, qt); err != nil && !strings.Contains(string(raw), "$") {
			t.Errorf("%s: %v", q.where, err)
		}
		seen[models.QueryType(qt)] = true
	}
	for _, qt := range models.QueryTypes {
		if !seen[qt] {
			t.Errorf("the dashboard has no %s query", qt)
		}
	}

	e := newEnv(t, true, nil)
	// The multi scenario opens a conversation that has attachments, so the attachments
	// table is exercised with rows too.
	withAttachments := ""
	for _, c := range e.truth.Conversations {
		for _, m := range c.Messages {
			if len(m.Attachments) > 0 && withAttachments == "" {
				withAttachments = strconv.FormatInt(c.ID, 10)
			}
		}
	}
	if withAttachments == "" {
		t.Fatal("the fake data set has no attachments")
	}
	scenarios := dashboardScenarios()
	scenarios["multi"]["conversation"] = withAttachments
	names := make([]string, 0, len(scenarios))
	for name := range scenarios {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		values := scenarios[name]
		t.Run(name, func(t *testing.T) {
			for _, q := range queries {
				model := substitute(t, q.model, values)
				dr := e.query(model, dashboardFrom, dashboardTo)
				if dr.Error != nil {
					raw, _ := json.Marshal(model)
					t.Errorf("%s: query %s failed: %v", q.where, raw, dr.Error)
					continue
				}
				if len(dr.Frames) == 0 {
					t.Errorf("%s: no frames", q.where)
					continue
				}
				rows := 0
				for _, f := range dr.Frames {
					rows += f.Rows()
				}
				t.Logf("%s: %d frames, %d rows", q.where, len(dr.Frames), rows)
			}
		})
	}
}

// TestDashboardProvisionedDatasource checks that the provisioned data source carries every
// setting with its default value, so the file documents the defaults truthfully.
func TestDashboardProvisionedDatasource(t *testing.T) {
	raw, err := os.ReadFile(datasourceFile)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"AGENTSIGHT_URL": models.DefaultURL, "AGENTSIGHT_API_KEY": testKey}
	text := os.Expand(string(raw), func(name string) string {
		v, ok := env[name]
		if !ok {
			t.Errorf("%s uses the environment variable %q, which the test does not know", datasourceFile, name)
		}
		return v
	})
	lines := strings.Split(text, "\n")

	for key, want := range map[string]string{"uid": datasourceUID, "type": pluginID, "url": models.DefaultURL} {
		if got := yamlScalar(lines, key); got != want {
			t.Errorf("%s: %s = %q, want %q", datasourceFile, key, got, want)
		}
	}
	secure := yamlBlock(t, lines, "secureJsonData")
	if secure["apiKey"] != testKey {
		t.Errorf("secureJsonData.apiKey = %v, want the value of $AGENTSIGHT_API_KEY", secure["apiKey"])
	}

	jsonData := yamlBlock(t, lines, "jsonData")
	keys := make([]string, 0, len(jsonData))
	for k := range jsonData {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	wantKeys := []string{"authHeader", "authScheme", "cacheTTL", "concurrency", "maxConversations", "pageSize", "timeout"}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("jsonData keys = %v, want every setting: %v", keys, wantKeys)
	}
	encoded, _ := json.Marshal(jsonData)
	got, err := models.LoadSettings(yamlScalar(lines, "url"), encoded, map[string]string{"apiKey": fmt.Sprint(secure["apiKey"])})
	if err != nil {
		t.Fatalf("LoadSettings(%s): %v", encoded, err)
	}
	want := models.DefaultSettings()
	want.APIKey = testKey
	if got != want {
		t.Errorf("provisioned settings differ from the defaults:\n got  %+v\n want %+v", got, want)
	}
}

// yamlScalar returns the first "key: value" in the file, at any depth. The provisioning file
// is plain block YAML; this reader understands just that (no flow style, no anchors).
func yamlScalar(lines []string, key string) string {
	for _, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		if k, v, ok := yamlPair(line); ok && k == key {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// yamlBlock returns the scalar children of the first mapping called key.
func yamlBlock(t *testing.T, lines []string, key string) map[string]any {
	t.Helper()
	out := map[string]any{}
	parent := -1
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		if parent < 0 {
			if trimmed == key+":" {
				parent = indent
			}
			continue
		}
		if indent <= parent {
			break
		}
		k, v, ok := yamlPair(line)
		if !ok {
			t.Fatalf("cannot read the line %q under %s", line, key)
		}
		out[k] = v
	}
	if parent < 0 {
		t.Fatalf("no %s: block", key)
	}
	return out
}

// yamlPair reads "key: value # comment"; a quoted value is a string, an unquoted integer a
// number, anything else a string.
func yamlPair(line string) (string, any, bool) {
	s := strings.TrimSpace(line)
	s = strings.TrimPrefix(s, "- ")
	k, v, ok := strings.Cut(s, ":")
	if !ok || strings.ContainsAny(k, " \"'") {
		return "", nil, false
	}
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') {
		end := strings.IndexByte(v[1:], v[0])
		if end < 0 {
			return "", nil, false
		}
		return k, v[1 : end+1], true
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return k, n, true
	}
	return k, v, true
}
