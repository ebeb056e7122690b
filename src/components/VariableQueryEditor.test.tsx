import './testEnv';
import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { VariableQueryEditor } from './VariableQueryEditor';
import type { DataSource } from '../datasource';
import { AgentSightQuery } from '../types';

describe('VariableQueryEditor', () => {
  it('picks the field whose values become the options', async () => {
    const onChange = jest.fn();
    const user = userEvent.setup();
    render(
      <VariableQueryEditor
        query={{ refId: 'A' }}
        onChange={onChange}
        onRunQuery={jest.fn()}
        datasource={{} as DataSource}
      />
    );
    expect(screen.getByLabelText('Field')).toHaveValue('Language');
    await user.click(screen.getByLabelText('Field'));
    await user.click(await screen.findByRole('option', { name: 'Action name' }));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'values', field: 'action_name' });
  });

  it('reads an older string query as the field', () => {
    render(
      <VariableQueryEditor
        query={'city' as unknown as AgentSightQuery}
        onChange={jest.fn()}
        onRunQuery={jest.fn()}
        datasource={{} as DataSource}
      />
    );
    expect(screen.getByLabelText('Field')).toHaveValue('City');
  });
});
