import { RedisConnection } from '../../src/core/connection';
import type { ConnectOptions } from '../../src/core/connection';
import type { ConnectionProfile } from '../../src/core/profile';
import { startCluster } from '../support/cluster';
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
