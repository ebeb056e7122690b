package plugin

import (
	"context"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
	"github.com/agentsight/agentsight-conversations-datasource/pkg/frames"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

type valuesResult struct{ values []string }

func (v valuesResult) Frames() (data.Frames, error) {
	return data.Frames{frames.ValuesFrame(v.values)}, nil
}

// runValues lists the distinct values of a field in range, for dashboard variables.
func runValues(ctx context.Context, d *Datasource, r *run) (framer, error) {
	values, err := d.distinctValues(ctx, r)
	return valuesResult{values}, err
}

// distinctValues reads the conversations in range and collects a field's values.
func (d *Datasource) distinctValues(ctx context.Context, r *run) ([]string, error) {
	field := r.query.Field
	convs, err := d.listConversations(ctx, r, d.settings.MaxConversations, agentsight.Summary)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var values []string
	for i := range convs {
		v := frames.FieldValue(&convs[i], field)
		if v != "" && !seen[v] {
			seen[v] = true
			values = append(values, v)
		}
	}
	return values, nil
}
