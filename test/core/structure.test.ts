import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// The structure check (scripts/check-structure.mjs) on src/ and on a small tree built to break each rule.
const ROOT = join(__dirname, '..', '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'check-structure.mjs');

function check(dir?: string): { status: number | null; problems: string[] } {
  const r = spawnSync(process.execPath, dir ? [SCRIPT, dir] : [SCRIPT], { encoding: 'utf8' });
  return { status: r.status, problems: r.stderr.split('\n').filter(Boolean) };
}

describe('structure of src/ (import layers, no circles, file length)', () => {
  it('src/ passes', () => {
    assert.deepEqual(check(), { status: 0, problems: [] });
  });

  it('reports circles (type-only imports included), imports up the layers, files in no layer, long files without a reason and reasons no longer true', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rhe-structure-'));
    const files: Record<string, string> = {
      'core/a.ts': "import { b } from './b';\nexport const a = b + 1;\n",
      'core/b.ts': "import type { A } from './c';\nexport const b = 1;\nexport type B = A;\n",
      'core/c.ts': "import type { B } from './b';\nexport type A = B | number;\n",
      'core/fine.ts': "import { a } from './a';\nimport type { S } from '../shared/s';\nexport const f: S = String(a);\n",
      'shared/s.ts': 'export type S = string;\n',
      'connections/pool.ts': "import { run } from '../commands/run';\nexport const pool = run;\n",
      'commands/run.ts': "import { a } from '../core/a';\nexport const run = a;\n",
      'webview/page.ts': "import type { S } from '../shared/s';\nimport { a } from '../core/a';\nexport const p: S = String(a);\n",
      'misc.ts': 'export const m = 1;\n',
      'tree/long.ts': '// a long file\n' + 'export const x = 1;\n'.repeat(401),
      'tree/reasoned.ts': '/*\n * Longer than 400 lines: it is a test.\n */\n' + 'export const y = 1;\n'.repeat(401),
      'tree/stale.ts': '// Longer than 400 lines: not any more.\n' + 'export const z = 1;\n'.repeat(10),
    };
    try {
      for (const [p, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, p)), { recursive: true });
        writeFileSync(join(dir, p), text);
      }
      const { status, problems } = check(dir);
      assert.equal(status, 1);
      assert.deepEqual(problems.sort(), [
        '6 structure problem(s) in 12 files',
        'connections/pool.ts imports commands/run.ts: connections must not depend on views',
        'import circle: core/b.ts ↔ core/c.ts',
        'misc.ts: in no layer (add it to scripts/check-structure.mjs)',
        'tree/long.ts: 402 lines; split it, or say why near its top ("Longer than 400 lines: …")',
        'tree/stale.ts: says it is longer than 400 lines, but has 11',
        'webview/page.ts imports core/a.ts: webview must not depend on core',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
