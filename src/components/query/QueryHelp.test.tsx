import '../testEnv';
import fs from 'fs';
import path from 'path';
import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import type { DataSource } from '../../datasource';
import { QUERY_EXAMPLES } from './examples';
import { QueryHelp } from './QueryHelp';

jest.setTimeout(20000);

describe('QueryHelp', () => {
  it("loads an example into the editor, keeping the query's refId", async () => {
    const onClickExample = jest.fn();
    const user = userEvent.setup();
    render(<QueryHelp datasource={{} as DataSource} query={{ refId: 'C' }} onClickExample={onClickExample} />);
    await user.click(screen.getByRole('button', { name: 'Use example: Transcripts that mention a refund' }));
    expect(onClickExample).toHaveBeenCalledWith({
      refId: 'C',
      queryType: 'messages',
      filters: { message_contains: 'refund' },
    });
  });

  it("shows every example of the README's query reference, and only those", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
    const reference = readme.slice(
      readme.indexOf('## Query reference'),
      readme.indexOf('\n## ', readme.indexOf('## Query reference') + 1)
    );
    const documented = reference
      .split('\n')
      .filter((line) => line.startsWith('{ "refId"'))
      .map((line) => JSON.parse(line));
    // The first line of the reference shows every key at once; it is not a query to run.
    const runnable = documented.slice(1);
    expect(QUERY_EXAMPLES.map((e) => e.query)).toEqual(expect.arrayContaining(runnable));
    expect(runnable).toEqual(expect.arrayContaining(QUERY_EXAMPLES.map((e) => e.query)));
  });
});
