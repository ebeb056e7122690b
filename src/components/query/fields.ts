/*
 * What the editors show for each name of the query model (src/types.ts). The records are keyed by
 * the model's own lists, so a filter or field added there does not compile until it has a label here.
 */
import { SelectableValue } from '@grafana/data';
import { ComboboxOption } from '@grafana/ui';

import {
  BooleanFilterKey,
  BUCKET_TOTAL,
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
  /** `select`: a multi-select of the values seen in the range; `text`: typed, applied on blur or Enter. */
  kind: 'select' | 'text';
  placeholder: string;
  /** A line under a text field, for what the name alone does not say. */
  hint?: string;
}

/** The string filters in the order the editor shows them. */
export const FILTER_FIELDS: Record<StringFilterKey, FilterField> = {
  language: {
    label: 'Language',
    kind: 'select',
    placeholder: 'any',
    tooltip: 'Conversations in this language (API filter language)',
  },
  device: {
    label: 'Device',
    kind: 'select',
    placeholder: 'any',
    tooltip: 'Conversations from this device type (API filter device)',
  },
  customer_id: {
    label: 'Customer ID',
    kind: 'select',
    placeholder: 'any',
    tooltip: 'Exact customer ID (API filter customer_id)',
  },
  message_contains: {
    label: 'Message contains',
    kind: 'text',
    placeholder: 'text to search',
    tooltip: 'Conversations with a message containing this text, case-insensitive (API filter message_contains)',
  },
  action_name: {
    label: 'Action name',
    kind: 'text',
    placeholder: 'e.g. book_meeting',
    tooltip: 'Conversations in which the agent ran this action (API filter action_name)',
    hint: 'Type it: the API does not list actions',
  },
  conversation_id: {
    label: 'Conversation ID',
    kind: 'text',
    placeholder: 'e.g. conv-000042',
    tooltip:
      "AgentSight's own conversation_id string (API filter conversation_id), not the numeric id of the Conversation option",
  },
  customer_ip_address: {
    label: 'Customer IP',
    kind: 'text',
    placeholder: 'e.g. 203.0.113.45',
    tooltip: 'Customer IP address (API filter customer_ip_address)',
  },
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
    label: 'Has messages',
    tooltip: 'Conversations with at least one message, or without any (API filter has_messages)',
    yes: 'With messages',
    no: 'Without messages',
    // Conversations without messages have no message to show.
    noIsEmptyFor: ['messages'],
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
