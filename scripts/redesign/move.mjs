#!/usr/bin/env node
// Moves Starwire's sources into the layout of DESIGN.md ("Layout", issue 12) in one step:
// `git mv` every entry of moves.json, then rewrites every relative specifier and every path
// string that names a moved file (source or compiled) so the tree builds and runs unchanged.
//
//   node scripts/redesign/move.mjs --check   dry run: lists unmapped files and missing sources
//                                           (exit 1), else counts the moves and rewrites
//   node scripts/redesign/move.mjs           applies the move (refuses on an already-moved tree)
//
// The map must cover every .ts/.mts file under lib/, components/, hooks/ and spec/ (entries
// that stay map to themselves), so a file added by another branch stops the move instead of
// being left behind with broken imports.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

// --root DIR runs on another checkout (the spec runs it on a scratch repository).
const rootAt = process.argv.indexOf('--root');
const ROOT = rootAt > 0 ? process.argv[rootAt + 1] : join(dirname(new URL(import.meta.url).pathname), '..', '..');
const MAP_FILE = 'scripts/redesign/moves.json';
const MAPPED_DIRS = ['lib', 'components', 'hooks', 'spec'];
const CODE_DIRS = ['lib', 'components', 'hooks', 'client', 'spec', 'samples', 'bench', 'scripts'];
const CODE_EXT = /\.(ts|mts|mjs|js)$/;
const SKIP = new Set(['node_modules', 'dist', '.git']);
const SELF = 'scripts/redesign/';

const check = process.argv.includes('--check');
const moves = JSON.parse(readFileSync(join(ROOT, MAP_FILE), 'utf8'));

function walk(dir, keep, out = []) {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return out;
  for (const entry of readdirSync(abs, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const rel = posix.join(dir, entry.name);
    if (entry.isDirectory()) walk(rel, keep, out);
    else if (keep(rel)) out.push(rel);
  }
  return out;
}

// ---- preconditions -------------------------------------------------------------------------
const problems = [];
const present = MAPPED_DIRS.flatMap((dir) => walk(dir, (f) => /\.m?ts$/.test(f)));
const unmapped = present.filter((f) => !(f in moves) && !Object.values(moves).includes(f));
const missing = Object.keys(moves).filter((f) => !existsSync(join(ROOT, f)));
const moved = Object.entries(moves).filter(([from, to]) => from !== to);
const arrived = moved.filter(([from, to]) => !existsSync(join(ROOT, from)) && existsSync(join(ROOT, to)));
const occupied = moved.filter(([from, to]) => existsSync(join(ROOT, from)) && existsSync(join(ROOT, to)));
if (arrived.length > 0) {
  problems.push(
    `the tree looks already moved (${arrived.length} of ${moved.length} targets exist and their sources do not, e.g. ${arrived[0][1]}); refusing to move twice`,
  );
} else {
  for (const f of unmapped) problems.push(`not in ${MAP_FILE}: ${f} (add it with its new path, or mapped to itself)`);
  for (const f of missing) problems.push(`in ${MAP_FILE} but missing: ${f}`);
}
for (const [from, to] of occupied) problems.push(`target already exists: ${from} -> ${to}`);
const targets = new Map();
for (const [from, to] of Object.entries(moves)) {
  if (targets.has(to)) problems.push(`two sources move to ${to}: ${targets.get(to)} and ${from}`);
  targets.set(to, from);
}

if (problems.length > 0) {
  for (const p of problems) console.error(`move: ${p}`);
  process.exit(1);
}

// ---- path arithmetic ----------------------------------------------------------------------
/** Where `file` (a path from the repo root) lives after the move. */
const after = (file) => moves[file] ?? file;

/** The source file a relative specifier from `fromDir` resolves to, if it is a repo file. */
function resolveSpecifier(fromDir, spec) {
  const base = posix.normalize(posix.join(fromDir, spec));
  const candidates = [base, `${base}.ts`, `${base}.mts`, `${base}/index.ts`, `${base}/index.mts`];
  if (base.endsWith('.js')) candidates.unshift(`${base.slice(0, -3)}.ts`);
  if (base.endsWith('.mjs')) candidates.unshift(`${base.slice(0, -4)}.mts`);
  for (const c of candidates) if (existsSync(join(ROOT, c)) && statSync(join(ROOT, c)).isFile()) return c;
  return undefined;
}

function relativeSpecifier(fromDir, file) {
  const rel = posix.relative(fromDir, file);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** `spec` as written in `file`, re-aimed from `file`'s new place at its target's new place. */
function rewriteSpecifier(file, spec) {
  const target = resolveSpecifier(posix.dirname(file), spec);
  if (!target) return spec;
  const newTarget = after(target);
  // Keep the specifier's own spelling of the ending (none, .js, .mjs, /index).
  let written = newTarget;
  const resolvedBase = posix.normalize(posix.join(posix.dirname(file), spec));
  if (target.endsWith('/index.ts') && !resolvedBase.endsWith('index') && !resolvedBase.endsWith('.ts')) {
    written = posix.dirname(newTarget);
  } else if (/\.ts$/.test(target) && !/\.(ts|js)$/.test(spec)) {
    written = newTarget.replace(/\.ts$/, '');
  } else if (/\.mts$/.test(target) && !/\.(mts|mjs)$/.test(spec)) {
    written = newTarget.replace(/\.mts$/, '');
  } else if (spec.endsWith('.js')) {
    written = newTarget.replace(/\.ts$/, '.js');
  } else if (spec.endsWith('.mjs')) {
    written = newTarget.replace(/\.mts$/, '.mjs');
  }
  const next = relativeSpecifier(posix.dirname(after(file)), written);
  return next === spec ? spec : next;
}

/** A compiled path (dist/x.js) or source path (x.ts) after the move, or undefined if unmoved. */
function movedPath(path, bare = false) {
  const m = /^(dist\/)?(.*?)(\.d\.ts|\.d\.mts|\.js|\.mjs|\.ts|\.mts|\.js\.map)$/.exec(path);
  if (!m) {
    // An extensionless module path ('lib/inject' joined to the repo root), only where asked.
    if (!bare) return undefined;
    for (const ext of ['.ts', '.mts']) {
      if (moves[`${path}${ext}`] && moves[`${path}${ext}`] !== `${path}${ext}`) return moves[`${path}${ext}`].slice(0, -ext.length);
    }
    return undefined;
  }
  const [, dist = '', body, ext] = m;
  const source = `${body}${/m/.test(ext) ? '.mts' : '.ts'}`;
  if (!(source in moves) || moves[source] === source) return undefined;
  return `${dist}${moves[source].replace(/\.m?ts$/, '')}${ext}`;
}

const QUOTED_SEQUENCE = /(['"])[^'"\n]*\1(?:\s*,\s*(['"])[^'"\n]*\2)*/g;

/** `join(__dirname, 'a', 'b')` and `resolve(__dirname, '../..')`, computed in dist/ terms. */
function rewriteDirnameJoins(file, text) {
  const oldDir = posix.join('dist', posix.dirname(file));
  const newDir = posix.join('dist', posix.dirname(after(file)));
  return text.replace(/\b(join|resolve)\(\s*__dirname((?:\s*,\s*(['"])[^'"\n]*\3)+)/g, (whole, fn, args) => {
    const literals = [...args.matchAll(/(['"])([^'"\n]*)\1/g)];
    const quote = literals[0][1];
    const target = posix.normalize(posix.join(oldDir, ...literals.map((l) => l[2])));
    const newTarget = movedPath(target) ?? target;
    const rel = posix.relative(newDir, newTarget) || '.';
    const oldRel = posix.relative(oldDir, target) || '.';
    if (rel === oldRel && newTarget === target) return whole;
    const parts = literals.length === 1 ? [rel] : rel.split('/');
    return `${fn}(__dirname, ${parts.map((p) => `${quote}${p}${quote}`).join(', ')}`;
  });
}

/** 'dist', 'lib', 'cli.js' as separate arguments, or 'lib/inject' as one, naming a moved file. */
function rewriteSegmentLists(text) {
  return text.replace(QUOTED_SEQUENCE, (whole) => {
    const literals = [...whole.matchAll(/(['"])([^'"\n]*)\1/g)];
    const joined = literals.map((l) => l[2]).join('/');
    if (!/^(dist\/)?(lib|components|hooks|spec)\/[\w./-]+$/.test(joined)) return whole;
    const next = movedPath(joined, true);
    if (!next) return whole;
    const quote = literals[0][1];
    const parts = literals.length === 1 ? [next] : next.split('/');
    return parts.map((p) => `${quote}${p}${quote}`).join(', ');
  });
}

/** Paths written out in strings, comments and docs: dist/lib/cli.js, lib/realtime/store.ts. */
function rewritePathMentions(text) {
  return text.replace(
    /(?<![\w/.@-])((?:dist\/)?(?:lib|components|hooks|spec)\/[\w./-]*?(?:\.d\.ts|\.d\.mts|\.js\.map|\.mjs|\.mts|\.js|\.ts))(?![\w/-])/g,
    (whole, path) => movedPath(path) ?? whole,
  );
}

const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+|<reference\s+path\s*=\s*)(['"])(\.{1,2}\/[^'"\n]*)\2/g;

function rewriteCode(file, text) {
  let next = text.replace(SPECIFIER, (_whole, lead, quote, spec) => `${lead}${quote}${rewriteSpecifier(file, spec)}${quote}`);
  next = rewriteDirnameJoins(file, next);
  next = rewriteSegmentLists(next);
  return rewritePathMentions(next);
}

/**
 * Mentions no rule above can re-aim (a path inside a regular expression, split by an
 * alternation). Each is looked for verbatim; one that is gone is reported, not guessed at.
 */
const FIXUPS = [
  {
    file: 'spec/package/package.spec.ts',
    from: String.raw`dist\/lib\/(redis-channel-layer|realtime\/redis-store)\.d\.ts`,
    to: String.raw`dist\/lib\/(channels\/redis-channel-layer|realtime\/redis-store)\.d\.ts`,
  },
];

// ---- plan the edits -----------------------------------------------------------------------
const codeFiles = [
  ...(existsSync(join(ROOT, 'index.ts')) ? ['index.ts'] : []),
  ...CODE_DIRS.flatMap((dir) => walk(dir, (f) => CODE_EXT.test(f) && !f.startsWith(SELF))),
];
const textFiles = ['package.json', ...walk('.', (f) => f.endsWith('.md') && !f.startsWith(SELF)).map((f) => f.replace(/^\.\//, ''))];

const edits = new Map(); // old path -> new contents
for (const file of codeFiles) {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const next = rewriteCode(file, text);
  if (next !== text) edits.set(file, next);
}
for (const file of textFiles) {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const next = rewritePathMentions(text);
  if (next !== text) edits.set(file, next);
}

for (const { file, from, to } of FIXUPS) {
  const text = edits.get(file) ?? (existsSync(join(ROOT, file)) ? readFileSync(join(ROOT, file), 'utf8') : '');
  if (!text.includes(from)) {
    console.warn(`move: fix-up not applied, text not found in ${file}: ${from} (check that file by hand)`);
    continue;
  }
  edits.set(file, text.split(from).join(to));
}

if (check) {
  console.log(`move --check: ${moved.length} files to move, ${edits.size} files to rewrite; map covers all ${present.length} files`);
  process.exit(0);
}

// ---- apply --------------------------------------------------------------------------------
for (const [from, to] of moved) {
  mkdirSync(join(ROOT, posix.dirname(to)), { recursive: true });
  execFileSync('git', ['mv', from, to], { cwd: ROOT, stdio: 'inherit' });
}
for (const [file, text] of edits) writeFileSync(join(ROOT, after(file)), text);
// Compiled files of the old paths would still be found by mocha's dist/spec/** glob and by npm pack.
rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
console.log(`move: moved ${moved.length} files, rewrote ${edits.size}`);
