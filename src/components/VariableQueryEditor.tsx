import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { EditorFieldGroup, EditorRows } from '@grafana/plugin-ui';
import { Text } from '@grafana/ui';

import { toVariableQuery, variableDefinition } from '../query';
import { AgentSightOptions, AgentSightQuery, AgentSightVariableQuery, EditorDataSource } from '../types';
import { EditorGroup } from './query/EditorGroup';
import { FilterFields } from './query/FilterFields';
import { ValueFieldField } from './query/OptionFields';

type Props = QueryEditorProps<EditorDataSource, AgentSightVariableQuery, AgentSightOptions, AgentSightVariableQuery>;

/**
 * The variable's query: the field whose distinct values (in the dashboard's range) become the
 * options, and filters, which may hold other variables (`$device`), so that a variable can
 * depend on another. Every change carries the readable definition Grafana's variable list shows.
 */
export function VariableQueryEditor({ query, onChange, datasource, range }: Props) {
  const q = toVariableQuery(query);
  const emit = (next: AgentSightQuery) => {
    const { query: _definition, ...rest } = next as AgentSightVariableQuery;
    onChange({ ...rest, query: variableDefinition(rest) });
  };
  return (
    <EditorRows>
      <EditorGroup title="Options">
        <EditorFieldGroup>
          <ValueFieldField
            query={q}
            onCommit={emit}
            tooltip="The variable's options are the distinct values of this field among the conversations of the time range"
          />
        </EditorFieldGroup>
      </EditorGroup>
      <EditorGroup title="Filters">
        <FilterFields
          filters={q.filters}
          queryType="values"
          getValues={(field, r) => datasource.getValues(field, r)}
          range={range}
          onCommit={(filters) => emit({ ...q, filters })}
        />
      </EditorGroup>
      <Text variant="bodySmall" color="secondary">
        Shown in the variable list as: {variableDefinition(q)}
      </Text>
    </EditorRows>
  );
}
