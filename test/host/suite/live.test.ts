// Live updates in the real extension host: an external writer (a plain client, like an application) changes,
// adds, deletes and expires fields while a hash editor, a value document and the tree show the hash.
// Database 2, connection "live-main". Every wait is for what the view shows; the test's timeout bounds it.
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import * as vscode from 'vscode';
import type { HashEditorTestHooks } from '../../../src/testHooks';
import type { HostEvent, RowDto } from '../../../src/shared/protocol';
import type { TreeNode } from '../../../src/tree/nodes';
import { FaultyRedis } from '../../support/faultyRedis';
import type { TestHooks } from './sidebarSupport';
import { connectionNode, hooks, kids, labelOf, path as treePath, profile, redis, setConnections, setSetting, waitFor } from './sidebarSupport';

const DB = 2;
const CONN = 'live-main';
const KEY = 'live:h';

async function openEditor(key = KEY): Promise<HashEditorTestHooks> {
  const h = await (await hooks()).editors.open({ connection: CONN, db: DB, key });
  assert.ok(h && typeof h.request === 'function', 'Open Hash Editor opened no editor');
  await h.loaded();
  return h;
}

/** The rows on screen, asked for as the webview does (this is also what the editor re-reads after a change). */
async function screen(h: HashEditorTestHooks): Promise<RowDto[]> {
  const st = h.status();
  const r = await h.request('rows', { version: st.view.version, start: 0, count: 50 });
  return r?.rows ?? [];
}

async function valueOf(h: HashEditorTestHooks, field: string): Promise<string | undefined> {
  return (await screen(h)).find((r) => r.field === field)?.value;
}

function liveEvents(h: HashEditorTestHooks): Array<Extract<HostEvent, { type: 'live' }>> {
  return h.events().filter((e): e is Extract<HostEvent, { type: 'live' }> => e.type === 'live');
}

describe('Live updates', function () {
  this.timeout(60_000);
  let r: Redis;
  let t: TestHooks;
  const serverHasFieldTtls = async () => {
    try {
      await r.call('COMMAND', 'INFO', 'hexpire').then((x) => (Array.isArray(x) && x[0] ? true : Promise.reject(new Error('none'))));
      return true;
    } catch {
      return false;
    }
  };

  before(async () => {
    t = await hooks();
    r = redis(DB);
    // the test workbench starts with live updates off (test/host/codeServer.mjs): these tests turn them on
    await setSetting('live.mode', 'auto');
    await setConnections('live-', [profile(CONN, DB)]);
  });
  beforeEach(async () => {
    await r.flushdb();
    await r.hset(KEY, 'a', '1', 'b', '2', 'c', '3');
  });
  afterEach(async () => {
    while (vscode.window.activeTextEditor) await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  after(async () => {
    await setConnections('live-', []);
    await setSetting('live.mode', 'off');
  });

  it('the editor follows an external writer: a change in place (highlighted), a new field, a deleted one, the count', async () => {
    const h = await openEditor();
    await screen(h);
    await waitFor('live mode', () => h.live().state === 'live');
    assert.equal(h.live().label, 'live');

    await r.hset(KEY, 'a', 'changed elsewhere');
    await waitFor('row a updated', async () => (await valueOf(h, 'a')) === 'changed elsewhere');
    const a = (await screen(h)).find((x) => x.field === 'a');
    // the store takes the value before the event that names the row is posted: wait for the event
    await waitFor('the changed row is named for its highlight', () => liveEvents(h).some((e) => a && e.changed.includes(a.id)) || undefined);

    await r.hset(KEY, 'd', 'new field');
    await waitFor('row d appears', async () => (await valueOf(h, 'd')) === 'new field');
    await r.hdel(KEY, 'b');
    await waitFor('row b goes', async () => (await screen(h)).every((x) => x.field !== 'b'));
    await waitFor('count follows', () => h.header()?.fieldCount === 3);
    await r.expire(KEY, 500);
    await waitFor('key TTL follows', () => (h.header()?.ttl ?? -1) > 0);
  });

  it('a field expiring on the server leaves the table (servers with field TTLs)', async () => {
    if (!(await serverHasFieldTtls())) {
      // Redis 7.0: no field TTLs at all (nothing of this exists there)
      await assert.rejects(r.call('HPEXPIRE', KEY, '300', 'FIELDS', '1', 'c'));
      return;
    }
    const h = await openEditor();
    await screen(h);
    await waitFor('live mode', () => h.live().state === 'live');
    await r.call('HPEXPIRE', KEY, '300', 'FIELDS', '1', 'c');
    await waitFor('row c expired and gone', async () => (await screen(h)).every((x) => x.field !== 'c'), 15_000);
    assert.equal(await r.hexists(KEY, 'c'), 0);
    await waitFor('count follows', () => h.header()?.fieldCount === 2);
  });

  it('a key deleted on the server: the editor says so; written again, it comes back', async () => {
    const h = await openEditor();
    await screen(h);
    await waitFor('live mode', () => h.live().state === 'live');
    await r.del(KEY);
    await waitFor('header says the key is gone', () => h.header()?.exists === false);
    assert.ok(liveEvents(h).some((e) => e.deleted), 'the webview is told the key was deleted (it offers to recreate or close)');
    await r.hset(KEY, 'z', 'again');
    await waitFor('key back', () => h.header()?.exists === true);
    await waitFor('row z', async () => (await valueOf(h, 'z')) === 'again');
  });

  it('a key deleted on the server keeps its rows; Recreate writes them back, never over a key written again', async () => {
    const h = await openEditor();
    await screen(h);
    await waitFor('live mode', () => h.live().state === 'live');
    await r.del(KEY);
    // the deleted state as the webview is told it (the sync that found the key gone is over), then act
    await waitFor('the webview is told the key was deleted', () => liveEvents(h).some((e) => e.deleted));
    assert.equal(h.header()?.exists, false);
    const rows = async () => (await screen(h)).map((x) => `${x.field}=${x.value}`);
    assert.deepEqual(await rows(), ['a=1', 'b=2', 'c=3'], 'the table keeps what it held (servers with field TTLs read them as "gone" too)');
    const info = await h.request('live', { action: 'recreate' });
    assert.equal(info.state, 'live');
    assert.deepEqual(await r.hgetall(KEY), { a: '1', b: '2', c: '3' });
    assert.equal(h.header()?.exists, true);

    // deleted again and written by someone else before Recreate: refused, nothing written
    const seen = liveEvents(h).length;
    await r.del(KEY);
    await waitFor('deleted again', () => liveEvents(h).slice(seen).some((e) => e.deleted));
    await r.hset(KEY, 'other', 'writer');
    await assert.rejects(h.request('live', { action: 'recreate' }), /exists again on the server.*nothing was written/);
    assert.deepEqual(await r.hgetall(KEY), { other: 'writer' });
  });

  it('live.mode polling: the editor polls at live.pollSeconds, says so, and takes a change', async () => {
    await setSetting('live.pollSeconds', 1);
    await setSetting('live.mode', 'polling');
    try {
      const h = await openEditor();
      const a = (await screen(h)).find((x) => x.field === 'a');
      assert.ok(a);
      await waitFor('polling mode', () => h.live().state === 'polling');
      assert.equal(h.live().label, 'polling every 1 s');
      await r.hset(KEY, 'a', 'polled');
      // the poll that saw the change names the row (posted after the store took the value)
      await waitFor('a poll names row a', () => liveEvents(h).some((e) => e.changed.includes(a.id)), 15_000);
      assert.equal(await valueOf(h, 'a'), 'polled');
      assert.ok((h.live().inStepAt ?? 0) > 0, 'the header can say when it was last in step');
    } finally {
      await setSetting('live.mode', 'auto');
      await setSetting('live.pollSeconds', undefined);
    }
  });

  it('a row being edited is not changed under the user: marked, and its save meets the conflict check', async () => {
    const h = await openEditor();
    const row = (await screen(h)).find((x) => x.field === 'a');
    assert.ok(row);
    await waitFor('live mode', () => h.live().state === 'live');
    await h.request('editing', { gen: h.status().gen, id: row.id });
    const before = liveEvents(h).length;
    await r.hset(KEY, 'a', 'theirs', 'b', 'also theirs');
    await waitFor('held row marked', () => liveEvents(h).slice(before).some((e) => e.held.includes(row.id)));
    await waitFor('the other row updates', async () => (await valueOf(h, 'b')) === 'also theirs');
    assert.equal(await valueOf(h, 'a'), '1', 'the row being edited still shows what the user started from');
    const result = await h.request('edit', { gen: h.status().gen, id: row.id, value: { text: 'mine', utf8: true } });
    assert.equal(result.status, 'conflict');
    assert.equal(await r.hget(KEY, 'a'), 'theirs', 'nothing overwritten');
    await h.request('editing', { gen: h.status().gen, id: null });
  });

  it('paused here: the table keeps what it showed; resumed: it re-reads', async () => {
    const h = await openEditor();
    await screen(h);
    await waitFor('live mode', () => h.live().state === 'live');
    await h.request('live', { action: 'pause' });
    assert.equal(h.live().state, 'paused');
    await r.hset(KEY, 'a', 'while paused');
    // a second editor on another key proves changes are being delivered meanwhile
    await r.hset('live:other', 'x', '1');
    const other = await openEditor('live:other');
    await screen(other);
    await waitFor('other live', () => other.live().state === 'live');
    await r.hset('live:other', 'x', '2');
    await waitFor('other follows', async () => (await valueOf(other, 'x')) === '2');
    other.panel.dispose();
    assert.equal(await valueOf(h, 'a'), '1');
    await h.request('live', { action: 'resume' });
    await waitFor('re-read on resume', async () => (await valueOf(h, 'a')) === 'while paused');
  });

  it('a value document without edits reloads; one with unsaved edits keeps them and its save is refused', async () => {
    const uri = await openValueDocument('a');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.getText(), '1');
    await r.hset(KEY, 'a', 'server v2');
    await waitFor('document reloaded', () => doc.getText() === 'server v2');

    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'mine: '));
    assert.ok(doc.isDirty);
    const version = (await vscode.workspace.fs.stat(uri)).mtime;
    await r.hset(KEY, 'a', 'server v3');
    // the change reaches the file system (a new version of the file) and the dirty document keeps the user's text
    await waitFor('a new version on "disk"', async () => (await vscode.workspace.fs.stat(uri)).mtime > version);
    assert.equal(doc.getText(), 'mine: server v2');
    assert.ok(doc.isDirty);
    await doc.save().then(
      () => undefined,
      () => undefined,
    );
    assert.equal(await r.hget(KEY, 'a'), 'server v3', 'the save did not overwrite the server value');
  });

  it('an expanded hash key in the tree follows: changed, added and deleted fields', async () => {
    await vscode.commands.executeCommand('redisHashExplorer.refresh', { connection: CONN });
    const conn = await connectionNode(t.tree, CONN);
    const keyNode = await treePath(t.tree, conn, 'live', 'h');
    await t.treeView.reveal(keyNode, { expand: true, focus: false, select: false });
    const labels = async () => (await kids(t.tree, keyNode)).map((n: TreeNode) => `${labelOf(t.tree, n)}=${String(t.tree.getTreeItem(n).description ?? '')}`);
    await waitFor('fields shown', async () => (await labels()).includes('a=1'));
    await r.hset(KEY, 'a', 'tree sees it');
    await waitFor('field a updated', async () => (await labels()).some((l) => l.startsWith('a=tree sees it')));
    await r.hset(KEY, 'n', 'new');
    await waitFor('field n added', async () => (await labels()).some((l) => l.startsWith('n=new')));
    await r.hdel(KEY, 'b');
    await waitFor('field b gone', async () => (await labels()).every((l) => !l.startsWith('b=')));
  });

  it('an edited connection is followed where its new settings point: the watch goes with them', async () => {
    const other = await FaultyRedis.start();
    const rb = new Redis({ host: other.host, port: other.port, db: DB });
    try {
      await rb.hset(KEY, 'a', 'on the other server', 'b', '2', 'c', '3');
      const h = await openEditor();
      await waitFor('live mode', () => h.live().state === 'live');
      await vscode.commands.executeCommand('redisHashExplorer.editConnection', { connection: CONN, host: other.host, port: other.port });
      await rb.hset(KEY, 'a', 'written on the other server');
      await waitFor('the editor follows the server the connection now names', async () => (await valueOf(h, 'a')) === 'written on the other server');
      await r.hset(KEY, 'a', 'written on the first server');
      await new Promise((res) => setTimeout(res, 500));
      assert.equal(await valueOf(h, 'a'), 'written on the other server');
    } finally {
      await setConnections('live-', [profile(CONN, DB)]);
      rb.disconnect();
      await other.stop();
    }
  });

  async function openValueDocument(field: string): Promise<vscode.Uri> {
    const q = new URLSearchParams({ c: CONN, d: String(DB), k: Buffer.from(KEY).toString('hex'), f: Buffer.from(field).toString('hex'), e: '0' });
    return vscode.Uri.from({ scheme: 'redis-hash', path: `/${CONN}/db${DB}/${KEY}/${field}`, query: q.toString() });
  }
});
