package frames

import (
	"testing"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/google/go-cmp/cmp"
)

func TestFieldValue(t *testing.T) {
	full := &agentsight.Conversation{
		Language: "de", Device: "mobile", CustomerID: "cust_7",
		GeoLocation: &agentsight.GeoLocation{IPAddress: "10.0.0.1", City: "Köln", Country: "DE"},
	}
	noGeo := &agentsight.Conversation{Language: "en"}
	// Spelled out here rather than derived from the table it checks.
	want := map[string][2]string{
		"language":    {"de", "en"},
		"device":      {"mobile", ""},
		"customer_id": {"cust_7", ""},
		"city":        {"Köln", ""},
		"country":     {"DE", ""},
	}
	got := map[string][2]string{}
	for _, f := range agentsight.FieldNames() {
		got[f] = [2]string{FieldValue(full, f), FieldValue(noGeo, f)}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FieldValue by field, of a full conversation and of one without location (-want +got):\n%s", diff)
	}
	for _, f := range []string{"action_name", "ip_address", ""} {
		if v := FieldValue(full, f); v != "" {
			t.Errorf("FieldValue(%q) = %q, want nothing: not a field", f, v)
		}
	}
}
