// Natural order of names in the tree (the sortOrder setting) in the real extension host: numbers in
// key and folder names sort by value by default, plain bytes when the setting says so.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TestHooks } from './sidebarSupport';
import { closeClients, connectionNode, hooks, kids, labelOf, profile, redis, setConnections, setSetting, waitFor } from './sidebarSupport';

const DB = 4;
const CONN = 'order-main';

describe('Sort order of names', function () {
  this.timeout(60_000);
  let h: TestHooks;

  before(async () => {
    h = await hooks();
    const r = redis(DB);
    await r.flushdb();
    const p = r.pipeline();
    for (const k of ['k1', 'k2', 'k10', 'k100', 'n:1:a', 'n:2:a', 'n:10:a']) p.hset(k, 'f', 'v');
    await p.exec();
    await setSetting('sortOrder', undefined);
    await setConnections('order-', [profile(CONN, DB)]);
  });

  after(async () => {
    await setConnections('order-', []);
    await setSetting('sortOrder', undefined);
    closeClients();
  });

  const labels = async (...under: string[]): Promise<string[]> => {
    let node = await connectionNode(h.tree, CONN);
    for (const l of under) {
      const found = (await kids(h.tree, node)).find((n) => labelOf(h.tree, n) === l);
      assert.ok(found, `no "${l}"`);
      node = found;
    }
    return (await kids(h.tree, node)).map((n) => labelOf(h.tree, n));
  };

  it('sorts keys and folders by the numbers in their names by default', async () => {
    assert.equal(vscode.workspace.getConfiguration('redisHashExplorer').get('sortOrder'), 'natural');
    assert.deepEqual(await labels(), ['n', 'k1', 'k2', 'k10', 'k100']);
    assert.deepEqual(await labels('n'), ['1', '2', '10']);
  });

  it('sorts by bytes when sortOrder is "bytes", and back', async () => {
    await setSetting('sortOrder', 'bytes');
    await waitFor('byte order', async () => ((await labels()).join() === 'n,k1,k10,k100,k2' ? true : undefined));
    assert.deepEqual(await labels('n'), ['1', '10', '2']);
    await setSetting('sortOrder', undefined);
    await waitFor('natural order again', async () => ((await labels()).join() === 'n,k1,k2,k10,k100' ? true : undefined));
  });
});
