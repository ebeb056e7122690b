// Browser check of the editors: bundles tests/browser/harness.tsx, serves it on 127.0.0.1 and drives
// Debian's chromium through playwright-core. Screenshots go to test-results/. Exits non-zero on any
// failed check or page error; prints "N passed, M failed" last.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const bundleDir = path.join(root, 'test-results/browser-bundle');
const outDir = path.join(root, 'test-results');
const uiImages = path.join(root, 'node_modules/@grafana/ui/dist/public/img');
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

let debugShot;
let passed = 0;
let failed = 0;
const check = async (name, fn) => {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    await debugShot?.(name);
    console.log(
      `FAIL ${name}\n     ${String(e && e.message ? e.message : e)
        .split('\n')
        .slice(0, 6)
        .join('\n     ')}`
    );
  }
};
const expectEqual = (actual, expected, what) => {
  const a = JSON.stringify(actual);
  const b = JSON.stringify(expected);
  if (a !== b) {
    throw new Error(`${what}: expected ${b}, got ${a}`);
  }
};

// A RadioButtonGroup option is a visually hidden <input> with a <label>. Playwright checks the
// label's hidden input for visibility, so the label is clicked with force: still a real mouse click
// at the label's centre.
const clickRadio = (page, label) => page.getByText(label, { exact: true }).click({ force: true });

async function bundle() {
  const webpack = require('webpack');
  const config = require('./webpack.config.cjs');
  await new Promise((resolve, reject) =>
    webpack(config, (err, stats) => {
      if (err || stats.hasErrors()) {
        reject(err || new Error(stats.toString('errors-only')));
      } else {
        resolve();
      }
    })
  );
}

function serve() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const pathname = path.posix.normalize(url.pathname);
    // Grafana serves @grafana/ui's icons under public/build/img/; so does this server.
    const file =
      pathname === '/'
        ? path.join(here, 'index.html')
        : pathname.startsWith('/public/build/img/')
          ? path.join(uiImages, pathname.slice('/public/build/img/'.length))
          : path.join(bundleDir, pathname);
    if (!file.startsWith(here) && !file.startsWith(bundleDir) && !file.startsWith(uiImages)) {
      res.writeHead(403).end();
      return;
    }
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404).end();
        return;
      }
      const type = file.endsWith('.html')
        ? 'text/html'
        : file.endsWith('.js')
          ? 'text/javascript'
          : file.endsWith('.svg')
            ? 'image/svg+xml'
            : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  if (!fs.existsSync(executablePath)) {
    console.log(`chromium not found at ${executablePath} (apt-get install -y chromium)`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  await bundle();
  fs.mkdirSync(outDir, { recursive: true });
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const pageErrors = [];
  const newPage = async (view) => {
    const page = await browser.newPage({ viewport: { width: 1140, height: 900 } });
    page.setDefaultTimeout(5000);
    page.on('pageerror', (e) => pageErrors.push(`${view}: ${e.message}`));
    page.on('response', (r) => {
      // Grafana serves its fonts itself; the test page has none, so a missing font is not an error.
      if (r.status() >= 400 && !/\.(woff2?|ttf)(\?|$)/.test(r.url())) {
        pageErrors.push(`${view}: HTTP ${r.status()} ${r.url()}`);
      }
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Warning:|i18n|Download the React DevTools|Failed to load resource/.test(m.text())) {
        pageErrors.push(`${view} console: ${m.text().slice(0, 300)}`);
      }
    });
    await page.goto(`${base}/?view=${view}`, { timeout: 60000 });
    await page.locator('#editor').waitFor({ timeout: 60000 });
    return page;
  };
  const emitted = (page, key) => page.evaluate((k) => window[k], key);

  try {
    // ---------------- config editor
    const config = await newPage('config');
    await check('config: sections and API key requirement render', async () => {
      for (const text of ['Connection', 'Authentication', 'Advanced settings', 'An API key is required']) {
        await config.getByText(text, { exact: true }).first().waitFor({ timeout: 5000 });
      }
    });
    await check('config: URL edit emits options.url', async () => {
      await config.getByLabel(/^URL/).fill('http://127.0.0.1:8080');
      const last = (await emitted(config, 'emittedOptions')).at(-1);
      expectEqual(last.url, 'http://127.0.0.1:8080', 'url');
    });
    await check('config: API key goes to secureJsonData', async () => {
      await config.getByPlaceholder('Enter your API key').fill('secret-key');
      const last = (await emitted(config, 'emittedOptions')).at(-1);
      expectEqual(last.secureJsonData, { apiKey: 'secret-key' }, 'secureJsonData');
      await config.getByText('An API key is required').waitFor({ state: 'detached', timeout: 5000 });
    });
    await check('config: advanced settings open and save numbers and durations', async () => {
      await config.getByText('Advanced settings', { exact: true }).click();
      await config.getByLabel(/^Page size/).fill('50');
      await config.getByLabel(/^Cache TTL/).fill('5m');
      const last = (await emitted(config, 'emittedOptions')).at(-1);
      expectEqual(last.jsonData, { pageSize: 50, cacheTTL: '5m' }, 'jsonData');
    });
    await config.locator('#editor').screenshot({ path: path.join(outDir, 'config-editor.png') });
    await check('config: invalid values show an inline message and are not saved', async () => {
      await config.getByLabel(/^Concurrency/).fill('64');
      await config.getByText('Must be from 1 to 32').waitFor({ timeout: 5000 });
      await config.getByLabel(/^Timeout/).fill('soon');
      await config.getByText(/^Not a duration/).waitFor({ timeout: 5000 });
      const last = (await emitted(config, 'emittedOptions')).at(-1);
      expectEqual(last.jsonData, { pageSize: 50, cacheTTL: '5m' }, 'jsonData after invalid input');
    });
    await config.locator('#editor').screenshot({ path: path.join(outDir, 'config-editor-invalid.png') });

    // ---------------- query editor
    const q = await newPage('query');
    debugShot = (name) =>
      q
        .screenshot({ path: path.join(outDir, `failed-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`) })
        .catch(() => {});
    const visible = async (label) => q.getByLabel(label, { exact: true }).isVisible();
    const lastQuery = async () => (await emitted(q, 'emittedQueries')).at(-1);

    await check('query: count by default with group by and bucket, executed calls shown', async () => {
      if (!(await visible('Group by')) || !(await visible('Bucket'))) {
        throw new Error('group by / bucket not visible');
      }
      await q
        .getByText(/GET https:\/\/api\.agentsight\.io\/api\/conversations\/\?language=en/)
        .waitFor({ timeout: 5000 });
    });
    await check('query: language drop-down lists the stubbed values and emits the pick', async () => {
      await q.getByLabel('Language', { exact: true }).click();
      const menu = q.getByLabel('Select options menu');
      await menu.getByText('fr', { exact: true }).waitFor({ timeout: 5000 });
      await menu.getByText('fr', { exact: true }).click();
      expectEqual((await lastQuery()).filters, { language: 'fr' }, 'filters');
      const calls = await emitted(q, 'resourceCalls');
      expectEqual(calls[0].path, 'values', 'resource path');
      expectEqual(calls[0].params.field, 'language', 'resource field');
      expectEqual(typeof calls[0].params.from, 'number', 'resource from');
      await q.keyboard.press('Escape');
    });
    await check('query: group by picks a field', async () => {
      await q.getByLabel('Group by', { exact: true }).click();
      await q.getByRole('option', { name: 'Device', exact: true }).click();
      expectEqual((await lastQuery()).groupBy, 'device', 'groupBy');
    });
    await check('query: typing a filter runs only after Enter', async () => {
      const runsBefore = await emitted(q, 'runs');
      const input = q.getByLabel('Message contains', { exact: true });
      await input.click();
      await input.pressSequentially('refund');
      expectEqual(await emitted(q, 'runs'), runsBefore, 'runs while typing');
      await input.press('Enter');
      expectEqual(await emitted(q, 'runs'), runsBefore + 1, 'runs after Enter');
      expectEqual((await lastQuery()).filters, { language: 'fr', message_contains: 'refund' }, 'filters');
    });
    await check('query: bucket accepts a typed duration', async () => {
      await q.getByLabel('Bucket', { exact: true }).click();
      await q.keyboard.type('10m');
      await q.keyboard.press('Enter');
      expectEqual((await lastQuery()).bucket, '10m', 'bucket');
      await q.keyboard.press('Escape');
      // Leave the field without focusing the next one, whose tooltip would cover the screenshot.
      await q.evaluate(() => document.activeElement?.blur());
    });
    await q.locator('#editor').screenshot({ path: path.join(outDir, 'query-editor-count.png') });

    const expectations = {
      conversations: { shown: ['Limit'], hidden: ['Group by', 'Bucket', 'Conversation', 'Field'] },
      messages: { shown: ['Conversation', 'Limit'], hidden: ['Group by', 'Bucket', 'Field'] },
      attachments: { shown: ['Conversation', 'Limit'], hidden: ['Group by', 'Bucket', 'Field'] },
      values: { shown: ['Field'], hidden: ['Group by', 'Bucket', 'Conversation', 'Limit'] },
      count: { shown: ['Group by', 'Bucket'], hidden: ['Conversation', 'Limit', 'Field'] },
    };
    for (const [type, { shown, hidden }] of Object.entries(expectations)) {
      await check(`query: ${type} shows ${shown.join(', ')} and hides the rest`, async () => {
        const label = type[0].toUpperCase() + type.slice(1);
        const runsBefore = await emitted(q, 'runs');
        await clickRadio(q, label);
        expectEqual((await lastQuery()).queryType, type, 'queryType');
        expectEqual(await emitted(q, 'runs'), runsBefore + 1, 'runs');
        for (const l of shown) {
          if (!(await visible(l))) {
            throw new Error(`${l} not visible`);
          }
        }
        for (const l of hidden) {
          if (await visible(l)) {
            throw new Error(`${l} visible`);
          }
        }
      });
      if (type === 'messages') {
        await check('query: messages conversation id is a number', async () => {
          const input = q.getByLabel('Conversation', { exact: true });
          await input.fill('42');
          await input.press('Enter');
          expectEqual((await lastQuery()).conversationId, 42, 'conversationId');
        });
      }
      if (type === 'values') {
        await check('query: values field select', async () => {
          await q.getByLabel('Field', { exact: true }).click();
          await q.getByRole('option', { name: 'City', exact: true }).click();
          expectEqual((await lastQuery()).field, 'city', 'field');
        });
      }
      if (type !== 'count') {
        await q.locator('#editor').screenshot({ path: path.join(outDir, `query-editor-${type}.png`) });
      }
    }
    await check('query: has messages tri-state', async () => {
      await clickRadio(q, 'With messages');
      expectEqual((await lastQuery()).filters.has_messages, true, 'has_messages');
      await clickRadio(q, 'Any');
      expectEqual((await lastQuery()).filters.has_messages, undefined, 'has_messages');
    });

    // ---------------- variable editor
    const v = await newPage('variable');
    await check('variable: field select emits a values query', async () => {
      await v.getByLabel('Field', { exact: true }).click();
      await v.getByRole('option', { name: 'Device', exact: true }).click();
      expectEqual(
        (await emitted(v, 'emittedQueries')).at(-1),
        { refId: 'A', queryType: 'values', field: 'device' },
        'query'
      );
    });
    await v.locator('#editor').screenshot({ path: path.join(outDir, 'variable-editor.png') });

    await check('no page errors', async () => {
      if (pageErrors.length > 0) {
        throw new Error(pageErrors.join('\n'));
      }
    });
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
