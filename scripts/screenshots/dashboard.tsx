/*
 * The catalog's dashboard screenshot: the top of the provisioned "AgentSight overview" dashboard,
 * drawn with Grafana's own panel components (@grafana/ui PanelChrome, BigValue, TimeSeries, Table)
 * in its dark theme, from data the fake API served. Bundled and shot by scripts/screenshots/dashboard.mjs.
 */
import React from 'react';
import { createRoot } from 'react-dom/client';
import {
  applyFieldOverrides,
  createDataFrame,
  createTheme,
  DataFrame,
  dateTime,
  FieldColorModeId,
  FieldType,
  getDisplayProcessor,
} from '@grafana/data';
import { LegendDisplayMode } from '@grafana/schema';
import {
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
} from '@grafana/ui';

interface DashboardData {
  from: number;
  to: number;
  totals: Array<{ title: string; value: number }>;
  days: number[];
  byLanguage: Record<string, number[]>;
  byDevice: Record<string, number[]>;
  recent: Array<{
    started: number;
    id: number;
    conversation: string;
    customer: string;
    language: string;
    device: string;
    messages: number;
  }>;
}

const theme = createTheme({ colors: { mode: 'dark' } });
const W = 1400;
const GAP = 8;

function prepare(frames: DataFrame[]): DataFrame[] {
  return applyFieldOverrides({
    data: frames,
    fieldConfig: { defaults: { color: { mode: FieldColorModeId.PaletteClassic } }, overrides: [] },
    replaceVariables: (v: string) => v,
    theme,
    timeZone: 'utc',
  });
}

function seriesFrames(days: number[], series: Record<string, number[]>): DataFrame[] {
  return prepare(
    Object.entries(series).map(([name, values], i) =>
      createDataFrame({
        name,
        fields: [
          { name: 'time', type: FieldType.time, values: days },
          {
            name: 'count',
            type: FieldType.number,
            values,
            config: {
              displayNameFromDS: name,
              // Grafana's classic palette in series order, as a panel's default colour scheme gives it.
              color: { mode: FieldColorModeId.Fixed, fixedColor: theme.visualization.palette[i] },
              custom: { lineWidth: 2, fillOpacity: 10 },
            },
          },
        ],
      })
    )
  );
}

function Stat({ title, value, width }: { title: string; value: number; width: number }) {
  const display = getDisplayProcessor({ field: { type: FieldType.number, config: {} }, theme })(value);
  return (
    <PanelChrome title={title} width={width} height={120}>
      {(w, h) => (
        <BigValue
          theme={theme}
          width={w}
          height={h}
          value={{ ...display, color: theme.visualization.getColorByName('green') }}
          colorMode={BigValueColorMode.Value}
          graphMode={BigValueGraphMode.None}
          justifyMode={BigValueJustifyMode.Auto}
          textMode={BigValueTextMode.Value}
        />
      )}
    </PanelChrome>
  );
}

function Series({
  title,
  frames,
  width,
  data,
}: {
  title: string;
  frames: DataFrame[];
  width: number;
  data: DashboardData;
}) {
  const timeRange = { from: dateTime(data.from), to: dateTime(data.to), raw: { from: 'now-7d', to: 'now' } };
  return (
    <PanelChrome title={title} width={width} height={300}>
      {(w, h) => (
        <TimeSeries
          frames={frames}
          width={w}
          height={h}
          timeRange={timeRange}
          timeZone="utc"
          legend={{ displayMode: LegendDisplayMode.List, placement: 'bottom', showLegend: true, calcs: [] }}
        />
      )}
    </PanelChrome>
  );
}

function Dashboard({ data }: { data: DashboardData }) {
  const statWidth = (W - 3 * GAP) / 4;
  const half = (W - GAP) / 2;
  const table = prepare([
    createDataFrame({
      fields: [
        { name: 'Started', type: FieldType.time, values: data.recent.map((r) => r.started) },
        { name: 'ID', type: FieldType.number, values: data.recent.map((r) => r.id) },
        { name: 'Conversation', type: FieldType.string, values: data.recent.map((r) => r.conversation) },
        { name: 'Customer', type: FieldType.string, values: data.recent.map((r) => r.customer) },
        { name: 'Language', type: FieldType.string, values: data.recent.map((r) => r.language) },
        { name: 'Device', type: FieldType.string, values: data.recent.map((r) => r.device) },
        { name: 'Messages', type: FieldType.number, values: data.recent.map((r) => r.messages) },
      ],
    }),
  ])[0];
  return (
    <div
      id="dashboard"
      style={{
        width: W + 32,
        boxSizing: 'border-box',
        padding: 16,
        display: 'flex',
        flexDirection: 'column',
        gap: GAP,
      }}
    >
      <div style={{ fontSize: 20, color: theme.colors.text.primary, marginBottom: 8 }}>AgentSight overview</div>
      <div style={{ display: 'flex', gap: GAP }}>
        {data.totals.map((t) => (
          <Stat key={t.title} title={t.title} value={t.value} width={statWidth} />
        ))}
      </div>
      <div style={{ display: 'flex', gap: GAP }}>
        <Series
          title="Conversations by language"
          frames={seriesFrames(data.days, data.byLanguage)}
          width={half}
          data={data}
        />
        <Series
          title="Conversations by device"
          frames={seriesFrames(data.days, data.byDevice)}
          width={half}
          data={data}
        />
      </div>
      <PanelChrome title="Recent conversations" width={W} height={300}>
        {(w, h) => <Table data={table} width={w} height={h} />}
      </PanelChrome>
    </div>
  );
}

async function main() {
  const data: DashboardData = await (await fetch('/data.json')).json();
  createRoot(document.getElementById('root')!).render(
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <Dashboard data={data} />
    </ThemeContext.Provider>
  );
}
main();
