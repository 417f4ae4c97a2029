// Checks the structure of src/: no import circles; every import goes down the layer stack
//   extension → commands / tree / hashEditor / documents → connections → core → shared;  webview → shared;
// and a file over 400 lines says why in a comment near its top ("Longer than 400 lines: <why>"), a shorter one does not.
// Type-only imports (`import type`) count too: a circle of types is still a circle a reader has to untangle.
// Plain Node, no dependencies; `npm run lint` and a core test run it. Usage: node scripts/check-structure.mjs [srcDir]
// Exit code 1 with one line per problem.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_LINES = 400;
/** where the reason for a long file must be: within the first lines */
const HEADER_LINES = 40;

/** Layer of a file (a file imports its own layer or lower ones), by its place under src/. */
const LAYERS = [
  { name: 'extension', rank: 4, match: (p) => p === 'extension.ts' || p === 'testHooks.ts' },
  // the views: the tree, the hash editor, field documents, the commands driving them, and what they share (services.ts)
  { name: 'views', rank: 3, match: (p) => /^(commands|tree|hashEditor|documents)\//.test(p) || p === 'services.ts' },
  { name: 'connections', rank: 2, match: (p) => p.startsWith('connections/') || p === 'log.ts' },
  { name: 'core', rank: 1, match: (p) => p.startsWith('core/') },
  { name: 'shared', rank: 0, match: (p) => p.startsWith('shared/') },
  // browser code: the shared protocol and nothing else of the extension
  { name: 'webview', rank: 0, match: (p) => p.startsWith('webview/') },
];

function files(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return files(p);
    return /\.ts$/.test(n) && !/\.d\.ts$/.test(n) ? [p] : [];
  });
}


function resolveImport(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const c of [base, `${base}.ts`, join(base, 'index.ts')]) if (existsSync(c) && statSync(c).isFile()) return c;
  return undefined;
}

/** `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')` of relative paths. */
function importsOf(text, file) {
  text = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out = [];
  const re = /(?:^|[;\s])(?:import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/gm;
  for (let m; (m = re.exec(text)); ) {
    const spec = m[2] ?? m[3];
    const to = resolveImport(file, spec);
    if (to) out.push({ to, typeOnly: Boolean(m[1]) });
  }
  return out;
}

const layerOf = (p) => LAYERS.find((l) => l.match(p));

export function check(src = join(root, 'src')) {
  const rel = (p) => relative(src, p).split(sep).join('/');
  const problems = [];
  const graph = new Map();
  for (const f of files(src)) {
    const text = readFileSync(f, 'utf8');
    graph.set(rel(f), importsOf(text, f).map((i) => ({ ...i, to: rel(i.to) })));
    const lines = text.split('\n');
    const n = lines.length - (lines.at(-1) === '' ? 1 : 0);
    const says = lines.slice(0, HEADER_LINES).some((l) => /^\s*(\/\/|\/?\*).*Longer than 400 lines: \S/.test(l));
    if (n > MAX_LINES && !says) problems.push(`${rel(f)}: ${n} lines; split it, or say why near its top ("Longer than 400 lines: …")`);
    // a reason left behind once the file got shorter is no longer true
    if (n <= MAX_LINES && says) problems.push(`${rel(f)}: says it is longer than 400 lines, but has ${n}`);
  }

  for (const [from, imports] of graph) {
    const lf = layerOf(from);
    if (!lf) {
      problems.push(`${from}: in no layer (add it to scripts/check-structure.mjs)`);
      continue;
    }
    for (const to of new Set(imports.map((i) => i.to))) {
      const lt = layerOf(to);
      if (!lt || lt === lf) continue;
      const allowed = lf.name === 'webview' ? lt.name === 'shared' : lt.name !== 'webview' && lt.rank < lf.rank;
      if (!allowed) problems.push(`${from} imports ${to}: ${lf.name} must not depend on ${lt.name}`);
    }
  }

  // circles: strongly connected components of the file graph (Tarjan)
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const { to } of graph.get(v) ?? []) {
      if (!idx.has(to)) {
        visit(to);
        low.set(v, Math.min(low.get(v), low.get(to)));
      } else if (on.has(to)) low.set(v, Math.min(low.get(v), idx.get(to)));
    }
    if (low.get(v) !== idx.get(v)) return;
    const scc = [];
    for (let w; w !== v; ) {
      w = stack.pop();
      on.delete(w);
      scc.push(w);
    }
    if (scc.length > 1) problems.push(`import circle: ${scc.sort().join(' ↔ ')}`);
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return { problems, files: graph.size };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { problems, files: n } = check(process.argv[2] ? resolve(process.argv[2]) : undefined);
  if (problems.length) {
    for (const p of problems) console.error(p);
    console.error(`${problems.length} structure problem(s) in ${n} files`);
    process.exit(1);
  }
}
