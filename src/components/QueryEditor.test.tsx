import './testEnv';
import React from 'react';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createDataFrame, dateTime, LoadingState, PanelData, TimeRange } from '@grafana/data';

import { QueryEditor } from './QueryEditor';
import type { DataSource } from '../datasource';
import { AgentSightQuery, QueryType } from '../types';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ getVariables: () => [{ name: 'lang' }], replace: (s: string) => s }),
}));

const range: TimeRange = {
  from: dateTime(1700000000000),
  to: dateTime(1700003600000),
  raw: { from: 'now-1h', to: 'now' },
};

function setup(query: Partial<AgentSightQuery> = {}, data?: PanelData) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  const getValues = jest.fn().mockResolvedValue([
    { text: 'en', value: 'en' },
    { text: 'fr', value: 'fr' },
  ]);
  const datasource = { getValues } as unknown as DataSource;
  const q: AgentSightQuery = { refId: 'A', ...query };
  const utils = render(
    <QueryEditor
      query={q}
      onChange={onChange}
      onRunQuery={onRunQuery}
      datasource={datasource}
      range={range}
      data={data}
    />
  );
  return { ...utils, onChange, onRunQuery, getValues, query: q, user: userEvent.setup() };
}

const radio = (name: string) => screen.getByRole('radio', { name });

/** Picks an option of a Select (bucket, filters). */
async function pickOption(user: ReturnType<typeof userEvent.setup>, label: string, option: string) {
  await user.click(screen.getByLabelText(label));
  const menu = await screen.findByLabelText('Select options menu');
  await user.click(within(menu).getByText(option));
}

/** Picks an option of a Combobox (group by, field); an option's accessible name also holds its description. */
async function pickComboboxOption(user: ReturnType<typeof userEvent.setup>, label: string, option: string) {
  await user.click(screen.getByLabelText(label));
  const found = await waitFor(() => {
    const options = screen.getAllByRole('option');
    const match = options.find((o) => within(o).queryByText(option, { exact: true }));
    if (!match) {
      throw new Error(`no option ${option} among ${options.map((o) => o.textContent).join(', ')}`);
    }
    return match;
  });
  await user.click(found);
}

// user-event typing through @grafana/ui is slow under a loaded CI machine.
jest.setTimeout(30000);

describe('QueryEditor', () => {
  it('shows a count query by default with group by and bucket only', () => {
    setup();
    expect(radio('Count')).toBeChecked();
    expect(screen.getByLabelText('Group by')).toBeInTheDocument();
    expect(screen.getByLabelText('Bucket')).toBeInTheDocument();
    expect(screen.queryByLabelText('Conversation')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Limit')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Field')).not.toBeInTheDocument();
    // filters are there for every type
    for (const label of [
      'Language',
      'Device',
      'Customer ID',
      'Action name',
      'Message contains',
      'Conversation ID',
      'Customer IP',
    ]) {
      expect(screen.getByLabelText(label)).toBeInTheDocument();
    }
    expect(radio('Any')).toBeChecked();
  });

  it.each<[QueryType, string[], string[]]>([
    ['count', ['Group by', 'Bucket'], ['Conversation', 'Limit', 'Field']],
    ['conversations', ['Limit'], ['Group by', 'Bucket', 'Conversation', 'Field']],
    ['messages', ['Conversation', 'Limit'], ['Group by', 'Bucket', 'Field']],
    ['attachments', ['Conversation', 'Limit'], ['Group by', 'Bucket', 'Field']],
    ['values', ['Field'], ['Group by', 'Bucket', 'Conversation', 'Limit']],
  ])('%s shows %j and hides %j', (queryType, shown, hidden) => {
    setup({ queryType });
    expect(radio(queryType[0].toUpperCase() + queryType.slice(1))).toBeChecked();
    shown.forEach((l) => expect(screen.getByLabelText(l)).toBeInTheDocument());
    hidden.forEach((l) => expect(screen.queryByLabelText(l)).not.toBeInTheDocument());
  });

  it.each<[string, AgentSightQuery]>([
    ['Conversations', { refId: 'A', queryType: 'conversations', filters: { language: 'en' }, limit: 50 }],
    ['Messages', { refId: 'A', queryType: 'messages', filters: { language: 'en' }, limit: 50 }],
    ['Attachments', { refId: 'A', queryType: 'attachments', filters: { language: 'en' }, limit: 50 }],
    ['Values', { refId: 'A', queryType: 'values', filters: { language: 'en' }, field: 'language' }],
  ])('switching a count to %s keeps filters and drops count settings', async (label, expected) => {
    const { onChange, onRunQuery, user } = setup({
      queryType: 'count',
      groupBy: 'city',
      bucket: '1h',
      limit: 50,
      filters: { language: 'en' },
    });
    await user.click(radio(label));
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledWith(expected);
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('switching back to count restores its defaults and drops table settings', async () => {
    const { onChange, user } = setup({ queryType: 'messages', conversationId: 42, limit: 10 });
    await user.click(radio('Count'));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'count', groupBy: '', bucket: '' });
  });

  it('group by', async () => {
    const { onChange, onRunQuery, user } = setup({ queryType: 'count', groupBy: '', bucket: '' });
    expect(screen.getByLabelText('Group by')).toHaveValue('None');
    await pickComboboxOption(user, 'Group by', 'Country');
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'count', groupBy: 'country', bucket: '' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('bucket: a listed one, a custom duration, and an invalid one', async () => {
    const { onChange, onRunQuery, user } = setup({ queryType: 'count', bucket: '' });
    await pickOption(user, 'Bucket', 'Total');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'count', bucket: 'total' });

    await user.click(screen.getByLabelText('Bucket'));
    await user.keyboard('10m{Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'count', bucket: '10m' });
    expect(onRunQuery).toHaveBeenCalledTimes(2);

    await user.click(screen.getByLabelText('Bucket'));
    await user.keyboard('soon{Enter}');
    expect(screen.getByText(/^Not a duration/)).toBeInTheDocument();
    expect(onChange).toHaveBeenCalledTimes(2);
  });

  it('language drop-down loads the values of the range and emits one value as a string', async () => {
    const { onChange, onRunQuery, getValues, user } = setup({ filters: {} });
    await pickOption(user, 'Language', 'fr');
    expect(getValues).toHaveBeenCalledWith('language', range);
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', filters: { language: 'fr' } });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('a second value makes an array; dashboard variables are offered', async () => {
    const { onChange, user } = setup({ filters: { device: 'mobile' } });
    await user.click(screen.getByLabelText('Device'));
    const menu = await screen.findByLabelText('Select options menu');
    expect(within(menu).getByText('$lang')).toBeInTheDocument();
    await user.click(within(menu).getByText('en'));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', filters: { device: ['mobile', 'en'] } });
  });

  it('custom values are allowed', async () => {
    const { onChange, user } = setup({ filters: {} });
    await user.click(screen.getByLabelText('Customer ID'));
    await screen.findByLabelText('Select options menu');
    await user.keyboard('cust_9{Enter}');
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', filters: { customer_id: 'cust_9' } });
  });

  it('removing the last value removes the filter', async () => {
    const { onChange, user } = setup({ filters: { action_name: 'book', language: 'en' } });
    await user.click(screen.getAllByLabelText('Remove')[0]);
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', filters: { action_name: 'book' } });
  });

  it('text filters apply on blur and Enter, never on each key press', async () => {
    const { onChange, onRunQuery, user } = setup({ filters: {} });
    const input = screen.getByLabelText('Message contains');
    await user.type(input, 'refund');
    expect(onChange).not.toHaveBeenCalled();
    expect(onRunQuery).not.toHaveBeenCalled();
    act(() => input.blur());
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', filters: { message_contains: 'refund' } });
    expect(onRunQuery).toHaveBeenCalledTimes(1);

    const ip = screen.getByLabelText('Customer IP');
    await user.type(ip, '203.0.113.45{Enter}');
    expect(onChange).toHaveBeenCalledTimes(2);
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', filters: { customer_ip_address: '203.0.113.45' } });
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('blur without a change does not run the query', async () => {
    const { onChange, onRunQuery, user } = setup({ filters: { conversation_id: 'abc123' } });
    const input = screen.getByLabelText('Conversation ID');
    expect(input).toHaveValue('abc123');
    await user.click(input);
    act(() => input.blur());
    expect(onChange).not.toHaveBeenCalled();
    expect(onRunQuery).not.toHaveBeenCalled();
  });

  it('emptying a text filter removes it', async () => {
    const { onChange, user } = setup({ filters: { conversation_id: 'abc123', language: 'en' } });
    await user.clear(screen.getByLabelText('Conversation ID'));
    await user.keyboard('{Enter}');
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', filters: { language: 'en' } });
  });

  it('has messages is tri-state', async () => {
    const { onChange, user, rerender, onRunQuery } = setup({ filters: {} });
    await user.click(radio('With messages'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', filters: { has_messages: true } });
    await user.click(radio('Without messages'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', filters: { has_messages: false } });
    rerender(
      <QueryEditor
        query={{ refId: 'A', filters: { has_messages: false } }}
        onChange={onChange}
        onRunQuery={onRunQuery}
        datasource={{} as DataSource}
      />
    );
    expect(radio('Without messages')).toBeChecked();
    await user.click(radio('Any'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', filters: {} });
    expect(onRunQuery).toHaveBeenCalledTimes(3);
  });

  it('conversation id: a number, a variable, or an error', async () => {
    const { onChange, user } = setup({ queryType: 'messages' });
    const input = screen.getByLabelText('Conversation');
    await user.type(input, '42{Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'messages', conversationId: 42 });
    await user.clear(input);
    await user.type(input, '$conv{Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'messages', conversationId: '$conv' });
    await user.clear(input);
    await user.type(input, 'abc{Enter}');
    expect(screen.getByText('Enter the numeric id of a conversation (or a $variable)')).toBeInTheDocument();
    expect(onChange).toHaveBeenCalledTimes(2);
  });

  it('limit', async () => {
    const { onChange, user } = setup({ queryType: 'conversations', limit: 10 });
    const input = screen.getByLabelText('Limit');
    expect(input).toHaveValue('10');
    await user.clear(input);
    await user.type(input, '500{Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'conversations', limit: 500 });
    await user.clear(input);
    await user.keyboard('{Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'conversations' });
    await user.type(input, 'ten{Enter}');
    expect(screen.getByText(/^Enter a whole number/)).toBeInTheDocument();
    expect(onChange).toHaveBeenCalledTimes(2);
  });

  it('values field', async () => {
    const { onChange, onRunQuery, user } = setup({ queryType: 'values', field: 'language' });
    expect(screen.getByLabelText('Field')).toHaveValue('Language');
    await pickComboboxOption(user, 'Field', 'City');
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'values', field: 'city' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('explains why a messages query without a selection does not run', () => {
    setup({ queryType: 'messages' });
    expect(screen.getByText(/runs once it has a conversation ID or at least one filter/)).toBeInTheDocument();
  });

  it('shows the executed API calls of its own query only', async () => {
    const data: PanelData = {
      state: LoadingState.Done,
      timeRange: range,
      series: [
        createDataFrame({
          refId: 'A',
          fields: [],
          meta: { executedQueryString: 'GET /api/conversations/?language=en&page=1&page_size=100' },
        }),
        createDataFrame({ refId: 'B', fields: [], meta: { executedQueryString: 'GET /api/conversations/42/' } }),
      ],
    };
    setup({}, data);
    await waitFor(() => expect(screen.getByTestId('agentsight-executed')).toBeInTheDocument());
    expect(screen.getByText('GET /api/conversations/?language=en&page=1&page_size=100')).toBeInTheDocument();
    expect(screen.queryByText('GET /api/conversations/42/')).not.toBeInTheDocument();
  });

  it('re-syncs a text field when the query changes from outside', () => {
    const { rerender, onChange, onRunQuery } = setup({ filters: { message_contains: 'a' } });
    rerender(
      <QueryEditor
        query={{ refId: 'A', filters: { message_contains: 'b' } }}
        onChange={onChange}
        onRunQuery={onRunQuery}
        datasource={{} as DataSource}
      />
    );
    expect(screen.getByLabelText('Message contains')).toHaveValue('b');
    fireEvent.blur(screen.getByLabelText('Message contains'));
    expect(onChange).not.toHaveBeenCalled();
  });
});
