#!/usr/bin/env node
// The package's public API, as users import it: every name exported by `starwire`
// (dist/index.d.ts) and `starwire/client` (dist/client/index.d.mts), with its kind, one per
// line, written to api-report.txt. An export added or removed without updating that file fails
// `--check`, so a change to the public surface is always a visible, reviewed change.
//
//   node scripts/api-report.mjs                       rewrites api-report.txt (after a build)
//   node scripts/api-report.mjs --check               exits 1 listing the differences
//   node scripts/api-report.mjs --check --expected F  compares with F instead of api-report.txt
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..');
const ENTRIES = [
  ['starwire', 'dist/index.d.ts'],
  ['starwire/client', 'dist/client/index.d.mts'],
];
const REPORT = 'api-report.txt';

const DECLARATION =
  /^export\s+(?:declare\s+)?(?:abstract\s+)?(class|function|interface|type|const|let|var|enum|namespace)\s+([A-Za-z_$][\w$]*)/gm;
const LOCAL_DECLARATION =
  /^(?:export\s+)?(?:declare\s+)?(?:abstract\s+)?(class|function|interface|type|const|let|var|enum|namespace)\s+([A-Za-z_$][\w$]*)/gm;
const NAMED_EXPORT = /^export\s+(type\s+)?\{([^}]*)\}(?:\s+from\s+['"]([^'"]+)['"])?\s*;/gm;
const STAR_AS = /^export\s+\*\s+as\s+([A-Za-z_$][\w$]*)\s+from\s+['"]([^'"]+)['"]\s*;/gm;
const STAR = /^export\s+\*\s+from\s+['"]([^'"]+)['"]\s*;/gm;
const IMPORT = /^import\s+(type\s+)?\{([^}]*)\}\s+from\s+['"]([^'"]+)['"]\s*;/gm;

const KIND = { let: 'const', var: 'const' };

function declarationFile(from, spec) {
  const base = posix.normalize(posix.join(posix.dirname(from), spec)).replace(/\.(m?js)$/, '');
  for (const candidate of [`${base}.d.ts`, `${base}.d.mts`, `${base}/index.d.ts`]) {
    if (existsSync(join(ROOT, candidate))) return candidate;
  }
  throw new Error(`api-report: ${from} re-exports ${spec}, which has no declaration file (run the build first)`);
}

function specifiers(list) {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const typeOnly = s.startsWith('type ');
      const [name, alias] = s.replace(/^type\s+/, '').split(/\s+as\s+/);
      return { name, alias: alias ?? name, typeOnly };
    });
}

const cache = new Map();

/** name -> kind of everything `file` exports. */
function exportsOf(file) {
  if (cache.has(file)) return cache.get(file);
  const result = new Map();
  cache.set(file, result);
  const text = readFileSync(join(ROOT, file), 'utf8');
  const local = new Map();
  for (const [, kind, name] of text.matchAll(LOCAL_DECLARATION)) if (!local.has(name)) local.set(name, KIND[kind] ?? kind);
  const imported = new Map();
  for (const [, , list, spec] of text.matchAll(IMPORT)) {
    const from = spec.startsWith('.') ? exportsOf(declarationFile(file, spec)) : undefined;
    for (const s of specifiers(list)) imported.set(s.alias, from ? from.get(s.name) : `from ${spec}`);
  }
  for (const [, kind, name] of text.matchAll(DECLARATION)) result.set(name, KIND[kind] ?? kind);
  for (const [, typeAll, list, spec] of text.matchAll(NAMED_EXPORT)) {
    const from = spec?.startsWith('.') ? exportsOf(declarationFile(file, spec)) : undefined;
    for (const s of specifiers(list)) {
      const kind = spec && !from ? `from ${spec}` : from ? from.get(s.name) : (local.get(s.name) ?? imported.get(s.name));
      if (kind === undefined) throw new Error(`api-report: ${file} exports ${s.name}, whose declaration was not found`);
      const typeOnly = (typeAll || s.typeOnly) && !['interface', 'type'].includes(kind);
      result.set(s.alias, typeOnly ? `${kind} (type only)` : kind);
    }
  }
  for (const [, name, spec] of text.matchAll(STAR_AS)) {
    result.set(name, 'namespace');
    for (const [member, kind] of exportsOf(declarationFile(file, spec))) result.set(`${name}.${member}`, kind);
  }
  for (const [, spec] of text.matchAll(STAR)) {
    for (const [name, kind] of exportsOf(declarationFile(file, spec))) if (!result.has(name)) result.set(name, kind);
  }
  return result;
}

export function report() {
  const lines = [];
  for (const [entry, file] of ENTRIES) {
    if (!existsSync(join(ROOT, file))) throw new Error(`api-report: ${file} is missing (run the build first)`);
    const names = [...exportsOf(file)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [name, kind] of names) lines.push(`${entry}\t${name}\t${kind}`);
  }
  return `${lines.join('\n')}\n`;
}

const args = process.argv.slice(2);
const expectedAt = args.includes('--expected') ? args[args.indexOf('--expected') + 1] : join(ROOT, REPORT);
try {
  const current = report();
  if (args.includes('--check')) {
    const expected = existsSync(expectedAt) ? readFileSync(expectedAt, 'utf8') : '';
    const want = new Set(expected.split('\n').filter(Boolean));
    const have = new Set(current.split('\n').filter(Boolean));
    const added = [...have].filter((l) => !want.has(l));
    const removed = [...want].filter((l) => !have.has(l));
    for (const l of added) process.stdout.write(`+ ${l.replace(/\t/g, ' ')}\n`);
    for (const l of removed) process.stdout.write(`- ${l.replace(/\t/g, ' ')}\n`);
    if (added.length + removed.length > 0) {
      process.stdout.write(
        `api-report: the public API differs from ${REPORT} (${added.length} added, ${removed.length} removed); ` +
          'if that is intended, run `node scripts/api-report.mjs` and commit the file\n',
      );
      process.exitCode = 1;
    } else {
      process.stdout.write(`api-report: ${have.size} public exports, as in ${REPORT}\n`);
    }
  } else {
    writeFileSync(join(ROOT, REPORT), current);
    process.stdout.write(`api-report: wrote ${current.split('\n').filter(Boolean).length} exports to ${REPORT}\n`);
  }
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
