import React from 'react';
import { QueryEditorHelpProps } from '@grafana/data';
import { Button, Stack, Text } from '@grafana/ui';

import { AgentSightQuery } from '../../types';
import { QUERY_EXAMPLES } from './examples';

/** The editor's help toggle: example queries, each one click away from the editor. */
export function QueryHelp({ onClickExample, query }: QueryEditorHelpProps<AgentSightQuery>) {
  return (
    <Stack direction="column" gap={2}>
      <Text element="p">
        A query reads conversations of the panel&apos;s time range that match its filters. Empty filters are not sent; a
        multi-value variable makes one API call per value. Pick an example to load it into the editor.
      </Text>
      {QUERY_EXAMPLES.map((example) => (
        <Stack key={example.title} direction="column" gap={0.5}>
          <Text element="h5">{example.title}</Text>
          <Text color="secondary">{example.description}</Text>
          <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
            <Text variant="code">{JSON.stringify(example.query)}</Text>
            <Button
              size="sm"
              variant="secondary"
              aria-label={`Use example: ${example.title}`}
              onClick={() => onClickExample({ ...example.query, refId: query?.refId ?? example.query.refId })}
            >
              Use
            </Button>
          </Stack>
        </Stack>
      ))}
    </Stack>
  );
}
