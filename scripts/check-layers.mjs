#!/usr/bin/env node
// The dependency rules of DESIGN.md ("Layout"), checked on the sources:
// - a lib/ folder below app.ts never imports components/ or hooks/ (they stand on lib/, not in it);
// - lib/ folders import only folders of a lower rank (a DAG, errors/inject/routing at the bottom).
// Type imports count: a type import still ties the two files' meanings together.
//
//   node scripts/check-layers.mjs        lists every violation, exits 1 if there is one
//   node scripts/check-layers.mjs --json the violations as JSON, for the redesign plan
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

// --root DIR checks another checkout (the spec checks scratch trees).
const rootAt = process.argv.indexOf('--root');
const ROOT = rootAt > 0 ? process.argv[rootAt + 1] : join(dirname(new URL(import.meta.url).pathname), '..');

/**
 * The order of lib/: a folder may import folders of a lower rank only; peers (same rank) do not
 * import each other, except in the top tier. config (settings, logger) sits below errors because
 * the error table reads `debug` from the settings. websocket stands on http: a WebSocket starts
 * as an HTTP request, and a refused handshake is an HTTP response.
 */
const RANK = {
  config: 0,
  // OpenTelemetry spans (lib/tracing): imports nothing of lib/, used by http, websocket, channels and the App.
  tracing: 0,
  errors: 1,
  inject: 2,
  routing: 3,
  http: 4,
  websocket: 5,
  channels: 6,
  realtime: 7,
  // The worker-thread pool (Offload) stands on errors/ only; an app-owned service like
  // realtime/, it serves handlers and is closed by the App. Ranked with realtime: neither uses the other.
  offload: 7,
  // The API descriptions (OpenAPI, AsyncAPI) read routes, tokens, hooks and consumer classes;
  // nothing below the App uses them.
  descriptions: 7,
  'app.ts': 8,
  server: 8,
  testing: 8,
};
/**
 * The top tier (DESIGN.md: app.ts, server/ and testing/ "stand on top and may import everything
 * below"): one rank whose members may import each other. `App.listen()` runs server/'s
 * node:http glue, and `starwire serve` loads an App; file-level cycles stay forbidden
 * (`npm run check:cycles`).
 */
const TOP = new Set(['app.ts', 'server', 'testing']);
/** What may import components/ and hooks/: the App that lists them, and what stands on it. */
const ABOVE_COMPONENTS = new Set(['app.ts', 'server', 'testing']);

function walk(dir, out = []) {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return out;
  for (const entry of readdirSync(abs, { withFileTypes: true })) {
    const rel = posix.join(dir, entry.name);
    if (entry.isDirectory()) walk(rel, out);
    else if (/\.m?ts$/.test(entry.name) && !/\.d\.m?ts$/.test(entry.name)) out.push(rel);
  }
  return out;
}

/** lib/<folder>/x.ts -> folder; lib/app.ts -> 'app.ts'; a file loose in lib/ -> 'lib/<name>'. */
function unitOf(file) {
  const parts = file.split('/');
  if (parts[0] !== 'lib') return parts[0];
  // app.ts and the files it is split into (app-routes.ts) are one unit of the top tier.
  if (parts.length === 2) return /^app(-[a-z-]+)?\.ts$/.test(parts[1]) ? 'app.ts' : `lib/${parts[1]}`;
  return parts[1];
}

function resolveSpecifier(from, spec) {
  const base = posix.normalize(posix.join(posix.dirname(from), spec));
  const candidates = [base, `${base}.ts`, `${base}.mts`, `${base}/index.ts`];
  if (base.endsWith('.js')) candidates.unshift(`${base.slice(0, -3)}.ts`);
  if (base.endsWith('.mjs')) candidates.unshift(`${base.slice(0, -4)}.mts`);
  return candidates.find((c) => existsSync(join(ROOT, c)) && statSync(join(ROOT, c)).isFile());
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"\n]*)\1/g;

/** Removes comments so that an import in a doc comment's @example does not count. */
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

export function violations() {
  const found = [];
  for (const file of walk('lib')) {
    const unit = unitOf(file);
    const text = stripComments(readFileSync(join(ROOT, file), 'utf8'));
    for (const match of text.matchAll(SPECIFIER)) {
      const target = resolveSpecifier(file, match[2]);
      if (!target) continue;
      const to = unitOf(target);
      if (to === unit) continue;
      if (to === 'components' || to === 'hooks') {
        if (!ABOVE_COMPONENTS.has(unit))
          found.push({ file, target, rule: `lib/${unit === 'app.ts' ? unit : unit.replace(/^lib\//, '')} (below app.ts) imports ${to}/` });
        continue;
      }
      if (!target.startsWith('lib/')) continue;
      const a = RANK[unit];
      const b = RANK[to];
      // Files still loose in lib/ (before the move) have no rank: only the components/hooks rule applies.
      if (a === undefined || b === undefined) continue;
      if (b === a && TOP.has(unit) && TOP.has(to)) continue;
      if (b >= a)
        found.push({
          file,
          target,
          rule: b === a ? `${unit} imports its peer ${to}` : `${unit} (rank ${a}) imports ${to} (rank ${b}), above it`,
        });
    }
  }
  // bench/ and samples/ are written as users write: only the package's entry points (index.ts
  // for 'starwire', client/index.mts for 'starwire/client') and their own folder.
  for (const file of [...walk('bench'), ...walk('samples')]) {
    const text = stripComments(readFileSync(join(ROOT, file), 'utf8'));
    for (const match of text.matchAll(SPECIFIER)) {
      const target = resolveSpecifier(file, match[2]);
      if (!target || target === 'index.ts' || target === 'client/index.mts') continue;
      if (target.split('/')[0] === file.split('/')[0]) continue;
      found.push({ file, target, rule: `${file.split('/')[0]}/ imports ${target}, not a public entry point (starwire, starwire/client)` });
    }
  }
  return found;
}

const found = violations();
if (process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
} else {
  for (const v of found) process.stdout.write(`${v.file} -> ${v.target}: ${v.rule}\n`);
  process.stdout.write(found.length === 0 ? 'check:layers: no violations\n' : `check:layers: ${found.length} violation(s)\n`);
}
process.exitCode = found.length === 0 ? 0 : 1;
