package plugin

import (
	"testing"

	"github.com/agentsight/agentsight-conversations-datasource/internal/fakeapi"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/frames"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/models"
)

// A grouped count for every group-by field the query model offers, end to end: each series'
// total is the number of conversations in range holding its value.
func TestCountGroupedByEveryField(t *testing.T) {
	e := newEnv(t, true, nil)
	valueOf := map[string]func(*fakeapi.Conversation) string{
		"language":    func(c *fakeapi.Conversation) string { return c.Language },
		"device":      func(c *fakeapi.Conversation) string { return c.Device },
		"country":     func(c *fakeapi.Conversation) string { return c.Country },
		"city":        func(c *fakeapi.Conversation) string { return c.City },
		"customer_id": func(c *fakeapi.Conversation) string { return c.CustomerID },
	}
	if len(valueOf) != len(models.GroupByFields) {
		t.Fatalf("the test knows %d fields, the model offers %q", len(valueOf), models.GroupByFields)
	}
	for _, field := range models.GroupByFields {
		t.Run(field, func(t *testing.T) {
			value, ok := valueOf[field]
			if !ok {
				t.Fatalf("no ground truth for %q", field)
			}
			dr := e.query(map[string]any{"queryType": "count", "groupBy": field, "bucket": "6h"}, rangeFrom, rangeTo)
			mustOK(t, dr)
			want := map[string]float64{}
			for _, c := range e.inRange(rangeFrom, rangeTo, nil) {
				v := value(c)
				if v == "" {
					v = frames.UnknownGroup
				}
				want[v]++
			}
			got := map[string]float64{}
			for _, f := range dr.Frames {
				group := f.Fields[1].Labels[field]
				for i := range f.Rows() {
					n, _ := f.Fields[1].FloatAt(i)
					got[group] += n
				}
			}
			if len(want) < 2 {
				t.Fatalf("the fake data holds %d values of %s; the test needs several", len(want), field)
			}
			for g, n := range want {
				if got[g] != n {
					t.Errorf("%s=%q: %v conversations counted, want %v", field, g, got[g], n)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d series, want %d: %v", len(got), len(want), got)
			}
		})
	}
}
