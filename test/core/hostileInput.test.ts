// Hostile input against a real redis-server: glob metacharacters in names, empty names, 64 KB keys, 10 MB values,
// invalid UTF-8, NUL and newlines, HTML, numbers as strings, every wrong kind of key; bad ports, hosts, URLs and
// databases. Every case checks Redis itself afterwards with a separate client.
import * as assert from 'node:assert/strict';
import { fromDisplay, toDisplay } from '../../src/core/codec';
import { RedisConnection } from '../../src/core/connection';
import { RedisExplorerError } from '../../src/core/errors';
import { escapeGlob } from '../../src/core/glob';
import { addField, compareAndSet, createHash, deleteFields, getField, renameField } from '../../src/core/hashOps';
import { deleteKeys, renameKey, setTtl } from '../../src/core/keyOps';
import { KeyPager } from '../../src/core/pagers';
import { parseRedisUrl, validateProfile } from '../../src/core/profile';
import { FaultyRedis, LIBRARY_PHRASES } from '../support/faultyRedis';
import { freePort } from '../support/redisServer';

const b = (s: string | number[]) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s));

async function refusal(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof RedisExplorerError, `expected our error, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    assert.doesNotMatch(err.message, LIBRARY_PHRASES);
    return true;
  });
}

describe('hostile input', function () {
  this.timeout(60_000);
  let server: FaultyRedis;
  let conn: RedisConnection;

  before(async () => {
    server = await FaultyRedis.start();
    conn = await RedisConnection.open({ name: 'hostile', host: server.host, port: server.port });
  });
  after(async () => {
    await conn.close();
    await server.stop();
  });
  beforeEach(async () => {
    await server.admin().flushall();
  });

  describe('names with glob metacharacters', () => {
    const names = ['a*b', 'aXb', 'a?b', 'a[b]c', 'abc', 'a\\*b', 'a[^x]b'];
    beforeEach(async () => {
      for (const n of names) await server.admin().hset(n, 'f', n);
    });

    it('deleting "a*b" deletes that key only, never aXb', async () => {
      assert.equal(await deleteKeys(conn, [b('a*b')]), 1);
      assert.deepEqual((await server.admin().keys('*')).sort(), names.filter((n) => n !== 'a*b').sort());
    });

    it('renaming "a?b" and "a[b]c" moves exactly those keys', async () => {
      await renameKey(conn, b('a?b'), b('n?'));
      await renameKey(conn, b('a[b]c'), b('m[1]'));
      assert.equal(await server.admin().hget('n?', 'f'), 'a?b');
      assert.equal(await server.admin().hget('m[1]', 'f'), 'a[b]c');
      for (const n of ['aXb', 'abc', 'a*b']) assert.equal(await server.admin().hget(n, 'f'), n);
    });

    it('a filter for the literal name (escaped) finds only that key', async () => {
      for (const n of names) {
        const pager = new KeyPager(conn, { match: escapeGlob(n), count: 1000 });
        const found = (await pager.nextAtLeast(1000)).map((k) => k.toString());
        assert.deepEqual(found, [n], `MATCH ${escapeGlob(n)}`);
      }
    });

    it('deleting the field "*" deletes that field only', async () => {
      await server.admin().hset('h', '*', '1', 'x', '2', '?', '3');
      assert.equal(await deleteFields(conn, b('h'), [b('*')]), 1);
      assert.deepEqual(await server.admin().hgetall('h'), { x: '2', '?': '3' });
    });
  });

  describe('odd bytes in names and values', () => {
    const odd: Record<string, Buffer> = {
      empty: b(''),
      nul: b('a\u0000b'),
      newlines: b('line1\r\nline2\n'),
      html: b('<img src=x onerror="alert(1)"><script>alert(2)</script>&amp;'),
      invalidUtf8: b([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80]),
      number: b('007'),
      exponent: b('1e3'),
      spaces: b('  '),
    };

    for (const [what, name] of Object.entries(odd)) {
      it(`a key, field and value that are ${what}: written, read, renamed and deleted byte for byte`, async () => {
        const admin = server.admin();
        await createHash(conn, name, name, name);
        assert.ok((await admin.hgetBuffer(name, name))?.equals(name));
        assert.ok((await getField(conn, name, name))?.equals(name));
        const next = Buffer.concat([name, b([0xfe])]);
        assert.deepEqual(await compareAndSet(conn, name, name, name, next), { ok: true });
        assert.ok((await admin.hgetBuffer(name, name))?.equals(next));
        const renamed = Buffer.concat([b('r:'), name]);
        await renameField(conn, name, name, renamed);
        assert.equal(await admin.hexists(name, name), 0);
        assert.ok((await admin.hgetBuffer(name, renamed))?.equals(next));
        // the display form round-trips to the same bytes
        assert.ok(fromDisplay(toDisplay(name)).equals(name));
        assert.equal(await deleteKeys(conn, [name]), 1);
        assert.equal(await admin.dbsize(), 0);
      });
    }

    it('numbers as strings stay strings: "007" and "7", "1e3" and "1000" are different fields and values', async () => {
      const admin = server.admin();
      await createHash(conn, 'n', '007', '1e3');
      await addField(conn, 'n', '7', '1000');
      assert.deepEqual((await compareAndSet(conn, 'n', '007', '1000', 'x')).ok, false, '"1e3" is not "1000"');
      assert.deepEqual(await admin.hgetall('n'), { '007': '1e3', '7': '1000' });
    });

    it('a 64 KB key and a 10 MB value are written and compared exactly', async () => {
      const admin = server.admin();
      const key = Buffer.alloc(64 * 1024, 'k');
      const big = Buffer.alloc(10 * 1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
      await createHash(conn, key, 'f', big);
      const changed = Buffer.from(big);
      changed[changed.length - 1] ^= 1;
      // a stale expected value (one byte off) writes nothing
      assert.equal((await compareAndSet(conn, key, 'f', changed, b('no'))).ok, false);
      assert.ok((await admin.hgetBuffer(key, 'f'))?.equals(big));
      assert.deepEqual(await compareAndSet(conn, key, 'f', big, changed), { ok: true });
      assert.ok((await admin.hgetBuffer(key, 'f'))?.equals(changed));
      assert.equal(await deleteKeys(conn, [key]), 1);
      assert.equal(await admin.dbsize(), 0);
    });
  });

  describe('every wrong kind of key', () => {
    const kinds = ['string', 'list', 'set', 'zset', 'stream'] as const;
    beforeEach(async () => {
      const a = server.admin();
      await a.set('string', 'v');
      await a.rpush('list', 'v');
      await a.sadd('set', 'v');
      await a.zadd('zset', 1, 'v');
      await a.xadd('stream', '1-1', 'f', 'v');
    });

    async function snapshot(): Promise<string[]> {
      const a = server.admin();
      return Promise.all(kinds.map(async (k) => `${k}:${await a.type(k)}:${(await a.dump(k))?.length ?? 0}`));
    }

    for (const kind of kinds) {
      it(`a ${kind} is refused by every hash write, and stays as it was`, async () => {
        const before = await snapshot();
        await refusal(addField(conn, kind, 'f', 'v'), 'WRONGTYPE', /different type.*Nothing was written/);
        await refusal(compareAndSet(conn, kind, 'f', null, 'v'), 'WRONGTYPE', /Nothing was written/);
        await refusal(renameField(conn, kind, 'f', 'g'), 'WRONGTYPE', /Nothing was written/);
        await refusal(deleteFields(conn, kind, [b('f')]), 'WRONGTYPE', /Nothing was written/);
        await refusal(createHash(conn, kind, 'f', 'v'), 'EXISTS', /already exists/);
        assert.deepEqual(await snapshot(), before);
      });
    }

    it('a TTL of 0 or less, or not a whole number, is refused before anything is sent', async () => {
      for (const ttl of [0, -5, 1.5, Number.NaN]) await refusal(setTtl(conn, 'string', ttl), 'INVALID', /whole number of seconds/);
      assert.equal(await server.admin().ttl('string'), -1);
    });
  });

  describe('bad ports, hosts, URLs and databases', () => {
    it('URLs that are not redis:// ones, or carry a bad port or database, are refused with our message', () => {
      const bad: [string, RegExp][] = [
        ['http://127.0.0.1:6379', /Unsupported scheme "http"/],
        ['redis://127.0.0.1:99999', /Not a valid URL/],
        ['redis://127.0.0.1:6379/abc', /Invalid database number "abc"/],
        ['redis://127.0.0.1:6379/-1', /Invalid database number "-1"/],
        ['redis://127.0.0.1:6379/1.5', /Invalid database number "1.5"/],
        ['not a url', /Not a valid URL/],
        ['', /Not a valid URL/],
      ];
      for (const [url, message] of bad) {
        assert.throws(() => parseRedisUrl(url), (err: unknown) => err instanceof RedisExplorerError && err.code === 'INVALID' && message.test(err.message), url);
      }
    });

    it('profiles with a bad port, host or database say which', () => {
      assert.match(validateProfile({ name: 'x', host: 'h', port: 0 }) ?? '', /invalid port/);
      assert.match(validateProfile({ name: 'x', host: 'h', port: 70000 }) ?? '', /invalid port/);
      assert.match(validateProfile({ name: 'x', host: '', port: 1 }) ?? '', /needs a host/);
      assert.match(validateProfile({ name: 'x', host: 'h', port: 1, db: -1 }) ?? '', /invalid database number/);
      assert.match(validateProfile({ name: '', host: 'h', port: 1 }) ?? '', /needs a name/);
    });

    it('a closed port, a host that does not exist and a database the server lacks: our messages, and nothing is written', async () => {
      const port = await freePort();
      await refusal(RedisConnection.open({ name: 'x', host: '127.0.0.1', port }), 'REFUSED', new RegExp(`Connection refused \\(127\\.0\\.0\\.1:${port}\\)`));
      await refusal(RedisConnection.open({ name: 'x', host: 'no-such-host.invalid', port: 6379 }, { connectTimeoutMs: 3000 }), 'HOST', /Host not found \(no-such-host\.invalid:6379\)/);
      await refusal(RedisConnection.open({ name: 'x', host: server.host, port: server.port, db: 16 }), 'INVALID', /has no database 16/);
      assert.equal(await server.admin().dbsize(), 0);
    });
  });
});
