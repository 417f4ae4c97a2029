import * as assert from 'node:assert/strict';
import { RedisExplorerError } from '../../src/core/errors';
import { checkFieldTtl, fieldTtls, maxFieldTtlSeconds, parseFieldTtl, removeFieldTtl, setFieldTtl } from '../../src/core/fieldTtl';
import { addField, compareAndSet, renameField, setField, setFieldIfUnchanged } from '../../src/core/hashOps';
import { getServerInfo } from '../../src/core/serverInfo';
import type { ServerInfo } from '../../src/core/serverInfo';
import { admin, connect } from './hooks';

/*
 * Field TTLs on whatever server the suite runs on: on one that has them (Redis 7.4+, Redis 8), every
 * write path must keep a field's TTL; on one that has not (Redis 7.0, Valkey 8), the same writes work
 * and the TTL commands are refused with our message.
 */

function isCode(code: string, text?: RegExp) {
  return (err: unknown) => err instanceof RedisExplorerError && err.code === code && (!text || text.test(err.message));
}

/** HTTL of one field, read by the independent admin client. */
async function ttlOf(key: string, field: string): Promise<number> {
  const r = (await admin().call('HTTL', key, 'FIELDS', '1', field)) as number[];
  return Number(r[0]);
}

describe('field TTLs', () => {
  const db = 7;
  let info: ServerInfo;
  before(async () => {
    info = await getServerInfo(await connect());
  });
  beforeEach(async () => {
    await admin().select(db);
    await admin().flushdb();
    await admin().hset('h', 'a', '1', 'b', '2', 'plain', 'p');
    if (info.capabilities.fieldTtl) await admin().call('HEXPIRE', 'h', '3600', 'FIELDS', '2', 'a', 'b');
  });
  after(async () => {
    await admin().flushdb();
    await admin().select(0);
  });

  it('knows from the command table whether the server has field TTLs', async () => {
    const reply = (await admin().call('COMMAND', 'INFO', 'hexpire')) as unknown[];
    assert.equal(info.capabilities.fieldTtl, Array.isArray(reply[0]));
    const server = await admin().info('server');
    assert.equal(info.product, /valkey_version|server_name:valkey/.test(server) ? 'Valkey' : 'Redis');
    if (info.product === 'Valkey') assert.match(server, new RegExp(`valkey_version:${info.version.replace(/\./g, '\\.')}`));
  });

  it('HSCAN NOVALUES is known by trying it', async () => {
    let works: boolean;
    try {
      await admin().call('HSCAN', 'h', '0', 'NOVALUES');
      works = true;
    } catch {
      works = false;
    }
    assert.equal(info.capabilities.hscanNoValues, works);
  });

  it('an edit (compare-and-set) keeps the field TTL', async () => {
    const conn = await connect({}, undefined, db);
    assert.deepEqual(await compareAndSet(conn, 'h', 'a', '1', 'one'), { ok: true });
    assert.equal(await admin().hget('h', 'a'), 'one');
    if (info.capabilities.fieldTtl) assert.ok((await ttlOf('h', 'a')) > 3500, 'the TTL survives the edit');
  });

  it('an overwrite after a conflict keeps the field TTL', async () => {
    const conn = await connect({}, undefined, db);
    await setField(conn, 'h', 'b', 'forced');
    assert.equal(await admin().hget('h', 'b'), 'forced');
    if (info.capabilities.fieldTtl) assert.ok((await ttlOf('h', 'b')) > 3500);
    // a new field written by an overwrite has no TTL to keep
    await setField(conn, 'h', 'new', 'v');
    if (info.capabilities.fieldTtl) assert.equal(await ttlOf('h', 'new'), -1);
  });

  it('a rename moves the remaining TTL to the new name', async () => {
    const conn = await connect({}, undefined, db);
    await renameField(conn, 'h', 'a', 'renamed');
    assert.equal(await admin().hget('h', 'renamed'), '1');
    assert.equal(await admin().hexists('h', 'a'), 0);
    if (info.capabilities.fieldTtl) {
      assert.ok((await ttlOf('h', 'renamed')) > 3500);
      await renameField(conn, 'h', 'plain', 'plain2');
      assert.equal(await ttlOf('h', 'plain2'), -1, 'a field without TTL gets none');
    }
  });

  it('a conflict writes nothing and leaves the TTL alone', async () => {
    const conn = await connect({}, undefined, db);
    await assert.rejects(setFieldIfUnchanged(conn, 'h', 'a', 'stale', 'x'), isCode('CONFLICT'));
    assert.equal(await admin().hget('h', 'a'), '1');
    if (info.capabilities.fieldTtl) assert.ok((await ttlOf('h', 'a')) > 3500);
  });

  it('sets, changes, reads and removes a field TTL where the server has them', async () => {
    const conn = await connect({}, undefined, db);
    if (!info.capabilities.fieldTtl) {
      await assert.rejects(setFieldTtl(conn, 'h', 'plain', 100), isCode('INVALID', /need Redis 7\.4 or later.*nothing was changed/));
      await assert.rejects(fieldTtls(conn, 'h', ['plain']), isCode('INVALID', /no field TTLs/));
      assert.equal(await admin().hget('h', 'plain'), 'p');
      return;
    }
    await setFieldTtl(conn, 'h', 'plain', 100);
    assert.equal(await ttlOf('h', 'plain'), 100);
    await setFieldTtl(conn, 'h', 'plain', 50);
    assert.deepEqual(await fieldTtls(conn, 'h', ['plain', 'missing']), [50, -2]);
    await removeFieldTtl(conn, 'h', 'plain');
    assert.equal(await ttlOf('h', 'plain'), -1);
    await removeFieldTtl(conn, 'h', 'plain'); // had none: fine
    assert.equal(await admin().hget('h', 'plain'), 'p', 'the value is untouched');
  });

  it('refuses a TTL on a field or key that does not exist, creating nothing', async () => {
    const conn = await connect({}, undefined, db);
    if (!info.capabilities.fieldTtl) return assert.rejects(setFieldTtl(conn, 'h', 'nope', 10), isCode('INVALID'));
    await assert.rejects(setFieldTtl(conn, 'h', 'nope', 10), isCode('NOT_FOUND', /does not exist in "h"/));
    await assert.rejects(setFieldTtl(conn, 'gone', 'a', 10), isCode('NOT_FOUND'));
    await assert.rejects(removeFieldTtl(conn, 'h', 'nope'), isCode('NOT_FOUND'));
    assert.equal(await admin().hexists('h', 'nope'), 0);
    assert.equal(await admin().exists('gone'), 0);
  });

  it('refuses bad TTLs before sending anything', async () => {
    const conn = await connect({}, undefined, db);
    for (const bad of [0, -1, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, maxFieldTtlSeconds() + 10]) {
      await assert.rejects(setFieldTtl(conn, 'h', 'plain', bad), isCode('INVALID', /nothing was changed/), String(bad));
      assert.throws(() => checkFieldTtl(bad));
    }
    assert.deepEqual(parseFieldTtl(' 30 '), { seconds: 30 });
    assert.deepEqual(parseFieldTtl(''), { seconds: 0 });
    assert.deepEqual(parseFieldTtl('-1'), { seconds: 0 });
    for (const bad of ['1.5', 'abc', '-2', '1e3', '99999999999999999']) assert.ok('error' in parseFieldTtl(bad), bad);
    if (info.capabilities.fieldTtl) assert.ok((await ttlOf('h', 'plain')) === -1);
  });

  it('adds a field with a TTL in one step', async () => {
    const conn = await connect({}, undefined, db);
    if (!info.capabilities.fieldTtl) {
      await assert.rejects(addField(conn, 'h', 'withttl', 'v', true, 60));
      assert.equal(await admin().hexists('h', 'withttl'), 0, 'nothing half-written');
      return;
    }
    await addField(conn, 'h', 'withttl', 'v', true, 60);
    assert.equal(await admin().hget('h', 'withttl'), 'v');
    assert.equal(await ttlOf('h', 'withttl'), 60);
    // an existing field is refused and keeps its value and TTL
    await assert.rejects(addField(conn, 'h', 'a', 'x', true, 5), isCode('EXISTS'));
    assert.ok((await ttlOf('h', 'a')) > 3500);
  });

  it('writes send no command the server lacks once its capabilities are known (no error replies)', async () => {
    const conn = await connect({}, undefined, db);
    await getServerInfo(conn);
    const errors = async () => Number(/total_error_replies:(\d+)/.exec(await admin().info('stats'))?.[1]);
    const before = await errors();
    assert.deepEqual(await compareAndSet(conn, 'h', 'plain', 'p', 'p2'), { ok: true });
    await setField(conn, 'h', 'plain', 'p3');
    await renameField(conn, 'h', 'plain', 'plain4');
    assert.equal(await errors(), before, 'no error reply (an unknown HPEXPIRETIME would count as one)');
    assert.equal(await admin().hget('h', 'plain4'), 'p3');
  });
});
