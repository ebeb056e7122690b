package plugin

import (
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// truncateRows keeps the first n rows of a table frame, fields and metadata intact.
func truncateRows(f *data.Frame, n int) *data.Frame {
	out := f.EmptyCopy()
	for i := 0; i < n; i++ {
		out.AppendRow(f.RowCopy(i)...)
	}
	return out
}

func addNotice(f *data.Frame, severity data.NoticeSeverity, format string, args ...any) {
	if f.Meta == nil {
		f.Meta = &data.FrameMeta{}
	}
	f.Meta.Notices = append(f.Meta.Notices, data.Notice{Severity: severity, Text: fmt.Sprintf(format, args...)})
}
