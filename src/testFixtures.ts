// Data source settings as Grafana hands them to the editors and the data source, shared by
// the jest tests and the browser check (tests/browser) so both exercise the same shape.
import { DataSourceInstanceSettings, DataSourceSettings } from '@grafana/data';

import { AgentSightOptions, AgentSightSecureJsonData } from './types';

export type EditorOptions = DataSourceSettings<AgentSightOptions, AgentSightSecureJsonData>;

/** What the configuration page receives; `database` (deprecated, other data sources only) is left out. */
export const editorOptions = (patch: Partial<EditorOptions> = {}): EditorOptions =>
  ({
    id: 1,
    uid: 'agentsight',
    orgId: 1,
    name: 'AgentSight',
    type: 'agentsight-conversations-datasource',
    typeName: 'AgentSight',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    jsonData: {},
    secureJsonFields: {},
    readOnly: false,
    withCredentials: false,
    ...patch,
  }) as EditorOptions;

/** What the data source's constructor receives. */
export const instanceSettings = {
  id: 1,
  uid: 'agentsight',
  type: 'agentsight-conversations-datasource',
  name: 'AgentSight',
  access: 'proxy',
  readOnly: false,
  jsonData: {},
  meta: { id: 'agentsight-conversations-datasource' },
} as unknown as DataSourceInstanceSettings<AgentSightOptions>;
