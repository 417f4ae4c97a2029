// The Redis view's tree in the real extension host against the test Redis (databases 11 and 12,
// connections named "tree-…"): namespaces, paging, type filter, key filter, deletions, failures,
// precise refreshes, and never KEYS / HGETALL / HKEYS / HVALS.
import * as assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type Redis from 'ioredis';
import * as vscode from 'vscode';
import type { TreeNode } from '../../../src/tree/nodes';
import { serverBuild } from '../../support/redisServer';
import type { TestHooks } from './sidebarSupport';
import {
  child,
  closeClients,
  commandCounts,
  connectionNode,
  hooks,
  itemOf,
  kids as childrenOf,
  keysUnder,
  labelOf,
  path,
  profile,
  recordRefreshes,
  redis,
  redisPort,
  setConnections,
  setSetting,
  waitFor,
} from './sidebarSupport';

const DB = 11;
const DB2 = 12;
const CONN = 'tree-main';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 1));
    });
  });
}

describe('Redis view tree', function () {
  this.timeout(60_000);
  let h: TestHooks;
  let r: Redis;
  let countsBefore: Record<string, number>;

  before(async () => {
    h = await hooks();
    r = redis(DB);
    await r.flushdb();
    const p = r.pipeline();
    for (const id of [1, 2, 3]) p.hset(`user:${id}`, 'name', `user ${id}`, 'email', `u${id}@example.com`);
    p.hset('order:1:items', 'sku', 'A');
    p.hset('order:2:items', 'sku', 'B', 'qty', '2');
    p.hset('plain', 'f', 'v');
    p.hset('session:abc', 'token', 'xyz');
    p.expire('session:abc', 3600);
    p.set('str:x', 'a string');
    p.rpush('list:x', 'a', 'b');
    await p.exec();
    const r2 = redis(DB2);
    await r2.flushdb();
    await r2.hset('other:db', 'f', 'v');
    await setSetting('keys.pageSize', undefined);
    await setSetting('fields.pageSize', undefined);
    await setSetting('keys.onlyHashes', undefined);
    await setConnections('tree-', [profile(CONN, DB), profile('tree-ro', DB, { readOnly: true })]);
    countsBefore = await commandCounts(r);
  });

  after(async () => {
    await setConnections('tree-', []);
    await setSetting('keys.pageSize', undefined);
    await setSetting('fields.pageSize', undefined);
    await setSetting('keys.onlyHashes', undefined);
    closeClients();
  });

  it('lists connections idle, then connects on expand and groups hash keys into namespace folders', async () => {
    const conn = await connectionNode(h.tree, CONN);
    assert.equal(itemOf(h.tree, conn).contextValue, 'connection.idle');
    const kids = await childrenOf(h.tree, conn);
    assert.deepEqual(
      kids.map((k) => `${k.kind}:${labelOf(h.tree, k)}`),
      ['folder:order', 'folder:session', 'folder:user', 'key:plain'],
      'folders first, then keys; the string and list keys are not hashes',
    );
    assert.equal(itemOf(h.tree, kids[0]).description, '2 keys');
    assert.equal(itemOf(h.tree, kids[0]).contextValue, 'folder.connected');
    assert.match(String(itemOf(h.tree, conn).contextValue), /^connection\.connected$/);
    assert.match(String(itemOf(h.tree, conn).description), new RegExp(`^db${DB} · 127\\.0\\.0\\.1:${redisPort()}`));
    const order2 = await path(h.tree, conn, 'order', '2', 'items');
    assert.equal(itemOf(h.tree, order2).description, '2 fields');
    assert.equal(itemOf(h.tree, order2).contextValue, 'hashKey');
    const session = await path(h.tree, conn, 'session', 'abc');
    assert.match(String(itemOf(h.tree, session).description), /^1 field · TTL (59m|1h)/);
  });

  it('shows the fields of a hash with a value preview, and keeps ids stable across a refresh', async () => {
    const conn = await connectionNode(h.tree, CONN);
    const user1 = await path(h.tree, conn, 'user', '1');
    const fields = await childrenOf(h.tree, user1);
    assert.deepEqual(fields.map((f) => [labelOf(h.tree, f), itemOf(h.tree, f).description]).sort(), [
      ['email', 'u1@example.com'],
      ['name', 'user 1'],
    ]);
    // `.fttl` where the server has field TTLs (the field menu offers Set Field TTL): Redis 8, not 7.0
    assert.equal(itemOf(h.tree, fields[0]).contextValue, serverBuild().fieldTtl ? 'field.fttl' : 'field');
    const folder = await child(h.tree, conn, 'user');
    const idsBefore = [conn.id, folder.id, user1.id, ...fields.map((f) => f.id)];
    await vscode.commands.executeCommand('redisHashExplorer.refresh', { connection: CONN });
    const conn2 = await connectionNode(h.tree, CONN);
    const folder2 = await child(h.tree, conn2, 'user');
    const user1b = await child(h.tree, folder2, '1');
    const fields2 = await childrenOf(h.tree, user1b);
    assert.deepEqual([conn2.id, folder2.id, user1b.id, ...fields2.map((f) => f.id)], idsBefore);
    assert.equal(folder2, folder, 'the same node object is reused, so VS Code keeps it expanded');
  });

  it('pages through keys with "Load more…" until every key was seen exactly once', async () => {
    const r2 = redis(DB2);
    await r2.flushdb();
    const all = new Set<string>();
    const p = r2.pipeline();
    for (let i = 0; i < 137; i++) {
      const k = i % 3 === 0 ? `flat${i}` : `ns${i % 4}:item:${i}`;
      all.add(k);
      p.hset(k, 'f', String(i));
    }
    await p.exec();
    await setSetting('keys.pageSize', 10);
    await setConnections('tree-', [profile(CONN, DB), profile('tree-ro', DB, { readOnly: true }), profile('tree-paged', DB2)]);
    const conn = await connectionNode(h.tree, 'tree-paged');
    const scansBefore = (await commandCounts(r)).scan ?? 0;
    let clicks = 0;
    for (;;) {
      const kids = await childrenOf(h.tree, conn);
      const more = kids.find((k) => k.kind === 'loadMore');
      if (!more) break;
      assert.equal(itemOf(h.tree, more).label, 'Load more…');
      await vscode.commands.executeCommand('redisHashExplorer.loadMore', more);
      clicks++;
      assert.ok(clicks < 100, 'the scan never ends');
    }
    const seen = await keysUnder(h.tree, conn);
    assert.equal(seen.length, all.size, 'no key twice');
    assert.deepEqual(new Set(seen), all, 'every key');
    assert.ok(clicks >= 5, `pages of about 10 keys need several clicks, got ${clicks}`);
    const scans = ((await commandCounts(r)).scan ?? 0) - scansBefore;
    assert.ok(scans > clicks, `each click is at least one SCAN (${scans} SCANs, ${clicks} clicks)`);
    await setSetting('keys.pageSize', undefined);
  });

  it('pages through the fields of a big hash with its own "Load more…", each field exactly once', async () => {
    const r2 = redis(DB2);
    const fields: string[] = [];
    // More than hash-max-listpack-entries (512), so HSCAN really pages.
    for (let i = 0; i < 700; i++) fields.push(`field${i}`, `value ${i}`);
    await r2.hset('bighash', ...fields);
    await setSetting('fields.pageSize', 25);
    const conn = await connectionNode(h.tree, 'tree-paged');
    await vscode.commands.executeCommand('redisHashExplorer.refresh', { connection: 'tree-paged' });
    const key = await waitFor('bighash in the tree', async () => (await childrenOf(h.tree, conn)).find((k) => labelOf(h.tree, k) === 'bighash'));
    let clicks = 0;
    let kids: TreeNode[];
    for (;;) {
      kids = await childrenOf(h.tree, key);
      const more = kids.find((k) => k.kind === 'loadMore');
      if (!more) break;
      await vscode.commands.executeCommand('redisHashExplorer.loadMore', more);
      clicks++;
      assert.ok(clicks < 100);
    }
    const names = kids.map((k) => labelOf(h.tree, k));
    assert.equal(names.length, 700);
    assert.equal(new Set(names).size, 700);
    assert.equal(itemOf(h.tree, kids.find((k) => labelOf(h.tree, k) === 'field42')!).description, 'value 42');
    assert.ok(clicks >= 5, `several pages of about 25 fields (got ${clicks} clicks)`);
    await setSetting('fields.pageSize', undefined);
  });

  it('with keys.onlyHashes off, shows other types with their type and no children', async () => {
    await setSetting('keys.onlyHashes', false);
    try {
      const conn = await connectionNode(h.tree, CONN);
      const kids = await childrenOf(h.tree, conn);
      assert.deepEqual(
        kids.map((k) => labelOf(h.tree, k)),
        ['list', 'order', 'session', 'str', 'user', 'plain'],
      );
      const str = await path(h.tree, conn, 'str', 'x');
      const item = itemOf(h.tree, str);
      assert.equal(item.description, 'string');
      assert.equal(item.contextValue, 'key');
      assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.None);
      assert.equal(itemOf(h.tree, await path(h.tree, conn, 'list', 'x')).description, 'list');
    } finally {
      await setSetting('keys.onlyHashes', undefined);
    }
    const conn = await connectionNode(h.tree, CONN);
    assert.deepEqual(
      (await childrenOf(h.tree, conn)).map((k) => labelOf(h.tree, k)),
      ['order', 'session', 'user', 'plain'],
    );
  });

  it('filters keys by a glob pattern, shows it in the view and the connection, and clears it', async () => {
    await vscode.commands.executeCommand('redisHashExplorer.filterKeys', { connection: CONN, value: 'user:[12]' });
    let conn = await connectionNode(h.tree, CONN);
    assert.deepEqual(await keysUnder(h.tree, conn), ['user:1', 'user:2']);
    // short in the title and the row; the pattern in full at the top of the view, where it wraps
    assert.equal(h.treeView.description, 'filtered');
    assert.equal(h.treeView.message, `Key filter on ${CONN}: user:[12]`);
    assert.equal(itemOf(h.tree, conn).contextValue, 'connection.connected.filtered');
    assert.match(String(itemOf(h.tree, conn).description), / · filtered$/);
    await vscode.commands.executeCommand('redisHashExplorer.filterKeys', { connection: CONN, value: 'nothing:*' });
    conn = await connectionNode(h.tree, CONN);
    const kids = await childrenOf(h.tree, conn);
    assert.deepEqual(kids.map((k) => labelOf(h.tree, k)), ['No hash keys match "nothing:*"']);
    await vscode.commands.executeCommand('redisHashExplorer.clearFilter', { connection: CONN });
    conn = await connectionNode(h.tree, CONN);
    assert.equal(h.treeView.description, undefined);
    assert.equal(h.treeView.message, undefined);
    assert.equal(itemOf(h.tree, conn).contextValue, 'connection.connected');
    assert.equal((await keysUnder(h.tree, conn)).length, 7);
  });

  it('drops a deleted key from its folder, and a folder left empty', async () => {
    const conn = await connectionNode(h.tree, CONN);
    await keysUnder(h.tree, conn);
    await vscode.commands.executeCommand('redisHashExplorer.deleteKey', { connection: CONN, key: 'order:1:items' });
    assert.deepEqual(
      (await childrenOf(h.tree, await path(h.tree, conn, 'order'))).map((k) => labelOf(h.tree, k)),
      ['2'],
      'folder order:1: is gone',
    );
    assert.equal(itemOf(h.tree, await child(h.tree, conn, 'order')).description, '1 key');
    // Deleted behind the tree's back: a refresh of the folder notices.
    await r.del('user:3');
    const users = await child(h.tree, conn, 'user');
    await vscode.commands.executeCommand('redisHashExplorer.refresh', users);
    assert.deepEqual((await childrenOf(h.tree, users)).map((k) => labelOf(h.tree, k)), ['1', '2']);
    await r.hset('order:1:items', 'sku', 'A');
    await r.hset('user:3', 'name', 'user 3');
  });

  it('a key added or deleted two folders deep refreshes every folder row whose count moved', async () => {
    await r.hset('deep:a:1', 'f', 'v');
    await r.hset('deep:a:2', 'f', 'v');
    await vscode.commands.executeCommand('redisHashExplorer.refresh', { connection: CONN });
    const conn = await connectionNode(h.tree, CONN);
    const deep = await child(h.tree, conn, 'deep');
    const deepA = await child(h.tree, deep, 'a');
    assert.equal(itemOf(h.tree, deep).description, '2 keys');
    const rec = recordRefreshes(h.tree);
    try {
      await vscode.commands.executeCommand('redisHashExplorer.deleteKey', { connection: CONN, key: 'deep:a:1' });
      await waitFor('a refresh', () => rec.fired.length > 0);
      assert.deepEqual(new Set(rec.fired), new Set([deepA, deep]));
      assert.equal(itemOf(h.tree, deep).description, '1 key');
      assert.equal(itemOf(h.tree, deepA).description, '1 key');
      rec.fired.length = 0;
      await vscode.commands.executeCommand('redisHashExplorer.addHash', { connection: CONN, key: 'deep:a:3', field: 'f', value: 'v' });
      await waitFor('a refresh', () => rec.fired.length > 0);
      assert.deepEqual(new Set(rec.fired), new Set([deepA, deep]));
      assert.equal(itemOf(h.tree, deep).description, '2 keys');
      assert.equal(itemOf(h.tree, deepA).description, '2 keys');
    } finally {
      rec.dispose();
    }
    for (const key of ['deep:a:2', 'deep:a:3']) await vscode.commands.executeCommand('redisHashExplorer.deleteKey', { connection: CONN, key });
    assert.ok(!(await childrenOf(h.tree, conn)).some((n) => labelOf(h.tree, n) === 'deep'));
  });

  it('refreshes exactly the touched node after a write', async () => {
    const conn = await connectionNode(h.tree, CONN);
    const user2 = await path(h.tree, conn, 'user', '2');
    const fields = await childrenOf(h.tree, user2);
    const name = fields.find((f) => labelOf(h.tree, f) === 'name')!;
    const rec = recordRefreshes(h.tree);
    try {
      await vscode.commands.executeCommand('redisHashExplorer.editField', { connection: CONN, key: 'user:2', field: 'name', value: 'renamed' });
      await waitFor('a refresh', () => rec.fired.length > 0);
      assert.deepEqual(rec.fired, [name], 'a value change refreshes only that field row');
      assert.equal(itemOf(h.tree, name).description, 'renamed');
      rec.fired.length = 0;
      await vscode.commands.executeCommand('redisHashExplorer.addField', { connection: CONN, key: 'user:2', field: 'phone', value: '555' });
      await waitFor('a refresh', () => rec.fired.length > 0);
      assert.deepEqual(rec.fired, [user2], 'a new field refreshes its hash key (and its field count)');
      assert.equal(itemOf(h.tree, user2).description, '3 fields');
      assert.ok((await childrenOf(h.tree, user2)).some((f) => labelOf(h.tree, f) === 'phone'));
    } finally {
      rec.dispose();
    }
  });

  it('shows a read-only connection with a badge and read-only context values', async () => {
    const conn = await connectionNode(h.tree, 'tree-ro');
    assert.equal(labelOf(h.tree, conn), 'tree-ro [read-only]');
    const kids = await childrenOf(h.tree, conn);
    assert.equal(itemOf(h.tree, conn).contextValue, 'connection.connected.ro');
    assert.equal(itemOf(h.tree, kids[0]).contextValue, 'folder.connected.ro');
    const plain = kids.find((k) => labelOf(h.tree, k) === 'plain')!;
    assert.equal(itemOf(h.tree, plain).contextValue, 'hashKey.ro');
    assert.equal(itemOf(h.tree, (await childrenOf(h.tree, plain))[0]).contextValue, serverBuild().fieldTtl ? 'field.fttl.ro' : 'field.ro');
  });

  it('switches the database a connection shows', async () => {
    await redis(DB2).hset('other:db', 'f', 'v');
    await vscode.commands.executeCommand('redisHashExplorer.selectDatabase', { connection: CONN, db: DB2 });
    let conn = await waitFor('db switch', async () => {
      const c = await connectionNode(h.tree, CONN);
      return String(itemOf(h.tree, c).description).startsWith(`db${DB2}`) ? c : undefined;
    });
    assert.ok((await keysUnder(h.tree, conn)).includes('other:db'));
    await vscode.commands.executeCommand('redisHashExplorer.selectDatabase', { connection: CONN, db: DB });
    conn = await connectionNode(h.tree, CONN);
    assert.ok((await keysUnder(h.tree, conn)).includes('plain'));
  });

  it('shows a connection that fails (closed port) as a node with the reason, and Retry', async () => {
    const port = await freePort();
    await setConnections('tree-', [profile(CONN, DB), { name: 'tree-closed', host: '127.0.0.1', port }]);
    const conn = await connectionNode(h.tree, 'tree-closed');
    const kids = await childrenOf(h.tree, conn);
    assert.equal(kids.length, 1);
    // the row says it short; the whole reason is in its tooltip and at the top of the view
    assert.equal(labelOf(h.tree, kids[0]), 'Connection refused.');
    assert.match(String(itemOf(h.tree, kids[0]).tooltip), /^Connection refused \(127\.0\.0\.1:\d+\)/);
    assert.match(h.treeView.message ?? '', /tree-closed: Connection refused \(127\.0\.0\.1:\d+\)/);
    assert.equal(itemOf(h.tree, kids[0]).command?.command, 'redisHashExplorer.retryConnection');
    assert.equal(itemOf(h.tree, conn).contextValue, 'connection.failed');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('redisHashExplorer.retryConnection', { connection: 'tree-closed' })), /Connection refused/);
  });

  it('shows a wrong password as an authentication failure', async () => {
    await r.call('ACL', 'SETUSER', 'tree-user', 'on', '>right-password', '~*', '&*', '+@all');
    try {
      await vscode.commands.executeCommand('redisHashExplorer.addConnection', {
        connection: 'tree-badpass',
        host: '127.0.0.1',
        port: redisPort(),
        username: 'tree-user',
        password: 'wrong-password',
        db: DB,
        test: false,
      });
      const conn = await connectionNode(h.tree, 'tree-badpass');
      const kids = await childrenOf(h.tree, conn);
      assert.match(labelOf(h.tree, kids[0]), /^Authentication failed/);
      assert.equal(itemOf(h.tree, conn).contextValue, 'connection.failed');
      await vscode.commands.executeCommand('redisHashExplorer.editConnection', { connection: 'tree-badpass', password: 'right-password' });
      await vscode.commands.executeCommand('redisHashExplorer.retryConnection', { connection: 'tree-badpass' });
      const ok = await connectionNode(h.tree, 'tree-badpass');
      assert.ok((await keysUnder(h.tree, ok)).includes('plain'), 'connected with the corrected password');
    } finally {
      await vscode.commands.executeCommand('redisHashExplorer.removeConnection', { connection: 'tree-badpass' });
      await r.call('ACL', 'DELUSER', 'tree-user');
    }
  });

  it('never sent KEYS, HGETALL, HKEYS or HVALS', async () => {
    const after = await commandCounts(r);
    for (const cmd of ['keys', 'hgetall', 'hkeys', 'hvals']) assert.equal(after[cmd] ?? 0, countsBefore[cmd] ?? 0, `${cmd.toUpperCase()} was sent`);
    assert.ok((after.scan ?? 0) > (countsBefore.scan ?? 0) && (after.hscan ?? 0) > (countsBefore.hscan ?? 0), 'the tree did scan');
  });
});
