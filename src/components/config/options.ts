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

/**
 * Label width of every field of the page: @grafana/plugin-ui's TLS settings indent their fields
 * by 3 units and give them labels of 24, so with 27 every input of the page starts on one line.
 */
export const LABEL_WIDTH = 27;

/** Width of every section, the one @grafana/plugin-ui's sections use. */
export const SECTION_MAX_WIDTH = 578;
