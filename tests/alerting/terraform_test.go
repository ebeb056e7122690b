package alerting

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/models"
)

// The Terraform example (examples/terraform) keeps copies of two single sources: the settings
// table (pkg/models/settings_spec.go) and the provisioned alert rules. These tests parse its
// HCL and fail when a copy drifts from its source.

var terraformDir = filepath.Join("..", "..", "examples", "terraform")

// tfResources parses every .tf file of the example and returns its resource blocks by
// "type.name".
func tfResources(t *testing.T) map[string]*hclsyntax.Block {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(terraformDir, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .tf files in %s (%v)", terraformDir, err)
	}
	parser := hclparse.NewParser()
	out := map[string]*hclsyntax.Block{}
	for _, name := range files {
		f, diags := parser.ParseHCLFile(name)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", name, diags.Error())
		}
		for _, b := range f.Body.(*hclsyntax.Body).Blocks {
			if b.Type == "resource" && len(b.Labels) == 2 {
				out[b.Labels[0]+"."+b.Labels[1]] = b
			}
		}
	}
	return out
}

// tfEval evaluates HCL expressions with the few Terraform functions the example uses and the
// resource attributes it refers to, each given the value it has in the example.
type tfEval struct {
	ctx *hcl.EvalContext
}

func newTFEval(vars map[string]cty.Value) tfEval {
	return tfEval{ctx: &hcl.EvalContext{
		Variables: vars,
		Functions: map[string]function.Function{"jsonencode": stdlib.JSONEncodeFunc, "chomp": stdlib.ChompFunc},
	}}
}

// value evaluates an expression to plain Go values (through JSON: numbers are float64).
func (e tfEval) value(t *testing.T, where string, expr hcl.Expression) any {
	t.Helper()
	v, diags := expr.Value(e.ctx)
	if diags.HasErrors() {
		t.Fatalf("%s: %s", where, diags.Error())
	}
	raw, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	return out
}

// attr evaluates a block's attribute; a missing one is nil.
func (e tfEval) attr(t *testing.T, b *hclsyntax.Block, name string) any {
	t.Helper()
	a, ok := b.Body.Attributes[name]
	if !ok {
		return nil
	}
	return e.value(t, fmt.Sprintf("%s %v: %s", b.Type, b.Labels, name), a.Expr)
}

// jsonAttr decodes an attribute that holds JSON text (jsonencode(...)).
func (e tfEval) jsonAttr(t *testing.T, b *hclsyntax.Block, name string) any {
	t.Helper()
	text, ok := e.attr(t, b, name).(string)
	if !ok {
		t.Fatalf("%s %v: %s is not a JSON string", b.Type, b.Labels, name)
	}
	var out any
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		t.Fatalf("%s %v: %s: %v", b.Type, b.Labels, name, err)
	}
	return out
}

// normalize passes v through JSON, so that YAML's ints and Terraform's floats compare equal.
func normalize(t *testing.T, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func stringAttr(t *testing.T, b *hclsyntax.Block, name string) string {
	t.Helper()
	a, ok := b.Body.Attributes[name]
	if !ok {
		t.Fatalf("%s %v has no %s", b.Type, b.Labels, name)
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.Type() != cty.String {
		t.Fatalf("%s %v: %s is not a literal string", b.Type, b.Labels, name)
	}
	return v.AsString()
}

// The data source's json_data_encoded lists every jsonData setting of the settings table at
// its default, and nothing else; the key goes in secure_json_data_encoded.
func TestTerraformSettingsMatchTheSettingsTable(t *testing.T) {
	res := tfResources(t)
	ds, ok := res["grafana_data_source.agentsight"]
	if !ok {
		t.Fatal("no grafana_data_source.agentsight in examples/terraform")
	}
	vars := map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{"agentsight_api_key": cty.StringVal("key")})}
	eval := newTFEval(vars)
	want := map[string]any{}
	for _, s := range models.SettingSpecs() {
		switch s.Key {
		case models.KeyURL, models.KeyAPIKey: // the url attribute and secure_json_data_encoded
			continue
		}
		want[s.Key] = s.Default
	}
	if diff := cmp.Diff(normalize(t, want), eval.jsonAttr(t, ds, "json_data_encoded")); diff != "" {
		t.Errorf("json_data_encoded differs from the settings table (-table +example):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{models.KeyAPIKey: "key"}, eval.jsonAttr(t, ds, "secure_json_data_encoded")); diff != "" {
		t.Errorf("secure_json_data_encoded (-want +got):\n%s", diff)
	}
}

// The example's grafana_rule_group holds the provisioned rules, field for field.
func TestTerraformRulesMatchTheProvisionedRules(t *testing.T) {
	res := tfResources(t)
	ds, folder := res["grafana_data_source.agentsight"], res["grafana_folder.agentsight"]
	if ds == nil || folder == nil {
		t.Fatal("examples/terraform lacks grafana_data_source.agentsight or grafana_folder.agentsight")
	}
	// The folder's uid is Grafana's to choose: a marker stands for it, and the rule group must
	// refer to it (not to a folder uid typed in).
	const folderRef = "<grafana_folder.agentsight.uid>"
	eval := newTFEval(map[string]cty.Value{
		"grafana_data_source": cty.ObjectVal(map[string]cty.Value{"agentsight": cty.ObjectVal(map[string]cty.Value{"uid": cty.StringVal(stringAttr(t, ds, "uid"))})}),
		"grafana_folder":      cty.ObjectVal(map[string]cty.Value{"agentsight": cty.ObjectVal(map[string]cty.Value{"uid": cty.StringVal(folderRef)})}),
	})

	groups := loadRuleFiles(t)
	var tfGroups []*hclsyntax.Block
	for key, b := range res {
		if b.Labels[0] == "grafana_rule_group" {
			tfGroups = append(tfGroups, res[key])
		}
	}
	if len(tfGroups) != len(groups) {
		t.Fatalf("%d grafana_rule_group resources, want one per provisioned group (%d)", len(tfGroups), len(groups))
	}
	for _, g := range groups {
		var tg *hclsyntax.Block
		for _, b := range tfGroups {
			if eval.attr(t, b, "name") == g.Name {
				tg = b
			}
		}
		if tg == nil {
			t.Errorf("no grafana_rule_group named %q", g.Name)
			continue
		}
		interval, err := time.ParseDuration(g.Interval)
		if err != nil {
			t.Fatal(err)
		}
		if got := eval.attr(t, tg, "interval_seconds"); got != interval.Seconds() {
			t.Errorf("group %s: interval_seconds %v, want %v (interval %s)", g.Name, got, interval.Seconds(), g.Interval)
		}
		if got := eval.attr(t, tg, "folder_uid"); got != folderRef || stringAttr(t, folder, "title") != g.Folder {
			t.Errorf("group %s: folder_uid %v in folder %q, want grafana_folder.agentsight.uid titled %q", g.Name, got, stringAttr(t, folder, "title"), g.Folder)
		}
		want := map[string]any{}
		for _, r := range g.Rules {
			want[r.UID] = normalize(t, yamlRule(r))
		}
		got := map[string]any{}
		for _, rb := range tg.Body.Blocks {
			if rb.Type != "rule" {
				continue
			}
			r := tfRule(t, eval, rb)
			got[fmt.Sprint(r["uid"])] = normalize(t, r)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("group %s: examples/terraform differs from provisioning/alerting (-provisioned +terraform):\n%s", g.Name, diff)
		}
	}
}

// yamlRule is a provisioned rule in the shape tfRule gives a Terraform rule block.
func yamlRule(r rule) map[string]any {
	annotations := map[string]any{"__dashboardUid__": r.DashboardUID, "__panelId__": strconv.Itoa(r.PanelID)}
	for k, v := range r.Annotations {
		annotations[k] = v
	}
	labels := map[string]any{}
	for k, v := range r.Labels {
		labels[k] = v
	}
	var data []any
	for _, q := range r.Data {
		data = append(data, map[string]any{
			"ref_id": q.RefID, "query_type": q.QueryType, "datasource_uid": q.DatasourceUID,
			"from": q.RelativeTimeRange.From, "to": q.RelativeTimeRange.To, "model": q.Model,
		})
	}
	return map[string]any{
		"uid": r.UID, "name": r.Title, "condition": r.Condition, "for": r.For,
		"no_data_state": r.NoDataState, "exec_err_state": r.ExecErrState,
		"labels": labels, "annotations": annotations, "data": data,
	}
}

func tfRule(t *testing.T, eval tfEval, b *hclsyntax.Block) map[string]any {
	t.Helper()
	r := map[string]any{}
	for _, name := range []string{"uid", "name", "condition", "for", "no_data_state", "exec_err_state", "labels", "annotations"} {
		r[name] = eval.attr(t, b, name)
	}
	var data []any
	for _, d := range b.Body.Blocks {
		if d.Type != "data" {
			t.Errorf("rule %v: unexpected block %s", r["name"], d.Type)
			continue
		}
		q := map[string]any{"query_type": ""}
		for _, name := range []string{"ref_id", "datasource_uid"} {
			q[name] = eval.attr(t, d, name)
		}
		if qt := eval.attr(t, d, "query_type"); qt != nil {
			q["query_type"] = qt
		}
		q["model"] = eval.jsonAttr(t, d, "model")
		for _, rtr := range d.Body.Blocks {
			if rtr.Type == "relative_time_range" {
				q["from"], q["to"] = eval.attr(t, rtr, "from"), eval.attr(t, rtr, "to")
			}
		}
		data = append(data, q)
	}
	r["data"] = data
	return r
}
