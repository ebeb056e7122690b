// Bundles tests/browser/harness.tsx (with React and @grafana/* inside) for the browser check.
const path = require('path');
const webpack = require('webpack');

const root = path.resolve(__dirname, '../..');

module.exports = {
  mode: 'development',
  devtool: false,
  context: root,
  entry: path.resolve(__dirname, 'harness.tsx'),
  output: { path: path.resolve(root, 'test-results/browser-bundle'), filename: 'harness.js', clean: true },
  resolve: {
    extensions: ['.tsx', '.ts', '.mjs', '.js', '.jsx'],
    fallback: { fs: false, path: false, os: false, crypto: false, stream: false, buffer: false },
  },
  module: {
    rules: [
      {
        test: /\.[tj]sx?$/,
        exclude: /node_modules/,
        use: {
          loader: 'swc-loader',
          options: {
            jsc: {
              parser: { syntax: 'typescript', tsx: true },
              transform: { react: { runtime: 'automatic' } },
              target: 'es2020',
            },
          },
        },
      },
      { test: /\.m?js$/, resolve: { fullySpecified: false } },
      { test: /\.css$/, use: ['style-loader', 'css-loader'] },
      { test: /\.(svg|png|woff2?|ttf|eot)$/, type: 'asset/resource' },
    ],
  },
  plugins: [new webpack.DefinePlugin({ 'process.env.NODE_ENV': JSON.stringify('development') })],
  // @grafana/ui and @grafana/data dominate the bundle: kept built between runs, and shared with
  // the dashboard check (tests/dashboard/webpack.config.cjs, same cache), so that a run bundles
  // only what changed.
  cache: {
    type: 'filesystem',
    cacheDirectory: path.resolve(root, 'test-results/webpack-cache'),
    name: 'browser-pages',
    buildDependencies: { config: [__filename, path.resolve(__dirname, '../dashboard/webpack.config.cjs')] },
  },
  performance: { hints: false },
  stats: 'errors-warnings',
  ignoreWarnings: [/export .* was not found/, /Critical dependency/],
};
