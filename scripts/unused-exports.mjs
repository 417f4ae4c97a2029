// Lists exports under src/ that no other file imports (through the TypeScript language service, so re-exports
// and `import type` count). `node scripts/unused-exports.mjs`; exits 1 when it finds any.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
// VS Code calls these by name; nothing imports them.
const entryPoints = new Set(['src/extension.ts#activate', 'src/extension.ts#deactivate']);

function project(configPath) {
  const { config } = ts.readConfigFile(configPath, (p) => readFileSync(p, 'utf8'));
  return ts.parseJsonConfigFileContent(config, ts.sys, dirname(configPath));
}
const parsed = [project(join(root, 'tsconfig.json')), project(join(root, 'src/webview/tsconfig.json'))];
const files = [...new Set(parsed.flatMap((p) => p.fileNames))];
const options = { ...parsed[0].options, allowJs: false, noEmit: true };
const host = {
  getScriptFileNames: () => files,
  getScriptVersion: () => '1',
  getScriptSnapshot: (f) => (ts.sys.fileExists(f) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(f)) : undefined),
  getCurrentDirectory: () => root,
  getCompilationSettings: () => options,
  getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
  fileExists: ts.sys.fileExists,
  readFile: ts.sys.readFile,
};
const service = ts.createLanguageService(host);
const program = service.getProgram();
const checker = program.getTypeChecker();

// `export { a } from './b'` passes a name on; it is a use only if something imports it from there (found too).
function isReexport(ref) {
  const text = program.getSourceFile(ref.fileName)?.text ?? '';
  const start = text.lastIndexOf('\n', ref.textSpan.start) + 1;
  const end = text.indexOf(';', ref.textSpan.start);
  return /^export (type )?(\{[^}]*\}|\*)( as \w+)? from /.test(text.slice(start, end < 0 ? undefined : end + 1).replace(/\s+/g, ' '));
}

let found = 0;
for (const sf of program.getSourceFiles()) {
  const rel = relative(root, sf.fileName);
  if (!rel.startsWith('src/')) continue;
  const moduleSymbol = checker.getSymbolAtLocation(sf);
  if (!moduleSymbol) continue;
  for (const sym of checker.getExportsOfModule(moduleSymbol)) {
    if (entryPoints.has(`${rel}#${sym.name}`)) continue;
    const decl = sym.declarations?.[0];
    if (!decl) continue;
    const nameNode = ts.getNameOfDeclaration(decl) ?? decl;
    const refs = service.findReferences(decl.getSourceFile().fileName, nameNode.getStart()) ?? [];
    const elsewhere = refs.some((r) => r.references.some((x) => x.fileName !== sf.fileName && x.fileName !== decl.getSourceFile().fileName && !isReexport(x)));
    if (elsewhere) continue;
    const { line } = sf.getLineAndCharacterOfPosition(nameNode.getStart());
    console.log(`${rel}:${line + 1} ${sym.name}`);
    found++;
  }
}
console.log(`${found} export(s) nothing else imports`);
process.exit(found ? 1 : 0);
