package frames

import (
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// LimitedTable cuts a table to limit rows (0 = no cut) and warns when it did.
func LimitedTable(frame *data.Frame, limit int, noun string) data.Frames {
	if total := frame.Rows(); limit > 0 && total > limit {
		frame = firstRows(frame, limit)
		addNotice(frame, data.NoticeSeverityWarning, "showing the first %d of %d %s: raise the query's limit or narrow the filters", limit, total, noun)
	}
	return data.Frames{frame}
}

// firstRows keeps the first n rows of a table frame, fields and metadata intact.
func firstRows(f *data.Frame, n int) *data.Frame {
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
