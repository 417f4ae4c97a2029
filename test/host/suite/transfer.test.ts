// Export, import, folder actions and "copy as commands" in the real extension host: scripted calls, the
// palette and tree paths with prompts answered, Cancel mid-run, bad input and read-only. Every result is
// checked in Redis with a separate client. Database 12, connections named "xfer-…".
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Redis from 'ioredis';
import * as vscode from 'vscode';
import type { PromptLayer } from '../../../src/commands/prompts';
import type { TestHooks } from './sidebarSupport';
import { closeClients, connectionNode, hooks, path, profile, redis, rejectionOf, setConnections, withPrompts } from './sidebarSupport';

const DB = 12;
const CONN = 'xfer-main';
const RO = 'xfer-ro';
const run = (id: string, arg?: unknown) => Promise.resolve(vscode.commands.executeCommand(`redisHashExplorer.${id}`, arg));
const BIN_FIELD = Buffer.from([0xff, 0x00, 0x41, 0x0a]);
const BIN_VALUE = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x5c, 0x22, 0x80]);

/** Answers the connection pick and the other picks by label. */
function picking(...labels: string[]): Pick<PromptLayer, 'pick'> {
  return { pick: async <T extends vscode.QuickPickItem>(items: readonly T[]) => items.find((i) => i.label === CONN || labels.includes(i.label)) };
}

async function dump(r: Redis, key: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, flat] = await r.hscanBuffer(key, cursor, 'COUNT', 1000);
    cursor = next.toString();
    for (let i = 0; i < flat.length; i += 2) out.set(flat[i].toString('hex'), flat[i + 1].toString('hex'));
  } while (cursor !== '0');
  return out;
}

describe('Export and import', function () {
  this.timeout(60_000);
  let h: TestHooks;
  let r: Redis;
  let dir: string;

  before(async () => {
    h = await hooks();
    r = redis(DB);
    dir = mkdtempSync(join(tmpdir(), 'rhe-xfer-'));
    await setConnections('xfer-', [profile(CONN, DB), profile(RO, DB, { readOnly: true })]);
  });
  beforeEach(async () => {
    await r.flushdb();
    await r.hset('xf:bin', 'name', 'Ada', 'multi\nline', 'é "quoted", comma');
    await r.hset('xf:bin', BIN_FIELD, BIN_VALUE, 'binval', BIN_VALUE);
  });
  after(async () => {
    await setConnections('xfer-', []);
    await r.flushdb();
    closeClients();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const format of ['json', 'ndjson', 'csv']) {
    it(`scripted: export then import round-trips a binary-valued hash byte for byte (${format})`, async () => {
      const file = join(dir, `bin.${format}`);
      assert.deepEqual(await run('exportHash', { connection: CONN, key: 'xf:bin', path: file }), { fields: 4 });
      const report = await run('importHash', { connection: CONN, key: 'xf:copy', path: file, policy: 'skip' });
      assert.deepEqual(report, { added: 4, overwritten: 0, skipped: 0, failedCount: 0, failed: [] });
      assert.deepEqual(await dump(r, 'xf:copy'), await dump(r, 'xf:bin'));
    });
  }

  it('scripted: field TTLs round-trip where the server has them; elsewhere an input with TTLs is refused', async () => {
    const hasFieldTtl = Array.isArray(((await r.call('COMMAND', 'INFO', 'hexpire')) as unknown[])[0]);
    const file = join(dir, 'ttl.ndjson');
    if (!hasFieldTtl) {
      writeFileSync(file, '{"field":"a","value":"1","ttl":60}\n');
      assert.match(await rejectionOf('redisHashExplorer.importHash', { connection: CONN, key: 'xf:ttl', path: file }), /gives 1 fields a TTL, and Field TTLs need Redis 7\.4 or later.*nothing was imported/);
      assert.equal(await r.exists('xf:ttl'), 0);
      return;
    }
    await r.call('HEXPIRE', 'xf:bin', 900, 'FIELDS', 1, BIN_FIELD);
    await run('exportHash', { connection: CONN, key: 'xf:bin', path: file });
    await run('importHash', { connection: CONN, key: 'xf:ttl', path: file });
    assert.deepEqual(await dump(r, 'xf:ttl'), await dump(r, 'xf:bin'));
    const [ttl, none] = (await r.call('HTTL', 'xf:ttl', 'FIELDS', 2, BIN_FIELD, 'name')) as number[];
    assert.ok(ttl > 800 && ttl <= 900, String(ttl));
    assert.equal(none, -1);
  });

  it('scripted: each bad input is refused with where it is, and nothing is written', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['bad.json', '{\n  "a": "1",\n  "b": 2\n}', /^Cannot import .*bad\.json: Line 3, column 3: the value of field "b" is a number; .* Nothing was written\.$/],
      ['bad2.json', '{"a": "1",\n"b" "2"}', /Line 2, column 5: expected ":" after a field name/],
      ['dup.ndjson', '{"field":"a","value":"1"}\n{"field":"a","value":"2"}\n', /Line 2: the field "a" appears twice \(first on line 1\)/],
      ['bad.csv', 'field,value\na,1\nb,"2\n', /Line 3, column 3: a quoted cell that never ends/],
    ];
    for (const [name, text, message] of cases) {
      const file = join(dir, name);
      writeFileSync(file, text);
      assert.match(await rejectionOf('redisHashExplorer.importHash', { connection: CONN, key: 'xf:new', path: file, policy: 'overwrite' }), message);
      assert.equal(await r.exists('xf:new'), 0, name);
    }
    assert.match(await rejectionOf('redisHashExplorer.importHash', { connection: CONN, key: 'xf:new', path: join(dir, 'bad.json'), policy: 'replace' }), /"policy" must be one of skip, overwrite, compareAndSet/);
    assert.match(await rejectionOf('redisHashExplorer.importHash', { connection: CONN, key: 'xf:new', path: join(dir, 'data.txt') }), /needs "format"/);
    assert.match(await rejectionOf('redisHashExplorer.exportHash', { connection: CONN, key: 'xf:bin', path: 'relative.json' }), /"path" must be an absolute file path/);
    assert.match(await rejectionOf('redisHashExplorer.exportHash', { connection: CONN, key: 'xf:bin', path: join(dir, 'x.json'), field: 'a' }), /does not take "field"/);
    assert.equal(existsSync(join(dir, 'x.json')), false);
  });

  it('refuses an import into a read-only connection before reading the file', async () => {
    // The file does not exist: a command that read it first would say so instead.
    const missing = join(dir, 'missing.json');
    assert.match(await rejectionOf('redisHashExplorer.importHash', { connection: RO, key: 'xf:bin', path: missing }), /read-only/);
    let asked = false;
    await withPrompts(
      h,
      {
        pick: async <T extends vscode.QuickPickItem>(items: readonly T[]) => items.find((i) => i.label === RO) ?? ((asked = true), undefined),
        pickKey: async () => Buffer.from('xf:bin'),
        openFile: async () => ((asked = true), undefined),
      },
      () => run('importHash'),
    );
    assert.equal(asked, false);
  });

  it('from the palette: preview, policy, and Cancel between batches', async () => {
    const file = join(dir, 'big.ndjson');
    writeFileSync(file, Array.from({ length: 5500 }, (_, i) => JSON.stringify({ field: `f${i}`, value: `v${i}` })).join('\n'));
    await r.hset('xf:target', 'f1', 'existing');
    const asked: string[] = [];
    const told: string[] = [];
    await withPrompts(
      h,
      {
        ...picking('File…'),
        pickKey: async () => Buffer.from('xf:target'),
        openFile: async () => vscode.Uri.file(file),
        ask: async <T extends string>(message: string, detail: string | undefined, ...buttons: T[]) => {
          asked.push(`${message} | ${detail ?? ''} | ${buttons.join(',')}`);
          return buttons.find((b) => b === 'Skip Existing');
        },
        progress: async <T>(title: string, task: (signal: AbortSignal, report?: (m: string) => void) => Promise<T>) => {
          const c = new AbortController();
          // Cancel as soon as the import reports its first batch.
          return task(c.signal, () => (title.startsWith('Importing') ? c.abort() : undefined));
        },
        inform: (m) => void told.push(m),
      },
      () => run('importHash'),
    );
    assert.equal(asked.length, 1);
    assert.match(asked[0], /^Import 5,500 fields into "xf:target" \(127\.0\.0\.1:\d+\)\? \| f0 = v0\nf1 = v1\n.*\n…\n\n1 field of them exist.* \| Skip Existing,Overwrite,Compare-and-Set$/s);
    assert.match(told[0], /^Import into "xf:target" on 127\.0\.0\.1:\d+ cancelled after 1,000 fields: 999 added, 0 overwritten, 1 skipped/);
    assert.equal(await r.hlen('xf:target'), 1000);
    assert.equal(await r.hget('xf:target', 'f1'), 'existing');
    assert.equal(await r.hget('xf:target', 'f999'), 'v999');
  });

  it('from a folder node: exports its hashes; Delete asks to type the name above 1,000 keys and stops on Cancel', async () => {
    const p = r.pipeline();
    for (let i = 0; i < 2500; i++) p.hset(`xfd:${i}`, 'f', String(i));
    p.hset('xfd2:kept', 'f', 'v');
    await p.exec();
    const folder = await path(h.tree, await connectionNode(h.tree, CONN), 'xfd');
    const out = join(dir, 'folder.ndjson');
    await withPrompts(h, { ...picking('ndjson'), saveFile: async () => vscode.Uri.file(out), inform: () => undefined }, () => run('exportFolder', folder));
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines.length, 2500);
    assert.deepEqual(JSON.parse(lines[0]).field, 'f');

    // A wrong name deletes nothing.
    await withPrompts(h, { input: async () => 'xfd', inform: () => undefined }, () => run('deleteFolder', folder));
    assert.equal(await r.dbsize(), 2502);
    const prompted: string[] = [];
    const told: string[] = [];
    await withPrompts(
      h,
      {
        input: async (o) => (prompted.push(`${o.title} | ${o.prompt}`), 'xfd:'),
        progress: async <T>(title: string, task: (signal: AbortSignal, report?: (m: string) => void) => Promise<T>) => {
          const c = new AbortController();
          return task(c.signal, () => (title.startsWith('Deleting') ? c.abort() : undefined));
        },
        inform: (m) => void told.push(m),
      },
      () => run('deleteFolder', folder),
    );
    assert.match(prompted[0], /^Delete 2,500 hash keys under "xfd:" \(127\.0\.0\.1:\d+\)\? \| This cannot be undone\. Type the folder's name, "xfd:"/);
    assert.deepEqual(told, ['Cancelled: 1,000 hash keys under "xfd:" were deleted before Cancel; the rest are still there.']);
    assert.equal(await r.dbsize(), 1502);
    assert.deepEqual(await run('deleteFolder', { connection: CONN, prefix: 'xfd:' }), { deleted: 1500 });
    assert.deepEqual(await r.keys('xfd*'), ['xfd2:kept']);
    assert.match(await rejectionOf('redisHashExplorer.deleteFolder', { connection: RO, prefix: 'xf' }), /read-only/);
    assert.equal(await r.exists('xf:bin'), 1);
  });

  it('copies a key as commands that recreate it', async () => {
    await r.expire('xf:bin', 5000);
    await run('copyKeyAsCommands', { connection: CONN, key: 'xf:bin' });
    const text = await vscode.env.clipboard.readText();
    assert.match(text, /^HSET "xf:bin" "name" "Ada" /);
    assert.match(text, /"\\xff\\x00A\\n" "\\xde\\xad\\xbe\\xef\\x00\\\\\\"\\x80"/);
    assert.match(text, /\nEXPIRE "xf:bin" \d+\n$/);
  });

  it('a cancelled export leaves no file', async () => {
    const p = r.pipeline();
    for (let i = 0; i < 3000; i++) p.hset('xf:many', `f${i}`, 'v');
    await p.exec();
    const out = join(dir, 'cancel.json');
    const told: string[] = [];
    await withPrompts(
      h,
      {
        ...picking('json'),
        pickKey: async () => Buffer.from('xf:many'),
        saveFile: async () => vscode.Uri.file(out),
        progress: async <T>(_title: string, task: (signal: AbortSignal, report?: (m: string) => void) => Promise<T>) => {
          const c = new AbortController();
          return task(c.signal, () => c.abort());
        },
        inform: (m) => void told.push(m),
      },
      () => run('exportHash'),
    );
    assert.equal(told.length, 1);
    assert.match(told[0], /^Export of "xf:many" cancelled after [\d,]+ fields; no file was written\.$/);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('cancel')), []);
  });
});
