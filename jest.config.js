// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...require('./.config/jest.config'),
  // The component tests drive @grafana/ui through user-event, which takes seconds on a busy
  // 2-core machine; each heavy test file also sets its own timeout. Tests restore real timers.
  testTimeout: 20000,
};
