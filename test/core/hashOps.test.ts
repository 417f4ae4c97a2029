import * as assert from 'node:assert/strict';
import { RedisExplorerError } from '../../src/core/errors';
import { addField, compareAndSet, createHash, deleteFields, fieldCount, getField, renameField, setField, setFieldIfUnchanged, valueLength } from '../../src/core/hashOps';
import { admin, connect } from './hooks';

function isCode(code: string) {
  return (err: unknown) => err instanceof RedisExplorerError && err.code === code;
}

describe('hash operations', () => {
  const db = 6;
  beforeEach(async () => {
    await admin().select(db);
    await admin().flushdb();
    await admin().hset('h', 'a', '1', 'b', '2');
    await admin().hset('binhash', Buffer.from([0x80]), Buffer.from([0xff, 0xfe, 0x00]), 'text', 'plain');
  });
  after(async () => {
    await admin().flushdb();
    await admin().select(0);
  });

  it('reads one field exactly, counts fields and value sizes', async () => {
    const conn = await connect({}, undefined, db);
    assert.equal((await getField(conn, 'h', 'a'))?.toString(), '1');
    assert.equal(await getField(conn, 'h', 'zz'), null);
    assert.equal(await fieldCount(conn, 'h'), 2);
    assert.equal(await valueLength(conn, 'binhash', Buffer.from([0x80])), 3);
  });

  it('sets a field', async () => {
    const conn = await connect({}, undefined, db);
    await setField(conn, 'h', 'c', '3');
    assert.equal(await admin().hget('h', 'c'), '3');
  });

  it('adds a field only if absent, and not to a deleted hash', async () => {
    const conn = await connect({}, undefined, db);
    await addField(conn, 'h', 'new', 'v');
    assert.equal(await admin().hget('h', 'new'), 'v');
    await assert.rejects(addField(conn, 'h', 'a', 'other'), isCode('EXISTS'));
    assert.equal(await admin().hget('h', 'a'), '1');
    await assert.rejects(addField(conn, 'gone', 'f', 'v'), isCode('NOT_FOUND'));
    assert.equal(await admin().exists('gone'), 0);
  });

  it('creates a hash, refusing an existing key', async () => {
    const conn = await connect({}, undefined, db);
    await createHash(conn, 'fresh', 'f', 'v');
    assert.deepEqual(await admin().hgetall('fresh'), { f: 'v' });
    await assert.rejects(createHash(conn, 'h', 'f', 'v'), isCode('EXISTS'));
    assert.equal(await admin().hlen('h'), 2);
  });

  it('deletes fields', async () => {
    const conn = await connect({}, undefined, db);
    assert.equal(await deleteFields(conn, 'h', ['a', 'missing']), 1);
    assert.deepEqual(await admin().hgetall('h'), { b: '2' });
  });

  it('renames a field atomically', async () => {
    const conn = await connect({}, undefined, db);
    await renameField(conn, 'h', 'a', 'z');
    assert.deepEqual(await admin().hgetall('h'), { z: '1', b: '2' });
  });

  it('refuses a rename whose target exists, leaving both untouched', async () => {
    const conn = await connect({}, undefined, db);
    await assert.rejects(renameField(conn, 'h', 'z', 'b'), isCode('NOT_FOUND'));
    await assert.rejects(renameField(conn, 'h', 'a', 'b'), (err: unknown) => isCode('EXISTS')(err) && /Field "b" already exists/.test((err as Error).message));
    assert.deepEqual(await admin().hgetall('h'), { a: '1', b: '2' });
    await assert.rejects(renameField(conn, 'deleted-key', 'a', 'b'), isCode('NOT_FOUND'));
  });

  it('renames a binary field and keeps its binary value', async () => {
    const conn = await connect({}, undefined, db);
    await renameField(conn, 'binhash', Buffer.from([0x80]), Buffer.from([0x81, 0x00]));
    const v = await admin().hgetBuffer('binhash', Buffer.from([0x81, 0x00]));
    assert.deepEqual([...(v ?? [])], [0xff, 0xfe, 0x00]);
    assert.equal(await admin().hexists('binhash', Buffer.from([0x80])), 0);
  });

  it('compare-and-set writes when the value is what the user saw', async () => {
    const conn = await connect({}, undefined, db);
    assert.deepEqual(await compareAndSet(conn, 'h', 'a', '1', 'one'), { ok: true });
    assert.equal(await admin().hget('h', 'a'), 'one');
    assert.deepEqual(await compareAndSet(conn, 'h', 'new', null, 'x'), { ok: true });
  });

  it('compare-and-set refuses a value changed meanwhile and returns the current one', async () => {
    const conn = await connect({}, undefined, db);
    await admin().hset('h', 'a', 'changed-by-someone');
    const r = await compareAndSet(conn, 'h', 'a', '1', 'mine');
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.current?.toString(), 'changed-by-someone');
    assert.equal(await admin().hget('h', 'a'), 'changed-by-someone');
    await assert.rejects(setFieldIfUnchanged(conn, 'h', 'a', '1', 'mine'), (err: unknown) => isCode('CONFLICT')(err) && /changed on the server/.test((err as Error).message));
  });

  it('compare-and-set notices a deleted field or key', async () => {
    const conn = await connect({}, undefined, db);
    await admin().del('h');
    const r = await compareAndSet(conn, 'h', 'a', '1', 'mine');
    assert.deepEqual(r, { ok: false, current: null });
    assert.equal(await admin().exists('h'), 0, 'must not recreate a deleted hash');
    const r2 = await compareAndSet(conn, 'binhash', 'text', null, 'x');
    assert.equal(!r2.ok && r2.current?.toString(), 'plain', 'expected absent, but the field exists');
  });

  it('compare-and-set is byte exact for binary values', async () => {
    const conn = await connect({}, undefined, db);
    const field = Buffer.from([0x80]);
    const wrong = await compareAndSet(conn, 'binhash', field, Buffer.from([0xff, 0xfe]), 'x');
    assert.equal(wrong.ok, false);
    const right = await compareAndSet(conn, 'binhash', field, Buffer.from([0xff, 0xfe, 0x00]), Buffer.from([0x00, 0x01]));
    assert.equal(right.ok, true);
    assert.deepEqual([...((await admin().hgetBuffer('binhash', field)) ?? [])], [0x00, 0x01]);
    // the other field was not touched
    assert.equal(await admin().hget('binhash', 'text'), 'plain');
  });

  it('writes a 10 MB value and reads it back intact', async () => {
    const conn = await connect({}, undefined, db);
    const big = Buffer.alloc(10 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i & 255;
    await setField(conn, 'h', 'big', big);
    assert.ok((await getField(conn, 'h', 'big'))?.equals(big));
  });

  it('a wrong-type key gives a clear error', async () => {
    const conn = await connect({}, undefined, db);
    await admin().set('str', 'x');
    await assert.rejects(getField(conn, 'str', 'a'), isCode('WRONGTYPE'));
  });

  it('a read-only profile refuses every write in the core', async () => {
    const conn = await connect({ readOnly: true }, undefined, db);
    const writes: Array<() => Promise<unknown>> = [
      () => setField(conn, 'h', 'a', 'x'),
      () => addField(conn, 'h', 'q', 'x'),
      () => createHash(conn, 'q', 'f', 'v'),
      () => deleteFields(conn, 'h', ['a']),
      () => renameField(conn, 'h', 'a', 'q'),
      () => compareAndSet(conn, 'h', 'a', '1', 'x'),
    ];
    for (const w of writes) await assert.rejects(w(), (err: unknown) => isCode('READONLY')(err) && /read-only/.test((err as Error).message));
    assert.deepEqual(await admin().hgetall('h'), { a: '1', b: '2' });
    assert.equal((await getField(conn, 'h', 'a'))?.toString(), '1', 'reads still work');
  });
});
