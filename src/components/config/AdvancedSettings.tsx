import React, { ChangeEvent } from 'react';
import { css } from '@emotion/css';
import { config } from '@grafana/runtime';
import { ConfigSection, ConfigSubSection, SecureSocksProxyToggle } from '@grafana/plugin-ui';
import { InlineField, Input } from '@grafana/ui';

import { ADVANCED_SETTING_KEYS, SETTINGS, settingError, settingText, settingValue } from '../../settingsValidation';
import { JsonDataSettingKey } from '../../types';
import { LABEL_WIDTH, SECTION_MAX_WIDTH, SectionProps, withJsonData } from './options';

const styles = { section: css({ maxWidth: SECTION_MAX_WIDTH }), proxy: css({ marginTop: 24 }) };

/**
 * What each setting does. Labels, defaults and limits are src/generated/settings.json's; a
 * setting the file gains without an entry here still shows, with its limits as its help.
 */
const HELP: Record<string, string | undefined> = {
  pageSize: 'Conversations per API page (page_size).',
  maxConversations: 'Most conversations one query reads; beyond it the result carries a warning.',
  maxFilterCombinations:
    'Most combinations of filter values (one API listing each) that one query with multi-value filters may expand into.',
  concurrency: 'Most API requests in flight at once, shared by every query of the data source.',
  cacheTTL: 'How long an API response is reused by every panel of the data source. 0s turns the cache off.',
  timeout: 'Time limit of one API request.',
};

/** True when a value is saved in the section, so that it opens by itself. */
export function advancedSettingsSaved(options: SectionProps['options']): boolean {
  return (
    ADVANCED_SETTING_KEYS.some((k) => options.jsonData[k as JsonDataSettingKey] !== undefined) ||
    Boolean(options.jsonData.enableSecureSocksProxy)
  );
}

/** The client's limits (every number and duration of settings.json) and Grafana's secure SOCKS proxy. */
export function AdvancedSettings({ options, onOptionsChange }: SectionProps) {
  return (
    <ConfigSection
      title="Advanced settings"
      description="How the plugin pages through, bounds, caches and times out its calls to the API. Empty fields use their defaults."
      isCollapsible
      isInitiallyOpen={advancedSettingsSaved(options)}
      className={styles.section}
    >
      {ADVANCED_SETTING_KEYS.map((key) => (
        <SettingField key={key} name={key as JsonDataSettingKey} options={options} onOptionsChange={onOptionsChange} />
      ))}
      {config.secureSocksDSProxyEnabled && (
        <ConfigSubSection
          className={styles.proxy}
          title="Secure Socks Proxy"
          description="Reach the API through Grafana's secure SOCKS proxy, to a network Grafana cannot reach directly."
        >
          <SecureSocksProxyToggle
            // An unset switch would turn from uncontrolled to controlled on first use.
            dataSourceConfig={{
              ...options,
              jsonData: {
                ...options.jsonData,
                enableSecureSocksProxy: Boolean(options.jsonData.enableSecureSocksProxy),
              },
            }}
            onChange={onOptionsChange}
            labelWidth={LABEL_WIDTH}
          />
        </ConfigSubSection>
      )}
    </ConfigSection>
  );
}

/**
 * One number or duration. What the user types is stored as typed (a valid whole number as a
 * number), so the field never shows text that differs from what *Save & test* checks; the
 * error is the backend's message for that stored value. Empty text removes the key.
 */
function SettingField({ name, options, onOptionsChange }: SectionProps & { name: JsonDataSettingKey }) {
  const spec = SETTINGS[name];
  const stored = options.jsonData[name];
  const error = settingError(name, stored);
  const id = `agentsight-${name}`;
  const limits = `From ${spec.min} to ${spec.max}; default ${spec.default}.`;
  return (
    <InlineField
      label={spec.label}
      labelWidth={LABEL_WIDTH}
      htmlFor={id}
      tooltip={HELP[name] ? `${HELP[name]} ${limits}` : limits}
      invalid={error !== undefined}
      error={error}
      disabled={options.readOnly}
      grow
      shrink
    >
      <Input
        id={id}
        value={settingText(name, stored)}
        placeholder={String(spec.default)}
        inputMode={spec.kind === 'int' ? 'numeric' : undefined}
        aria-invalid={error !== undefined}
        onChange={(e: ChangeEvent<HTMLInputElement>) =>
          onOptionsChange(withJsonData(options, name, settingValue(name, e.target.value)))
        }
      />
    </InlineField>
  );
}
