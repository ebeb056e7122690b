package models

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// settingsCase is one entry of src/settingsValidation.cases.json: a stored value and the
// message the config page shows for it (null: accepted). Jest runs every case against the
// page's validation; this test runs every case against LoadSettings, so that the page and
// the backend answer alike.
type settingsCase struct {
	Key     string          `json:"key"`
	Value   json.RawMessage `json:"value"`
	Message *string         `json:"message"`
}

func TestSettingsCasesAgreeWithThePage(t *testing.T) {
	raw, err := os.ReadFile("../../src/settingsValidation.cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []settingsCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range cases {
		t.Run(c.Key+"="+string(c.Value), func(t *testing.T) {
			var err error
			if c.Key == KeyURL {
				// The URL is the instance's own field, not jsonData.
				var url string
				if json.Unmarshal(c.Value, &url) != nil {
					t.Fatalf("url case %s is not a string", c.Value)
				}
				_, err = LoadSettings(url, nil, secure())
			} else {
				jsonData, _ := json.Marshal(map[string]json.RawMessage{c.Key: c.Value})
				_, err = LoadSettings("", jsonData, secure())
			}
			if c.Message == nil {
				if err != nil {
					t.Errorf("the page accepts it, the backend says %q", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("the page says %q, the backend accepts it", *c.Message)
			}
			// The page drops the backend's "settings: " prefix and its ", got …" echo of the
			// value, which the user sees in the field itself.
			got := strings.TrimPrefix(err.Error(), "settings: ")
			if i := strings.LastIndex(got, ", got "); i >= 0 {
				got = got[:i]
			}
			if got != *c.Message {
				t.Errorf("the page says %q, the backend %q", *c.Message, got)
			}
		})
	}
}
