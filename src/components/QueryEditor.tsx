import React, { useEffect, useMemo, useRef } from 'react';
import { css } from '@emotion/css';
import { QueryEditorProps } from '@grafana/data';
import { EditorFieldGroup, EditorHeader, EditorRows } from '@grafana/plugin-ui';
import { Alert, RadioButtonGroup, Text } from '@grafana/ui';

import { hasConversationId, hasFilters } from '../query';
import { hasVariable } from '../validation';
import {
  AgentSightOptions,
  AgentSightQuery,
  EditorDataSource,
  GROUP_BY_OPTIONS,
  QueryType,
  STATS_DEFAULTS,
  statsOf,
  takesOption,
} from '../types';
import { EditorGroup } from './query/EditorGroup';
import { BUCKET_OPTIONS, QUERY_TYPE_OPTIONS } from './query/fields';
import { FilterFields } from './query/FilterFields';
import { BucketField, ConversationField, GroupByField, LimitField, ValueFieldField } from './query/OptionFields';
import { AggregationField, changeMeasure, MeasureField, statsGroups } from './query/StatsFields';

export { BUCKET_OPTIONS, QUERY_TYPE_OPTIONS };

export type Props = QueryEditorProps<EditorDataSource, AgentSightQuery, AgentSightOptions>;

// The buttons wrap onto a second line in a narrow editor instead of being clipped.
const wrappingRadio = css({ flexWrap: 'wrap', height: 'auto' });
// An API call is one long word; it breaks anywhere rather than widening a narrow editor.
const executedCalls = css({ overflowWrap: 'anywhere' });

/** Drops the settings another query type does not use, so the backend gets a clean query. */
export function changeQueryType(query: AgentSightQuery, queryType: QueryType): AgentSightQuery {
  const { groupBy, bucket, conversationId, limit, field, measure, aggregation, ...rest } = query;
  const next: AgentSightQuery = { ...rest, queryType };
  const takes = (option: keyof AgentSightQuery) => takesOption(queryType, option);
  if (takes('measure')) {
    // A new stats query draws something at once; a stats query switched away and back keeps its own.
    next.measure = measure ?? STATS_DEFAULTS.measure;
    next.aggregation = measure ? aggregation : STATS_DEFAULTS.aggregation;
    if (next.aggregation === undefined) {
      delete next.aggregation;
    }
  }
  if (takes('groupBy')) {
    next.groupBy = groupBy ?? '';
  }
  if (takes('bucket')) {
    next.bucket = bucket ?? '';
  }
  if (takes('conversationId') && conversationId !== undefined) {
    next.conversationId = conversationId;
  }
  if (takes('limit') && limit !== undefined) {
    next.limit = limit;
  }
  if (takes('field')) {
    next.field = field ?? 'language';
  }
  // A group the new type does not offer (a stats query's `sender`) becomes one series.
  return takes('measure') ? changeMeasure(next, statsOf(next).measure) : withValidGroup(next);
}

/** A count query's group-by, or one series when it is one only stats offers (`sender`). */
function withValidGroup(query: AgentSightQuery): AgentSightQuery {
  const group = query.groupBy;
  if (group === undefined || hasVariable(group) || (GROUP_BY_OPTIONS as readonly string[]).includes(group)) {
    return query;
  }
  return { ...query, groupBy: '' };
}

/** True when the backend reads one conversation by its id, so that filters and range do not apply. */
export function readsOneConversation(query: AgentSightQuery): boolean {
  return takesOption(query.queryType ?? 'count', 'conversationId') && hasConversationId(query);
}

export function QueryEditor({ query, onChange, onRunQuery, datasource, range, data }: Props) {
  const queryType: QueryType = query.queryType || 'count';

  // The query as last sent or received. A control that hands back what was just sent changes
  // nothing and must not send the panel's requests again: Grafana's Combobox and Select can
  // report one pick twice, the second time before the editor re-renders with it.
  const current = useRef(query);
  useEffect(() => {
    current.current = query;
  }, [query]);
  const commit = (next: AgentSightQuery) => {
    if (JSON.stringify(next) === JSON.stringify(current.current)) {
      return;
    }
    current.current = next;
    onChange(next);
    onRunQuery();
  };

  const executed = useMemo(() => {
    const seen = new Set<string>();
    for (const frame of data?.series ?? []) {
      const text = frame.meta?.executedQueryString;
      if (text && (!frame.refId || frame.refId === query.refId)) {
        seen.add(text);
      }
    }
    return Array.from(seen);
  }, [data, query.refId]);

  const oneConversation = readsOneConversation(query);
  const needsSelection =
    (queryType === 'messages' || queryType === 'attachments') && !oneConversation && !hasFilters(query.filters);

  return (
    <EditorRows>
      <EditorHeader>
        <RadioButtonGroup<QueryType>
          aria-label="Query type"
          className={wrappingRadio}
          options={QUERY_TYPE_OPTIONS}
          value={queryType}
          onChange={(v) => commit(changeQueryType(query, v))}
        />
      </EditorHeader>

      <EditorGroup title="Filters">
        {oneConversation ? (
          <Text color="secondary" variant="bodySmall">
            Filters and the time range do not apply: conversation {String(query.conversationId)} is read by its id.
            Empty the Conversation option to select conversations by filters.
          </Text>
        ) : (
          <FilterFields
            filters={query.filters}
            queryType={queryType}
            getValues={(field, r) => datasource.getValues(field, r)}
            range={range}
            onCommit={(filters) => commit({ ...query, filters })}
          />
        )}
      </EditorGroup>

      <EditorGroup title="Options">
        <EditorFieldGroup>
          {takesOption(queryType, 'measure') && <MeasureField query={query} onCommit={commit} />}
          {takesOption(queryType, 'aggregation') && <AggregationField query={query} onCommit={commit} />}
          {takesOption(queryType, 'groupBy') && (
            <GroupByField
              query={query}
              onCommit={commit}
              groups={takesOption(queryType, 'measure') ? statsGroups(statsOf(query).measure) : undefined}
            />
          )}
          {takesOption(queryType, 'bucket') && <BucketField query={query} onCommit={commit} />}
          {takesOption(queryType, 'conversationId') && <ConversationField query={query} onCommit={commit} />}
          {takesOption(queryType, 'limit') && <LimitField query={query} onCommit={commit} />}
          {takesOption(queryType, 'field') && <ValueFieldField query={query} onCommit={commit} />}
        </EditorFieldGroup>
      </EditorGroup>

      {needsSelection && (
        <Alert severity="info" title="Choose what to read">
          A {queryType} query runs once it has a Conversation or at least one filter.
        </Alert>
      )}

      {executed.length > 0 && (
        <div data-testid="agentsight-executed" className={executedCalls}>
          <Text variant="bodySmall" color="secondary">
            Executed API calls
          </Text>
          {executed.map((line) => (
            <div key={line}>
              <Text variant="code" color="secondary">
                {line}
              </Text>
            </div>
          ))}
        </div>
      )}
    </EditorRows>
  );
}
