import React, { ChangeEvent } from 'react';
import { css } from '@emotion/css';
import { ConfigSection } from '@grafana/plugin-ui';
import { InlineField, Input } from '@grafana/ui';

import { SETTINGS, settingError } from '../../settingsValidation';
import { LABEL_WIDTH, SECTION_MAX_WIDTH, SectionProps } from './options';

const styles = { section: css({ maxWidth: SECTION_MAX_WIDTH }) };

/** The API's URL. Stored as typed: an invalid URL shows the backend's message and fails *Save & test* with it. */
export function ConnectionSection({ options, onOptionsChange }: SectionProps) {
  const spec = SETTINGS.url;
  const error = settingError('url', options.url);
  return (
    <ConfigSection title="Connection" className={styles.section}>
      <InlineField
        label={spec.label}
        labelWidth={LABEL_WIDTH}
        htmlFor="agentsight-url"
        tooltip={`Base URL of the AgentSight Conversation API, without /api; ${(spec.schemes ?? []).join(' or ')} only. Empty uses ${spec.default}.`}
        invalid={error !== undefined}
        error={error}
        disabled={options.readOnly}
        grow
        shrink
      >
        <Input
          id="agentsight-url"
          value={options.url ?? ''}
          placeholder={String(spec.default)}
          aria-invalid={error !== undefined}
          onChange={(e: ChangeEvent<HTMLInputElement>) => onOptionsChange({ ...options, url: e.target.value })}
        />
      </InlineField>
    </ConfigSection>
  );
}
