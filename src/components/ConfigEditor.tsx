import React from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Auth, convertLegacyAuthProps, DataSourceDescription } from '@grafana/plugin-ui';
import { config } from '@grafana/runtime';
import { Divider } from '@grafana/ui';

import { AgentSightOptions, AgentSightSecureJsonData } from '../types';
import { AdvancedSettings } from './config/AdvancedSettings';
import { ApiKeyAuth } from './config/ApiKeyAuth';
import { ConnectionSection } from './config/ConnectionSection';

type Props = DataSourcePluginOptionsEditorProps<AgentSightOptions, AgentSightSecureJsonData>;

const API_KEY_METHOD = 'custom-api-key';

/** Where the page's "view the documentation" goes: the plugin's page in Grafana, which shows its README. */
export const docsLink = () => `${config.appSubUrl ?? ''}/plugins/agentsight-conversations-datasource`;

/**
 * The data source settings page, built like every first-party data source's from
 * @grafana/plugin-ui: the standard header, a Connection section (URL), an Authentication section
 * (the API key as the one method, and Grafana's own TLS settings), and collapsible Advanced
 * settings (every number and duration of src/generated/settings.json, the secure SOCKS proxy).
 */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { TLS } = convertLegacyAuthProps({ config: options, onChange: onOptionsChange });
  // plugin-ui passes the saved booleans as they are: an unset one would make its checkbox
  // switch from uncontrolled to controlled on first use.
  const tls = TLS && {
    ...TLS,
    TLSClientAuth: {
      ...TLS.TLSClientAuth,
      enabled: Boolean(TLS.TLSClientAuth.enabled),
      serverName: TLS.TLSClientAuth.serverName ?? '',
    },
    skipTLSVerification: { ...TLS.skipTLSVerification, enabled: Boolean(TLS.skipTLSVerification.enabled) },
  };
  return (
    <>
      <DataSourceDescription dataSourceName="AgentSight" docsLink={docsLink()} hasRequiredFields />
      <Divider />
      <ConnectionSection options={options} onOptionsChange={onOptionsChange} />
      <Divider />
      <Auth
        selectedMethod={API_KEY_METHOD}
        visibleMethods={[API_KEY_METHOD]}
        customMethods={[
          {
            id: API_KEY_METHOD,
            label: 'API key',
            description: 'Every request carries the key in a header, by default "Authorization: Api-Key <key>".',
            component: <ApiKeyAuth options={options} onOptionsChange={onOptionsChange} />,
          },
        ]}
        onAuthMethodSelect={() => {}}
        TLS={tls}
        readOnly={options.readOnly}
      />
      <Divider />
      <AdvancedSettings options={options} onOptionsChange={onOptionsChange} />
    </>
  );
}
