package frames

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// What a count and a stats series share when they become frames: one frame per group, the
// buckets' start times as the time field, the group as a label and as the displayed name.

// groupOf is group's entry of groups (index maps a name to its place), added by newGroup the
// first time. A grouped series files what has no value of the field under UnknownGroup.
func groupOf[G any](index map[string]int, groups *[]G, groupBy, group string, newGroup func(name string) G) *G {
	if groupBy != "" && group == "" {
		group = UnknownGroup
	}
	i, ok := index[group]
	if !ok {
		i = len(*groups)
		index[group] = i
		*groups = append(*groups, newGroup(group))
	}
	return &(*groups)[i]
}

// times is the start of every bucket: the time field of a series' frames.
func (b Buckets) times() []time.Time {
	times := make([]time.Time, b.N)
	for i := range times {
		times[i] = b.Start(i)
	}
	return times
}

// seriesField is the value field of one group's frame. Grouped, it carries the group as a
// label and is displayed by the group's name alone; unit, if any, is the field's unit.
func seriesField(name, groupBy, group, unit string, values any) *data.Field {
	var labels data.Labels
	if groupBy != "" {
		labels = data.Labels{groupBy: group}
	}
	field := data.NewField(name, labels, values)
	if unit != "" || groupBy != "" {
		field.Config = &data.FieldConfig{Unit: unit}
		if groupBy != "" {
			field.Config.DisplayNameFromDS = group
		}
	}
	return field
}

// timeSeriesFrame is one group's frame of a timeseries-multi answer.
func timeSeriesFrame(name string, times []time.Time, value *data.Field) *data.Frame {
	frame := data.NewFrame(name, data.NewField("time", nil, times), value)
	frame.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: data.FrameTypeVersion{0, 1}}
	return frame
}
