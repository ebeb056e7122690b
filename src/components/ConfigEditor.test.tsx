import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { ConfigEditor } from './ConfigEditor';
import { editorOptions, EditorOptions } from '../testFixtures';
import { AgentSightOptions } from '../types';

function setup(patch: Partial<EditorOptions> = {}, openAdvanced = false) {
  const onOptionsChange = jest.fn();
  const options = editorOptions(patch);
  render(<ConfigEditor options={options} onOptionsChange={onOptionsChange} />);
  if (openAdvanced) {
    fireEvent.click(screen.getByText('Advanced settings'));
  }
  return { onOptionsChange, options };
}

describe('ConfigEditor', () => {
  it('renders the URL and API key, advanced settings folded', () => {
    setup();
    expect(screen.getByLabelText(/^URL/)).toHaveAttribute('placeholder', 'https://api.agentsight.io');
    expect(screen.getByPlaceholderText('Enter your API key')).toBeInTheDocument();
    expect(screen.getByText('An API key is required')).toBeInTheDocument();
    expect(screen.queryByLabelText(/^Page size/)).not.toBeInTheDocument();
  });

  it('URL change', () => {
    const { onOptionsChange, options } = setup();
    fireEvent.change(screen.getByLabelText(/^URL/), { target: { value: 'http://localhost:8080' } });
    expect(onOptionsChange).toHaveBeenCalledTimes(1);
    expect(onOptionsChange).toHaveBeenCalledWith({ ...options, url: 'http://localhost:8080' });
  });

  it('API key entry goes to secureJsonData only', () => {
    const { onOptionsChange, options } = setup();
    fireEvent.change(screen.getByPlaceholderText('Enter your API key'), { target: { value: 'k3y' } });
    expect(onOptionsChange).toHaveBeenCalledWith({ ...options, secureJsonData: { apiKey: 'k3y' } });
  });

  it('a configured key shows as configured and reset clears it', () => {
    const { onOptionsChange, options } = setup({ secureJsonFields: { apiKey: true } });
    expect(screen.queryByText('An API key is required')).not.toBeInTheDocument();
    expect(screen.getByDisplayValue('configured')).toBeDisabled();
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(onOptionsChange).toHaveBeenCalledWith({
      ...options,
      secureJsonFields: { apiKey: false },
      secureJsonData: { apiKey: '' },
    });
  });

  it.each<[string, string, Partial<AgentSightOptions>]>([
    ['Auth header', 'X-Api-Key', { authHeader: 'X-Api-Key' }],
    ['Auth scheme', 'Bearer', { authScheme: 'Bearer' }],
    ['Auth scheme', '', { authScheme: '' }],
    ['Page size', '50', { pageSize: 50 }],
    ['Max conversations', '500', { maxConversations: 500 }],
    ['Concurrency', '8', { concurrency: 8 }],
    ['Cache TTL', '0s', { cacheTTL: '0s' }],
    ['Cache TTL', '5m', { cacheTTL: '5m' }],
    ['Timeout', '1m30s', { timeout: '1m30s' }],
  ])('%s = %p', (label, value, expected) => {
    const { onOptionsChange, options } = setup({ jsonData: { pageSize: 20 } }, true);
    fireEvent.change(screen.getByLabelText(new RegExp(`^${label}`)), { target: { value } });
    expect(onOptionsChange).toHaveBeenCalledTimes(1);
    expect(onOptionsChange).toHaveBeenCalledWith({ ...options, jsonData: { pageSize: 20, ...expected } });
  });

  it('emptying a setting removes it so the default applies', () => {
    const { onOptionsChange, options } = setup({ jsonData: { pageSize: 20, timeout: '10s' } }, true);
    fireEvent.change(screen.getByLabelText(/^Page size/), { target: { value: '' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith({ ...options, jsonData: { timeout: '10s' } });
    fireEvent.change(screen.getByLabelText(/^Timeout/), { target: { value: '' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith({ ...options, jsonData: { pageSize: 20 } });
  });

  it('shows the saved values and the default auth scheme', () => {
    setup({ url: 'http://fake:8080', jsonData: { pageSize: 20, cacheTTL: '0s' } }, true);
    expect(screen.getByLabelText(/^URL/)).toHaveValue('http://fake:8080');
    expect(screen.getByLabelText(/^Page size/)).toHaveValue('20');
    expect(screen.getByLabelText(/^Cache TTL/)).toHaveValue('0s');
    expect(screen.getByLabelText(/^Auth scheme/)).toHaveValue('Api-Key');
  });

  it.each([
    ['Page size', '101', 'Must be from 1 to 100'],
    ['Page size', '2.5', 'Enter a whole number from 1 to 100'],
    ['Max conversations', '0', 'Must be at least 1'],
    ['Concurrency', '33', 'Must be from 1 to 32'],
    ['Concurrency', 'many', 'Enter a whole number from 1 to 32'],
    ['Cache TTL', '60', 'Not a duration: use a number and a unit, e.g. 30s, 5m, 1h30m'],
    ['Timeout', '0s', 'Must be longer than 0s'],
  ])('%s = %p is refused with "%s"', (label, value, message) => {
    const { onOptionsChange } = setup({}, true);
    fireEvent.change(screen.getByLabelText(new RegExp(`^${label}`)), { target: { value } });
    expect(screen.getByText(message)).toBeInTheDocument();
    expect(onOptionsChange).not.toHaveBeenCalled();
  });

  it('flags a header name that is not a header name', () => {
    setup({ jsonData: { authHeader: 'Bad Header:' } }, true);
    expect(screen.getByText('Use letters, digits and dashes only')).toBeInTheDocument();
  });
});
