package models

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/agentsight/agentsight-conversations-datasource/pkg/agentsight"
)

// AdhocFilter is one filter of a dashboard's ad-hoc filters variable, as the front end passes
// it on every query of the dashboard (`adhocFilters`).
type AdhocFilter struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Value    string   `json:"value"`
	Values   []string `json:"values,omitempty"`
}

// applyAdhocFilters narrows the query's filters by the dashboard's ad-hoc filters. The API
// filters by equality only, so "=" (one value) and "=|" (one of several) apply; any other
// operator, a key that is not a filter, or a key the query already filters by a disjoint
// value, is left out with a notice saying why, rather than failing every panel of the
// dashboard. A value the filter cannot take (a boolean that is not true or false, a choice
// that is not one of its choices) is an error, as it is in the query's own filters.
func (q *Query) applyAdhocFilters(filters []AdhocFilter) error {
	for _, f := range filters {
		param, ok := agentsight.LookupFilter(f.Key)
		values := f.Values
		if f.Operator == "=" {
			values = []string{f.Value}
		}
		switch {
		case !ok:
			q.Notices = append(q.Notices, fmt.Sprintf("ad-hoc filter %q is not an AgentSight filter: left out", f.Key))
			continue
		case f.Operator != "=" && f.Operator != "=|":
			q.Notices = append(q.Notices, fmt.Sprintf("ad-hoc filter %s %s %q: the AgentSight API filters by equality only (= or one of): left out", f.Key, f.Operator, f.Value))
			continue
		case len(values) > 1 && param.Kind == agentsight.FilterBool:
			q.Notices = append(q.Notices, fmt.Sprintf("ad-hoc filter %s: a true/false filter takes one value: left out", f.Key))
			continue
		}
		var value any = values
		if param.Kind == agentsight.FilterBool {
			value = values[0]
		}
		raw, err := json.Marshal(value)
		if err != nil {
			return err
		}
		parsed, err := parseFilters(map[string]json.RawMessage{f.Key: raw})
		if err != nil {
			return fmt.Errorf("ad-hoc %w", err)
		}
		adhoc := parsed.Values[f.Key]
		if len(adhoc) == 0 {
			continue
		}
		own, filtered := q.Filters.Values[f.Key]
		if !filtered {
			q.Filters.Values[f.Key] = adhoc
			continue
		}
		both := slices.DeleteFunc(slices.Clone(own), func(v string) bool { return !slices.Contains(adhoc, v) })
		if len(both) == 0 {
			q.Notices = append(q.Notices, fmt.Sprintf("ad-hoc filter %s = %s matches none of the query's own %s filter: left out", f.Key, joinQuoted(adhoc), f.Key))
			continue
		}
		q.Filters.Values[f.Key] = both
	}
	return nil
}
