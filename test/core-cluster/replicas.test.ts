import * as assert from 'node:assert/strict';
import { Cluster } from 'ioredis';
import { compareAndSet, getField, setFieldIfUnchanged } from '../../src/core/hashOps';
import { keyFacts } from '../../src/core/keyOps';
import { KeyScan } from '../../src/core/keyScan';
import { HashPager, KeyPager } from '../../src/core/pagers';
import { HashSession } from '../../src/core/hashSession';
import { sleep } from '../support/cluster';
import { clusterProfile, connectTo, readThroughFailover, rejoin, testCluster } from './hooks';

/*
 * Browsing from replicas (`readFromReplicas`): the tree's key scan and a hash's HSCAN pages go to the
 * replicas; facts, compare-and-set reads and writes stay on the masters. Counted exactly with
 * INFO commandstats on every node after CONFIG RESETSTAT.
 */

type Stats = Map<number, Map<string, number>>;

async function roles(): Promise<{ masters: number[]; replicas: number[] }> {
  const masters = await testCluster().masters();
  const replicas = testCluster().nodes.filter((n) => !n.paused && !masters.includes(n.port)).map((n) => n.port);
  return { masters, replicas };
}

async function resetStats(): Promise<void> {
  for (const n of testCluster().nodes) if (!n.paused) await testCluster().admin(n.port).config('RESETSTAT');
}

async function stats(): Promise<Stats> {
  const out: Stats = new Map();
  for (const n of testCluster().nodes) {
    if (n.paused) continue;
    const calls = new Map<string, number>();
    for (const m of (await testCluster().admin(n.port).info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1], Number(m[2]));
    out.set(n.port, calls);
  }
  return out;
}

/** Calls of `command` summed over `ports`. */
function calls(s: Stats, command: string, ports: number[]): number {
  return ports.reduce((sum, p) => sum + (s.get(p)?.get(command) ?? 0), 0);
}


describe('cluster: browsing from replicas', function () {
  this.timeout(120_000);
  let admin: Cluster;
  const keys: string[] = [];
  const hash = 'replica:hash';
  const fields: string[] = [];

  before(async () => {
    admin = new Cluster(testCluster().seeds, { scaleReads: 'master' });
    for (let i = 0; i < 600; i++) keys.push(`replica:k:${i}`);
    for (let i = 0; i < 3000; i++) fields.push(`f${i}`);
    await Promise.all(keys.map((k) => admin.set(k, 'v')));
    await admin.hset(hash, ...fields.flatMap((f) => [f, `v${f}`]));
    keys.push(hash);
    // the replicas have every key before anything is read from them
    for (const port of await testCluster().masters()) await testCluster().admin(port).call('WAIT', '1', '5000');
    await testCluster().replicasListed();
  });

  after(async () => {
    await Promise.all(keys.map((k) => admin.del(k)));
    admin.disconnect();
  });

  it('scans the keys and a hash from replicas only, READONLY first; edits, facts and writes go to the masters', async () => {
    const { masters, replicas } = await roles();
    assert.equal(replicas.length, 3);
    await resetStats();
    const conn = await connectTo(clusterProfile({ readFromReplicas: true }));
    const seen = new Set<string>();
    const scan = new KeyScan(conn, { match: 'replica:*', count: 50, browsing: true }, (page) => {
      for (const k of page) seen.add(k.toString());
      return page.length;
    });
    while (!scan.done) await scan.run(10_000);
    assert.deepEqual([...seen].sort(), [...keys].sort());
    const names = new Set<string>();
    const pager = new HashPager(conn, hash, { count: 200, browsing: true });
    while (!pager.done) for (const f of (await pager.next()).fields) names.add(f.toString());
    assert.deepEqual([...names].sort(), [...fields].sort());
    let s = await stats();
    assert.equal(calls(s, 'scan', masters), 0, 'no SCAN on a master');
    assert.equal(calls(s, 'hscan', masters), 0, 'no HSCAN on a master');
    assert.ok(calls(s, 'scan', replicas) >= 3, `SCAN on the replicas: ${calls(s, 'scan', replicas)}`);
    for (const port of replicas) assert.ok((s.get(port)?.get('scan') ?? 0) > 0, `replica ${port} scanned`);
    assert.ok(calls(s, 'hscan', replicas) > 0);
    // ioredis sends READONLY on each replica connection before anything else (a replica answers HSCAN with MOVED without it)
    for (const port of replicas) assert.ok((s.get(port)?.get('readonly') ?? 0) > 0, `READONLY on ${port}`);

    // facts, the compare-and-set read and the writes: masters only
    await resetStats();
    const [facts] = await keyFacts(conn, [hash]);
    assert.deepEqual([facts?.type, facts?.fields], ['hash', 3000]);
    await setFieldIfUnchanged(conn, hash, 'f1', 'vf1', 'edited');
    assert.deepEqual(await compareAndSet(conn, hash, 'f2', 'stale', 'lost'), { ok: false, current: Buffer.from('vf2') });
    assert.equal((await getField(conn, hash, 'f1'))?.toString(), 'edited');
    s = await stats();
    for (const command of ['type', 'hlen', 'eval', 'hget', 'scan', 'hscan']) assert.equal(calls(s, command, replicas), 0, `${command} on a replica`);
    assert.ok(calls(s, 'eval', masters) >= 2, 'the compare-and-set edits ran on the master');
    assert.ok(calls(s, 'hget', masters) >= 1);
    assert.equal(await testCluster().admin(await testCluster().masterOf(Number(await admin.cluster('KEYSLOT', hash)))).hget(hash, 'f2'), 'vf2');
    await admin.hset(hash, 'f1', 'vf1');

    // what decides a write or re-reads after a change (no `browsing`) stays on the masters
    await resetStats();
    const bulk = new HashPager(conn, hash, { count: 1000 });
    while (!bulk.done) await bulk.next();
    const folder = new KeyPager(conn, { match: 'replica:*', count: 200 });
    while (!folder.done) await folder.next();
    s = await stats();
    assert.equal(calls(s, 'hscan', replicas) + calls(s, 'scan', replicas), 0);
    assert.ok(calls(s, 'hscan', masters) > 0 && calls(s, 'scan', masters) > 0);
  });

  it('the hash editor loads from a replica; a load that follows a change on the server reads the master', async () => {
    const { masters, replicas } = await roles();
    const conn = await connectTo(clusterProfile({ readFromReplicas: true }));
    const session = new HashSession({ connection: 'cluster', db: 0, key: Buffer.from(hash) }, () => Promise.resolve(conn), { status: () => undefined, invalidate: () => undefined });
    const load = async (afterChange: boolean) => {
      await resetStats();
      await session.start(undefined, undefined, afterChange);
      await session.loaded();
      assert.equal(session.store.size, fields.length);
      return stats();
    };
    let s = await load(false);
    assert.ok(calls(s, 'hscan', replicas) > 0);
    assert.equal(calls(s, 'hscan', masters), 0);
    s = await load(true);
    assert.equal(calls(s, 'hscan', replicas), 0);
    assert.ok(calls(s, 'hscan', masters) > 0);
    session.dispose();
  });

  it('without readFromReplicas nothing reaches the replicas', async () => {
    const { masters, replicas } = await roles();
    await resetStats();
    const conn = await connectTo(clusterProfile());
    const pager = new KeyPager(conn, { match: 'replica:*', count: 100, browsing: true });
    const seen = new Set<string>();
    while (!pager.done) for (const k of await pager.next()) seen.add(k.toString());
    assert.equal(seen.size, keys.length);
    const fieldPager = new HashPager(conn, hash, { count: 500, browsing: true });
    while (!fieldPager.done) await fieldPager.next();
    const s = await stats();
    assert.equal(calls(s, 'scan', replicas), 0);
    assert.equal(calls(s, 'hscan', replicas), 0);
    assert.ok(calls(s, 'scan', masters) > 0 && calls(s, 'hscan', masters) > 0);
  });

  it('a replica stopped mid-scan: that master\'s keys and the hash\'s fields are read again elsewhere, none lost', async () => {
    const conn = await connectTo(clusterProfile({ readFromReplicas: true }), { commandTimeoutMs: 1500 });
    const pager = new KeyPager(conn, { match: 'replica:*', count: 10, browsing: true });
    const seen = new Set<string>();
    const fieldPager = new HashPager(conn, hash, { count: 100, browsing: true });
    const names = new Set<string>();
    for (const f of (await fieldPager.next()).fields) names.add(f.toString());
    // the replica the hash is read from: its master's key scan runs there too
    const hashMaster = await testCluster().masterOf(Number(await admin.cluster('KEYSLOT', hash)));
    const { replicas } = await roles();
    const roleOf = async (port: number) => (await testCluster().admin(port).call('ROLE')) as [string, string, number];
    let victim: number | undefined;
    for (const port of replicas) if ((await roleOf(port))[2] === hashMaster) victim = port;
    assert.ok(victim !== undefined, 'the hash\'s master has a replica');
    // until a page of that master's keys came from that replica
    while (!pager.positions().some((p) => p.node === `127.0.0.1:${victim}`)) for (const k of await pager.next()) seen.add(k.toString());
    assert.ok(!pager.done && !fieldPager.done);
    await sleep(200);
    await resetStats();
    testCluster().nodes.find((n) => n.port === victim)?.pause();
    try {
      while (!pager.done) for (const k of await pager.next()) seen.add(k.toString());
      while (!fieldPager.done) for (const f of (await fieldPager.next()).fields) names.add(f.toString());
      assert.deepEqual([...seen].sort(), [...keys].sort());
      assert.deepEqual([...names].sort(), [...fields].sort());
      assert.ok(pager.positions().some((p) => p.node === `127.0.0.1:${hashMaster}`), 'that master\'s scan finished on the master');
      const s = await stats();
      assert.ok(calls(s, 'scan', [hashMaster]) > 0 && calls(s, 'hscan', [hashMaster]) > 0, 'both scans started over on the master');
    } finally {
      await rejoin(victim);
    }
  });


  it('a master fails while its keys are scanned from its replica: the promoted replica goes on, none lost', async () => {
    const conn = await connectTo(clusterProfile({ readFromReplicas: true }), { commandTimeoutMs: 1500 });
    const slot = Number(await admin.cluster('KEYSLOT', hash));
    const victim = await testCluster().masterOf(slot);
    const { replicas } = await roles();
    let replica: number | undefined;
    for (const port of replicas) if (((await testCluster().admin(port).call('ROLE')) as [string, string, number])[2] === victim) replica = port;
    assert.ok(replica !== undefined);
    const pager = new KeyPager(conn, { match: 'replica:*', count: 10, browsing: true });
    const seen = new Set<string>();
    while (!pager.positions().some((p) => p.node === `127.0.0.1:${replica}`)) for (const k of await pager.next()) seen.add(k.toString());
    assert.ok(!pager.done);
    await sleep(200);
    testCluster().nodes.find((n) => n.port === victim)?.pause();
    try {
      for (let i = 0; i < 600 && (await testCluster().masterOf(slot).catch(() => victim)) !== replica; i++) await sleep(100);
      assert.equal(await testCluster().masterOf(slot), replica, 'the replica was promoted');
      await readThroughFailover(pager, seen, 20);
      assert.deepEqual([...seen].sort(), [...keys].sort());
    } finally {
      await rejoin(victim);
    }
  });
});
