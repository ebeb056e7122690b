import { durationError, hasVariable, parseGoDuration } from './validation';

describe('parseGoDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['60s', 60000],
    ['1h30m', 5400000],
    ['1.5s', 1500],
    ['250ms', 250],
    ['24h', 86400000],
  ])('%s', (text, ms) => expect(parseGoDuration(text)).toBe(ms));

  it.each(['', '60', '1d', 's', 'abc', '-5s', '5 m', '1h x'])('rejects %p', (text) =>
    expect(parseGoDuration(text)).toBeUndefined()
  );
});

describe('durationError', () => {
  it('zero only where allowed', () => {
    expect(durationError('0s', true)).toBeUndefined();
    expect(durationError('0s', false)).toBe('Must be longer than 0s');
    expect(durationError('soon', true)).toMatch(/^Not a duration/);
  });
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
