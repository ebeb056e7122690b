import { expect, test } from '@grafana/plugin-e2e';

/*
 * Runs against a real Grafana with the plugin and the provisioned data source
 * (provisioning/datasources/agentsight.yaml; docker compose up, then
 * GRAFANA_URL=http://localhost:3000 npm run e2e). Skipped when GRAFANA_URL is not set.
 */
test.skip(!process.env.GRAFANA_URL, 'set GRAFANA_URL to run against a Grafana with the plugin (docker compose up)');

test('a count query runs and returns a series', async ({ panelEditPage, readProvisionedDataSource }) => {
  const ds = await readProvisionedDataSource({ fileName: 'agentsight.yaml' });
  await panelEditPage.datasource.set(ds.name);
  const row = panelEditPage.getQueryEditorRow('A');
  await expect(row.getByRole('radio', { name: 'Count' })).toBeChecked();
  await expect(row.getByLabel('Group by')).toBeVisible();
  await expect(panelEditPage.refreshPanel()).toBeOK();
  await expect(row.getByText('Executed API calls')).toBeVisible();
});

test('switching to Conversations runs a table query', async ({ panelEditPage, readProvisionedDataSource }) => {
  const ds = await readProvisionedDataSource({ fileName: 'agentsight.yaml' });
  await panelEditPage.datasource.set(ds.name);
  await panelEditPage.setVisualization('Table');
  const row = panelEditPage.getQueryEditorRow('A');
  const queryReq = panelEditPage.waitForQueryDataRequest((r) =>
    (r.postDataJSON()?.queries ?? []).some((q: { queryType?: string }) => q.queryType === 'conversations')
  );
  await row.getByText('Conversations', { exact: true }).click({ force: true });
  // The query sent is a conversations query without the count's options.
  const sent = (await queryReq).postDataJSON().queries[0];
  expect(sent).toMatchObject({ refId: 'A', queryType: 'conversations' });
  expect(sent).not.toHaveProperty('groupBy');
  expect(sent).not.toHaveProperty('bucket');
  await expect(row.getByLabel('Limit')).toBeVisible();
  await expect(panelEditPage.refreshPanel()).toBeOK();
});
