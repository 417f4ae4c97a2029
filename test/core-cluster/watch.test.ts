// Live hashes on a cluster: each key is watched on the master that owns its slot (keyspace events and
// invalidations arrive only there).
import * as assert from 'node:assert/strict';
import { Cluster } from 'ioredis';
import { HashWatcher } from '../../src/core/watch';
import type { WatchEvent } from '../../src/core/watch';
import { clusterProfile, connectTo, testCluster } from './hooks';

describe('cluster: live hashes', function () {
  this.timeout(60_000);
  let admin: Cluster;
  let watcher: HashWatcher | undefined;

  before(() => {
    admin = new Cluster(testCluster().seeds);
  });
  after(async () => {
    await watcher?.close();
    admin.disconnect();
  });

  it('watches keys on different masters, each on its owner, and notices changes on both', async () => {
    const conn = await connectTo(clusterProfile());
    // two keys whose slots belong to different masters
    const slotOf = async (k: string) => Number(await admin.cluster('KEYSLOT', k));
    const first = 'watch:a';
    const firstOwner = await testCluster().masterOf(await slotOf(first));
    let second = '';
    for (let i = 0; !second; i++) if ((await testCluster().masterOf(await slotOf(`watch:b${i}`))) !== firstOwner) second = `watch:b${i}`;
    const secondOwner = await testCluster().masterOf(await slotOf(second));
    await admin.hset(first, 'f', '1');
    await admin.hset(second, 'f', '1');

    watcher = new HashWatcher(conn, { minIntervalMs: 50 });
    const seen: Array<{ key: string; kind: WatchEvent['kind'] }> = [];
    let wake: () => void = () => undefined;
    const on = (e: WatchEvent) => {
      seen.push({ key: e.key.toString(), kind: e.kind });
      wake();
    };
    const until = async (key: string, kind: WatchEvent['kind'], from: number) => {
      while (!seen.slice(from).some((s) => s.key === key && s.kind === kind)) await new Promise<void>((r) => (wake = r));
    };
    watcher.watch(first, on);
    watcher.watch(second, on);
    await until(first, 'resync', 0);
    await until(second, 'resync', 0);
    assert.deepEqual(watcher.modes(), ['tracking', 'tracking']);
    // the tracking reader of each key is on its owner
    for (const port of [firstOwner, secondOwner]) {
      const list = String(await testCluster().admin(port).call('CLIENT', 'LIST'));
      assert.match(list, /name=redis-hash-explorer.*flags=\w*t/, `a tracking client on ${port}`);
    }
    const from = seen.length;
    await admin.hset(first, 'f', '2');
    await until(first, 'changed', from);
    await admin.hset(second, 'f', '2');
    await until(second, 'changed', from);
    await admin.del(second);
    await until(second, 'deleted', from);
    await admin.del(first);
  });
});
