package plugin

import (
	"testing"
)

// What an alert rule reads when no conversation matched, as README's *Alerting* documents:
// an ungrouped count is zeros (the rule reads 0), and so is a grouped total (one value
// without labels), while a grouped series has no group, so no series at all: the rule goes
// to its "No data" state, whose setting the README says how to choose.
func TestEmptyCountsForAlertRules(t *testing.T) {
	e := newEnv(t, true, nil)
	nothing := map[string]any{"language": "xx"} // no conversation has it
	tests := []struct {
		name       string
		model      map[string]any
		wantFrames int
	}{
		{"total", map[string]any{"queryType": "count", "bucket": "total", "filters": nothing}, 1},
		{"series", map[string]any{"queryType": "count", "bucket": "6h", "filters": nothing}, 1},
		{"grouped series", map[string]any{"queryType": "count", "bucket": "6h", "groupBy": "language", "filters": nothing}, 0},
		// A grouped total with no group is one value, 0, without labels.
		{"grouped total", map[string]any{"queryType": "count", "bucket": "total", "groupBy": "language", "filters": nothing}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dr := queryOn(t, e.ds, map[string]string{"FromAlert": "true"}, tt.model, rangeFrom, rangeTo)
			mustOK(t, dr)
			if len(dr.Frames) != tt.wantFrames {
				t.Fatalf("%d frames, want %d", len(dr.Frames), tt.wantFrames)
			}
			for _, f := range dr.Frames {
				for i := range f.Rows() {
					if v, err := f.Fields[len(f.Fields)-1].FloatAt(i); err != nil || v != 0 {
						t.Fatalf("row %d reads %v (%v), want 0", i, v, err)
					}
				}
			}
		})
	}
}
