// What the editor tests share: rendering the query editor as Grafana mounts it, and driving
// @grafana/ui's Combobox and the Add filter picker the way a user does. Test files only.
import './testEnv';
import React from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { dateTime, PanelData, TimeRange } from '@grafana/data';

import { QueryEditor } from './QueryEditor';
import { AgentSightQuery, EditorDataSource } from '../types';

export type User = ReturnType<typeof userEvent.setup>;

/** The editors' time range: one hour. */
export const testRange: TimeRange = {
  from: dateTime(1700000000000),
  to: dateTime(1700003600000),
  raw: { from: 'now-1h', to: 'now' },
};

/**
 * Renders the query editor for query (refId A) over testRange; getValues answers its drop-downs.
 * showQuery re-renders it with another query, as Grafana does when the query changes outside it.
 */
export function renderQueryEditor(
  query: Partial<AgentSightQuery> = {},
  { getValues = jest.fn().mockResolvedValue([]), data }: { getValues?: jest.Mock; data?: PanelData } = {}
) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  const datasource = { getValues } as unknown as EditorDataSource;
  const editor = (q: AgentSightQuery) => (
    <QueryEditor
      query={q}
      onChange={onChange}
      onRunQuery={onRunQuery}
      datasource={datasource}
      range={testRange}
      data={data}
    />
  );
  const q: AgentSightQuery = { refId: 'A', ...query };
  const utils = render(editor(q));
  const showQuery = (next: AgentSightQuery) => utils.rerender(editor(next));
  return { ...utils, showQuery, onChange, onRunQuery, getValues, query: q, user: userEvent.setup({ delay: null }) };
}

/** The options a Combobox lists once opened (typing narrows a list longer than its few rendered rows). */
export async function comboboxOptions(user: User, label: string, typed = '') {
  await user.click(screen.getByLabelText(label));
  if (typed) {
    await user.keyboard(typed);
  }
  return waitFor(() => {
    const options = screen.getAllByRole('option');
    expect(options.length).toBeGreaterThan(0);
    return options;
  });
}

/** Picks an option of a Combobox; an option's accessible name also holds its description. */
export async function pickComboboxOption(user: User, label: string, option: string) {
  await user.click(screen.getByLabelText(label));
  const match = await waitFor(() => {
    const options = screen.getAllByRole('option');
    const found = options.find((o) => within(o).queryByText(option, { exact: true }));
    if (!found) {
      throw new Error(`no option ${option} among ${options.map((o) => o.textContent).join(', ')}`);
    }
    return found;
  });
  await user.click(match);
}

/** Adds a filter row through the Add filter picker (typing narrows its list, which renders a few rows at a time). */
export async function addFilter(user: User, label: string) {
  await user.click(screen.getByLabelText('Add filter'));
  await user.keyboard(label);
  // Wait for the narrowed list (the typed label first): a row of the list as it was before is
  // replaced while the click lands.
  const match = await waitFor(() => {
    const first = screen.getAllByRole('option')[0];
    expect(within(first).getByText(label, { exact: true })).toBeInTheDocument();
    return first;
  });
  await user.click(match);
  return screen.findByLabelText(label);
}
