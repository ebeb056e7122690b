/*
 * Test-only page: the plugin's editors inside Grafana's dark theme, with the backend resource stubbed.
 * Bundled by tests/browser/webpack.config.cjs and driven by tests/browser/run.mjs (npm run test:browser).
 */
import React, { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createDataFrame, createTheme, dateTime, LoadingState, PanelData } from '@grafana/data';
import { setTemplateSrv, TemplateSrv } from '@grafana/runtime';
import { GlobalStyles, ThemeContext } from '@grafana/ui';

import { ConfigEditor } from '../../src/components/ConfigEditor';
import { QueryEditor } from '../../src/components/QueryEditor';
import { VariableQueryEditor } from '../../src/components/VariableQueryEditor';
import { DataSource } from '../../src/datasource';
import { EditorOptions, editorOptions, instanceSettings } from '../../src/testFixtures';
import { AgentSightQuery } from '../../src/types';

type Options = EditorOptions;

interface HarnessWindow {
  emittedOptions: Options[];
  emittedQueries: AgentSightQuery[];
  runs: number;
  resourceCalls: Array<{ path: string; params: unknown }>;
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

const theme = createTheme({ colors: { mode: 'dark' } });

const datasource = new DataSource(instanceSettings);

const FIXED_VALUES: Record<string, string[]> = {
  language: ['en', 'fr', 'de'],
  device: ['desktop', 'mobile', 'tablet'],
  customer_id: ['cust_001', 'cust_123'],
  action_name: ['book_meeting', 'refund'],
};
datasource.getResource = (async (path: string, params?: { field?: string }) => {
  w.resourceCalls.push({ path, params });
  return (FIXED_VALUES[params?.field ?? ''] ?? []).map((v) => ({ text: v, value: v }));
}) as DataSource['getResource'];

const range = { from: dateTime(Date.UTC(2025, 9, 22, 9)), to: dateTime(Date.UTC(2025, 9, 22, 10)) };
const timeRange = { ...range, raw: { from: 'now-1h', to: 'now' } };

const initialOptions: Options = editorOptions({ database: '' });

function ConfigPage() {
  const [options, setOptions] = useState(initialOptions);
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

function QueryPage() {
  const [query, setQuery] = useState<AgentSightQuery>({
    refId: 'A',
    ...datasource.getDefaultQuery('explore' as never),
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
  const [query, setQuery] = useState<AgentSightQuery>({ refId: 'A', queryType: 'values', field: 'language' });
  return (
    <VariableQueryEditor
      query={query}
      datasource={datasource}
      onRunQuery={() => {}}
      onChange={(q) => {
        w.emittedQueries.push(q);
        setQuery(q);
      }}
    />
  );
}

function App() {
  const view = new URLSearchParams(window.location.search).get('view') ?? 'config';
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <div id="editor" style={{ padding: theme.spacing(2), width: 1100, background: theme.colors.background.primary }}>
        {view === 'config' && <ConfigPage />}
        {view === 'query' && <QueryPage />}
        {view === 'variable' && <VariablePage />}
      </div>
    </ThemeContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
