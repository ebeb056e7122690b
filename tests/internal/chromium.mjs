// What the browser checks share (tests/browser/run.mjs, tests/dashboard/run.mjs): Debian's chromium
// through playwright-core, the webpack bundle of a test page, the page errors a run must not have,
// and the "ok/FAIL" check lines ending in "N passed, M failed".
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Where the checks write their screenshots and bundles.
export const resultsDir = path.join(repoRoot, 'test-results');

export const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Checks counts passed and failed checks. A failed check prints the first failLines lines of its
// error and calls the debug shot set with onFailure (a screenshot of the page as it failed);
// expectEqual shows at most shown characters of each side.
export function checks({ failLines = 6, shown = Infinity } = {}) {
  let passed = 0;
  let failed = 0;
  let debugShot;
  const summary = () => `${passed} passed, ${failed} failed`;
  return {
    onFailure: (fn) => {
      debugShot = fn;
    },
    check: async (name, fn) => {
      try {
        await fn();
        passed++;
        console.log(`ok   ${name}`);
      } catch (e) {
        failed++;
        await debugShot?.(name);
        console.log(
          `FAIL ${name}\n     ${String(e?.message ?? e)
            .split('\n')
            .slice(0, failLines)
            .join('\n     ')}`
        );
      }
    },
    expectEqual: (actual, expected, what) => {
      const a = JSON.stringify(actual);
      const b = JSON.stringify(expected);
      if (a !== b) {
        throw new Error(`${what}: expected ${b.slice(0, shown)}, got ${a.slice(0, shown)}`);
      }
    },
    allPassed: () => failed === 0,
    // finish prints the summary and exits 0 only when every check passed.
    finish: () => {
      console.log(summary());
      process.exit(failed === 0 ? 0 : 1);
    },
    // crash is the end of a run that threw outside a check: one more failure.
    crash: (e) => {
      console.error(e);
      failed++;
      console.log(summary());
      process.exit(1);
    },
  };
}

// Without chromium there is nothing to check: the run says so and fails.
export function requireChromium() {
  if (!fs.existsSync(executablePath)) {
    console.log(`chromium not found at ${executablePath} (apt-get install -y chromium)`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

export function launch() {
  return chromium.launch({
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
}

// bundle runs webpack with config and resolves when it built without errors.
export function bundle(config) {
  const webpack = require('webpack');
  return new Promise((resolve, reject) =>
    webpack(config, (err, stats) =>
      err || stats.hasErrors() ? reject(err || new Error(stats.toString('errors-only'))) : resolve()
    )
  );
}

// pageErrors collects what must not happen on page: uncaught errors, console errors (React's
// warnings and the like aside) and HTTP answers of 400 or more (fonts aside: Grafana serves its
// own, the test pages have none; and whatever ignoreResponse accepts). label() names where the
// page was when it happened.
export function pageErrors(page, { label = () => '', ignoreResponse = () => false } = {}) {
  const errors = [];
  const at = (sep) => {
    const l = label();
    return l ? `${l}${sep}` : '';
  };
  page.on('pageerror', (e) => errors.push(`${at(': ')}${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Warning:|i18n|Download the React DevTools|Failed to load resource/.test(m.text())) {
      errors.push(`${at(' ')}console: ${m.text().slice(0, 300)}`);
    }
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !/\.(woff2?|ttf)(\?|$)/.test(r.url()) && !ignoreResponse(r)) {
      errors.push(`${at(': ')}HTTP ${r.status()} ${r.url()}`);
    }
  });
  return errors;
}

// failureShot returns a debug shot for checks().onFailure: a screenshot of page named after the
// failed check, in dir.
export function failureShot(page, dir, prefix, options = {}) {
  return (name) =>
    page
      .screenshot({
        path: path.join(dir, `${prefix}${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`),
        ...options,
      })
      .catch(() => {});
}
