import * as assert from 'node:assert/strict';
import { RedisExplorerError } from '../../src/core/errors';
import { countFolder, deleteFolder } from '../../src/core/folderDelete';
import { admin, commandCounts, connect } from './hooks';

/* Deleting a tree folder: SCAN MATCH on the prefix + UNLINK in batches. Database 12. */

const DB = 12;

describe('folder delete', () => {
  beforeEach(async () => {
    await admin().select(DB);
    await admin().flushdb();
    const p = admin().pipeline();
    for (let i = 0; i < 2500; i++) p.hset(`del*[x]:${i}`, 'f', 'v');
    p.set('del*[x]:string', 'kept when only hashes');
    p.hset('delY[x]:1', 'f', 'v');
    p.hset('del*[x]', 'f', 'the folder name itself is not under it');
    p.hset(Buffer.concat([Buffer.from('bin'), Buffer.from([0xff]), Buffer.from(':1')]), 'f', 'v');
    p.hset(Buffer.concat([Buffer.from('bin'), Buffer.from([0xfe]), Buffer.from(':1')]), 'f', 'v');
    await p.exec();
  });
  after(async () => {
    await admin().flushdb();
    await admin().select(0);
  });

  it('counts and deletes only the keys under the prefix, in UNLINK batches of at most 1,000', async () => {
    const conn = await connect({}, undefined, DB);
    assert.deepEqual(await countFolder(conn, Buffer.from('del*[x]:'), { type: 'hash' }), { count: 2500, cancelled: false });
    assert.deepEqual(await countFolder(conn, Buffer.from('del*[x]:')), { count: 2501, cancelled: false });
    const before = await commandCounts();
    const r = await deleteFolder(conn, Buffer.from('del*[x]:'), { type: 'hash' });
    const after = await commandCounts();
    assert.deepEqual(r, { deleted: 2500, cancelled: false });
    assert.equal((after.unlink ?? 0) - (before.unlink ?? 0), 3);
    assert.equal(after.del, before.del);
    assert.equal(await admin().dbsize(), 5);
    assert.equal(await admin().get('del*[x]:string'), 'kept when only hashes');
    assert.equal(await admin().exists('delY[x]:1', 'del*[x]'), 2);
  });

  it('matches a prefix that is not UTF-8 byte for byte', async () => {
    const conn = await connect({}, undefined, DB);
    const prefix = Buffer.concat([Buffer.from('bin'), Buffer.from([0xff]), Buffer.from(':')]);
    assert.deepEqual(await deleteFolder(conn, prefix), { deleted: 1, cancelled: false });
    assert.equal(await admin().exists(Buffer.concat([Buffer.from('bin'), Buffer.from([0xfe]), Buffer.from(':1')])), 1);
  });

  it('stops between batches on Cancel', async () => {
    const conn = await connect({}, undefined, DB);
    const controller = new AbortController();
    const r = await deleteFolder(conn, Buffer.from('del*[x]:'), { type: 'hash' }, { signal: controller.signal, onProgress: () => controller.abort() });
    assert.deepEqual(r, { deleted: 1000, cancelled: true });
    assert.equal(await admin().dbsize(), 2505 - 1000);
  });

  it('refuses a read-only connection and deletes nothing', async () => {
    const conn = await connect({ readOnly: true }, undefined, DB);
    await assert.rejects(deleteFolder(conn, Buffer.from('del*[x]:')), (e: unknown) => e instanceof RedisExplorerError && e.code === 'READONLY');
    assert.equal(await admin().dbsize(), 2505);
  });
});
