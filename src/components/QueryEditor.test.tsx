import './testEnv';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { createDataFrame, LoadingState, PanelData } from '@grafana/data';

import { AgentSightQuery, FILTER_SPECS, QueryType } from '../types';
import { addFilter, comboboxOptions, pickComboboxOption, renderQueryEditor, testRange, User } from './testUtils';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ getVariables: () => [{ name: 'lang' }], replace: (s: string) => s }),
}));

// Heavy: every test renders the whole editor and drives @grafana/ui menus, which takes seconds per
// test on a loaded 2-core CI machine (jest runs beside the Go race tests there).
jest.setTimeout(60000);

/** The editor of query, whose drop-downs offer the languages en and fr. */
function setup(query: Partial<AgentSightQuery> = {}, data?: PanelData) {
  const getValues = jest.fn().mockResolvedValue([
    { text: 'en', value: 'en' },
    { text: 'fr', value: 'fr' },
  ]);
  return renderQueryEditor(query, { getValues, data });
}

const radio = (name: string) => screen.getByRole('radio', { name });
const group = (name: string) => screen.getByRole('group', { name });

/** Picks an option of a Select (bucket, filters). */
async function pickOption(user: User, label: string, option: string) {
  await user.click(screen.getByLabelText(label));
  const menu = await screen.findByLabelText('Select options menu');
  await user.click(within(menu).getByText(option));
}

/** Every filter set, so that every row shows (string filters first, in the contract's order). */
const ALL_FILTERS: AgentSightQuery['filters'] = {
  language: 'en',
  device: 'mobile',
  customer_id: 'c1',
  customer_id__icontains: 'c',
  feedback_sentiment: 'negative',
  feedback_source: 'widget',
  message_contains: 'refund',
  name: 'n',
  action_name: 'book',
  conversation_id: 'conv-1',
  customer_ip_address: '203.0.113.45',
  has_messages: true,
  has_feedback: true,
  is_marked: false,
  include_deleted: true,
};

const FILTER_LABELS = [
  'Language',
  'Device',
  'Customer ID',
  'Message contains',
  'Action name',
  'Conversation ID',
  'Customer IP',
  'Has messages',
];

describe('QueryEditor', () => {
  it('a new query shows no filter rows, and an Add filter picker listing every filter of the contract', async () => {
    const { user } = setup();
    expect(radio('Count')).toBeChecked();
    const filters = within(group('Filters'));
    for (const label of FILTER_LABELS) {
      expect(filters.queryByLabelText(label)).not.toBeInTheDocument();
    }
    const options = within(group('Options'));
    expect(options.getByLabelText('Group by')).toHaveValue('None');
    expect(options.getByLabelText('Bucket')).toBeInTheDocument();

    const offered = await comboboxOptions(user, 'Add filter');
    const first = FILTER_SPECS[0];
    expect(within(offered[0]).getByText(first.label, { exact: true })).toBeInTheDocument();
    expect(within(offered[0]).getByText(first.help, { exact: true })).toBeInTheDocument();
  });

  it('ties every label to its control (clicking the label focuses it; the browser check clicks)', () => {
    setup({ queryType: 'count', filters: ALL_FILTERS });
    expect(screen.queryByLabelText('Add filter')).not.toBeInTheDocument();
    for (const label of [...FILTER_LABELS, 'Group by', 'Bucket']) {
      const labelElement = screen.getByText(label, { selector: 'label' }) as HTMLLabelElement;
      expect(labelElement.control).not.toBeNull();
      expect(labelElement.control).toBe(screen.getByLabelText(label));
    }
  });

  it('tabs through the fields in the order they are shown', async () => {
    // Set in another order than the contract's, which is the order shown.
    const { user } = setup({
      queryType: 'conversations',
      filters: {
        customer_ip_address: '203.0.113.45',
        language: 'en',
        action_name: 'book',
        feedback_sentiment: 'negative',
      },
    });
    const order = ['Language', 'Feedback sentiment', 'Action name', 'Customer IP'];
    const inputs = order.map((l) => screen.getByLabelText(l));
    act(() => inputs[0].focus());
    for (const next of inputs.slice(1)) {
      // Each row's remove button and each label's info icon (its tooltip) are tab stops too, so
      // tab until the next control.
      for (let i = 0; i < 4 && document.activeElement !== next; i++) {
        await user.tab();
      }
      expect(next).toHaveFocus();
    }
  });

  it.each<[QueryType, string[], string[]]>([
    ['count', ['Group by', 'Bucket'], ['Measure', 'Aggregation', 'Conversation', 'Limit', 'Field']],
    ['stats', ['Measure', 'Aggregation', 'Group by', 'Bucket'], ['Conversation', 'Limit', 'Field']],
    ['conversations', ['Limit'], ['Measure', 'Aggregation', 'Group by', 'Bucket', 'Conversation', 'Field']],
    ['messages', ['Conversation', 'Limit'], ['Measure', 'Aggregation', 'Group by', 'Bucket', 'Field']],
    ['attachments', ['Conversation', 'Limit'], ['Measure', 'Aggregation', 'Group by', 'Bucket', 'Field']],
    ['values', ['Field'], ['Measure', 'Aggregation', 'Group by', 'Bucket', 'Conversation', 'Limit']],
    ['annotations', ['Limit'], ['Measure', 'Aggregation', 'Group by', 'Bucket', 'Conversation', 'Field']],
  ])('%s shows the options %j and hides %j', (queryType, shown, hidden) => {
    setup({ queryType });
    expect(radio(queryType[0].toUpperCase() + queryType.slice(1))).toBeChecked();
    shown.forEach((l) => expect(within(group('Options')).getByLabelText(l)).toBeInTheDocument());
    hidden.forEach((l) => expect(screen.queryByLabelText(l)).not.toBeInTheDocument());
  });

  it('keeps "Conversation" (the numeric id) and "Conversation ID" (the filter) in different groups', () => {
    setup({ queryType: 'messages', filters: { language: 'en', conversation_id: 'conv-1' } });
    expect(within(group('Options')).getByLabelText('Conversation')).toHaveAttribute(
      'placeholder',
      'numeric id, e.g. 42'
    );
    expect(within(group('Options')).queryByLabelText('Conversation ID')).not.toBeInTheDocument();
    expect(within(group('Filters')).getByLabelText('Conversation ID')).toBeInTheDocument();
    expect(within(group('Filters')).queryByLabelText('Conversation')).not.toBeInTheDocument();
  });

  it.each<QueryType>(['messages', 'attachments'])(
    'a %s query of one conversation hides the filters it ignores',
    (queryType) => {
      setup({ queryType, conversationId: 42 });
      for (const label of [...FILTER_LABELS, 'Add filter']) {
        expect(screen.queryByLabelText(label)).not.toBeInTheDocument();
      }
      expect(within(group('Filters')).getByText(/do not apply: conversation 42 is read by its id/)).toBeInTheDocument();
      expect(screen.getByLabelText('Conversation')).toHaveValue('42');
      expect(screen.getByLabelText('Limit')).toBeInTheDocument();
    }
  );

  it('action name is typed, with a hint, not a drop-down', async () => {
    const { user } = setup();
    const input = await addFilter(user, 'Action name');
    expect(input).toHaveAttribute('placeholder', 'e.g. book_meeting');
    expect(input).not.toHaveAttribute('role', 'combobox');
    expect(input).toHaveAccessibleDescription('Type it: the API does not list actions');
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

  it('group by: a field or a dashboard variable', async () => {
    const { onChange, onRunQuery, user } = setup({ queryType: 'count', groupBy: '', bucket: '' });
    await pickComboboxOption(user, 'Group by', 'Country');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'count', groupBy: 'country', bucket: '' });
    await pickComboboxOption(user, 'Group by', '$lang');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'count', groupBy: '$lang', bucket: '' });
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('a pick reported twice before the editor re-renders runs the query once', async () => {
    // The editor is not re-rendered with the new query here, as between Grafana's Combobox
    // reporting one pick twice: the second report is the query already sent.
    const { onChange, onRunQuery, user } = setup({ queryType: 'count', groupBy: '', bucket: '' });
    await pickComboboxOption(user, 'Group by', 'Country');
    await pickComboboxOption(user, 'Group by', 'Country');
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('shows a saved $variable group by', () => {
    setup({ queryType: 'count', groupBy: '$dim' });
    expect(screen.getByLabelText('Group by')).toHaveValue('$dim');
  });

  it('bucket: a listed one, a custom duration, a variable', async () => {
    const { onChange, onRunQuery, user } = setup({ queryType: 'count', bucket: '' });
    await pickOption(user, 'Bucket', 'Total');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'count', bucket: 'total' });

    await user.click(screen.getByLabelText('Bucket'));
    await user.keyboard('10m{Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'count', bucket: '10m' });

    await pickOption(user, 'Bucket', '$lang');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'count', bucket: '$lang' });
    expect(onRunQuery).toHaveBeenCalledTimes(3);
  });

  it('an invalid typed bucket stays on screen with its error and is not sent', async () => {
    const { onChange, user } = setup({ queryType: 'count', bucket: '' });
    await user.click(screen.getByLabelText('Bucket'));
    await user.keyboard('fortnight{Enter}');
    expect(screen.getByText(/^Not a duration/)).toBeInTheDocument();
    expect(within(group('Options')).getByText('fortnight')).toBeInTheDocument();
    expect(screen.queryByText('Auto')).not.toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();

    await pickOption(user, 'Bucket', '1h');
    expect(screen.queryByText(/^Not a duration/)).not.toBeInTheDocument();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'count', bucket: '1h' });
  });

  it('a bucket in Grafana units is sent as typed; one beyond the backend bounds is refused', async () => {
    const { onChange, user } = setup({ queryType: 'count', bucket: '' });
    await user.click(screen.getByLabelText('Bucket'));
    await user.keyboard('400d{Enter}');
    expect(screen.getByText('Use a bucket from 1m to 366d')).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();

    await user.click(screen.getByLabelText('Bucket'));
    await user.keyboard('1d{Enter}');
    expect(screen.queryByText('Use a bucket from 1m to 366d')).not.toBeInTheDocument();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'count', bucket: '1d' });
  });

  it('language drop-down loads the values of the range and emits one value as a string', async () => {
    const { onChange, onRunQuery, getValues, user } = setup({ filters: {} });
    await addFilter(user, 'Language');
    await pickOption(user, 'Language', 'fr');
    expect(getValues).toHaveBeenCalledWith('language', testRange);
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
    await user.click(await addFilter(user, 'Customer ID'));
    await screen.findByLabelText('Select options menu');
    await user.keyboard('cust_9{Enter}');
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', filters: { customer_id: 'cust_9' } });
  });

  it('feedback sentiment offers its three choices, not the values resource', async () => {
    const { onChange, getValues, user } = setup({ filters: {} });
    await user.click(await addFilter(user, 'Feedback sentiment'));
    await user.click(await screen.findByText('negative'));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', filters: { feedback_sentiment: 'negative' } });
    expect(screen.queryByText('en')).not.toBeInTheDocument();
    expect(getValues).not.toHaveBeenCalled();
  });

  it.each(['Has messages', 'Marked', 'Has feedback', 'Include deleted'])(
    'adding %s shows a drop-down at Any and sends nothing until a choice',
    async (label) => {
      const { onChange, onRunQuery, user } = setup({ filters: {} });
      const input = await addFilter(user, label);
      expect(within(group('Filters')).getByLabelText(label)).toHaveValue('Any');
      expect(input).toHaveFocus();
      expect(onChange).not.toHaveBeenCalled();
      expect(onRunQuery).not.toHaveBeenCalled();
    }
  );

  it('a text filter holding a list shows each value and keeps the list', async () => {
    const { onChange, user } = setup({ filters: { message_contains: ['refund', 'cancel', 'late'] } });
    for (const v of ['refund', 'cancel', 'late']) {
      expect(within(group('Filters')).getByText(v)).toBeInTheDocument();
    }
    expect(screen.queryByDisplayValue(/refund, cancel/)).not.toBeInTheDocument();
    await user.click(screen.getAllByLabelText('Remove')[2]);
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', filters: { message_contains: ['refund', 'cancel'] } });
  });

  it('a text filter left with one value of its list shows it as text', async () => {
    const { onChange, showQuery, user } = setup({ filters: { message_contains: ['refund', 'cancel'] } });
    await user.click(screen.getAllByLabelText('Remove')[1]);
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', filters: { message_contains: 'refund' } });
    showQuery({ refId: 'A', filters: { message_contains: 'refund' } });
    expect(screen.getByLabelText('Message contains')).toHaveValue('refund');
  });

  it('removing the last value removes the filter', async () => {
    const { onChange, user } = setup({ filters: { action_name: 'book', language: 'en' } });
    await user.click(screen.getAllByLabelText('Remove')[0]);
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', filters: { action_name: 'book' } });
  });

  it('text filters apply on blur and Enter, never on each key press', async () => {
    const { onChange, onRunQuery, user } = setup({ filters: {} });
    const input = await addFilter(user, 'Message contains');
    await user.type(input, 'refund');
    expect(onChange).not.toHaveBeenCalled();
    expect(onRunQuery).not.toHaveBeenCalled();
    act(() => input.blur());
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', filters: { message_contains: 'refund' } });
    expect(onRunQuery).toHaveBeenCalledTimes(1);

    await user.type(await addFilter(user, 'Action name'), 'book_meeting{Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', filters: { action_name: 'book_meeting' } });
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
    const { onChange, user, onRunQuery } = setup({ queryType: 'conversations', filters: {} });
    await addFilter(user, 'Has messages');
    await pickComboboxOption(user, 'Has messages', 'Without messages');
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'conversations',
      filters: { has_messages: false },
    });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('has messages "Any" removes the filter', async () => {
    const { onChange, user } = setup({ queryType: 'conversations', filters: { has_messages: true } });
    expect(screen.getByLabelText('Has messages')).toHaveValue('With messages');
    await pickComboboxOption(user, 'Has messages', 'Any');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'conversations', filters: {} });
  });

  it('a messages query does not offer "Without messages"', async () => {
    const { user } = setup({ queryType: 'messages', filters: { language: 'en' } });
    await addFilter(user, 'Has messages');
    const options = await comboboxOptions(user, 'Has messages');
    expect(options.map((o) => o.textContent)).toEqual(['Any', 'With messages']);
  });

  it('conversation: a number, a variable, or an error', async () => {
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

  it('values field: a field or a variable; action name is not offered', async () => {
    const { onChange, onRunQuery, user } = setup({ queryType: 'values', field: 'language' });
    expect(screen.getByLabelText('Field')).toHaveValue('Language');
    const options = await comboboxOptions(user, 'Field');
    expect(options.map((o) => o.textContent)).not.toContainEqual(expect.stringContaining('Action'));
    await user.keyboard('{Escape}');
    await pickComboboxOption(user, 'Field', 'City');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'values', field: 'city' });
    await pickComboboxOption(user, 'Field', '$lang');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'values', field: '$lang' });
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('explains why a messages query without a selection does not run', () => {
    setup({ queryType: 'messages' });
    expect(screen.getByText(/runs once it has a Conversation or at least one filter/)).toBeInTheDocument();
  });

  it('shows the executed API calls of its own query only', async () => {
    const data: PanelData = {
      state: LoadingState.Done,
      timeRange: testRange,
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
    const { showQuery, onChange } = setup({ filters: { message_contains: 'a' } });
    showQuery({ refId: 'A', filters: { message_contains: 'b' } });
    expect(screen.getByLabelText('Message contains')).toHaveValue('b');
    fireEvent.blur(screen.getByLabelText('Message contains'));
    expect(onChange).not.toHaveBeenCalled();
  });
});
