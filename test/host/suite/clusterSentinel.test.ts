// Cluster and sentinel connections in the real extension host: scripted addConnection of each kind, the tree
// listing the keys of every master, the hash editor and edits on a hash that lives on another node than the
// seed, database selection refused on a cluster, and clear rejections for a cross-slot rename and a wrong
// master name. The suite starts its own cluster (3 masters + 3 replicas) and sentinel setup; names "cl-…".
import * as assert from 'node:assert/strict';
import { Cluster } from 'ioredis';
import * as vscode from 'vscode';
import { startCluster } from '../../support/cluster';
import type { TestCluster } from '../../support/cluster';
import { startSentinel } from '../../support/sentinel';
import type { TestSentinel } from '../../support/sentinel';
import type { ProfileSetting, TestHooks } from './sidebarSupport';
import { commandCounts, connectionNode, hooks, itemOf, keysUnder, kids, path, rejectionOf, setConnections, setSetting, waitFor, withPrompts } from './sidebarSupport';

const run = (id: string, arg?: unknown) => Promise.resolve(vscode.commands.executeCommand(`redisHashExplorer.${id}`, arg));

interface KindSetting extends Partial<ProfileSetting> {
  name: string;
  kind?: string;
  nodes?: Array<{ host: string; port: number }>;
  sentinels?: Array<{ host: string; port: number }>;
  masterName?: string;
  readFromReplicas?: boolean;
}

function userNamed(name: string): KindSetting | undefined {
  return vscode.workspace.getConfiguration('redisHashExplorer').inspect<KindSetting[]>('connections')?.globalValue?.find((p) => p.name === name);
}

describe('cluster and sentinel connections', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let sentinel: TestSentinel;
  let admin: Cluster;
  let h: TestHooks;
  const keys = Array.from({ length: 30 }, (_, i) => `hc:${i}`);

  before(async () => {
    h = await hooks();
    [cluster, sentinel] = await Promise.all([startCluster(), startSentinel()]);
    admin = new Cluster(cluster.seeds);
    await Promise.all(keys.map((k, i) => admin.hset(k, 'f', String(i))));
  });

  after(async () => {
    await setConnections('cl-', []);
    for (const name of ['cl-cluster', 'cl-sentinel', 'cl-replicas']) await run('removeConnection', { connection: name }).catch(() => undefined);
    admin?.disconnect();
    await Promise.all([cluster?.stop(), sentinel?.stop()]);
  });

  it('adds a cluster connection from a script: kind and seed nodes in settings, no host/port, no db', async () => {
    await run('addConnection', { connection: 'cl-cluster', kind: 'cluster', nodes: cluster.seeds.slice(0, 2) });
    const saved = userNamed('cl-cluster');
    assert.ok(saved);
    assert.equal(saved.kind, 'cluster');
    assert.deepEqual(saved.nodes, cluster.seeds.slice(0, 2));
    assert.equal(saved.host, undefined);
    assert.equal(saved.port, undefined);
    assert.equal(saved.db, undefined);
  });

  it('the tree lists the keys of every master; its menu offers no database selection', async () => {
    const owners = new Set<number>();
    for (const k of keys) owners.add(await cluster.masterOf(Number(await admin.cluster('KEYSLOT', k))));
    assert.equal(owners.size, 3, 'the keys are spread over the three masters');
    const conn = await connectionNode(h.tree, 'cl-cluster');
    const listed = await keysUnder(h.tree, conn);
    assert.deepEqual(listed.filter((k) => k.startsWith('hc:')).sort(), [...keys].sort());
    const item = itemOf(h.tree, conn);
    assert.match(String(item.contextValue), /\.cluster$/);
    assert.match(String(item.tooltip), /a cluster has only database 0/);
    const message = await rejectionOf('redisHashExplorer.selectDatabase', { connection: 'cl-cluster', db: 1 });
    assert.match(message, /only database 0/);
    const withDb = await rejectionOf('redisHashExplorer.editField', { connection: 'cl-cluster', db: 2, key: 'hc:1', field: 'f', value: 'x' });
    assert.match(withDb, /only database 0/);
    assert.equal(await admin.hget('hc:1', 'f'), '1');
  });

  it('opens and edits a hash that lives on another node than the seed', async () => {
    const seed = cluster.seeds[0].port;
    let key = '';
    for (let i = 0; !key; i++) if ((await cluster.masterOf(Number(await admin.cluster('KEYSLOT', `far:${i}`)))) !== seed) key = `far:${i}`;
    const fields: string[] = [];
    for (let i = 0; i < 1500; i++) fields.push(`f${i}`, `v${i}`);
    await admin.hset(key, ...fields);
    const editor = await h.editors.open({ connection: 'cl-cluster', key });
    for (let i = 0; i < 200 && editor.status().load !== 'done'; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(editor.status().load, 'done');
    assert.equal(editor.status().view.length, 1500);
    await run('editField', { connection: 'cl-cluster', key, field: 'f7', value: 'edited' });
    const owner = await cluster.masterOf(Number(await admin.cluster('KEYSLOT', key)));
    assert.equal(await cluster.admin(owner).hget(key, 'f7'), 'edited');
    for (const e of editor.openEditors()) e.panel.dispose();
  });

  it('a cluster connection that reads from replicas lists its keys and a hash\'s fields from the replicas; an edit lands on the master', async () => {
    await run('addConnection', { connection: 'cl-replicas', kind: 'cluster', nodes: cluster.seeds, readFromReplicas: true });
    assert.equal(userNamed('cl-replicas')?.readFromReplicas, true);
    await cluster.replicasListed();
    const masters = await cluster.masters();
    const replicas = cluster.nodes.map((n) => n.port).filter((p) => !masters.includes(p));
    for (const n of cluster.nodes) await cluster.admin(n.port).config('RESETSTAT');
    const conn = await connectionNode(h.tree, 'cl-replicas');
    assert.match(String(itemOf(h.tree, conn).tooltip), /browses from replicas: .*a moment later/);
    const listed = await keysUnder(h.tree, conn);
    assert.deepEqual(listed.filter((k) => k.startsWith('hc:')).sort(), [...keys].sort());
    const fields = await kids(h.tree, await path(h.tree, conn, 'hc', '3'));
    assert.ok(fields.some((f) => f.kind === 'field'), 'the field page of hc:3 is shown');
    const counts = await Promise.all(cluster.nodes.map(async (n) => [n.port, await commandCounts(cluster.admin(n.port))] as const));
    const sum = (command: string, ports: number[]) => counts.filter(([p]) => ports.includes(p)).reduce((t, [, c]) => t + (c[command] ?? 0), 0);
    assert.ok(sum('scan', replicas) > 0, 'the key scan read the replicas');
    assert.ok(sum('hscan', replicas) > 0, 'the field page was read from a replica');
    await run('editField', { connection: 'cl-replicas', key: 'hc:3', field: 'f', value: 'edited via replicas' });
    const owner = await cluster.masterOf(Number(await admin.cluster('KEYSLOT', 'hc:3')));
    assert.equal(await cluster.admin(owner).hget('hc:3', 'f'), 'edited via replicas');
    assert.equal((await commandCounts(cluster.admin(owner))).eval > 0, true, 'the compare-and-set ran on the master');
    await admin.hset('hc:3', 'f', '3');
  });

  it('the edit form of a cluster connection has a yes/no Read from replicas step that states the lag; No saves it off', async () => {
    const picks = ['Read from replicas', 'No', '$(check) Save'];
    const shown: vscode.QuickPickItem[][] = [];
    await withPrompts(
      h,
      { pick: async <T extends vscode.QuickPickItem>(items: readonly T[]) => (shown.push([...items]), items.find((i) => i.label === picks[0] && picks.shift())) },
      async () => run('editConnection', await connectionNode(h.tree, 'cl-replicas')),
    );
    assert.deepEqual(picks, []);
    assert.match(String(shown[0].find((i) => i.label === 'Read from replicas')?.description), /^yes/);
    assert.deepEqual(shown[1].map((i) => i.label), ['No', 'Yes']);
    assert.match(String(shown[1][1].detail), /written a moment ago may show a moment later.*Edits are never affected/);
    const saved = await waitFor('the setting saved without readFromReplicas', () => (userNamed('cl-replicas')?.readFromReplicas === undefined ? userNamed('cl-replicas') : undefined));
    assert.equal(saved.kind, 'cluster');
  });

  it('live updates: a write on the master that owns the key reaches the open editor (watched on that master)', async () => {
    const seed = cluster.seeds[0].port;
    let key = '';
    for (let i = 0; !key; i++) if ((await cluster.masterOf(Number(await admin.cluster('KEYSLOT', `live:${i}`)))) !== seed) key = `live:${i}`;
    await admin.hset(key, 'a', '1', 'b', '2');
    await setSetting('live.mode', 'auto');
    try {
      const editor = await h.editors.open({ connection: 'cl-cluster', key });
      await editor.loaded();
      const rows = async () => (await editor.request('rows', { version: editor.status().view.version, start: 0, count: 10 }))?.rows ?? [];
      const a = (await rows()).find((r) => r.field === 'a');
      assert.ok(a);
      await waitFor('live on the cluster', () => editor.live().state === 'live', 20_000);
      await cluster.admin(await cluster.masterOf(Number(await admin.cluster('KEYSLOT', key)))).hset(key, 'a', 'from the app', 'c', 'new');
      // the sync that took the new value names the row (posted after the store took it)
      await waitFor('the changed row is named', () => editor.events().some((e) => e.type === 'live' && e.changed.includes(a.id)), 20_000);
      assert.equal((await rows()).find((r) => r.field === 'a')?.value, 'from the app');
      await waitFor('the new field and the count', async () => editor.header()?.fieldCount === 3 && (await rows()).some((r) => r.field === 'c'));
      editor.panel.dispose();
    } finally {
      await setSetting('live.mode', 'off');
    }
  });

  it('refuses a key rename across slots, leaving the key as it was', async () => {
    const message = await rejectionOf('redisHashExplorer.renameKey', { connection: 'cl-cluster', key: 'hc:2', newName: 'hc:elsewhere:2' });
    assert.match(message, /different hash slots/);
    assert.equal(await admin.hget('hc:2', 'f'), '2');
    assert.equal(await admin.exists('hc:elsewhere:2'), 0);
  });

  it('offers to switch a standalone connection pointed at a cluster node to a cluster one; switched, it lists every master', async () => {
    const seed = cluster.seeds[1];
    await run('addConnection', { connection: 'cl-plain', host: seed.host, port: seed.port });
    const offers: string[] = [];
    h.prompts.set({ offer: async (message, ...buttons) => (offers.push(message), buttons.find((b) => b === 'Switch to Cluster')) });
    try {
      await keysUnder(h.tree, await connectionNode(h.tree, 'cl-plain'));
      const saved = await waitFor('the connection switched to cluster', () => (userNamed('cl-plain')?.kind === 'cluster' ? userNamed('cl-plain') : undefined));
      assert.equal(offers.length, 1);
      assert.match(offers[0], /"cl-plain" is connected to a node of a Redis Cluster/);
      assert.deepEqual(saved.nodes, [seed]);
      assert.equal(saved.host, undefined);
      assert.equal(saved.db, undefined);
      // the tree reads the switched profile when VS Code reports the settings change, a moment after the write
      const switched = await waitFor('the tree showing cl-plain as a cluster connection', async () =>
        (await h.tree.getChildren()).find((n) => n.kind === 'connection' && n.name === 'cl-plain' && n.profile.kind === 'cluster'),
      );
      const listed = await keysUnder(h.tree, switched);
      assert.deepEqual(listed.filter((k) => k.startsWith('hc:')).sort(), [...keys].sort());
      assert.equal(offers.length, 1, 'offered once');
    } finally {
      h.prompts.reset();
      await run('removeConnection', { connection: 'cl-plain' }).catch(() => undefined);
    }
  });

  it('switching to cluster keeps a cluster client the tree opened on the settings change (it closed it after the save)', async () => {
    const seed = cluster.seeds[2];
    await run('addConnection', { connection: 'cl-race', host: seed.host, port: seed.port });
    // what the tree does when VS Code reports the changed settings: it asks the pool for a client at once
    let opened: ReturnType<typeof h.tree.pool.get> | undefined;
    const sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!opened && e.affectsConfiguration('redisHashExplorer.connections')) opened = h.tree.pool.get('cl-race');
    });
    try {
      await h.tree.pool.switchToCluster('cl-race');
      assert.ok(opened, 'the settings change came before the switch resolved');
      const conn = await opened;
      assert.equal(conn.kind, 'cluster');
      await new Promise((r) => setTimeout(r, 200));
      assert.notEqual(conn.status, 'end', 'the cluster client opened on the change was closed');
      assert.equal(await h.tree.pool.get('cl-race'), conn, 'the pool keeps giving the same client');
    } finally {
      sub.dispose();
      await run('removeConnection', { connection: 'cl-race' }).catch(() => undefined);
    }
  });

  it('adds a sentinel connection from a script and writes to the master the sentinels name', async () => {
    await run('addConnection', { connection: 'cl-sentinel', kind: 'sentinel', sentinels: sentinel.sentinelAddresses, masterName: sentinel.masterName });
    const saved = userNamed('cl-sentinel');
    assert.equal(saved?.kind, 'sentinel');
    assert.equal(saved?.masterName, sentinel.masterName);
    const master = sentinel.admin(await sentinel.masterPort());
    await master.hset('st:h', 'f', 'before');
    await run('editField', { connection: 'cl-sentinel', key: 'st:h', field: 'f', value: 'through sentinels' });
    assert.equal(await master.hget('st:h', 'f'), 'through sentinels');
    // reported done only once a replica had it
    const replica = sentinel.servers.find((s) => s.port !== Number(master.options.port));
    assert.ok(replica);
    assert.equal(await sentinel.admin(replica.port).hget('st:h', 'f'), 'through sentinels');
  });

  it('readFromReplicas on a standalone or sentinel connection is refused and nothing is saved', async () => {
    const seed = cluster.seeds[0];
    const message = await rejectionOf('redisHashExplorer.addConnection', { connection: 'cl-norep', host: seed.host, port: seed.port, readFromReplicas: true, test: false });
    assert.match(message, /"readFromReplicas" is only for a cluster connection.*"cl-norep" is a standalone connection.*Nothing was saved/);
    assert.equal(userNamed('cl-norep'), undefined);
    const before = userNamed('cl-sentinel');
    const edit = await rejectionOf('redisHashExplorer.editConnection', { connection: 'cl-sentinel', readFromReplicas: true });
    assert.match(edit, /"cl-sentinel" is a sentinel connection.*Nothing was saved/);
    assert.deepEqual(userNamed('cl-sentinel'), before);
  });

  it('a wrong master name is refused clearly and nothing is saved', async () => {
    const message = await rejectionOf('redisHashExplorer.addConnection', { connection: 'cl-wrong', kind: 'sentinel', sentinels: sentinel.sentinelAddresses, masterName: 'nope' });
    assert.match(message, /know no master named "nope"/);
    assert.equal(userNamed('cl-wrong'), undefined);
  });
});
