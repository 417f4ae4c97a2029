import * as assert from 'node:assert/strict';
import { RedisExplorerError } from '../../src/core/errors';
import { deleteKeys, getTtl, keyExists, keyType, memoryUsage, removeTtl, renameKey, setTtl } from '../../src/core/keyOps';
import { getServerInfo, versionAtLeast } from '../../src/core/serverInfo';
import { admin, commandCounts, connect, testServer } from './hooks';

function isCode(code: string) {
  return (err: unknown) => err instanceof RedisExplorerError && err.code === code;
}

describe('key operations and server info', () => {
  const db = 7;
  beforeEach(async () => {
    await admin().select(db);
    await admin().flushdb();
    await admin().hset('user:1', 'name', 'Ada');
    await admin().hset('user:2', 'name', 'Bob');
    await admin().set('plain', 'x');
  });
  after(async () => {
    await admin().flushdb();
    await admin().select(0);
  });

  it('reads type and existence', async () => {
    const conn = await connect({}, undefined, db);
    assert.equal(await keyType(conn, 'user:1'), 'hash');
    assert.equal(await keyType(conn, 'plain'), 'string');
    assert.equal(await keyType(conn, 'nope'), 'none');
    assert.equal(await keyExists(conn, 'nope'), false);
  });

  it('reads, sets and removes a TTL', async () => {
    const conn = await connect({}, undefined, db);
    assert.equal(await getTtl(conn, 'user:1'), -1);
    await setTtl(conn, 'user:1', 100);
    const ttl = await getTtl(conn, 'user:1');
    assert.ok(ttl > 90 && ttl <= 100);
    await removeTtl(conn, 'user:1');
    assert.equal(await getTtl(conn, 'user:1'), -1);
    await assert.rejects(setTtl(conn, 'user:1', 0), isCode('INVALID'));
    await assert.rejects(setTtl(conn, 'nope', 10), isCode('NOT_FOUND'));
    await assert.rejects(removeTtl(conn, 'nope'), isCode('NOT_FOUND'));
  });

  it('renames a key without ever overwriting another', async () => {
    const conn = await connect({}, undefined, db);
    await renameKey(conn, 'user:1', 'user:100');
    assert.equal(await admin().hget('user:100', 'name'), 'Ada');
    await assert.rejects(renameKey(conn, 'user:100', 'user:2'), isCode('EXISTS'));
    assert.equal(await admin().hget('user:2', 'name'), 'Bob');
    assert.equal(await admin().hget('user:100', 'name'), 'Ada');
    await assert.rejects(renameKey(conn, 'deleted', 'x'), isCode('NOT_FOUND'));
  });

  it('deletes with UNLINK', async () => {
    const conn = await connect({}, undefined, db);
    const before = await commandCounts();
    assert.equal(await deleteKeys(conn, ['user:1', 'plain', 'nope']), 2);
    const after = await commandCounts();
    assert.equal((after.unlink ?? 0) - (before.unlink ?? 0), 1);
    assert.equal(after.del, before.del);
  });

  it('reports memory usage', async () => {
    const conn = await connect({}, undefined, db);
    const n = await memoryUsage(conn, 'user:2');
    assert.ok(typeof n === 'number' && n > 0);
    assert.equal(await memoryUsage(conn, 'nope'), null);
  });

  it('read-only refuses key writes', async () => {
    const conn = await connect({ readOnly: true }, undefined, db);
    await assert.rejects(setTtl(conn, 'user:1', 10), isCode('READONLY'));
    await assert.rejects(removeTtl(conn, 'user:1'), isCode('READONLY'));
    await assert.rejects(renameKey(conn, 'user:1', 'x'), isCode('READONLY'));
    await assert.rejects(deleteKeys(conn, ['user:1']), isCode('READONLY'));
    assert.equal(await admin().exists('user:1'), 1);
  });

  it('reads server version, mode, keyspace and capabilities', async () => {
    const conn = await connect({}, undefined, db);
    const info = await getServerInfo(conn);
    assert.match(info.version, /^\d+\.\d+\.\d+/);
    assert.equal(info.mode, 'standalone');
    assert.equal(info.keyspace.get(db), 3);
    assert.equal(info.databases, 16);
    assert.equal(info.capabilities.scanType, versionAtLeast(info.version, 6));
    // Redis 8 has field TTLs; Redis 7.0 and Valkey 8 (whose redis_version says 7.2.4) have not.
    assert.equal(info.capabilities.fieldTtl, testServer().fieldTtl);
    assert.equal(versionAtLeast('7.4.1', 7, 4), true);
    assert.equal(versionAtLeast('7.2.9', 7, 4), false);
    assert.equal(versionAtLeast('8.0.0', 7, 4), true);
  });
});
