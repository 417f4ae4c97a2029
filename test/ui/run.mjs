// `npm run test:ui`: runs every test/ui/*.spec.mjs with mocha (each spec starts its own workbench
// through test/ui/fixture.mjs). Screenshots go to .test-output/screenshots/.
//
// Needs dist/extension.js (node esbuild.mjs) and out/ (npx tsc -p tsconfig.json).
// Environment: RHE_UI_GREP runs only the tests whose full title matches this regular expression.
// RHE_SERVER picks the Redis each workbench gets: redis7 (default), valkey8 or redis8.
// The last line printed is `N passed, N failed`; the exit status is non-zero on a failure or when
// no test ran.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { repoRoot } from '../host/codeServer.mjs';

const here = join(repoRoot, 'test', 'ui');

function fail(message) {
  console.error(`test:ui: ${message}`);
  console.log('0 passed, 0 failed');
  process.exit(1);
}

for (const [file, hint] of [
  [join(repoRoot, 'dist', 'extension.js'), 'build the extension first: node esbuild.mjs'],
  [join(repoRoot, 'out', 'test', 'support', 'redisServer.js'), 'compile the tests first: npx tsc -p tsconfig.json'],
]) {
  if (!existsSync(file)) fail(`${file} is missing; ${hint}`);
}

const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 180_000, slow: 20_000 });
if (process.env.RHE_UI_GREP) mocha.grep(process.env.RHE_UI_GREP);
const specs = readdirSync(here)
  .filter((f) => f.endsWith('.spec.mjs'))
  .sort();
if (specs.length === 0) fail('no test/ui/*.spec.mjs found');
for (const f of specs) mocha.addFile(join(here, f));

try {
  await mocha.loadFilesAsync();
} catch (err) {
  fail(`cannot load the specs: ${err?.stack ?? err}`);
}

const stats = await new Promise((resolve) => {
  const runner = mocha.run(() => resolve(runner.stats));
});
const passes = stats?.passes ?? 0;
const failures = stats?.failures ?? 0;
if (passes === 0) console.error('test:ui: no test passed (nothing ran?)');
console.log(`${passes} passed, ${failures} failed`);
process.exit(failures === 0 && passes > 0 ? 0 : 1);
