import './testEnv';
import React from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { VariableQueryEditor } from './VariableQueryEditor';
import { AgentSightVariableQuery, EditorDataSource } from '../types';
import { pickComboboxOption } from './testUtils';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ getVariables: () => [{ name: 'device' }], replace: (s: string) => s }),
}));

// Heavy: opening @grafana/ui menus through user-event takes seconds on a loaded 2-core CI machine
// (jest runs beside the Go race tests there).
jest.setTimeout(60000);

function setup(query: AgentSightVariableQuery | string) {
  const onChange = jest.fn();
  const getValues = jest.fn().mockResolvedValue([{ text: 'mobile', value: 'mobile' }]);
  render(
    <VariableQueryEditor
      query={query as AgentSightVariableQuery}
      onChange={onChange}
      onRunQuery={jest.fn()}
      datasource={{ getValues } as unknown as EditorDataSource}
    />
  );
  return { onChange, getValues, user: userEvent.setup({ delay: null }) };
}

describe('VariableQueryEditor', () => {
  it('picks the field whose values become the options, with a readable definition', async () => {
    const { onChange, user } = setup({ refId: 'A' });
    expect(screen.getByLabelText('Field')).toHaveValue('Language');
    await pickComboboxOption(user, 'Field', 'City');
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'values', field: 'city', query: 'city values' });
  });

  it('does not offer action names, which the API never returns', async () => {
    const { user } = setup({ refId: 'A' });
    await user.click(screen.getByLabelText('Field'));
    const options = await waitFor(() => screen.getAllByRole('option'));
    expect(options.map((o) => o.textContent)).toEqual(
      expect.arrayContaining(['Language', 'Device', 'Country', 'City', 'Customer ID'])
    );
    expect(options.some((o) => /action/i.test(o.textContent ?? ''))).toBe(false);
  });

  it('filters by another variable, so that one variable depends on another', async () => {
    const { onChange, getValues, user } = setup({ refId: 'A', queryType: 'values', field: 'language' });
    await user.click(screen.getByLabelText('Add filter'));
    await user.keyboard('Device');
    const device = await waitFor(() => {
      const first = screen.getAllByRole('option')[0];
      expect(first).toHaveTextContent(/^Device/);
      return first;
    });
    await user.click(device);
    await user.click(await screen.findByLabelText('Device'));
    const menu = await screen.findByLabelText('Select options menu');
    expect(getValues).toHaveBeenCalledWith('device', undefined);
    await user.click(within(menu).getByText('$device'));
    expect(onChange).toHaveBeenCalledWith({
      refId: 'A',
      queryType: 'values',
      field: 'language',
      filters: { device: '$device' },
      query: 'language values (device=$device)',
    });
  });

  it('shows the saved filters and the definition', () => {
    setup({ refId: 'A', queryType: 'values', field: 'city', filters: { language: 'en', has_messages: true } });
    expect(
      screen.getByText('Shown in the variable list as: city values (language=en, has_messages=true)')
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Has messages')).toHaveValue('With messages');
  });

  it('reads an older string query as the field', () => {
    setup('city');
    expect(screen.getByLabelText('Field')).toHaveValue('City');
  });
});
