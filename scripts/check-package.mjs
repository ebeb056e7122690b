#!/usr/bin/env node
// Checks a plugin archive (the zip scripts/package.sh writes) against the rules the Grafana
// plugin catalog applies to an archive, plus this project's own: versions in step, every
// backend binary present and runnable, nothing secret or development-only inside.
//
//   node scripts/check-package.mjs artifacts/agentsight-conversations-datasource-<version>.zip
//     [--package-json <file>] [--changelog <file>] [--forbid-source-maps]
//
// Built-in modules only; the archive is read with the `unzip` command (apt-get install -y unzip).
//
// This is an offline approximation for every CI run. The official validator
// (`npx @grafana/plugin-validator@latest -sourceCodeUri <repo at the tag> <zip>`) downloads its
// own binary when it runs and needs the published source code, so it belongs to release time.
// Like the official validator, this check wants module.js.map beside module.js (reviewers
// compare it with the source code); --forbid-source-maps instead rejects every *.map.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PLUGIN_ID = 'agentsight-conversations-datasource';
const EXECUTABLE = 'gpx_agentsight';
const PLATFORMS = ['linux_amd64', 'linux_arm64', 'darwin_amd64', 'darwin_arm64', 'windows_amd64'];
const BINARY_MODE = 0o755; // the validator wants exactly this on non-Windows binaries

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  if (i < 0) {
    return def;
  }
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) {
    return false;
  }
  args.splice(i, 1);
  return true;
};
const packageJsonPath = opt('--package-json', path.join(repoRoot, 'package.json'));
const changelogPath = opt('--changelog', path.join(repoRoot, 'CHANGELOG.md'));
const forbidSourceMaps = flag('--forbid-source-maps');
const zipPath = args[0];
if (!zipPath || args.length !== 1) {
  console.error(
    'usage: node scripts/check-package.mjs <plugin.zip> [--package-json f] [--changelog f] [--forbid-source-maps]'
  );
  process.exit(2);
}

const results = [];
const warnings = [];
function rule(name, violations) {
  const list = [].concat(violations || []).filter(Boolean);
  results.push({ name, violations: list });
  console.log(`${list.length ? 'FAIL' : 'ok  '} ${name}${list.length ? '\n       - ' + list.join('\n       - ') : ''}`);
  return list.length === 0;
}
function warn(msg) {
  warnings.push(msg);
  console.log(`warn ${msg}`);
}
function finish() {
  const failed = results.filter((r) => r.violations.length);
  console.log(
    `\n${results.length - failed.length} passed, ${failed.length} failed${warnings.length ? `, ${warnings.length} warnings` : ''}`
  );
  if (failed.length) {
    console.log('violations:');
    for (const r of failed) {
      for (const v of r.violations) {
        console.log(`  - ${r.name}: ${v}`);
      }
    }
  }
  process.exit(failed.length ? 1 : 0);
}

// ---- the archive itself
if (!rule('archive exists', fs.existsSync(zipPath) ? [] : [`${zipPath} not found`])) {
  finish();
}
try {
  execFileSync('unzip', ['-v'], { stdio: 'ignore' });
} catch {
  rule('unzip is installed', ['the unzip command is missing (apt-get install -y unzip)']);
  finish();
}
let entries;
try {
  entries = execFileSync('unzip', ['-Z1', zipPath], { encoding: 'utf8', maxBuffer: 64 << 20 })
    .split('\n')
    .filter(Boolean);
} catch (e) {
  rule('archive is a readable zip', [String(e.message).split('\n')[0]]);
  finish();
}
rule('archive is a readable zip and not empty', entries.length ? [] : ['the archive is empty']);
rule(
  'entry names are relative and stay inside the archive',
  entries
    .filter((e) => e.startsWith('/') || e.split('/').includes('..') || e.includes('\\'))
    .map((e) => `bad entry name ${e}`)
);
const tops = [...new Set(entries.map((e) => e.split('/')[0]))];
const topIsDir = entries.every((e) => e.includes('/'));
if (
  !rule(
    `exactly one top folder, named ${PLUGIN_ID}`,
    tops.length !== 1
      ? [`found ${tops.length} top-level entries: ${tops.join(', ')}`]
      : tops[0] !== PLUGIN_ID
        ? [`the top folder is ${tops[0]}`]
        : !topIsDir
          ? ['the top-level entry is a file, not a folder']
          : []
  )
) {
  finish();
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'check-package-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
execFileSync('unzip', ['-q', zipPath, '-d', tmp]);
const dir = path.join(tmp, PLUGIN_ID);
rule(
  'no legacy dist/ folder inside the top folder',
  fs.existsSync(path.join(dir, 'dist')) ? ['dist/ should be renamed to the plugin id'] : []
);

function walk(d, rel = '') {
  return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? walk(path.join(d, e.name), r) : [r];
  });
}
const files = walk(dir);
const has = (rel) => files.includes(rel.replace(/^\.\//, ''));

// ---- plugin.json
let pj;
try {
  pj = JSON.parse(fs.readFileSync(path.join(dir, 'plugin.json'), 'utf8'));
  rule('plugin.json is present and valid JSON', []);
} catch (e) {
  rule('plugin.json is present and valid JSON', [e.code === 'ENOENT' ? 'plugin.json is missing' : e.message]);
  finish();
}
const info = pj.info || {};
rule('plugin.json: id, type and name', [
  pj.id !== PLUGIN_ID && `id is ${JSON.stringify(pj.id)}, want ${PLUGIN_ID}`,
  pj.type !== 'datasource' && `type is ${JSON.stringify(pj.type)}, want datasource`,
  !(typeof pj.name === 'string' && pj.name.trim()) && 'name is empty',
]);
rule('plugin.json: backend, alerting and executable', [
  pj.backend !== true && 'backend is not true',
  pj.alerting !== true && 'alerting is not true',
  pj.executable !== EXECUTABLE && `executable is ${JSON.stringify(pj.executable)}, want ${EXECUTABLE}`,
]);

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
let pkgVersion;
try {
  pkgVersion = JSON.parse(fs.readFileSync(packageJsonPath, 'utf8')).version;
} catch (e) {
  pkgVersion = undefined;
}
let changelogVersion;
try {
  // The first released heading: "## [1.2.3]" or "## 1.2.3", skipping "## [Unreleased]".
  for (const line of fs.readFileSync(changelogPath, 'utf8').split(/\r?\n/)) {
    const m = /^##\s+\[?v?(\d+\.\d+\.\d+[^\]\s]*)\]?/.exec(line);
    if (m) {
      changelogVersion = m[1];
      break;
    }
  }
} catch {}
rule('plugin.json: info.version is set and in step with package.json and CHANGELOG.md', [
  (info.version === '%VERSION%' || !info.version) &&
    'info.version is not filled in (%VERSION% was not replaced: build with npm run build)',
  info.version &&
    info.version !== '%VERSION%' &&
    !SEMVER.test(info.version) &&
    `info.version ${info.version} is not a semantic version`,
  pkgVersion === undefined && `cannot read the version of ${packageJsonPath}`,
  pkgVersion !== undefined &&
    info.version !== pkgVersion &&
    `info.version ${info.version} differs from package.json ${pkgVersion}`,
  changelogVersion === undefined && `${changelogPath} has no release heading like "## [${pkgVersion}]"`,
  changelogVersion !== undefined &&
    changelogVersion !== info.version &&
    `info.version ${info.version} differs from CHANGELOG.md's top release ${changelogVersion}`,
]);
rule('plugin.json: info.updated is a date', [
  !/^\d{4}-\d{2}-\d{2}$/.test(String(info.updated || '')) &&
    `info.updated is ${JSON.stringify(info.updated)} (%TODAY% must be replaced by the build)`,
]);
const logos = info.logos || {};
rule(
  'plugin.json: logos exist in the archive',
  ['small', 'large'].map((k) =>
    !logos[k]
      ? `info.logos.${k} is not set`
      : !has(logos[k])
        ? `info.logos.${k} ${logos[k]} is not in the archive`
        : null
  )
);
rule(
  'plugin.json: screenshots exist in the archive',
  (info.screenshots || []).map((s, i) =>
    !s?.path
      ? `screenshot ${i} has no path`
      : !has(s.path)
        ? `screenshot ${s.path} is not in the archive`
        : !s.name
          ? `screenshot ${s.path} has no name`
          : null
  )
);
const absolute = (u) => {
  try {
    return ['http:', 'https:'].includes(new URL(u).protocol);
  } catch {
    return false;
  }
};
rule('plugin.json: links are absolute http(s) URLs', [
  ...(info.links || []).map((l) =>
    !absolute(l?.url) ? `link ${JSON.stringify(l?.name)} has URL ${JSON.stringify(l?.url)}` : null
  ),
  info.author?.url && !absolute(info.author.url) ? `author.url ${info.author.url} is not absolute` : null,
]);
// A semver range as Grafana reads it: comparator sets joined by ||, e.g. ">=12.3.0" or "^12.3.0 || >=13".
const COMPARATOR = /^(>=|<=|>|<|=|~|\^)?v?\d+(\.(\d+|x|\*)){0,2}(-[0-9A-Za-z.-]+)?$/;
const dep = pj.dependencies?.grafanaDependency;
rule('plugin.json: dependencies.grafanaDependency is a semver range', [
  !dep
    ? 'dependencies.grafanaDependency is not set'
    : !String(dep)
          .split('||')
          .every(
            (set) =>
              set.trim() &&
              set
                .trim()
                .split(/\s+/)
                .every((c) => COMPARATOR.test(c))
          )
      ? `dependencies.grafanaDependency ${JSON.stringify(dep)} is not a semver range`
      : null,
]);

// ---- backend binaries
const binaryViolations = [];
for (const p of PLATFORMS) {
  const name = `${EXECUTABLE}_${p}${p.startsWith('windows') ? '.exe' : ''}`;
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) {
    binaryViolations.push(`${name} is missing`);
    continue;
  }
  const st = fs.statSync(file);
  if (st.size === 0) {
    binaryViolations.push(`${name} is empty`);
  }
  if (!p.startsWith('windows') && (st.mode & 0o777) !== BINARY_MODE) {
    binaryViolations.push(`${name} has mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}, want 0755 (runnable)`);
  }
}
// Like the validator: every file named after the executable (extra platforms too) must be runnable.
for (const f of files.filter((x) => !x.includes('/') && x.startsWith(EXECUTABLE) && !x.endsWith('.exe'))) {
  const name = f;
  const mode = fs.statSync(path.join(dir, f)).mode & 0o777;
  if (mode !== BINARY_MODE && !binaryViolations.some((v) => v.startsWith(`${name} `))) {
    binaryViolations.push(`${name} has mode ${mode.toString(8).padStart(4, '0')}, want 0755 (runnable)`);
  }
}
rule(`backend binaries ${EXECUTABLE}_<os>_<arch> for ${PLATFORMS.join(', ')}, mode 0755`, binaryViolations);
if (!has('go_plugin_build_manifest')) {
  warn('go_plugin_build_manifest is missing (the catalog compares it with the Go source; mage writes it)');
}

// ---- front end and documents
rule('module.js is present', has('module.js') ? [] : ['module.js is missing (npm run build)']);
const readme = has('README.md') ? fs.readFileSync(path.join(dir, 'README.md'), 'utf8') : null;
rule(
  'README.md is present and not the create-plugin template',
  readme === null
    ? ['README.md is missing']
    : [
        /This README file is going to be the one displayed on the Grafana\.com website/i.test(readme) &&
          'README.md is the create-plugin template',
        /ADD SOME BADGES|Uncomment and replace the content here before publishing/i.test(readme) &&
          'README.md still holds template comments',
        /%VERSION%|%TODAY%/.test(readme) && 'README.md contains an unreplaced %VERSION% or %TODAY%',
        readme.trim().length < 200 && 'README.md is nearly empty',
      ]
);
rule('LICENSE is present', has('LICENSE') || has('LICENSE.md') || has('LICENSE.txt') ? [] : ['LICENSE is missing']);

// ---- source maps
const maps = files.filter((f) => f.endsWith('.map'));
if (forbidSourceMaps) {
  rule(
    'no source maps (--forbid-source-maps)',
    maps.map((f) => `${f} is a source map`)
  );
} else {
  rule('module.js.map beside every module.js, and no stray source maps', [
    ...files
      .filter((f) => path.posix.basename(f) === 'module.js' && !has(`${f}.map`))
      .map((f) => `${f}.map is missing (the catalog wants source maps)`),
    ...maps.filter((m) => !has(m.slice(0, -4))).map((m) => `${m} has no matching ${m.slice(0, -4)}`),
  ]);
}

// ---- nothing secret or development-only
rule(
  'no .env files, private keys or certificates',
  files
    .filter((f) => {
      const b = path.posix.basename(f);
      return (
        b === '.env' ||
        b.startsWith('.env.') ||
        /\.(pem|key|p12|pfx|crt)$/i.test(b) ||
        /^id_(rsa|dsa|ecdsa|ed25519)$/.test(b)
      );
    })
    .map((f) => `${f} must not be shipped`)
);
rule(
  'no development folders (.git, node_modules, coverage)',
  files
    .filter((f) => f.split('/').some((c) => ['.git', 'node_modules', 'coverage', '.github'].includes(c)))
    .map((f) => `${f} must not be shipped`)
);

const secretViolations = [];
const isBinary = (f) => f.startsWith(`${EXECUTABLE}_`);
for (const f of files) {
  const buf = fs.readFileSync(path.join(dir, f));
  if (buf.includes('demo-key')) {
    secretViolations.push(`${f} contains the fake API's key demo-key`);
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(buf.toString('latin1'))) {
    secretViolations.push(`${f} contains a private key`);
  }
  if (isBinary(f)) {
    continue;
  }
  const text = buf.toString('utf8');
  // A key written into a provisioning-style line (apiKey: something) or a quoted literal in code.
  for (const m of text.matchAll(/^[ \t-]*apiKey:[ \t]*(?!\$\{?[A-Za-z_])(?!['"]{2})(?!<[^>]*>)(\S+)/gm)) {
    secretViolations.push(`${f} sets apiKey: ${m[1].slice(0, 12)}…`);
  }
  for (const m of text.matchAll(/["']?apiKey["']?\s*:\s*(["'`])((?:(?!\1).){1,200})\1/g)) {
    if (!/^\$\{?[A-Za-z_]/.test(m[2]) && !/^<[^>]*>$/.test(m[2])) {
      secretViolations.push(`${f} sets apiKey to the literal ${m[1]}${m[2].slice(0, 12)}…${m[1]}`);
    }
  }
}
rule('no file contains demo-key, a private key or an apiKey value', secretViolations);

finish();
