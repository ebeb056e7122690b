import '../testEnv';
import { screen, within } from '@testing-library/react';

import QUERY_JSON from '../../generated/query.json';
import { AgentSightQuery, aggregationLabel, Measure, MEASURES, measureSpec } from '../../types';
import { comboboxOptions, pickComboboxOption, renderQueryEditor, User } from '../testUtils';
import { changeMeasure, statsGroups } from './StatsFields';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ getVariables: () => [{ name: 'dim' }], replace: (s: string) => s }),
}));

// Heavy: @grafana/ui menus driven through user-event take seconds on a loaded 2-core machine.
jest.setTimeout(60000);

function setup(query: Partial<AgentSightQuery>) {
  return renderQueryEditor(query);
}

/** The options' text a Combobox offers once opened. */
async function offered(user: User, label: string, typed = '') {
  return (await comboboxOptions(user, label, typed)).map((o) => o.firstChild?.textContent ?? '');
}

describe('changeMeasure', () => {
  it.each<[string, Partial<AgentSightQuery>, Measure, Partial<AgentSightQuery>]>([
    [
      'keeps an aggregation the new measure has',
      { aggregation: 'p90' },
      'duration',
      { measure: 'duration', aggregation: 'p90' },
    ],
    [
      'takes the measure’s default otherwise',
      { aggregation: 'p90' },
      'customers',
      { measure: 'customers', aggregation: 'distinct' },
    ],
    [
      '…and back',
      { measure: 'customers', aggregation: 'distinct' },
      'messages',
      { measure: 'messages', aggregation: 'avg' },
    ],
    [
      'sender stays for sent messages',
      { measure: 'sent_messages', aggregation: 'count', groupBy: 'sender' },
      'sent_messages',
      { groupBy: 'sender' },
    ],
    [
      'sender becomes one series elsewhere',
      { measure: 'sent_messages', aggregation: 'count', groupBy: 'sender' },
      'duration',
      { measure: 'duration', aggregation: 'avg', groupBy: '' },
    ],
    ['a field group stays', { groupBy: 'language' }, 'customers', { groupBy: 'language' }],
    ['a variable group stays', { groupBy: '$dim' }, 'duration', { groupBy: '$dim' }],
  ])('%s', (_name, query, measure, expected) => {
    expect(changeMeasure({ refId: 'A', queryType: 'stats', ...query }, measure)).toMatchObject(expected);
  });

  it('offers sender only to the measures whose contract lists it', () => {
    for (const m of MEASURES) {
      expect(statsGroups(m).includes('sender')).toBe(measureSpec(m).groupBy.includes('sender'));
    }
    expect(MEASURES.filter((m) => statsGroups(m).includes('sender'))).toEqual(['sent_messages']);
  });
});

describe('the stats editor', () => {
  it('a count switched to stats draws the p90 response time at once, keeping filters, group and bucket', async () => {
    const { onChange, onRunQuery, user } = setup({
      queryType: 'count',
      groupBy: 'city',
      bucket: '1h',
      filters: { language: 'en' },
    });
    await user.click(screen.getByText('Stats', { exact: true }));
    expect(onChange).toHaveBeenCalledWith({
      refId: 'A',
      queryType: 'stats',
      filters: { language: 'en' },
      measure: 'response_time',
      aggregation: 'p90',
      groupBy: 'city',
      bucket: '1h',
    });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('a new stats query buckets by the panel interval', async () => {
    const { onChange, user } = setup({ queryType: 'conversations', limit: 5 });
    await user.click(screen.getByText('Stats', { exact: true }));
    expect(onChange).toHaveBeenCalledWith({
      refId: 'A',
      queryType: 'stats',
      measure: 'response_time',
      aggregation: 'p90',
      groupBy: '',
      bucket: '',
    });
  });

  it('a stats query grouped by sender switched to count becomes one series', async () => {
    const { onChange, user } = setup({
      queryType: 'stats',
      measure: 'sent_messages',
      aggregation: 'count',
      groupBy: 'sender',
    });
    await user.click(screen.getByText('Count', { exact: true }));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'count', groupBy: '', bucket: '' });
  });

  it('shows the measure, the aggregation, group by and bucket', () => {
    setup({ queryType: 'stats', measure: 'response_time', aggregation: 'p90', groupBy: '', bucket: '' });
    const options = within(screen.getByRole('group', { name: 'Options' }));
    expect(options.getByLabelText('Measure')).toHaveValue('Response time');
    expect(options.getByLabelText('Aggregation')).toHaveValue('90th percentile');
    expect(options.getByLabelText('Group by')).toHaveValue('None');
    expect(options.getByLabelText('Bucket')).toBeInTheDocument();
  });

  it('a stats query naming no measure shows what the backend reads: response time, its default aggregation', () => {
    setup({ queryType: 'stats' });
    expect(screen.getByLabelText('Measure')).toHaveValue('Response time');
    expect(screen.getByLabelText('Aggregation')).toHaveValue(
      aggregationLabel(measureSpec('response_time').aggregations[0])
    );
  });

  it('the measure picker lists the contract’s measures', async () => {
    const { user } = setup({ queryType: 'stats' });
    const labels = await offered(user, 'Measure');
    // Each option: the measure's label, then its description.
    expect(labels).toEqual(Object.values(QUERY_JSON.measures).map((m) => m.label + m.description));
  });

  it.each<Measure>(['customers', 'sent_messages', 'duration'])(
    'the aggregation picker of %s lists its valid aggregations only',
    async (measure) => {
      const { user } = setup({ queryType: 'stats', measure });
      const labels = await offered(user, 'Aggregation');
      // The list renders a few rows at a time: the first ones, in the contract's order.
      const expected = measureSpec(measure).aggregations.map(aggregationLabel);
      expect(labels).toEqual(expected.slice(0, labels.length));
      expect(labels.length).toBe(Math.min(expected.length, labels.length));
      if (expected.length === 1) {
        expect(labels).toEqual(expected);
      }
    }
  );

  // A pick is sent and run at once; a new measure keeps the query valid (its own aggregation).
  it.each<[string, Partial<AgentSightQuery>, string, string, Partial<AgentSightQuery>]>([
    [
      'picking a measure keeps the query valid for it',
      { measure: 'response_time', aggregation: 'p90' },
      'Measure',
      'Customers',
      { measure: 'customers', aggregation: 'distinct' },
    ],
    [
      'picking an aggregation sends it',
      { measure: 'duration', aggregation: 'avg' },
      'Aggregation',
      'Maximum',
      { measure: 'duration', aggregation: 'max' },
    ],
  ])('%s', async (_, stats, label, option, want) => {
    const { onChange, onRunQuery, user } = setup({ queryType: 'stats', groupBy: '', bucket: '', ...stats });
    await pickComboboxOption(user, label, option);
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'stats', groupBy: '', bucket: '', ...want });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it.each<[Measure, boolean]>([
    ['sent_messages', true],
    ['response_time', false],
    ['customers', false],
  ])('group by of %s offers Sender: %s', async (measure, offersSender) => {
    const { user } = setup({ queryType: 'stats', measure, groupBy: '' });
    const labels = await offered(user, 'Group by', 'Se');
    expect(labels.includes('Sender')).toBe(offersSender);
  });
});
