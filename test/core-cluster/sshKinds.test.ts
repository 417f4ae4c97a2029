// A cluster and a sentinel-managed master reached through an SSH tunnel to a real sshd: every node the cluster
// announces and the master the sentinels name go through the one SSH connection, also after a failover; every
// TCP connection the client opens is recorded, and none goes to a Redis or sentinel port directly.
import * as assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type Redis from 'ioredis';
import { compareAndSet } from '../../src/core/hashOps';
import { KeyPager } from '../../src/core/pagers';
import type { SshOptions } from '../../src/core/sshTunnel';
import { sleep } from '../support/cluster';
import { startSshd } from '../support/sshd';
import type { TestSshd } from '../support/sshd';
import { clusterProfile, connectTo, sentinelProfile, testCluster, testSentinel } from './hooks';

/** Remote ports of the TCP connections opened with net.connect (as ioredis does) while recording. */
class Dialed {
  readonly ports: number[] = [];
  private readonly onSocket = (message: unknown) => {
    const socket = (message as { socket: Socket }).socket;
    socket.once('connect', () => this.ports.push(socket.remotePort ?? -1));
  };
  constructor() {
    subscribe('net.client.socket', this.onSocket);
  }
  stop(): number[] {
    unsubscribe('net.client.socket', this.onSocket);
    return this.ports;
  }
  /** The harness's own clients (admin, failover) dial directly: not recorded. */
  async besides<T>(fn: () => Promise<T>): Promise<T> {
    unsubscribe('net.client.socket', this.onSocket);
    try {
      return await fn();
    } finally {
      subscribe('net.client.socket', this.onSocket);
    }
  }
}

describe('cluster and sentinel through an SSH tunnel (real sshd)', function () {
  this.timeout(120_000);
  let sshd: TestSshd;
  /** a plain client on one node, connected before anything is recorded (KEYSLOT only) */
  let admin: Redis;

  before(async function () {
    this.timeout(60_000);
    sshd = await startSshd();
    admin = testCluster().admin(testCluster().seeds[0].port);
    await admin.ping();
  });
  after(async () => {
    await sshd?.stop();
  });

  const ssh = (): SshOptions => ({ host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: sshd.keys.plain, hostKey: sshd.fingerprint });
  const clusterPorts = () => testCluster().nodes.map((n) => n.port);
  const slotOf = async (key: string) => Number(await admin.cluster('KEYSLOT', key));
  const del = async (key: string) => testCluster().admin(await testCluster().masterOf(await slotOf(key))).del(key);

  it('cluster: keys on every master written and listed through one SSH connection, no node dialed directly', async () => {
    const sessionsBefore = new Set(sshd.sessionPids());
    const dialed = new Dialed();
    const keys = Array.from({ length: 30 }, (_, i) => `ssh-cl:${i}`);
    let conn: Awaited<ReturnType<typeof connectTo>> | undefined;
    try {
      conn = await connectTo(clusterProfile({ ssh: ssh() }));
      const c0 = conn;
      for (const k of keys) await c0.run((c) => c.hset(k, 'f', `v-${k}`));
      const listed = new Set<string>();
      const pager = new KeyPager(c0, { match: 'ssh-cl:*', count: 100 });
      while (!pager.done) for (const k of await pager.next()) listed.add(k.toString());
      assert.deepEqual([...listed].sort(), [...keys].sort());
    } finally {
      dialed.stop();
    }
    const owners = new Set<number>();
    for (const k of keys) {
      const owner = await testCluster().masterOf(await slotOf(k));
      owners.add(owner);
      assert.equal(await testCluster().admin(owner).hget(k, 'f'), `v-${k}`);
    }
    assert.equal(owners.size, 3, 'the keys are spread over the three masters');
    // Every node the client knows is a local end of the tunnel (sockets the whole process dialed are not counted:
    // the harness's own clients reconnect to the nodes directly at any time).
    const nodePorts = (conn?.scanTargets() ?? []).map((n) => Number(n.options.port));
    assert.ok(nodePorts.length >= 3);
    assert.deepEqual(nodePorts.filter((p) => clusterPorts().includes(p)), [], 'no cluster node dialed directly');
    assert.ok(dialed.ports.length >= 3, `one connection per master at least: ${dialed.ports.join(', ')}`);
    const mine = sshd.sessionPids().filter((p) => !sessionsBefore.has(p));
    const one = new Set(sshd.sessionPids());
    const probe = await connectTo({ ...clusterProfile({ ssh: ssh() }), name: 'one' });
    const perConnection = sshd.sessionPids().filter((p) => !one.has(p)).length;
    await probe.close();
    assert.equal(mine.length, perConnection, 'the whole cluster through one SSH connection');
    for (const k of keys) await del(k);
  });

  it('cluster: after a master fails, edits reach the promoted replica through the tunnel', async () => {
    const conn = await connectTo(clusterProfile({ ssh: ssh() }), { commandTimeoutMs: 1500 });
    const key = 'ssh-failover';
    await conn.run((c) => c.hset(key, 'f', 'before'));
    const slot = await slotOf(key);
    const victim = await testCluster().masterOf(slot);
    await testCluster().admin(victim).call('WAIT', '1', '2000');
    const dialed = new Dialed();
    testCluster().nodes.find((n) => n.port === victim)?.pause();
    let promoted = victim;
    try {
      for (let i = 0; i < 600 && promoted === victim; i++) {
        promoted = await dialed.besides(() => testCluster().masterOf(slot)).catch(() => victim);
        if (promoted === victim) await sleep(100);
      }
      assert.notEqual(promoted, victim, 'a replica was promoted');
      await dialed.besides(() => testCluster().waitHealthy());
      // An attempt whose answer was lost may have applied: then the value already reads "after".
      let ok = false;
      let last = '';
      for (let i = 0; i < 120 && !ok; i++) {
        const r = await compareAndSet(conn, key, 'f', 'before', 'after').catch((err: unknown) => void (last = String(err)));
        ok = r?.ok === true || (r?.ok === false && r.current?.toString() === 'after');
        if (!ok) await sleep(250);
      }
      assert.ok(ok, `edits work again after the failover (last: ${last})`);
    } finally {
      dialed.stop();
      const node = testCluster().nodes.find((n) => n.port === victim);
      node?.resume();
      for (let i = 0; i < 600; i++) {
        const role = (await testCluster().admin(victim).call('ROLE').catch(() => [])) as unknown[];
        if (role[0] === 'slave') break;
        await sleep(100);
      }
      await testCluster().waitHealthy();
    }
    assert.equal(await testCluster().admin(promoted).hget(key, 'f'), 'after');
    // Every node the client knows now, the promoted one included, is a local end of the tunnel. (Sockets dialed in
    // the process are not counted here: the harness's own clients reconnect to the nodes directly at any time.)
    const nodePorts = conn.scanTargets().map((n) => Number(n.options.port));
    assert.ok(nodePorts.length >= 3);
    assert.deepEqual(nodePorts.filter((p) => clusterPorts().includes(p)), [], 'the promoted node was reached through the tunnel too');
    await del(key);
  });

  it('sentinel: writes reach the master the sentinels name, and the new one after a failover, only through the tunnel', async () => {
    const s = testSentinel();
    const direct = () => [...s.servers.map((x) => x.port), ...s.sentinels.map((x) => x.port)];
    const dialed = new Dialed();
    try {
      const conn = await connectTo(sentinelProfile({ ssh: ssh() }));
      await conn.run((c) => c.hset('ssh-st', 'f', 'first'));
      const first = await dialed.besides(() => s.masterPort());
      assert.equal(await dialed.besides(() => s.admin(first).hget('ssh-st', 'f')), 'first');
      const next = await dialed.besides(() => s.failover());
      assert.notEqual(next, first);
      let ok = false;
      for (let i = 0; i < 80 && !ok; i++) {
        ok = await conn.run((c) => c.hset('ssh-st', 'f', 'second')).then(
          () => true,
          () => false,
        );
        if (!ok) await sleep(250);
      }
      assert.ok(ok, 'writes work again after the failover');
      assert.equal(await dialed.besides(() => s.admin(next).hget('ssh-st', 'f')), 'second');
    } finally {
      dialed.stop();
    }
    assert.deepEqual(dialed.ports.filter((p) => direct().includes(p)), [], `dialed ${dialed.ports.join(', ')}`);
  });
});
