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
	checkGenerated(t, "../../src/generated/filters.json", append(want, '\n'))
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
