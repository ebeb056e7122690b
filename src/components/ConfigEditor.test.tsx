import React, { useState } from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { config } from '@grafana/runtime';

import './testEnv';
import { ConfigEditor, docsLink } from './ConfigEditor';
import { editorOptions, EditorOptions } from '../testFixtures';
import { SETTING_KEYS, SETTINGS, settingError } from '../settingsValidation';

// Rendering @grafana/ui and @grafana/plugin-ui takes seconds on a loaded 2-core machine.
const TIMEOUT = 20_000;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const field = (label: string) => screen.getByLabelText(new RegExp(`^${escape(label)}( \\*)?$`));

/**
 * Mounts the page the way Grafana does: every change goes through onOptionsChange and comes back
 * as the new options, so what a field shows is what Grafana would save and test.
 */
function setup(patch: Partial<EditorOptions> = {}) {
  const changes: EditorOptions[] = [];
  let current = editorOptions(patch);
  function Page() {
    const [options, setOptions] = useState(current);
    return (
      <ConfigEditor
        options={options}
        onOptionsChange={(next) => {
          changes.push(next);
          current = next;
          setOptions(next);
        }}
      />
    );
  }
  render(<Page />);
  return { changes, saved: () => current };
}

const openAdvanced = () => {
  if (!screen.queryByLabelText(/^Page size/)) {
    fireEvent.click(screen.getByRole('button', { name: 'Expand section Advanced settings' }));
  }
};

const invalidFields = () => [...document.querySelectorAll('[aria-invalid="true"]')].map((e) => e.id);

const type = (label: string, value: string) => fireEvent.change(field(label), { target: { value } });

afterEach(() => {
  config.secureSocksDSProxyEnabled = false;
});

describe('ConfigEditor layout', () => {
  it(
    'has the standard header, sections and docs link',
    () => {
      setup();
      expect(screen.getByText('Fields marked with * are required')).toBeInTheDocument();
      expect(screen.getByRole('link', { name: 'view the documentation' })).toHaveAttribute('href', docsLink());
      for (const title of ['Connection', 'Authentication', 'Advanced settings']) {
        expect(screen.getByRole('heading', { name: title })).toBeInTheDocument();
      }
      expect(screen.getByText('TLS settings')).toBeInTheDocument();
    },
    TIMEOUT
  );

  it(
    'renders every setting of settings.json with its label and default as placeholder',
    () => {
      setup();
      openAdvanced();
      for (const key of SETTING_KEYS) {
        const spec = SETTINGS[key];
        const input = field(spec.label);
        if (spec.default !== undefined) {
          expect(input).toHaveAttribute('placeholder', String(spec.default));
        }
      }
    },
    TIMEOUT
  );

  it(
    'Auth scheme shows its default as a placeholder, not as a value',
    () => {
      setup();
      expect(field('Auth scheme')).toHaveValue('');
      expect(field('Auth scheme')).toHaveAttribute('placeholder', 'Api-Key');
    },
    TIMEOUT
  );

  it(
    'Advanced settings start folded when nothing is saved there',
    () => {
      setup({ jsonData: { authHeader: 'X-Api-Key' } });
      expect(screen.queryByLabelText(/^Page size/)).not.toBeInTheDocument();
      fireEvent.click(screen.getByRole('button', { name: 'Expand section Advanced settings' }));
      expect(field('Page size')).toBeInTheDocument();
    },
    TIMEOUT
  );

  it.each(SETTING_KEYS.filter((k) => ['int', 'duration'].includes(SETTINGS[k].kind)))(
    'Advanced settings open by themselves when %s is saved',
    (key) => {
      setup({ jsonData: { [key]: SETTINGS[key].default } });
      expect(field(SETTINGS[key].label)).toHaveValue(String(SETTINGS[key].default));
    },
    TIMEOUT
  );

  it(
    'Advanced settings open by themselves when the secure SOCKS proxy is on',
    () => {
      config.secureSocksDSProxyEnabled = true;
      setup({ jsonData: { enableSecureSocksProxy: true } });
      expect(field('Page size')).toBeInTheDocument();
      expect(screen.getByRole('switch', { name: /Secure Socks Proxy Enabled/ })).toBeChecked();
    },
    TIMEOUT
  );

  it(
    'read-only (provisioned) settings cannot be edited',
    () => {
      setup({ readOnly: true, jsonData: { pageSize: 20 } });
      expect(field('URL')).toBeDisabled();
      expect(field('Auth header')).toBeDisabled();
      expect(field('Page size')).toBeDisabled();
    },
    TIMEOUT
  );
});

describe('API key', () => {
  it(
    'shows no error on first load, then "required" once touched and left empty',
    () => {
      setup();
      const key = screen.getByPlaceholderText('Enter your API key');
      expect(screen.queryByText('API key is required')).not.toBeInTheDocument();
      expect(key).toHaveAttribute('aria-invalid', 'false');
      fireEvent.focus(key);
      fireEvent.blur(key);
      expect(screen.getByText('API key is required')).toBeInTheDocument();
      expect(key).toHaveAttribute('aria-invalid', 'true');
    },
    TIMEOUT
  );

  it(
    'goes to secureJsonData only, and a typed key clears the error',
    () => {
      const { saved } = setup();
      const key = screen.getByPlaceholderText('Enter your API key');
      fireEvent.change(key, { target: { value: ' ' } });
      expect(screen.getByText('API key is required')).toBeInTheDocument();
      fireEvent.change(key, { target: { value: 'k3y' } });
      expect(saved().secureJsonData).toEqual({ apiKey: 'k3y' });
      expect(saved().jsonData).toEqual({});
      expect(screen.queryByText('API key is required')).not.toBeInTheDocument();
      expect(key).toHaveAttribute('aria-invalid', 'false');
    },
    TIMEOUT
  );

  it(
    "a pasted key with a control character gets the backend's message",
    () => {
      setup();
      fireEvent.change(screen.getByPlaceholderText('Enter your API key'), { target: { value: 'abc\u0007' } });
      expect(screen.getByText('The API key contains a control character: paste it again')).toBeInTheDocument();
    },
    TIMEOUT
  );

  it(
    'a configured key shows as configured, and reset clears it like every data source',
    () => {
      const { saved } = setup({ secureJsonFields: { apiKey: true } });
      expect(screen.queryByText('API key is required')).not.toBeInTheDocument();
      expect(screen.getByDisplayValue('configured')).toBeDisabled();
      fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
      expect(saved().secureJsonFields).toEqual({ apiKey: false });
      expect(saved().secureJsonData).toEqual({ apiKey: '' });
      expect(screen.getByText('API key is required')).toBeInTheDocument();
    },
    TIMEOUT
  );
});

describe("settings are stored as typed and checked with the backend's rules", () => {
  it.each<[string, string, Record<string, unknown>]>([
    ['Auth header', 'X-Api-Key', { authHeader: 'X-Api-Key' }],
    ['Auth scheme', 'Bearer', { authScheme: 'Bearer' }],
    ['Page size', '50', { pageSize: 50 }],
    ['Max conversations', '1000000', { maxConversations: 1000000 }],
    ['Concurrency', '8', { concurrency: 8 }],
    ['Cache TTL', '0s', { cacheTTL: '0s' }],
    ['Cache TTL', '24h', { cacheTTL: '24h' }],
    ['Timeout', '1m30s', { timeout: '1m30s' }],
    ['Timeout', '10m', { timeout: '10m' }],
  ])(
    '%s = %p is saved without an error',
    (label, value, expected) => {
      const { saved } = setup({ jsonData: { pageSize: 20 } });
      openAdvanced();
      type(label, value);
      expect(saved().jsonData).toEqual({ pageSize: 20, ...expected });
      expect(field(label)).toHaveAttribute('aria-invalid', 'false');
    },
    TIMEOUT
  );

  it.each<[string, string, string, unknown]>([
    ['URL', 'api.agentsight.io', 'URL "api.agentsight.io" must start with http:// or https://', undefined],
    ['URL', 'ftp://files.example.com', 'URL "ftp://files.example.com" must start with http:// or https://', undefined],
    [
      'URL',
      'https://me:secret@api.agentsight.io',
      'URL must not contain a user name or password: put the key in the API key field',
      undefined,
    ],
    [
      'URL',
      'https://api.agentsight.io/?x=1',
      'URL "https://api.agentsight.io/…" must not have a query or fragment',
      undefined,
    ],
    ['Auth header', 'Bad Header:', 'Auth header "Bad Header:" is not a valid HTTP header name', 'Bad Header:'],
    [
      'Auth header',
      'host',
      'Auth header cannot be "host": the HTTP client sets that header itself; use Authorization or a custom header such as X-Api-Key',
      'host',
    ],
    ['Page size', '101', 'Page size must be between 1 and 100', 101],
    ['Page size', '0', 'Page size must be between 1 and 100', 0],
    ['Page size', '2.5', 'Page size must be a whole number between 1 and 100', '2.5'],
    ['Max conversations', '1000001', 'Max conversations must be between 1 and 1000000', 1000001],
    ['Concurrency', 'many', 'Concurrency must be a whole number between 1 and 32', 'many'],
    ['Concurrency', '33', 'Concurrency must be between 1 and 32', 33],
    ['Cache TTL', '48h', 'Cache TTL must be between 0s and 24h', '48h'],
    ['Cache TTL', '60', 'Cache TTL must be a duration such as "60s" (between 0s and 24h)', '60'],
    ['Timeout', '0s', 'Timeout must be between 1s and 10m', '0s'],
    ['Timeout', '500ms', 'Timeout must be between 1s and 10m', '500ms'],
    ['Timeout', '11m', 'Timeout must be between 1s and 10m', '11m'],
  ])(
    '%s = %p shows "%s", and is stored so that Save & test reports it',
    (label, value, message, storedJsonValue) => {
      const { saved } = setup();
      openAdvanced();
      type(label, value);
      // The error stays on screen with the text, and what is saved is exactly that text.
      expect(screen.getByText(message)).toBeInTheDocument();
      expect(field(label)).toHaveValue(value);
      expect(field(label)).toHaveAttribute('aria-invalid', 'true');
      if (label === 'URL') {
        expect(saved().url).toBe(value);
        expect(settingError('url', saved().url)).toBe(message);
      } else {
        const key = SETTING_KEYS.find((k) => SETTINGS[k].label === label)!;
        expect(saved().jsonData).toEqual({ [key]: storedJsonValue });
        expect(settingError(key, storedJsonValue)).toBe(message);
      }
    },
    TIMEOUT
  );

  it(
    'no field shows an error for a value other than the one saved',
    () => {
      const { saved } = setup();
      openAdvanced();
      type('Page size', '1000');
      type('Page size', '100');
      expect(saved().jsonData).toEqual({ pageSize: 100 });
      expect(screen.queryByRole('alert')).not.toBeInTheDocument();
      type('Cache TTL', 'soon');
      type('Timeout', '30m');
      expect(invalidFields()).toEqual(['agentsight-cacheTTL', 'agentsight-timeout']);
      const errors = screen.getAllByRole('alert').map((e) => e.textContent);
      expect(errors).toEqual([
        settingError('cacheTTL', saved().jsonData.cacheTTL),
        settingError('timeout', saved().jsonData.timeout),
      ]);
    },
    TIMEOUT
  );

  it(
    'emptying a setting removes it so that its default applies',
    () => {
      const { saved } = setup({
        url: 'http://fake:8080',
        jsonData: { pageSize: 20, timeout: '10s', authHeader: 'X-Key' },
      });
      type('Page size', '');
      expect(saved().jsonData).toEqual({ timeout: '10s', authHeader: 'X-Key' });
      type('Timeout', '');
      type('Auth header', '');
      expect(saved().jsonData).toEqual({});
      type('URL', '');
      expect(saved().url).toBe('');
      expect(invalidFields()).toEqual([]);
    },
    TIMEOUT
  );

  it(
    'shows provisioned values as the backend reads them: numbers as text, durations in seconds',
    () => {
      setup({ jsonData: { pageSize: '20', cacheTTL: 90, maxConversations: 500 } });
      expect(field('Page size')).toHaveValue('20');
      expect(field('Cache TTL')).toHaveValue('90s');
      expect(field('Max conversations')).toHaveValue('500');
      expect(invalidFields()).toEqual([]);
    },
    TIMEOUT
  );

  it(
    'a saved invalid value shows its error on load',
    () => {
      setup({ url: 'localhost:8080', jsonData: { cacheTTL: '48h' } });
      expect(screen.getByText('URL "localhost:8080" must start with http:// or https://')).toBeInTheDocument();
      expect(screen.getByText('Cache TTL must be between 0s and 24h')).toBeInTheDocument();
    },
    TIMEOUT
  );

  it(
    'the bare key switch stores an empty scheme and back',
    () => {
      const { saved } = setup({ jsonData: { authScheme: 'Bearer' } });
      expect(field('Auth scheme')).toHaveValue('Bearer');
      fireEvent.click(screen.getByRole('switch', { name: /Send the bare key/ }));
      expect(saved().jsonData).toEqual({ authScheme: '' });
      expect(field('Auth scheme')).toBeDisabled();
      fireEvent.click(screen.getByRole('switch', { name: /Send the bare key/ }));
      expect(saved().jsonData).toEqual({});
      expect(field('Auth scheme')).toBeEnabled();
      expect(field('Auth scheme')).toHaveAttribute('placeholder', 'Api-Key');
    },
    TIMEOUT
  );
});

describe("Grafana's TLS and proxy settings", () => {
  it(
    'a custom CA certificate is stored in the keys the SDK reads, and resets like any secure field',
    () => {
      const { saved } = setup();
      fireEvent.click(screen.getByLabelText('Add self-signed certificate'));
      expect(saved().jsonData).toEqual({ tlsAuthWithCACert: true });
      fireEvent.change(screen.getByLabelText(/^CA Certificate/), { target: { value: '-----BEGIN CERTIFICATE-----' } });
      expect(saved().secureJsonData).toEqual({ tlsCACert: '-----BEGIN CERTIFICATE-----' });
    },
    TIMEOUT
  );

  it(
    'a configured certificate shows as configured and its reset clears it',
    () => {
      const { saved } = setup({
        jsonData: { tlsAuthWithCACert: true },
        secureJsonFields: { apiKey: true, tlsCACert: true },
      });
      const ca = screen.getByLabelText(/^CA Certificate/);
      expect(ca).toBeDisabled();
      const resets = screen.getAllByRole('button', { name: 'Reset' });
      expect(resets).toHaveLength(2); // the key's and the certificate's
      fireEvent.click(resets[1]);
      expect(saved().secureJsonFields).toEqual({ apiKey: true, tlsCACert: false });
      expect(saved().secureJsonData).toEqual({ tlsCACert: '' });
    },
    TIMEOUT
  );

  it(
    'client certificate authentication and skip verify use tlsAuth, serverName, tlsClientCert, tlsClientKey, tlsSkipVerify',
    () => {
      const { saved } = setup();
      fireEvent.click(screen.getByLabelText('TLS Client Authentication'));
      fireEvent.change(screen.getByPlaceholderText('domain.example.com'), { target: { value: 'api.internal' } });
      fireEvent.change(screen.getByLabelText(/^Client Certificate/), { target: { value: 'CERT' } });
      fireEvent.change(screen.getByLabelText(/^Client Key/), { target: { value: 'KEY' } });
      fireEvent.click(screen.getByLabelText('Skip TLS certificate validation'));
      expect(saved().jsonData).toEqual({ tlsAuth: true, serverName: 'api.internal', tlsSkipVerify: true });
      expect(saved().secureJsonData).toEqual({ tlsClientCert: 'CERT', tlsClientKey: 'KEY' });
    },
    TIMEOUT
  );

  it(
    'the secure SOCKS proxy toggle is offered when Grafana has the proxy, and stores enableSecureSocksProxy',
    () => {
      config.secureSocksDSProxyEnabled = true;
      const { saved } = setup();
      openAdvanced();
      fireEvent.click(screen.getByRole('switch', { name: /Secure Socks Proxy Enabled/ }));
      expect(saved().jsonData).toEqual({ enableSecureSocksProxy: true });
    },
    TIMEOUT
  );

  it(
    'no proxy toggle when Grafana has no secure SOCKS proxy',
    () => {
      setup();
      openAdvanced();
      expect(screen.queryByText('Secure Socks Proxy')).not.toBeInTheDocument();
    },
    TIMEOUT
  );
});
