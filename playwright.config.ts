import type { PluginOptions } from '@grafana/plugin-e2e';
import { defineConfig, devices } from '@playwright/test';
import { dirname } from 'node:path';

/*
 * @grafana/plugin-e2e specs (tests/e2e-grafana) against a running Grafana with the plugin:
 *   docker compose up --build        (in another terminal)
 *   GRAFANA_URL=http://localhost:3000 npm run e2e
 * Without GRAFANA_URL every spec is skipped and no login is attempted.
 * The editors' browser check without Grafana is tests/browser (npm run test:browser).
 */
const grafanaUrl = process.env.GRAFANA_URL;
const pluginE2eAuth = `${dirname(require.resolve('@grafana/plugin-e2e'))}/auth`;

export default defineConfig<PluginOptions>({
  testDir: './tests/e2e-grafana',
  // Not test-results/ itself: Playwright empties its output folder, which also holds the
  // screenshots of npm run test:browser.
  outputDir: './test-results/e2e-grafana',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 2 : 0,
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: grafanaUrl || 'http://localhost:3000',
    trace: 'on-first-retry',
  },
  projects: grafanaUrl
    ? [
        // 1. Log in to Grafana and store the cookie for the other tests.
        { name: 'auth', testDir: pluginE2eAuth, testMatch: [/.*\.js/] },
        // 2. Run the specs in Chromium, authenticated as admin.
        {
          name: 'chromium',
          use: { ...devices['Desktop Chrome'], storageState: 'playwright/.auth/admin.json' },
          dependencies: ['auth'],
        },
      ]
    : [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
});
