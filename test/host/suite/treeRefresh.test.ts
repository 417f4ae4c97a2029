// The tree after a small keyspace's scan: the scan ends with its first page, so the rows are built final and
// nothing refreshes them a moment later (a refresh makes VS Code fetch the rows again, and a click on an inline
// action in that moment reached the command without its row: "Open Hash Editor" asked for the key instead).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ConnectionNode } from '../../../src/tree/nodes';
import type { TestHooks } from './sidebarSupport';
import { closeClients, connectionNode, hooks, kids, labelOf, profile, recordRefreshes, redis, setConnections, waitFor } from './sidebarSupport';

const DB = 3;
const CONN = 'settle-main';

describe('Redis view: a small keyspace settles in one fetch', function () {
  this.timeout(60_000);
  let h: TestHooks;

  before(async () => {
    h = await hooks();
    const r = redis(DB);
    await r.flushdb();
    await r.hset('shop:cart', 'apple', '3');
    await r.hset('shop:list', 'pear', '1');
    await setConnections('settle-', [profile(CONN, DB)]);
  });

  after(async () => {
    await setConnections('settle-', []);
    closeClients();
  });

  it('expanding the connection refreshes it once (its first keys), the folder not at all', async () => {
    const conn = (await connectionNode(h.tree, CONN)) as ConnectionNode;
    const refreshes = recordRefreshes(h.tree);
    try {
      const top = await kids(h.tree, conn);
      assert.deepEqual(top.map((n) => labelOf(h.tree, n)), ['shop']);
      const shop = top[0];
      assert.deepEqual((await kids(h.tree, shop)).map((n) => labelOf(h.tree, n)), ['cart', 'list']);
      // the scan is over (its promise settled): anything it was going to refresh has been fired by now
      await waitFor('the scan to end', () => (conn.session.scan?.running ? undefined : true));
      await conn.session.loading?.catch(() => undefined);
      await new Promise((r) => setImmediate(r));
      // one refresh: "Connecting…" gives way to the keys; none for the scan's end, none of the folder
      const touched = refreshes.fired.filter((n) => n === undefined || n === conn || n === shop);
      assert.deepEqual(touched.map((n) => (n ? labelOf(h.tree, n) : 'the whole tree')), [CONN], 'one refresh, when the first keys came');
    } finally {
      refreshes.dispose();
    }
  });
});

describe('Redis view: a deleted key leaves the tree once', function () {
  this.timeout(60_000);
  const CONN2 = 'settle-delete';
  let h: TestHooks;

  before(async () => {
    h = await hooks();
    const r = redis(DB);
    await r.flushdb();
    for (const k of ['shop:a', 'shop:b', 'shop:c']) await r.hset(k, 'f', '1');
    await setConnections('settle-', [profile(CONN2, DB)]);
  });

  after(async () => {
    await setConnections('settle-', []);
    closeClients();
  });

  it('deleteKey takes the key out of the loaded keys once and refreshes its folder once', async () => {
    const conn = (await connectionNode(h.tree, CONN2)) as ConnectionNode;
    const shop = (await kids(h.tree, conn))[0];
    assert.deepEqual((await kids(h.tree, shop)).map((n) => labelOf(h.tree, n)), ['a', 'b', 'c']);
    // count the removals the loaded key model is asked for (the real model, its method wrapped)
    const model = conn.session.model;
    const removeKey = model.removeKey;
    const removals: string[] = [];
    model.removeKey = (key: Buffer) => {
      removals.push(key.toString());
      return removeKey.call(model, key);
    };
    const refreshes = recordRefreshes(h.tree);
    try {
      await vscode.commands.executeCommand('redisHashExplorer.deleteKey', { connection: CONN2, key: 'shop:b' });
      assert.deepEqual(removals, ['shop:b'], 'removed from the loaded keys once');
      assert.deepEqual(refreshes.fired.map((n) => (n ? labelOf(h.tree, n) : 'the whole tree')), ['shop'], 'its folder refreshed once');
      assert.deepEqual((await kids(h.tree, shop)).map((n) => labelOf(h.tree, n)), ['a', 'c']);
    } finally {
      model.removeKey = removeKey;
      refreshes.dispose();
    }
  });
});
