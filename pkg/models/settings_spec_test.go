package models

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "regenerate the files under src/generated/")

const generatedSettings = "../../src/generated/settings.json"

// The config page validates and labels with src/generated/settings.json; it must be exactly
// what the Go definitions generate. Run `go test ./pkg/models -run SettingsJSON -update` after
// changing a setting.
func TestSettingsJSONIsGenerated(t *testing.T) {
	want, err := SettingsJSON()
	if err != nil {
		t.Fatal(err)
	}
	checkGenerated(t, generatedSettings, want)
}

// checkGenerated fails when the file at path (one of src/generated/) is not want, and with
// -update writes want there first.
func checkGenerated(t *testing.T, path string, want []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the Go definitions (regenerate with go test ./pkg/models/ -update):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// What the file says is what the backend enforces: each limit is accepted and one step beyond
// it is refused, and each default is the default.
func TestSettingsJSONMatchesValidation(t *testing.T) {
	raw, err := SettingsJSON()
	if err != nil {
		t.Fatal(err)
	}
	var specs map[string]map[string]any
	if err := json.Unmarshal(raw, &specs); err != nil {
		t.Fatal(err)
	}
	defaults := DefaultSettings()
	for key, s := range specs {
		load := func(v any) error {
			b, _ := json.Marshal(map[string]any{key: v})
			_, err := LoadSettings("", b, secure())
			return err
		}
		switch s["kind"] {
		case "int":
			lo, hi := s["min"].(float64), s["max"].(float64)
			for v, ok := range map[float64]bool{lo: true, hi: true, lo - 1: false, hi + 1: false} {
				if err := load(v); (err == nil) != ok {
					t.Errorf("%s = %v: error %v, want accepted %v", key, v, err, ok)
				}
			}
		case "duration":
			for _, k := range []string{"min", "max"} {
				if err := load(s[k]); err != nil {
					t.Errorf("%s = %v: %v", key, s[k], err)
				}
			}
			for _, k := range []string{"minMs", "maxMs"} {
				ms := s[k].(float64)
				step := 1.0
				if k == "minMs" {
					step = -1
				}
				if err := load((ms + step) / 1000); err == nil && (k == "maxMs" || ms > 0) {
					t.Errorf("%s = %vms: accepted beyond %s", key, ms+step, k)
				}
			}
		}
	}
	// Defaults agree.
	if specs["pageSize"]["default"].(float64) != float64(defaults.PageSize) ||
		specs["maxConversations"]["default"].(float64) != float64(defaults.MaxConversations) ||
		specs["maxFilterCombinations"]["default"].(float64) != float64(defaults.MaxFilterCombinations) ||
		specs["concurrency"]["default"].(float64) != float64(defaults.Concurrency) ||
		time.Duration(specs["cacheTTL"]["defaultMs"].(float64))*time.Millisecond != defaults.CacheTTL ||
		time.Duration(specs["timeout"]["defaultMs"].(float64))*time.Millisecond != defaults.Timeout ||
		specs["url"]["default"] != defaults.URL || specs["authHeader"]["default"] != defaults.AuthHeader ||
		specs["authScheme"]["default"] != defaults.AuthScheme {
		t.Errorf("defaults differ: %s", raw)
	}
	// Every duration of the specs parses (specDuration would otherwise give 0).
	for _, spec := range SettingSpecs() {
		if spec.Kind != KindDuration {
			continue
		}
		for _, v := range []any{spec.Default, spec.Min, spec.Max} {
			if _, err := ParseDuration(v.(string), 0); err != nil {
				t.Errorf("%s: %v: %v", spec.Key, v, err)
			}
		}
	}
	// Every reserved header is refused.
	for _, h := range specs["authHeader"]["reserved"].([]any) {
		b, _ := json.Marshal(map[string]any{"authHeader": h})
		if _, err := LoadSettings("", b, secure()); err == nil {
			t.Errorf("authHeader %q accepted", h)
		}
	}
}
