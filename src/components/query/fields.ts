/*
 * What the editors show for each name of the query model (src/types.ts). The records are keyed by
 * the model's own lists, so a filter or field added there does not compile until it has a label here.
 */
import { SelectableValue } from '@grafana/data';
import { ComboboxOption } from '@grafana/ui';

import {
  BooleanFilterKey,
  BUCKET_TOTAL,
  FilterKey,
  filterSpec,
  GroupBy,
  QueryType,
  StringFilterKey,
  ValueField,
  VALUE_FIELDS,
} from '../../types';

export const QUERY_TYPE_OPTIONS: Array<SelectableValue<QueryType>> = [
  { label: 'Count', value: 'count', description: 'Number of conversations over time' },
  { label: 'Conversations', value: 'conversations', description: 'One row per conversation' },
  { label: 'Messages', value: 'messages', description: 'Every message of the selected conversations' },
  { label: 'Attachments', value: 'attachments', description: 'Files attached to messages' },
  { label: 'Values', value: 'values', description: 'Distinct values of a field' },
  { label: 'Annotations', value: 'annotations', description: 'Conversations marked on time-series panels' },
];

export const FIELD_LABELS: Record<ValueField, string> = {
  language: 'Language',
  device: 'Device',
  country: 'Country',
  city: 'City',
  customer_id: 'Customer ID',
};

/** The fields a values query (and so a dashboard variable) lists. */
export const FIELD_OPTIONS: Array<SelectableValue<string>> = VALUE_FIELDS.map((f) => ({
  label: FIELD_LABELS[f],
  value: f,
}));

export const GROUP_BY_LABELS: Record<GroupBy, string> = {
  '': 'None',
  language: 'Language',
  device: 'Device',
  country: 'Country',
  city: 'City',
  customer_id: 'Customer ID',
};

export const BUCKET_OPTIONS: Array<SelectableValue<string>> = [
  { label: 'Auto', value: '', description: 'The panel interval' },
  { label: 'Total', value: BUCKET_TOTAL, description: 'One number for the whole range' },
  ...['1m', '5m', '15m', '30m', '1h', '6h', '12h', '24h'].map((d) => ({ label: d, value: d })),
];

interface FilterField {
  label: string;
  tooltip: string;
  /**
   * `select`: a multi-select of the values seen in the range; `choice`: a multi-select of the
   * filter's fixed choices; `text`: typed, applied on blur or Enter.
   */
  kind: 'select' | 'choice' | 'text';
  placeholder: string;
  /** A line under a text field, for what the name alone does not say. */
  hint?: string;
}

/** The label and help of the API's filter table (src/generated/filters.json), with the API's name. */
function described(key: FilterKey) {
  const spec = filterSpec(key);
  return { label: spec.label, tooltip: `${spec.help} (API filter ${key})` };
}

/** The string filters in the order the editor shows them. */
export const FILTER_FIELDS: Record<StringFilterKey, FilterField> = {
  language: { ...described('language'), kind: 'select', placeholder: 'any' },
  device: { ...described('device'), kind: 'select', placeholder: 'any' },
  customer_id: { ...described('customer_id'), kind: 'select', placeholder: 'any' },
  customer_id__icontains: {
    ...described('customer_id__icontains'),
    kind: 'text',
    placeholder: 'part of a customer id',
  },
  feedback_sentiment: { ...described('feedback_sentiment'), kind: 'choice', placeholder: 'any' },
  feedback_source: { ...described('feedback_source'), kind: 'text', placeholder: 'e.g. widget' },
  message_contains: { ...described('message_contains'), kind: 'text', placeholder: 'text to search' },
  name: { ...described('name'), kind: 'text', placeholder: 'part of a name' },
  action_name: {
    ...described('action_name'),
    kind: 'text',
    placeholder: 'e.g. book_meeting',
    hint: 'Type it: the API does not list actions',
  },
  conversation_id: {
    ...described('conversation_id'),
    kind: 'text',
    placeholder: 'e.g. conv-000042',
    tooltip:
      "AgentSight's own conversation_id string (API filter conversation_id), not the numeric id of the Conversation option",
  },
  customer_ip_address: { ...described('customer_ip_address'), kind: 'text', placeholder: 'e.g. 203.0.113.45' },
};

export const STRING_FILTER_ORDER = Object.keys(FILTER_FIELDS) as StringFilterKey[];

export type BooleanChoice = 'any' | 'yes' | 'no';

interface BooleanFilterField {
  label: string;
  tooltip: string;
  yes: string;
  no: string;
  /** Query types for which "no" cannot give a row, so it is not offered. */
  noIsEmptyFor: QueryType[];
}

/** The true/false/any filters in the order the editor shows them, after the string filters. */
export const BOOLEAN_FILTER_FIELDS: Record<BooleanFilterKey, BooleanFilterField> = {
  has_messages: {
    ...described('has_messages'),
    yes: 'With messages',
    no: 'Without messages',
    // Conversations without messages have no message to show.
    noIsEmptyFor: ['messages'],
  },
  has_feedback: { ...described('has_feedback'), yes: 'With feedback', no: 'Without feedback', noIsEmptyFor: [] },
  is_marked: { ...described('is_marked'), yes: 'Marked', no: 'Not marked', noIsEmptyFor: [] },
  include_deleted: {
    ...described('include_deleted'),
    yes: 'Include deleted',
    no: 'Leave deleted out',
    noIsEmptyFor: [],
  },
};

export const BOOLEAN_FILTER_ORDER = Object.keys(BOOLEAN_FILTER_FIELDS) as BooleanFilterKey[];

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
