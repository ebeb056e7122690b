import React, { useId, useState } from 'react';
import { SelectableValue, TimeRange } from '@grafana/data';
import { EditorField, EditorFieldGroup } from '@grafana/plugin-ui';
import { Combobox, Input, MultiSelect, Text } from '@grafana/ui';

import {
  AgentSightFilters,
  filterSpec,
  FilterValue,
  QueryType,
  StringFilterKey,
  ValueField,
  ValueOption,
  ValuesSource,
  VALUE_FIELDS,
} from '../../types';
import {
  BooleanChoice,
  booleanOptions,
  BOOLEAN_FILTER_FIELDS,
  BOOLEAN_FILTER_ORDER,
  FILTER_FIELDS,
  STRING_FILTER_ORDER,
  toBooleanChoice,
} from './fields';
import { useCommittedText } from './useCommittedText';
import { variableOptions } from './variables';

interface Props {
  filters: AgentSightFilters | undefined;
  /** Decides which choices of the boolean filters apply. */
  queryType: QueryType;
  /** The values seen of a field, for its drop-down. */
  getValues: ValuesSource['getValues'];
  range?: TimeRange;
  onCommit: (filters: AgentSightFilters) => void;
}

/** Sets one filter; an empty value removes it, so the backend gets only what the user chose. */
export function setFilter(
  filters: AgentSightFilters | undefined,
  key: keyof AgentSightFilters,
  value: FilterValue | boolean | undefined
): AgentSightFilters {
  const next: AgentSightFilters = { ...filters };
  const empty = value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
  if (empty) {
    delete next[key];
  } else {
    (next as Record<string, unknown>)[key] = value;
  }
  return next;
}

/** Every filter of the query model, each with its label tied to its control. */
export function FilterFields({ filters, queryType, getValues, range, onCommit }: Props) {
  const id = useId();
  const commit = (key: keyof AgentSightFilters, value: FilterValue | boolean | undefined) =>
    onCommit(setFilter(filters, key, value));

  return (
    <EditorFieldGroup>
      {STRING_FILTER_ORDER.map((key) => {
        const field = FILTER_FIELDS[key];
        const inputId = `${id}-${key}`;
        return (
          <EditorField
            key={key}
            label={field.label}
            tooltip={field.tooltip}
            htmlFor={inputId}
            width={field.kind === 'text' ? 26 : 24}
          >
            {field.kind === 'choice' ? (
              <SelectFilter
                inputId={inputId}
                fetchValues={async () => (filterSpec(key).choices ?? []).map((c) => ({ text: c, value: c }))}
                placeholder={field.placeholder}
                value={filters?.[key]}
                onCommit={(v) => commit(key, v)}
              />
            ) : isValueField(key) && field.kind === 'select' ? (
              <SelectFilter
                inputId={inputId}
                fetchValues={() => getValues(key, range)}
                allowCustomValue
                placeholder={field.placeholder}
                value={filters?.[key]}
                onCommit={(v) => commit(key, v)}
              />
            ) : valueCount(filters?.[key]) > 1 ? (
              // Several typed values (a list written in JSON or provisioned) stay several
              // values, as in the select filters: each can be removed, more can be typed.
              <SelectFilter
                inputId={inputId}
                fetchValues={async () => []}
                allowCustomValue
                placeholder={field.placeholder}
                value={filters?.[key]}
                onCommit={(v) => commit(key, v)}
              />
            ) : (
              <TextFilter
                id={inputId}
                placeholder={field.placeholder}
                hint={field.hint}
                value={filters?.[key]}
                onCommit={(v) => commit(key, v)}
              />
            )}
          </EditorField>
        );
      })}
      {BOOLEAN_FILTER_ORDER.map((key) => {
        const field = BOOLEAN_FILTER_FIELDS[key];
        const inputId = `${id}-${key}`;
        const current = toBooleanChoice(filters?.[key]);
        return (
          <EditorField key={key} label={field.label} tooltip={field.tooltip} htmlFor={inputId} width={20}>
            <Combobox<BooleanChoice>
              id={inputId}
              width={20}
              options={booleanOptions(key, queryType, current)}
              value={current}
              onChange={(v) => commit(key, v.value === 'any' ? undefined : v.value === 'yes')}
            />
          </EditorField>
        );
      })}
    </EditorFieldGroup>
  );
}

function isValueField(key: StringFilterKey): key is StringFilterKey & ValueField {
  return (VALUE_FIELDS as readonly string[]).includes(key);
}

interface TextFilterProps {
  id: string;
  placeholder: string;
  hint?: string;
  /** At most one non-empty value. */
  value: FilterValue | undefined;
  onCommit: (v: string) => void;
}

/** How many values a filter holds; empty ones are not sent, so they do not count. */
function valueCount(value: FilterValue | boolean | undefined): number {
  if (typeof value === 'boolean' || value === undefined) {
    return 0;
  }
  return (Array.isArray(value) ? value : [value]).filter((v) => v.trim() !== '').length;
}

/** One typed value; a filter holding several is shown by SelectFilter, so none is ever joined. */
function TextFilter({ id, placeholder, hint, value, onCommit }: TextFilterProps) {
  const saved = Array.isArray(value) ? (value.find((v) => v.trim() !== '') ?? '') : (value ?? '');
  const input = useCommittedText(saved, (text) => onCommit(text.trim()));
  if (!hint) {
    return <Input id={id} width={26} placeholder={placeholder} {...input} />;
  }
  return (
    <div>
      <Input id={id} width={26} placeholder={placeholder} aria-describedby={`${id}-hint`} {...input} />
      <Text id={`${id}-hint`} element="p" variant="bodySmall" color="secondary">
        {hint}
      </Text>
    </div>
  );
}

interface SelectFilterProps {
  inputId: string;
  /** The values to offer: those seen in the range (the data source caches them), or a filter's choices. */
  fetchValues: () => Promise<ValueOption[]>;
  /** Typed values (a customer id) besides the offered ones; $variables are always offered. */
  allowCustomValue?: boolean;
  placeholder: string;
  value: FilterValue | undefined;
  onCommit: (v: FilterValue | undefined) => void;
}

/** A multi-select of offered values and the dashboard's $variables. */
function SelectFilter({ inputId, fetchValues, allowCustomValue, placeholder, value, onCommit }: SelectFilterProps) {
  const [options, setOptions] = useState<Array<SelectableValue<string>>>([]);
  const [loading, setLoading] = useState(false);
  const selected = value === undefined ? [] : Array.isArray(value) ? value : [value];

  // The data source caches the values per field and range, so opening the menu again is free.
  const load = async () => {
    setLoading(true);
    try {
      const values = await fetchValues();
      setOptions([...values.map((v) => ({ label: v.text, value: v.value })), ...variableOptions()]);
    } catch {
      setOptions(variableOptions());
    } finally {
      setLoading(false);
    }
  };

  const allOptions = [
    ...options,
    ...selected.filter((s) => !options.some((o) => o.value === s)).map((s) => ({ label: s, value: s })),
  ];

  const emit = (values: string[]) =>
    onCommit(values.length === 0 ? undefined : values.length === 1 ? values[0] : values);

  return (
    // MultiSelect rather than MultiCombobox: in @grafana/ui 12.4 a typed value (a customer id) is
    // not committed on Enter unless the user first highlights it.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    <MultiSelect<string>
      inputId={inputId}
      width={24}
      placeholder={placeholder}
      options={allOptions}
      value={selected}
      isLoading={loading}
      allowCustomValue={allowCustomValue}
      onOpenMenu={load}
      onCreateOption={(v) => emit([...selected, v.trim()].filter((s) => s !== ''))}
      onChange={(items) => emit(items.map((i) => i.value ?? '').filter((s) => s !== ''))}
    />
  );
}
