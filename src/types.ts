import { DataSourceApi, DataSourceJsonData, TimeRange } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

import FILTERS_JSON from './generated/filters.json';
import QUERY_JSON from './generated/query.json';
import { SETTING_KEYS, SETTINGS, SettingKey } from './settingsValidation';

/*
 * The query and settings model shared with the Go backend (pkg/models). The names, kinds and
 * labels come from src/generated/ (query.json, filters.json, settings.json), which pkg/models
 * generates from its tables and tests against ParseQuery and LoadSettings; only the shapes the
 * generated files cannot give (the query's interface) are written here, and src/types.test.ts
 * holds them to the files.
 */

/** What a query reads. A query without `queryType` is a `count` query. */
export type QueryType = keyof typeof QUERY_JSON.queryTypes;
export const QUERY_TYPES = Object.keys(QUERY_JSON.queryTypes) as QueryType[];

/** A query type's label, description and the options of the query model it reads. */
export interface QueryTypeSpec {
  label: string;
  description: string;
  options: string[];
}
export const queryTypeSpec = (type: QueryType): QueryTypeSpec => QUERY_JSON.queryTypes[type];
/** True when a query type reads the option (`groupBy`, `limit`, …). */
export const takesOption = (type: QueryType, option: keyof AgentSightQuery): boolean =>
  queryTypeSpec(type).options.includes(option);

/**
 * The API's list filters, exactly as the Conversation API names them, by kind: free text, one
 * of fixed choices, or true/false.
 */
export type TextFilterKey = keyof typeof FILTERS_JSON.text;
export type ChoiceFilterKey = keyof typeof FILTERS_JSON.choice;
export type BooleanFilterKey = keyof typeof FILTERS_JSON.boolean;
export type StringFilterKey = TextFilterKey | ChoiceFilterKey;
export type FilterKey = StringFilterKey | BooleanFilterKey;
export type FilterKind = keyof typeof FILTERS_JSON;

/** One filter of src/generated/filters.json. */
export interface FilterSpec {
  key: FilterKey;
  kind: FilterKind;
  label: string;
  help: string;
  /** Its place in the editor. */
  order: number;
  /** Conversations selected by different values never overlap (their counts may be added). */
  oneValuePerConversation?: boolean;
  choices?: string[];
}

/** Every filter, in the editor's order. */
export const FILTER_SPECS: readonly FilterSpec[] = (Object.keys(FILTERS_JSON) as FilterKind[])
  .flatMap((kind) =>
    Object.entries(FILTERS_JSON[kind] as Record<string, Omit<FilterSpec, 'key' | 'kind'>>).map(
      ([key, spec]): FilterSpec => ({ ...spec, key: key as FilterKey, kind })
    )
  )
  .sort((a, b) => a.order - b.order);
export const filterSpec = (key: FilterKey): FilterSpec => FILTER_SPECS.find((f) => f.key === key)!;

export const FILTER_KEYS: readonly FilterKey[] = FILTER_SPECS.map((f) => f.key);
/** Filters that are true, false or absent (any); the others hold strings. */
export const BOOLEAN_FILTER_KEYS = FILTER_KEYS.filter((k): k is BooleanFilterKey => k in FILTERS_JSON.boolean);
export const STRING_FILTER_KEYS = FILTER_KEYS.filter((k): k is StringFilterKey => !(k in FILTERS_JSON.boolean));

/** A string filter holds one value, or several (a multi-value variable or a multi-select: one API call per value). */
export type FilterValue = string | string[];

/** true: only conversations with the property; false: only those without; absent: any. */
export type AgentSightFilters = { [K in StringFilterKey]?: FilterValue } & { [K in BooleanFilterKey]?: boolean };

/** A conversation field: what a count can be grouped by and a `values` query lists. */
export type ConversationField = keyof typeof QUERY_JSON.fields;
const FIELDS = Object.keys(QUERY_JSON.fields) as ConversationField[];
export const fieldLabel = (field: ConversationField): string => QUERY_JSON.fields[field].label;
export const isConversationField = (name: string): name is ConversationField => name in QUERY_JSON.fields;

/** Conversation fields a count can be grouped by (`''` = one series). Count queries only. */
export type GroupBy = '' | ConversationField;
export const GROUP_BY_OPTIONS: readonly GroupBy[] = ['', ...FIELDS.filter((f) => QUERY_JSON.fields[f].groupable)];

/**
 * Fields whose distinct values a `values` query (and the editor drop-downs) returns. Not
 * `action_name`: the API filters by it but never returns it, so it has no list.
 */
export type ValueField = ConversationField;
export const VALUE_FIELDS: readonly ValueField[] = FIELDS.filter((f) => QUERY_JSON.fields[f].listable);

/** What a `stats` query aggregates (src/generated/query.json `measures`). */
export type Measure = keyof typeof QUERY_JSON.measures;
export const MEASURES = Object.keys(QUERY_JSON.measures) as Measure[];
/** How a `stats` query aggregates a measure's values per bucket and group. */
export type Aggregation = keyof typeof QUERY_JSON.aggregations;
export const aggregationLabel = (a: Aggregation): string => QUERY_JSON.aggregations[a].label;

/** A measure of src/generated/query.json. */
export interface MeasureSpec {
  label: string;
  description: string;
  /** The value field's unit (`s`), empty for counts. */
  unit: string;
  /** The valid aggregations, the backend's default (for a query naming none) first. */
  aggregations: Aggregation[];
  /** The fields a query of this measure may be grouped by (`sender`: message measures only). */
  groupBy: string[];
}
export const measureSpec = (m: Measure): MeasureSpec => QUERY_JSON.measures[m] as MeasureSpec;

/** The measure of a stats query that names none, as the backend reads it. */
export const DEFAULT_MEASURE = QUERY_JSON.defaultMeasure as Measure;

/**
 * A new stats query: the p90 of the backend's default measure (response time), bucketed by
 * the panel's interval, draws a useful series at once.
 */
export const STATS_DEFAULTS: { measure: Measure; aggregation: Aggregation } = {
  measure: DEFAULT_MEASURE,
  aggregation: 'p90',
};

/** A stats query's measure and aggregation as the backend reads them: absent ones are its defaults. */
export function statsOf(query: { measure?: Measure; aggregation?: Aggregation }): {
  measure: Measure;
  aggregation: Aggregation;
} {
  const measure = query.measure && MEASURES.includes(query.measure) ? query.measure : DEFAULT_MEASURE;
  return { measure, aggregation: query.aggregation ?? measureSpec(measure).aggregations[0] };
}

/** A dashboard variable reference (`$name`, `${name}`, `[[name]]`), resolved by applyTemplateVariables. */
export type VariableText = `$${string}` | `[[${string}]]`;

/** `bucket: 'total'` gives one number for the whole range. */
export const BUCKET_TOTAL = 'total';

export interface AgentSightQuery extends DataQuery {
  queryType?: QueryType;
  filters?: AgentSightFilters;
  /**
   * count and stats; a `$variable` is resolved before the query is sent. `sender` splits a
   * stats query of a message measure (`sent_messages`) by who sent each message.
   */
  groupBy?: GroupBy | 'sender' | VariableText;
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
  /** stats only: what is aggregated. */
  measure?: Measure;
  /** stats only: one of the measure's aggregations. */
  aggregation?: Aggregation;
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

/** What the editors need of the data source: the distinct values of a field seen in a range, for drop-downs. */
export interface ValuesSource {
  getValues(field: ValueField, range?: TimeRange): Promise<ValueOption[]>;
}

/**
 * The data source as the editors see it: Grafana's API and the values of a field. The editors
 * and the variable support are typed with it, not with the DataSource class, which registers
 * them: no import circle.
 */
export type EditorDataSource = DataSourceApi<AgentSightQuery, AgentSightOptions> & ValuesSource;
