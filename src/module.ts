import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { QueryHelp } from './components/query/QueryHelp';
import { DataSource } from './datasource';
import { AgentSightOptions, AgentSightQuery, AgentSightSecureJsonData } from './types';

export const plugin = new DataSourcePlugin<DataSource, AgentSightQuery, AgentSightOptions, AgentSightSecureJsonData>(
  DataSource
)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor)
  .setQueryEditorHelp(QueryHelp);
