/*
 * The provisioned dashboard (provisioning/dashboards/agentsight-overview.json) outside a Grafana
 * server: its variables resolved through the data source's variable support, every panel's
 * targets run through DataSource.query of src/datasource.ts against the test bridge (the built
 * plugin over gRPC), each panel drawn with Grafana's components for its type. Driven by
 * tests/dashboard/run.mjs, which checks what it draws against the fake API's data set.
 * `window.dash` exposes what each panel received and lets the runner change a variable or expand
 * a row, as a user would.
 */
import React, { useEffect, useLayoutEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { createRoot } from 'react-dom/client';
import {
  applyFieldOverrides,
  createTheme,
  DataFrame,
  DataSourceInstanceSettings,
  dateTime,
  DataTransformerConfig,
  FieldConfigSource,
  FieldType,
  formattedValueToString,
  getDisplayProcessor,
  getFieldDisplayName,
  InterpolateFunction,
  getFieldDisplayValues,
  ReducerID,
  ScopedVars,
  standardTransformers,
  standardTransformersRegistry,
  TimeRange,
  transformDataFrame,
} from '@grafana/data';
import { LegendDisplayMode } from '@grafana/schema';
import {
  BarGauge,
  BarGaugeDisplayMode,
  BigValue,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  GlobalStyles,
  PanelChrome,
  Table,
  ThemeContext,
  TimeSeries,
  UPlotConfigBuilder,
} from '@grafana/ui';
import { lastValueFrom } from 'rxjs';

import dashboard from '../../provisioning/dashboards/agentsight-overview.json';
import pluginJson from '../../plugin.json';
import { AgentSightOptions, AgentSightQuery } from '../../src/types';
import { DashboardTemplateSrv, install, panelRequest, runQuery, sent, variableOptions, Variable } from './grafana';

// Grafana registers the standard transformations at start-up.
// (standardTransformers lists some under two names: one registration per id.)
standardTransformersRegistry.setInit(
  () =>
    [...new Map(Object.values(standardTransformers).map((t) => [t.id, t])).values()].map((t) => ({
      id: t.id,
      name: t.name,
      transformation: t,
      editor: () => null,
    })) as never
);

const theme = createTheme({ colors: { mode: 'dark' } });
const params = new URLSearchParams(window.location.search);
const NOW = Number(params.get('now'));
const W = 1400; // the dashboard's width in pixels
const GAP = 8; // Grafana's grid margin
const CELL = 30; // Grafana's grid cell height
const colWidth = (W - 23 * GAP) / 24;
const widthOf = (w: number) => Math.round(w * colWidth + (w - 1) * GAP);
const heightOf = (h: number) => h * CELL + (h - 1) * GAP;

const parseRelative = (raw: string): number => {
  const m = /^now(?:-(\d+)([smhdw]))?$/.exec(raw);
  if (!m) {
    throw new Error(`time ${raw}`);
  }
  const unit = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[m[2] as 's'] ?? 0;
  return NOW - Number(m[1] ?? 0) * unit;
};
const range: TimeRange = {
  from: dateTime(parseRelative(dashboard.time.from)),
  to: dateTime(parseRelative(dashboard.time.to)),
  raw: { from: dashboard.time.from, to: dashboard.time.to },
};

// The provisioned data source, as Grafana lists it to the front end.
const settings = {
  id: 1,
  uid: 'agentsight',
  type: pluginJson.id,
  name: 'AgentSight',
  access: 'proxy',
  readOnly: false,
  jsonData: {},
  meta: { id: pluginJson.id, name: pluginJson.name, info: pluginJson.info },
} as unknown as DataSourceInstanceSettings<AgentSightOptions>;

interface PanelModel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: AgentSightQuery[];
  options?: any;
  fieldConfig?: FieldConfigSource;
  transformations?: DataTransformerConfig[];
  collapsed?: boolean;
  panels?: PanelModel[];
}

/** What a panel received and drew, for the checks. */
interface PanelResult {
  id: number;
  type: string;
  title: string;
  error?: string;
  frames: DataFrame[];
  /** Frames after field config and transformations: what the visualisation is given. */
  drawn: DataFrame[];
}

interface Annotation {
  time: number;
  title: string;
}

const templateSrv = new DashboardTemplateSrv([]);
const ds = install(settings, templateSrv);
const replaceVariables = ((v: string, scopedVars?: ScopedVars, format?: string | Function) =>
  templateSrv.replace(v, scopedVars, format)) as InterpolateFunction;

// Grafana's panels colour series from the classic palette unless the panel says otherwise.
const DEFAULT_COLOR = { mode: 'palette-classic' };

/**
 * What a panel hands its visualisation, in Grafana's order: the panel's transformations, then
 * its field config (the defaults, where the panel plugin's registry would put them, then
 * applyFieldOverrides for overrides and display processors).
 */
async function prepare(panel: PanelModel, frames: DataFrame[]): Promise<DataFrame[]> {
  const transformed = panel.transformations?.length
    ? await lastValueFrom(transformDataFrame(panel.transformations, frames))
    : frames;
  const defaults: any = { color: DEFAULT_COLOR, ...panel.fieldConfig?.defaults };
  const withDefaults = transformed.map((f) => ({
    ...f,
    fields: f.fields.map((field) => ({
      ...field,
      config: { ...defaults, ...field.config, custom: { ...defaults.custom, ...field.config.custom } },
    })),
  }));
  return applyFieldOverrides({
    data: withDefaults,
    fieldConfig: { defaults: {}, overrides: panel.fieldConfig?.overrides ?? [] },
    replaceVariables,
    theme,
    timeZone: 'utc',
  });
}

async function runPanel(panel: PanelModel): Promise<PanelResult> {
  const request = panelRequest(
    (panel.targets ?? []).map((t) => ({ ...t })),
    range,
    widthOf(panel.gridPos.w),
    panel
  );
  const response = await runQuery(ds, request);
  const frames = (response.data ?? []) as DataFrame[];
  const error = response.errors?.map((e) => e.message).join('; ') || response.error?.message;
  return { id: panel.id, type: panel.type, title: panel.title, error, frames, drawn: await prepare(panel, frames) };
}

async function runAnnotations(): Promise<Annotation[]> {
  const out: Annotation[] = [];
  for (const a of dashboard.annotations.list) {
    if (a.datasource.uid !== settings.uid || !a.enable || !('target' in a)) {
      continue;
    }
    const request = panelRequest([a.target as AgentSightQuery], range, W, {
      id: 0,
      title: a.name,
      type: 'annotations',
    });
    const response = await runQuery(ds, request);
    if (response.errors?.length) {
      throw new Error(`annotation ${a.name}: ${response.errors[0].message}`);
    }
    // Grafana's default field mapping of annotation frames: time, timeEnd, title, text, tags.
    for (const frame of response.data as DataFrame[]) {
      const time = frame.fields.find((f) => f.name === 'time');
      const title = frame.fields.find((f) => f.name === 'title');
      for (let i = 0; i < frame.length; i++) {
        out.push({ time: time?.values[i], title: title?.values[i] ?? '' });
      }
    }
  }
  return out;
}

/** The dashboard's annotation markers on a time series, placed as Grafana's annotations plugin places them. */
function AnnotationMarkers({ config, annotations }: { config: UPlotConfigBuilder; annotations: Annotation[] }) {
  const [plot, setPlot] = useState<uPlot>();
  useLayoutEffect(() => {
    config.addHook('ready', (u) => setPlot(u));
    config.addHook('draw', (u) => {
      const ctx = u.ctx;
      ctx.save();
      ctx.strokeStyle = theme.visualization.getColorByName('red');
      ctx.setLineDash([5, 5]);
      for (const a of annotations) {
        const x = Math.round(u.valToPos(a.time, 'x', true));
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
      }
      ctx.restore();
    });
  }, [config, annotations]);
  if (!plot) {
    return null;
  }
  return createPortal(
    <>
      {annotations.map((a, i) => (
        <div
          key={i}
          className="annotation-marker"
          title={a.title}
          data-time={a.time}
          style={{
            position: 'absolute',
            left: plot.valToPos(a.time, 'x') - 4,
            top: plot.over.clientHeight,
            width: 0,
            height: 0,
            borderLeft: '4px solid transparent',
            borderRight: '4px solid transparent',
            borderBottom: `6px solid ${theme.visualization.getColorByName('red')}`,
          }}
        />
      ))}
    </>,
    plot.over
  );
}

function Viz({
  panel,
  result,
  width,
  height,
  annotations,
}: {
  panel: PanelModel;
  result: PanelResult;
  width: number;
  height: number;
  annotations: Annotation[];
}) {
  const data = result.drawn;
  if (!data.length || data.every((f) => f.length === 0)) {
    return <div className="no-data">No data</div>;
  }
  const displayValues = () =>
    getFieldDisplayValues({
      data,
      fieldConfig: panel.fieldConfig ?? { defaults: {}, overrides: [] },
      reduceOptions: panel.options?.reduceOptions ?? { calcs: [ReducerID.lastNotNull] },
      replaceVariables,
      theme,
      timeZone: 'utc',
    });
  switch (panel.type) {
    case 'stat': {
      const [v] = displayValues();
      return (
        <BigValue
          theme={theme}
          width={width}
          height={height}
          value={v.display}
          colorMode={BigValueColorMode.Value}
          graphMode={BigValueGraphMode.None}
          justifyMode={BigValueJustifyMode.Auto}
          textMode={BigValueTextMode.Value}
        />
      );
    }
    case 'bargauge': {
      const values = displayValues();
      const each = Math.max(16, Math.floor(height / Math.max(values.length, 1)));
      return (
        <div style={{ overflow: 'hidden', height }}>
          {values.map((v, i) => (
            <BarGauge
              key={i}
              theme={theme}
              width={width}
              height={each}
              value={v.display}
              field={v.field}
              orientation={'horizontal' as never}
              displayMode={BarGaugeDisplayMode.Basic}
              showUnfilled
              namePlacement={'left' as never}
              text={{}}
            />
          ))}
        </div>
      );
    }
    case 'timeseries':
      return (
        <TimeSeries
          frames={data}
          width={width}
          height={height}
          timeRange={range}
          timeZone="utc"
          legend={{
            displayMode: LegendDisplayMode.List,
            placement: 'bottom',
            showLegend: panel.options?.legend?.showLegend ?? true,
            calcs: [],
          }}
        >
          {(config) => <AnnotationMarkers config={config} annotations={annotations} />}
        </TimeSeries>
      );
    case 'table':
      return <Table data={data[0]} width={width} height={height} />;
  }
  return <div>unsupported panel type {panel.type}</div>;
}

function Panel({ panel, result, annotations }: { panel: PanelModel; result?: PanelResult; annotations: Annotation[] }) {
  const width = widthOf(panel.gridPos.w);
  const height = heightOf(panel.gridPos.h);
  return (
    <div
      data-panel-id={panel.id}
      data-state={!result ? 'loading' : result.error ? 'error' : 'done'}
      style={{ gridColumn: `${panel.gridPos.x + 1} / span ${panel.gridPos.w}`, gridRow: `span ${panel.gridPos.h}` }}
    >
      <PanelChrome
        title={replaceVariables(panel.title)}
        width={width}
        height={height}
        loadingState={result ? undefined : ('Loading' as never)}
        statusMessage={result?.error}
      >
        {(w, h) =>
          result ? <Viz panel={panel} result={result} width={w} height={h} annotations={annotations} /> : null
        }
      </PanelChrome>
    </div>
  );
}

/** Rows and their panels, in the dashboard's order; a collapsed row keeps its panels inside. */
function sections(expanded: Set<number>): Array<{ row?: PanelModel; panels: PanelModel[] }> {
  const out: Array<{ row?: PanelModel; panels: PanelModel[] }> = [];
  for (const p of dashboard.panels as PanelModel[]) {
    if (p.type === 'row') {
      out.push({ row: p, panels: p.collapsed ? (expanded.has(p.id) ? (p.panels ?? []) : []) : [] });
    } else if (out.length) {
      out[out.length - 1].panels.push(p);
    } else {
      out.push({ panels: [p] });
    }
  }
  return out;
}

interface State {
  results: Record<number, PanelResult>;
  annotations: Annotation[];
  expanded: Set<number>;
  generation: number;
}

const w = window as any;
let lastResults: Record<number, PanelResult> = {};

function Dashboard() {
  const [state, setState] = useState<State>({ results: {}, annotations: [], expanded: new Set(), generation: 0 });

  useEffect(() => {
    // Runs every visible panel; resolves when all have drawn their answer.
    const refresh = async (expanded: Set<number>) => {
      const visible = sections(expanded).flatMap((s) => s.panels);
      const [annotations, ...results] = await Promise.all([runAnnotations(), ...visible.map(runPanel)]);
      const byId = Object.fromEntries(results.map((r) => [r.id, r]));
      setState((s) => ({ results: byId, annotations, expanded, generation: s.generation + 1 }));
      lastResults = byId;
      w.dash.panels = results.map(summary);
      w.dash.annotations = annotations;
    };
    const resolveVariables = async () => {
      const list: Variable[] = [];
      for (const v of dashboard.templating.list as any[]) {
        const variable: Variable = {
          name: v.name,
          type: v.type,
          multi: !!v.multi,
          includeAll: !!v.includeAll,
          options: [],
          current: v.current?.value ?? '',
        };
        list.push(variable);
        templateSrv.variables = list;
        if (v.type === 'query') {
          variable.options = await variableOptions(ds, v.query, range, v.sort);
        }
      }
      templateSrv.variables = list;
      w.dash.variables = list.map((v) => ({ name: v.name, options: v.options, current: v.current }));
    };
    let expanded = new Set<number>();
    w.dash = {
      sent,
      setVariable: async (name: string, value: string | string[]) => {
        const v = templateSrv.variables.find((x) => x.name === name);
        if (!v) {
          throw new Error(`no variable ${name}`);
        }
        v.current = value;
        await refresh(expanded);
      },
      expandRow: async (id: number) => {
        expanded = new Set([...expanded, id]);
        await refresh(expanded);
      },
      values: (field: string) => ds.getValues(field as never, range),
      // How a panel's first number field shows n (its unit and decimals): what a stat should draw.
      format: (panelId: number, n: number) => {
        const field = lastResults[panelId]?.drawn[0]?.fields.find((f) => f.type === FieldType.number);
        return field ? formattedValueToString(getDisplayProcessor({ field, theme })(n)) : undefined;
      },
      range: { from: range.from.valueOf(), to: range.to.valueOf() },
    };
    w.dash.ready = resolveVariables().then(() => refresh(expanded));
  }, []);

  return (
    <div id="dashboard" data-generation={state.generation} style={{ width: W, padding: 16, boxSizing: 'content-box' }}>
      <div style={{ fontSize: 20, color: theme.colors.text.primary, marginBottom: 8 }}>{dashboard.title}</div>
      {sections(state.expanded).map((s, i) => (
        <div key={i} data-row-id={s.row?.id}>
          {s.row && (
            <div style={{ color: theme.colors.text.primary, fontSize: 16, margin: `${GAP}px 0` }}>
              {s.row.collapsed && !state.expanded.has(s.row.id) ? '▸ ' : '▾ '}
              {replaceVariables(s.row.title)}
            </div>
          )}
          <div style={{ display: 'grid', gridTemplateColumns: 'repeat(24, 1fr)', gridAutoRows: CELL, gap: GAP }}>
            {s.panels.map((p) => (
              <Panel
                key={`${p.id}-${state.generation}`}
                panel={p}
                result={state.results[p.id]}
                annotations={state.annotations}
              />
            ))}
          </div>
        </div>
      ))}
    </div>
  );
}

/** A panel's answer in plain JSON: per frame, its fields' names, labels, display names and values. */
function summary(r: PanelResult) {
  const frames = (list: DataFrame[]) =>
    list.map((f) => ({
      name: f.name,
      fields: f.fields.map((field) => ({
        name: field.name,
        type: field.type,
        labels: field.labels,
        displayName: getFieldDisplayName(field, f, list),
        values:
          field.type === FieldType.time || field.type === FieldType.number || field.type === FieldType.string
            ? Array.from(field.values)
            : [],
      })),
    }));
  return { id: r.id, type: r.type, title: r.title, error: r.error, frames: frames(r.frames), drawn: frames(r.drawn) };
}

createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={theme}>
    <GlobalStyles />
    <Dashboard />
  </ThemeContext.Provider>
);
