import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import '../testEnv';
import { editorOptions } from '../../testFixtures';
import { AgentSightOptions } from '../../types';
import { AdvancedSettings } from './AdvancedSettings';

// A setting that pkg/models adds to src/generated/settings.json shows on the page, with the
// file's label, default and limits, without a change to the page's code.
jest.mock('../../generated/settings.json', () => ({
  ...jest.requireActual('../../generated/settings.json'),
  maxWidgets: { label: 'Max widgets', kind: 'int', default: 7, min: 2, max: 9 },
  idleTime: {
    label: 'Idle time',
    kind: 'duration',
    default: '5m',
    min: '1m',
    max: '1h',
    defaultMs: 300000,
    minMs: 60000,
    maxMs: 3600000,
  },
}));

const TIMEOUT = 20_000;

describe('AdvancedSettings', () => {
  it(
    'renders and validates a setting it has never heard of',
    () => {
      const onOptionsChange = jest.fn();
      const options = editorOptions({ jsonData: { maxWidgets: 12 } as unknown as AgentSightOptions });
      render(<AdvancedSettings options={options} onOptionsChange={onOptionsChange} />);
      // Open by itself: a value is saved.
      expect(screen.getByLabelText('Max widgets')).toHaveValue('12');
      expect(screen.getByText('Max widgets must be between 2 and 9')).toBeInTheDocument();
      expect(screen.getByLabelText('Idle time')).toHaveAttribute('placeholder', '5m');
      fireEvent.change(screen.getByLabelText('Idle time'), { target: { value: '2h' } });
      expect(onOptionsChange).toHaveBeenCalledWith({ ...options, jsonData: { maxWidgets: 12, idleTime: '2h' } });
    },
    TIMEOUT
  );
});
