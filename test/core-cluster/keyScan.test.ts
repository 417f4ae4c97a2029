import * as assert from 'node:assert/strict';
import { Cluster } from 'ioredis';
import { KeyScan } from '../../src/core/keyScan';
import { sleep } from '../support/cluster';
import { clusterProfile, connectTo, testCluster } from './hooks';

/* The tree's key scan on a cluster: every master scanned, the first hash handed over as found, stop, resume. */

async function scanCalls(): Promise<number> {
  let n = 0;
  for (const port of await testCluster().masters()) {
    const text = await testCluster().admin(port).info('commandstats');
    n += Number(/^cmdstat_scan:calls=(\d+)/m.exec(text)?.[1] ?? 0);
  }
  return n;
}

describe('cluster: key scan', function () {
  this.timeout(120_000);
  let admin: Cluster;
  const hashes = ['ks:hash:a', 'ks:hash:b', 'ks:hash:c', 'ks:hash:d'];

  before(async () => {
    admin = new Cluster(testCluster().seeds, { scaleReads: 'master' });
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 6000; i++) writes.push(admin.set(`ks:s:${i}`, 'v'));
    for (const h of hashes) writes.push(admin.hset(h, 'f', 'v'));
    await Promise.all(writes);
  });

  after(async () => {
    const dels: Promise<unknown>[] = [];
    for (let i = 0; i < 6000; i++) dels.push(admin.del(`ks:s:${i}`));
    for (const h of hashes) dels.push(admin.del(h));
    await Promise.all(dels);
    admin.disconnect();
  });

  it('finds the hashes on every master as it meets them; stop sends nothing more; run continues without repeats', async () => {
    const conn = await connectTo(clusterProfile());
    let total = 0;
    for (const port of await testCluster().masters()) total += await testCluster().admin(port).dbsize();
    const counts = new Map<string, number>();
    let runningAtFirst: boolean | undefined;
    const scan = new KeyScan(conn, { match: 'ks:*', type: 'hash', count: 20, maxCount: 20 }, (keys) => {
      for (const k of keys) counts.set(k.toString(), (counts.get(k.toString()) ?? 0) + 1);
      if (keys.length && runningAtFirst === undefined) {
        runningAtFirst = scan.running && !scan.done;
        scan.stop();
      }
      return keys.length;
    });
    await scan.run(100);
    assert.equal(runningAtFirst, true, 'the first hash was handed over while the scan ran');
    assert.equal(scan.done, false);
    // requests already in flight to the other masters finish; nothing is sent after them
    await sleep(200);
    const atStop = await scanCalls();
    await sleep(300);
    assert.equal(await scanCalls(), atStop, 'no SCAN after the stop');
    const mid = scan.progress();
    assert.ok(mid.scanned > 0 && mid.scanned < total, `partway: scanned ${mid.scanned} of ${total}`);
    assert.equal(mid.total, total, 'about the sum of the masters\' DBSIZE');

    while (!scan.done) await scan.run(100);
    assert.deepEqual([...counts.keys()].sort(), hashes);
    assert.ok([...counts.values()].every((n) => n === 1), 'no hash twice');
    const end = scan.progress();
    assert.deepEqual([end.scanned, end.total, end.done], [total, total, true]);
  });
});
