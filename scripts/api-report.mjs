#!/usr/bin/env node
// The package's public API, as users import it: every name exported by `starwire`
// (dist/index.d.ts) and `starwire/client` (dist/client/index.d.mts), with its kind, one per
// line, written to api-report.txt. An export added or removed without updating that file fails
// `--check`, so a change to the public surface is always a visible, reviewed change.
//
//   node scripts/api-report.mjs                       rewrites api-report.txt (after a build)
//   node scripts/api-report.mjs --check               exits 1 listing the differences
//   node scripts/api-report.mjs --check --expected F  compares with F instead of api-report.txt
//   node scripts/api-report.mjs --examples            exits 1 listing every exported class and
//                                                     function whose doc comment has no @example
//                                                     (issue 12: a user reads how to call it in the editor)
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
/** file -> (exported name -> { file, name } where it is declared), filled by exportsOf. */
const origins = new Map();

/** name -> kind of everything `file` exports. */
function exportsOf(file) {
  if (cache.has(file)) return cache.get(file);
  const result = new Map();
  cache.set(file, result);
  const origin = new Map();
  origins.set(file, origin);
  const text = readFileSync(join(ROOT, file), 'utf8');
  const local = new Map();
  for (const [, kind, name] of text.matchAll(LOCAL_DECLARATION)) if (!local.has(name)) local.set(name, KIND[kind] ?? kind);
  const imported = new Map();
  const importedOrigin = new Map();
  for (const [, , list, spec] of text.matchAll(IMPORT)) {
    const fromFile = spec.startsWith('.') ? declarationFile(file, spec) : undefined;
    const from = fromFile ? exportsOf(fromFile) : undefined;
    for (const s of specifiers(list)) {
      imported.set(s.alias, from ? from.get(s.name) : `from ${spec}`);
      if (fromFile) importedOrigin.set(s.alias, origins.get(fromFile).get(s.name));
    }
  }
  for (const [, kind, name] of text.matchAll(DECLARATION)) {
    result.set(name, KIND[kind] ?? kind);
    origin.set(name, { file, name });
  }
  for (const [, typeAll, list, spec] of text.matchAll(NAMED_EXPORT)) {
    const fromFile = spec?.startsWith('.') ? declarationFile(file, spec) : undefined;
    const from = fromFile ? exportsOf(fromFile) : undefined;
    for (const s of specifiers(list)) {
      const kind = spec && !from ? `from ${spec}` : from ? from.get(s.name) : (local.get(s.name) ?? imported.get(s.name));
      if (kind === undefined) throw new Error(`api-report: ${file} exports ${s.name}, whose declaration was not found`);
      const typeOnly = (typeAll || s.typeOnly) && !['interface', 'type'].includes(kind);
      result.set(s.alias, typeOnly ? `${kind} (type only)` : kind);
      const at = fromFile ? origins.get(fromFile).get(s.name) : local.has(s.name) ? { file, name: s.name } : importedOrigin.get(s.name);
      if (at) origin.set(s.alias, at);
    }
  }
  for (const [, name, spec] of text.matchAll(STAR_AS)) {
    result.set(name, 'namespace');
    for (const [member, kind] of exportsOf(declarationFile(file, spec))) result.set(`${name}.${member}`, kind);
  }
  for (const [, spec] of text.matchAll(STAR)) {
    const fromFile = declarationFile(file, spec);
    for (const [name, kind] of exportsOf(fromFile)) {
      if (result.has(name)) continue;
      result.set(name, kind);
      if (origins.get(fromFile).has(name)) origin.set(name, origins.get(fromFile).get(name));
    }
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

/** Kinds whose doc comment must carry an @example: what a user calls or constructs. */
const NEEDS_EXAMPLE = new Set(['class', 'function']);

/**
 * The doc comment right above `name`'s first declaration in `file` (for an overloaded
 * function, the first overload's: the one an editor shows first), or undefined.
 */
export function docComment(file, name) {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const escaped = name.replace(/\$/g, '\\$');
  const declaration = new RegExp(
    `^[ \\t]*(?:export\\s+)?(?:declare\\s+)?(?:abstract\\s+)?(?:class|function|const|let|var|enum|interface|type|namespace)\\s+${escaped}\\b`,
    'm',
  ).exec(text);
  if (!declaration) return undefined;
  const before = text.slice(0, declaration.index).trimEnd();
  if (!before.endsWith('*/')) return undefined;
  const start = before.lastIndexOf('/**');
  return start === -1 ? undefined : before.slice(start);
}

/** Every exported class and function of both entry points, and whether its doc has an @example. */
export function examples() {
  const rows = [];
  for (const [entry, file] of ENTRIES) {
    if (!existsSync(join(ROOT, file))) throw new Error(`api-report: ${file} is missing (run the build first)`);
    const names = [...exportsOf(file)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [name, kind] of names) {
      if (!NEEDS_EXAMPLE.has(kind.replace(/ \(type only\)$/, ''))) continue;
      const at = origins.get(file).get(name);
      if (!at) throw new Error(`api-report: ${file} exports ${name}, whose declaration was not found`);
      const doc = docComment(at.file, at.name);
      rows.push({
        entry,
        name,
        kind,
        file: at.file,
        doc: doc !== undefined,
        example: doc !== undefined && /^\s*(?:\/\*)?\*\s*@example\b/m.test(doc),
      });
    }
  }
  return rows;
}

const args = process.argv.slice(2);
const expectedAt = args.includes('--expected') ? args[args.indexOf('--expected') + 1] : join(ROOT, REPORT);
try {
  const current = report();
  if (args.includes('--examples')) {
    const rows = examples();
    const missing = rows.filter((r) => !r.example);
    for (const r of missing) {
      process.stdout.write(`${r.entry} ${r.name} ${r.kind} (${r.file}): ${r.doc ? 'doc comment has no @example' : 'no doc comment'}\n`);
    }
    process.stdout.write(`api-report: ${rows.length - missing.length} of ${rows.length} exported classes and functions have an @example\n`);
    if (missing.length > 0) process.exitCode = 1;
  } else if (args.includes('--check')) {
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
