// Bundles tests/dashboard/page.tsx for the dashboard check: the editors' bundle configuration
// (tests/browser/webpack.config.cjs) with another entry and output.
const path = require('path');
const base = require('../browser/webpack.config.cjs');

const root = path.resolve(__dirname, '../..');

module.exports = {
  ...base,
  entry: path.resolve(__dirname, 'page.tsx'),
  output: { path: path.resolve(root, 'test-results/dashboard-bundle'), filename: 'page.js', clean: true },

  module: {
    ...base.module,
    // @grafana/ui's .mjs files default-import CommonJS packages (react-custom-scrollbars-2); strict
    // .mjs interop would hand them the whole exports object.
    rules: [...base.module.rules, { test: /\.mjs$/, include: /node_modules/, type: 'javascript/auto' }],
  },
};
