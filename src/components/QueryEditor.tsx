import React, { ChangeEvent, KeyboardEvent, useMemo, useState } from 'react';
import { QueryEditorProps, SelectableValue } from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import {
  Alert,
  Combobox,
  ComboboxOption,
  InlineField,
  InlineFieldRow,
  Input,
  MultiSelect,
  RadioButtonGroup,
  Select,
  Stack,
  Text,
} from '@grafana/ui';

import type { DataSource } from '../datasource';
import { hasConversationId, hasFilters } from '../query';
import {
  AgentSightFilters,
  AgentSightOptions,
  AgentSightQuery,
  BUCKET_TOTAL,
  FilterValue,
  GroupBy,
  QueryType,
  StringFilterKey,
  ValueField,
  VALUE_FIELDS,
} from '../types';
import { durationError, hasVariable } from '../validation';

export type Props = QueryEditorProps<DataSource, AgentSightQuery, AgentSightOptions>;

const LABEL_WIDTH = 18;

export const QUERY_TYPE_OPTIONS: Array<SelectableValue<QueryType>> = [
  { label: 'Count', value: 'count', description: 'Number of conversations over time' },
  { label: 'Conversations', value: 'conversations', description: 'One row per conversation' },
  { label: 'Messages', value: 'messages', description: 'Every message of the selected conversations' },
  { label: 'Attachments', value: 'attachments', description: 'Files attached to messages' },
  { label: 'Values', value: 'values', description: 'Distinct values of a field' },
];

const GROUP_BY_OPTIONS: Array<ComboboxOption<GroupBy>> = [
  { label: 'None', value: '', description: 'One series' },
  { label: 'Language', value: 'language' },
  { label: 'Device', value: 'device' },
  { label: 'Country', value: 'country' },
  { label: 'City', value: 'city' },
  { label: 'Customer ID', value: 'customer_id' },
];

export const BUCKET_OPTIONS: Array<SelectableValue<string>> = [
  { label: 'Auto', value: '', description: 'The panel interval' },
  { label: 'Total', value: BUCKET_TOTAL, description: 'One number for the whole range' },
  ...['1m', '5m', '15m', '30m', '1h', '6h', '12h', '24h'].map((d) => ({ label: d, value: d })),
];

const FIELD_LABELS: Record<ValueField, string> = {
  language: 'Language',
  device: 'Device',
  country: 'Country',
  city: 'City',
  customer_id: 'Customer ID',
  action_name: 'Action name',
};

/** The fields a values query (and so a dashboard variable) lists, as both editors offer them. */
export const FIELD_OPTIONS: Array<ComboboxOption<ValueField>> = VALUE_FIELDS.map((f) => ({
  label: FIELD_LABELS[f],
  value: f,
}));

const HAS_MESSAGES_OPTIONS: Array<SelectableValue<'any' | 'yes' | 'no'>> = [
  { label: 'Any', value: 'any' },
  { label: 'With messages', value: 'yes' },
  { label: 'Without messages', value: 'no' },
];

/** Filters with a drop-down of the values seen in the range (backend resource `values`). */
const SELECT_FILTERS: Array<{ key: StringFilterKey & ValueField; label: string; tooltip: string }> = [
  { key: 'language', label: 'Language', tooltip: 'Conversations in this language (API filter language)' },
  { key: 'device', label: 'Device', tooltip: 'Conversations from this device type (API filter device)' },
  { key: 'customer_id', label: 'Customer ID', tooltip: 'Exact customer ID (API filter customer_id)' },
  {
    key: 'action_name',
    label: 'Action name',
    tooltip: 'Conversations in which the agent ran this action (API filter action_name)',
  },
];

/** Free-text filters, applied on blur or Enter. */
const TEXT_FILTERS: Array<{ key: StringFilterKey; label: string; tooltip: string; placeholder: string }> = [
  {
    key: 'message_contains',
    label: 'Message contains',
    tooltip: 'Conversations with a message containing this text (API filter message_contains)',
    placeholder: 'text to search',
  },
  {
    key: 'conversation_id',
    label: 'Conversation ID',
    tooltip: 'The conversation_id string of a conversation (API filter conversation_id)',
    placeholder: 'e.g. abc123',
  },
  {
    key: 'customer_ip_address',
    label: 'Customer IP',
    tooltip: 'Customer IP address (API filter customer_ip_address)',
    placeholder: 'e.g. 203.0.113.45',
  },
];

const TABLE_TYPES: QueryType[] = ['conversations', 'messages', 'attachments'];

/** Drops the settings another query type does not use, so the backend gets a clean query. */
export function changeQueryType(query: AgentSightQuery, queryType: QueryType): AgentSightQuery {
  const { groupBy, bucket, conversationId, limit, field, ...rest } = query;
  const next: AgentSightQuery = { ...rest, queryType };
  if (queryType === 'count') {
    Object.assign(next, { groupBy: groupBy ?? '', bucket: bucket ?? '' });
  }
  if (queryType === 'messages' || queryType === 'attachments') {
    if (conversationId !== undefined) {
      next.conversationId = conversationId;
    }
  }
  if (TABLE_TYPES.includes(queryType) && limit !== undefined) {
    next.limit = limit;
  }
  if (queryType === 'values') {
    next.field = field ?? 'language';
  }
  return next;
}

function setFilter(query: AgentSightQuery, key: keyof AgentSightFilters, value: FilterValue | boolean | undefined) {
  const filters: AgentSightFilters = { ...query.filters };
  const empty = value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
  if (empty) {
    delete filters[key];
  } else {
    (filters as Record<string, unknown>)[key] = value;
  }
  return { ...query, filters };
}

export function QueryEditor({ query, onChange, onRunQuery, datasource, range, data }: Props) {
  const queryType: QueryType = query.queryType || 'count';
  const filters = query.filters ?? {};

  const commit = (next: AgentSightQuery) => {
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

  const needsSelection =
    (queryType === 'messages' || queryType === 'attachments') &&
    !hasConversationId(query) &&
    !hasFilters(query.filters);

  return (
    <Stack direction="column" gap={0.5}>
      <InlineFieldRow>
        <InlineField label="Query type" labelWidth={LABEL_WIDTH} tooltip="What the query reads">
          <RadioButtonGroup<QueryType>
            aria-label="Query type"
            options={QUERY_TYPE_OPTIONS}
            value={queryType}
            onChange={(v) => commit(changeQueryType(query, v))}
          />
        </InlineField>
      </InlineFieldRow>

      {queryType === 'count' && (
        <InlineFieldRow>
          <InlineField
            label="Group by"
            labelWidth={LABEL_WIDTH}
            htmlFor="agentsight-group-by"
            tooltip="One series per value of this field"
          >
            <Combobox<GroupBy>
              id="agentsight-group-by"
              width={20}
              options={GROUP_BY_OPTIONS}
              value={query.groupBy ?? ''}
              onChange={(v) => commit({ ...query, groupBy: v.value })}
            />
          </InlineField>
          <BucketField query={query} onCommit={commit} />
        </InlineFieldRow>
      )}

      {queryType === 'values' && (
        <InlineFieldRow>
          <InlineField
            label="Field"
            labelWidth={LABEL_WIDTH}
            htmlFor="agentsight-field"
            tooltip="Field whose distinct values are returned"
          >
            <Combobox<ValueField>
              id="agentsight-field"
              width={20}
              options={FIELD_OPTIONS}
              value={query.field ?? 'language'}
              onChange={(v) => commit({ ...query, field: v.value })}
            />
          </InlineField>
        </InlineFieldRow>
      )}

      {(queryType === 'messages' || queryType === 'attachments' || TABLE_TYPES.includes(queryType)) && (
        <InlineFieldRow>
          {(queryType === 'messages' || queryType === 'attachments') && (
            <ConversationIdField query={query} onCommit={commit} />
          )}
          <LimitField query={query} onCommit={commit} />
        </InlineFieldRow>
      )}

      <InlineFieldRow>
        {SELECT_FILTERS.map((f) => (
          <SelectFilter
            key={f.key}
            field={f.key}
            label={f.label}
            tooltip={f.tooltip}
            value={filters[f.key]}
            datasource={datasource}
            range={range}
            onCommit={(v) => commit(setFilter(query, f.key, v))}
          />
        ))}
      </InlineFieldRow>
      <InlineFieldRow>
        {TEXT_FILTERS.map((f) => (
          <TextFilter
            key={f.key}
            label={f.label}
            tooltip={f.tooltip}
            placeholder={f.placeholder}
            value={filters[f.key]}
            onCommit={(v) => commit(setFilter(query, f.key, v))}
          />
        ))}
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Has messages" labelWidth={LABEL_WIDTH} tooltip="API filter has_messages">
          <RadioButtonGroup
            aria-label="Has messages"
            options={HAS_MESSAGES_OPTIONS}
            value={filters.has_messages === undefined ? 'any' : filters.has_messages ? 'yes' : 'no'}
            onChange={(v) => commit(setFilter(query, 'has_messages', v === 'any' ? undefined : v === 'yes'))}
          />
        </InlineField>
      </InlineFieldRow>

      {needsSelection && (
        <Alert severity="info" title="Choose what to read">
          A {queryType} query runs once it has a conversation ID or at least one filter.
        </Alert>
      )}

      {executed.length > 0 && (
        <div data-testid="agentsight-executed">
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
    </Stack>
  );
}

interface CommitProps {
  query: AgentSightQuery;
  onCommit: (q: AgentSightQuery) => void;
}

function BucketField({ query, onCommit }: CommitProps) {
  const [error, setError] = useState<string>();
  const value = query.bucket ?? '';
  const options = BUCKET_OPTIONS.some((o) => o.value === value)
    ? BUCKET_OPTIONS
    : [...BUCKET_OPTIONS, { label: value, value }];

  const apply = (bucket: string) => {
    const b = bucket.trim();
    const err = b === '' || b === BUCKET_TOTAL || hasVariable(b) ? undefined : durationError(b, false);
    setError(err);
    if (!err) {
      onCommit({ ...query, bucket: b });
    }
  };

  return (
    <InlineField
      label="Bucket"
      labelWidth={10}
      tooltip="Width of one time bucket: Auto follows the panel interval, Total gives one number, or type a duration such as 10m"
      invalid={!!error}
      error={error}
    >
      {/* Select rather than Combobox: in @grafana/ui 12.4 a Combobox commits a typed value on Enter
          only when its custom-value option is highlighted, which it is not once a value is chosen. */}
      {/* eslint-disable-next-line @typescript-eslint/no-deprecated */}
      <Select<string>
        inputId="agentsight-bucket"
        aria-label="Bucket"
        width={20}
        options={options}
        value={value}
        allowCustomValue
        onCreateOption={apply}
        onChange={(v) => apply(v.value ?? '')}
      />
    </InlineField>
  );
}

/** Text that is committed on blur or Enter, never on each key press. */
function useCommittedText(saved: string, commit: (text: string) => void) {
  const [text, setText] = useState(saved);
  // Follow the saved value when the query changes from outside (history, another editor).
  const [lastSaved, setLastSaved] = useState(saved);
  if (saved !== lastSaved) {
    setLastSaved(saved);
    setText(saved);
  }
  const apply = () => {
    if (text !== saved) {
      commit(text);
    }
  };
  return {
    value: text,
    onChange: (e: ChangeEvent<HTMLInputElement>) => setText(e.target.value),
    onBlur: apply,
    onKeyDown: (e: KeyboardEvent<HTMLInputElement>) => {
      if (e.key === 'Enter') {
        apply();
      }
    },
  };
}

function ConversationIdField({ query, onCommit }: CommitProps) {
  const [error, setError] = useState<string>();
  const saved = query.conversationId === undefined ? '' : String(query.conversationId);
  const input = useCommittedText(saved, (text) => {
    const t = text.trim();
    const next = { ...query };
    if (t === '') {
      delete next.conversationId;
    } else if (/^[0-9]+$/.test(t) && Number(t) > 0) {
      next.conversationId = Number(t);
    } else if (hasVariable(t)) {
      next.conversationId = t;
    } else {
      setError('Enter the numeric id of a conversation (or a $variable)');
      return;
    }
    setError(undefined);
    onCommit(next);
  });
  return (
    <InlineField
      label="Conversation"
      labelWidth={LABEL_WIDTH}
      tooltip="The numeric id of one conversation: reads its messages or attachments directly. Empty: the conversations the filters select."
      invalid={!!error}
      error={error}
    >
      <Input id="agentsight-conversation" aria-label="Conversation" width={20} placeholder="e.g. 42" {...input} />
    </InlineField>
  );
}

function LimitField({ query, onCommit }: CommitProps) {
  const [error, setError] = useState<string>();
  const saved = query.limit ? String(query.limit) : '';
  const input = useCommittedText(saved, (text) => {
    const t = text.trim();
    const next = { ...query };
    if (t === '' || t === '0') {
      delete next.limit;
    } else if (/^[0-9]+$/.test(t)) {
      next.limit = Number(t);
    } else {
      setError('Enter a whole number (empty or 0: the data source maximum)');
      return;
    }
    setError(undefined);
    onCommit(next);
  });
  return (
    <InlineField
      label="Limit"
      labelWidth={10}
      tooltip="Most rows in the table. Empty: the Max conversations setting of the data source."
      invalid={!!error}
      error={error}
    >
      <Input id="agentsight-limit" aria-label="Limit" width={12} placeholder="max" {...input} />
    </InlineField>
  );
}

interface TextFilterProps {
  label: string;
  tooltip: string;
  placeholder: string;
  value: FilterValue | undefined;
  onCommit: (v: string) => void;
}

function TextFilter({ label, tooltip, placeholder, value, onCommit }: TextFilterProps) {
  const saved = Array.isArray(value) ? value.join(', ') : (value ?? '');
  const input = useCommittedText(saved, (text) => onCommit(text.trim()));
  return (
    <InlineField label={label} labelWidth={LABEL_WIDTH} tooltip={tooltip}>
      <Input aria-label={label} width={24} placeholder={placeholder} {...input} />
    </InlineField>
  );
}

interface SelectFilterProps {
  field: ValueField;
  label: string;
  tooltip: string;
  value: FilterValue | undefined;
  datasource: DataSource;
  range: Props['range'];
  onCommit: (v: FilterValue | undefined) => void;
}

/** Dashboard variables, offered as filter values (none in Explore and alerting). */
function variableOptions(): Array<SelectableValue<string>> {
  try {
    return getTemplateSrv()
      .getVariables()
      .map((v) => ({ label: `$${v.name}`, value: `$${v.name}`, description: 'Dashboard variable' }));
  } catch {
    return [];
  }
}

/** A multi-select of the values seen in the range; custom values and $variables allowed. */
function SelectFilter({ field, label, tooltip, value, datasource, range, onCommit }: SelectFilterProps) {
  const [options, setOptions] = useState<Array<SelectableValue<string>>>([]);
  const [loading, setLoading] = useState(false);
  const selected = value === undefined ? [] : Array.isArray(value) ? value : [value];

  const load = async () => {
    setLoading(true);
    try {
      const values = await datasource.getValues(field, range);
      setOptions([...values.map((v) => ({ label: v.text, value: v.value })), ...variableOptions()]);
    } catch {
      setOptions(variableOptions());
    } finally {
      setLoading(false);
    }
  };

  const allOptions = [
    ...options,
    ...selected.filter((s) => !options.some((o) => o.value === s)).map((s) => ({ label: s, value: s })),
  ];

  const emit = (values: string[]) =>
    onCommit(values.length === 0 ? undefined : values.length === 1 ? values[0] : values);

  return (
    <InlineField label={label} labelWidth={LABEL_WIDTH} tooltip={tooltip}>
      {/* MultiSelect rather than MultiCombobox: in @grafana/ui 12.4 a typed value (a customer id,
          an action name) is not committed on Enter unless the user first highlights it. */}
      {/* eslint-disable-next-line @typescript-eslint/no-deprecated */}
      <MultiSelect<string>
        aria-label={label}
        width={24}
        placeholder="any"
        options={allOptions}
        value={selected}
        isLoading={loading}
        allowCustomValue
        onOpenMenu={load}
        onCreateOption={(v) => emit([...selected, v.trim()].filter((s) => s !== ''))}
        onChange={(items) => emit(items.map((i) => i.value ?? '').filter((s) => s !== ''))}
      />
    </InlineField>
  );
}
