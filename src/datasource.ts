import {
  AdHocVariableFilter,
  CoreApp,
  DataSourceGetTagKeysOptions,
  DataSourceGetTagValuesOptions,
  MetricFindValue,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceInstanceSettings,
  ScopedVars,
  TimeRange,
} from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';
import { Observable } from 'rxjs';

import { hasConversationId, hasFilters } from './query';
import {
  AgentSightFilters,
  AgentSightOptions,
  AgentSightQuery,
  BOOLEAN_FILTER_KEYS,
  DEFAULT_QUERY,
  FILTER_SPECS,
  FilterKey,
  STRING_FILTER_KEYS,
  ValueField,
  ValueOption,
  ValuesSource,
  VALUE_FIELDS,
} from './types';
import { AgentSightVariableSupport } from './variableSupport';

/** How many (field, range) lists of the `values` resource the drop-downs keep. */
const VALUES_CACHE_SIZE = 32;

export class DataSource extends DataSourceWithBackend<AgentSightQuery, AgentSightOptions> implements ValuesSource {
  /** The drop-downs' values per field and range, so that opening a drop-down again does not refetch. */
  private readonly valuesCache = new Map<string, Promise<ValueOption[]>>();

  constructor(instanceSettings: DataSourceInstanceSettings<AgentSightOptions>) {
    super(instanceSettings);
    this.variables = new AgentSightVariableSupport((request) => this.query(request));
    // Annotation queries are edited with the query editor and answered by the backend's
    // `annotations` query type (time, timeEnd, title, text, tags: no field mapping needed).
    this.annotations = {
      getDefaultQuery: (): Partial<AgentSightQuery> => ({ queryType: 'annotations', limit: 200 }),
    };
  }

  /**
   * In Explore a transcript is read as log lines (the logs view, with sender and conversation
   * as labels); dashboards keep the table.
   */
  query(request: DataQueryRequest<AgentSightQuery>): Observable<DataQueryResponse> {
    if (request.app === CoreApp.Explore) {
      const targets = request.targets.map((t) =>
        t.queryType === 'messages' && !t.format ? { ...t, format: 'logs' as const } : t
      );
      return super.query({ ...request, targets });
    }
    return super.query(request);
  }

  /** Ad-hoc filters: every filter of the API, by its API name. */
  async getTagKeys(_?: DataSourceGetTagKeysOptions<AgentSightQuery>): Promise<MetricFindValue[]> {
    return FILTER_SPECS.map((f) => ({ text: f.key, value: f.key }));
  }

  /**
   * Ad-hoc filter values: those seen in the range for the fields the `values` resource lists,
   * the choices or true/false for the others; free text is typed.
   */
  async getTagValues(options: DataSourceGetTagValuesOptions<AgentSightQuery>): Promise<MetricFindValue[]> {
    const key = options.key as FilterKey;
    if ((VALUE_FIELDS as readonly string[]).includes(key)) {
      const values = await this.getValues(key as ValueField, options.timeRange);
      return values.map((v) => ({ text: v.text, value: v.value }));
    }
    if ((BOOLEAN_FILTER_KEYS as readonly string[]).includes(key)) {
      return [
        { text: 'true', value: 'true' },
        { text: 'false', value: 'false' },
      ];
    }
    const choices = FILTER_SPECS.find((f) => f.key === key)?.choices ?? [];
    return choices.map((c) => ({ text: c, value: c }));
  }

  getDefaultQuery(_: CoreApp): Partial<AgentSightQuery> {
    return DEFAULT_QUERY;
  }

  /**
   * Interpolates dashboard variables in every string of the query. A filter given a multi-value
   * variable becomes an array of strings (the backend makes one API call per value and merges
   * the results); a single value stays a string. A `$var` conversation id becomes a number.
   */
  applyTemplateVariables(
    query: AgentSightQuery,
    scopedVars: ScopedVars,
    adhocFilters?: AdHocVariableFilter[]
  ): AgentSightQuery {
    const out: AgentSightQuery = { ...query };
    if (adhocFilters?.length) {
      // The backend applies them (equality only) and says on the panel what it left out.
      out.adhocFilters = adhocFilters.map(({ key, operator, value, values }) => ({
        key,
        operator,
        value: replace(value, scopedVars),
        ...(values ? { values: values.map((v) => replace(v, scopedVars)) } : {}),
      }));
    }
    if (query.filters) {
      const filters: AgentSightFilters = { ...query.filters };
      for (const key of STRING_FILTER_KEYS) {
        const value = query.filters[key];
        if (value === undefined) {
          continue;
        }
        const expanded = (Array.isArray(value) ? value : [value]).flatMap((v) => interpolateMulti(v, scopedVars));
        filters[key] = expanded.length === 1 ? expanded[0] : expanded;
      }
      out.filters = filters;
    }
    if (typeof query.bucket === 'string') {
      out.bucket = replace(query.bucket, scopedVars);
    }
    if (typeof query.groupBy === 'string') {
      out.groupBy = replace(query.groupBy, scopedVars).trim() as AgentSightQuery['groupBy'];
    }
    if (typeof query.field === 'string') {
      out.field = replace(query.field, scopedVars).trim() as AgentSightQuery['field'];
    }
    if (typeof query.conversationId === 'string') {
      // Kept as text when the variable does not hold an integer: the backend then reports it.
      const text = replace(query.conversationId, scopedVars).trim();
      out.conversationId = /^[0-9]+$/.test(text) ? Number(text) : text;
    }
    return out;
  }

  /**
   * Resolves the variables of queries that leave the dashboard (a panel's "Explore" link, a
   * query copied to another data source), so they carry values, not `$var`.
   */
  interpolateVariablesInQueries(queries: AgentSightQuery[], scopedVars: ScopedVars): AgentSightQuery[] {
    return queries.map((query) => ({ ...this.applyTemplateVariables(query, scopedVars), datasource: this.getRef() }));
  }

  /**
   * Decides whether a query is sent at all:
   * - hidden queries are not run;
   * - `messages` and `attachments` queries must name what to read (a conversation id or at least
   *   one filter), since otherwise they would read every conversation of the range one by one;
   * - `values` queries need a field.
   */
  filterQuery(query: AgentSightQuery): boolean {
    if (query.hide) {
      return false;
    }
    switch (query.queryType) {
      case 'messages':
      case 'attachments':
        return hasConversationId(query) || hasFilters(query.filters);
      case 'values':
        return !!query.field;
      default:
        return true;
    }
  }

  /**
   * Distinct values of a field seen in the range (backend resource `values`), for drop-downs.
   * Kept per field and range; a failed request is not kept, so the next opening retries.
   */
  getValues(field: ValueField, range?: TimeRange): Promise<ValueOption[]> {
    const params: Record<string, string | number> = { field };
    if (range) {
      params.from = range.from.valueOf();
      params.to = range.to.valueOf();
    }
    const key = `${field}|${params.from ?? ''}|${params.to ?? ''}`;
    const cached = this.valuesCache.get(key);
    if (cached) {
      return cached;
    }
    const request = this.getResource<ValueOption[]>('values', params).then((result) =>
      Array.isArray(result) ? result : []
    );
    request.catch(() => this.valuesCache.delete(key));
    this.valuesCache.set(key, request);
    if (this.valuesCache.size > VALUES_CACHE_SIZE) {
      // Maps iterate in insertion order: the first key is the oldest.
      this.valuesCache.delete(this.valuesCache.keys().next().value!);
    }
    return request;
  }
}

function replace(text: string, scopedVars: ScopedVars): string {
  return getTemplateSrv().replace(text, scopedVars);
}

/**
 * Interpolates one string; every multi-value variable in it multiplies the result, so
 * `$lang` with en and fr gives ['en', 'fr'] and plain text gives [text].
 */
function interpolateMulti(text: string, scopedVars: ScopedVars): string[] {
  const lists: string[][] = [];
  const marker = (i: number) => `\u0000${i}\u0000`;
  const replaced = getTemplateSrv().replace(text, scopedVars, (value: unknown) => {
    if (Array.isArray(value)) {
      if (value.length === 1) {
        return String(value[0]);
      }
      lists.push(value.map(String));
      return marker(lists.length - 1);
    }
    return value === undefined || value === null ? '' : String(value);
  });
  let results = [replaced];
  lists.forEach((values, i) => {
    results = results.flatMap((r) => (r.includes(marker(i)) ? values.map((v) => r.split(marker(i)).join(v)) : [r]));
  });
  return results;
}
