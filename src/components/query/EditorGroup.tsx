import React, { ReactNode } from 'react';
import { EditorRow } from '@grafana/plugin-ui';
import { Stack, Text } from '@grafana/ui';

/** One titled row of the editor (Filters, Options), a group for assistive technology too. */
export function EditorGroup({ title, children }: { title: string; children: ReactNode }) {
  return (
    <EditorRow>
      <div role="group" aria-label={title}>
        <Stack direction="column" gap={1}>
          <Text element="h6" variant="bodySmall" weight="medium" color="secondary">
            {title}
          </Text>
          {children}
        </Stack>
      </div>
    </EditorRow>
  );
}
