/*
 * The parts of Grafana's front end a dashboard needs around a data source, for the dashboard
 * check (tests/dashboard/run.mjs): its template service (variable values and their
 * interpolation), its data source service, its backend service (HTTP to the test bridge, which
 * answers as Grafana's server), the query request a panel builds, and the conversion of a
 * variable query's frames into options. Each follows Grafana's own behaviour for what this
 * dashboard uses; the data source under test (src/datasource.ts) runs unchanged.
 */
import { lastValueFrom, Observable, from as fromPromise } from 'rxjs';
import {
  CoreApp,
  DataFrame,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceInstanceSettings,
  Field,
  FieldType,
  getFieldDisplayName,
  MetricFindValue,
  rangeUtil,
  ScopedVars,
  TimeRange,
} from '@grafana/data';
import {
  BackendSrv,
  BackendSrvRequest,
  FetchResponse,
  setBackendSrv,
  setDataSourceSrv,
  setTemplateSrv,
  TemplateSrv,
} from '@grafana/runtime';

import { DataSource } from '../../src/datasource';
import { AgentSightOptions, AgentSightQuery } from '../../src/types';

export interface Variable {
  name: string;
  type: 'query' | 'textbox';
  multi: boolean;
  includeAll: boolean;
  options: MetricFindValue[];
  /** The selection: '$__all', a list of values (multi) or one value. */
  current: string | string[];
}

const ALL = '$__all';

/** The values a variable stands for: every option for "All", else the selection. */
export function variableValue(v: Variable): string | string[] {
  const selected = Array.isArray(v.current) ? v.current : [v.current];
  if (v.includeAll && selected.includes(ALL)) {
    return v.options.map((o) => String(o.value));
  }
  return v.multi ? selected : (selected[0] ?? '');
}

// Grafana's variable syntax: $var, [[var:fmt]], ${var}, ${var:fmt}.
const VARIABLE_RE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

/** Grafana's default format of a value with no format given: a list becomes {a,b} (glob). */
function defaultFormat(value: unknown): string {
  if (Array.isArray(value)) {
    return value.length === 1 ? String(value[0]) : `{${value.join(',')}}`;
  }
  return value === undefined || value === null ? '' : String(value);
}

/** Grafana's template service over a fixed list of variables, enough for this dashboard. */
export class DashboardTemplateSrv {
  constructor(public variables: Variable[]) {}

  getVariables() {
    return this.variables.map((v) => ({ name: v.name, type: v.type }));
  }

  containsTemplate(text?: string): boolean {
    if (!text) {
      return false;
    }
    VARIABLE_RE.lastIndex = 0;
    return VARIABLE_RE.test(text);
  }

  updateTimeRange() {}

  replace(text?: string, scopedVars?: ScopedVars, format?: string | Function): string {
    if (!text) {
      return text ?? '';
    }
    return text.replace(VARIABLE_RE, (match, v1, v2, fmt2, v3, fieldPath, fmt3) => {
      const name: string = v1 || v2 || v3;
      const fmt = fmt2 || fmt3 || format;
      let value: unknown;
      const dataContext = scopedVars?.__dataContext?.value as
        { field?: Field; frame?: DataFrame; data?: DataFrame[] } | undefined;
      if (name === '__field' && dataContext?.field) {
        // Grafana's __field macro: a field's name, display name or labels, from the data context.
        const { field, frame, data } = dataContext;
        value =
          fieldPath === 'displayName' && frame
            ? getFieldDisplayName(field, frame, data)
            : { name: field.name, labels: field.labels ?? {} };
        for (const key of fieldPath && fieldPath !== 'displayName' ? String(fieldPath).split('.') : []) {
          value = (value as Record<string, unknown> | undefined)?.[key];
        }
      } else if (scopedVars && name in scopedVars) {
        value = scopedVars[name]?.value;
        // ${__field.labels.country}: a path into a scoped object, as field display names use.
        for (const key of fieldPath ? String(fieldPath).split('.') : []) {
          value = (value as Record<string, unknown> | undefined)?.[key];
        }
      } else {
        const variable = this.variables.find((v) => v.name === name);
        if (!variable) {
          return match;
        }
        value = variableValue(variable);
      }
      if (typeof fmt === 'function') {
        return fmt(value, { name }, defaultFormat);
      }
      if (fmt === 'queryparam') {
        return (Array.isArray(value) ? value : [value])
          .map((x) => `var-${name}=${encodeURIComponent(String(x))}`)
          .join('&');
      }
      return defaultFormat(value);
    });
  }
}

/** Every request the page sends to the bridge, for the checks. */
export const sent: Array<{ url: string; body?: unknown; headers?: Record<string, string> }> = [];

/** Grafana's backend service: same-origin HTTP (the bridge); a non-2xx answer is thrown with its body. */
function backendSrv(): BackendSrv {
  const fetchOnce = async <T>(options: BackendSrvRequest): Promise<FetchResponse<T>> => {
    const params = options.params
      ? `${options.url.includes('?') ? '&' : '?'}${new URLSearchParams(options.params)}`
      : '';
    const url = options.url + params;
    sent.push({ url, body: options.data, headers: options.headers });
    const res = await fetch(url, {
      method: options.method ?? 'GET',
      headers: { 'Content-Type': 'application/json', 'X-Grafana-Org-Id': '1', ...options.headers },
      body: options.data === undefined ? undefined : JSON.stringify(options.data),
    });
    const text = await res.text();
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {}
    const response = {
      data: data as T,
      status: res.status,
      statusText: res.statusText,
      ok: res.ok,
      headers: res.headers,
      redirected: false,
      type: res.type,
      url,
      config: options,
    } as FetchResponse<T>;
    if (!res.ok) {
      throw response;
    }
    return response;
  };
  return {
    fetch: <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> => fromPromise(fetchOnce<T>(options)),
    get: async (url: string, params?: BackendSrvRequest['params']) => (await fetchOnce({ url, params })).data,
  } as unknown as BackendSrv;
}

/** Installs the services and returns the data source, configured as the provisioned one. */
export function install(
  settings: DataSourceInstanceSettings<AgentSightOptions>,
  templateSrv: DashboardTemplateSrv
): DataSource {
  setTemplateSrv(templateSrv as unknown as TemplateSrv);
  setBackendSrv(backendSrv());
  const ds = new DataSource(settings);
  setDataSourceSrv({
    getInstanceSettings: () => settings,
    get: async () => ds,
    getList: () => [settings],
    reload: () => {},
    registerRuntimeDataSource: () => {},
  } as never);
  return ds;
}

let requestCounter = 0;

/**
 * The request a dashboard panel sends (Grafana's query runner): the interval from the range and
 * the panel's width in pixels (its maxDataPoints), the built-in interval variables, the
 * dashboard and panel it comes from.
 */
export function panelRequest(
  targets: AgentSightQuery[],
  range: TimeRange,
  widthPx: number,
  panel: { id: number; title: string; type: string }
): DataQueryRequest<AgentSightQuery> {
  const norm = rangeUtil.calculateInterval(range, widthPx);
  return {
    app: CoreApp.Dashboard,
    requestId: `Q${++requestCounter}`,
    timezone: 'utc',
    range,
    interval: norm.interval,
    intervalMs: norm.intervalMs,
    maxDataPoints: widthPx,
    targets,
    scopedVars: {
      __interval: { text: norm.interval, value: norm.interval },
      __interval_ms: { text: String(norm.intervalMs), value: norm.intervalMs },
    },
    startTime: Date.now(),
    dashboardUID: 'agentsight-overview',
    dashboardTitle: 'AgentSight overview',
    panelId: panel.id,
    panelName: panel.title,
    panelPluginId: panel.type,
  };
}

/** Runs the request as Grafana's query runner does: default query for empty targets, filterQuery, then query. */
export async function runQuery(ds: DataSource, request: DataQueryRequest<AgentSightQuery>): Promise<DataQueryResponse> {
  const targets = request.targets
    .map((t) => (t.queryType ? t : { ...ds.getDefaultQuery(CoreApp.PanelEditor), ...t }))
    .filter((t) => !ds.filterQuery || ds.filterQuery(t));
  if (targets.length === 0) {
    return { data: [] };
  }
  return lastValueFrom(ds.query({ ...request, targets }));
}

/**
 * Grafana's conversion of a query variable's frames into options (toMetricFindValues): a
 * string field named text and one named value, else the first string field for both.
 */
export function toMetricFindValues(frames: DataFrame[]): MetricFindValue[] {
  let textIndex = -1;
  let valueIndex = -1;
  let stringIndex = -1;
  for (const frame of frames) {
    frame.fields.forEach((field, index) => {
      const name = getFieldDisplayName(field, frame, frames).toLowerCase();
      if (field.type === FieldType.string && stringIndex === -1) {
        stringIndex = index;
      }
      if (name === 'text' && field.type === FieldType.string && textIndex === -1) {
        textIndex = index;
      }
      if (name === 'value' && field.type === FieldType.string && valueIndex === -1) {
        valueIndex = index;
      }
    });
  }
  if (stringIndex === -1) {
    throw new Error("Couldn't find any field of type string in the results.");
  }
  if (textIndex === -1) {
    textIndex = valueIndex !== -1 ? valueIndex : stringIndex;
  }
  if (valueIndex === -1) {
    valueIndex = textIndex;
  }
  const out: MetricFindValue[] = [];
  for (const frame of frames) {
    for (let i = 0; i < frame.length; i++) {
      out.push({ text: frame.fields[textIndex].values[i], value: frame.fields[valueIndex].values[i] });
    }
  }
  return out;
}

/** Runs a query variable through the data source's variable support, as Grafana refreshes it. */
export async function variableOptions(
  ds: DataSource,
  query: AgentSightQuery,
  range: TimeRange,
  sort: number
): Promise<MetricFindValue[]> {
  const support = ds.variables as unknown as {
    query: (r: DataQueryRequest<AgentSightQuery>) => Observable<DataQueryResponse>;
  };
  const request = {
    ...panelRequest([{ ...query, refId: query.refId || 'A' }], range, 1000, { id: 0, title: '', type: 'variable' }),
  };
  const response = await lastValueFrom(support.query(request));
  if (response.errors?.length || response.error) {
    throw new Error(response.errors?.[0]?.message ?? response.error?.message);
  }
  const options = toMetricFindValues(response.data as DataFrame[]);
  // Grafana's sort 1: alphabetical, ascending.
  return sort === 1 ? options.sort((a, b) => String(a.text).localeCompare(String(b.text))) : options;
}
