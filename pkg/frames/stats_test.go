package frames

import (
	"testing"
	"time"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/models"
	"github.com/google/go-cmp/cmp"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

func at(s string) *time.Time {
	t, err := time.Parse(time.TimeOnly, s)
	if err != nil {
		panic(err)
	}
	t = time.Date(2026, 10, 20, t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	return &t
}

func msg(id int64, sender, ts string) agentsight.Message {
	return agentsight.Message{ID: id, Sender: sender, Timestamp: at(ts)}
}

func TestReplies(t *testing.T) {
	tests := []struct {
		name     string
		messages []agentsight.Message
		want     []float64
	}{
		{"the issue's example", []agentsight.Message{
			msg(1, "end_user", "10:00:00"), msg(2, "end_user", "10:00:20"), msg(3, "agent", "10:00:50"),
			msg(4, "agent", "10:01:00"), msg(5, "end_user", "10:02:00"), msg(6, "agent", "10:02:05"),
		}, []float64{50, 5}},
		{"in any order", []agentsight.Message{
			msg(6, "agent", "10:02:05"), msg(3, "agent", "10:00:50"), msg(1, "end_user", "10:00:00"), msg(5, "end_user", "10:02:00"),
		}, []float64{50, 5}},
		{"a greeting first is no reply", []agentsight.Message{msg(1, "agent", "10:00:00"), msg(2, "end_user", "10:00:10"), msg(3, "agent", "10:00:12")}, []float64{2}},
		{"an operator answers too", []agentsight.Message{msg(1, "end_user", "10:00:00"), msg(2, "human_agent", "10:03:00")}, []float64{180}},
		{"same instant: by id", []agentsight.Message{msg(2, "agent", "10:00:00"), msg(1, "end_user", "10:00:00")}, []float64{0}},
		{"unanswered", []agentsight.Message{msg(1, "end_user", "10:00:00")}, nil},
		{"no timestamp: left out", []agentsight.Message{msg(1, "end_user", "10:00:00"), {ID: 2, Sender: "agent"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []float64
			for _, r := range Replies(tt.messages) {
				got = append(got, r.Seconds)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("response times (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	ten := []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	for p, want := range map[int]float64{50: 5, 90: 9, 95: 10, 99: 10} {
		if got := Percentile(ten, p); got != want {
			t.Errorf("p%d of 1..10 = %v, want %v", p, got, want)
		}
	}
	if got := Percentile([]float64{7}, 50); got != 7 {
		t.Errorf("p50 of one value = %v", got)
	}
	if ten[0] != 10 {
		t.Error("Percentile reordered its argument")
	}
}

// Empty buckets: a gap for what has no value over nothing, 0 for counts and sums.
func TestStatsEmptyBuckets(t *testing.T) {
	from, to := *at("10:00:00"), *at("12:59:59")
	b := NewBuckets(from, to, time.Hour)
	conv := agentsight.Conversation{ID: 1, StartedAt: at("10:10:00"), EndedAt: at("10:12:00"), CustomerID: "c", MessageCount: 2,
		Messages: []agentsight.Message{msg(1, "end_user", "10:10:00"), msg(2, "agent", "10:10:30"), msg(3, "end_user", "13:10:00"), msg(4, "agent", "13:10:30")}}
	one, zero := 1.0, 0.0
	for _, tt := range []struct {
		measure models.Measure
		agg     models.Aggregation
		first   float64
		empty   *float64
		unit    string
	}{
		{models.MeasureResponseTime, models.AggP90, 30, nil, "s"},
		{models.MeasureResponseTime, models.AggSum, 30, &zero, "s"},
		{models.MeasureDuration, models.AggAvg, 120, nil, "s"},
		{models.MeasureMessages, models.AggMax, 2, nil, ""},
		{models.MeasureCustomers, models.AggDistinct, one, &zero, ""},
		{models.MeasureSentMessages, models.AggCount, 2, &zero, ""},
	} {
		q := models.Query{Type: models.QueryStats, Measure: tt.measure, Aggregation: tt.agg}
		s := NewStatsSeries(q, b, from, to)
		s.Add(&conv)
		fs, err := s.Frames()
		if err != nil || len(fs) != 1 {
			t.Fatalf("%s: %d frames, %v", q.ValueName(), len(fs), err)
		}
		f := fs[0]
		if f.Rows() != 3 || f.Fields[1].Name != q.ValueName() || f.Meta.Type != data.FrameTypeTimeSeriesMulti {
			t.Fatalf("%s: frame %s", q.ValueName(), f.Fields[1].Name)
		}
		if got := unit(f.Fields[1]); got != tt.unit {
			t.Errorf("%s: unit %q, want %q", q.ValueName(), got, tt.unit)
		}
		if v, _ := f.Fields[1].NullableFloatAt(0); v == nil || *v != tt.first {
			t.Errorf("%s at 10:00: %v, want %v", q.ValueName(), v, tt.first)
		}
		// 13:10 is after the range: the reply then is left out.
		for i := 1; i < 3; i++ {
			if v, _ := f.Fields[1].NullableFloatAt(i); !cmp.Equal(v, tt.empty) {
				t.Errorf("%s, empty bucket %d: %v, want %v", q.ValueName(), i, v, tt.empty)
			}
		}
	}
}

func unit(f *data.Field) string {
	if f.Config == nil {
		return ""
	}
	return f.Config.Unit
}

// Grouped by sender, total: one numeric frame per sender, labelled.
func TestStatsTotalBySender(t *testing.T) {
	from, to := *at("10:00:00"), *at("12:59:59")
	q := models.Query{Type: models.QueryStats, Measure: models.MeasureSentMessages, Aggregation: models.AggCount, GroupBy: "sender", Total: true}
	s := NewStatsSeries(q, Buckets{}, from, to)
	s.Add(&agentsight.Conversation{ID: 1, StartedAt: at("10:00:00"), Messages: []agentsight.Message{
		msg(1, "end_user", "10:00:00"), msg(2, "agent", "10:00:30"), msg(3, "end_user", "10:01:00"), msg(4, "", "10:02:00")}})
	fs, _ := s.Frames()
	got := map[string]float64{}
	for _, f := range fs {
		if f.Meta.Type != data.FrameTypeNumericMulti || len(f.Fields) != 1 {
			t.Fatalf("frame %+v", f.Meta)
		}
		v, _ := f.Fields[0].FloatAt(0)
		got[f.Fields[0].Labels["sender"]] = v
	}
	if diff := cmp.Diff(map[string]float64{"end_user": 2, "agent": 1, UnknownGroup: 1}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
