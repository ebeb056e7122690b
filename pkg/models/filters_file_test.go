package models

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
)

// filterFile is the front end's copy of the API's filter table: the query editor builds its
// filter fields from it and the README's query reference lists the same.
type filterFile struct {
	Key     string   `json:"key"`
	Kind    string   `json:"kind"`
	Choices []string `json:"choices,omitempty"`
	Label   string   `json:"label"`
	Help    string   `json:"help"`
}

// TestFiltersFile keeps src/generated/filters.json equal to agentsight.FilterParams; run
// with -update to rewrite it after changing the table.
func TestFiltersFile(t *testing.T) {
	var rows []filterFile
	for _, p := range agentsight.FilterParams() {
		rows = append(rows, filterFile{Key: p.Key, Kind: string(p.Kind), Choices: p.Choices, Label: p.Label, Help: p.Help})
	}
	want, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	const path = "../../src/generated/filters.json"
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
		t.Errorf("%s differs from agentsight.FilterParams: run go test ./pkg/models/ -run TestFiltersFile -update", path)
	}
}

// The README's query reference names every filter.
func TestReadmeListsEveryFilter(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range agentsight.FilterParams() {
		if !bytes.Contains(readme, []byte("`"+p.Key+"`")) {
			t.Errorf("README.md does not list the filter %q", p.Key)
		}
	}
}
