import { bucketDurationError, hasVariable, parseBucket, parseGoDuration } from './validation';

describe('parseGoDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['60s', 60000],
    ['1h30m', 5400000],
    ['1.5s', 1500],
    ['250ms', 250],
    ['24h', 86400000],
    ['-5s', -5000],
    ['.5h', 1800000],
  ])('%s', (text, ms) => expect(parseGoDuration(text)).toBe(ms));

  it.each(['', '60', '1d', 's', 'abc', '.s', '5 m', '1h x', '3000000h'])('rejects %p', (text) =>
    expect(parseGoDuration(text)).toBeUndefined()
  );
});

// The cases of models.TestParseQuery's buckets: the editor accepts and refuses what the backend does.
describe('bucketDurationError', () => {
  it.each([
    ['1m', 60_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['2w', 1_209_600_000],
    ['1M', 2_629_800_000],
    ['1y', 31_557_600_000],
    ['8766h0m0s', 31_557_600_000],
  ])('accepts %s', (text, ms) => {
    expect(parseBucket(text)).toBe(ms);
    expect(bucketDurationError(text)).toBeUndefined();
  });

  it.each([
    ['30s', /^Use a bucket from 1m to 366d/],
    ['400d', /^Use a bucket from 1m to 366d/],
    ['2y', /^Use a bucket from 1m to 366d/],
    ['213504d', /^Not a duration/],
    ['fortnight', /^Not a duration/],
    ['1.5d', /^Not a duration/],
    ['-5m', /^Use a bucket from 1m to 366d/],
  ])('refuses %s', (text, message) => expect(bucketDurationError(text)).toMatch(message));
});

describe('hasVariable', () => {
  it.each([
    ['$lang', true],
    ['${lang}', true],
    ['[[lang]]', true],
    ['en', false],
    ['US$', false],
  ])('%s', (text, expected) => expect(hasVariable(text)).toBe(expected));
});
