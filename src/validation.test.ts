import { durationError, hasVariable, integerError, parseGoDuration } from './validation';

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

describe('integerError', () => {
  it('accepts the bounds', () => {
    expect(integerError('1', 1, 100)).toBeUndefined();
    expect(integerError('100', 1, 100)).toBeUndefined();
  });
  it('rejects out of range and non-integers', () => {
    expect(integerError('101', 1, 100)).toBe('Must be from 1 to 100');
    expect(integerError('0', 1, 100)).toBe('Must be from 1 to 100');
    expect(integerError('1.5', 1, 100)).toBe('Enter a whole number from 1 to 100');
    expect(integerError('x', 1, Number.MAX_SAFE_INTEGER)).toBe('Enter a whole number of at least 1');
    expect(integerError('0', 1, Number.MAX_SAFE_INTEGER)).toBe('Must be at least 1');
  });
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
