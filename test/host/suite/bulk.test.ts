// Field selection and bulk actions in the real extension host against the real test Redis: the editor's
// `selectRange` / `countMatch` / `bulk` requests (the same handler the webview uses) and the scripted
// deleteFields / setFieldsTtl / exportFields commands. Prompts are answered through the prompt layer; every
// result is checked in Redis with a separate client and in the editor's rows. Database 15, "bulk-…".
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Redis from 'ioredis';
import * as vscode from 'vscode';
import type { PromptLayer } from '../../../src/commands/prompts';
import type { HashEditorTestHooks } from '../../../src/testHooks';
import { IdSet } from '../../../src/shared/idSet';
import { serverBuild } from '../../support/redisServer';
import { allRows, delta } from './hashEditorSupport';
import type { TestHooks } from './sidebarSupport';
import { closeClients, commandCounts, hooks, profile, redis, rejectionOf, setConnections, withPrompts } from './sidebarSupport';

const DB = 15;
const CONN = 'bulk-main';
const RO = 'bulk-ro';
const run = (id: string, arg?: unknown) => Promise.resolve(vscode.commands.executeCommand(`redisHashExplorer.${id}`, arg));
const BIN_FIELD = Buffer.from([0xff, 0x00, 0x41, 0x0a]);
const BIN_VALUE = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x5c, 0x22, 0x80]);

async function openEditor(key: string, connection = CONN): Promise<HashEditorTestHooks> {
  const h = await (await hooks()).editors.open({ connection, db: DB, key });
  await h.loaded();
  return h;
}

/** The row ids of the named fields in the editor's current view, as the webview sends them. */
async function idsOf(h: HashEditorTestHooks, names: Array<string | Buffer>): Promise<string> {
  const want = new Set(names.map((n) => (Buffer.isBuffer(n) ? n.toString('latin1') : n)));
  const ids = new IdSet();
  for (const row of await allRows(h)) {
    const name = row.fieldBinary ? null : row.field;
    if ((name !== null && want.has(name)) || (row.fieldBinary && want.has(BIN_FIELD.toString('latin1')))) ids.add(row.id);
  }
  assert.equal(ids.size, want.size, 'every named field has a row');
  return ids.toBase64();
}

/** Seeds `n` fields `<prefix><i>` = `v<i>`. */
async function seed(r: Redis, key: string, prefix: string, n: number): Promise<void> {
  const args: string[] = [];
  for (let i = 0; i < n; i++) args.push(`${prefix}${i}`, `v${i}`);
  await r.hset(key, ...args);
}

/** Prompt answers that record what was asked; `ask` presses `button`, `input` types `typed`. */
function answering(asked: string[], button: string | undefined, typed?: string): Partial<PromptLayer> {
  return {
    ask: async <T extends string>(message: string, _detail: string | undefined, ...buttons: T[]) => {
      asked.push(message);
      return buttons.find((b) => b === button);
    },
    input: async (o) => {
      asked.push(String(o.title));
      return typed;
    },
    inform: (m) => void asked.push(m),
  };
}

describe('Bulk field actions', function () {
  this.timeout(60_000);
  let h: TestHooks;
  let r: Redis;
  let dir: string;

  before(async () => {
    h = await hooks();
    r = redis(DB);
    dir = mkdtempSync(join(tmpdir(), 'rhe-bulk-'));
    await setConnections('bulk-', [profile(CONN, DB), profile(RO, DB, { readOnly: true })]);
  });
  beforeEach(async () => {
    await r.flushdb();
  });
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  after(async () => {
    await setConnections('bulk-', []);
    await r.flushdb();
    closeClients();
    rmSync(dir, { recursive: true, force: true });
  });

  it('editor: deletes exactly the selected rows (confirmed with the count), from the server and the table', async () => {
    await seed(r, 'bk:sel', 'f:', 50);
    const e = await openEditor('bk:sel');
    const ids = await idsOf(e, ['f:1', 'f:7', 'f:30']);
    const asked: string[] = [];
    const before = await commandCounts(r);
    const reply = await withPrompts(h, answering(asked, 'Delete'), () => e.request('bulk', { action: 'delete', gen: e.status().gen, ids }));
    const after = await commandCounts(r);
    assert.deepEqual(reply, { done: 3, total: 3, cancelled: false });
    assert.match(asked[0], /^Delete 3 selected fields from "bk:sel"/);
    assert.equal(delta(before, after, 'hdel'), 1);
    assert.equal(await r.hlen('bk:sel'), 47);
    assert.deepEqual(await r.hmget('bk:sel', 'f:1', 'f:7', 'f:30', 'f:2'), [null, null, null, 'v2']);
    const names = (await allRows(e)).map((x) => x.field);
    assert.equal(names.length, 47);
    for (const gone of ['f:1', 'f:7', 'f:30']) assert.ok(!names.includes(gone), gone);
    // declined: nothing is sent
    const ids2 = await idsOf(e, ['f:2']);
    const quiet = await commandCounts(r);
    assert.equal(await withPrompts(h, answering([], undefined), () => e.request('bulk', { action: 'delete', gen: e.status().gen, ids: ids2 })), null);
    assert.equal(delta(quiet, await commandCounts(r), 'hdel'), 0);
    assert.equal(await r.hlen('bk:sel'), 47);
  });

  it('editor: selectRange gives the ids of a range of the view (Select all loaded), stable across a sort', async () => {
    await seed(r, 'bk:range', 'f:', 30);
    const e = await openEditor('bk:range');
    const all = await e.request('selectRange', { version: e.status().view.version, start: 0, end: 30 });
    assert.equal(all?.count, 30);
    const f5 = (await allRows(e)).find((x) => x.field === 'f:5');
    await e.request('query', { match: '', filter: '', sort: { by: 'field', descending: true } });
    const sorted = await allRows(e);
    assert.equal(sorted.find((x) => x.field === 'f:5')?.id, f5?.id, 'a row keeps its id when sorted');
    const firstTwo = await e.request('selectRange', { version: e.status().view.version, start: 0, end: 2 });
    assert.deepEqual([...IdSet.fromBase64(firstTwo?.ids ?? '').ids()].sort(), [sorted[0].id, sorted[1].id].sort());
    assert.equal(await e.request('selectRange', { version: e.status().view.version - 1, start: 0, end: 2 }), null);
  });

  it('editor: a pattern over the whole hash is counted, then deleted after the key name is typed (over 1,000 fields)', async () => {
    await seed(r, 'bk:pat', 'user:', 2500);
    await seed(r, 'bk:pat', 'order:', 100);
    const e = await openEditor('bk:pat');
    assert.deepEqual(await e.request('countMatch', { match: 'user:*' }), { count: 2500 });
    const asked: string[] = [];
    const wrong = await withPrompts(h, answering(asked, undefined, 'bk:pa'), () => e.request('bulk', { action: 'delete', gen: e.status().gen, match: 'user:*' }));
    assert.equal(wrong, null);
    assert.match(asked[0], /^Delete 2,500 fields matching user:\* from "bk:pat"/);
    assert.equal(await r.hlen('bk:pat'), 2600, 'a wrong name deletes nothing');
    const before = await commandCounts(r);
    const ok = await withPrompts(h, answering([], undefined, 'bk:pat'), () => e.request('bulk', { action: 'delete', gen: e.status().gen, match: 'user:*' }));
    const after = await commandCounts(r);
    assert.deepEqual(ok, { done: 2500, total: 2500, cancelled: false });
    assert.ok(delta(before, after, 'hdel') >= 3 && delta(before, after, 'hdel') <= 4);
    assert.equal(await r.hlen('bk:pat'), 100);
    assert.equal(e.status().loaded, 100);
    assert.ok((await allRows(e)).every((x) => x.field.startsWith('order:')));
  });

  it('editor: Cancel stops between batches and says how many were deleted; the table drops those rows', async () => {
    await seed(r, 'bk:cancel', 'user:', 2500);
    const e = await openEditor('bk:cancel');
    const told: string[] = [];
    const reply = await withPrompts(
      h,
      {
        ...answering(told, undefined, 'bk:cancel'),
        progress: async (_title, task) => {
          const c = new AbortController();
          return task(c.signal, (m) => {
            if (m.includes('deleted')) c.abort();
          });
        },
      },
      () => e.request('bulk', { action: 'delete', gen: e.status().gen, match: 'user:*' }),
    );
    assert.deepEqual(reply, { done: 1000, total: 2500, cancelled: true });
    assert.equal(await r.hlen('bk:cancel'), 1500);
    assert.ok(told.some((m) => /^Deleted 1,000 of 2,500 fields from "bk:cancel".*stopped/.test(m)), told.join(' | '));
    assert.equal(e.status().loaded, 1500);
    const shown = new Set((await allRows(e)).map((x) => x.field));
    for (const f of shown) assert.equal(await r.hexists('bk:cancel', f), 1, `${f} is shown and on the server`);
  });

  it('editor: sets and removes the TTL of the selected fields on servers with field TTLs; refused elsewhere', async () => {
    await seed(r, 'bk:ttl', 'f:', 20);
    const e = await openEditor('bk:ttl');
    const ids = await idsOf(e, ['f:1', 'f:2', 'f:3']);
    const gen = e.status().gen;
    if (!serverBuild().fieldTtl) {
      const before = await commandCounts(r);
      await assert.rejects(e.request('bulk', { action: 'setTtl', gen, ids }), /Field TTLs need Redis 7\.4 or later/);
      assert.equal(delta(before, await commandCounts(r), 'hexpire'), 0);
      return;
    }
    await r.call('HEXPIRE', 'bk:ttl', '9000', 'FIELDS', '1', 'f:9');
    const asked: string[] = [];
    const set = await withPrompts(h, answering(asked, 'Set TTLs', '3600'), () => e.request('bulk', { action: 'setTtl', gen, ids }));
    assert.deepEqual(set, { done: 3, total: 3, cancelled: false });
    assert.ok(asked.some((m) => /^Set a TTL of 3,600 s on 3 selected fields/.test(m)), asked.join(' | '));
    const ttls = (await r.call('HTTL', 'bk:ttl', 'FIELDS', '5', 'f:1', 'f:2', 'f:3', 'f:4', 'f:9')) as number[];
    assert.ok(ttls.slice(0, 3).every((t) => t > 3500 && t <= 3600), String(ttls));
    assert.equal(ttls[3], -1);
    assert.ok(ttls[4] > 8000, 'another field keeps its own TTL');
    const removed = await withPrompts(h, answering([], 'Remove TTLs'), () => e.request('bulk', { action: 'removeTtl', gen, ids: ids }));
    assert.deepEqual(removed, { done: 3, total: 3, cancelled: false });
    assert.deepEqual(((await r.call('HTTL', 'bk:ttl', 'FIELDS', '2', 'f:1', 'f:9')) as number[]).map((t) => (t > 0 ? 'ttl' : t)), [-1, 'ttl']);
    assert.equal(await r.hget('bk:ttl', 'f:1'), 'v1', 'values untouched');
  });

  for (const format of ['json', 'ndjson', 'csv']) {
    it(`editor: export of a selection round-trips byte for byte, binary values included (${format})`, async () => {
      await r.hset('bk:bin', 'name', 'Ada', 'other', 'not exported', BIN_FIELD, BIN_VALUE, 'binval', BIN_VALUE);
      const e = await openEditor('bk:bin');
      const ids = await idsOf(e, ['name', BIN_FIELD, 'binval']);
      const file = join(dir, `sel.${format}`);
      const reply = await withPrompts(
        h,
        {
          pick: async <T extends vscode.QuickPickItem>(items: readonly T[]) => items.find((i) => i.label === format),
          saveFile: async (o) => (assert.equal(o.title, 'Export 3 selected fields of "bk:bin"'), vscode.Uri.file(file)),
          inform: () => undefined,
        },
        () => e.request('bulk', { action: 'export', gen: e.status().gen, ids }),
      );
      assert.deepEqual(reply, { done: 3, total: 3, cancelled: false });
      assert.deepEqual(await run('importHash', { connection: CONN, key: 'bk:copy', path: file, policy: 'skip' }), { added: 3, overwritten: 0, skipped: 0, failedCount: 0, failed: [] });
      assert.ok((await r.hgetBuffer('bk:copy', BIN_FIELD))?.equals(BIN_VALUE));
      assert.ok((await r.hgetBuffer('bk:copy', 'binval'))?.equals(BIN_VALUE));
      assert.equal(await r.hget('bk:copy', 'name'), 'Ada');
      assert.equal(await r.hexists('bk:copy', 'other'), 0);
    });
  }

  it('scripted: deleteFields by pattern and by names, exportFields by pattern; argument errors and read-only refused before anything is sent', async () => {
    await seed(r, 'bk:s', 'user:', 1200);
    await seed(r, 'bk:s', 'order:', 10);
    const file = join(dir, 'orders.ndjson');
    assert.deepEqual(await run('exportFields', { connection: CONN, key: 'bk:s', match: 'order:*', path: file }), { fields: 10 });
    assert.deepEqual(await run('importHash', { connection: CONN, key: 'bk:orders', path: file }), { added: 10, overwritten: 0, skipped: 0, failedCount: 0, failed: [] });
    assert.deepEqual(await run('deleteFields', { connection: CONN, key: 'bk:s', match: 'user:*' }), { deleted: 1200 });
    assert.deepEqual(await run('deleteFields', { connection: CONN, key: 'bk:s', fields: ['order:1', 'order:2', 'nope'] }), { deleted: 2 });
    assert.equal(await r.hlen('bk:s'), 8);
    const before = await commandCounts(r);
    assert.match(await rejectionOf('redisHashExplorer.deleteFields', { connection: RO, key: 'bk:s', match: '*' }), /read-only.*Nothing was written/);
    assert.match(await rejectionOf('redisHashExplorer.deleteFields', { connection: CONN, key: 'bk:s', match: '*', fields: ['a'] }), /either "fields".*or "match"/);
    assert.match(await rejectionOf('redisHashExplorer.deleteFields', { connection: CONN, key: 'bk:s', fields: [1] }), /"fields" must be a non-empty list/);
    assert.match(await rejectionOf('redisHashExplorer.setFieldsTtl', { connection: CONN, key: 'bk:s', match: '*' }), /needs "ttl"/);
    const after = await commandCounts(r);
    for (const cmd of ['hscan', 'hdel', 'hexpire']) assert.equal(delta(before, after, cmd), 0, cmd);
    if (serverBuild().fieldTtl) {
      assert.deepEqual(await run('setFieldsTtl', { connection: CONN, key: 'bk:s', match: 'order:*', ttl: 600 }), { changed: 8 });
      assert.deepEqual(await run('setFieldsTtl', { connection: CONN, key: 'bk:s', fields: ['order:3'], ttl: 0 }), { changed: 1 });
    } else {
      assert.match(await rejectionOf('redisHashExplorer.setFieldsTtl', { connection: CONN, key: 'bk:s', match: '*', ttl: 60 }), /Field TTLs need Redis 7\.4/);
    }
  });

  it('editor: a read-only connection refuses a bulk delete before anything is sent', async () => {
    await seed(r, 'bk:ro', 'f:', 5);
    const e = await openEditor('bk:ro', RO);
    const before = await commandCounts(r);
    await assert.rejects(e.request('bulk', { action: 'delete', gen: e.status().gen, match: '*' }), /read-only/);
    const after = await commandCounts(r);
    for (const cmd of ['hscan', 'hlen', 'hdel']) assert.equal(delta(before, after, cmd), 0, cmd);
    assert.equal(await r.hlen('bk:ro'), 5);
  });
});
