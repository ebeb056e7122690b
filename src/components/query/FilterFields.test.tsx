import '../testEnv';
import React, { useState } from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { AgentSightFilters, FILTER_SPECS, QueryType } from '../../types';
import { addFilterOptions, FilterFields, shownFilters } from './FilterFields';
import { addFilter } from '../testUtils';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ getVariables: () => [{ name: 'lang' }], replace: (s: string) => s }),
}));

// Heavy: @grafana/ui menus driven through user-event take seconds on a loaded 2-core machine.
jest.setTimeout(60000);

/** The filters as a query editor holds them: every commit is the next render's filters. */
function setup(initial: AgentSightFilters = {}, queryType: QueryType = 'count') {
  const commits: AgentSightFilters[] = [];
  function Editor() {
    const [filters, setFilters] = useState<AgentSightFilters>(initial);
    return (
      <FilterFields
        filters={filters}
        queryType={queryType}
        getValues={async () => [{ text: 'en', value: 'en' }]}
        onCommit={(f) => {
          commits.push(f);
          setFilters(f);
        }}
      />
    );
  }
  const utils = render(<Editor />);
  return { ...utils, commits, user: userEvent.setup({ delay: null }) };
}

const rowLabels = () => Array.from(document.querySelectorAll('label')).map((l) => l.textContent);

describe('shownFilters', () => {
  it.each<[string, AgentSightFilters, string[], string[]]>([
    ['nothing set', {}, [], []],
    ['empty values are not set', { language: '', device: [''], customer_id: ['', ' '] }, [], []],
    [
      'set values, in the contract order',
      { has_messages: false, device: 'mobile', language: 'en' },
      [],
      ['language', 'device', 'has_messages'],
    ],
    ['a variable is set', { language: '$lang' }, [], ['language']],
    ['kept filters show unset', { language: 'en' }, ['is_marked'], ['language', 'is_marked']],
  ])('%s', (_name, filters, kept, expected) => {
    expect(shownFilters(filters, kept as never)).toEqual(expected);
  });
});

describe('addFilterOptions', () => {
  it('offers every filter of the contract not shown, with its label and help', () => {
    const all = addFilterOptions([]);
    expect(all.map((o) => [o.value, o.label, o.description])).toEqual(
      FILTER_SPECS.map((f) => [f.key, f.label, f.help])
    );
    expect(addFilterOptions(['language', 'has_messages']).map((o) => o.value)).toEqual(
      FILTER_SPECS.map((f) => f.key).filter((k) => k !== 'language' && k !== 'has_messages')
    );
    expect(addFilterOptions(FILTER_SPECS.map((f) => f.key))).toEqual([]);
  });
});

describe('FilterFields', () => {
  it('shows the set filters only, each with a remove button', () => {
    setup({ language: 'en', has_feedback: true });
    expect(rowLabels()).toEqual(['Language', 'Has feedback', 'Add filter']);
    expect(screen.getByRole('button', { name: 'Remove Language filter' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Remove Has feedback filter' })).toBeInTheDocument();
  });

  it('a filter set from a variable stays visible, with its variable', () => {
    setup({ language: '$lang' });
    expect(rowLabels()).toEqual(['Language', 'Add filter']);
    expect(screen.getByText('$lang')).toBeInTheDocument();
  });

  it('adding a filter shows its row, focused, without sending anything; a value sends it', async () => {
    const { commits, user } = setup();
    const input = await addFilter(user, 'Name contains');
    expect(input).toHaveFocus();
    expect(commits).toEqual([]);
    await user.keyboard('refund bot{Enter}');
    expect(commits).toEqual([{ name: 'refund bot' }]);
    expect(rowLabels()).toEqual(['Name contains', 'Add filter']);
  });

  it('the picker no longer offers a filter that is shown', async () => {
    const { user } = setup({ language: 'en' });
    await user.click(screen.getByLabelText('Add filter'));
    await user.keyboard('Lang');
    await waitFor(() => expect(screen.getByRole('listbox')).toBeInTheDocument());
    expect(screen.queryByRole('option', { name: /^Language/ })).not.toBeInTheDocument();
  });

  it('the remove button unsets the filter and hides its row; the picker offers it again', async () => {
    const { commits, user } = setup({ language: 'en', device: ['mobile', 'tablet'] });
    await user.click(screen.getByRole('button', { name: 'Remove Device filter' }));
    expect(commits).toEqual([{ language: 'en' }]);
    expect(rowLabels()).toEqual(['Language', 'Add filter']);
    await addFilter(user, 'Device');
    expect(rowLabels()).toEqual(['Language', 'Device', 'Add filter']);
  });

  it('removing a filter added but never set sends nothing', async () => {
    const { commits, user } = setup();
    await addFilter(user, 'Marked');
    await user.click(screen.getByRole('button', { name: 'Remove Marked filter' }));
    expect(commits).toEqual([]);
    expect(rowLabels()).toEqual(['Add filter']);
  });

  it('a filter emptied in its field is unset but keeps its row until removed', async () => {
    const { commits, user } = setup({ conversation_id: 'conv-1' });
    await user.clear(screen.getByLabelText('Conversation ID'));
    await user.keyboard('{Enter}');
    expect(commits).toEqual([{}]);
    expect(screen.getByLabelText('Conversation ID')).toHaveValue('');
    await user.click(screen.getByRole('button', { name: 'Remove Conversation ID filter' }));
    expect(commits).toEqual([{}]);
    expect(rowLabels()).toEqual(['Add filter']);
  });

  it('with every filter shown, the picker is gone', () => {
    const every = Object.fromEntries(
      FILTER_SPECS.map((f) => [f.key, f.kind === 'boolean' ? true : f.kind === 'choice' ? f.choices![0] : 'x'])
    );
    setup(every);
    expect(screen.queryByLabelText('Add filter')).not.toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: /^Remove .* filter$/ })).toHaveLength(FILTER_SPECS.length);
  });
});
