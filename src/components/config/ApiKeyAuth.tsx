import React, { ChangeEvent, useState } from 'react';
import { InlineField, InlineSwitch, Input, SecretInput, Stack } from '@grafana/ui';

import { requiredError, SETTINGS, settingError } from '../../settingsValidation';
import { LABEL_WIDTH, SectionProps, withJsonData } from './options';

/**
 * The API key and how it is sent: the fields of the page's one authentication method. The key
 * is required, but its error shows only once the user has touched the field, not on a new
 * data source's first load.
 */
export function ApiKeyAuth({ options, onOptionsChange }: SectionProps) {
  const { jsonData, secureJsonData, secureJsonFields, readOnly } = options;
  const [touched, setTouched] = useState(false);

  const key = secureJsonData?.apiKey ?? '';
  const configured = Boolean(secureJsonFields?.apiKey);
  const missing = !configured && key.trim() === '';
  const requiredShown = missing && touched && SETTINGS.apiKey.required;
  const keyError = requiredShown ? requiredError('apiKey') : missing ? undefined : settingError('apiKey', key);

  const headerError = settingError('authHeader', jsonData.authHeader);
  const schemeError = settingError('authScheme', jsonData.authScheme);
  const bareKey = jsonData.authScheme === '';
  const defaultScheme = String(SETTINGS.authScheme.default);

  const setText = (name: 'authHeader' | 'authScheme') => (e: ChangeEvent<HTMLInputElement>) =>
    onOptionsChange(withJsonData(options, name, e.target.value === '' ? undefined : e.target.value));

  return (
    <Stack direction="column" gap={0}>
      <InlineField
        label={SETTINGS.apiKey.label}
        labelWidth={LABEL_WIDTH}
        htmlFor="agentsight-api-key"
        required={SETTINGS.apiKey.required}
        tooltip="The key AgentSight gave you. Grafana stores it encrypted, never returns it to the browser, and only the Grafana server sends it."
        invalid={keyError !== undefined}
        error={keyError}
        disabled={readOnly}
        grow
        shrink
      >
        <SecretInput
          id="agentsight-api-key"
          isConfigured={configured}
          value={key}
          placeholder="Enter your API key"
          aria-invalid={keyError !== undefined}
          onBlur={() => setTouched(true)}
          onChange={(e: ChangeEvent<HTMLInputElement>) => {
            setTouched(true);
            onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, apiKey: e.target.value } });
          }}
          onReset={() => {
            setTouched(true);
            onOptionsChange({
              ...options,
              secureJsonFields: { ...secureJsonFields, apiKey: false },
              secureJsonData: { ...secureJsonData, apiKey: '' },
            });
          }}
        />
      </InlineField>
      <InlineField
        label={SETTINGS.authHeader.label}
        labelWidth={LABEL_WIDTH}
        htmlFor="agentsight-auth-header"
        tooltip={`HTTP header that carries the key. Empty uses ${SETTINGS.authHeader.default}.`}
        invalid={headerError !== undefined}
        error={headerError}
        disabled={readOnly}
        grow
        shrink
      >
        <Input
          id="agentsight-auth-header"
          value={String(jsonData.authHeader ?? '')}
          placeholder={String(SETTINGS.authHeader.default)}
          aria-invalid={headerError !== undefined}
          onChange={setText('authHeader')}
        />
      </InlineField>
      <InlineField
        label={SETTINGS.authScheme.label}
        labelWidth={LABEL_WIDTH}
        htmlFor="agentsight-auth-scheme"
        tooltip={`Prefix sent before the key ("${defaultScheme} <key>"). Empty uses ${defaultScheme}.`}
        invalid={schemeError !== undefined}
        error={schemeError}
        disabled={readOnly || bareKey}
        grow
        shrink
      >
        <Input
          id="agentsight-auth-scheme"
          value={String(jsonData.authScheme ?? '')}
          placeholder={bareKey ? 'none' : defaultScheme}
          aria-invalid={schemeError !== undefined}
          onChange={setText('authScheme')}
        />
      </InlineField>
      <InlineField
        label="Send the bare key"
        labelWidth={LABEL_WIDTH}
        htmlFor="agentsight-bare-key"
        tooltip={`Send the key alone, without an auth scheme ("<key>" instead of "${defaultScheme} <key>").`}
        disabled={readOnly}
      >
        <InlineSwitch
          id="agentsight-bare-key"
          value={bareKey}
          onChange={(e: React.FormEvent<HTMLInputElement>) =>
            onOptionsChange(withJsonData(options, 'authScheme', e.currentTarget.checked ? '' : undefined))
          }
        />
      </InlineField>
    </Stack>
  );
}
