import { DataSourceSettings } from '@grafana/data';

import { AgentSightOptions, AgentSightSecureJsonData } from '../../types';

export type ConfigOptions = DataSourceSettings<AgentSightOptions, AgentSightSecureJsonData>;

/** What every section of the config page receives. */
export interface SectionProps {
  options: ConfigOptions;
  onOptionsChange: (options: ConfigOptions) => void;
}

/** The options with one jsonData key set, or removed when value is undefined (its default applies). */
export function withJsonData<K extends keyof AgentSightOptions>(
  options: ConfigOptions,
  key: K,
  value: AgentSightOptions[K] | undefined
): ConfigOptions {
  const jsonData: AgentSightOptions = { ...options.jsonData };
  if (value === undefined) {
    delete jsonData[key];
  } else {
    jsonData[key] = value;
  }
  return { ...options, jsonData };
}

/** Label width of every field of the page, the one @grafana/plugin-ui's TLS settings use, so that inputs line up. */
export const LABEL_WIDTH = 24;

/** Width of every section, the one @grafana/plugin-ui's sections use. */
export const SECTION_MAX_WIDTH = 578;
