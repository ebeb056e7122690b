// Negative tests of scripts/check-compose.sh: each breaks one thing the Docker demo relies on in a
// copy of the files it reads, and expects the check to fail naming it.
//   node --test scripts/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const script = path.join(repoRoot, 'scripts/check-compose.sh');
const COPIED = [
  'docker-compose.yaml',
  '.config/docker-compose-base.yaml',
  '.config/Dockerfile',
  '.config/Dockerfile.fake',
  '.config/Dockerfile.fake.dockerignore',
  '.config/supervisord/supervisord.conf',
  '.config/entrypoint.sh',
  '.bra.toml',
  'go.mod',
  'go.sum',
  'plugin.json',
  'cmd/agentsight-fake/main.go',
];

function copyRepo() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-compose-test-'));
  for (const f of COPIED) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, f), path.join(dir, f));
  }
  fs.cpSync(path.join(repoRoot, 'provisioning'), path.join(dir, 'provisioning'), { recursive: true });
  // The fake's Dockerfile copies these folders; the check only needs them to exist.
  fs.mkdirSync(path.join(dir, 'pkg'));
  fs.mkdirSync(path.join(dir, 'internal'));
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function run(dir) {
  try {
    // No docker here: PATH without it keeps the run static even on a machine that has one.
    const out = execFileSync('bash', [script, dir], {
      encoding: 'utf8',
      env: { ...process.env, PATH: '/usr/local/bin:/usr/bin:/bin' },
    });
    return { code: 0, out };
  } catch (e) {
    return { code: e.status, out: String(e.stdout) + String(e.stderr) };
  }
}

function edit(dir, file, from, to) {
  const p = path.join(dir, file);
  const text = fs.readFileSync(p, 'utf8');
  const next = text.replace(from, to);
  assert.notEqual(next, text, `the test's edit of ${file} changed nothing (${from})`);
  fs.writeFileSync(p, next);
}

test('the repository passes', () => {
  const dir = copyRepo();
  try {
    const { code, out } = run(dir);
    assert.equal(code, 0, out);
    assert.match(out, /check-compose: OK/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const breaks = [
  {
    name: 'supervisord waits for a binary the build does not write',
    file: '.config/supervisord/supervisord.conf',
    from: /gpx_agentsight_linux_\*/,
    to: 'gpx_conversations*',
    want: /supervisord\.conf's gpx_conversations\* names the plugin's Linux binary/,
  },
  {
    name: 'delve attaches to a binary the build does not write',
    file: '.config/supervisord/supervisord.conf',
    from: /pgrep -f gpx_agentsight_linux_/,
    to: 'pgrep -f gpx_conversations',
    want: /gpx_conversations names the plugin's Linux binary/,
  },
  {
    name: 'a glob tested with [ -f ]',
    file: '.config/supervisord/supervisord.conf',
    from: /until compgen -G "([^"]+)" >\/dev\/null; do/,
    to: 'while [ ! -f $1 ]; do',
    want: /does not test a glob with \[ -f \]/,
  },
  {
    name: 'a mage binary instead of go tool mage',
    file: '.config/supervisord/supervisord.conf',
    from: /go tool mage -v watch/,
    to: 'mage -v watch',
    want: /supervisord runs mage as `go tool mage`/,
  },
  {
    name: 'Go in the development image older than go.mod',
    file: '.config/Dockerfile',
    from: /ARG GO_VERSION=\S+/,
    to: 'ARG GO_VERSION=1.21.6',
    want: /installs Go 1\.21\.6, at least go\.mod's go/,
  },
  {
    name: 'delve @latest',
    file: '.config/Dockerfile',
    from: /dlv@\$\{DELVE_VERSION\}/,
    to: 'dlv@latest',
    want: /installs nothing @latest/,
  },
  {
    name: 'a floating Grafana default',
    file: '.config/Dockerfile',
    from: /ARG grafana_version=\S+/,
    to: 'ARG grafana_version=latest',
    want: /grafana_version defaults to a full version/,
  },
  {
    name: 'a floating Go image for the fake',
    file: '.config/Dockerfile.fake',
    from: /FROM golang:\S+ AS build/,
    to: 'FROM golang:1.26 AS build',
    want: /Dockerfile\.fake: golang:1\.26 is pinned/,
  },
  {
    name: 'a floating runtime image for the fake',
    file: '.config/Dockerfile.fake',
    from: /FROM scratch/,
    to: 'FROM alpine:3.22',
    want: /Dockerfile\.fake: alpine:3\.22 is pinned/,
  },
  {
    name: "Grafana's port on every interface",
    file: '.config/docker-compose-base.yaml',
    from: /127\.0\.0\.1:3000:3000\/tcp/,
    to: '3000:3000/tcp',
    want: /grafana publishes 3000:3000\/tcp on loopback only/,
  },
  {
    name: "the fake's port on every interface",
    file: 'docker-compose.yaml',
    from: /127\.0\.0\.1:8080:8080\/tcp/,
    to: '0.0.0.0:8080:8080/tcp',
    want: /agentsight-fake publishes 0\.0\.0\.0:8080:8080\/tcp on loopback only/,
  },
  {
    name: 'Grafana starts before the fake is healthy',
    file: 'docker-compose.yaml',
    from: /condition: service_healthy/,
    to: 'condition: service_started',
    want: /grafana waits for agentsight-fake to be healthy/,
  },
  {
    name: 'a healthcheck that needs curl',
    file: 'docker-compose.yaml',
    from: /test: \[[^\]]*\]/,
    to: "test: ['CMD-SHELL', 'curl -f http://localhost:8080/ || exit 1']",
    want: /the healthcheck runs \/usr\/local\/bin\/agentsight-fake -healthcheck in exec form/,
  },
  {
    name: 'a fault injected by default',
    file: 'docker-compose.yaml',
    from: /\$\{AGENTSIGHT_FAKE_FAULTS:-\}/,
    to: '${AGENTSIGHT_FAKE_FAULTS:-hang}',
    want: /AGENTSIGHT_FAKE_FAULTS injects no fault by default/,
  },
  {
    name: 'an alert rule file that does not parse',
    file: 'provisioning/alerting/agentsight-rules.yaml',
    from: /^apiVersion: 1$/m,
    to: 'apiVersion: [1',
    want: /provisioning\/alerting\/agentsight-rules\.yaml does not parse/,
  },
  {
    name: "an alert rule whose condition is none of its refIds",
    file: 'provisioning/alerting/agentsight-rules.yaml',
    from: /condition: B\n/,
    to: 'condition: Z\n',
    want: /rule agentsight-no-conversations: its condition is one of its refIds/,
  },
  {
    name: 'an alert query on a data source that is not provisioned',
    file: 'provisioning/alerting/agentsight-rules.yaml',
    from: /datasourceUid: agentsight\n/,
    to: 'datasourceUid: prometheus\n',
    want: /rule agentsight-no-conversations: query A names an existing data source/,
  },
  {
    name: "alert rules outside the dashboards' folder",
    file: 'provisioning/alerting/agentsight-rules.yaml',
    from: /folder: AgentSight\n/,
    to: 'folder: Alerts\n',
    want: /group AgentSight is in the dashboards' folder/,
  },
  {
    name: 'an alert rule linked to a panel that does not exist',
    file: 'provisioning/alerting/agentsight-rules.yaml',
    from: /panelId: 2\n/,
    to: 'panelId: 99\n',
    want: /rule agentsight-no-conversations: links to an existing dashboard panel/,
  },
  {
    name: 'an alert scenario tripped by default',
    file: 'docker-compose.yaml',
    from: /\$\{AGENTSIGHT_FAKE_SCENARIO:-\}/,
    to: '${AGENTSIGHT_FAKE_SCENARIO:-quiet}',
    want: /AGENTSIGHT_FAKE_SCENARIO trips no alert rule by default/,
  },
  {
    name: '.bra.toml calling a mage binary',
    file: '.bra.toml',
    from: /\["go", "tool", "mage", "-v", "build:debug"\],\n\]/,
    to: '["mage", "-v", "build:debug"],\n]',
    want: /\.bra\.toml runs `go tool mage`/,
  },
];

for (const b of breaks) {
  test(`fails on ${b.name}`, () => {
    const dir = copyRepo();
    try {
      edit(dir, b.file, b.from, b.to);
      const { code, out } = run(dir);
      assert.notEqual(code, 0, `check-compose passed:\n${out}`);
      assert.match(out, new RegExp(`FAIL: .*${b.want.source}`), out);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
