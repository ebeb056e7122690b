import React, { ChangeEvent, useState } from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Collapse, Field, FieldSet, Input, SecretInput, Stack, TextLink } from '@grafana/ui';

import { AgentSightOptions, AgentSightSecureJsonData, DEFAULT_SETTINGS, SETTING_LIMITS } from '../types';
import { durationError, integerError } from '../validation';

type Props = DataSourcePluginOptionsEditorProps<AgentSightOptions, AgentSightSecureJsonData>;
type NumberKey = keyof typeof SETTING_LIMITS;
type DurationKey = 'cacheTTL' | 'timeout';

const INPUT_WIDTH = 40;

/** The data source settings page: API URL, API key, and the advanced client settings. */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { secureJsonFields, secureJsonData } = options;
  const jsonData: AgentSightOptions = options.jsonData ?? {};
  const [advancedOpen, setAdvancedOpen] = useState(false);

  const setJsonData = (patch: Partial<AgentSightOptions>, remove?: keyof AgentSightOptions) => {
    const next: AgentSightOptions = { ...jsonData, ...patch };
    if (remove) {
      delete next[remove];
    }
    onOptionsChange({ ...options, jsonData: next });
  };

  const onUrlChange = (e: ChangeEvent<HTMLInputElement>) => onOptionsChange({ ...options, url: e.target.value });

  const onApiKeyChange = (e: ChangeEvent<HTMLInputElement>) =>
    onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, apiKey: e.target.value } });

  const onApiKeyReset = () =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, apiKey: false },
      secureJsonData: { ...secureJsonData, apiKey: '' },
    });

  const apiKeyConfigured = Boolean(secureJsonFields?.apiKey);
  const apiKeyMissing = !apiKeyConfigured && !secureJsonData?.apiKey;

  return (
    <Stack direction="column" gap={2}>
      <FieldSet label="Connection">
        <Field
          label="URL"
          description={`Base URL of the AgentSight Conversation API, without /api. Empty uses ${DEFAULT_SETTINGS.url}.`}
        >
          <Input
            id="agentsight-url"
            width={INPUT_WIDTH}
            value={options.url ?? ''}
            placeholder={DEFAULT_SETTINGS.url}
            onChange={onUrlChange}
          />
        </Field>
      </FieldSet>

      <FieldSet label="Authentication">
        <Field
          label="API key"
          required
          description={
            <>
              The key AgentSight gave you. It is stored encrypted and only the Grafana server sends it.{' '}
              <TextLink href="https://agentsight.io" external inline>
                agentsight.io
              </TextLink>
            </>
          }
          invalid={apiKeyMissing}
          error={apiKeyMissing ? 'An API key is required' : undefined}
        >
          <SecretInput
            id="agentsight-api-key"
            width={INPUT_WIDTH}
            isConfigured={apiKeyConfigured}
            value={secureJsonData?.apiKey ?? ''}
            placeholder="Enter your API key"
            onChange={onApiKeyChange}
            onReset={onApiKeyReset}
          />
        </Field>
      </FieldSet>

      <Collapse label="Advanced settings" isOpen={advancedOpen} onToggle={() => setAdvancedOpen(!advancedOpen)}>
        <Field
          label="Auth header"
          description={`HTTP header that carries the key. Default ${DEFAULT_SETTINGS.jsonData.authHeader}.`}
          invalid={jsonData.authHeader !== undefined && !/^[A-Za-z0-9-]+$/.test(jsonData.authHeader)}
          error="Use letters, digits and dashes only"
        >
          <Input
            id="agentsight-auth-header"
            width={INPUT_WIDTH}
            value={jsonData.authHeader ?? ''}
            placeholder={DEFAULT_SETTINGS.jsonData.authHeader}
            onChange={(e: ChangeEvent<HTMLInputElement>) =>
              e.target.value === '' ? setJsonData({}, 'authHeader') : setJsonData({ authHeader: e.target.value })
            }
          />
        </Field>
        <Field
          label="Auth scheme"
          description={`Prefix sent before the key ("${DEFAULT_SETTINGS.jsonData.authScheme} <key>"). Leave empty to send the bare key.`}
        >
          <Input
            id="agentsight-auth-scheme"
            width={INPUT_WIDTH}
            value={jsonData.authScheme ?? DEFAULT_SETTINGS.jsonData.authScheme}
            placeholder="(bare key)"
            onChange={(e: ChangeEvent<HTMLInputElement>) => setJsonData({ authScheme: e.target.value })}
          />
        </Field>
        <NumberSetting
          name="pageSize"
          label="Page size"
          description="Conversations per API page (page_size), 1 to 100."
          jsonData={jsonData}
          onChange={setJsonData}
        />
        <NumberSetting
          name="maxConversations"
          label="Max conversations"
          description="Most conversations one query reads; beyond it the result carries a warning."
          jsonData={jsonData}
          onChange={setJsonData}
        />
        <NumberSetting
          name="concurrency"
          label="Concurrency"
          description="Most API requests in flight at once, 1 to 32."
          jsonData={jsonData}
          onChange={setJsonData}
        />
        <DurationSetting
          name="cacheTTL"
          label="Cache TTL"
          description="How long an API response is reused, e.g. 60s or 5m. 0s turns the cache off."
          allowZero
          jsonData={jsonData}
          onChange={setJsonData}
        />
        <DurationSetting
          name="timeout"
          label="Timeout"
          description="Time limit of one API request, e.g. 30s."
          allowZero={false}
          jsonData={jsonData}
          onChange={setJsonData}
        />
      </Collapse>
    </Stack>
  );
}

interface SettingProps<K> {
  name: K;
  label: string;
  description: string;
  jsonData: AgentSightOptions;
  onChange: (patch: Partial<AgentSightOptions>, remove?: keyof AgentSightOptions) => void;
}

/**
 * A whole-number setting. Valid text is saved as a number, empty text removes the key (the
 * default applies), and invalid text shows an error and is not saved.
 */
function NumberSetting({ name, ...props }: SettingProps<NumberKey>) {
  const { min, max } = SETTING_LIMITS[name];
  return (
    <ValidatedSetting
      name={name}
      {...props}
      numeric
      validate={(text) => integerError(text, min, max)}
      toValue={(text) => Number(text)}
    />
  );
}

/** A Go duration setting ("30s", "5m"), saved as text; same saving rules as NumberSetting. */
function DurationSetting({ name, allowZero, ...props }: SettingProps<DurationKey> & { allowZero: boolean }) {
  return (
    <ValidatedSetting
      name={name}
      {...props}
      validate={(text) => durationError(text, allowZero)}
      toValue={(text) => text}
    />
  );
}

/** The input behind NumberSetting and DurationSetting. */
function ValidatedSetting<K extends NumberKey | DurationKey>({
  name,
  label,
  description,
  jsonData,
  onChange,
  numeric,
  validate,
  toValue,
}: SettingProps<K> & {
  numeric?: boolean;
  validate: (text: string) => string | undefined;
  toValue: (text: string) => AgentSightOptions[K];
}) {
  const saved = jsonData[name];
  const [text, setText] = useState(saved === undefined ? '' : String(saved));
  const error = text.trim() === '' ? undefined : validate(text);

  const onTextChange = (e: ChangeEvent<HTMLInputElement>) => {
    const value = e.target.value;
    setText(value);
    if (value.trim() === '') {
      onChange({}, name);
    } else if (!validate(value)) {
      onChange({ [name]: toValue(value.trim()) } as Partial<AgentSightOptions>);
    }
  };

  return (
    <Field
      label={label}
      description={`${description} Default ${DEFAULT_SETTINGS.jsonData[name]}.`}
      invalid={!!error}
      error={error}
    >
      <Input
        id={`agentsight-${name}`}
        width={INPUT_WIDTH}
        inputMode={numeric ? 'numeric' : undefined}
        value={text}
        placeholder={String(DEFAULT_SETTINGS.jsonData[name])}
        onChange={onTextChange}
      />
    </Field>
  );
}
