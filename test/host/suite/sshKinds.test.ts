// A cluster and a sentinel-managed master through SSH in the real extension host: scripted addConnection of
// each kind with `ssh`, the tree listing the keys of every master, edits reaching the node or master that owns
// the key. The suite starts its own sshd, cluster (3 masters + 3 replicas) and sentinel setup; names "sshk-…".
import * as assert from 'node:assert/strict';
import { Cluster } from 'ioredis';
import * as vscode from 'vscode';
import { startCluster } from '../../support/cluster';
import type { TestCluster } from '../../support/cluster';
import { startSentinel } from '../../support/sentinel';
import type { TestSentinel } from '../../support/sentinel';
import { startSshd } from '../../support/sshd';
import type { TestSshd } from '../../support/sshd';
import type { TestHooks } from './sidebarSupport';
import { connectionNode, hooks, keysUnder } from './sidebarSupport';

const run = (id: string, arg?: unknown) => Promise.resolve(vscode.commands.executeCommand(`redisHashExplorer.${id}`, arg));

describe('cluster and sentinel through SSH', function () {
  this.timeout(120_000);
  let h: TestHooks;
  let sshd: TestSshd;
  let cluster: TestCluster;
  let sentinel: TestSentinel;
  let admin: Cluster;
  const keys = Array.from({ length: 20 }, (_, i) => `sk:${i}`);
  const ssh = () => ({ host: '127.0.0.1', port: sshd.port, username: sshd.username, privateKeyFile: sshd.keys.plain, hostKey: sshd.fingerprint });

  before(async () => {
    h = await hooks();
    [sshd, cluster, sentinel] = await Promise.all([startSshd(), startCluster(), startSentinel()]);
    admin = new Cluster(cluster.seeds);
    await Promise.all(keys.map((k, i) => admin.hset(k, 'f', String(i))));
  });

  after(async () => {
    for (const name of ['sshk-cluster', 'sshk-sentinel']) await run('removeConnection', { connection: name }).catch(() => undefined);
    admin?.disconnect();
    await Promise.all([cluster?.stop(), sentinel?.stop(), sshd?.stop()]);
  });

  it('a cluster through SSH: the keys of every master listed, an edit reaches the master that owns the key', async () => {
    await run('addConnection', { connection: 'sshk-cluster', kind: 'cluster', nodes: cluster.seeds.slice(0, 1), ssh: ssh() });
    const owners = new Set<number>();
    for (const k of keys) owners.add(await cluster.masterOf(Number(await admin.cluster('KEYSLOT', k))));
    assert.equal(owners.size, 3, 'the keys are spread over the three masters');
    const listed = await keysUnder(h.tree, await connectionNode(h.tree, 'sshk-cluster'));
    assert.deepEqual(listed.filter((k) => k.startsWith('sk:')).sort(), [...keys].sort());
    const seed = cluster.seeds[0].port;
    let key = '';
    for (const k of keys) if (!key && (await cluster.masterOf(Number(await admin.cluster('KEYSLOT', k)))) !== seed) key = k;
    assert.ok(key, 'a key on another master than the seed');
    await run('editField', { connection: 'sshk-cluster', key, field: 'f', value: 'through SSH' });
    const owner = await cluster.masterOf(Number(await admin.cluster('KEYSLOT', key)));
    assert.equal(await cluster.admin(owner).hget(key, 'f'), 'through SSH');
  });

  it('a sentinel-managed master through SSH: its keys listed, an edit reaches the master', async () => {
    await run('addConnection', { connection: 'sshk-sentinel', kind: 'sentinel', sentinels: sentinel.sentinelAddresses, masterName: sentinel.masterName, ssh: ssh() });
    const master = sentinel.admin(await sentinel.masterPort());
    await master.hset('sks:h', 'f', 'before');
    const listed = await keysUnder(h.tree, await connectionNode(h.tree, 'sshk-sentinel'));
    assert.ok(listed.includes('sks:h'), `listed: ${listed.join(', ')}`);
    await run('editField', { connection: 'sshk-sentinel', key: 'sks:h', field: 'f', value: 'through SSH' });
    assert.equal(await master.hget('sks:h', 'f'), 'through SSH');
  });
});
