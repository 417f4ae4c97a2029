// Writes from the hash editor in the real extension host against the test Redis: every edit is
// compare-and-set, conflicts offer overwrite, binary values stay byte-exact, and the editor and the
// tree's commands agree through the change bus. Results are checked in Redis and in INFO commandstats.
import * as assert from 'node:assert/strict';
import type Redis from 'ioredis';
import * as vscode from 'vscode';
import type { HashEditorTestHooks } from '../../../src/testHooks';
import { CONN, CONN_RO, DB, allRows, closeEditors, counts, delta, open, rowNamed, setup, teardown } from './hashEditorSupport';
import { closeClients, connectionNode, hooks, itemOf, labelOf, path, waitFor } from './sidebarSupport';
import { unhandled } from './unhandled';

const KEY = 'he:edit';

describe('hash editor: edits', function () {
  this.timeout(60_000);
  let r: Redis;
  let h: HashEditorTestHooks;

  before(async () => {
    r = await setup();
  });
  after(async () => {
    await teardown();
    closeClients();
  });
  beforeEach(async () => {
    await r.del(KEY);
    await r.hset(KEY, 'a', '1', 'b', '2', 'c', '3', 'json', '{"x":1}');
    await r.hset(KEY, Buffer.from([0xff, 0x00, 0x41]), Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x5c]));
    h = await open(KEY);
    await h.loaded();
  });
  afterEach(closeEditors);

  const gen = () => h.status().gen;

  it('edits a value with compare-and-set and tells the change bus', async () => {
    const row = await rowNamed(h, 'b');
    const result = await h.request('edit', { gen: gen(), id: row.id, value: { text: 'two\nlines', utf8: true } });
    assert.deepEqual(result, { status: 'ok' });
    assert.equal(await r.hget(KEY, 'b'), 'two\nlines');
    // the table's one-line preview marks the line break (not as a backslash and an n)
    assert.equal((await rowNamed(h, 'b')).value, 'two ↵ lines');
    assert.ok(h.events().some((e) => e.type === 'invalidate'));
  });

  it('a save, then the tab closed before the header is read again: nothing goes to the closed webview, no rejection is left unhandled', async () => {
    await h.drawn(); // the page said `ready`: events are posted to it
    const before = unhandled().length;
    const mark = h.events().at(-1);
    await h.request('edit', { gen: gen(), id: (await rowNamed(h, 'b')).id, value: { text: 'then closed', utf8: true } });
    h.panel.dispose(); // the header refresh after the save is still waiting for the server
    await waitFor('the header read again after the save', () => h.events().slice(h.events().lastIndexOf(mark!) + 1).some((e) => e.type === 'header'));
    await new Promise((r) => setTimeout(r, 100)); // a rejection is reported once the microtasks have run
    assert.deepEqual(unhandled().slice(before), []);
    assert.equal(await r.hget(KEY, 'b'), 'then closed');
  });

  it('a tab closed right after it opened leaves no rejection unhandled (its first rows were still on their way)', async () => {
    const before = unhandled().length;
    for (let i = 0; i < 3; i++) {
      await closeEditors();
      const again = await open(KEY);
      again.panel.dispose();
      await again.loaded();
    }
    await new Promise((r) => setTimeout(r, 300)); // the first rows' request ends after the close
    assert.deepEqual(unhandled().slice(before), []);
  });

  it('a save with the same bytes writes nothing', async () => {
    const row = await rowNamed(h, 'a');
    const before = await counts(r);
    assert.deepEqual(await h.request('edit', { gen: gen(), id: row.id, value: { text: '1', utf8: true } }), { status: 'noop' });
    const after = await counts(r);
    for (const cmd of ['eval', 'evalsha', 'hset']) assert.equal(delta(before, after, cmd), 0, cmd);
  });

  it('on a conflict shows the server value, writes nothing, and overwrites only when asked', async () => {
    const row = await rowNamed(h, 'c');
    await r.hset(KEY, 'c', 'changed elsewhere');
    const result = await h.request('edit', { gen: gen(), id: row.id, value: { text: 'mine', utf8: true } });
    assert.equal(result.status, 'conflict');
    assert.ok(result.status === 'conflict');
    assert.deepEqual(result.current, { text: 'changed elsewhere', utf8: true });
    assert.equal(await r.hget(KEY, 'c'), 'changed elsewhere');
    // the row now shows what the server has (Reload)
    assert.equal((await rowNamed(h, 'c')).value, 'changed elsewhere');
    // Overwrite is still compare-and-set, against the value the conflict showed
    assert.deepEqual(await h.request('resolve', { token: result.token, value: { text: 'mine', utf8: true } }), { status: 'ok' });
    assert.equal(await r.hget(KEY, 'c'), 'mine');
    await assert.rejects(h.request('resolve', { token: result.token, value: { text: 'again', utf8: true } }), /no longer valid/);
  });

  it('a field deleted on the server meanwhile is a conflict too; overwrite creates it again', async () => {
    const row = await rowNamed(h, 'a');
    await r.hdel(KEY, 'a');
    const result = await h.request('edit', { gen: gen(), id: row.id, value: { text: 'back', utf8: true } });
    assert.ok(result.status === 'conflict' && result.current === null);
    assert.equal(await r.hexists(KEY, 'a'), 0);
    assert.ok(!(await allRows(h)).some((x) => x.field === 'a'));
    assert.deepEqual(await h.request('resolve', { token: result.token, value: { text: 'back', utf8: true } }), { status: 'ok' });
    assert.equal(await r.hget(KEY, 'a'), 'back');
  });

  it('adds a field, refusing an existing name unless the user overwrites', async () => {
    assert.deepEqual(await h.request('add', { field: { text: 'new', utf8: true }, value: { text: 'v', utf8: true } }), { status: 'ok' });
    assert.equal(await r.hget(KEY, 'new'), 'v');
    assert.equal((await rowNamed(h, 'new')).value, 'v');
    await waitFor('field count in the header', () => h.header()?.fieldCount === 6);
    const exists = await h.request('add', { field: { text: 'a', utf8: true }, value: { text: 'replaced', utf8: true } });
    assert.ok(exists.status === 'exists');
    assert.deepEqual(exists.current, { text: '1', utf8: true });
    assert.equal(await r.hget(KEY, 'a'), '1');
    assert.deepEqual(await h.request('resolve', { token: exists.token, value: { text: 'replaced', utf8: true } }), { status: 'ok' });
    assert.equal(await r.hget(KEY, 'a'), 'replaced');
    // a binary field and value given as escapes
    await h.request('add', { field: { text: '\\x01\\x02', utf8: false }, value: { text: '\\x00\\xff', utf8: false } });
    assert.deepEqual([...((await r.hgetBuffer(KEY, Buffer.from([1, 2]))) ?? [])], [0x00, 0xff]);
    await assert.rejects(h.request('add', { field: { text: 'bad\\q', utf8: false }, value: { text: '', utf8: true } }), /not valid/);
  });

  it('renames a field atomically and refuses a name that exists', async () => {
    const row = await rowNamed(h, 'b');
    assert.deepEqual(await h.request('rename', { gen: gen(), id: row.id, newName: { text: 'bee', utf8: true } }), { status: 'ok' });
    assert.equal(await r.hget(KEY, 'bee'), '2');
    assert.equal(await r.hexists(KEY, 'b'), 0);
    const renamed = await rowNamed(h, 'bee');
    assert.equal(renamed.id, row.id, 'the row keeps its place');
    await assert.rejects(h.request('rename', { gen: gen(), id: renamed.id, newName: { text: 'a', utf8: true } }), /already exists/);
    assert.equal(await r.hget(KEY, 'bee'), '2');
    assert.equal(await r.hget(KEY, 'a'), '1');
  });

  it('deletes selected rows after one confirmation, and nothing when it is declined', async () => {
    const a = await rowNamed(h, 'a');
    const c = await rowNamed(h, 'c');
    h.answerNextConfirmation(false);
    assert.deepEqual(await h.request('delete', { gen: gen(), ids: [a.id, c.id] }), { deleted: 0, cancelled: true });
    assert.equal(await r.hlen(KEY), 5);
    h.answerNextConfirmation(true);
    assert.deepEqual(await h.request('delete', { gen: gen(), ids: [a.id, c.id] }), { deleted: 2, cancelled: false });
    assert.equal(await r.hexists(KEY, 'a'), 0);
    assert.equal(await r.hexists(KEY, 'c'), 0);
    assert.equal(await r.hlen(KEY), 3);
    const names = (await allRows(h)).map((x) => x.field);
    assert.deepEqual(names.filter((n) => n === 'a' || n === 'c'), []);
    assert.equal(h.status().view.length, 3);
    await assert.rejects(h.request('delete', { gen: gen(), ids: [a.id] }), /no longer in the table/);
  });

  it('keeps a binary value byte-exact when another field is edited, and on a no-op save', async () => {
    const binField = Buffer.from([0xff, 0x00, 0x41]);
    const original = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x5c]);
    const rows = await allRows(h);
    const bin = rows.find((x) => x.fieldBinary);
    assert.ok(bin);
    assert.equal(bin.field, '\\xff\\x00A');
    assert.equal(bin.valueBinary, true);
    await h.request('edit', { gen: gen(), id: (await rowNamed(h, 'a')).id, value: { text: 'other', utf8: true } });
    assert.ok((await r.hgetBuffer(KEY, binField))?.equals(original));
    const detail = await h.request('detail', { gen: gen(), id: bin.id, full: false });
    assert.deepEqual(detail.value, { text: '\\xde\\xad\\xbe\\xef\\x00\\\\', utf8: false });
    const before = await counts(r);
    assert.deepEqual(await h.request('edit', { gen: gen(), id: bin.id, value: detail.value }), { status: 'noop' });
    assert.equal(delta(before, await counts(r), 'eval'), 0);
    assert.ok((await r.hgetBuffer(KEY, binField))?.equals(original));
    // an edit of the escaped text changes only the bytes typed
    assert.deepEqual(await h.request('edit', { gen: gen(), id: bin.id, value: { text: '\\xde\\xad\\xbe\\xef\\x00\\\\é', utf8: false } }), { status: 'ok' });
    assert.ok((await r.hgetBuffer(KEY, binField))?.equals(Buffer.concat([original, Buffer.from('é')])));
  });

  it('a read-only connection refuses every write and leaves Redis unchanged', async () => {
    const ro = await open(KEY, CONN_RO);
    await ro.loaded();
    assert.equal(ro.header()?.readOnly, true);
    const row = await rowNamed(ro, 'a');
    const g = ro.status().gen;
    await assert.rejects(ro.request('edit', { gen: g, id: row.id, value: { text: 'x', utf8: true } }), /read-only/);
    await assert.rejects(ro.request('add', { field: { text: 'z', utf8: true }, value: { text: 'x', utf8: true } }), /read-only/);
    await assert.rejects(ro.request('rename', { gen: g, id: row.id, newName: { text: 'z', utf8: true } }), /read-only/);
    ro.answerNextConfirmation(true);
    await assert.rejects(ro.request('delete', { gen: g, ids: [row.id] }), /read-only/);
    await assert.rejects(ro.request('setTtl', { ttl: 100 }), /read-only/);
    assert.equal(await r.hget(KEY, 'a'), '1');
    assert.equal(await r.hlen(KEY), 5);
    assert.equal(await r.ttl(KEY), -1);
  });

  it('sets and removes the key TTL from the header', async () => {
    await h.request('setTtl', { ttl: 500 });
    assert.ok((await r.ttl(KEY)) > 490);
    assert.ok((h.header()?.ttl ?? 0) > 490);
    await h.request('setTtl', { ttl: 0 });
    assert.equal(await r.ttl(KEY), -1);
    assert.equal(h.header()?.ttl, -1);
  });

  it('copies rows to the clipboard as names, values or JSON', async () => {
    const a = await rowNamed(h, 'a');
    const json = await rowNamed(h, 'json');
    await h.request('copy', { gen: gen(), ids: [a.id, json.id], what: 'row' });
    assert.deepEqual(JSON.parse(await vscode.env.clipboard.readText()), { a: '1', json: '{"x":1}' });
    await h.request('copy', { gen: gen(), ids: [a.id], what: 'name' });
    assert.equal(await vscode.env.clipboard.readText(), 'a');
  });

  it('shows a change made by a tree command (just that field, re-read with HGET)', async () => {
    const before = await counts(r);
    await vscode.commands.executeCommand('redisHashExplorer.editField', { connection: CONN, db: DB, key: KEY, field: 'b', value: 'from the tree' });
    await waitFor('editor row updated', async () => (await rowNamed(h, 'b')).value === 'from the tree');
    await vscode.commands.executeCommand('redisHashExplorer.deleteField', { connection: CONN, db: DB, key: KEY, field: 'c' });
    await waitFor('editor row removed', async () => !(await allRows(h)).some((x) => x.field === 'c'));
    const after = await counts(r);
    assert.equal(delta(before, after, 'hscan'), 0, 'no reload of the hash');
    assert.ok(delta(before, after, 'hget') >= 2);
  });

  it('opens from a tree node, and the tree shows what the editor writes', async () => {
    const tree = (await hooks()).tree;
    const key = await path(tree, await connectionNode(tree, CONN), 'he', 'edit');
    const fromTree = await (await hooks()).editors.open(key);
    assert.equal(fromTree.panel, h.panel, 'the same hash reveals its open tab');
    const b = (await tree.getChildren(key)).find((f) => labelOf(tree, f) === 'b');
    assert.ok(b);
    assert.equal(itemOf(tree, b).description, '2');
    await h.request('edit', { gen: gen(), id: (await rowNamed(h, 'b')).id, value: { text: 'from the editor', utf8: true } });
    await waitFor('the tree row shows the new value', () => itemOf(tree, b).description === 'from the editor');
  });

  it('follows a key renamed or deleted elsewhere in its header', async () => {
    await vscode.commands.executeCommand('redisHashExplorer.renameKey', { connection: CONN, db: DB, key: KEY, newName: 'he:edit2' });
    await waitFor('title follows the rename', () => h.panel.title === 'he:edit2');
    assert.equal(h.target().key.toString(), 'he:edit2');
    await waitFor('header follows the rename', () => h.header()?.keyBase64 === Buffer.from('he:edit2').toString('base64'));
    // an edit now goes to the renamed key
    await h.request('edit', { gen: gen(), id: (await rowNamed(h, 'a')).id, value: { text: 'after rename', utf8: true } });
    assert.equal(await r.hget('he:edit2', 'a'), 'after rename');
    await vscode.commands.executeCommand('redisHashExplorer.deleteKey', { connection: CONN, db: DB, key: 'he:edit2' });
    await waitFor('header says the key is gone', () => h.header()?.exists === false);
    assert.equal(h.status().loaded, 0);
  });
});
