package models

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAdhocFilters(t *testing.T) {
	tests := []struct {
		name, query string
		want        map[string][]string
		notice      string
	}{
		{"equality adds a filter", `{"adhocFilters":[{"key":"device","operator":"=","value":"mobile"}]}`,
			map[string][]string{"device": {"mobile"}}, ""},
		{"one of several", `{"adhocFilters":[{"key":"language","operator":"=|","values":["en","de"]}]}`,
			map[string][]string{"language": {"en", "de"}}, ""},
		{"a boolean", `{"adhocFilters":[{"key":"is_marked","operator":"=","value":"true"}]}`,
			map[string][]string{"is_marked": {"true"}}, ""},
		{"narrows the query's own filter", `{"filters":{"language":["en","fr"]},"adhocFilters":[{"key":"language","operator":"=","value":"fr"}]}`,
			map[string][]string{"language": {"fr"}}, ""},
		{"a disjoint value is left out", `{"filters":{"language":"en"},"adhocFilters":[{"key":"language","operator":"=","value":"fr"}]}`,
			map[string][]string{"language": {"en"}}, `matches none of the query's own language filter`},
		{"other operators are left out", `{"adhocFilters":[{"key":"device","operator":"!=","value":"mobile"}]}`,
			map[string][]string{}, `device != "mobile": the AgentSight API filters by equality only`},
		{"a key that is not a filter", `{"adhocFilters":[{"key":"country","operator":"=","value":"DE"}]}`,
			map[string][]string{}, `"country" is not an AgentSight filter`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := ParseQuery([]byte(tt.query), "")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, q.Filters.Values); diff != "" {
				t.Errorf("filters (-want +got):\n%s", diff)
			}
			if got := strings.Join(q.Notices, "; "); (tt.notice == "") != (got == "") || !strings.Contains(got, tt.notice) {
				t.Errorf("notices %q, want one containing %q", got, tt.notice)
			}
		})
	}
	if _, err := ParseQuery([]byte(`{"adhocFilters":[{"key":"feedback_sentiment","operator":"=","value":"furious"}]}`), ""); err == nil ||
		!strings.Contains(err.Error(), `ad-hoc filter "feedback_sentiment" has value "furious"`) {
		t.Errorf("a value the filter cannot take: %v", err)
	}
}
