import '../testEnv';
import React from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { dateTime, TimeRange } from '@grafana/data';

import QUERY_JSON from '../../generated/query.json';
import { QueryEditor } from '../QueryEditor';
import { AgentSightQuery, aggregationLabel, EditorDataSource, Measure, MEASURES, measureSpec } from '../../types';
import { changeMeasure, statsGroups } from './StatsFields';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ getVariables: () => [{ name: 'dim' }], replace: (s: string) => s }),
}));

// Heavy: @grafana/ui menus driven through user-event take seconds on a loaded 2-core machine.
jest.setTimeout(60000);

const range: TimeRange = {
  from: dateTime(1700000000000),
  to: dateTime(1700003600000),
  raw: { from: 'now-1h', to: 'now' },
};

function setup(query: Partial<AgentSightQuery>) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  render(
    <QueryEditor
      query={{ refId: 'A', ...query }}
      onChange={onChange}
      onRunQuery={onRunQuery}
      datasource={{ getValues: jest.fn().mockResolvedValue([]) } as unknown as EditorDataSource}
      range={range}
    />
  );
  return { onChange, onRunQuery, user: userEvent.setup({ delay: null }) };
}

/** The options' text a Combobox offers once opened (typing narrows a list longer than its few rendered rows). */
async function offered(user: ReturnType<typeof userEvent.setup>, label: string, typed = '') {
  await user.click(screen.getByLabelText(label));
  if (typed) {
    await user.keyboard(typed);
  }
  const options = await waitFor(() => {
    const found = screen.getAllByRole('option');
    expect(found.length).toBeGreaterThan(0);
    return found;
  });
  return options.map((o) => o.firstChild?.textContent ?? '');
}

async function pick(user: ReturnType<typeof userEvent.setup>, label: string, option: string) {
  await user.click(screen.getByLabelText(label));
  const match = await waitFor(() => {
    const found = screen.getAllByRole('option').find((o) => within(o).queryByText(option, { exact: true }));
    expect(found).toBeDefined();
    return found!;
  });
  await user.click(match);
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

  it('picking a measure keeps the query valid for it', async () => {
    const { onChange, onRunQuery, user } = setup({
      queryType: 'stats',
      measure: 'response_time',
      aggregation: 'p90',
      groupBy: '',
      bucket: '',
    });
    await pick(user, 'Measure', 'Customers');
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'stats',
      measure: 'customers',
      aggregation: 'distinct',
      groupBy: '',
      bucket: '',
    });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('picking an aggregation sends it', async () => {
    const { onChange, user } = setup({
      queryType: 'stats',
      measure: 'duration',
      aggregation: 'avg',
      groupBy: '',
      bucket: '',
    });
    await pick(user, 'Aggregation', 'Maximum');
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'stats',
      measure: 'duration',
      aggregation: 'max',
      groupBy: '',
      bucket: '',
    });
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
