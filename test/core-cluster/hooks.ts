import { RedisConnection } from '../../src/core/connection';
import type { ConnectOptions } from '../../src/core/connection';
import type { ConnectionProfile } from '../../src/core/profile';
import * as assert from 'node:assert/strict';
import { RedisExplorerError } from '../../src/core/errors';
import type { KeyPager } from '../../src/core/pagers';
import { sleep, startCluster } from '../support/cluster';
import type { TestCluster } from '../support/cluster';
import { startSentinel } from '../support/sentinel';
import type { TestSentinel } from '../support/sentinel';

/*
 * One cluster (3 masters + 3 replicas) and one sentinel setup (master + replica + 3 sentinels) for the
 * whole suite, started once in parallel: tests that fail a master over leave the setup healthy again
 * (cluster.waitHealthy), so the order of tests does not matter.
 */
let cluster: TestCluster | undefined;
let sentinel: TestSentinel | undefined;
const open: RedisConnection[] = [];

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120000);
    [cluster, sentinel] = await Promise.all([startCluster(), startSentinel()]);
    console.log(`cluster on ${cluster.nodes.map((n) => n.port).join(', ')}; sentinels on ${sentinel.sentinels.map((s) => s.port).join(', ')}`);
  },
  async afterAll() {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await Promise.all([cluster?.stop(), sentinel?.stop()]);
  },
};

export function testCluster(): TestCluster {
  if (!cluster) throw new Error('cluster not started');
  return cluster;
}

export function testSentinel(): TestSentinel {
  if (!sentinel) throw new Error('sentinel setup not started');
  return sentinel;
}

export function clusterProfile(extra: Partial<ConnectionProfile> = {}): ConnectionProfile {
  const c = testCluster();
  return { name: 'cluster', kind: 'cluster', host: c.seeds[0].host, port: c.seeds[0].port, nodes: c.seeds, ...extra };
}

export function sentinelProfile(extra: Partial<ConnectionProfile> = {}): ConnectionProfile {
  const s = testSentinel();
  return { name: 'sentinel', kind: 'sentinel', host: s.host, port: s.sentinelAddresses[0].port, sentinels: s.sentinelAddresses, masterName: s.masterName, ...extra };
}

/** A connection closed after the suite. */
export async function connectTo(profile: ConnectionProfile, options: ConnectOptions = {}): Promise<RedisConnection> {
  const conn = await RedisConnection.open(profile, { commandTimeoutMs: 3000, ...options });
  open.push(conn);
  return conn;
}

/** A message of ours: no library text, no stack. */
export function ours(err: unknown): RedisExplorerError {
  assert.ok(err instanceof RedisExplorerError, `not our error: ${String(err)}`);
  assert.doesNotMatch(err.message, /ioredis|ClusterAllFailedError|None of startup nodes|at .*\.js:\d+|Too many Cluster redirections/);
  return err;
}

/**
 * Reads the pager to its end into `seen`, allowing at most clear transient errors (for up to 60 s) while the
 * client learns a new slot map; `pauseMs`: work between pages, as the tree does.
 */
export async function readThroughFailover(pager: KeyPager, seen: Set<string>, pauseMs = 0): Promise<void> {
  const deadline = Date.now() + 60000;
  while (!pager.done) {
    try {
      for (const k of await pager.next()) seen.add(k.toString());
    } catch (err) {
      const e = ours(err);
      assert.ok(['TIMEOUT', 'CLOSED', 'REFUSED'].includes(e.code) || /try again/i.test(e.message), `not a transient error: ${e.code} ${e.message}`);
      if (Date.now() > deadline) throw err;
      await sleep(250);
    }
    if (pauseMs) await sleep(pauseMs);
  }
}

/** Resumes a paused node and waits until it is a replica whose link to its master is up, listed by the masters. */
export async function rejoin(port: number): Promise<void> {
  const node = testCluster().nodes.find((n) => n.port === port);
  node?.resume();
  for (let i = 0; i < 600; i++) {
    try {
      const role = (await testCluster().admin(port).call('ROLE')) as unknown[];
      const info = await testCluster().admin(port).info('replication');
      if (role[0] === 'slave' && /master_link_status:up/.test(info)) break;
    } catch {
      // still waking up
    }
    await sleep(100);
  }
  await testCluster().waitHealthy();
  await testCluster().replicasListed();
}
