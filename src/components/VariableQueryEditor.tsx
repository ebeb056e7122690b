import React from 'react';
import { QueryEditorProps, SelectableValue } from '@grafana/data';
import { InlineField, Select } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { toVariableQuery } from '../query';
import { AgentSightOptions, AgentSightQuery, ValueField, VALUE_FIELDS } from '../types';

type Props = QueryEditorProps<DataSource, AgentSightQuery, AgentSightOptions, AgentSightQuery>;

const LABELS: Record<ValueField, string> = {
  language: 'Language',
  device: 'Device',
  country: 'Country',
  city: 'City',
  customer_id: 'Customer ID',
  action_name: 'Action name',
};

const OPTIONS: Array<SelectableValue<ValueField>> = VALUE_FIELDS.map((f) => ({ label: LABELS[f], value: f }));

/** The variable's query: the field whose distinct values (in the dashboard's range) become the options. */
export function VariableQueryEditor({ query, onChange }: Props) {
  const q = toVariableQuery(query);
  return (
    <InlineField
      label="Field"
      labelWidth={20}
      tooltip="The variable's options are the distinct values of this field among the conversations of the time range"
    >
      <Select<ValueField>
        inputId="agentsight-variable-field"
        aria-label="Field"
        width={25}
        options={OPTIONS}
        value={q.field}
        onChange={(v) => onChange({ ...q, field: v.value ?? 'language' })}
      />
    </InlineField>
  );
}
