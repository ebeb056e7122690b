import React, { useId, useState } from 'react';
import { SelectableValue } from '@grafana/data';
import { EditorField } from '@grafana/plugin-ui';
import { Combobox, ComboboxOption, Input, Select } from '@grafana/ui';

import { AgentSightQuery, BUCKET_TOTAL, GROUP_BY_OPTIONS, VariableText } from '../../types';
import { bucketDurationError, hasVariable } from '../../validation';
import { BUCKET_OPTIONS, FIELD_OPTIONS, groupByLabel } from './fields';
import { useCommittedText } from './useCommittedText';
import { variableOptions, withCurrent } from './variables';

interface CommitProps {
  query: AgentSightQuery;
  onCommit: (q: AgentSightQuery) => void;
}

export const toCombobox = (options: Array<SelectableValue<string>>): Array<ComboboxOption<string>> =>
  options.map((o) => ({ label: o.label ?? o.value ?? '', value: o.value ?? '', description: o.description }));

const groupByChoices = (groups: readonly string[]): Array<SelectableValue<string>> =>
  groups.map((g) => ({ label: groupByLabel(g), value: g, description: g === '' ? 'One series' : undefined }));

/**
 * Count and stats: one series per value of a field, or a `$variable` naming the field. `groups`:
 * what the query type (a stats query's measure) may be grouped by, '' (one series) first.
 */
export function GroupByField({
  query,
  onCommit,
  groups = GROUP_BY_OPTIONS,
}: CommitProps & { groups?: readonly string[] }) {
  const id = useId();
  const value = query.groupBy ?? '';
  return (
    <EditorField label="Group by" tooltip="One series per value of this field (or a $variable)" htmlFor={id}>
      <Combobox<string>
        id={id}
        width={20}
        options={toCombobox(withCurrent([...groupByChoices(groups), ...variableOptions()], value))}
        value={value}
        createCustomValue
        onChange={(v) => onCommit({ ...query, groupBy: (v?.value ?? '') as AgentSightQuery['groupBy'] })}
      />
    </EditorField>
  );
}

/** Values: the field whose distinct values are listed, or a `$variable` naming it. */
export function ValueFieldField({ query, onCommit, tooltip }: CommitProps & { tooltip?: string }) {
  const id = useId();
  const value = query.field ?? 'language';
  return (
    <EditorField label="Field" tooltip={tooltip ?? 'Field whose distinct values are returned'} htmlFor={id}>
      <Combobox<string>
        id={id}
        width={20}
        options={toCombobox(withCurrent([...FIELD_OPTIONS, ...variableOptions()], value))}
        value={value}
        createCustomValue
        onChange={(v) => v && onCommit({ ...query, field: v.value as AgentSightQuery['field'] })}
      />
    </EditorField>
  );
}

/** Checks a bucket as typed; undefined when the backend would accept it. */
export function bucketError(bucket: string): string | undefined {
  const b = bucket.trim();
  return b === '' || b === BUCKET_TOTAL || hasVariable(b) ? undefined : bucketDurationError(b);
}

/**
 * Count: the bucket width. A typed invalid bucket stays on screen with its error, and is not sent;
 * a valid one (a listed one, a duration, a `$variable`) is committed.
 */
export function BucketField({ query, onCommit }: CommitProps) {
  const id = useId();
  const [typed, setTyped] = useState<{ text: string; error: string }>();
  const saved = query.bucket ?? '';
  const shown = typed?.text ?? saved;
  const options = withCurrent([...BUCKET_OPTIONS, ...variableOptions()], shown);

  const apply = (bucket: string) => {
    const b = bucket.trim();
    const error = bucketError(b);
    if (error) {
      setTyped({ text: b, error });
      return;
    }
    setTyped(undefined);
    onCommit({ ...query, bucket: b });
  };

  return (
    <EditorField
      label="Bucket"
      tooltip="Width of one time bucket: Auto follows the panel interval, Total gives one number, or type a duration from 1m to 366d such as 10m or 1d (or a $variable)"
      htmlFor={id}
      invalid={!!typed}
      error={typed?.error}
    >
      {/* Select rather than Combobox: in @grafana/ui 12.4 a Combobox commits a typed value on Enter
          only when its custom-value option is highlighted, which it is not once a value is chosen. */}
      {/* eslint-disable-next-line @typescript-eslint/no-deprecated */}
      <Select<string>
        inputId={id}
        width={20}
        options={options}
        value={shown}
        invalid={!!typed}
        allowCustomValue
        onCreateOption={apply}
        onChange={(v) => apply(v.value ?? '')}
      />
    </EditorField>
  );
}

/** Messages and attachments: the numeric id of one conversation, read directly. */
export function ConversationField({ query, onCommit }: CommitProps) {
  const id = useId();
  const [error, setError] = useState<string>();
  const saved = query.conversationId === undefined ? '' : String(query.conversationId);
  const input = useCommittedText(saved, (text) => {
    const t = text.trim();
    const next = { ...query };
    if (t === '') {
      delete next.conversationId;
    } else if (/^[0-9]+$/.test(t) && Number(t) > 0) {
      next.conversationId = Number(t);
    } else if (hasVariable(t)) {
      next.conversationId = t as VariableText;
    } else {
      setError('Enter the numeric id of a conversation (or a $variable)');
      return;
    }
    setError(undefined);
    onCommit(next);
  });
  return (
    <EditorField
      label="Conversation"
      tooltip="The numeric id of one conversation (the id column of a Conversations table): reads its messages or attachments directly. Empty: the conversations the filters select."
      htmlFor={id}
      invalid={!!error}
      error={error}
    >
      <Input id={id} width={20} placeholder="numeric id, e.g. 42" {...input} />
    </EditorField>
  );
}

/** Tables: the most rows. */
export function LimitField({ query, onCommit }: CommitProps) {
  const id = useId();
  const [error, setError] = useState<string>();
  const saved = query.limit ? String(query.limit) : '';
  const input = useCommittedText(saved, (text) => {
    const t = text.trim();
    const next = { ...query };
    if (t === '' || t === '0') {
      delete next.limit;
    } else if (/^[0-9]+$/.test(t)) {
      next.limit = Number(t);
    } else {
      setError('Enter a whole number (empty or 0: the data source maximum)');
      return;
    }
    setError(undefined);
    onCommit(next);
  });
  return (
    <EditorField
      label="Limit"
      tooltip="Most rows in the table. Empty: the Max conversations setting of the data source."
      htmlFor={id}
      invalid={!!error}
      error={error}
    >
      <Input id={id} width={12} placeholder="max" {...input} />
    </EditorField>
  );
}
