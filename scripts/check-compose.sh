#!/usr/bin/env bash
# Checks docker-compose.yaml statically, without a Docker engine:
#   1. `docker compose config -q` when the compose plugin is installed (it needs no engine);
#   2. always, a structural check in Node: the YAML parses, the services exist, `extends`,
#      build contexts and Dockerfiles exist, the fake's Dockerfile builds ./cmd/agentsight-fake
#      with CGO_ENABLED=0 and listens on 0.0.0.0:8080, Grafana's environment matches the
#      provisioned data source, the provisioning mounts point at real files, and the alert
#      rules of provisioning/alerting parse, name provisioned data sources, the dashboards'
#      folder and existing panels, and have a condition among their refIds;
#   3. the demo's safety and start order: ports published on 127.0.0.1 only, a healthcheck on
#      the fake (its own -healthcheck flag) and Grafana waiting for it, every image and tool
#      version pinned, Go in the images at least go.mod's `go`, and the development mode
#      (DEVELOPMENT=true) waiting for and debugging the binary the build really writes.
# Exits non-zero on any violation and prints every check.
#
# Usage: scripts/check-compose.sh [repository root]   (default: this script's repository)
set -euo pipefail

root="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
root="$(cd "$root" && pwd)"
cd "$root"

status=0
echo "== compose file: $root/docker-compose.yaml"

if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  echo "== docker compose config -q"
  if docker compose -f docker-compose.yaml config -q; then
    echo "ok: docker compose config accepts the file"
  else
    echo "FAIL: docker compose config rejected the file"
    status=1
  fi
else
  echo "note: the docker compose plugin is not installed; running the static check only"
fi

if ! command -v node >/dev/null 2>&1; then
  echo "FAIL: node is needed for the static check"
  exit 1
fi

echo "== static check (node)"
# NODE_PATH lets the check find a YAML parser in the repository's node_modules (npm ci).
NODE_PATH="$root/node_modules${NODE_PATH:+:$NODE_PATH}" node - "$root" <<'NODE' || status=1
const fs = require('node:fs');
const path = require('node:path');

const root = process.argv[2];
const PLUGIN_ID = 'agentsight-conversations-datasource';
let passed = 0;
const failures = [];
const ok = (msg) => { passed++; console.log(`ok: ${msg}`); };
const fail = (msg) => { failures.push(msg); console.log(`FAIL: ${msg}`); };
const check = (cond, msg, why = '') => (cond ? ok(msg) : fail(why ? `${msg}: ${why}` : msg));

let parseYAML;
for (const [name, fn] of [['yaml', (m) => m.parse], ['js-yaml', (m) => m.load]]) {
  try { const m = require(name); parseYAML = fn(m); console.log(`using the ${name} parser`); break; } catch {}
}
if (!parseYAML) {
  console.log('FAIL: no YAML parser in node_modules (yaml or js-yaml): run npm ci first');
  process.exit(1);
}

function load(file) {
  try {
    const doc = parseYAML(fs.readFileSync(file, 'utf8'));
    ok(`${path.relative(root, file)} parses`);
    return doc;
  } catch (e) {
    fail(`${path.relative(root, file)} does not parse: ${e.message.split('\n')[0]}`);
    return undefined;
  }
}

// Compose interpolation with the host environment: ${VAR}, ${VAR:-default}, ${VAR-default}, $$.
function interpolate(s, env = process.env) {
  if (typeof s !== 'string') return s;
  return s.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, name, op, def, bare) => {
      if (m === '$$') return '$';
      if (bare) return env[bare] ?? '';
      const v = env[name];
      if (op === ':-') return v ? v : def;
      if (op === '-') return v === undefined ? def : v;
      return v ?? '';
    });
}

// environment may be a map or a list of KEY=VALUE.
function envMap(e) {
  if (!e) return {};
  if (Array.isArray(e)) return Object.fromEntries(e.map((kv) => { const i = String(kv).indexOf('='); return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)]; }));
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v == null ? '' : String(v)]));
}

const exists = (p) => fs.existsSync(p);
const read = (p) => (exists(p) ? fs.readFileSync(p, 'utf8') : '');

// go.mod: the `go` line and the versions of the modules and tools the containers use.
const goModText = read(path.join(root, 'go.mod'));
const goMod = {
  go: /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(goModText)?.[1],
  mage: /^\s*github\.com\/magefile\/mage\s+(v\S+)/m.exec(goModText)?.[1],
  toolMage: /^tool\s+github\.com\/magefile\/mage\s*$|^tool\s*\([^)]*\bgithub\.com\/magefile\/mage\s*$/m.test(goModText),
};
const versionParts = (v) => String(v).replace(/^v/, '').split('.').map(Number);
function versionAtLeast(have, want) {
  const a = versionParts(have);
  const b = versionParts(want);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
  }
  return true;
}
// A pinned tag names a full version (1.26.5, 12.4.0, v1.27.2) or a digest; "latest", a bare major
// or major.minor, and an empty default all float.
const pinned = (tag) => /^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/.test(String(tag)) || /^sha256:[0-9a-f]{64}$/.test(String(tag));
// Dockerfile lines with continuations joined and comments dropped.
const dockerLines = (file) => read(file).replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const argDefault = (lines, name) => {
  for (const l of lines) {
    const m = new RegExp(`^ARG\\s+${name}=(\\S*)`, 'i').exec(l);
    if (m) return m[1].replace(/^["']|["']$/g, '');
  }
  return undefined;
};
// Published ports: "127.0.0.1:3000:3000/tcp" or the long form {host_ip, published, target}.
function portHostIP(p) {
  if (typeof p === 'object' && p) return p.host_ip;
  const parts = String(p).replace(/\/(tcp|udp)$/, '').split(':');
  return parts.length === 3 ? parts[0] : parts.length > 3 ? parts.slice(0, -2).join(':') : undefined;
}
const composeFile = path.join(root, 'docker-compose.yaml');
const compose = load(composeFile);
if (!compose) process.exit(1);
const services = compose.services || {};
check(services.grafana, 'service grafana is defined');
check(services['agentsight-fake'], 'service agentsight-fake is defined');

// --- grafana: extends the scaffold's base service
const g = services.grafana || {};
let merged = { ...g };
let baseDir = root;
if (g.extends) {
  const baseFile = path.resolve(root, g.extends.file || '');
  baseDir = path.dirname(baseFile);
  check(g.extends.file && exists(baseFile), `grafana extends ${g.extends.file}`, 'file missing');
  const base = exists(baseFile) ? load(baseFile) : undefined;
  const bs = base?.services?.[g.extends.service];
  check(bs, `the base file defines service ${g.extends.service}`);
  if (bs) {
    merged = { ...bs, ...g, environment: { ...envMap(bs.environment), ...envMap(g.environment) } };
    const build = typeof bs.build === 'string' ? { context: bs.build } : bs.build || {};
    const ctx = path.resolve(baseDir, interpolate(build.context || '.'));
    check(exists(ctx), `grafana build context ${path.relative(root, ctx) || '.'} exists`);
    const df = path.resolve(ctx, interpolate(build.dockerfile || 'Dockerfile'));
    check(exists(df), `grafana Dockerfile ${path.relative(root, df)} exists`);
    const image = interpolate(build.args?.grafana_image ?? '');
    const version = interpolate(build.args?.grafana_version ?? '');
    console.log(`info: grafana image grafana/${image || '?'}:${version || '?'}`);
    const m = /^(\d+)\.(\d+)/.exec(version);
    check(m && (Number(m[1]) > 12 || (Number(m[1]) === 12 && Number(m[2]) >= 3)), `grafana_version ${version} satisfies the plugin's >=12.3.0`);
    // Mounts: dist as the plugin folder, provisioning as Grafana's provisioning folder.
    const vols = (bs.volumes || []).map((v) => (typeof v === 'string' ? v.split(':') : [v.source, v.target]));
    const mount = (target) => vols.find(([, t]) => t === target);
    const distMount = mount(`/var/lib/grafana/plugins/${PLUGIN_ID}`);
    check(distMount, `dist/ is mounted at /var/lib/grafana/plugins/${PLUGIN_ID}`);
    if (distMount && !exists(path.resolve(baseDir, distMount[0]))) {
      console.log(`note: ${path.relative(root, path.resolve(baseDir, distMount[0]))}/ does not exist yet (npm run build && go tool mage -v)`);
    }
    const provMount = mount('/etc/grafana/provisioning');
    check(provMount && path.resolve(baseDir, provMount[0]) === path.join(root, 'provisioning'), 'provisioning/ is mounted at /etc/grafana/provisioning');
  }
} else {
  fail('grafana does not extend .config/docker-compose-base.yaml');
}

const genv = envMap(merged.environment);
check(genv.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS === PLUGIN_ID,
  `GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS is exactly ${PLUGIN_ID}`, `got ${JSON.stringify(genv.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS)}`);
const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AGENTSIGHT_')));
const urlDefault = interpolate(genv.AGENTSIGHT_URL, clean);
const keyDefault = interpolate(genv.AGENTSIGHT_API_KEY, clean);
check(urlDefault === 'http://agentsight-fake:8080', 'AGENTSIGHT_URL defaults to http://agentsight-fake:8080', `got ${JSON.stringify(urlDefault)}`);
check(keyDefault === 'demo-key', 'AGENTSIGHT_API_KEY defaults to demo-key', `got ${JSON.stringify(keyDefault)}`);
const probe = { AGENTSIGHT_URL: 'https://override.invalid', AGENTSIGHT_API_KEY: 'override' };
check(interpolate(genv.AGENTSIGHT_URL, probe) === probe.AGENTSIGHT_URL && interpolate(genv.AGENTSIGHT_API_KEY, probe) === probe.AGENTSIGHT_API_KEY,
  'AGENTSIGHT_URL and AGENTSIGHT_API_KEY can be overridden from the host environment');
const deps = Array.isArray(merged.depends_on) ? merged.depends_on : Object.keys(merged.depends_on || {});
check(deps.includes('agentsight-fake'), 'grafana depends on agentsight-fake');

// --- the provisioned data source reads exactly these variables
const dsFile = path.join(root, 'provisioning/datasources/agentsight.yaml');
const ds = exists(dsFile) ? load(dsFile) : (fail('provisioning/datasources/agentsight.yaml exists'), undefined);
if (ds) {
  const d = (ds.datasources || []).find((x) => x.type === PLUGIN_ID);
  check(d, `the provisioned data source has type ${PLUGIN_ID}`);
  check(d?.uid === 'agentsight', 'the provisioned data source has uid agentsight');
  check(d?.url === '${AGENTSIGHT_URL}', 'its url is ${AGENTSIGHT_URL}');
  check(d?.secureJsonData?.apiKey === '${AGENTSIGHT_API_KEY}', 'its apiKey is ${AGENTSIGHT_API_KEY}');
  for (const v of String(fs.readFileSync(dsFile, 'utf8')).match(/\$\{?[A-Za-z_][A-Za-z0-9_]*/g) || []) {
    const name = v.replace(/^\$\{?/, '');
    check(name in genv, `grafana's environment sets ${name}, used by the provisioned data source`);
  }
}
const provFile = path.join(root, 'provisioning/dashboards/dashboards.yaml');
const prov = exists(provFile) ? load(provFile) : (fail('provisioning/dashboards/dashboards.yaml exists'), undefined);
for (const p of prov?.providers || []) {
  const rel = String(p.options?.path || '').replace(/^\/etc\/grafana\/provisioning\/?/, 'provisioning/');
  const dir = path.join(root, rel);
  const jsons = exists(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  check(jsons.length > 0, `dashboard provider ${p.name} reads ${p.options?.path} -> ${rel} with dashboards`, 'no JSON files there');
  for (const f of jsons) {
    try { const dash = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')); ok(`${rel}/${f} parses (uid ${dash.uid})`); } catch (e) { fail(`${rel}/${f} does not parse: ${e.message}`); }
  }
}

// --- alert rules (provisioning/alerting, Grafana's alerting provisioning format, apiVersion 1):
// each file parses, its groups live in the provisioned dashboards' folder, every data query
// names a provisioned data source (or __expr__ for an expression), every rule's condition is
// one of its refIds, and its panel link names a provisioned dashboard panel.
const dsUIDs = new Set();
for (const fname of exists(path.join(root, 'provisioning/datasources')) ? fs.readdirSync(path.join(root, 'provisioning/datasources')) : []) {
  if (!/\.ya?ml$/.test(fname)) continue;
  let doc;
  try { doc = parseYAML(read(path.join(root, 'provisioning/datasources', fname))); } catch { continue; }
  for (const d of doc?.datasources || []) if (d?.uid) dsUIDs.add(String(d.uid));
}
const dashFolders = new Set((prov?.providers || []).map((p) => p.folder).filter(Boolean));
const dashPanels = new Map(); // dashboard uid -> Set of panel ids
for (const p of prov?.providers || []) {
  const dir = path.join(root, String(p.options?.path || '').replace(/^\/etc\/grafana\/provisioning\/?/, 'provisioning/'));
  for (const fname of exists(dir) ? fs.readdirSync(dir).filter((x) => x.endsWith('.json')) : []) {
    let dash;
    try { dash = JSON.parse(read(path.join(dir, fname))); } catch { continue; }
    const ids = new Set();
    const walk = (ps) => { for (const q of ps || []) { ids.add(q.id); walk(q.panels); } };
    walk(dash.panels);
    dashPanels.set(dash.uid, ids);
  }
}
const alertDir = path.join(root, 'provisioning/alerting');
const alertFiles = exists(alertDir) ? fs.readdirSync(alertDir).filter((x) => /\.ya?ml$/.test(x)) : [];
check(alertFiles.length > 0, 'provisioning/alerting has alert rule files (mounted with provisioning/)');
for (const fname of alertFiles) {
  const rel = `provisioning/alerting/${fname}`;
  const doc = load(path.join(alertDir, fname));
  if (!doc) continue;
  check(doc.apiVersion === 1, `${rel}: apiVersion 1`, `got ${JSON.stringify(doc.apiVersion)}`);
  check(Array.isArray(doc.groups) && doc.groups.length > 0, `${rel}: has rule groups`);
  for (const grp of doc.groups || []) {
    check(grp?.name && grp?.folder && /^\d+[smhd]$/.test(String(grp?.interval || '')), `${rel}: group ${grp?.name} has a name, a folder and an interval`);
    check(dashFolders.has(grp?.folder), `${rel}: group ${grp?.name} is in the dashboards' folder`, `folder ${JSON.stringify(grp?.folder)}, dashboards in ${JSON.stringify([...dashFolders])}`);
    for (const r of grp?.rules || []) {
      const name = `${rel}: rule ${r?.uid || r?.title}`;
      const data = Array.isArray(r?.data) ? r.data : [];
      const refs = data.map((q) => q?.refId);
      check(r?.uid && r?.title && data.length > 0, `${name} has a uid, a title and data`);
      check(r?.condition && refs.includes(r.condition), `${name}: its condition is one of its refIds`, `condition ${JSON.stringify(r?.condition)}, refIds ${JSON.stringify(refs)}`);
      for (const q of data) {
        const uid = q?.datasourceUid ?? q?.datasourceUID;
        check(uid === '__expr__' || dsUIDs.has(uid), `${name}: query ${q?.refId} names an existing data source or __expr__`, `datasourceUid ${JSON.stringify(uid)}, provisioned: ${JSON.stringify([...dsUIDs])}`);
        if (uid !== '__expr__') {
          const rtr = q?.relativeTimeRange || {};
          check(Number(rtr.from) > Number(rtr.to ?? 0), `${name}: query ${q?.refId} has a relative time range`, JSON.stringify(rtr));
        }
      }
      if (r?.dashboardUid !== undefined || r?.panelId !== undefined) {
        check(dashPanels.get(r.dashboardUid)?.has(r.panelId), `${name}: links to an existing dashboard panel`, `dashboardUid ${JSON.stringify(r.dashboardUid)} panelId ${JSON.stringify(r.panelId)}`);
      }
    }
  }
}

// --- agentsight-fake: built from .config/Dockerfile.fake
const f = services['agentsight-fake'] || {};
const fb = typeof f.build === 'string' ? { context: f.build } : f.build || {};
check(!f.image || f.build, 'agentsight-fake is built, not pulled');
const fctx = path.resolve(root, interpolate(fb.context || '.'));
check(fb.context && exists(fctx), `agentsight-fake build context ${fb.context} exists`);
const fdf = path.resolve(fctx, interpolate(fb.dockerfile || 'Dockerfile'));
check(path.relative(root, fdf) === path.join('.config', 'Dockerfile.fake') && exists(fdf), 'agentsight-fake is built from .config/Dockerfile.fake', path.relative(root, fdf));
if (exists(fdf)) {
  // Join continuation lines, drop comments.
  const lines = fs.readFileSync(fdf, 'utf8').replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const froms = lines.filter((l) => /^FROM\s/i.test(l));
  check(froms.length >= 2, 'Dockerfile.fake is multi-stage', `${froms.length} FROM lines`);
  const goImage = /^FROM\s+golang:(\d+\.\d+(?:\.\d+)?)\S*\s+AS\s+\S+/i.exec(froms[0] || '');
  check(goImage, 'the build stage is FROM golang:<version> AS <name>', froms[0]);
  check(goImage && goMod.go && versionAtLeast(goImage[1], goMod.go), `the build stage's Go ${goImage?.[1]} is at least go.mod's go ${goMod.go}`);
  check(froms.length >= 2 && !/golang/i.test(froms[froms.length - 1]), 'the runtime stage is not the Go toolchain image', froms[froms.length - 1]);
  const runs = lines.filter((l) => /^RUN\s/i.test(l));
  const build = runs.find((l) => /\bgo\s+build\b/.test(l));
  check(build, 'Dockerfile.fake runs go build');
  if (build) {
    check(/\bCGO_ENABLED=0\b/.test(build), 'go build runs with CGO_ENABLED=0', build);
    const pkgs = build.replace(/-ldflags=("[^"]*"|'[^']*'|\S+)/g, '').split(/\s+/).filter((w) => /^\.\//.test(w));
    check(pkgs.length === 1 && pkgs[0].replace(/\/$/, '') === './cmd/agentsight-fake', 'go build builds ./cmd/agentsight-fake', `packages ${JSON.stringify(pkgs)}`);
    check(exists(path.join(fctx, 'cmd/agentsight-fake/main.go')), 'cmd/agentsight-fake/main.go exists in the build context');
    const out = /-o\s+(\S+)/.exec(build)?.[1];
    check(out && lines.some((l) => /^COPY\s+--from=/i.test(l) && l.includes(out)), `the runtime stage copies the binary ${out} from the build stage`);
  }
  // Sources copied into the build stage must exist and must not be excluded by a dockerignore.
  const ignoreFile = [`${fdf}.dockerignore`, path.join(fctx, '.dockerignore')].find(exists);
  const ignore = ignoreFile ? fs.readFileSync(ignoreFile, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#')) : [];
  for (const l of lines.filter((x) => /^COPY\s/i.test(x) && !/--from=/i.test(x))) {
    const srcs = l.split(/\s+/).slice(1).filter((w) => !w.startsWith('--')).slice(0, -1);
    for (const s of srcs) {
      const clean = s.replace(/\/$/, '');
      check(exists(path.join(fctx, clean)), `COPY source ${s} exists in the build context`);
      if (ignore.includes('*')) {
        check(ignore.includes(`!${clean}`) || ignore.includes(`!${clean}/`), `COPY source ${s} is not excluded by ${path.relative(root, ignoreFile)}`);
      }
    }
  }
  const entry = lines.filter((l) => /^(CMD|ENTRYPOINT|ENV)\s/i.test(l)).join(' ');
  const cmd = (f.command ? [].concat(f.command).join(' ') : '') + ' ' + entry;
  check(/0\.0\.0\.0:8080/.test(cmd), 'the fake listens on 0.0.0.0:8080', cmd.trim());
  const port = /:(\d+)$/.exec(urlDefault)?.[1];
  check(port === '8080', 'AGENTSIGHT_URL points at the port the fake listens on', urlDefault);
}

// --- loopback-only ports, health, pinned images, the development-mode image
const baseFile = g.extends ? path.resolve(root, g.extends.file || '') : '';
const baseService = (exists(baseFile) && parseYAML(read(baseFile))?.services?.[g.extends.service]) || {};
for (const [name, ports] of [['grafana', [...(baseService.ports || []), ...(g.ports || [])]], ['agentsight-fake', f.ports || []]]) {
  check(ports.length > 0, `${name} publishes a port`);
  for (const p of ports) {
    const ip = portHostIP(p);
    check(ip === '127.0.0.1' || ip === '[::1]' || ip === '::1', `${name} publishes ${typeof p === 'object' ? JSON.stringify(p) : p} on loopback only`, 'anonymous users are Admin: bind it to 127.0.0.1');
  }
}

const dependsOn = merged.depends_on || {};
check(!Array.isArray(dependsOn) && dependsOn['agentsight-fake']?.condition === 'service_healthy',
  'grafana waits for agentsight-fake to be healthy (depends_on condition: service_healthy)', JSON.stringify(dependsOn));
const hc = f.healthcheck || {};
const hcTest = [].concat(hc.test || []).map(String);
check(!hc.disable && hcTest.length > 0, 'agentsight-fake has a healthcheck');
const fakeLines = dockerLines(fdf);
const fakeBinary = /^ENTRYPOINT\s+\[\s*"([^"]+)"/im.exec(fakeLines.join('\n'))?.[1];
check(hcTest[0] === 'CMD' && hcTest[1] === fakeBinary && hcTest.includes('-healthcheck'),
  `the healthcheck runs ${fakeBinary} -healthcheck in exec form (the image has no shell or curl)`, JSON.stringify(hcTest));
const fakeAddr = /^ENV\s+AGENTSIGHT_FAKE_ADDR[= ](\S+)/im.exec(fakeLines.join('\n'))?.[1];
const listenArg = [].concat(f.command || []).map(String).find((a) => /^-addr[= ]/.test(a));
const listenPort = /:(\d+)$/.exec(listenArg || fakeAddr || '')?.[1];
check(fakeAddr && /:(\d+)$/.exec(fakeAddr)?.[1] === listenPort,
  `-healthcheck checks the port the fake listens on (AGENTSIGHT_FAKE_ADDR=${fakeAddr}, ${listenArg || 'no -addr'})`);
check(exists(path.join(root, 'cmd/agentsight-fake/main.go')) && /"healthcheck"/.test(read(path.join(root, 'cmd/agentsight-fake/main.go'))),
  'cmd/agentsight-fake has the -healthcheck flag');
const fenv = envMap(f.environment);
if ('AGENTSIGHT_FAKE_FAULTS' in fenv) {
  check(interpolate(fenv.AGENTSIGHT_FAKE_FAULTS, clean) === '', 'AGENTSIGHT_FAKE_FAULTS injects no fault by default', fenv.AGENTSIGHT_FAKE_FAULTS);
}
if ('AGENTSIGHT_FAKE_SCENARIO' in fenv) {
  check(interpolate(fenv.AGENTSIGHT_FAKE_SCENARIO, clean) === '', 'AGENTSIGHT_FAKE_SCENARIO trips no alert rule by default', fenv.AGENTSIGHT_FAKE_SCENARIO);
}

// Every image is pinned: FROM tags, build-arg defaults, go install versions.
for (const l of fakeLines.filter((x) => /^FROM\s/i.test(x))) {
  const image = l.split(/\s+/)[1];
  const tag = image.includes('@') ? image.split('@')[1] : image.split(':')[1];
  check(image === 'scratch' || pinned(tag), `Dockerfile.fake: ${image} is pinned`, 'name a full version or a digest');
}
const devFile = path.join(root, '.config/Dockerfile');
const devLines = dockerLines(devFile);
check(devLines.length > 0, '.config/Dockerfile exists');
const gv = argDefault(devLines, 'grafana_version');
check(pinned(gv), `.config/Dockerfile: grafana_version defaults to a full version`, `got ${JSON.stringify(gv)}`);
const baseArgs = (typeof baseService.build === 'object' && baseService.build.args) || {};
const composeGrafana = interpolate(String(baseArgs.grafana_version ?? ''), clean);
check(pinned(composeGrafana), `the compose file's grafana_version defaults to a full version`, `got ${JSON.stringify(composeGrafana)}`);
check(!devLines.some((l) => /@latest\b/.test(l)), '.config/Dockerfile installs nothing @latest');
for (const l of devLines.filter((x) => /\bgo\s+install\b/.test(x))) {
  for (const m of l.matchAll(/\s(\S+)@(\S+?)[;\s]/g)) {
    const v = m[2].replace(/^\$\{?([A-Za-z_]+)\}?$/, (x, name) => argDefault(devLines, name) ?? x);
    check(pinned(v), `.config/Dockerfile: go install ${m[1]} is pinned`, `@${m[2]}`);
  }
}
const goVersion = argDefault(devLines, 'GO_VERSION');
check(goVersion && goMod.go && versionAtLeast(goVersion, goMod.go),
  `.config/Dockerfile installs Go ${goVersion}, at least go.mod's go ${goMod.go}`);
check(devLines.some((l) => l.includes('go${GO_VERSION}.linux-${GO_ARCH}.tar.gz')), '.config/Dockerfile downloads the Go of GO_VERSION');

// supervisord (development mode): waits for the binary mage builds, attaches delve to it, rebuilds.
let executable;
try { executable = JSON.parse(read(path.join(root, 'plugin.json'))).executable; } catch {}
check(executable, 'plugin.json names its executable');
const supFile = path.join(root, '.config/supervisord/supervisord.conf');
const sup = read(supFile);
check(sup, '.config/supervisord/supervisord.conf exists');
const supCopied = devLines.some((l) => /^COPY\s+supervisord\/supervisord\.conf\s/i.test(l));
check(supCopied, '.config/Dockerfile copies supervisord.conf into the image');
const gpx = [...sup.matchAll(/gpx_[A-Za-z0-9_*]*/g)].map((m) => m[0]);
check(gpx.length >= 2, 'supervisord.conf waits for and attaches to the plugin binary', `${gpx.length} gpx_ references`);
for (const ref of gpx) {
  check(executable && (ref.startsWith(`${executable}_linux_`) || `${executable}_linux_`.startsWith(ref.replace(/\*$/, ''))) ,
    `supervisord.conf's ${ref} names the plugin's Linux binary ${executable}_linux_<arch>`);
}
const vols = (baseService.volumes || []).map((v) => (typeof v === 'string' ? v.split(':') : [v.source, v.target]));
const srcMount = vols.find(([src]) => path.resolve(path.dirname(baseFile), src) === root)?.[1];
check(srcMount, 'the base compose file mounts the repository into the container');
for (const m of sup.matchAll(/\/root\/[A-Za-z0-9._-]+/g)) {
  if (m[0] === '/root/go') continue;
  check(m[0] === srcMount, `supervisord.conf's ${m[0]} is where the repository is mounted`, `mounted at ${srcMount}`);
}
check(/\[\s*(!\s*)?-[ef]\s+[^\]]*\*/.test(sup) === false, 'supervisord.conf does not test a glob with [ -f ] (it breaks on two matches)');
const mageLine = /^command=.*\bmage\b.*$/m.exec(sup)?.[0] || '';
check(/\bgo tool mage\b/.test(mageLine) && goMod.toolMage, 'supervisord runs mage as `go tool mage`, the version go.mod pins', mageLine);
check(/dlv@\$\{?DELVE_VERSION\}?/.test(devLines.join('\n')) && /\/root\/go\/bin\/dlv\b/.test(sup),
  'delve is installed at DELVE_VERSION into /root/go/bin, where supervisord runs it');
const bra = read(path.join(root, '.bra.toml')).split(/\r?\n/).filter((l) => !l.trim().startsWith('#')).join('\n');
if (bra) {
  check(!/\[\s*"mage"/.test(bra), '.bra.toml runs `go tool mage` (no mage binary in the image)');
  check(!/reloadPlugin/i.test(bra), ".bra.toml does not call reloadPlugin (it reads src/plugin.json; this plugin's is at the root)");
}

console.log(`\n${passed} passed, ${failures.length} failed`);
if (failures.length) {
  console.log('violations:\n' + failures.map((x) => `  - ${x}`).join('\n'));
  process.exit(1);
}
NODE

if [ "$status" -ne 0 ]; then
  echo "check-compose: FAILED"
else
  echo "check-compose: OK"
fi
exit "$status"
