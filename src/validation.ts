/*
 * Checks of user input shared by the editors. Each returns an error message, or undefined when the value is fine.
 */

import QUERY_JSON from './generated/query.json';

const GO_UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1e3,
  m: 60e3,
  h: 3600e3,
};
/** time.Duration's limit (about 292 years), in milliseconds. */
export const MAX_DURATION_MS = 9223372036854.775;

/**
 * Go's time.ParseDuration ("90s", "1h30m", "-5m", "0"): milliseconds, or undefined where Go
 * refuses the text, its overflow included.
 */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') {
    return 0;
  }
  if (rest === '') {
    return undefined;
  }
  let total = 0;
  while (rest !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) {
      return undefined;
    }
    total += Number(`${m[1] || '0'}.${m[2] || '0'}`) * GO_UNIT_MS[m[3]];
    rest = rest.slice(m[0].length);
  }
  return total > MAX_DURATION_MS ? undefined : sign * total;
}

const BUCKET_UNIT = /^([0-9]{1,5})([dwMy])$/;
const BUCKET_UNIT_SECONDS: Record<string, number> = QUERY_JSON.bucket.unitSeconds;

/**
 * Parses a bucket as the backend does (models.parseBucket): a Go duration, or Grafana's
 * `1d`, `2w`, `1M`, `1y` (at most five digits); milliseconds, or undefined if it would refuse it.
 */
export function parseBucket(text: string): number | undefined {
  const b = text.trim();
  const unit = BUCKET_UNIT.exec(b);
  if (unit) {
    return Number(unit[1]) * BUCKET_UNIT_SECONDS[unit[2]] * 1000;
  }
  return parseGoDuration(b);
}

/** Whole seconds in the largest unit that divides them: 60 → 1m, 31622400 → 366d. */
function shortDuration(seconds: number): string {
  const units: Array<[string, number]> = [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ];
  const [unit, size] = units.find(([, n]) => seconds % n === 0) ?? ['s', 1];
  return `${seconds / size}${unit}`;
}

const { minSeconds, maxSeconds } = QUERY_JSON.bucket;

/** A count's bucket width, within the backend's bounds (src/generated/query.json). */
export function bucketDurationError(text: string): string | undefined {
  const ms = parseBucket(text);
  if (ms === undefined) {
    return 'Not a duration: use a number and a unit, e.g. 5m, 1h, 1d';
  }
  if (ms < minSeconds * 1000 || ms > maxSeconds * 1000) {
    return `Use a bucket from ${shortDuration(minSeconds)} to ${shortDuration(maxSeconds)}`;
  }
  return undefined;
}

/** True if the text refers to a dashboard variable ($name, ${name}, [[name]]). */
export function hasVariable(text: string): boolean {
  return /\$\w+|\$\{[^}]+\}|\[\[[^\]]+\]\]/.test(text);
}
