package plugin

import (
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
)

// Ranges reach the plugin through the SDK's conversion of Grafana's epoch milliseconds into
// int64 nanoseconds: exact from 1678 to 2261, changed beyond. What the plugin can see (a range
// that now ends before it starts) is refused naming the range as received.
func TestTimeRangeAsReceived(t *testing.T) {
	utc := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name     string
		from, to time.Time
		// sent is the range the API is asked for, err the query's error: one of them is set.
		sent, err string
	}{
		{name: "widest exact range", from: utc(1678, 1, 1), to: utc(2261, 12, 31),
			sent: "started_at_after=1678-01-01T00%3A00%3A00Z&started_at_before=2261-12-31T00%3A00%3A00Z"},
		{name: "years 1 to 9999 arrive as 1754 to 1816", from: utc(1, 1, 1), to: utc(9999, 12, 31),
			sent: "started_at_after=1754-08-30T22%3A43%3A41.128654848Z&started_at_before=1816-03-29T05%3A56%3A08.066277376Z"},
		{name: "2020 to 2300 arrives reversed", from: utc(2020, 1, 1), to: utc(2300, 1, 1),
			err: "the time range ends before it starts: the plugin received 2020-01-01T00:00:00Z to 1715-06-13T00:25:26.29Z. " +
				"Grafana's plugin SDK carries a range exactly only from year 1678 to 2261 and changes one reaching beyond them; keep the range within those years"},
		{name: "reversed within the exact range", from: utc(2026, 10, 22), to: utc(2026, 10, 20),
			err: "the time range ends before it starts: the plugin received 2026-10-22T00:00:00Z to 2026-10-20T00:00:00Z. " +
				"Grafana's plugin SDK carries a range exactly only from year 1678 to 2261 and changes one reaching beyond them; keep the range within those years"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, true, nil) // its own: no listing read before answers from memory
			// What Grafana sends over gRPC, converted as the SDK converts it.
			got := backend.ConvertFromProtobuf{}.TimeRange(&pluginv2.TimeRange{FromEpochMS: tc.from.UnixMilli(), ToEpochMS: tc.to.UnixMilli()})
			dr := e.query(map[string]any{"queryType": "conversations"}, got.From, got.To)
			if tc.err != "" {
				if dr.Error == nil || dr.Error.Error() != tc.err || dr.Status != backend.StatusBadRequest {
					t.Fatalf("error %v (status %d), want %q", dr.Error, dr.Status, tc.err)
				}
				return
			}
			mustOK(t, dr)
			if executed := dr.Frames[0].Meta.ExecutedQueryString; !strings.Contains(executed, tc.sent) {
				t.Errorf("sent %s, want it to hold %s", executed, tc.sent)
			}
		})
	}
}
