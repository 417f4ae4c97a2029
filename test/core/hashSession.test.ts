import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import type { RedisConnection } from '../../src/core/connection';
import { FIRST_PAGE_COUNT, HashSession } from '../../src/core/hashSession';
import type { StatusInfo } from '../../src/shared/protocol';
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
  it('filters and sorts the loaded rows (natural or byte order), and says so in its status', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `item${i + 1}`);
    await admin().hset('items', ...names.flatMap((n, i) => [n, `value ${String.fromCharCode(0x6c - i)}`]));
    const statuses: StatusInfo[] = [];
    const s = new HashSession({ connection: 'test', db, key: Buffer.from('items') }, () => Promise.resolve(conn), { status: (st) => statuses.push(st), invalidate: () => undefined });
    await s.start();
    await s.loaded();
    const fields = () => s.rows(0, s.viewLength).map((r) => r.field);
    assert.deepEqual(statuses.at(-1), s.status());
    assert.deepEqual({ ...s.status(), view: undefined }, { gen: 1, load: 'done', loaded: 12, total: 12, match: '', message: undefined, view: undefined });

    s.setQuery('', { by: 'field', descending: false });
    assert.deepEqual(fields(), names);
    s.natural = false;
    s.setQuery('', { by: 'field', descending: true });
    assert.deepEqual(fields(), [...names].sort().reverse());
    s.natural = true;
    // values run from "value l" (item1) down to "value a" (item12)
    s.setQuery('', { by: 'value', descending: false });
    assert.deepEqual(fields(), [...names].reverse());

    s.setQuery('ITEM1', { by: 'field', descending: false });
    assert.deepEqual(fields(), ['item1', 'item10', 'item11', 'item12']);
    assert.deepEqual(s.status().view, { version: s.version, length: 4, filter: 'ITEM1', sort: { by: 'field', descending: false } });
    assert.equal(s.status().loaded, 12, 'a filter shows fewer rows, the store keeps them all');

    // a field deleted elsewhere leaves the view; the others keep their order
    s.applyServerValue(Buffer.from('item10'), null);
    assert.deepEqual(fields(), ['item1', 'item11', 'item12']);
    assert.equal(s.status().loaded, 11);
    s.setQuery('', null);
    assert.equal(s.viewLength, 11);
    assert.equal(s.positionOf(s.rowAt(3)), 3);
    assert.equal(s.rowAt(11), -1);
  });

  it('a match pattern loads only the matching fields; HLEN stays the total', async () => {
    const s = session('items');
    await s.start('item1*');
    await s.loaded();
    assert.deepEqual(s.rows(0, 20).map((r) => r.field).sort(), ['item1', 'item10', 'item11', 'item12']);
    assert.deepEqual({ load: s.status().load, loaded: s.status().loaded, total: s.status().total, match: s.status().match }, { load: 'done', loaded: 4, total: 12, match: 'item1*' });
  });
});
