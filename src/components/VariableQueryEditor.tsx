import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Combobox, ComboboxOption, InlineField } from '@grafana/ui';

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

const OPTIONS: Array<ComboboxOption<ValueField>> = VALUE_FIELDS.map((f) => ({ label: LABELS[f], value: f }));

/** The variable's query: the field whose distinct values (in the dashboard's range) become the options. */
export function VariableQueryEditor({ query, onChange }: Props) {
  const q = toVariableQuery(query);
  return (
    <InlineField
      label="Field"
      labelWidth={20}
      htmlFor="agentsight-variable-field"
      tooltip="The variable's options are the distinct values of this field among the conversations of the time range"
    >
      <Combobox<ValueField>
        id="agentsight-variable-field"
        width={25}
        options={OPTIONS}
        value={q.field}
        onChange={(v) => onChange({ ...q, field: v.value })}
      />
    </InlineField>
  );
}
