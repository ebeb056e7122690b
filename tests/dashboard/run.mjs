// Dashboard check: the provisioned dashboard in Debian's chromium, every panel answered by the
// built plugin. Builds and starts tests/dashboard (the fake API, the plugin over gRPC behind the
// test bridge, the fake data set's truth), bundles tests/dashboard/page.tsx, opens it and checks
// what the panels received and drew against the data set. Writes the README's picture,
// src/img/screenshots/dashboard.png, when every check passed. Prints "N passed, M failed" last.
//
//   node tests/dashboard/run.mjs
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { createRequire } from 'node:module';
import {
  bundle as webpackBundle,
  checks,
  failureShot,
  launch,
  pageErrors as collectPageErrors,
  repoRoot as root,
  requireChromium,
  resultsDir as outDir,
} from '../internal/chromium.mjs';

const require = createRequire(import.meta.url);
const bundleDir = path.join(outDir, 'dashboard-bundle');
const picture = path.join(root, 'src/img/screenshots/dashboard.png');
const dashboardJSON = JSON.parse(
  fs.readFileSync(path.join(root, 'provisioning/dashboards/agentsight-overview.json'), 'utf8')
);

const { check, expectEqual, onFailure, allPassed, finish, crash } = checks({ failLines: 8, shown: 400 });

async function bundle() {
  await webpackBundle(require('./webpack.config.cjs'));
  fs.writeFileSync(
    path.join(bundleDir, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>AgentSight overview</title>
<script>window.grafanaBootData = { settings: { buildInfo: {}, featureToggles: {}, theme2: {} }, user: {}, navTree: [] };</script>
</head><body style="margin:0"><div id="root"></div><script src="/page.js"></script></body></html>`
  );
}

// The server runs until its standard input closes.
function startServer() {
  const bin = path.join(outDir, 'dashboard-server');
  execFileSync('go', ['build', '-o', bin, './tests/dashboard'], { cwd: root, stdio: 'inherit' });
  const child = spawn(bin, ['-static', bundleDir, '-plugin-log', path.join(outDir, 'dashboard-plugin.log')], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('tests/dashboard did not start within 5 minutes')), 300_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tests/dashboard exited with ${code}`));
    });
    readline.createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ ...JSON.parse(line), stop: () => child.stdin.end() });
    });
  });
}

async function main() {
  requireChromium();
  fs.mkdirSync(outDir, { recursive: true });
  const [server] = await Promise.all([startServer(), bundle()]);
  const base = server.url;
  const getJSON = async (p) => (await fetch(base + p)).json();
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1432, height: 1000 } });
    page.setDefaultTimeout(10_000);
    // A refused query is answered 400, as Grafana answers it.
    const pageErrors = collectPageErrors(page, { ignoreResponse: (r) => r.url().includes('/api/ds/query') });
    onFailure(failureShot(page, outDir, 'dashboard-failed-', { fullPage: true }));

    await page.goto(`${base}/?now=${server.now}`, { timeout: 60_000 });
    await page.waitForFunction(() => window.dash?.ready, null, { timeout: 60_000 });
    await page.evaluate(() => window.dash.ready);
    const { from, to } = await page.evaluate(() => window.dash.range);
    const panels = async () => page.evaluate(() => window.dash.panels);
    const panel = async (id) => (await panels()).find((p) => p.id === id);
    const truth = (params) => getJSON(`/truth/count?${new URLSearchParams({ from, to, ...params })}`);
    const received = async (panelId) =>
      (await getJSON('/bridge/received'))
        .filter((r) => r.kind === 'query' && r.headers?.['http_X-Panel-Id'] === String(panelId))
        .at(-1);
    // A stat's number: the last value of its one number field, and the text BigValue drew.
    const statValue = async (id) => {
      const p = await panel(id);
      const field = p.drawn[0]?.fields.find((f) => f.type === 'number');
      const text = await page.locator(`[data-panel-id="${id}"] [class*=panel-content]`).innerText();
      return { value: field?.values.at(-1), text: text.trim() };
    };
    const expectStat = async (id, params) => {
      const want = (await truth(params)).total;
      const got = await statValue(id);
      // The text is the number in the panel's unit and decimals (a "short" 1233 with 0 decimals is "1 K").
      const text = (await page.evaluate(([p, n]) => window.dash.format(p, n), [id, want])).replace(/\s+/g, ' ');
      expectEqual(
        { ...got, text: got.text.replace(/\s+/g, ' ') },
        { value: want, text },
        `panel ${id} (filters ${JSON.stringify(params)})`
      );
    };
    // Every point of every series equals the data set's count in its time slot; the series are
    // named by the grouped field's value and cover every value the data set has.
    const expectSeries = async (id, params, groupBy) => {
      const p = await panel(id);
      const series = p.drawn.map((f) => {
        const time = f.fields.find((x) => x.type === 'time');
        const count = f.fields.find((x) => x.type === 'number');
        return {
          name: groupBy ? count.labels?.[groupBy] : '',
          display: count.displayName,
          time: time.values,
          values: count.values,
        };
      });
      if (series.length === 0 || series[0].time.length < 2) {
        throw new Error(`panel ${id}: ${series.length} series`);
      }
      const step = series[0].time[1] - series[0].time[0];
      const t = await truth({ ...params, step, ...(groupBy ? { groupBy } : {}) });
      expectEqual(series.map((s) => s.name).sort(), Object.keys(t.groups).sort(), `panel ${id} series`);
      for (const s of series) {
        const want = s.time.map((ms) => t.groups[s.name].buckets?.[ms] ?? 0);
        expectEqual(s.values, want, `panel ${id} series ${s.name} (${step / 60000} min slots)`);
        if (groupBy && s.display !== s.name) {
          throw new Error(`panel ${id}: series ${s.name} drawn as "${s.display}"`);
        }
      }
      return series;
    };

    await check(
      'variables: options of language and device come from the variable support, equal the data set',
      async () => {
        const vars = await page.evaluate(() => window.dash.variables);
        for (const name of ['language', 'device']) {
          const v = vars.find((x) => x.name === name);
          const want = await getJSON(`/truth/values?${new URLSearchParams({ from, to, field: name })}`);
          expectEqual(
            v.options.map((o) => o.value),
            want,
            `${name} options`
          );
          expectEqual(
            v.options.map((o) => o.text),
            want,
            `${name} texts`
          );
        }
        const requests = (await getJSON('/bridge/received')).filter((r) => r.queries?.[0]?.queryType === 'values');
        expectEqual(
          requests.map((r) => JSON.parse(JSON.stringify(r.queries[0].json.field))).sort(),
          ['device', 'language'],
          'values queries'
        );
      }
    );
    await check('variables: the values resource (drop-downs) lists the same languages', async () => {
      const values = await page.evaluate(() => window.dash.values('language'));
      const want = await getJSON(`/truth/values?${new URLSearchParams({ from, to, field: 'language' })}`);
      expectEqual(
        values.map((v) => v.value),
        want,
        'values resource'
      );
    });
    await check('every visible panel has data and no error', async () => {
      const list = await panels();
      const visible = dashboardJSON.panels.filter((p) => p.type !== 'row');
      expectEqual(list.map((p) => p.id).sort(), visible.map((p) => p.id).sort(), 'panels run');
      const bad = list.filter(
        (p) => p.error || p.frames.length === 0 || p.frames.every((f) => (f.fields[0]?.values.length ?? 0) === 0)
      );
      expectEqual(
        bad.map((p) => `${p.id} ${p.title}: ${p.error ?? 'no data'}`),
        [],
        'panels without data'
      );
      expectEqual(await page.locator('[data-panel-id] .no-data').count(), 0, 'panels drawing "No data"');
      expectEqual(await page.locator('[data-panel-id][data-state="done"]').count(), visible.length, 'panels drawn');
    });
    await check('totals: the four stats equal the data set', async () => {
      await expectStat(2, {});
      await expectStat(3, { has_messages: 'true' });
      await expectStat(4, { device: 'mobile' });
      await expectStat(5, { device: 'desktop' });
    });
    await check('time series: conversations by language and by device, slot by slot', async () => {
      await expectSeries(7, {}, 'language');
      await expectSeries(8, {}, 'device');
      expectEqual((await page.locator('[data-panel-id="7"] canvas').count()) > 0, true, 'uPlot canvas');
    });
    await check('time series: negative feedback per hour', async () => {
      const [s] = await expectSeries(30, { feedback_sentiment: 'negative' }, '');
      expectEqual(s.time[1] - s.time[0], 3_600_000, 'bucket 1h');
    });
    await check('bar gauge: conversations by country sum to the data set', async () => {
      const p = await panel(10);
      const sums = {};
      for (const f of p.frames) {
        const count = f.fields.find((x) => x.type === 'number');
        // The plugin groups conversations without a country as "unknown" (README).
        const key = count.labels?.country === 'unknown' ? '' : count.labels?.country;
        sums[key] = (sums[key] ?? 0) + count.values.reduce((a, b) => a + b, 0);
      }
      const t = await truth({ groupBy: 'country' });
      const want = Object.fromEntries(Object.entries(t.groups).map(([k, g]) => [k, g.total]));
      expectEqual(
        Object.fromEntries(Object.entries(sums).sort()),
        Object.fromEntries(Object.entries(want).sort()),
        'per country'
      );
      await page.locator('[data-panel-id="10"]').getByText('US', { exact: true }).waitFor();
    });
    await check('table: top customers after the dashboard transformations', async () => {
      const p = await panel(11);
      const t = await truth({ groupBy: 'customer_id' });
      const fields = p.drawn[0].fields;
      expectEqual(
        fields.map((f) => f.displayName),
        ['Customer', 'Conversations'],
        'columns'
      );
      const [customers, counts] = fields.map((f) => f.values);
      expectEqual(customers.length, 10, 'rows');
      const top = Object.values(t.groups)
        .map((g) => g.total)
        .sort((a, b) => b - a)
        .slice(0, 10);
      expectEqual(counts, top, 'conversations, descending');
      expectEqual(
        customers.map((c) => t.groups[c]?.total),
        counts,
        'each customer'
      );
      await page.locator('[data-panel-id="11"]').getByText(customers[0], { exact: true }).waitFor();
    });
    await check('table: recent conversations, 50 rows of the range', async () => {
      const p = await panel(13);
      const started = p.drawn[0].fields.find((f) => f.name === 'started_at');
      expectEqual(started.values.length, 50, 'rows');
      expectEqual(
        started.values.every((ms) => ms >= from && ms <= to),
        true,
        'started_at in the range'
      );
    });
    await check('annotations: negative feedback markers on the time series', async () => {
      const anns = await page.evaluate(() => window.dash.annotations);
      const t = await truth({ feedback_sentiment: 'negative', step: 1000 });
      expectEqual(anns.length, Math.min(200, t.total), 'annotations');
      const missing = anns.filter((a) => !t.groups[''].buckets[a.time]);
      expectEqual(missing, [], 'annotations without a negative-feedback conversation at their time');
      expectEqual(await page.locator('[data-panel-id="30"] .annotation-marker').count(), anns.length, 'markers drawn');
      expectEqual(
        await page.locator('[data-panel-id="7"] .annotation-marker').count(),
        anns.length,
        'markers drawn on panel 7'
      );
    });
    // The README's picture: the dashboard as loaded, before any variable changes.
    const shotPath = path.join(outDir, 'dashboard.png');
    await page.mouse.move(0, 0);
    await page.waitForTimeout(300); // uPlot draws on the next animation frame
    await page.locator('#dashboard').screenshot({ path: shotPath });

    await check('a variable: one language changes the request the plugin receives and the numbers drawn', async () => {
      const before = await statValue(2);
      await page.evaluate(() => window.dash.setVariable('language', ['fr']));
      const req = await received(2);
      expectEqual(req.queries[0].json.filters.language, 'fr', 'language sent to the plugin');
      await expectStat(2, { language: 'fr' });
      await expectSeries(7, { language: 'fr' }, 'language');
      if ((await statValue(2)).value === before.value) {
        throw new Error('the total did not change');
      }
    });
    await check('a variable: two languages are sent as a list and summed', async () => {
      await page.evaluate(() => window.dash.setVariable('language', ['en', 'de']));
      const req = await received(2);
      expectEqual(req.queries[0].json.filters.language, ['en', 'de'], 'language sent to the plugin');
      const want = (await truth({ language: 'en' })).total + (await truth({ language: 'de' })).total;
      expectEqual((await statValue(2)).value, want, 'total of en and de');
      await page.evaluate(() => window.dash.setVariable('language', ['$__all']));
      const all = await received(2);
      expectEqual(
        all.queries[0].json.filters.language,
        await getJSON(`/truth/values?${new URLSearchParams({ from, to, field: 'language' })}`),
        'All sends every value'
      );
      expectEqual(all.headers['http_X-Dashboard-Uid'], 'agentsight-overview', 'dashboard header');
      expectEqual([all.orgId, all.user], [1, 'admin'], 'org and user');
      expectEqual(
        typeof all.queries[0].intervalMs === 'number' && all.queries[0].maxDataPoints > 0,
        true,
        'interval and max data points'
      );
    });
    await check(
      "a refused query: the drill-down of a conversation id that is not a number shows the backend's message",
      async () => {
        await page.evaluate(async () => {
          await window.dash.setVariable('conversation', 'abc');
          await window.dash.expandRow(14);
        });
        const p = await panel(15);
        expectEqual(p.error, 'conversationId "abc" is not a whole number', 'panel 15 error');
        await page.locator('[data-panel-id="15"][data-state="error"]').waitFor();
        await page.locator('[data-panel-id="15"] [data-testid="data-testid Panel status error"]').hover();
        await page.getByRole('tooltip').getByText('conversationId "abc" is not a whole number').waitFor();
        await page.mouse.move(0, 0);
      }
    );
    await check('no page errors', async () => {
      expectEqual(pageErrors, [], 'page errors');
    });
    if (allPassed()) {
      fs.copyFileSync(shotPath, picture);
    }
  } finally {
    await browser.close();
    server.stop();
  }
  finish();
}

main().catch(crash);
