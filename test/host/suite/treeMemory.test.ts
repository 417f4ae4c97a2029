// The tree remembers the hash keys a connection showed (src/tree/recall.ts): on the next expand they are
// checked with one pipeline of TYPE and those still hashes show before the scan meets them, in the real
// extension host against the test Redis (database 6: 20,000 strings and a few hashes, one of them where the
// scan meets it last). Exact by the commands sent (INFO commandstats) and by what the scan had found then.
import * as assert from 'node:assert/strict';
import type Redis from 'ioredis';
import * as vscode from 'vscode';
import type { ConnectionNode, TreeNode } from '../../../src/tree/nodes';
import type { TestHooks } from './sidebarSupport';
import { closeClients, commandCounts, connectionNode, hooks, itemOf, kids, labelOf, profile, recordRefreshes, redis, seedStrings, redisPort, setConnections, waitFor } from './sidebarSupport';

const DB = 6;
const CONN = 'memory-main';
const STRINGS = 20_000;
const BINARY = Buffer.from([0xff, 0xfe, 0x3a, 0x62]); // "\xff\xfe:b": not UTF-8

interface Reopened {
  conn: ConnectionNode;
  /** the connection's children when its first keys were in */
  first: TreeNode[];
  /** TYPE commands the server got from opening until the first keys were in */
  types: number;
  /** keys the scan had handed over by then */
  found: number;
  loaded: number;
}

async function types(r: Redis): Promise<number> {
  return (await commandCounts(r)).type ?? 0;
}

/** The names the tree remembers for the connection (and filter), as text. */
function remembered(h: TestHooks, filter?: string, connection = CONN, db = DB): string[] {
  const where = `redis://127.0.0.1:${redisPort()}`;
  return h.tree.state.memory.recall({ connection, db, filter, where }).map((k) => k.toString('latin1'));
}

describe('Redis view: hash keys remembered from the last time show at once', function () {
  this.timeout(120_000);
  let h: TestHooks;
  let r: Redis;
  /** the hash the scan meets last */
  let late = '';

  /** Disconnects (the connection's node is replaced, collapsed) and expands it again, as after reopening VS Code. */
  async function reopen(): Promise<Reopened> {
    const old = h.tree.connectionNode(CONN);
    if (old?.session.started) {
      await vscode.commands.executeCommand('redisHashExplorer.disconnect', { connection: CONN });
      await waitFor('a fresh connection node', () => h.tree.connectionNode(CONN) !== old);
    }
    const conn = (await connectionNode(h.tree, CONN)) as ConnectionNode;
    const before = await types(r);
    let sub: vscode.Disposable | undefined;
    const shown = new Promise<{ found: number; loaded: number }>((resolve) => {
      sub = h.tree.onDidChangeTreeData((e) => {
        if (e !== conn || !conn.session.started) return;
        sub?.dispose();
        // read at the moment the tree shows its first keys: the scan goes on meanwhile
        resolve({ found: conn.session.scan?.progress().found ?? 0, loaded: conn.session.model.loadedCount });
      });
    });
    const opening = await h.tree.getChildren(conn);
    assert.deepEqual(opening.map((c) => c.kind === 'message' && c.name), ['connecting']);
    const { found, loaded } = await shown;
    sub?.dispose();
    const sent = (await types(r)) - before;
    const first = await h.tree.getChildren(conn);
    return { conn, first, types: sent, found, loaded };
  }

  async function settled(conn: ConnectionNode): Promise<TreeNode[]> {
    await waitFor('the scan to end', () => conn.session.scan?.done);
    await conn.session.loading?.catch(() => undefined);
    return kids(h.tree, conn);
  }

  const labels = (nodes: TreeNode[]) => nodes.map((n) => (n.kind === 'scan' ? '(scanning)' : labelOf(h.tree, n)));

  before(async () => {
    h = await hooks();
    r = redis(DB);
    await r.flushdb();
    await seedStrings(r, STRINGS);
    // The hash the scan meets last, whatever the server's hash seed: a key of the last page, made a hash.
    let cursor = '0';
    let last: string[] = [];
    do {
      const [next, keys] = await r.scan(cursor, 'COUNT', 500);
      if (keys.length) last = keys;
      cursor = next;
    } while (cursor !== '0');
    late = last[0];
    await r.del(late);
    await r.hset(late, 'f', 'v');
    await setConnections('memory-', [profile(CONN, DB)]);
  });

  after(async () => {
    h.tree.state.setFilter(CONN, undefined);
    await setConnections('memory-', []);
    await r.flushdb();
    closeClients();
  });

  it('a remembered hash shows before the scan meets it, once, after one TYPE', async () => {
    // The first expand: nothing remembered, nothing checked; the scan meets the hash at its end.
    const cold = await reopen();
    assert.equal(cold.types, 0, 'no TYPE before the first keys: nothing was remembered');
    assert.equal(cold.found, 1, 'the scan had met the hash');
    await settled(cold.conn);
    await waitFor('the hash remembered', () => remembered(h).includes(late));
    assert.deepEqual(remembered(h), [late]);

    const warm = await reopen();
    assert.equal(warm.found, 0, 'the scan had not met the hash yet');
    assert.equal(warm.types, 1, 'one TYPE: the one remembered name');
    assert.equal(warm.loaded, 1);
    assert.deepEqual(labels(warm.first), ['s', '(scanning)']);
    assert.equal(itemOf(h.tree, warm.first[0]).description, '1+ keys', 'not final while the scan runs');
    const end = await settled(warm.conn);
    assert.deepEqual(labels(end), ['s']);
    assert.equal(itemOf(h.tree, end[0]).description, '1 key', 'the scan met it again: still one');
    assert.equal(warm.conn.session.model.loadedCount, 1);
    const [key] = await kids(h.tree, end[0]);
    assert.equal(key.kind === 'key' && key.key.toString(), late);
  });

  it('a remembered key deleted or no longer a hash is not shown and is forgotten; binary names come back', async () => {
    await r.hset('m:gone', 'f', 'v');
    await r.hset('m:str', 'f', 'v');
    await r.hset('m:keep', 'f', 'v');
    await r.hset(BINARY, 'f', 'v');
    // Refresh reads from the server alone (forgets), then the scan meets all five hashes.
    await vscode.commands.executeCommand('redisHashExplorer.refresh', { connection: CONN });
    assert.deepEqual(remembered(h), [], 'Refresh forgets');
    const fresh = await reopen();
    assert.equal(fresh.types, 0);
    await settled(fresh.conn);
    await waitFor('five names remembered', () => remembered(h).length === 5);
    assert.deepEqual(remembered(h).sort(), ['m:gone', 'm:keep', 'm:str', BINARY.toString('latin1'), late].sort());

    await r.del('m:gone');
    await r.del('m:str');
    await r.set('m:str', 'now a string');
    const warm = await reopen();
    assert.equal(warm.types, 5, 'one TYPE per remembered name');
    assert.equal(warm.loaded, 3, 'the three still hashes');
    assert.deepEqual(labels(warm.first.filter((n) => n.kind !== 'scan')), ['m', 's', '\\xff\\xfe']);
    const m = warm.first.find((n) => labelOf(h.tree, n) === 'm');
    assert.ok(m);
    assert.deepEqual((await kids(h.tree, m)).map((k) => k.kind === 'key' && k.key.toString()), ['m:keep']);
    await settled(warm.conn);
    assert.equal(warm.conn.session.model.loadedCount, 3);
    await waitFor('the two forgotten', () => remembered(h).length === 3);
    assert.deepEqual(remembered(h).sort(), ['m:keep', BINARY.toString('latin1'), late].sort());
  });

  it('a key filter has names of its own: those of another filter are not checked or shown', async () => {
    h.tree.state.setFilter(CONN, 'm:*');
    const conn = (await connectionNode(h.tree, CONN)) as ConnectionNode;
    const cold = await kids(h.tree, conn);
    assert.deepEqual(labels(cold), ['m']);
    await settled(conn);
    await waitFor('the filter\'s name remembered', () => remembered(h, 'm:*').length === 1);
    assert.deepEqual(remembered(h, 'm:*'), ['m:keep']);

    const warm = await reopen();
    assert.equal(warm.types, 1, 'only the name remembered for this filter');
    assert.equal(warm.loaded, 1);
    assert.deepEqual(labels(warm.first.filter((n) => n.kind !== 'scan')), ['m']);
    await settled(warm.conn);
    assert.equal(warm.conn.session.model.loadedCount, 1);

    h.tree.state.setFilter(CONN, undefined);
    const all = await reopen();
    assert.equal(all.types, 3, 'the unfiltered names');
    assert.equal(all.loaded, 3);
    await settled(all.conn);
  });

  it('editing or removing the connection, or Refresh of the whole view, forgets what it showed', async () => {
    assert.equal(remembered(h).length, 3);
    await setConnections('memory-', [profile(CONN, DB, { separator: '/' })]);
    await waitFor('the names forgotten', () => remembered(h).length === 0);
    const edited = await reopen();
    assert.equal(edited.types, 0, 'nothing to check');
    await settled(edited.conn);
    await waitFor('the names the scan met remembered', () => remembered(h).length === 3);

    // Refresh from the view's title bar or the palette: every connection reads from the server alone
    await vscode.commands.executeCommand('redisHashExplorer.refresh');
    assert.deepEqual(remembered(h), []);
    const refreshed = await reopen();
    assert.equal(refreshed.types, 0, 'nothing to check');
    await settled(refreshed.conn);
    await waitFor('the names the scan met remembered', () => remembered(h).length === 3);

    await setConnections('memory-', []);
    await waitFor('the names forgotten', () => remembered(h).length === 0);
  });
});

describe('Redis view: a small keyspace shown from memory settles in one fetch', function () {
  this.timeout(60_000);
  const SMALL_DB = 1;
  const SMALL = 'memsmall-main';
  let h: TestHooks;
  let r: Redis;

  before(async () => {
    h = await hooks();
    r = redis(SMALL_DB);
    await r.flushdb();
    await r.hset('shop:cart', 'apple', '3');
    await r.hset('shop:list', 'pear', '1');
    await setConnections('memsmall-', [profile(SMALL, SMALL_DB)]);
  });

  after(async () => {
    await setConnections('memsmall-', []);
    await r.flushdb();
    closeClients();
  });

  it('the remembered keys and the one page of the scan show together, final, in one refresh', async () => {
    const cold = (await connectionNode(h.tree, SMALL)) as ConnectionNode;
    await kids(h.tree, cold);
    await waitFor('both names remembered', () => remembered(h, undefined, SMALL, SMALL_DB).length === 2);
    await vscode.commands.executeCommand('redisHashExplorer.disconnect', { connection: SMALL });
    await waitFor('a fresh connection node', () => h.tree.connectionNode(SMALL) !== cold);
    const conn = (await connectionNode(h.tree, SMALL)) as ConnectionNode;
    const before = (await commandCounts(r)).type ?? 0;
    const refreshes = recordRefreshes(h.tree);
    // the children asked for as soon as the connection refreshes, the soonest VS Code could
    let sub: vscode.Disposable | undefined;
    const shown = new Promise<TreeNode[]>((resolve, reject) => {
      sub = h.tree.onDidChangeTreeData((e) => {
        if (e !== conn) return;
        sub?.dispose();
        h.tree.getChildren(conn).then(resolve, reject);
      });
    });
    try {
      assert.deepEqual((await h.tree.getChildren(conn)).map((c) => c.kind === 'message' && c.name), ['connecting']);
      const top = await shown;
      assert.equal(((await commandCounts(r)).type ?? 0) - before, 2, 'one TYPE per remembered name');
      assert.deepEqual(top.map((n) => labelOf(h.tree, n)), ['shop'], 'no progress row: the scan ended with its page');
      assert.equal(itemOf(h.tree, top[0]).description, '2 keys', 'final, each key once');
      await waitFor('the scan to end', () => (conn.session.scan?.running ? undefined : true));
      await conn.session.loading?.catch(() => undefined);
      await new Promise((res) => setImmediate(res));
      const touched = refreshes.fired.filter((n) => n === undefined || n === conn || n === top[0]);
      assert.deepEqual(touched.map((n) => (n ? labelOf(h.tree, n) : 'the whole tree')), [SMALL], 'one refresh, when the first keys came');
    } finally {
      sub?.dispose();
      refreshes.dispose();
    }
  });
});
