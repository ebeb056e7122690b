import { expect, test } from '@grafana/plugin-e2e';

/*
 * Runs against a real Grafana with the plugin loaded (docker compose up, then
 * GRAFANA_URL=http://localhost:3000 npm run e2e). Skipped when GRAFANA_URL is not set.
 * The key and URL default to the bundled fake API as Grafana's container reaches it.
 */
test.skip(!process.env.GRAFANA_URL, 'set GRAFANA_URL to run against a Grafana with the plugin (docker compose up)');

const TYPE = 'agentsight-conversations-datasource';
const API_URL = process.env.AGENTSIGHT_URL ?? 'http://agentsight-fake:8080';
const API_KEY = process.env.AGENTSIGHT_API_KEY ?? 'demo-key';

test('the config page shows the connection, key and advanced settings', async ({
  createDataSourceConfigPage,
  page,
}) => {
  await createDataSourceConfigPage({ type: TYPE });
  await expect(page.getByLabel(/^URL/)).toBeVisible();
  await expect(page.getByPlaceholder('Enter your API key')).toBeVisible();
  await page.getByText('Advanced settings', { exact: true }).click();
  await expect(page.getByLabel(/^Page size/)).toBeVisible();
  await expect(page.getByLabel(/^Cache TTL/)).toBeVisible();
});

test('"Save & test" succeeds with a valid key', async ({ createDataSourceConfigPage, page }) => {
  const configPage = await createDataSourceConfigPage({ type: TYPE });
  await page.getByLabel(/^URL/).fill(API_URL);
  await page.getByPlaceholder('Enter your API key').fill(API_KEY);
  await expect(configPage.saveAndTest()).toBeOK();
  await expect(configPage).toHaveAlert('success');
});

test('"Save & test" names the missing API key', async ({ createDataSourceConfigPage, page }) => {
  const configPage = await createDataSourceConfigPage({ type: TYPE });
  await page.getByLabel(/^URL/).fill(API_URL);
  await expect(configPage.saveAndTest()).not.toBeOK();
  await expect(configPage).toHaveAlert('error', { hasText: 'API key is missing' });
});
