import { CoreApp, DataQueryRequest, dateTime, ScopedVars } from '@grafana/data';
import { BackendSrv, setBackendSrv } from '@grafana/runtime';
import { lastValueFrom, of } from 'rxjs';

import { DataSource } from './datasource';
import { AgentSightVariableSupport } from './variableSupport';
import { AgentSightQuery, AgentSightVariableQuery } from './types';
import { instanceSettings } from './testFixtures';

// A small stand-in for Grafana's template service: $name and ${name}, format functions, scoped vars.
const mockVariables: Record<string, string | string[]> = {
  lang: ['en', 'fr'],
  dev: 'mobile',
  one: ['de'],
  conv: '42',
  bucket: '1h',
  group: 'city',
  field: 'device',
  word: 'refund',
  notnum: 'abc',
};
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({
    getVariables: () => [],
    replace: (text: string, scopedVars?: Record<string, { value: unknown }>, format?: unknown) =>
      text.replace(/\$(\w+)|\$\{(\w+)\}/g, (match: string, a?: string, b?: string) => {
        const name = (a ?? b) as string;
        const value = scopedVars?.[name]?.value ?? mockVariables[name];
        if (value === undefined) {
          return match;
        }
        if (typeof format === 'function') {
          return format(value);
        }
        return Array.isArray(value) ? `{${value.join(',')}}` : String(value);
      }),
  }),
}));

const ds = () => new DataSource(instanceSettings);

describe('getDefaultQuery', () => {
  it('is a count with the panel interval', () => {
    expect(ds().getDefaultQuery(CoreApp.Explore)).toEqual({ queryType: 'count', filters: {}, groupBy: '', bucket: '' });
  });
});

describe('applyTemplateVariables', () => {
  it('keeps a query without variables as it is', () => {
    const q: AgentSightQuery = {
      refId: 'A',
      queryType: 'count',
      filters: { language: 'en', has_messages: true },
      groupBy: 'device',
      bucket: '5m',
    };
    expect(ds().applyTemplateVariables(q, {})).toEqual(q);
  });

  it('interpolates single values as strings and multi values as arrays', () => {
    const q: AgentSightQuery = {
      refId: 'A',
      queryType: 'count',
      filters: {
        language: '$lang',
        device: '${dev}',
        customer_id: '$one',
        message_contains: 'about $word',
        action_name: ['book', '$lang'],
        has_messages: false,
      },
      groupBy: '$group' as AgentSightQuery['groupBy'],
      bucket: '$bucket',
    };
    expect(ds().applyTemplateVariables(q, {})).toEqual({
      refId: 'A',
      queryType: 'count',
      filters: {
        language: ['en', 'fr'],
        device: 'mobile',
        customer_id: 'de',
        message_contains: 'about refund',
        action_name: ['book', 'en', 'fr'],
        has_messages: false,
      },
      groupBy: 'city',
      bucket: '1h',
    });
  });

  it('expands text around a multi-value variable', () => {
    const q: AgentSightQuery = { refId: 'A', filters: { customer_id: 'cust_$lang' } };
    expect(ds().applyTemplateVariables(q, {}).filters).toEqual({ customer_id: ['cust_en', 'cust_fr'] });
  });

  it('uses scoped variables (repeated panels) first', () => {
    const scoped: ScopedVars = { lang: { text: 'es', value: 'es' } };
    const q: AgentSightQuery = { refId: 'A', filters: { language: '$lang' } };
    expect(ds().applyTemplateVariables(q, scoped).filters).toEqual({ language: 'es' });
  });

  it('turns a $var conversation id into a number and the values field into its value', () => {
    expect(ds().applyTemplateVariables({ refId: 'A', queryType: 'messages', conversationId: '$conv' }, {})).toEqual({
      refId: 'A',
      queryType: 'messages',
      conversationId: 42,
    });
    expect(
      ds().applyTemplateVariables({ refId: 'A', queryType: 'messages', conversationId: 7 }, {}).conversationId
    ).toBe(7);
    expect(
      ds().applyTemplateVariables({ refId: 'A', queryType: 'messages', conversationId: '$notnum' }, {}).conversationId
    ).toBe('abc');
    expect(
      ds().applyTemplateVariables({ refId: 'A', queryType: 'values', field: '$field' as AgentSightQuery['field'] }, {})
        .field
    ).toBe('device');
  });
});

describe("interpolateVariablesInQueries (a panel's Explore link)", () => {
  it('resolves every variable and names the data source', () => {
    const queries: AgentSightQuery[] = [
      {
        refId: 'A',
        queryType: 'count',
        filters: { language: '$lang', device: '$dev' },
        groupBy: '$group',
        bucket: '$bucket',
      },
      { refId: 'B', queryType: 'messages', conversationId: '$conv' },
    ];
    expect(ds().interpolateVariablesInQueries(queries, {})).toEqual([
      {
        refId: 'A',
        queryType: 'count',
        filters: { language: ['en', 'fr'], device: 'mobile' },
        groupBy: 'city',
        bucket: '1h',
        datasource: { type: 'agentsight-conversations-datasource', uid: 'agentsight' },
      },
      {
        refId: 'B',
        queryType: 'messages',
        conversationId: 42,
        datasource: { type: 'agentsight-conversations-datasource', uid: 'agentsight' },
      },
    ]);
  });
});

/** A query request as a panel (or Explore, with app) sends it. */
const queryRequest = (targets: AgentSightQuery[], app?: CoreApp) =>
  ({
    app,
    targets,
    range: { from: dateTime(1700000000000), to: dateTime(1700003600000), raw: { from: 'now-1h', to: 'now' } },
    scopedVars: {},
    requestId: 'r',
    interval: '1m',
    intervalMs: 60000,
    maxDataPoints: 100,
  }) as unknown as DataQueryRequest<AgentSightQuery>;

describe('query', () => {
  it('sends group by, bucket and field with their variables resolved', async () => {
    // What the data source posts to Grafana's /api/ds/query, i.e. what the backend receives.
    const fetch = jest.fn().mockReturnValue(of({ data: { results: {} } }));
    setBackendSrv({ fetch } as unknown as BackendSrv);
    const request = queryRequest([
      { refId: 'A', queryType: 'count', groupBy: '$group', bucket: '$bucket' },
      { refId: 'B', queryType: 'values', field: '$field' },
    ]);
    await lastValueFrom(ds().query(request));
    const sent = fetch.mock.calls[0][0].data.queries;
    expect(
      sent.map(({ refId, groupBy, bucket, field }: AgentSightQuery) => ({ refId, groupBy, bucket, field }))
    ).toEqual([
      { refId: 'A', groupBy: 'city', bucket: '1h', field: undefined },
      { refId: 'B', groupBy: undefined, bucket: undefined, field: 'device' },
    ]);
  });
});

describe('Explore, annotations and ad-hoc filters', () => {
  const sentFormats = async (app: CoreApp) => {
    const fetch = jest.fn().mockReturnValue(of({ data: { results: {} } }));
    setBackendSrv({ fetch } as unknown as BackendSrv);
    await lastValueFrom(
      ds().query(
        queryRequest(
          [
            { refId: 'A', queryType: 'messages', conversationId: 42 },
            { refId: 'B', queryType: 'messages', conversationId: 42, format: 'table' },
            { refId: 'C', queryType: 'conversations' },
          ],
          app
        )
      )
    );
    return fetch.mock.calls[0][0].data.queries.map((q: AgentSightQuery) => q.format);
  };

  it('reads a transcript in Explore as log lines', async () => {
    await expect(sentFormats(CoreApp.Explore)).resolves.toEqual(['logs', 'table', undefined]);
  });

  it('keeps the table on dashboards', async () => {
    await expect(sentFormats(CoreApp.Dashboard)).resolves.toEqual([undefined, 'table', undefined]);
  });

  it('starts an annotation query as an annotations query', () => {
    expect(ds().annotations?.getDefaultQuery?.()).toEqual({ queryType: 'annotations', limit: 200 });
  });

  it('offers every API filter as an ad-hoc key', async () => {
    const keys = (await ds().getTagKeys()).map((k) => k.value);
    expect(keys).toContain('feedback_sentiment');
    expect(keys).toContain('language');
    expect(keys).toHaveLength(15);
  });

  it('offers values seen, choices or true/false as ad-hoc values', async () => {
    const d = ds();
    jest.spyOn(d, 'getResource').mockResolvedValue([{ text: 'en', value: 'en' }]);
    const values = async (key: string) => (await d.getTagValues({ key, filters: [] })).map((v) => v.value);
    await expect(values('language')).resolves.toEqual(['en']);
    await expect(values('feedback_sentiment')).resolves.toEqual(['positive', 'neutral', 'negative']);
    await expect(values('is_marked')).resolves.toEqual(['true', 'false']);
    await expect(values('message_contains')).resolves.toEqual([]);
  });

  it('passes the ad-hoc filters to the backend with their variables resolved', () => {
    const q = ds().applyTemplateVariables({ refId: 'A', queryType: 'count' }, {}, [
      { key: 'device', operator: '=', value: '$dev' },
      { key: 'language', operator: '!=', value: 'en' },
    ]);
    expect(q.adhocFilters).toEqual([
      { key: 'device', operator: '=', value: 'mobile' },
      { key: 'language', operator: '!=', value: 'en' },
    ]);
  });
});

describe('filterQuery', () => {
  it.each<[string, AgentSightQuery, boolean]>([
    ['count', { refId: 'A' }, true],
    ['hidden count', { refId: 'A', queryType: 'count', hide: true }, false],
    ['conversations without filters', { refId: 'A', queryType: 'conversations' }, true],
    ['messages without anything', { refId: 'A', queryType: 'messages', filters: {} }, false],
    [
      'messages with empty filters',
      { refId: 'A', queryType: 'messages', filters: { language: '', device: [] } },
      false,
    ],
    ['messages with a filter', { refId: 'A', queryType: 'messages', filters: { language: 'en' } }, true],
    ['messages with has_messages=false', { refId: 'A', queryType: 'messages', filters: { has_messages: false } }, true],
    ['attachments of a conversation', { refId: 'A', queryType: 'attachments', conversationId: 42 }, true],
    ['attachments of a $var conversation', { refId: 'A', queryType: 'attachments', conversationId: '$conv' }, true],
    ['attachments without anything', { refId: 'A', queryType: 'attachments' }, false],
    ['hidden attachments', { refId: 'A', queryType: 'attachments', conversationId: 42, hide: true }, false],
    ['values with a field', { refId: 'A', queryType: 'values', field: 'city' }, true],
    ['values without a field', { refId: 'A', queryType: 'values' }, false],
  ])('%s', (_, q, expected) => expect(ds().filterQuery(q)).toBe(expected));
});

describe('getValues', () => {
  it('asks the values resource with the range in epoch ms', async () => {
    const d = ds();
    const spy = jest.spyOn(d, 'getResource').mockResolvedValue([{ text: 'en', value: 'en' }]);
    const from = dateTime(1700000000000);
    const to = dateTime(1700003600000);
    await expect(d.getValues('language', { from, to, raw: { from: 'now-1h', to: 'now' } })).resolves.toEqual([
      { text: 'en', value: 'en' },
    ]);
    expect(spy).toHaveBeenCalledWith('values', { field: 'language', from: 1700000000000, to: 1700003600000 });
    await d.getValues('device');
    expect(spy).toHaveBeenLastCalledWith('values', { field: 'device' });
  });

  it('keeps the values per field and range: opening a drop-down again does not refetch', async () => {
    const d = ds();
    const spy = jest.spyOn(d, 'getResource').mockResolvedValue([{ text: 'en', value: 'en' }]);
    const range = { from: dateTime(1700000000000), to: dateTime(1700003600000), raw: { from: 'now-1h', to: 'now' } };
    const later = { ...range, from: dateTime(1700000060000), to: dateTime(1700003660000) };
    await d.getValues('language', range);
    await d.getValues('language', range);
    expect(spy).toHaveBeenCalledTimes(1);
    await d.getValues('device', range);
    await d.getValues('language', later);
    expect(spy).toHaveBeenCalledTimes(3);
  });

  it('asks again after a failed request', async () => {
    const d = ds();
    const spy = jest
      .spyOn(d, 'getResource')
      .mockRejectedValueOnce(new Error('offline'))
      .mockResolvedValueOnce([{ text: 'en', value: 'en' }]);
    await expect(d.getValues('language')).rejects.toThrow('offline');
    await expect(d.getValues('language')).resolves.toEqual([{ text: 'en', value: 'en' }]);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('treats a non-array answer as no values', async () => {
    const d = ds();
    jest.spyOn(d, 'getResource').mockResolvedValue({});
    await expect(d.getValues('city')).resolves.toEqual([]);
  });
});

describe('variable support', () => {
  it('runs a values query for the chosen field', async () => {
    const d = ds();
    expect(d.variables).toBeInstanceOf(AgentSightVariableSupport);
    const spy = jest.spyOn(d, 'query').mockReturnValue(of({ data: [] }));
    const request = {
      targets: [{ refId: 'variable-query', field: 'city' }],
    } as unknown as DataQueryRequest<AgentSightQuery>;
    await lastValueFrom((d.variables as AgentSightVariableSupport).query(request));
    expect(spy.mock.calls[0][0].targets).toEqual([{ refId: 'variable-query', queryType: 'values', field: 'city' }]);
  });

  it('sends the filters of a variable (which may hold another variable) but not its definition', async () => {
    const d = ds();
    const spy = jest.spyOn(d, 'query').mockReturnValue(of({ data: [] }));
    const target: AgentSightVariableQuery = {
      refId: 'A',
      queryType: 'values',
      field: 'language',
      filters: { device: '$dev' },
      query: 'language values (device=$dev)',
    };
    const request = { targets: [target] } as unknown as DataQueryRequest<AgentSightVariableQuery>;
    await lastValueFrom((d.variables as AgentSightVariableSupport).query(request));
    expect(spy.mock.calls[0][0].targets).toEqual([
      { refId: 'A', queryType: 'values', field: 'language', filters: { device: '$dev' } },
    ]);
  });

  it('reads a bare string as the field name', async () => {
    const d = ds();
    const spy = jest.spyOn(d, 'query').mockReturnValue(of({ data: [] }));
    const request = { targets: ['device'] } as unknown as DataQueryRequest<AgentSightQuery>;
    await lastValueFrom((d.variables as AgentSightVariableSupport).query(request));
    expect(spy.mock.calls[0][0].targets).toEqual([{ refId: 'A', queryType: 'values', field: 'device' }]);
  });
});
