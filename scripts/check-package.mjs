#!/usr/bin/env node
// Checks a plugin archive (the zip scripts/package.sh writes) against the rules the Grafana
// plugin catalog applies to an archive, plus this project's own: versions in step, every
// backend binary present and runnable, nothing secret or development-only inside.
//
//   node scripts/check-package.mjs artifacts/agentsight-conversations-datasource-<version>.zip
//     [--package-json <file>] [--changelog <file>] [--forbid-source-maps]
//
//     [--source <dir>] [--sdk-module-json <file>] [--now <ISO date>]
//
// The archive is read with the `unzip` command (apt-get install -y unzip); plugin.json is validated
// with ajv (a devDependency: npm ci) against scripts/schema/plugin-json.schema.json. --source is the
// Go module the binaries were built from (default: this repository): go_plugin_build_manifest must
// list every .go file there with its sha256, and the plugin SDK's release date comes from
// `go list -m -json` there (--sdk-module-json <file> gives that output instead, --now the date to
// measure its age at; both for tests).
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
import { createRequire } from 'node:module';
import crypto from 'node:crypto';

const PLUGIN_ID = 'agentsight-conversations-datasource';
const EXECUTABLE = 'gpx_agentsight';
const PLATFORMS = ['linux_amd64', 'linux_arm64', 'darwin_amd64', 'darwin_arm64', 'windows_amd64'];
const BINARY_MODE = 0o755; // the validator wants exactly this on non-Windows binaries
const SDK_MODULE = 'github.com/grafana/grafana-plugin-sdk-go';
// The catalog's validator warns about an SDK older than 60 days and rejects one older than 150.
const SDK_WARN_DAYS = 60;
const SDK_FAIL_DAYS = 150;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMA = path.join(repoRoot, 'scripts/schema/plugin-json.schema.json');
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
const sourceDir = path.resolve(opt('--source', repoRoot));
const sdkModuleJson = opt('--sdk-module-json', undefined);
const nowArg = opt('--now', undefined);
const now = nowArg ? new Date(nowArg) : new Date();
const zipPath = args[0];
if (!zipPath || args.length !== 1) {
  console.error(
    'usage: node scripts/check-package.mjs <plugin.zip> [--package-json f] [--changelog f] [--forbid-source-maps]\n' +
      '         [--source dir] [--sdk-module-json f] [--now date]'
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
{
  let ajvViolations;
  try {
    const Ajv = createRequire(path.join(repoRoot, 'package.json'))('ajv').default;
    const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(fs.readFileSync(SCHEMA, 'utf8')));
    ajvViolations = validate(pj)
      ? []
      : validate.errors.map(
          (e) =>
            `${e.instancePath || '/'} ${e.message}${e.params?.additionalProperty ? `: ${e.params.additionalProperty}` : ''}${
              e.params?.allowedValues ? ` (${e.params.allowedValues.join(', ')})` : ''
            }`
        );
  } catch (e) {
    ajvViolations = [`cannot validate: ${String(e.message).split('\n')[0]} (npm ci installs ajv)`];
  }
  rule(`plugin.json matches the plugin.json schema (${path.relative(repoRoot, SCHEMA)})`, ajvViolations);
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
rule('plugin.json: at least one screenshot (the catalog page shows them)', [
  !Array.isArray(info.screenshots) || info.screenshots.length === 0 ? 'info.screenshots is empty' : null,
]);
const imagePaths = [
  ...['small', 'large'].map((k) => [`info.logos.${k}`, logos[k]]),
  ...(info.screenshots || []).map((sh, i) => [`info.screenshots[${i}].path`, sh?.path]),
].filter(([, p]) => typeof p === 'string');
rule(
  'plugin.json: logo and screenshot paths are relative to the plugin folder (no leading . or /)',
  imagePaths.map(([k, p]) => (/^[./\\]/.test(p) ? `${k} is ${p}` : null))
);
// What a file's first bytes say it is, for the image types a catalog page shows.
function sniffImage(buf) {
  const head = buf.subarray(0, 16);
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'png';
  }
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
    return 'jpeg';
  }
  if (/^GIF8[79]a/.test(head.toString('latin1'))) {
    return 'gif';
  }
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') {
    return 'webp';
  }
  if (
    /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(buf.toString('utf8', 0, 4096))
  ) {
    return 'svg';
  }
  return 'unknown';
}
const EXTENSION_TYPE = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', gif: 'gif', webp: 'webp', svg: 'svg' };
rule(
  'plugin.json: each logo and screenshot is the image type its extension says',
  imagePaths.map(([k, p]) => {
    if (!has(p)) {
      return null; // reported above
    }
    const ext = path.posix.extname(p).slice(1).toLowerCase();
    const want = EXTENSION_TYPE[ext];
    const got = sniffImage(fs.readFileSync(path.join(dir, p)));
    if (!want) {
      return `${k} ${p} has the extension .${ext}, not one of ${Object.keys(EXTENSION_TYPE).join(', ')}`;
    }
    return got === want
      ? null
      : `${k} ${p} is named .${ext} but its content is ${got === 'unknown' ? 'not an image' : got}`;
  })
);
// SVG is a document: a script or an event handler in a logo runs on the catalog page.
const UNSAFE_SVG = [
  [/<script[\s>/]/i, 'a <script> element'],
  [/\son[a-z]+\s*=/i, 'an on* event handler attribute'],
  [/<foreignObject[\s>/]/i, 'a <foreignObject> (embedded HTML)'],
  [/(?:href|src)\s*=\s*["']?\s*(?:javascript|data:text\/html)/i, 'a javascript: or HTML data: link'],
  [/<(?:iframe|embed|object)[\s>/]/i, 'an embedded <iframe>, <embed> or <object>'],
  [/<!ENTITY/i, 'an XML entity declaration'],
];
rule(
  'SVG files hold no script, event handler, foreign object or entity',
  files
    .filter((f) => f.toLowerCase().endsWith('.svg'))
    .flatMap((f) => {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      return UNSAFE_SVG.filter(([re]) => re.test(text)).map(([, what]) => `${f} contains ${what}`);
    })
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
// What a binary's header says it was built for, as GOOS/GOARCH.
const ELF_MACHINE = { 0x03: '386', 0x28: 'arm', 0x3e: 'amd64', 0xb7: 'arm64' };
const MACHO_CPU = { 0x01000007: 'amd64', 0x0100000c: 'arm64', 0x00000007: '386' };
const PE_MACHINE = { 0x8664: 'amd64', 0xaa64: 'arm64', 0x014c: '386' };
function binaryTarget(buf) {
  if (buf.length >= 20 && buf.readUInt32BE(0) === 0x7f454c46) {
    const le = buf[5] === 1;
    const machine = le ? buf.readUInt16LE(18) : buf.readUInt16BE(18);
    return { os: 'linux', arch: ELF_MACHINE[machine] || `ELF machine 0x${machine.toString(16)}` };
  }
  if (buf.length >= 8 && [0xfeedfacf, 0xfeedface].includes(buf.readUInt32LE(0))) {
    const cpu = buf.readUInt32LE(4);
    return { os: 'darwin', arch: MACHO_CPU[cpu] || `Mach-O CPU 0x${cpu.toString(16)}` };
  }
  if (buf.length >= 0x40 && buf.toString('latin1', 0, 2) === 'MZ') {
    const pe = buf.readUInt32LE(0x3c);
    if (pe + 6 <= buf.length && buf.toString('latin1', pe, pe + 4) === 'PE\0\0') {
      const machine = buf.readUInt16LE(pe + 4);
      return { os: 'windows', arch: PE_MACHINE[machine] || `PE machine 0x${machine.toString(16)}` };
    }
  }
  return null;
}
rule(
  'each backend binary is built for the GOOS/GOARCH its name says (ELF, Mach-O or PE header)',
  files
    .filter((f) => !f.includes('/') && f.startsWith(`${EXECUTABLE}_`))
    .map((f) => {
      const m = new RegExp(`^${EXECUTABLE}_([a-z0-9]+)_([a-z0-9]+)(\\.exe)?$`).exec(f);
      if (!m) {
        return `${f} is not named ${EXECUTABLE}_<os>_<arch>`;
      }
      const fd = fs.openSync(path.join(dir, f), 'r');
      const head = Buffer.alloc(4096);
      const n = fs.readSync(fd, head, 0, head.length, 0);
      fs.closeSync(fd);
      const t = binaryTarget(head.subarray(0, n));
      if (!t) {
        return `${f} is not an ELF, Mach-O or PE executable`;
      }
      if ((m[1] === 'windows') !== Boolean(m[3])) {
        return `${f}: only Windows binaries end in .exe`;
      }
      return t.os === m[1] && t.arch === m[2]
        ? null
        : `${f} is named ${m[1]}/${m[2]} but is a ${t.os}/${t.arch} binary`;
    })
);

// go_plugin_build_manifest: "<sha256>:<path>" for every .go file of the module, as the SDK's mage
// build writes it (grafana-plugin-sdk-go build/utils/manifest.go) and the catalog re-computes it.
function goSources(root) {
  const out = [];
  const walkGo = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (r !== 'node_modules') {
          walkGo(path.join(d, e.name), r);
        }
      } else if (e.name.endsWith('.go')) {
        out.push(r);
      }
    }
  };
  walkGo(root, '');
  return out;
}
if (has('go_plugin_build_manifest')) {
  const listed = new Map();
  const manifestViolations = [];
  for (const line of fs.readFileSync(path.join(dir, 'go_plugin_build_manifest'), 'utf8').split('\n').filter(Boolean)) {
    const m = /^([0-9a-f]{64}):(.+)$/.exec(line);
    if (!m) {
      manifestViolations.push(`line ${JSON.stringify(line.slice(0, 80))} is not <sha256>:<path>`);
      continue;
    }
    listed.set(m[2], m[1]);
  }
  if (!fs.existsSync(path.join(sourceDir, 'go.mod'))) {
    manifestViolations.push(`${sourceDir} has no go.mod (--source names the Go module the binaries came from)`);
  } else {
    const sources = goSources(sourceDir);
    for (const [p, hash] of listed) {
      const file = path.join(sourceDir, p);
      if (!fs.existsSync(file)) {
        manifestViolations.push(`${p} is listed but not in the source`);
      } else if (crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') !== hash) {
        manifestViolations.push(`${p} changed since the build (rebuild with go tool mage -v)`);
      }
    }
    for (const p of sources.filter((x) => !listed.has(x))) {
      manifestViolations.push(`${p} is in the source but not in the manifest (rebuild with go tool mage -v)`);
    }
  }
  const shown = path.relative(repoRoot, sourceDir);
  rule(
    `go_plugin_build_manifest matches the Go sources in ${shown.startsWith('..') ? sourceDir : shown || '.'}`,
    manifestViolations
  );
} else {
  rule('go_plugin_build_manifest is present (the catalog compares it with the Go source; mage writes it)', [
    'go_plugin_build_manifest is missing',
  ]);
}

// The plugin SDK's age, from its release time in the module cache.
{
  let mod;
  try {
    mod = JSON.parse(
      sdkModuleJson
        ? fs.readFileSync(sdkModuleJson, 'utf8')
        : execFileSync('go', ['list', '-m', '-json', SDK_MODULE], {
            cwd: sourceDir,
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          })
    );
  } catch (e) {
    mod = undefined;
    warn(`cannot tell the age of ${SDK_MODULE}: ${String(e.message).split('\n')[0]}`);
  }
  if (mod) {
    const released = new Date(mod.Time);
    const days = Math.floor((now - released) / 86_400_000);
    const label = `${SDK_MODULE} ${mod.Version}`;
    if (Number.isNaN(days)) {
      rule(`${SDK_MODULE}: its release time is known`, [`no release time for ${label} (${JSON.stringify(mod.Time)})`]);
    } else {
      console.log(`info ${label} was released on ${released.toISOString().slice(0, 10)}, ${days} days ago`);
      rule(`${SDK_MODULE} is less than ${SDK_FAIL_DAYS} days old (the catalog rejects older)`, [
        days >= SDK_FAIL_DAYS && `${label} is ${days} days old: update it (go get ${SDK_MODULE}@latest && go mod tidy)`,
      ]);
      if (days >= SDK_WARN_DAYS && days < SDK_FAIL_DAYS) {
        warn(
          `${label} is ${days} days old; the catalog warns from ${SDK_WARN_DAYS} days and rejects from ${SDK_FAIL_DAYS}`
        );
      }
    }
  }
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
if (readme !== null) {
  // Code is not prose: links and comments inside fenced blocks or `code` do not count.
  const prose = readme.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '').replace(/`[^`\n]*`/g, '');
  const isRelative = (u) => !/^(https?:|mailto:|#)/i.test(u.trim().replace(/^<|>$/g, ''));
  const targets = [
    ...[...prose.matchAll(/!?\[[^\]]*\]\(\s*([^)\s]+)[^)]*\)/g)].map((m) => m[1]),
    ...[...prose.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]),
    ...[...prose.matchAll(/<(?:a|img)\s[^>]*?(?:href|src)\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1]),
  ];
  rule('README.md has no relative links or images (the catalog page has no repository around it)', [
    ...targets.filter(isRelative).map((u) => `relative link ${u}`),
  ]);
  rule('README.md has no HTML comments (the catalog shows them)', [
    ...[...prose.matchAll(/<!--[\s\S]*?(-->|$)/g)].map((m) => `comment ${JSON.stringify(m[0].slice(0, 40))}`),
  ]);
}
const licenseFile = ['LICENSE', 'LICENSE.md', 'LICENSE.txt'].find(has);
rule('LICENSE is present', licenseFile ? [] : ['LICENSE is missing']);
if (licenseFile) {
  const license = fs.readFileSync(path.join(dir, licenseFile), 'utf8');
  const PLACEHOLDERS = [
    /\{yyyy\}/i,
    /\{name of copyright owner\}/i,
    /\[yyyy\]/i,
    /\[name of copyright owner\]/i,
    /\[year\]/i,
    /\[fullname\]/i,
    /<year>/i,
    /<copyright holders?>/i,
    /<name of author>/i,
  ];
  rule(
    `${licenseFile} has no template placeholders`,
    PLACEHOLDERS.filter((re) => re.test(license)).map((re) => `${licenseFile} still holds ${license.match(re)[0]}`)
  );
}
rule('CHANGELOG.md is in the archive (the catalog shows it)', has('CHANGELOG.md') ? [] : ['CHANGELOG.md is missing']);

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
