/*
 * What the editors show for each name of the query model (src/types.ts). Labels, help, kinds and
 * order come from src/generated/ (pkg/models' tables); what is only the editor's (placeholders,
 * the words of a true/false choice) is keyed by the model's types, so that a filter added in Go
 * does not compile until it has them here.
 */
import { SelectableValue } from '@grafana/data';
import { ComboboxOption } from '@grafana/ui';

import {
  BooleanFilterKey,
  BOOLEAN_FILTER_KEYS,
  BUCKET_TOTAL,
  fieldLabel,
  FilterKey,
  isConversationField,
  filterSpec,
  GroupBy,
  QueryType,
  queryTypeSpec,
  QUERY_TYPES,
  StringFilterKey,
  STRING_FILTER_KEYS,
  VALUE_FIELDS,
} from '../../types';

export const QUERY_TYPE_OPTIONS: Array<SelectableValue<QueryType>> = QUERY_TYPES.map((t) => ({
  label: queryTypeSpec(t).label,
  value: t,
  description: queryTypeSpec(t).description,
}));

/** The fields a values query (and so a dashboard variable) lists. */
export const FIELD_OPTIONS: Array<SelectableValue<string>> = VALUE_FIELDS.map((f) => ({
  label: fieldLabel(f),
  value: f,
}));

/**
 * A group-by's label: the contract's field label, or for a group that is not a conversation
 * field (a message's `sender`) its name, capitalised.
 */
export const groupByLabel = (g: GroupBy | string): string =>
  g === '' ? 'None' : isConversationField(g) ? fieldLabel(g) : g[0].toUpperCase() + g.slice(1);

export const BUCKET_OPTIONS: Array<SelectableValue<string>> = [
  { label: 'Auto', value: '', description: 'The panel interval' },
  { label: 'Total', value: BUCKET_TOTAL, description: 'One number for the whole range' },
  ...['1m', '5m', '15m', '30m', '1h', '6h', '12h', '24h'].map((d) => ({ label: d, value: d })),
];

/** What only the editor says of a string filter. */
interface FilterInput {
  placeholder: string;
  /** A line under a text field, for what the name alone does not say. */
  hint?: string;
  /** Replaces the contract's help where the editor must say more. */
  tooltip?: string;
}

const FILTER_INPUTS: Record<StringFilterKey, FilterInput> = {
  language: { placeholder: 'any' },
  device: { placeholder: 'any' },
  customer_id: { placeholder: 'any' },
  customer_id__icontains: { placeholder: 'part of a customer id' },
  feedback_sentiment: { placeholder: 'any' },
  feedback_source: { placeholder: 'e.g. widget' },
  message_contains: { placeholder: 'text to search' },
  name: { placeholder: 'part of a name' },
  action_name: { placeholder: 'e.g. book_meeting', hint: 'Type it: the API does not list actions' },
  conversation_id: {
    placeholder: 'e.g. conv-000042',
    tooltip:
      "AgentSight's own conversation_id string (API filter conversation_id), not the numeric id of the Conversation option",
  },
  customer_ip_address: { placeholder: 'e.g. 203.0.113.45' },
};

interface FilterField extends FilterInput {
  label: string;
  tooltip: string;
  /**
   * `select`: a multi-select of the values seen in the range (a field the `values` resource
   * lists); `choice`: a multi-select of the filter's fixed choices; `text`: typed values.
   */
  kind: 'select' | 'choice' | 'text';
}

/** The label and help of the contract (src/generated/filters.json), with the API's name. */
function described(key: FilterKey) {
  const spec = filterSpec(key);
  return { label: spec.label, tooltip: `${spec.help} (API filter ${key})` };
}

function stringFilterKind(key: StringFilterKey): FilterField['kind'] {
  if (filterSpec(key).kind === 'choice') {
    return 'choice';
  }
  return (VALUE_FIELDS as readonly string[]).includes(key) ? 'select' : 'text';
}

/** Every string filter's field. */
export const FILTER_FIELDS = Object.fromEntries(
  STRING_FILTER_KEYS.map((key) => {
    const input = FILTER_INPUTS[key];
    return [key, { ...described(key), ...input, kind: stringFilterKind(key) }];
  })
) as Record<StringFilterKey, FilterField>;

export type BooleanChoice = 'any' | 'yes' | 'no';

/** What only the editor says of a true/false filter. */
interface BooleanInput {
  yes: string;
  no: string;
  /** Query types for which "no" cannot give a row, so it is not offered. */
  noIsEmptyFor: QueryType[];
}

const BOOLEAN_INPUTS: Record<BooleanFilterKey, BooleanInput> = {
  // Conversations without messages have no message to show.
  has_messages: { yes: 'With messages', no: 'Without messages', noIsEmptyFor: ['messages'] },
  has_feedback: { yes: 'With feedback', no: 'Without feedback', noIsEmptyFor: [] },
  is_marked: { yes: 'Marked', no: 'Not marked', noIsEmptyFor: [] },
  include_deleted: { yes: 'Include deleted', no: 'Leave deleted out', noIsEmptyFor: [] },
};

interface BooleanFilterField extends BooleanInput {
  label: string;
  tooltip: string;
}

/** The true/false/any filters' fields. */
export const BOOLEAN_FILTER_FIELDS = Object.fromEntries(
  BOOLEAN_FILTER_KEYS.map((key) => [key, { ...described(key), ...BOOLEAN_INPUTS[key] }])
) as Record<BooleanFilterKey, BooleanFilterField>;

export const toBooleanChoice = (value: boolean | undefined): BooleanChoice =>
  value === undefined ? 'any' : value ? 'yes' : 'no';

/** A boolean filter's choices for a query type; a saved "no" stays visible, so the user sees why it is empty. */
export function booleanOptions(
  key: BooleanFilterKey,
  queryType: QueryType,
  current: BooleanChoice
): Array<ComboboxOption<BooleanChoice>> {
  const field = BOOLEAN_FILTER_FIELDS[key];
  const options: Array<ComboboxOption<BooleanChoice>> = [
    { label: 'Any', value: 'any' },
    { label: field.yes, value: 'yes' },
  ];
  if (!field.noIsEmptyFor.includes(queryType) || current === 'no') {
    options.push({ label: field.no, value: 'no' });
  }
  return options;
}
