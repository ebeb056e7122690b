import React, { useId } from 'react';
import { EditorField } from '@grafana/plugin-ui';
import { Combobox, ComboboxOption } from '@grafana/ui';

import { AgentSightQuery, Aggregation, aggregationLabel, Measure, MEASURES, measureSpec, statsOf } from '../../types';
import { hasVariable } from '../../validation';

/*
 * The stats query's own pickers. Every list comes from src/generated/query.json (`measures`,
 * `aggregations`): a measure added in Go appears here without a change.
 */

interface CommitProps {
  query: AgentSightQuery;
  onCommit: (q: AgentSightQuery) => void;
}

const MEASURE_OPTIONS: Array<ComboboxOption<Measure>> = MEASURES.map((m) => ({
  label: measureSpec(m).label,
  value: m,
  description: measureSpec(m).description,
}));

/** The group-bys a stats query of the measure may use, '' (one series) first. */
export const statsGroups = (measure: Measure): string[] => ['', ...measureSpec(measure).groupBy];

/**
 * Sets the measure and keeps the query valid for it: the aggregation stays when the measure has
 * it (p90 of response time to p90 of duration) and becomes the measure's default otherwise; a
 * group-by the measure does not offer (`sender` of a conversation measure) becomes one series.
 * A `$variable` group-by is kept: what it holds is only known when the query runs.
 */
export function changeMeasure(query: AgentSightQuery, measure: Measure): AgentSightQuery {
  const spec = measureSpec(measure);
  const { aggregation } = statsOf(query);
  const next: AgentSightQuery = {
    ...query,
    measure,
    aggregation: spec.aggregations.includes(aggregation) ? aggregation : spec.aggregations[0],
  };
  const group = query.groupBy ?? '';
  if (!hasVariable(group) && !statsGroups(measure).includes(group)) {
    next.groupBy = '';
  }
  return next;
}

/** Stats: what is aggregated. */
export function MeasureField({ query, onCommit }: CommitProps) {
  const id = useId();
  return (
    <EditorField label="Measure" tooltip="What is aggregated per bucket and group" htmlFor={id}>
      <Combobox<Measure>
        id={id}
        width={26}
        options={MEASURE_OPTIONS}
        value={statsOf(query).measure}
        onChange={(v) => onCommit(changeMeasure(query, v.value))}
      />
    </EditorField>
  );
}

/** Stats: how, among the aggregations valid for the measure only. */
export function AggregationField({ query, onCommit }: CommitProps) {
  const id = useId();
  const { measure, aggregation } = statsOf(query);
  const options: Array<ComboboxOption<Aggregation>> = measureSpec(measure).aggregations.map((a) => ({
    label: aggregationLabel(a),
    value: a,
  }));
  return (
    <EditorField
      label="Aggregation"
      tooltip="How the measure's values of one bucket and group become one number (percentiles: nearest rank)"
      htmlFor={id}
    >
      <Combobox<Aggregation>
        id={id}
        width={20}
        options={options}
        value={aggregation}
        onChange={(v) => onCommit({ ...query, aggregation: v.value })}
      />
    </EditorField>
  );
}
