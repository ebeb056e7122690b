#!/usr/bin/env node
// Writes src/img/screenshots/dashboard.png, the catalog's dashboard screenshot: builds and starts the
// fake API (cmd/agentsight-fake, fixed seed and end, so the picture is reproducible), reads
// the numbers the provisioned "AgentSight overview" dashboard shows for the last 7 days, and renders
// them with Grafana's panel components (scripts/screenshots/dashboard.tsx) in Debian's chromium.
//
//   node scripts/screenshots/dashboard.mjs [--out file.png]
//
// Not a screenshot of a running Grafana (none runs in CI): replace it with one taken from
// `docker compose up` when a Docker engine is at hand; keep the file name.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const bundleDir = path.join(root, 'test-results/dashboard-bundle');
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : path.join(root, 'src/img/screenshots/dashboard.png');
const END = Date.parse('2026-12-01T00:00:00Z');
const DAY = 86_400_000;
const FROM = END - 7 * DAY;
const KEY = 'demo-key';

function startFake() {
  // Built, then started, so that stopping it stops the server itself (go run would leave it running).
  const bin = path.join(root, 'test-results/agentsight-fake');
  execFileSync('go', ['build', '-o', bin, './cmd/agentsight-fake'], { cwd: root, stdio: 'inherit' });
  const child = spawn(bin, ['-addr=127.0.0.1:0', `-end=${new Date(END).toISOString()}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the fake API did not start within 5 minutes')), 300_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the fake API exited with ${code}`));
    });
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], stop: () => child.kill('SIGTERM') });
      }
    });
  });
}

async function readData(base) {
  const get = async (params) => {
    const q = new URLSearchParams({ page_size: '1', ...params });
    const res = await fetch(`${base}/api/conversations/?${q}`, { headers: { Authorization: `Api-Key ${KEY}` } });
    if (!res.ok) {
      throw new Error(`${res.status} from the fake for ${q}`);
    }
    return res.json();
  };
  const iso = (t) => new Date(t).toISOString();
  const count = async (extra, from = FROM, to = END) =>
    (await get({ started_at_after: iso(from), started_at_before: iso(to - 1000), ...extra })).count;
  const days = Array.from({ length: 7 }, (_, i) => FROM + i * DAY);
  const daily = async (key, values) =>
    Object.fromEntries(
      await Promise.all(
        values.map(async (v) => [v, await Promise.all(days.map((d) => count({ [key]: v }, d, d + DAY)))])
      )
    );
  const recent = await get({ page_size: '12', started_at_after: iso(FROM), started_at_before: iso(END - 1000) });
  return {
    from: FROM,
    to: END,
    days,
    totals: [
      { title: 'Conversations', value: await count({}) },
      { title: 'With messages', value: await count({ has_messages: 'true' }) },
      { title: 'Mobile', value: await count({ device: 'mobile' }) },
      { title: 'Desktop', value: await count({ device: 'desktop' }) },
    ],
    byLanguage: await daily('language', ['en', 'de', 'fr', 'es', 'nl', 'pt', 'ja']),
    byDevice: await daily('device', ['desktop', 'mobile', 'tablet']),
    recent: recent.results.map((c) => ({
      started: Date.parse(c.started_at),
      id: c.id,
      conversation: c.conversation_id,
      customer: c.customer_id,
      language: c.language,
      device: c.device,
      messages: c.messages.length,
    })),
  };
}

async function bundle() {
  const webpack = require('webpack');
  const base = require('../../tests/browser/webpack.config.cjs');
  const config = {
    ...base,
    entry: path.join(here, 'dashboard.tsx'),
    module: {
      ...base.module,
      // @grafana/ui's .mjs files default-import CommonJS packages (react-custom-scrollbars-2); strict
      // .mjs interop would hand them the whole exports object.
      rules: [...base.module.rules, { test: /\.mjs$/, include: /node_modules/, type: 'javascript/auto' }],
    },
    output: { path: bundleDir, filename: 'dashboard.js', clean: true },
  };
  await new Promise((resolve, reject) =>
    webpack(config, (err, stats) =>
      err || stats.hasErrors() ? reject(err || new Error(stats.toString('errors-only'))) : resolve()
    )
  );
}

function serve(data) {
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>AgentSight overview</title>
<script>window.grafanaBootData = { settings: { buildInfo: {}, featureToggles: {}, theme2: {} }, user: {}, navTree: [] };</script>
</head><body><div id="root"></div><script src="/dashboard.js"></script></body></html>`;
  const server = http.createServer((req, res) => {
    const p = new URL(req.url, 'http://127.0.0.1').pathname;
    if (p === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    } else if (p === '/data.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(data));
    } else if (p.startsWith('/public/build/img/') && !p.includes('..')) {
      // Grafana serves @grafana/ui's icons here.
      const file = path.join(root, 'node_modules/@grafana/ui/dist/public/img', p.slice('/public/build/img/'.length));
      fs.readFile(file, (err, body) =>
        err ? res.writeHead(404).end() : res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(body)
      );
    } else if (p === '/dashboard.js') {
      res
        .writeHead(200, { 'content-type': 'text/javascript' })
        .end(fs.readFileSync(path.join(bundleDir, 'dashboard.js')));
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const fake = await startFake();
  let data;
  try {
    data = await readData(fake.url);
  } finally {
    fake.stop();
  }
  await bundle();
  const server = await serve(data);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1480, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) {
        errors.push(m.text().slice(0, 300));
      }
    });
    page.on('response', (r) => {
      // The page has no web fonts (Grafana serves its own); any other missing file is an error.
      if (r.status() >= 400 && !/\.(woff2?|ttf)(\?|$)/.test(r.url())) {
        errors.push(`HTTP ${r.status()} ${r.url()}`);
      }
    });
    await page.goto(`http://127.0.0.1:${server.address().port}/`, { timeout: 120_000 });
    await page
      .locator('#dashboard canvas')
      .first()
      .waitFor({ timeout: 120_000 })
      .catch(async (e) => {
        await page.screenshot({ path: path.join(root, 'test-results/dashboard-failed.png') });
        throw new Error(`${e.message.split('\n')[0]}; page errors: ${errors.join('; ') || 'none'}`);
      });
    await page.waitForTimeout(1000); // uPlot draws on the next frame
    if (errors.length) {
      throw new Error(`page errors: ${errors.join('; ')}`);
    }
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await page.locator('#dashboard').screenshot({ path: out });
    console.log(`wrote ${path.relative(root, out)}`);
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
