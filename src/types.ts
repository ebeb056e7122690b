import { DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

import FILTERS_JSON from './generated/filters.json';
import { SETTING_KEYS, SETTINGS, SettingKey } from './settingsValidation';

/*
 * The query and settings model shared with the Go backend (pkg/models).
 * Every name here is checked against pkg/models/testdata/model_fields.json by src/types.test.ts.
 */

/** What a query reads. A query without `queryType` is a `count` query. */
export const QUERY_TYPES = ['count', 'conversations', 'messages', 'attachments', 'values', 'annotations'] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

/**
 * The API's list filters, exactly as the Conversation API names them, in the editor's order.
 * src/generated/filters.json (generated from the Go client's table, agentsight.FilterParams)
 * gives each its kind, choices, label and help; src/types.test.ts holds this list to it.
 */
export const FILTER_KEYS = [
  'language',
  'device',
  'customer_id',
  'customer_id__icontains',
  'customer_ip_address',
  'conversation_id',
  'name',
  'action_name',
  'message_contains',
  'has_messages',
  'is_marked',
  'has_feedback',
  'feedback_sentiment',
  'feedback_source',
  'include_deleted',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** One filter of src/generated/filters.json. */
export interface FilterSpec {
  key: FilterKey;
  kind: 'text' | 'boolean' | 'choice';
  choices?: string[];
  label: string;
  help: string;
}
export const FILTER_SPECS = FILTERS_JSON as FilterSpec[];
export const filterSpec = (key: FilterKey): FilterSpec => FILTER_SPECS.find((f) => f.key === key)!;

/** A string filter holds one value, or several (a multi-value variable or a multi-select: one API call per value). */
export type FilterValue = string | string[];

/** Filters that are true, false or absent (any); the others hold strings. */
export const BOOLEAN_FILTER_KEYS = [
  'has_messages',
  'is_marked',
  'has_feedback',
  'include_deleted',
] as const satisfies readonly FilterKey[];
export type BooleanFilterKey = (typeof BOOLEAN_FILTER_KEYS)[number];
export type StringFilterKey = Exclude<FilterKey, BooleanFilterKey>;
export const STRING_FILTER_KEYS = FILTER_KEYS.filter(
  (k): k is StringFilterKey => !(BOOLEAN_FILTER_KEYS as readonly string[]).includes(k)
);

/** true: only conversations with the property; false: only those without; absent: any. */
export type AgentSightFilters = { [K in StringFilterKey]?: FilterValue } & { [K in BooleanFilterKey]?: boolean };

/** Conversation fields a count can be grouped by (`''` = one series). Count queries only. */
export const GROUP_BY_OPTIONS = ['', 'language', 'device', 'country', 'city', 'customer_id'] as const;
export type GroupBy = (typeof GROUP_BY_OPTIONS)[number];

/**
 * Fields whose distinct values a `values` query (and the editor drop-downs) returns. Not
 * `action_name`: the API filters by it but never returns it, so it has no list.
 */
export const VALUE_FIELDS = ['language', 'device', 'country', 'city', 'customer_id'] as const;
export type ValueField = (typeof VALUE_FIELDS)[number];

/** A dashboard variable reference (`$name`, `${name}`, `[[name]]`), resolved by applyTemplateVariables. */
export type VariableText = `$${string}` | `[[${string}]]`;

/** `bucket: 'total'` gives one number for the whole range. */
export const BUCKET_TOTAL = 'total';

export interface AgentSightQuery extends DataQuery {
  queryType?: QueryType;
  filters?: AgentSightFilters;
  /** count only; a `$variable` is resolved before the query is sent. */
  groupBy?: GroupBy | VariableText;
  /** count only: '' = the panel interval, a Go duration ('5m', '1h'), 'total', or a `$variable`. */
  bucket?: string;
  /**
   * messages / attachments of one conversation (its integer `id`). A string only while it holds a
   * dashboard variable (`$conversation`); applyTemplateVariables turns it into a number.
   */
  conversationId?: number | string;
  /** most rows of a table; 0 or absent = the data source's maxConversations. */
  limit?: number;
  /** values only; a `$variable` is resolved before the query is sent. */
  field?: ValueField | VariableText;
  /** messages only: `logs` in Explore (log lines), `table` (the default) elsewhere. */
  format?: 'table' | 'logs';
  /** The dashboard's ad-hoc filters, added by applyTemplateVariables; equality only. */
  adhocFilters?: AdhocFilter[];
}

/** One filter of an ad-hoc filters variable, as the backend reads it. */
export interface AdhocFilter {
  key: string;
  operator: string;
  value: string;
  values?: string[];
}

/**
 * A dashboard variable's query: a `values` query plus `query`, its readable definition, which
 * Grafana shows in the variable list (it reads a string `query` key of a custom variable query).
 * The backend ignores `query`; the variable support strips it before sending.
 */
export interface AgentSightVariableQuery extends AgentSightQuery {
  query?: string;
}

/** The query keys of the contract (DataQuery's own `hide`, `key` and `datasource` are Grafana's, not ours). */
export const QUERY_KEYS = checkKeys<Omit<AgentSightQuery, 'hide' | 'key' | 'datasource'>>()([
  'refId',
  'queryType',
  'filters',
  'groupBy',
  'bucket',
  'conversationId',
  'limit',
  'field',
  'format',
  'adhocFilters',
]);

/**
 * The plugin's own jsonData settings: every entry of src/generated/settings.json (generated from
 * pkg/models) but the URL and the secret key. A number or duration is a string while the user's
 * text is not valid (the page stores what it shows; *Save & test* reports it), and a duration
 * may be a number of seconds in provisioning files.
 */
export type JsonDataSettingKey = Exclude<SettingKey, 'url' | 'apiKey'>;
export type AgentSightSettings = { [K in JsonDataSettingKey]?: string | number };

/**
 * Grafana's own HTTP client settings that the SDK's httpclient reads from jsonData
 * (`DataSourceInstanceSettings.HTTPClientOptions`), set on the page by @grafana/plugin-ui's
 * TLS settings and the secure SOCKS proxy toggle. Their secrets (`tlsCACert`, `tlsClientCert`,
 * `tlsClientKey`) are Grafana's secureJsonData, never returned to the browser either.
 */
export interface GrafanaHttpJsonData {
  /** TLS client authentication (client certificate and key) */
  tlsAuth?: boolean;
  /** verify the server with the custom CA certificate */
  tlsAuthWithCACert?: boolean;
  tlsSkipVerify?: boolean;
  /** the name the server's certificate must carry */
  serverName?: string;
  enableSecureSocksProxy?: boolean;
}

/** The jsonData of one data source instance. */
export type AgentSightOptions = DataSourceJsonData & AgentSightSettings & GrafanaHttpJsonData;

/** The jsonData keys of the plugin's own settings, in the config page's order. */
export const JSON_DATA_KEYS: readonly JsonDataSettingKey[] = SETTING_KEYS.filter(
  (k): k is JsonDataSettingKey => !['url', 'secret'].includes(SETTINGS[k].kind)
);

/** Sent to the backend only; Grafana never returns it (see `secureJsonFields.apiKey`). */
export interface AgentSightSecureJsonData {
  apiKey?: string;
}

export const SECURE_JSON_DATA_KEYS = checkKeys<AgentSightSecureJsonData>()(['apiKey']);
export const FILTER_KEYS_CHECKED = checkKeys<AgentSightFilters>()([...FILTER_KEYS]);

/** Defaults of a new query. */
export const DEFAULT_QUERY: Partial<AgentSightQuery> = {
  queryType: 'count',
  filters: {},
  groupBy: '',
  bucket: '',
};

/** Defaults of the data source settings, from src/generated/settings.json; the backend applies the same ones to absent keys. */
export const DEFAULT_SETTINGS = {
  url: String(SETTINGS.url.default),
  jsonData: Object.fromEntries(JSON_DATA_KEYS.map((k) => [k, SETTINGS[k].default])) as Required<AgentSightSettings>,
};

/** One entry of the `values` resource / a `values` frame. */
export interface ValueOption {
  text: string;
  value: string;
}

/**
 * Returns a function that accepts an array only if it lists every key of T and nothing else,
 * so the runtime key lists above cannot drift from the interfaces.
 */
function checkKeys<T>() {
  return <K extends ReadonlyArray<keyof T>>(
    keys: K & (Exclude<keyof T, K[number]> extends never ? unknown : { missingKeys: Exclude<keyof T, K[number]> })
  ): ReadonlyArray<keyof T & string> => keys as unknown as ReadonlyArray<keyof T & string>;
}
