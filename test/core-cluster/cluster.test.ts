import * as assert from 'node:assert/strict';
import { Cluster } from 'ioredis';
import type Redis from 'ioredis';
import { keySlot } from '../../src/core/clusterScan';
import { RedisConnection } from '../../src/core/connection';
import type { RedisExplorerError } from '../../src/core/errors';
import { compareAndSet, getField, setFieldIfUnchanged } from '../../src/core/hashOps';
import { keyFacts, keyTypes, renameKey } from '../../src/core/keyOps';
import { HashPager, KeyPager } from '../../src/core/pagers';
import { getServerInfo } from '../../src/core/serverInfo';
import { settle, fieldSet } from '../../src/core/settle';
import { sleep, startProcess } from '../support/cluster';
import { freePort } from '../support/redisServer';
import { clusterProfile, connectTo, ours, readThroughFailover, rejoin, testCluster } from './hooks';

async function failing(p: Promise<unknown>): Promise<RedisExplorerError> {
  try {
    await p;
  } catch (err) {
    return ours(err);
  }
  assert.fail('expected a rejection');
}

let admin: Cluster;

/** Slot of a key, as the cluster computes it. */
async function slotOf(key: string): Promise<number> {
  return Number(await admin.cluster('KEYSLOT', key));
}

/** A key of the given prefix owned by a master other than `notOn` (and, if given, owned by `on`). */
async function keyOnMaster(prefix: string, on?: number, notOn?: number): Promise<string> {
  for (let i = 0; i < 10000; i++) {
    const key = `${prefix}${i}`;
    const owner = await testCluster().masterOf(await slotOf(key));
    if ((on === undefined || owner === on) && owner !== notOn) return key;
  }
  throw new Error('no such key');
}

/** Until every master's writes so far are on its replica (a failover then loses none of them). */
async function replicated(): Promise<void> {
  for (const port of await testCluster().masters()) await testCluster().admin(port).call('WAIT', '1', '5000');
}

/** Waits until the master on `port` no longer serves `slot` (its replica was promoted). */
async function waitFailover(port: number, slot: number): Promise<number> {
  for (let i = 0; i < 600; i++) {
    try {
      const owner = await testCluster().masterOf(slot);
      if (owner !== port) {
        await testCluster().waitHealthy();
        return owner;
      }
    } catch {
      // the map is changing
    }
    await sleep(100);
  }
  throw new Error('no failover');
}


describe('cluster', function () {
  this.timeout(120000);
  const seeded: string[] = [];

  before(async () => {
    admin = new Cluster(testCluster().seeds, { scaleReads: 'master' });
    for (let i = 0; i < 300; i++) seeded.push(`browse:${i}`);
    await Promise.all(seeded.map((k, i) => (i % 3 === 0 ? admin.set(k, 'v') : admin.hset(k, 'f', String(i)))));
    await replicated();
  });

  after(() => admin.disconnect());

  it('lists the keys of every master, with MATCH and TYPE, across pages', async () => {
    const conn = await connectTo(clusterProfile());
    assert.equal(conn.scanTargets().length, 3);
    // the seeded keys are spread over all three masters
    const owners = new Set<number>();
    for (const k of seeded.slice(0, 30)) owners.add(await testCluster().masterOf(await slotOf(k)));
    assert.equal(owners.size, 3);
    const pager = new KeyPager(conn, { match: 'browse:*', count: 20 });
    const seen = new Set<string>();
    let pages = 0;
    while (!pager.done) {
      for (const k of await pager.next()) seen.add(k.toString());
      pages++;
    }
    assert.deepEqual([...seen].sort(), [...seeded].sort());
    assert.ok(pages > 1, 'more than one page');
    const hashes = new KeyPager(conn, { match: 'browse:*', type: 'hash', count: 1000 });
    const hashKeys = new Set((await hashes.nextAtLeast(10000)).map((k) => k.toString()));
    assert.deepEqual([...hashKeys].sort(), seeded.filter((_, i) => i % 3 !== 0).sort());
  });

  it('hands over every page, also the last ones that arrive between two calls', async () => {
    const conn = await connectTo(clusterProfile());
    for (const count of [1000, 10]) {
      const pager = new KeyPager(conn, { match: 'browse:*', count });
      const seen = new Set<string>();
      while (!pager.done) {
        for (const k of await pager.next()) seen.add(k.toString());
        // the caller works between pages: the other masters' pages, and their last ones, arrive meanwhile
        await sleep(50);
      }
      assert.deepEqual([...seen].sort(), [...seeded].sort(), `COUNT ${count}`);
    }
  });

  it('reads server facts over all masters: database 0 only, key counts added up', async () => {
    const conn = await connectTo(clusterProfile());
    const info = await getServerInfo(conn);
    assert.equal(info.mode, 'cluster');
    assert.equal(info.databases, 1);
    let total = 0;
    for (const port of await testCluster().masters()) total += Number(await testCluster().admin(port).dbsize());
    assert.equal(info.keyspace.get(0), total);
  });

  it('refuses a database other than 0, sending nothing', async () => {
    const err = await failing(RedisConnection.open(clusterProfile(), { db: 3 }));
    assert.match(err.message, /only database 0/);
    assert.match(err.message, /Nothing was sent/);
  });

  it('reads TYPE, PTTL and HLEN of keys in many slots without a cross-slot pipeline', async () => {
    const conn = await connectTo(clusterProfile());
    await admin.pexpire('browse:1', 100000);
    const keys = ['browse:0', 'browse:1', 'browse:2', 'no-such-key'];
    const facts = await keyFacts(conn, keys);
    assert.equal(facts[0]?.type, 'string');
    assert.equal(facts[1]?.type, 'hash');
    assert.equal(facts[1]?.fields, 1);
    assert.ok((facts[1]?.pttl ?? 0) > 0);
    assert.equal(facts[2]?.pttl, -1);
    assert.equal(facts[3]?.type, 'none');
    // TYPE alone, of the same keys (the tree's check of the names it remembers)
    assert.deepEqual(await keyTypes(conn, keys), facts.map((f) => f?.type));
  });

  it('routes edits and HSCAN to the node that owns the key', async () => {
    const seed = testCluster().seeds[0].port;
    const key = await keyOnMaster('routed:', undefined, seed);
    const owner = await testCluster().masterOf(await slotOf(key));
    await admin.hset(key, 'a', '1', 'b', '2');
    const conn = await connectTo(clusterProfile({ nodes: [testCluster().seeds[0]] }));
    await setFieldIfUnchanged(conn, key, 'a', '1', 'changed');
    assert.equal(await testCluster().admin(owner).hget(key, 'a'), 'changed');
    const page = await new HashPager(conn, key).nextAtLeast(10);
    assert.deepEqual(page.fields.map(String).sort(), ['a', 'b']);
  });

  it('refuses a key rename across slots clearly, leaving both keys as they were', async () => {
    const conn = await connectTo(clusterProfile());
    const from = 'rename:{a}:1';
    let to = 'rename:other:0';
    for (let i = 0; (await slotOf(to)) === (await slotOf(from)); i++) to = `rename:other:${i}`;
    await admin.hset(from, 'f', 'v');
    await admin.expire(from, 1000);
    const err = await failing(renameKey(conn, from, to));
    assert.match(err.message, /different hash slots/);
    assert.match(err.message, /Nothing was renamed/);
    assert.equal(await admin.hget(from, 'f'), 'v');
    assert.ok((await admin.ttl(from)) > 0);
    assert.equal(await admin.exists(to), 0);
    // the same hash tag: one slot, renamed
    await renameKey(conn, from, 'rename:{a}:2');
    assert.equal(await admin.hget('rename:{a}:2', 'f'), 'v');
    assert.ok((await admin.ttl('rename:{a}:2')) > 0);
  });

  it('follows a slot migrated while a hash is read and edited (ASK, then MOVED)', async () => {
    const key = 'migrating-hash';
    const fields: string[] = [];
    for (let i = 0; i < 2000; i++) fields.push(`f${i}`, `v${i}`);
    await admin.hset(key, ...fields);
    const conn = await connectTo(clusterProfile());
    const pager = new HashPager(conn, key, { count: 100 });
    const seen = new Set<string>();
    for (const f of (await pager.next()).fields) seen.add(f.toString());
    const slot = await slotOf(key);
    const source = await testCluster().masterOf(slot);
    const target = (await testCluster().masters()).find((p) => p !== source) as number;
    const src = testCluster().admin(source);
    const dst = testCluster().admin(target);
    const id = async (r: Redis) => String(await r.cluster('MYID'));
    const [srcId, dstId] = [await id(src), await id(dst)];
    await dst.cluster('SETSLOT', slot, 'IMPORTING', srcId);
    await src.cluster('SETSLOT', slot, 'MIGRATING', dstId);
    await src.migrate('127.0.0.1', target, '', 0, 5000, 'KEYS', key);
    // now the key is on the target while the slot is still migrating: the source answers ASK
    await setFieldIfUnchanged(conn, key, 'f1', 'v1', 'during-migration');
    await dst.asking();
    assert.equal(await dst.hget(key, 'f1'), 'during-migration');
    for (const port of await testCluster().masters()) await testCluster().admin(port).cluster('SETSLOT', slot, 'NODE', dstId);
    // the slot moved: the client is told MOVED and follows it
    while (!pager.done) for (const f of (await pager.next()).fields) seen.add(f.toString());
    assert.equal(seen.size, 2000);
    await setFieldIfUnchanged(conn, key, 'f2', 'v2', 'after-migration');
    assert.equal(await dst.hget(key, 'f2'), 'after-migration');
    assert.equal((await getField(conn, key, 'f1'))?.toString(), 'during-migration');
    await testCluster().waitHealthy();
  });

  it('goes on browsing after a master fails and its replica is promoted', async () => {
    const conn = await connectTo(clusterProfile(), { commandTimeoutMs: 1500 });
    const pager = new KeyPager(conn, { match: 'browse:*', count: 10 });
    const seen = new Set<string>();
    for (const k of await pager.next()) seen.add(k.toString());
    assert.ok(!pager.done);
    const slot = await slotOf('browse:7');
    const victim = await testCluster().masterOf(slot);
    // (replication is asynchronous: a key its replica has not got yet would be lost with the master, not missed by the scan)
    await testCluster().admin(victim).call('WAIT', '1', '5000');
    testCluster().nodes.find((n) => n.port === victim)?.pause();
    try {
      const promoted = await waitFailover(victim, slot);
      assert.notEqual(promoted, victim);
      // At most a clear transient error while the client learns the new map (on a loaded machine that may
      // take a few slot-map refreshes, each failed request costing a command timeout); then the scan goes on.
      // as the tree does, work between pages: the masters' next pages (the last ones too) arrive meanwhile
      await readThroughFailover(pager, seen, 20);
      assert.deepEqual([...seen].sort(), [...seeded].sort());
    } finally {
      await rejoin(victim);
    }
  });

  it('sees every key present when a failed master comes back mid-scan while the client still has the old slot map', async () => {
    // The slot map is not re-read during the test: the client keeps taking the old master for the master.
    const conn = await connectTo(clusterProfile(), { commandTimeoutMs: 1500, slotsRefreshIntervalMs: 600_000 });
    const pager = new KeyPager(conn, { match: 'browse:*', count: 10 });
    const seen = new Set<string>();
    for (const k of await pager.next()) seen.add(k.toString());
    assert.ok(!pager.done);
    const slot = await slotOf('browse:7');
    const victim = await testCluster().masterOf(slot);
    await testCluster().admin(victim).call('WAIT', '1', '5000');
    // wait until the pages asked ahead are in: the victim is stopped between two requests
    await sleep(200);
    testCluster().nodes.find((n) => n.port === victim)?.pause();
    const late: string[] = [];
    let promoted = victim;
    try {
      promoted = await waitFailover(victim, slot);
      // written while the old master is away: on its promoted replica only
      for (let i = 0; late.length < 20; i++) if ((await testCluster().masterOf(keySlot(`browse:late:${i}`))) === promoted) late.push(`browse:late:${i}`);
      for (const k of late) await testCluster().admin(promoted).set(k, 'late');
    } finally {
      testCluster().nodes.find((n) => n.port === victim)?.resume();
    }
    try {
      await readThroughFailover(pager, seen);
      const present = [...seeded, ...late].sort();
      assert.deepEqual(present.filter((k) => !seen.has(k)), [], 'keys present but never seen');
    } finally {
      await rejoin(victim);
      for (const k of late) await testCluster().admin(promoted).del(k);
    }
  });

  it('an edit during a failover lands on the new master or is reported as not done', async () => {
    const conn = await connectTo(clusterProfile(), { commandTimeoutMs: 1500 });
    const key = 'failover-edit';
    await admin.hset(key, 'f', 'before');
    await admin.call('WAIT', '1', '2000').catch(() => undefined);
    const slot = await slotOf(key);
    const victim = await testCluster().masterOf(slot);
    await testCluster().admin(victim).call('WAIT', '1', '2000');
    testCluster().nodes.find((n) => n.port === victim)?.pause();
    try {
      let reported: 'done' | 'not done' | 'maybe' = 'done';
      try {
        await setFieldIfUnchanged(conn, key, 'f', 'before', 'after').catch((err: unknown) => settle(conn, err, 'change', fieldSet(conn, key, Buffer.from('f'), Buffer.from('before'), Buffer.from('after'))));
      } catch (err) {
        const e = ours(err);
        reported = e.written === 'maybe' ? 'maybe' : 'not done';
      }
      const promoted = await waitFailover(victim, slot);
      const now = await testCluster().admin(promoted).hget(key, 'f');
      if (reported === 'done') assert.equal(now, 'after');
      if (reported === 'not done') assert.equal(now, 'before');
      // and editing goes on, on the promoted master
      let ok = false;
      for (let i = 0; i < 40 && !ok; i++) {
        const r = await compareAndSet(conn, key, 'f', now, 'later').catch(() => undefined);
        ok = r?.ok === true;
        if (!ok) await sleep(250);
      }
      assert.ok(ok, 'edits work again after the failover');
      assert.equal(await testCluster().admin(promoted).hget(key, 'f'), 'later');
    } finally {
      await rejoin(victim);
    }
  });

  it('says clearly when the seeds are not a cluster, or do not answer', async () => {
    const plain = await startProcess((port, dir) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir]);
    try {
      const err = await failing(RedisConnection.open(clusterProfile({ nodes: [{ host: '127.0.0.1', port: plain.port }] }), { connectTimeoutMs: 2000 }));
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${plain.port} is not a cluster node`));
    } finally {
      await plain.stop();
    }
    const closed = await freePort();
    const err = await failing(RedisConnection.open(clusterProfile({ nodes: [{ host: '127.0.0.1', port: closed }] }), { connectTimeoutMs: 2000 }));
    assert.match(err.message, /No seed node of the cluster answered/);
    assert.match(err.message, new RegExp(String(closed)));
  });

  it('a standalone profile pointed at a cluster node is recognised as one', async () => {
    const seed = testCluster().seeds[0];
    const conn = await connectTo({ name: 'plain', host: seed.host, port: seed.port });
    assert.equal((await getServerInfo(conn)).mode, 'cluster');
  });
});
