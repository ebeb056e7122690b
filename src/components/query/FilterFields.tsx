import React, { ReactNode, useId, useState } from 'react';
import { TimeRange } from '@grafana/data';
import { EditorField, EditorFieldGroup } from '@grafana/plugin-ui';
import { Combobox, ComboboxOption, IconButton, Stack, Text } from '@grafana/ui';

import {
  AgentSightFilters,
  FilterKey,
  filterSpec,
  FilterValue,
  FILTER_KEYS,
  QueryType,
  StringFilterKey,
  ValueField,
  ValuesSource,
  VALUE_FIELDS,
} from '../../types';
import { BooleanChoice, booleanOptions, BOOLEAN_FILTER_FIELDS, FILTER_FIELDS, toBooleanChoice } from './fields';
import { SelectFilter, TextFilter, valueCount } from './FilterInputs';

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

/** True when a filter is sent: a boolean, or a string (list) with a non-empty value ($variables included). */
export function isFilterSet(value: FilterValue | boolean | undefined): boolean {
  return typeof value === 'boolean' || valueCount(value) > 0;
}

/**
 * The filters a row is shown for, in the contract's order: every filter the query sets (a
 * `$variable` too, whatever it holds), and those the user added or edited in this editor, so
 * that a field emptied while typing, or a boolean set back to "Any", does not vanish under the
 * cursor. Only its remove button hides a row.
 */
export function shownFilters(filters: AgentSightFilters | undefined, kept: readonly FilterKey[]): FilterKey[] {
  return FILTER_KEYS.filter((k) => kept.includes(k) || isFilterSet(filters?.[k]));
}

/** The Add filter picker's options: the filters not shown, labelled and described by the contract. */
export function addFilterOptions(shown: readonly FilterKey[]): Array<ComboboxOption<FilterKey>> {
  return FILTER_KEYS.filter((k) => !shown.includes(k)).map((key) => ({
    label: filterSpec(key).label,
    value: key,
    description: filterSpec(key).help,
  }));
}

/**
 * The filters the query sets, each with a remove button, and an *Add filter* picker listing the
 * others (labels and help from src/generated/filters.json), as Grafana's own query builders do.
 */
export function FilterFields({ filters, queryType, getValues, range, onCommit }: Props) {
  const id = useId();
  const [kept, setKept] = useState<FilterKey[]>([]);
  // The filter just picked takes the focus; set only by a pick, so a re-mount does not steal it.
  const [focusKey, setFocusKey] = useState<FilterKey>();
  const shown = shownFilters(filters, kept);
  const addOptions = addFilterOptions(shown);

  const keep = (key: FilterKey) => setKept((prev) => (prev.includes(key) ? prev : [...prev, key]));
  const commit = (key: FilterKey, value: FilterValue | boolean | undefined) => {
    keep(key);
    onCommit(setFilter(filters, key, value));
  };
  const remove = (key: FilterKey) => {
    setKept((prev) => prev.filter((k) => k !== key));
    if (focusKey === key) {
      setFocusKey(undefined);
    }
    if (isFilterSet(filters?.[key])) {
      onCommit(setFilter(filters, key, undefined));
    }
  };
  const add = (key: FilterKey) => {
    keep(key);
    setFocusKey(key);
  };

  const addId = `${id}-add`;

  return (
    <EditorFieldGroup>
      {shown.map((key) => (
        <FilterRow
          key={key}
          filterKey={key}
          inputId={`${id}-${key}`}
          autoFocus={focusKey === key}
          filters={filters}
          queryType={queryType}
          getValues={getValues}
          range={range}
          onChange={(value) => commit(key, value)}
          onRemove={() => remove(key)}
        />
      ))}
      {addOptions.length > 0 && (
        <EditorField label="Add filter" tooltip="Filters the API applies; only those set are sent" htmlFor={addId}>
          <Combobox<FilterKey>
            id={addId}
            width={24}
            prefixIcon="plus"
            placeholder="Choose a filter"
            options={addOptions}
            // Never holds a value: a pick adds a row and the picker is ready for the next one.
            value={null}
            onChange={(option) => add(option.value)}
          />
        </EditorField>
      )}
    </EditorFieldGroup>
  );
}

interface RowProps {
  filterKey: FilterKey;
  inputId: string;
  autoFocus: boolean;
  filters: AgentSightFilters | undefined;
  queryType: QueryType;
  getValues: ValuesSource['getValues'];
  range?: TimeRange;
  onChange: (value: FilterValue | boolean | undefined) => void;
  onRemove: () => void;
}

/** One filter: its label tied to its control, the control, and a button that unsets it. */
function FilterRow({
  filterKey,
  inputId,
  autoFocus,
  filters,
  queryType,
  getValues,
  range,
  onChange,
  onRemove,
}: RowProps) {
  const boolean = filterKey in BOOLEAN_FILTER_FIELDS;
  const field = boolean
    ? BOOLEAN_FILTER_FIELDS[filterKey as keyof typeof BOOLEAN_FILTER_FIELDS]
    : FILTER_FIELDS[filterKey as StringFilterKey];
  const hint = 'hint' in field ? field.hint : undefined;
  const hintId = hint ? `${inputId}-hint` : undefined;

  let control: ReactNode;
  if (boolean) {
    const key = filterKey as keyof typeof BOOLEAN_FILTER_FIELDS;
    const current = toBooleanChoice(filters?.[key]);
    control = (
      <Combobox<BooleanChoice>
        id={inputId}
        width={20}
        autoFocus={autoFocus}
        options={booleanOptions(key, queryType, current)}
        value={current}
        onChange={(v) => onChange(v.value === 'any' ? undefined : v.value === 'yes')}
      />
    );
  } else {
    control = (
      <StringFilterControl
        filterKey={filterKey as StringFilterKey}
        inputId={inputId}
        autoFocus={autoFocus}
        hintId={hintId}
        value={filters?.[filterKey as StringFilterKey]}
        getValues={getValues}
        range={range}
        onChange={onChange}
      />
    );
  }

  return (
    <EditorField label={field.label} tooltip={field.tooltip} htmlFor={inputId}>
      <div>
        <Stack direction="row" gap={0.5} alignItems="center">
          {control}
          <IconButton name="times" aria-label={`Remove ${field.label} filter`} onClick={onRemove} />
        </Stack>
        {hint && (
          <Text id={hintId} element="p" variant="bodySmall" color="secondary">
            {hint}
          </Text>
        )}
      </div>
    </EditorField>
  );
}

interface StringControlProps {
  filterKey: StringFilterKey;
  inputId: string;
  autoFocus: boolean;
  hintId?: string;
  value: FilterValue | undefined;
  getValues: ValuesSource['getValues'];
  range?: TimeRange;
  onChange: (value: FilterValue | undefined) => void;
}

/** A string filter's control: its choices, the values seen in the range, or typed text. */
function StringFilterControl({
  filterKey,
  inputId,
  autoFocus,
  hintId,
  value,
  getValues,
  range,
  onChange,
}: StringControlProps) {
  const field = FILTER_FIELDS[filterKey];
  const common = { inputId, autoFocus, placeholder: field.placeholder, value, onCommit: onChange };
  if (field.kind === 'choice') {
    return (
      <SelectFilter
        {...common}
        fetchValues={async () => (filterSpec(filterKey).choices ?? []).map((c) => ({ text: c, value: c }))}
      />
    );
  }
  if (isValueField(filterKey) && field.kind === 'select') {
    return <SelectFilter {...common} fetchValues={() => getValues(filterKey, range)} allowCustomValue />;
  }
  if (valueCount(value) > 1) {
    // Several typed values (a list written in JSON or provisioned) stay several values, as in the
    // select filters: each can be removed, more can be typed.
    return <SelectFilter {...common} fetchValues={async () => []} allowCustomValue />;
  }
  return (
    <TextFilter
      id={inputId}
      autoFocus={autoFocus}
      describedBy={hintId}
      placeholder={field.placeholder}
      value={value}
      onCommit={onChange}
    />
  );
}

function isValueField(key: StringFilterKey): key is StringFilterKey & ValueField {
  return (VALUE_FIELDS as readonly string[]).includes(key);
}
