// Negative tests of scripts/check-package.mjs: a small, valid plugin archive is built in a temporary
// folder (real zip, binaries with real ELF/Mach-O/PE headers, a Go source tree and its build
// manifest), and each test breaks one thing the catalog's validator would reject and expects the
// check to fail on that rule. The first test shows the unbroken archive passes.
//   node --test scripts/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const script = path.join(repoRoot, 'scripts/check-package.mjs');
const ID = 'agentsight-conversations-datasource';
const VERSION = '1.2.3';
const NOW = '2026-12-02T00:00:00Z';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 2)]);
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>\n';

function elf(machine) {
  const b = Buffer.alloc(256);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2; // 64-bit
  b[5] = 1; // little-endian
  b[6] = 1;
  b.writeUInt16LE(2, 16); // executable
  b.writeUInt16LE(machine, 18);
  return b;
}
function macho(cpu) {
  const b = Buffer.alloc(256);
  b.writeUInt32LE(0xfeedfacf, 0);
  b.writeUInt32LE(cpu, 4);
  return b;
}
function pe(machine) {
  const b = Buffer.alloc(256);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  b.writeUInt16LE(machine, 0x84);
  return b;
}
const BINARIES = {
  linux_amd64: elf(0x3e),
  linux_arm64: elf(0xb7),
  darwin_amd64: macho(0x01000007),
  darwin_arm64: macho(0x0100000c),
  'windows_amd64.exe': pe(0x8664),
};

const README = `# AgentSight data source

Reads the AgentSight Conversation API into Grafana: conversation counts over time, tables of
conversations, messages and attachments, alerting. See [the documentation](https://docs.agentsight.io)
and [Configuration](#configuration).

## Configuration
Paste the API key and press *Save & test*.

\`\`\`
go run ./cmd/agentsight-fake      # [not a link](docs/design.md) inside code
\`\`\`
`;

function pluginJson() {
  return {
    $schema: 'https://example.invalid/plugin.schema.json',
    type: 'datasource',
    name: 'AgentSight',
    id: ID,
    metrics: true,
    backend: true,
    alerting: true,
    executable: 'gpx_agentsight',
    category: 'other',
    info: {
      description: 'Conversations your AI agents have with customers.',
      author: { name: 'AgentSight', url: 'https://agentsight.io' },
      keywords: ['datasource', 'agentsight'],
      logos: { small: 'img/logo.svg', large: 'img/logo.svg' },
      links: [{ name: 'Documentation', url: 'https://docs.agentsight.io' }],
      screenshots: [{ name: 'Dashboard', path: 'img/screenshots/dashboard.png' }],
      version: VERSION,
      updated: '2026-12-01',
    },
    dependencies: { grafanaDependency: '>=12.3.0', plugins: [] },
  };
}

// A fixture: work/<id>/ (the archive's contents), work/source/ (the Go module), side files.
function makeFixture() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'check-package-test-'));
  const dir = path.join(work, ID);
  const source = path.join(work, 'source');
  const write = (rel, content, base = dir) => {
    fs.mkdirSync(path.dirname(path.join(base, rel)), { recursive: true });
    fs.writeFileSync(path.join(base, rel), content);
  };
  write('go.mod', 'module example.com/plugin\n\ngo 1.26\n', source);
  write('pkg/main.go', 'package main\n\nfunc main() {}\n', source);
  write('pkg/main_test.go', 'package main\n', source);
  write('node_modules/flatted/golang/pkg/flatted/flatted.go', 'package flatted\n', source); // skipped, as mage does

  write('plugin.json', JSON.stringify(pluginJson(), null, 2));
  write('module.js', 'define([], function () { return {}; });\n');
  write('module.js.map', '{"version":3,"sources":[],"mappings":""}\n');
  write('README.md', README);
  write('LICENSE', 'Apache License 2.0\n\n   Copyright 2026 The AgentSight data source authors\n');
  write('CHANGELOG.md', `# Changelog\n\n## [Unreleased]\n\n## [${VERSION}] - 2026-12-01\n### Added\n- Everything.\n`);
  write('img/logo.svg', SVG);
  write('img/screenshots/dashboard.png', PNG);
  for (const [platform, header] of Object.entries(BINARIES)) {
    write(`gpx_agentsight_${platform}`, header);
    fs.chmodSync(path.join(dir, `gpx_agentsight_${platform}`), 0o755);
  }
  writeManifest(dir, source);
  write('package.json', JSON.stringify({ name: ID, version: VERSION }), work);
  fs.copyFileSync(path.join(dir, 'CHANGELOG.md'), path.join(work, 'CHANGELOG.md'));
  write('sdk.json', JSON.stringify(sdkModule(20)), work);
  return { work, dir, source };
}

function sdkModule(daysOld) {
  const released = new Date(Date.parse(NOW) - daysOld * 86_400_000);
  return { Path: 'github.com/grafana/grafana-plugin-sdk-go', Version: 'v0.299.0', Time: released.toISOString() };
}

function writeManifest(dir, source) {
  const lines = [];
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && r !== 'node_modules') {
        walk(path.join(d, e.name), r);
      } else if (e.isFile() && e.name.endsWith('.go')) {
        lines.push(
          `${crypto
            .createHash('sha256')
            .update(fs.readFileSync(path.join(d, e.name)))
            .digest('hex')}:${r}`
        );
      }
    }
  };
  walk(source, '');
  fs.writeFileSync(path.join(dir, 'go_plugin_build_manifest'), lines.join('\n') + '\n');
}

function check(fx) {
  const zip = path.join(fx.work, `${ID}.zip`);
  fs.rmSync(zip, { force: true });
  execFileSync('zip', ['-q', '-r', '-X', zip, ID], { cwd: fx.work });
  const args = [
    script,
    zip,
    '--package-json',
    path.join(fx.work, 'package.json'),
    '--changelog',
    path.join(fx.work, 'CHANGELOG.md'),
    '--source',
    fx.source,
    '--sdk-module-json',
    path.join(fx.work, 'sdk.json'),
    '--now',
    NOW,
  ];
  try {
    return { code: 0, out: execFileSync(process.execPath, args, { encoding: 'utf8' }) };
  } catch (e) {
    return { code: e.status, out: String(e.stdout) + String(e.stderr) };
  }
}

function withFixture(fn) {
  const fx = makeFixture();
  try {
    return fn(fx);
  } finally {
    fs.rmSync(fx.work, { recursive: true, force: true });
  }
}

const editJSON = (file, fn) => {
  const v = JSON.parse(fs.readFileSync(file, 'utf8'));
  fn(v);
  fs.writeFileSync(file, JSON.stringify(v, null, 2));
};

test('a valid archive passes, and the SDK age is reported', () =>
  withFixture((fx) => {
    const { code, out } = check(fx);
    assert.equal(code, 0, out);
    assert.match(
      out,
      /info github\.com\/grafana\/grafana-plugin-sdk-go v0\.299\.0 was released on 2026-11-12, 20 days ago/
    );
    assert.doesNotMatch(out, /^warn/m);
  }));

test('an SDK between 60 and 150 days old only warns', () =>
  withFixture((fx) => {
    fs.writeFileSync(path.join(fx.work, 'sdk.json'), JSON.stringify(sdkModule(90)));
    const { code, out } = check(fx);
    assert.equal(code, 0, out);
    assert.match(out, /^warn github\.com\/grafana\/grafana-plugin-sdk-go v0\.299\.0 is 90 days old/m);
  }));

test('a README link inside a code block or to an anchor is not flagged', () =>
  withFixture((fx) => {
    const { out } = check(fx);
    assert.match(out, /^ok {3}README\.md has no relative links/m, out);
  }));

// Each case breaks the fixture one way; the check must fail and name the rule.
const cases = [
  {
    name: 'plugin.json with a misspelt key (screenshot for screenshots)',
    breakIt: ({ dir }) => editJSON(path.join(dir, 'plugin.json'), (p) => (p.info.screenshot = [])),
    rule: /plugin\.json matches the plugin\.json schema/,
    detail: /\/info must NOT have additional properties: screenshot/,
  },
  {
    name: 'plugin.json with an unknown category',
    breakIt: ({ dir }) => editJSON(path.join(dir, 'plugin.json'), (p) => (p.category = 'analytics')),
    rule: /plugin\.json matches the plugin\.json schema/,
    detail: /\/category must be equal to one of the allowed values/,
  },
  {
    name: 'plugin.json without keywords',
    breakIt: ({ dir }) => editJSON(path.join(dir, 'plugin.json'), (p) => delete p.info.keywords),
    rule: /plugin\.json matches the plugin\.json schema/,
    detail: /must have required property 'keywords'/,
  },
  {
    name: "the license template's placeholders",
    breakIt: ({ dir }) =>
      fs.writeFileSync(path.join(dir, 'LICENSE'), 'Apache License\n   Copyright {yyyy} {name of copyright owner}\n'),
    rule: /LICENSE has no template placeholders/,
    detail: /LICENSE still holds \{yyyy\}/,
  },
  {
    name: 'an empty screenshots list',
    breakIt: ({ dir }) => editJSON(path.join(dir, 'plugin.json'), (p) => (p.info.screenshots = [])),
    rule: /at least one screenshot/,
  },
  {
    name: 'a JPEG named .png',
    breakIt: ({ dir }) => fs.writeFileSync(path.join(dir, 'img/screenshots/dashboard.png'), JPEG),
    rule: /each logo and screenshot is the image type its extension says/,
    detail: /dashboard\.png is named \.png but its content is jpeg/,
  },
  {
    name: 'a text file named .png',
    breakIt: ({ dir }) => fs.writeFileSync(path.join(dir, 'img/screenshots/dashboard.png'), 'TODO: screenshot\n'),
    rule: /each logo and screenshot is the image type its extension says/,
    detail: /its content is not an image/,
  },
  {
    name: 'a screenshot path starting with ./',
    breakIt: ({ dir }) =>
      editJSON(path.join(dir, 'plugin.json'), (p) => (p.info.screenshots[0].path = './img/screenshots/dashboard.png')),
    rule: /paths are relative to the plugin folder \(no leading \. or \/\)/,
    detail: /info\.screenshots\[0\]\.path is \.\/img/,
  },
  {
    name: 'a logo path starting with /',
    breakIt: ({ dir }) => editJSON(path.join(dir, 'plugin.json'), (p) => (p.info.logos.small = '/img/logo.svg')),
    rule: /paths are relative to the plugin folder/,
    detail: /info\.logos\.small is \/img\/logo\.svg/,
  },
  {
    name: 'a script in the SVG logo',
    breakIt: ({ dir }) =>
      fs.writeFileSync(path.join(dir, 'img/logo.svg'), SVG.replace('</svg>', '<script>alert(1)</script></svg>')),
    rule: /SVG files hold no script/,
    detail: /img\/logo\.svg contains a <script> element/,
  },
  {
    name: 'an event handler in the SVG logo',
    breakIt: ({ dir }) =>
      fs.writeFileSync(path.join(dir, 'img/logo.svg'), SVG.replace('<circle', '<circle onload="x()"')),
    rule: /SVG files hold no script/,
    detail: /an on\* event handler attribute/,
  },
  {
    name: 'a foreignObject in the SVG logo',
    breakIt: ({ dir }) =>
      fs.writeFileSync(
        path.join(dir, 'img/logo.svg'),
        SVG.replace('</svg>', '<foreignObject><div/></foreignObject></svg>')
      ),
    rule: /SVG files hold no script/,
    detail: /a <foreignObject>/,
  },
  {
    name: 'a relative link in the README',
    breakIt: ({ dir }) => fs.appendFileSync(path.join(dir, 'README.md'), '\nSee [the design](docs/design.md).\n'),
    rule: /README\.md has no relative links or images/,
    detail: /relative link docs\/design\.md/,
  },
  {
    name: 'a relative image in the README',
    breakIt: ({ dir }) =>
      fs.appendFileSync(path.join(dir, 'README.md'), '\n![editor](img/screenshots/dashboard.png)\n'),
    rule: /README\.md has no relative links or images/,
    detail: /relative link img\/screenshots\/dashboard\.png/,
  },
  {
    name: 'an HTML comment in the README',
    breakIt: ({ dir }) => fs.appendFileSync(path.join(dir, 'README.md'), '\n<!-- TODO: badges -->\n'),
    rule: /README\.md has no HTML comments/,
  },
  {
    name: 'no CHANGELOG.md in the archive',
    breakIt: ({ dir }) => fs.rmSync(path.join(dir, 'CHANGELOG.md')),
    rule: /CHANGELOG\.md is in the archive/,
  },
  {
    name: 'an arm64 binary named amd64',
    breakIt: ({ dir }) => fs.writeFileSync(path.join(dir, 'gpx_agentsight_linux_amd64'), BINARIES.linux_arm64),
    rule: /each backend binary is built for the GOOS\/GOARCH its name says/,
    detail: /gpx_agentsight_linux_amd64 is named linux\/amd64 but is a linux\/arm64 binary/,
  },
  {
    name: 'a Linux binary named darwin',
    breakIt: ({ dir }) => fs.writeFileSync(path.join(dir, 'gpx_agentsight_darwin_arm64'), BINARIES.linux_arm64),
    rule: /each backend binary is built for the GOOS\/GOARCH its name says/,
    detail: /is named darwin\/arm64 but is a linux\/arm64 binary/,
  },
  {
    name: 'a Windows binary that is not a PE file',
    breakIt: ({ dir }) => fs.writeFileSync(path.join(dir, 'gpx_agentsight_windows_amd64.exe'), 'MZ but nothing else'),
    rule: /each backend binary is built for the GOOS\/GOARCH/,
    detail: /gpx_agentsight_windows_amd64\.exe is not an ELF, Mach-O or PE executable/,
  },
  {
    name: 'a Go source changed after the build',
    breakIt: ({ source }) => fs.appendFileSync(path.join(source, 'pkg/main.go'), '\n// changed\n'),
    rule: /go_plugin_build_manifest matches the Go sources/,
    detail: /pkg\/main\.go changed since the build/,
  },
  {
    name: 'a Go source added after the build',
    breakIt: ({ source }) => fs.writeFileSync(path.join(source, 'pkg/extra.go'), 'package main\n'),
    rule: /go_plugin_build_manifest matches the Go sources/,
    detail: /pkg\/extra\.go is in the source but not in the manifest/,
  },
  {
    name: 'no build manifest',
    breakIt: ({ dir }) => fs.rmSync(path.join(dir, 'go_plugin_build_manifest')),
    rule: /go_plugin_build_manifest is present/,
  },
  {
    name: 'an SDK 150 days old',
    breakIt: ({ work }) => fs.writeFileSync(path.join(work, 'sdk.json'), JSON.stringify(sdkModule(150))),
    rule: /grafana-plugin-sdk-go is less than 150 days old/,
    detail: /v0\.299\.0 is 150 days old: update it/,
  },
  // What the check did before the validator's rules, kept.
  {
    name: 'plugin.json and package.json versions apart',
    breakIt: ({ work }) => fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ version: '1.2.4' })),
    rule: /in step with package\.json and CHANGELOG\.md/,
  },
  {
    name: 'a missing platform binary',
    breakIt: ({ dir }) => fs.rmSync(path.join(dir, 'gpx_agentsight_darwin_arm64')),
    rule: /backend binaries gpx_agentsight_<os>_<arch>/,
    detail: /gpx_agentsight_darwin_arm64 is missing/,
  },
  {
    name: "the fake API's key in a file",
    breakIt: ({ dir }) => fs.appendFileSync(path.join(dir, 'module.js'), '// key: demo-key\n'),
    rule: /no file contains demo-key/,
  },
  {
    name: 'an .env file',
    breakIt: ({ dir }) => fs.writeFileSync(path.join(dir, '.env'), 'X=1\n'),
    rule: /no \.env files, private keys or certificates/,
  },
];

for (const c of cases) {
  test(`fails on ${c.name}`, () =>
    withFixture((fx) => {
      c.breakIt(fx);
      const { code, out } = check(fx);
      assert.equal(code, 1, `the check passed:\n${out}`);
      assert.match(out, new RegExp(`^FAIL .*${c.rule.source}`, 'm'), out);
      if (c.detail) {
        assert.match(out, c.detail, out);
      }
    }));
}
