import React, { useState } from 'react';
import { SelectableValue } from '@grafana/data';
import { Input, MultiSelect } from '@grafana/ui';

import { FilterValue, ValueOption } from '../../types';
import { useCommittedText } from './useCommittedText';
import { variableOptions } from './variables';

/*
 * The controls of one filter's value: typed text, or a multi-select of offered values and the
 * dashboard's $variables. FilterFields decides which filter gets which.
 */

export interface TextFilterProps {
  id: string;
  placeholder: string;
  /** The id of the line that says more (a hint under the row). */
  describedBy?: string;
  /** A filter just added takes the focus, so that its value can be typed at once. */
  autoFocus?: boolean;
  /** At most one non-empty value. */
  value: FilterValue | undefined;
  onCommit: (v: string) => void;
}

/** How many values a filter holds; empty ones are not sent, so they do not count. */
export function valueCount(value: FilterValue | boolean | undefined): number {
  if (typeof value === 'boolean' || value === undefined) {
    return 0;
  }
  return (Array.isArray(value) ? value : [value]).filter((v) => v.trim() !== '').length;
}

/** One typed value; a filter holding several is shown by SelectFilter, so none is ever joined. */
export function TextFilter({ id, placeholder, describedBy, autoFocus, value, onCommit }: TextFilterProps) {
  const saved = Array.isArray(value) ? (value.find((v) => v.trim() !== '') ?? '') : (value ?? '');
  const input = useCommittedText(saved, (text) => onCommit(text.trim()));
  return (
    <Input
      id={id}
      width={26}
      placeholder={placeholder}
      aria-describedby={describedBy}
      autoFocus={autoFocus}
      {...input}
    />
  );
}

export interface SelectFilterProps {
  inputId: string;
  /** The values to offer: those seen in the range (the data source caches them), or a filter's choices. */
  fetchValues: () => Promise<ValueOption[]>;
  /** Typed values (a customer id) besides the offered ones; $variables are always offered. */
  allowCustomValue?: boolean;
  placeholder: string;
  autoFocus?: boolean;
  value: FilterValue | undefined;
  onCommit: (v: FilterValue | undefined) => void;
}

/** A multi-select of offered values and the dashboard's $variables. */
export function SelectFilter({
  inputId,
  fetchValues,
  allowCustomValue,
  placeholder,
  autoFocus,
  value,
  onCommit,
}: SelectFilterProps) {
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
      autoFocus={autoFocus}
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
