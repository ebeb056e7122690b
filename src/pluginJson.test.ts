import fs from 'fs';
import path from 'path';
import { CoreApp, DataQueryRequest, dateTime } from '@grafana/data';
import { BackendSrv, setBackendSrv } from '@grafana/runtime';
import { lastValueFrom, of } from 'rxjs';

import { DataSource } from './datasource';
import { instanceSettings } from './testFixtures';
import { AgentSightQuery } from './types';

/*
 * Grafana offers a data source only where its plugin.json says it may (DataSourceSrv.getList
 * filters on meta.metrics, meta.annotations, meta.logs, meta.alerting): a capability the front
 * end registers without its flag is code no user can reach. The annotation settings, for one,
 * list only data sources with "annotations": true.
 */

const pluginJson: Record<string, unknown> = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../plugin.json'), 'utf8')
);

type Capability = 'queries' | 'annotations' | 'variables' | 'logs';

/** The flag Grafana reads before it offers each capability. */
const FLAG: Record<Capability, string> = {
  // Panels, Explore and alert rules list data sources with "metrics".
  queries: 'metrics',
  annotations: 'annotations',
  // There is no variables flag: the variable editor lists data sources with metrics (or
  // annotations, logs, tracing, alerting) and then uses their variable support.
  variables: 'metrics',
  // Log frames are shown in Explore's logs view; data source pickers for logs want "logs".
  logs: 'logs',
};

/** The capabilities whose flag plugin.json lacks. */
function missingFlags(registered: Capability[], plugin: Record<string, unknown>): Capability[] {
  return registered.filter((c) => plugin[FLAG[c]] !== true);
}

/** What the data source registers, read from a real instance rather than listed by hand. */
async function registered(): Promise<Capability[]> {
  const ds = new DataSource(instanceSettings);
  const out: Capability[] = ['queries'];
  if (ds.annotations) {
    out.push('annotations');
  }
  if (ds.variables) {
    out.push('variables');
  }
  const fetch = jest.fn().mockReturnValue(of({ data: { results: {} } }));
  setBackendSrv({ fetch } as unknown as BackendSrv);
  const request = {
    app: CoreApp.Explore,
    targets: [{ refId: 'A', queryType: 'messages', conversationId: 1 }],
    range: { from: dateTime(0), to: dateTime(60000), raw: { from: 'now-1h', to: 'now' } },
    scopedVars: {},
  } as unknown as DataQueryRequest<AgentSightQuery>;
  await lastValueFrom(ds.query(request));
  if (fetch.mock.calls[0][0].data.queries.some((q: AgentSightQuery) => q.format === 'logs')) {
    out.push('logs');
  }
  return out;
}

describe('plugin.json declares what the front end registers', () => {
  it('has the flag of every capability', async () => {
    const caps = await registered();
    expect(caps).toEqual(['queries', 'annotations', 'variables', 'logs']);
    expect(missingFlags(caps, pluginJson)).toEqual([]);
  });

  it.each<[string, Capability[]]>([
    ['annotations', ['annotations']],
    ['logs', ['logs']],
    ['metrics', ['queries', 'variables']],
  ])('a plugin.json without %s is refused', async (flag, missing) => {
    const { [flag]: _dropped, ...rest } = pluginJson;
    expect(missingFlags(await registered(), rest)).toEqual(missing);
  });
});
