// A Redis Cluster connection in the real workbench: the tree lists the keys of every master under one
// connection, and the connection's menu offers no database selection (a cluster has only database 0).
import * as assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../host/codeServer.mjs';
import { expand, openRedisView, startWorkbench, treeItem } from './fixture.mjs';

const require = createRequire(import.meta.url);

const rowLabels = (page) => page.locator('.part.sidebar .pane-body [role=treeitem] .label-name').allTextContents();

describe('Redis Cluster (UI)', function () {
  let wb;
  let cluster;
  let admin;

  before(async function () {
    this.timeout(120_000);
    const { startCluster } = require(join(repoRoot, 'out', 'test', 'support', 'cluster.js'));
    const { Cluster } = require('ioredis');
    cluster = await startCluster('redis7', { replicas: 0 });
    admin = new Cluster(cluster.seeds);
    for (let i = 1; i <= 9; i++) await admin.hset(`user:${i}`, 'name', `User ${i}`);
  });

  after(async () => {
    admin?.disconnect();
    await cluster?.stop();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await wb?.screenshot(`failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => {});
    await wb?.stop();
    wb = undefined;
  });

  it('lists the keys of all three masters under one connection, with no database selection in its menu', async () => {
    const owners = new Set();
    for (let i = 1; i <= 9; i++) owners.add(await cluster.masterOf(Number(await admin.cluster('KEYSLOT', `user:${i}`))));
    assert.equal(owners.size, 3, 'the keys live on all three masters');
    wb = await startWorkbench({ connections: () => [{ name: 'shards', kind: 'cluster', nodes: cluster.seeds }] });
    const { page } = wb;
    await openRedisView(page);
    await expand(page, 'shards');
    await expand(page, 'user');
    await treeItem(page, '9').waitFor();
    const labels = await rowLabels(page);
    assert.deepEqual(labels.slice(0, 2), ['shards', 'user']);
    assert.deepEqual(labels.slice(2).sort(), ['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    await wb.screenshot('cluster-tree');
    await treeItem(page, 'shards').click({ button: 'right' });
    const menu = page.locator('.context-view .action-label');
    await menu.first().waitFor();
    const items = await menu.allTextContents();
    assert.ok(items.some((t) => /Refresh/.test(t)), `a connection menu: ${items.join(', ')}`);
    assert.ok(!items.some((t) => /Select Database/.test(t)), `no database selection on a cluster: ${items.join(', ')}`);
    await page.keyboard.press('Escape');
  });
});
