/*
 * Checks of user input shared by the editors. Each returns an error message, or undefined when the value is fine.
 */

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60 * 1000,
  h: 60 * 60 * 1000,
};
const DURATION_PART = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)/;

/**
 * Parses a non-negative Go duration (`time.ParseDuration` syntax: "90s", "1h30m", "0s", "0")
 * and returns milliseconds, or undefined if Go would not accept it.
 */
export function parseGoDuration(text: string): number | undefined {
  let rest = text.trim();
  if (rest === '0') {
    return 0;
  }
  if (rest === '') {
    return undefined;
  }
  let total = 0;
  while (rest.length > 0) {
    const m = DURATION_PART.exec(rest);
    if (!m) {
      return undefined;
    }
    total += parseFloat(m[1]) * DURATION_UNITS[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** A Go duration; `allowZero` accepts 0 (e.g. "0s" turns the cache off). */
export function durationError(text: string, allowZero: boolean): string | undefined {
  const ms = parseGoDuration(text);
  if (ms === undefined) {
    return `Not a duration: use a number and a unit, e.g. 30s, 5m, 1h30m`;
  }
  if (!allowZero && ms === 0) {
    return 'Must be longer than 0s';
  }
  return undefined;
}

/** True if the text refers to a dashboard variable ($name, ${name}, [[name]]). */
export function hasVariable(text: string): boolean {
  return /\$\w+|\$\{[^}]+\}|\[\[[^\]]+\]\]/.test(text);
}
