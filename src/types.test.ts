import QUERY_JSON from './generated/query.json';
import { BUCKET_OPTIONS, QUERY_TYPE_OPTIONS } from './components/QueryEditor';
import { bucketError } from './components/query/OptionFields';
import {
  AgentSightQuery,
  AgentSightSecureJsonData,
  DEFAULT_QUERY,
  DEFAULT_SETTINGS,
  FILTER_SPECS,
  JSON_DATA_KEYS,
  QUERY_TYPES,
} from './types';
import { SETTINGS, SETTING_KEYS } from './settingsValidation';

/**
 * Accepts an array only if it lists every key of T and nothing else: the compiler holds these
 * lists to the hand-written interfaces, and the tests below hold them to the generated files.
 */
function checkKeys<T>() {
  return <K extends ReadonlyArray<keyof T>>(
    keys: K & (Exclude<keyof T, K[number]> extends never ? unknown : { missingKeys: Exclude<keyof T, K[number]> })
  ): ReadonlyArray<keyof T & string> => keys as unknown as ReadonlyArray<keyof T & string>;
}

// DataQuery's own `hide`, `key` and `datasource` are Grafana's, not ours.
const QUERY_KEYS = checkKeys<Omit<AgentSightQuery, 'hide' | 'key' | 'datasource'>>()([
  'refId',
  'queryType',
  'filters',
  'groupBy',
  'bucket',
  'conversationId',
  'limit',
  'field',
  'format',
  'adhocFilters',
  'measure',
  'aggregation',
]);
const SECURE_JSON_DATA_KEYS = checkKeys<AgentSightSecureJsonData>()(['apiKey']);

const sorted = (a: readonly string[]) => [...a].sort();

describe('the interfaces agree with src/generated/', () => {
  it('the query interface has the keys ParseQuery reads (refId is the SDK’s)', () => {
    expect(sorted(QUERY_KEYS)).toEqual(sorted(['refId', ...QUERY_JSON.keys]));
  });

  it('the secret is the one secure setting', () => {
    expect(SECURE_JSON_DATA_KEYS).toEqual(SETTING_KEYS.filter((k) => SETTINGS[k].kind === 'secret'));
  });

  it('defaults use only known names', () => {
    expect(sorted(Object.keys(DEFAULT_SETTINGS.jsonData))).toEqual(sorted(JSON_DATA_KEYS));
    for (const key of Object.keys(DEFAULT_QUERY)) {
      expect(QUERY_KEYS).toContain(key);
    }
    expect(QUERY_TYPES).toContain(DEFAULT_QUERY.queryType);
  });

  it('lists the filters in the editor order, each once', () => {
    expect(FILTER_SPECS.map((f) => f.order)).toEqual(FILTER_SPECS.map((_, i) => i));
    expect(new Set(FILTER_SPECS.map((f) => f.key)).size).toBe(FILTER_SPECS.length);
  });
});

describe('the editor', () => {
  it('offers every query type, with its label', () => {
    expect(QUERY_TYPE_OPTIONS.map((o) => o.value)).toEqual(Object.keys(QUERY_JSON.queryTypes));
    expect(QUERY_TYPE_OPTIONS.every((o) => o.label && o.description)).toBe(true);
  });

  it('offers only buckets the backend accepts', () => {
    for (const { value } of BUCKET_OPTIONS) {
      expect(bucketError(value!)).toBeUndefined();
    }
  });

  it('keeps the defaults of the design', () => {
    // settings.json may gain settings; the design's own defaults stay.
    expect(DEFAULT_SETTINGS).toMatchObject({
      url: 'https://api.agentsight.io',
      jsonData: {
        authHeader: 'Authorization',
        authScheme: 'Api-Key',
        pageSize: 100,
        maxConversations: 10000,
        maxFilterCombinations: 100,
        concurrency: 4,
        cacheTTL: '60s',
        timeout: '30s',
      },
    });
    expect(DEFAULT_QUERY).toEqual({ queryType: 'count', filters: {}, groupBy: '', bucket: '' });
  });
});
