import cases from './settingsValidation.cases.json';
import {
  ADVANCED_SETTING_KEYS,
  parseSettingDuration,
  SettingKey,
  SETTING_KEYS,
  SETTINGS,
  settingError,
  settingText,
  settingValue,
  stripCredentials,
} from './settingsValidation';

// The shared cases: what the page says of a stored value is what pkg/models says of it (without
// its "settings: " prefix and ", got …" suffix); pkg/models TestSettingsCasesAgreeWithThePage runs the same file.
describe('settingError agrees with the backend', () => {
  it.each(cases.map((c) => [c.key, c.value, c.message] as const))('%s = %p → %p', (key, value, message) => {
    expect(settingError(key as SettingKey, value)).toBe(message ?? undefined);
  });

  // Numbers and durations are checked from their limits in the file below, new ones included.
  it('the cases cover every URL, header and text setting', () => {
    const covered = new Set(cases.map((c) => c.key));
    for (const key of SETTING_KEYS.filter((k) => ['url', 'header', 'string'].includes(SETTINGS[k].kind))) {
      expect(covered).toContain(key);
    }
  });
});

describe('limits come from settings.json', () => {
  it.each(ADVANCED_SETTING_KEYS.filter((k) => SETTINGS[k].kind === 'int'))('%s: its bounds', (key) => {
    const { label, min, max } = SETTINGS[key];
    expect(settingError(key, min)).toBeUndefined();
    expect(settingError(key, max)).toBeUndefined();
    expect(settingError(key, Number(min) - 1)).toBe(`${label} must be between ${min} and ${max}`);
    expect(settingError(key, Number(max) + 1)).toBe(`${label} must be between ${min} and ${max}`);
    expect(settingError(key, 'x')).toBe(`${label} must be a whole number between ${min} and ${max}`);
  });

  it.each(ADVANCED_SETTING_KEYS.filter((k) => SETTINGS[k].kind === 'duration'))('%s: its bounds', (key) => {
    const { label, min, max, minMs, maxMs } = SETTINGS[key];
    expect(settingError(key, min)).toBeUndefined();
    expect(settingError(key, max)).toBeUndefined();
    expect(settingError(key, `${maxMs! + 1}ms`)).toBe(`${label} must be between ${min} and ${max}`);
    if (minMs! > 0) {
      expect(settingError(key, `${minMs! - 1}ms`)).toBe(`${label} must be between ${min} and ${max}`);
    }
    expect(parseSettingDuration(String(min))).toBe(minMs);
    expect(parseSettingDuration(String(max))).toBe(maxMs);
  });
});

describe('parseSettingDuration', () => {
  it.each<[string, number | 'range' | undefined]>([
    ['0', 0],
    ['0s', 0],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['2w', 1_209_600_000],
    ['1.5s', 1500],
    ['500us', 0.5],
    ['-5s', -5000],
    ['99999999999999h', 'range'],
    ['', undefined],
    ['60', undefined],
    ['s', undefined],
    ['5 m', undefined],
    ['1h x', undefined],
    ['1y', undefined],
  ])('%p', (text, expected) => expect(parseSettingDuration(text)).toBe(expected));
});

describe('what is stored and shown', () => {
  it.each<[SettingKey, string, string | number | undefined]>([
    ['pageSize', '50', 50],
    ['pageSize', '', undefined],
    ['pageSize', '  ', undefined],
    ['pageSize', '007', '007'],
    ['pageSize', '2.5', '2.5'],
    ['pageSize', '99999999999999999999', '99999999999999999999'],
    ['cacheTTL', '5m', '5m'],
    ['cacheTTL', '60', '60'],
  ])('%s typed as %p is stored as %p', (key, text, stored) => expect(settingValue(key, text)).toBe(stored));

  it('a duration in seconds shows with its unit', () => {
    expect(settingText('cacheTTL', 90)).toBe('90s');
    expect(settingText('pageSize', 20)).toBe('20');
    expect(settingText('timeout', undefined)).toBe('');
  });

  it('a URL in a message never shows its credentials', () => {
    expect(stripCredentials('htps://user:pass@host:1/x')).toBe('htps://…@host:1/x');
    expect(stripCredentials('user:pass@host')).toBe('…@host');
    expect(stripCredentials('https://host/a@b')).toBe('https://host/a@b');
    expect(settingError('url', 'htps://user:pass@host:port')).toBe(
      'URL "htps://…@host:port" is not a valid URL (check the host and port)'
    );
  });
});
