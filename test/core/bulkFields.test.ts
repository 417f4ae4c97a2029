import * as assert from 'node:assert/strict';
import { BULK_BATCH, countMatching, deleteFieldsBulk, setFieldsTtlBulk } from '../../src/core/bulkFields';
import { RedisExplorerError } from '../../src/core/errors';
import { getServerInfo } from '../../src/core/serverInfo';
import { admin, commandCounts, connect } from './hooks';

/*
 * Bulk work on a hash's fields against the real server: a named selection or an HSCAN MATCH pattern,
 * one command per batch of at most 1,000 fields, Cancel between batches. Database 13.
 */

const DB = 13;
const KEY = 'bulk';
const BIN = Buffer.from([0xff, 0x00, 0x2a, 0x0a]);

/** Commands sent between two snapshots of INFO commandstats (0 when none). */
async function sent(run: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await commandCounts();
  await run();
  const after = await commandCounts();
  const diff: Record<string, number> = {};
  for (const [k, n] of Object.entries(after)) if (n !== (before[k] ?? 0) && !['info', 'select'].includes(k)) diff[k] = n - (before[k] ?? 0);
  return diff;
}

function readOnlyRefusal(err: unknown): boolean {
  return err instanceof RedisExplorerError && err.code === 'READONLY';
}

describe('bulk field actions', () => {
  let fieldTtl = false;
  before(async () => {
    fieldTtl = (await getServerInfo(await connect({}, undefined, DB))).capabilities.fieldTtl;
  });
  beforeEach(async () => {
    await admin().select(DB);
    await admin().flushdb();
    const p = admin().pipeline();
    for (let i = 0; i < 2500; i++) p.hset(KEY, `user:${i}`, `v${i}`);
    for (let i = 0; i < 300; i++) p.hset(KEY, `order:${i}`, `o${i}`);
    p.hset(KEY, BIN, BIN);
    await p.exec();
  });
  after(async () => {
    await admin().flushdb();
    await admin().select(0);
  });

  it('counts the fields a pattern matches with HSCAN MATCH, and "*" with HLEN alone', async () => {
    const conn = await connect({}, undefined, DB);
    await getServerInfo(conn);
    let r: unknown;
    const scanned = await sent(async () => (r = await countMatching(conn, KEY, 'user:*')));
    assert.deepEqual(r, { count: 2500, cancelled: false });
    assert.ok((scanned.hscan ?? 0) >= 1);
    assert.equal(scanned.hlen, undefined);
    const all = await sent(async () => (r = await countMatching(conn, KEY, '*')));
    assert.deepEqual(r, { count: 2801, cancelled: false });
    assert.deepEqual(all, { hlen: 1 });
    assert.deepEqual(await countMatching(conn, KEY, 'nothing:*'), { count: 0, cancelled: false });
  });

  it('deletes a named selection in HDEL batches of at most 1,000 and leaves every other field as it was', async () => {
    const conn = await connect({}, undefined, DB);
    const names = Array.from({ length: 2100 }, (_, i) => Buffer.from(`user:${i}`));
    names.push(BIN, Buffer.from('not:there'));
    let r: unknown;
    const cmds = await sent(async () => (r = await deleteFieldsBulk(conn, KEY, { fields: names })));
    assert.deepEqual(r, { done: 2101, seen: 2102, cancelled: false });
    assert.deepEqual(cmds, { hdel: 3 });
    assert.equal(await admin().hlen(KEY), 2801 - 2101);
    assert.equal(await admin().hget(KEY, 'user:2100'), 'v2100');
    assert.equal(await admin().hget(KEY, 'order:299'), 'o299');
    assert.equal(await admin().hexists(KEY, BIN), 0);
  });

  it('deletes every field matching a pattern: HSCAN MATCH for names only, HDEL per batch', async () => {
    const conn = await connect({}, undefined, DB);
    await getServerInfo(conn);
    let r: unknown;
    const cmds = await sent(async () => (r = await deleteFieldsBulk(conn, KEY, { match: 'user:*' })));
    assert.deepEqual(r, { done: 2500, seen: 2500, cancelled: false });
    assert.ok(cmds.hdel >= 3 && cmds.hdel <= 4, `HDEL ${cmds.hdel} times`);
    assert.ok(cmds.hscan >= 1);
    assert.deepEqual(Object.keys(cmds).sort(), ['hdel', 'hscan']);
    assert.equal(await admin().hlen(KEY), 301);
    assert.equal(await admin().hget(KEY, 'order:0'), 'o0');
    assert.ok((await admin().hgetBuffer(KEY, BIN))?.equals(BIN));
  });

  it('stops between batches on Cancel: whole batches only, and says how many', async () => {
    const conn = await connect({}, undefined, DB);
    const controller = new AbortController();
    const progress: number[] = [];
    const r = await deleteFieldsBulk(conn, KEY, { match: 'user:*' }, { signal: controller.signal, onProgress: (n) => (progress.push(n), controller.abort()) });
    assert.deepEqual(r, { done: BULK_BATCH, seen: BULK_BATCH, cancelled: true });
    assert.deepEqual(progress, [BULK_BATCH]);
    assert.equal(await admin().hlen(KEY), 2801 - BULK_BATCH);
    const counted = await countMatching(conn, KEY, 'user:*', { signal: AbortSignal.abort() });
    assert.deepEqual(counted, { count: 0, cancelled: true });
  });

  it('refuses a read-only connection before anything is sent', async () => {
    const conn = await connect({ readOnly: true }, undefined, DB);
    await getServerInfo(conn);
    const cmds = await sent(async () => {
      await assert.rejects(deleteFieldsBulk(conn, KEY, { match: 'user:*' }), readOnlyRefusal);
      await assert.rejects(deleteFieldsBulk(conn, KEY, { fields: [Buffer.from('user:1')] }), readOnlyRefusal);
      await assert.rejects(setFieldsTtlBulk(conn, KEY, { match: '*' }, 60), readOnlyRefusal);
    });
    assert.deepEqual(cmds, {});
    assert.equal(await admin().hlen(KEY), 2801);
  });

  it('sets and removes field TTLs in HEXPIRE / HPERSIST batches (servers with field TTLs), others untouched', async function () {
    const conn = await connect({}, undefined, DB);
    if (!fieldTtl) {
      // no field TTLs here: the core refuses with our message and the hash is as it was
      await assert.rejects(setFieldsTtlBulk(conn, KEY, { fields: [Buffer.from('user:1')] }, 60), /no field TTLs/);
      assert.equal(await admin().hlen(KEY), 2801);
      return;
    }
    await admin().call('HEXPIRE', KEY, '5000', 'FIELDS', '1', 'order:0');
    let r: unknown;
    const set = await sent(async () => (r = await setFieldsTtlBulk(conn, KEY, { match: 'user:*' }, 3600)));
    assert.deepEqual(r, { done: 2500, seen: 2500, cancelled: false });
    assert.ok(set.hexpire >= 3 && set.hexpire <= 4, `HEXPIRE ${set.hexpire} times`);
    const ttls = (await admin().call('HTTL', KEY, 'FIELDS', '4', 'user:0', 'user:2499', 'order:0', 'order:1')) as number[];
    assert.ok(ttls[0] > 3500 && ttls[0] <= 3600 && ttls[1] > 3500 && ttls[1] <= 3600, String(ttls));
    assert.ok(ttls[2] > 3600, 'order:0 keeps its own TTL');
    assert.equal(ttls[3], -1);
    const removed = await sent(async () => (r = await setFieldsTtlBulk(conn, KEY, { fields: [Buffer.from('user:0'), Buffer.from('user:1'), Buffer.from('order:1'), Buffer.from('gone')] }, 0)));
    assert.deepEqual(r, { done: 2, seen: 4, cancelled: false });
    assert.deepEqual(removed, { hpersist: 1 });
    assert.deepEqual(((await admin().call('HTTL', KEY, 'FIELDS', '3', 'user:0', 'user:1', 'user:2')) as number[]).map((n) => (n > 0 ? 'ttl' : n)), [-1, -1, 'ttl']);
    await assert.rejects(setFieldsTtlBulk(conn, KEY, { match: '*' }, 1.5), /whole number/);
    assert.equal(await admin().hget(KEY, 'user:5'), 'v5');
  });
});
