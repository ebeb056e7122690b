import fs from 'fs';
import path from 'path';

import { BUCKET_OPTIONS, QUERY_TYPE_OPTIONS } from './components/QueryEditor';
import {
  DEFAULT_QUERY,
  DEFAULT_SETTINGS,
  FILTER_KEYS,
  FILTER_KEYS_CHECKED,
  GROUP_BY_OPTIONS,
  JSON_DATA_KEYS,
  QUERY_KEYS,
  QUERY_TYPES,
  SECURE_JSON_DATA_KEYS,
  VALUE_FIELDS,
} from './types';

// The names the Go backend uses (pkg/models); both sides test against this file.
const modelFields: Record<string, string[]> = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../pkg/models/testdata/model_fields.json'), 'utf8')
);

const sorted = (a: readonly string[]) => [...a].sort();

describe('types agree with pkg/models/testdata/model_fields.json', () => {
  it.each([
    ['query', QUERY_KEYS],
    ['filters', FILTER_KEYS],
    ['filters', FILTER_KEYS_CHECKED],
    ['queryTypes', QUERY_TYPES],
    ['groupBy', GROUP_BY_OPTIONS],
    ['valueFields', VALUE_FIELDS],
    ['jsonData', JSON_DATA_KEYS],
    ['secureJsonData', SECURE_JSON_DATA_KEYS],
  ])('%s', (name, ours) => {
    expect(modelFields[name]).toBeDefined();
    expect(sorted(ours)).toEqual(sorted(modelFields[name]));
  });

  it('has no section the front end does not check', () => {
    expect(Object.keys(modelFields).sort()).toEqual(
      ['query', 'filters', 'queryTypes', 'groupBy', 'valueFields', 'jsonData', 'secureJsonData'].sort()
    );
  });

  it('defaults use only known names', () => {
    expect(sorted(Object.keys(DEFAULT_SETTINGS.jsonData))).toEqual(sorted(modelFields.jsonData));
    for (const key of Object.keys(DEFAULT_QUERY)) {
      expect(modelFields.query).toContain(key);
    }
    expect(modelFields.queryTypes).toContain(DEFAULT_QUERY.queryType);
  });

  it('the editor offers every query type', () => {
    expect(QUERY_TYPE_OPTIONS.map((o) => o.value)).toEqual([...QUERY_TYPES]);
    expect(BUCKET_OPTIONS.map((o) => o.value)).toContain('total');
  });

  it('defaults match the design', () => {
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
