/*
 * The data source settings' checks on the config page. Labels, defaults and limits come from
 * src/generated/settings.json, which is generated from pkg/models (the backend validates with
 * the same definitions), and every message is the backend's own wording without its
 * "settings: " prefix and its ", got …" suffix, so the page and *Save & test* say the same thing.
 */
import settingsFile from './generated/settings.json';
import { MAX_DURATION_MS, parseGoDuration } from './validation';

/** How a setting is typed; the kinds of pkg/models.SettingKind. */
export type SettingKind = 'url' | 'secret' | 'header' | 'string' | 'int' | 'duration';

/** One entry of src/generated/settings.json. */
export interface SettingSpec {
  label: string;
  kind: SettingKind;
  required?: boolean;
  /** a number for an int, a duration as typed ("60s") for a duration */
  default?: string | number;
  min?: string | number;
  max?: string | number;
  /** a duration's default and limits in milliseconds */
  defaultMs?: number;
  minMs?: number;
  maxMs?: number;
  /** the URL schemes accepted */
  schemes?: string[];
  /** header names the HTTP client sets itself */
  reserved?: string[];
}

export type SettingKey = keyof typeof settingsFile;

/** Every setting, in the config page's order. */
export const SETTINGS = settingsFile as Record<SettingKey, SettingSpec>;
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

/** The settings of the "Advanced settings" section: every number and duration of the file. */
export const ADVANCED_SETTING_KEYS = SETTING_KEYS.filter((k) => ['int', 'duration'].includes(SETTINGS[k].kind));

/** A stored value as the config page shows it: a duration given in seconds (provisioning) gets its unit. */
export function settingText(key: SettingKey, value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (SETTINGS[key].kind === 'duration' && typeof value === 'number') {
    return `${value}s`;
  }
  return String(value);
}

/**
 * The value to store for what the user typed in a number or duration field. Text that is
 * not (yet) valid is stored as typed, never dropped, so that *Save & test* reports exactly what
 * the field shows; undefined means "remove the key" (the default applies).
 */
export function settingValue(key: SettingKey, text: string): string | number | undefined {
  if (text.trim() === '') {
    return undefined;
  }
  if (SETTINGS[key].kind === 'int' && /^-?[0-9]+$/.test(text) && String(Number(text)) === text) {
    return Number(text);
  }
  return text;
}

/** The error of one stored setting, or undefined when the backend accepts it. */
export function settingError(key: SettingKey, value: unknown): string | undefined {
  const spec = SETTINGS[key];
  switch (spec.kind) {
    case 'url':
      return urlError(spec, value);
    case 'header':
      return headerError(spec, value);
    case 'string':
      return oneLineError(spec, value);
    case 'secret':
      return secretError(spec, value);
    case 'int':
      return intError(spec, value);
    case 'duration':
      return durationError(spec, value);
  }
}

/** The message of a required secret that is neither stored nor typed. */
export function requiredError(key: SettingKey): string {
  return `${SETTINGS[key].label} is required`;
}

// --- URL -------------------------------------------------------------------------------

/** Like pkg/models.StripCredentials: a message never quotes a user name or password. */
export function stripCredentials(raw: string): string {
  const schemeEnd = raw.indexOf('://');
  const authority = schemeEnd >= 0 ? schemeEnd + 3 : 0;
  const rest = raw.slice(authority);
  const endInRest = rest.search(/[/?#]/);
  const end = endInRest >= 0 ? authority + endInRest : raw.length;
  const at = raw.slice(authority, end).lastIndexOf('@');
  return at >= 0 ? `${raw.slice(0, authority)}…@${raw.slice(authority + at + 1)}` : raw;
}

/** The checks of pkg/models.validateURL, in its order, with the browser's URL parser standing in for Go's. */
function urlError(spec: SettingSpec, value: unknown): string | undefined {
  const raw = typeof value === 'string' ? value.trim() : '';
  if (raw === '') {
    return undefined; // the default URL applies
  }
  const shown = JSON.stringify(shownURL(raw));
  const schemes = spec.schemes ?? ['http', 'https'];
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(raw)?.[1]?.toLowerCase();
  // Go finds a host only after "scheme://"; the browser also reads "http:host" as one.
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(raw)?.[1] ?? '';
  let u: URL | undefined;
  try {
    u = new URL(raw);
  } catch {
    // Go's url.Parse takes text without a scheme as a path (and then wants a scheme); with
    // a host, it fails where the browser's URL does (a bad port or host).
    if (scheme !== undefined && authority !== '') {
      return `${spec.label} ${shown} is not a valid URL (check the host and port)`;
    }
  }
  if (authority.includes('@')) {
    return `${spec.label} must not contain a user name or password: put the key in the API key field`;
  }
  if (scheme === undefined || !schemes.includes(scheme)) {
    return schemeMessage(spec, shown, schemes);
  }
  if (u === undefined || authority === '' || u.hostname === '') {
    return `${spec.label} ${shown} has no host`;
  }
  if (u.search !== '' || u.hash !== '') {
    return `${spec.label} ${shown} must not have a query or fragment`;
  }
  return undefined;
}

/**
 * The URL as messages quote it, as pkg/models.validateURL does: without credentials, without a
 * query or fragment (which may hold a token), and at most 120 characters.
 */
function shownURL(raw: string): string {
  let shown = stripCredentials(raw);
  const query = shown.search(/[?#]/);
  if (query >= 0) {
    shown = `${shown.slice(0, query)}…`;
  }
  const chars = [...shown];
  return chars.length > 120 ? `${chars.slice(0, 120).join('')}…` : shown;
}

function schemeMessage(spec: SettingSpec, shown: string, schemes: string[]): string {
  return `${spec.label} ${shown} must start with ${schemes.map((s) => `${s}://`).join(' or ')}`;
}

// --- header and text -------------------------------------------------------------------

// The characters pkg/models.validHeaderName refuses besides controls, spaces and non-ASCII.
const HEADER_SEPARATORS = '"(),/:;<=>?@[\\]{}';

function headerError(spec: SettingSpec, value: unknown): string | undefined {
  const name = typeof value === 'string' ? value.trim() : '';
  if (name === '') {
    return undefined; // the default header applies
  }
  const valid = [...name].every((c) => {
    const code = c.codePointAt(0) ?? 0;
    return code > 32 && code <= 126 && !HEADER_SEPARATORS.includes(c);
  });
  if (!valid) {
    return `${spec.label} ${JSON.stringify(name)} is not a valid HTTP header name`;
  }
  const reserved = (spec.reserved ?? []).find((r) => r.toLowerCase() === name.toLowerCase());
  if (reserved !== undefined) {
    const fallback = SETTINGS.authHeader.default ?? 'Authorization';
    return `${spec.label} cannot be ${JSON.stringify(name)}: the HTTP client sets that header itself; use ${fallback} or a custom header such as X-Api-Key`;
  }
  return undefined;
}

// A header value cannot carry a control character other than a tab.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

function oneLineError(spec: SettingSpec, value: unknown): string | undefined {
  const text = typeof value === 'string' ? value : '';
  if (/[\r\n]/.test(text)) {
    return `${spec.label} must be one line`;
  }
  if (CONTROL.test(text)) {
    return `${spec.label} contains a control character`;
  }
  return undefined;
}

function secretError(spec: SettingSpec, value: unknown): string | undefined {
  const text = typeof value === 'string' ? value.trim() : '';
  if (/[\r\n]/.test(text)) {
    return `The ${spec.label} must be one line`;
  }
  if (CONTROL.test(text)) {
    return `The ${spec.label} contains a control character: paste it again`;
  }
  return undefined;
}

// --- numbers ---------------------------------------------------------------------------

const INT64_MAX = BigInt('9223372036854775807');
const INT64_MIN = -INT64_MAX - BigInt(1);

function intError(spec: SettingSpec, value: unknown): string | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  const min = Number(spec.min);
  const max = Number(spec.max);
  const text = String(value).trim();
  if (typeof value === 'string' && text === '') {
    return undefined; // the default applies
  }
  // Go's strconv.Atoi: an optional sign and digits, within int64.
  const whole = /^[+-]?[0-9]+$/.test(text) ? BigInt(text) : undefined;
  if (whole === undefined || whole > INT64_MAX || whole < INT64_MIN) {
    return `${spec.label} must be a whole number between ${min} and ${max}`;
  }
  if (whole < BigInt(min) || whole > BigInt(max)) {
    return `${spec.label} must be between ${min} and ${max}`;
  }
  return undefined;
}

function durationError(spec: SettingSpec, value: unknown): string | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  const minMs = spec.minMs ?? 0;
  const maxMs = spec.maxMs ?? Number.MAX_SAFE_INTEGER;
  const outOfRange = `${spec.label} must be between ${spec.min} and ${spec.max}`;
  if (typeof value === 'number') {
    // Provisioning may give seconds.
    return value * 1000 < minMs || value * 1000 > maxMs ? outOfRange : undefined;
  }
  if (typeof value !== 'string') {
    return `${spec.label} must be a duration such as ${JSON.stringify(spec.default)} (between ${spec.min} and ${spec.max})`;
  }
  if (value.trim() === '') {
    return undefined;
  }
  const ms = parseSettingDuration(value);
  if (ms === 'range') {
    return outOfRange;
  }
  if (ms === undefined) {
    return `${spec.label} must be a duration such as ${JSON.stringify(spec.default)} (between ${spec.min} and ${spec.max})`;
  }
  return ms < minMs || ms > maxMs ? outOfRange : undefined;
}

// --- durations -------------------------------------------------------------------------

const UNIT_MS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 };

/**
 * Reads a duration setting in milliseconds as pkg/models.ParseDuration does: whole numbers with
 * ms, s, m, h, d or w ("90s", "1d", "1h30m"), Go's syntax for the rest ("1.5s", "500us"), a plain
 * "0", and an optional "-" (then out of range). Returns 'range' for a duration too large to
 * hold and undefined for text that is not a duration.
 */
export function parseSettingDuration(input: string): number | 'range' | undefined {
  const text = input.trim();
  if (text === '0') {
    return 0;
  }
  if (text === '') {
    return undefined;
  }
  const negative = text.startsWith('-');
  let rest = negative ? text.slice(1) : text;
  let total = 0;
  while (rest !== '') {
    const m = /^([0-9]*)([^0-9]*)/.exec(rest)!;
    if (m[1] === '') {
      return undefined;
    }
    const unit = UNIT_MS[m[2]];
    if (unit === undefined) {
      return parseGoDuration(text);
    }
    total += Number(m[1]) * unit;
    if (total > MAX_DURATION_MS) {
      return 'range';
    }
    rest = rest.slice(m[0].length);
  }
  return negative ? -total : total;
}
