/*
 * Test-only page: the plugin's editors inside Grafana's theme, with the backend resource stubbed.
 * Bundled by tests/browser/webpack.config.cjs and driven by tests/browser/run.mjs (npm run test:browser).
 * `window.show({ view, theme, width })` switches view, theme and editor width without reloading
 * the (large) bundle; every switch mounts fresh editors.
 */
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createDataFrame, createTheme, dateTime, LoadingState, PanelData } from '@grafana/data';
import { setTemplateSrv, TemplateSrv } from '@grafana/runtime';
import { GlobalStyles, ThemeContext } from '@grafana/ui';

import { ConfigEditor } from '../../src/components/ConfigEditor';
import { QueryEditor } from '../../src/components/QueryEditor';
import { QueryHelp } from '../../src/components/query/QueryHelp';
import { VariableQueryEditor } from '../../src/components/VariableQueryEditor';
import { DataSource } from '../../src/datasource';
import { EditorOptions, editorOptions, instanceSettings } from '../../src/testFixtures';
import { AgentSightQuery, AgentSightVariableQuery } from '../../src/types';

type Options = EditorOptions;
type View = 'config' | 'query' | 'variable' | 'help';
interface Shown {
  view: View;
  theme: 'dark' | 'light';
  width: number;
  query?: Partial<AgentSightQuery>;
}

interface HarnessWindow {
  emittedOptions: Options[];
  emittedQueries: AgentSightQuery[];
  runs: number;
  resourceCalls: Array<{ path: string; params: unknown }>;
  show: (s: Shown) => void;
}
const w = window as unknown as Window & HarnessWindow;
w.emittedOptions = [];
w.emittedQueries = [];
w.runs = 0;
w.resourceCalls = [];

// Grafana provides the template service; a dashboard with one variable, $lang.
setTemplateSrv({
  getVariables: () => [{ name: 'lang' }],
  replace: (text?: string) => text ?? '',
  containsTemplate: () => false,
  updateTimeRange: () => {},
} as unknown as TemplateSrv);

const datasource = new DataSource(instanceSettings);

const FIXED_VALUES: Record<string, string[]> = {
  language: ['en', 'fr', 'de'],
  device: ['desktop', 'mobile', 'tablet'],
  customer_id: ['cust_001', 'cust_123'],
};
datasource.getResource = (async (path: string, params?: { field?: string }) => {
  w.resourceCalls.push({ path, params });
  return (FIXED_VALUES[params?.field ?? ''] ?? []).map((v) => ({ text: v, value: v }));
}) as DataSource['getResource'];

const range = { from: dateTime(Date.UTC(2025, 9, 22, 9)), to: dateTime(Date.UTC(2025, 9, 22, 10)) };
const timeRange = { ...range, raw: { from: 'now-1h', to: 'now' } };

function ConfigPage() {
  const [options, setOptions] = useState<Options>(editorOptions({ database: '' }));
  return (
    <ConfigEditor
      options={options}
      onOptionsChange={(o) => {
        w.emittedOptions.push(o);
        setOptions(o);
      }}
    />
  );
}

function QueryPage({ initial }: { initial?: Partial<AgentSightQuery> }) {
  const [query, setQuery] = useState<AgentSightQuery>({
    refId: 'A',
    ...datasource.getDefaultQuery('explore' as never),
    ...initial,
  });
  const data: PanelData = {
    state: LoadingState.Done,
    timeRange,
    series: [
      createDataFrame({
        refId: 'A',
        fields: [],
        meta: {
          executedQueryString:
            'GET https://api.agentsight.io/api/conversations/?language=en&page=1&page_size=100&started_at_after=2025-10-22T09:00:00Z&started_at_before=2025-10-22T10:00:00Z',
        },
      }),
    ],
  };
  return (
    <QueryEditor
      query={query}
      datasource={datasource}
      range={timeRange}
      data={data}
      onChange={(q) => {
        w.emittedQueries.push(q);
        setQuery(q);
      }}
      onRunQuery={() => {
        w.runs++;
      }}
    />
  );
}

function VariablePage() {
  const [query, setQuery] = useState<AgentSightVariableQuery>({ refId: 'A', queryType: 'values', field: 'language' });
  return (
    <VariableQueryEditor
      query={query}
      datasource={datasource}
      range={timeRange}
      onRunQuery={() => {}}
      onChange={(q) => {
        w.emittedQueries.push(q);
        setQuery(q);
      }}
    />
  );
}

function HelpPage() {
  return (
    <QueryHelp
      datasource={datasource}
      query={{ refId: 'A' }}
      onClickExample={(q) => {
        w.emittedQueries.push(q);
      }}
    />
  );
}

function App() {
  const params = new URLSearchParams(window.location.search);
  const [shown, setShown] = useState<Shown & { mount: number }>({
    view: (params.get('view') as View) ?? 'config',
    theme: params.get('theme') === 'light' ? 'light' : 'dark',
    width: Number(params.get('width') ?? 1200),
    mount: 0,
  });
  useEffect(() => {
    w.show = (s) => setShown((prev) => ({ ...s, mount: prev.mount + 1 }));
  }, []);
  const theme = createTheme({ colors: { mode: shown.theme } });
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <div
        id="editor"
        key={shown.mount}
        data-view={shown.view}
        data-theme={shown.theme}
        style={{
          padding: theme.spacing(2),
          width: shown.width,
          boxSizing: 'border-box',
          background: theme.colors.background.primary,
        }}
      >
        {shown.view === 'config' && <ConfigPage />}
        {shown.view === 'query' && <QueryPage initial={shown.query} />}
        {shown.view === 'variable' && <VariablePage />}
        {shown.view === 'help' && <HelpPage />}
      </div>
    </ThemeContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
