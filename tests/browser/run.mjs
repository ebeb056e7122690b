// Browser check of the editors: bundles tests/browser/harness.tsx, serves it on 127.0.0.1 and drives
// Debian's chromium through playwright-core: the query editor at 640 and 1200 px in the dark and light
// themes, the variable editor, the query help and the config page. Screenshots go to test-results/;
// the query editor's and the config page's are copied to src/img/screenshots/ for the catalog. Exits non-zero on any
// failed check or page error; prints "N passed, M failed" last.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
const here = path.dirname(fileURLToPath(import.meta.url));
const bundleDir = path.join(outDir, 'browser-bundle');
// The catalog's screenshots (plugin.json) are the check's own.
const screenshotDir = path.join(root, 'src/img/screenshots');
const uiImages = path.join(root, 'node_modules/@grafana/ui/dist/public/img');

const { check, expectEqual, onFailure, finish, crash } = checks();

// A RadioButtonGroup option is a visually hidden <input> with a <label>. Playwright checks the
// label's hidden input for visibility, so the label is clicked with force: still a real mouse click
// at the label's centre.
const clickRadio = (page, label) => page.getByText(label, { exact: true }).click({ force: true });

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
  requireChromium();
  await webpackBundle(require('./webpack.config.cjs'));
  fs.mkdirSync(outDir, { recursive: true });
  fs.mkdirSync(screenshotDir, { recursive: true });
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.setDefaultTimeout(5000);
  let view = 'query';
  const pageErrors = collectPageErrors(page, { label: () => view });
  onFailure(failureShot(page, outDir, 'failed-'));
  // One page load (the bundle is large); every view, theme and width after it is a re-mount.
  await page.goto(`${base}/?view=query`, { timeout: 60000 });
  await page.locator('#editor[data-view="query"]').waitFor({ timeout: 60000 });
  const show = async (s) => {
    view = `${s.view} ${s.theme ?? 'dark'} ${s.width ?? 1200}px`;
    await page.evaluate((shown) => window.show(shown), { theme: 'dark', width: 1200, ...s });
    await page.locator(`#editor[data-view="${s.view}"][data-theme="${s.theme ?? 'dark'}"]`).waitFor();
    await page.locator('#editor :is(input, button)').first().waitFor();
    await page.mouse.move(0, 0);
  };
  const shot = (name) => page.locator('#editor').screenshot({ path: path.join(outDir, `${name}.png`) });
  const emitted = (key) => page.evaluate((k) => window[k], key);
  const lastQuery = async () => (await emitted('emittedQueries')).at(-1);
  const field = (label) => page.getByLabel(label, { exact: true });
  const visible = async (label) => field(label).isVisible();
  // Leaves a field without focusing the next one, whose tooltip would cover a screenshot.
  const blur = () => page.evaluate(() => document.activeElement?.blur());
  // Adds a filter row through the Add filter picker (a Combobox: typing narrows its list).
  const addFilter = async (label) => {
    await field('Add filter').click();
    await page.keyboard.type(label);
    await page.getByRole('option', { name: new RegExp(`^${label}`) }).click();
    await field(label).waitFor();
  };

  try {
    // ---------------- query editor, dark, 1200 px
    await show({ view: 'query' });
    await check('query: count by default, Filters and Options groups, executed calls shown', async () => {
      for (const group of ['Filters', 'Options']) {
        await page.getByRole('group', { name: group }).waitFor();
      }
      // A new query has no filter rows: only the Add filter picker.
      const filterLabels = await page.getByRole('group', { name: 'Filters' }).locator('label').allInnerTexts();
      expectEqual(filterLabels, ['Add filter'], 'filter labels of a new query');
      if (!(await visible('Group by')) || !(await visible('Bucket'))) {
        throw new Error('group by / bucket not visible');
      }
      await page.getByText(/GET https:\/\/api\.agentsight\.io\/api\/conversations\/\?language=en/).waitFor();
    });
    await check('query: every label focuses its control, every control has a label', async () => {
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll('#editor input:not([type=radio])')]
          .filter((i) => !i.getAttribute('aria-label') && !document.querySelector(`label[for="${CSS.escape(i.id)}"]`))
          .map((i) => i.outerHTML.slice(0, 120))
      );
      expectEqual(unlabelled, [], 'inputs without a label');
      const labels = await page.locator('#editor label[for]:not([role=radiogroup] label)').all();
      // Add filter, Group by, Bucket
      if (labels.length < 3) {
        throw new Error(`only ${labels.length} labels`);
      }
      for (const label of labels) {
        await label.click();
        const focused = await label.evaluate((l) => document.activeElement?.id === l.htmlFor);
        if (!focused) {
          throw new Error(`clicking "${await label.innerText()}" does not focus its control`);
        }
        await page.keyboard.press('Escape');
      }
      await blur();
    });
    await check('query: language drop-down lists the values of the range, once per range', async () => {
      await addFilter('Language');
      await field('Language').click();
      const menu = page.getByLabel('Select options menu');
      await menu.getByText('fr', { exact: true }).click();
      expectEqual((await lastQuery()).filters, { language: 'fr' }, 'filters');
      const calls = await emitted('resourceCalls');
      expectEqual(calls.length, 1, 'resource calls');
      expectEqual(
        [calls[0].path, calls[0].params.field, typeof calls[0].params.from],
        ['values', 'language', 'number'],
        'resource call'
      );
      await page.keyboard.press('Escape');
      await field('Language').click();
      await page.getByLabel('Select options menu').getByText('de', { exact: true }).waitFor();
      expectEqual((await emitted('resourceCalls')).length, 1, 'resource calls after reopening');
      await page.keyboard.press('Escape');
    });
    await check('query: group by picks a field', async () => {
      await field('Group by').click();
      await page.getByRole('option', { name: 'Device', exact: true }).click();
      expectEqual((await lastQuery()).groupBy, 'device', 'groupBy');
    });
    await check('query: typing a filter runs only after Enter', async () => {
      await addFilter('Message contains');
      const runsBefore = await emitted('runs');
      const input = field('Message contains');
      await input.click();
      await input.pressSequentially('refund');
      expectEqual(await emitted('runs'), runsBefore, 'runs while typing');
      await input.press('Enter');
      expectEqual(await emitted('runs'), runsBefore + 1, 'runs after Enter');
      expectEqual((await lastQuery()).filters, { language: 'fr', message_contains: 'refund' }, 'filters');
    });
    await check('query: bucket keeps an invalid typed value with its error, then takes a valid one', async () => {
      await field('Bucket').click();
      await page.keyboard.type('fortnight');
      await page.keyboard.press('Enter');
      await page.getByText(/^Not a duration/).waitFor();
      await page.getByRole('group', { name: 'Options' }).getByText('fortnight', { exact: true }).waitFor();
      expectEqual((await lastQuery()).bucket, '', 'bucket after an invalid one');
      await field('Bucket').click();
      await page.keyboard.type('10m');
      await page.keyboard.press('Enter');
      expectEqual((await lastQuery()).bucket, '10m', 'bucket');
      await page.getByText(/^Not a duration/).waitFor({ state: 'detached' });
      await page.keyboard.press('Escape');
      await blur();
    });

    const expectations = {
      conversations: { shown: ['Limit', 'Language'], hidden: ['Group by', 'Bucket', 'Conversation', 'Field'] },
      messages: { shown: ['Conversation', 'Limit', 'Language'], hidden: ['Group by', 'Bucket', 'Field'] },
      attachments: { shown: ['Conversation', 'Limit'], hidden: ['Group by', 'Bucket', 'Field'] },
      values: { shown: ['Field'], hidden: ['Group by', 'Bucket', 'Conversation', 'Limit'] },
      stats: { shown: ['Measure', 'Aggregation', 'Group by', 'Bucket'], hidden: ['Conversation', 'Limit', 'Field'] },
      count: { shown: ['Group by', 'Bucket'], hidden: ['Measure', 'Aggregation', 'Conversation', 'Limit', 'Field'] },
    };
    for (const [type, { shown, hidden }] of Object.entries(expectations)) {
      await check(`query: ${type} shows ${shown.join(', ')} and hides the rest`, async () => {
        const label = type[0].toUpperCase() + type.slice(1);
        const runsBefore = await emitted('runs');
        await clickRadio(page, label);
        expectEqual((await lastQuery()).queryType, type, 'queryType');
        expectEqual(await emitted('runs'), runsBefore + 1, 'runs');
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
        await check('query: messages does not offer "Without messages"', async () => {
          await addFilter('Has messages');
          await field('Has messages').click();
          await page.getByRole('option', { name: 'With messages', exact: true }).waitFor();
          expectEqual(await page.getByRole('option', { name: 'Without messages' }).count(), 0, 'Without messages');
          await page.keyboard.press('Escape');
        });
        await check('query: a messages query of one conversation hides the filters', async () => {
          const input = field('Conversation');
          await input.fill('42');
          await input.press('Enter');
          expectEqual((await lastQuery()).conversationId, 42, 'conversationId');
          await page.getByText(/do not apply: conversation 42 is read by its id/).waitFor();
          for (const l of ['Language', 'Conversation ID', 'Has messages']) {
            if (await visible(l)) {
              throw new Error(`${l} visible`);
            }
          }
          await blur();
        });
      }
      if (type === 'stats') {
        await check('query: stats starts at p90 response time; a measure shows its aggregations only', async () => {
          const q = await lastQuery();
          expectEqual([q.measure, q.aggregation], ['response_time', 'p90'], 'new stats query');
          await field('Measure').click();
          await page.getByRole('option', { name: /^Customers/ }).click();
          expectEqual(
            [(await lastQuery()).measure, (await lastQuery()).aggregation],
            ['customers', 'distinct'],
            'measure'
          );
          await field('Aggregation').click();
          const offered = await page.getByRole('option').allInnerTexts();
          expectEqual(offered, ['Distinct count'], 'aggregations of customers');
          await page.keyboard.press('Escape');
        });
      }
      if (type === 'values') {
        await check('query: values field select, no action name', async () => {
          await field('Field').click();
          expectEqual(await page.getByRole('option', { name: /Action/ }).count(), 0, 'action name options');
          await page.getByRole('option', { name: 'City', exact: true }).click();
          expectEqual((await lastQuery()).field, 'city', 'field');
        });
      }
      await blur();
    }

    // ---------------- layout: both themes, narrow and wide
    for (const theme of ['dark', 'light']) {
      for (const width of theme === 'dark' ? [480, 640, 1200] : [640, 1200]) {
        for (const queryType of ['count', 'stats', 'messages']) {
          const query = {
            queryType,
            filters: { language: 'en', device: ['mobile', 'tablet'] },
            ...(queryType === 'messages' ? { limit: 100 } : { groupBy: 'device', bucket: '1h' }),
            ...(queryType === 'stats' ? { measure: 'response_time', aggregation: 'p90' } : {}),
          };
          await show({ view: 'query', theme, width, query });
          await check(`layout: ${queryType} at ${width} px, ${theme}: nothing clipped or overflowing`, async () => {
            const problems = await page.evaluate(() => {
              const editor = document.getElementById('editor');
              const box = editor.getBoundingClientRect();
              const out = [];
              if (editor.scrollWidth > editor.clientWidth + 1) {
                out.push(`editor scrolls: ${editor.scrollWidth} > ${editor.clientWidth}`);
              }
              for (const el of editor.querySelectorAll('[role=radiogroup] label, label, input, h6')) {
                const r = el.getBoundingClientRect();
                if (r.width === 0) {
                  continue;
                }
                if (r.right > box.right + 1 || r.left < box.left - 1) {
                  out.push(`${el.tagName} "${el.textContent || el.id}" outside the editor`);
                }
                if (el.tagName === 'LABEL' && el.scrollWidth > el.clientWidth + 1) {
                  out.push(`label "${el.textContent}" clipped`);
                }
              }
              return out;
            });
            expectEqual(problems, [], 'layout problems');
            for (const t of ['Count', 'Stats', 'Conversations', 'Messages', 'Attachments', 'Values']) {
              if (!(await page.getByText(t, { exact: true }).first().isVisible())) {
                throw new Error(`query type ${t} not visible`);
              }
            }
          });
          await shot(`query-editor-${queryType}-${theme}-${width}`);
        }
      }
    }

    // ---------------- variable editor and query help
    for (const theme of ['dark', 'light']) {
      await show({ view: 'variable', theme });
      if (theme === 'dark') {
        await check('variable: field and a filter holding another variable, readable definition', async () => {
          await field('Field').click();
          await page.getByRole('option', { name: 'Device', exact: true }).click();
          await addFilter('Language');
          await field('Language').click();
          await page.getByLabel('Select options menu').getByText('$lang', { exact: true }).click();
          await page.keyboard.press('Escape');
          expectEqual(
            await lastQuery(),
            {
              refId: 'A',
              queryType: 'values',
              field: 'device',
              filters: { language: '$lang' },
              query: 'device values (language=$lang)',
            },
            'query'
          );
          await page
            .getByText('Shown in the variable list as: device values (language=$lang)', { exact: true })
            .waitFor();
          await blur();
        });
      }
      await shot(`variable-editor-${theme}`);
    }
    await show({ view: 'help' });
    await check('help: an example loads into the editor', async () => {
      await page.getByRole('button', { name: 'Use example: The transcript of one conversation' }).click();
      expectEqual(await lastQuery(), { refId: 'A', queryType: 'messages', conversationId: 42 }, 'example');
    });
    await shot('query-help');

    // ---------------- config page (mounted as the data source settings page mounts it)
    for (const theme of ['dark', 'light']) {
      await show({ view: 'config', theme });
      await shot(`config-editor-${theme}`);
      await check(`config: renders with its inputs (${theme})`, async () => {
        await page.locator('#editor input').first().waitFor();
      });
      if (theme === 'dark') {
        await check('config: a URL edit reaches the options', async () => {
          await page.getByLabel(/^URL/).fill('http://127.0.0.1:8080');
          expectEqual((await emitted('emittedOptions')).at(-1).url, 'http://127.0.0.1:8080', 'url');
          await page.getByLabel(/^URL/).fill('');
          await blur();
        });
      }
    }

    await check('no page errors', async () => {
      if (pageErrors.length > 0) {
        throw new Error(pageErrors.join('\n'));
      }
    });
    for (const [from, to] of [
      ['query-editor-count-dark-1200', 'query-editor'],
      ['config-editor-dark', 'config-editor'],
    ]) {
      fs.copyFileSync(path.join(outDir, `${from}.png`), path.join(screenshotDir, `${to}.png`));
    }
  } finally {
    await browser.close();
    server.close();
  }
  finish();
}

main().catch(crash);
