import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import type { RedisConnection } from '../../src/core/connection';
import { FIRST_PAGE_COUNT, HashSession } from '../../src/hashEditor/session';
import { admin, connect, redisPort } from './hooks';

/*
 * The hash editor's session in plain Node (it has no vscode in it) against the real redis-server:
 * what the first screen waits for, and what the header says when the key is not a loadable hash.
 */
describe('hash session', () => {
  const db = 9;
  let conn: RedisConnection;
  const quiet = { status: () => undefined, invalidate: () => undefined };
  const session = (key: string) => new HashSession({ connection: 'test', db, key: Buffer.from(key) }, () => Promise.resolve(conn), quiet);

  before(async () => {
    conn = await connect({}, undefined, db);
    await admin().select(db);
    await admin().flushdb();
    const args: string[] = [];
    for (let i = 0; i < 5000; i++) args.push(`f${i}`, `v${i}`);
    await admin().hset('big', ...args);
  });
  after(async () => {
    await admin().flushdb();
    await admin().select(0);
  });

  it('the first page is one HSCAN round trip; TYPE, HLEN and TTL are sent after it', async () => {
    const base = new Redis({ host: '127.0.0.1', port: redisPort(), lazyConnect: true });
    const monitor = await base.monitor();
    const seen: string[] = [];
    const source = `127.0.0.1:${conn.client.stream.localPort}`;
    monitor.on('monitor', (_time: string, args: string[], from: string) => {
      if (from === source) seen.push(args.map(String).join(' ').toLowerCase());
    });
    try {
      const s = session('big');
      await s.start();
      assert.ok(s.store.size > 0 && s.store.size < 5000, `${s.store.size} rows after the first page`);
      assert.equal(s.total, null, 'the header is not read before the first page is in');
      await s.loaded();
      assert.equal(s.total, 5000);
      assert.equal(s.store.size, 5000);
      assert.equal(s.load, 'done');
      // The monitor has seen everything the session sent once it has seen this PING.
      await conn.client.ping();
      for (let i = 0; i < 200 && !seen.includes('ping'); i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(seen[0], `hscan big 0 count ${FIRST_PAGE_COUNT}`);
      const header = ['type big', 'hlen big', 'ttl big'].map((c) => seen.indexOf(c));
      assert.ok(header.every((i) => i > 0), `header commands after the first HSCAN: ${seen.slice(0, 6).join(' | ')}`);
      assert.ok(!seen.some((c) => /^(hgetall|hkeys|hvals|keys) /.test(c)));
    } finally {
      monitor.disconnect();
      base.disconnect();
    }
  });

  it('a key of another type fails the first page with its type; a missing key loads nothing and says it is gone', async () => {
    await admin().set('text', 'x');
    const typed = session('text');
    await typed.start();
    await typed.loaded();
    assert.equal(typed.load, 'error');
    assert.equal(typed.message, 'Key "text" is a string, not a hash.');
    const gone = session('nope');
    await gone.start();
    await gone.loaded();
    assert.equal(gone.load, 'done');
    assert.equal(gone.exists, false);
    assert.equal(gone.total, 0);
    assert.equal(gone.store.size, 0);
  });

  it('calls a value text when only its kept prefix ends inside a UTF-8 character, binary when its bytes are not UTF-8', async () => {
    // 1 + 2 * 50,000 bytes: the 65,536-byte prefix ends in the middle of an "é"
    await admin().hset('wide', 'text', 'a' + 'é'.repeat(50_000), 'bytes', Buffer.alloc(100_000, 0xff));
    const s = session('wide');
    await s.start();
    await s.loaded();
    const rows = s.rows(0, 2);
    const text = rows.find((r) => r.field === 'text');
    const bytes = rows.find((r) => r.field === 'bytes');
    assert.equal(text?.truncated, true);
    assert.equal(text?.valueBinary, false);
    assert.equal(text?.length, 100_001);
    assert.equal(bytes?.truncated, true);
    assert.equal(bytes?.valueBinary, true);
  });
});
