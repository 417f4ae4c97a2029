import * as assert from 'node:assert/strict';
import { sameProfile, seedsOf, validateProfile, whereOf, withAddress } from '../../src/core/profile';
import type { ConnectionProfile } from '../../src/core/profile';

describe('connection kinds in a profile', () => {
  const seeds = [
    { host: '10.0.0.1', port: 7000 },
    { host: '10.0.0.2', port: 7001 },
  ];

  it('accepts a cluster given by seed nodes alone and a sentinel given by sentinels and a master name', () => {
    assert.equal(validateProfile({ name: 'c', kind: 'cluster', nodes: seeds }), undefined);
    assert.equal(validateProfile({ name: 'c', kind: 'cluster', host: 'h', port: 7000 }), undefined);
    assert.equal(validateProfile({ name: 's', kind: 'sentinel', sentinels: seeds, masterName: 'mymaster', db: 3 }), undefined);
  });

  it('names what is wrong: unknown kind, bad seeds, a missing master name, fields of another kind, a database on a cluster', () => {
    assert.match(validateProfile({ name: 'x', kind: 'shard' as never, host: 'h', port: 1 }) ?? '', /unknown kind "shard"/);
    assert.match(validateProfile({ name: 'x', kind: 'cluster', nodes: [] }) ?? '', /"nodes" must be a list/);
    assert.match(validateProfile({ name: 'x', kind: 'cluster', nodes: [{ host: 'h', port: 0 }] }) ?? '', /invalid port/);
    assert.match(validateProfile({ name: 'x', kind: 'sentinel', sentinels: seeds }) ?? '', /needs "masterName"/);
    assert.match(validateProfile({ name: 'x', host: 'h', port: 1, nodes: seeds }) ?? '', /"nodes" are for a cluster/);
    assert.match(validateProfile({ name: 'x', kind: 'cluster', nodes: seeds, masterName: 'm' }) ?? '', /for a sentinel connection/);
    assert.match(validateProfile({ name: 'x', kind: 'cluster', nodes: seeds, db: 2 }) ?? '', /only database 0/);
  });

  it('takes readFromReplicas on a cluster only; a changed value is another profile (its clients reopen)', () => {
    assert.equal(validateProfile({ name: 'c', kind: 'cluster', nodes: seeds, readFromReplicas: true }), undefined);
    assert.match(validateProfile({ name: 'x', host: 'h', port: 1, readFromReplicas: true }) ?? '', /"readFromReplicas" is only for a cluster connection .*not a standalone one/);
    assert.match(validateProfile({ name: 'x', kind: 'sentinel', sentinels: seeds, masterName: 'm', readFromReplicas: true }) ?? '', /not a sentinel one/);
    assert.match(validateProfile({ name: 'x', kind: 'cluster', nodes: seeds, readFromReplicas: 'yes' as never }) ?? '', /must be true or false/);
    const c: ConnectionProfile = withAddress({ name: 'c', kind: 'cluster', nodes: seeds });
    assert.equal(sameProfile(c, { ...c, readFromReplicas: true }), false);
    assert.equal(sameProfile({ ...c, readFromReplicas: true }, { ...c, readFromReplicas: true }), true);
  });

  it('reads host/port of a list-only profile from its first entry, and says where it goes', () => {
    const c = withAddress({ name: 'c', kind: 'cluster', nodes: seeds });
    assert.equal(c.host, '10.0.0.1');
    assert.equal(c.port, 7000);
    assert.deepEqual(seedsOf(c), seeds);
    assert.equal(whereOf(c), 'cluster 10.0.0.1:7000, 10.0.0.2:7001');
    const s: ConnectionProfile = withAddress({ name: 's', kind: 'sentinel', sentinels: seeds, masterName: 'mymaster' });
    assert.equal(whereOf(s), 'master "mymaster" via sentinels 10.0.0.1:7000, 10.0.0.2:7001');
    assert.equal(whereOf({ name: 'p', host: '::1', port: 6379 }), '[::1]:6379');
  });
});
