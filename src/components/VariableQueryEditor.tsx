import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Combobox, InlineField } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { toVariableQuery } from '../query';
import { AgentSightOptions, AgentSightQuery, ValueField } from '../types';
import { FIELD_OPTIONS } from './QueryEditor';

type Props = QueryEditorProps<DataSource, AgentSightQuery, AgentSightOptions, AgentSightQuery>;

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
        options={FIELD_OPTIONS}
        value={q.field}
        onChange={(v) => onChange({ ...q, field: v.value })}
      />
    </InlineField>
  );
}
