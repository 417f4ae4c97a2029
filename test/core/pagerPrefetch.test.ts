import * as assert from 'node:assert/strict';
import { HashPager, KeyPager } from '../../src/core/pagers';
import type Redis from 'ioredis';
import { admin, commandCounts, connect } from './hooks';

/** Closes a client at once: no reconnect, and the reply to what it sent never arrives. */
function cut(client: Redis): void {
  client.disconnect();
  client.stream.destroy();
}

/*
 * The pagers' prefetch (used by the tree and the hash editor, measured by `npm run bench`): the next
 * page is asked for as soon as one arrives. Pages must be the same as without it, each item once, at
 * most one request ahead, and a failure of a request made ahead must reach the reader, never be lost.
 */
describe('pager prefetch', () => {
  const db = 6;
  before(async () => {
    await admin().select(db);
    await admin().flushdb();
    const args: string[] = [];
    for (let i = 0; i < 20_000; i++) args.push(`f${i}`, `v${i}`);
    await admin().hset('h', ...args);
    const p = admin().pipeline();
    for (let i = 0; i < 5000; i++) p.set(`k:${i}`, '1');
    await p.exec();
  });
  after(async () => {
    await admin().flushdb();
    await admin().select(0);
  });

  it('reads every field once with one HSCAN per page when read to the end', async () => {
    const conn = await connect({}, undefined, db);
    const before = await commandCounts();
    const pager = new HashPager(conn, 'h', { count: 500, prefetch: true });
    const seen = new Set<string>();
    let pages = 0;
    while (!pager.done) {
      const page = await pager.next();
      pages++;
      page.fields.forEach((f, i) => {
        assert.ok(!seen.has(f.toString()), `field ${f.toString()} seen twice`);
        seen.add(f.toString());
        assert.equal(page.values[i].toString(), `v${f.toString().slice(1)}`);
      });
    }
    const after = await commandCounts();
    assert.equal(seen.size, 20_000);
    assert.ok(pages > 10);
    assert.equal((after.hscan ?? 0) - (before.hscan ?? 0), pages, 'no request beyond the last page');
    for (const forbidden of ['hgetall', 'hkeys', 'hvals', 'keys']) assert.equal(after[forbidden], before[forbidden], `${forbidden} must never be sent`);
  });

  it('sends the first page alone, then asks exactly one page ahead, and the next read takes it', async () => {
    const conn = await connect({}, undefined, db);
    const before = await commandCounts();
    const sent = async () => {
      await conn.client.ping(); // replies come in order: whatever was sent before has been answered
      return ((await commandCounts()).hscan ?? 0) - (before.hscan ?? 0);
    };
    const pager = new HashPager(conn, 'h', { count: 500, prefetch: true });
    const first = await pager.next();
    assert.equal(await sent(), 1, 'the first page goes out alone');
    const second = await pager.next();
    assert.equal(await sent(), 3, 'the second page, and the third asked ahead');
    const third = await pager.next();
    assert.equal(await sent(), 4, 'the third read took the page asked ahead and asked the fourth');
    const names = new Set([...first.fields, ...second.fields, ...third.fields].map(String));
    assert.equal(names.size, first.fields.length + second.fields.length + third.fields.length, 'the pages do not overlap');
  });

  it('a key pager reset drops the page asked ahead and scans from the start', async () => {
    const conn = await connect({}, undefined, db);
    const pager = new KeyPager(conn, { count: 500, match: 'k:*', prefetch: true });
    await pager.next();
    const early = await pager.next(); // the third page is now asked ahead
    assert.ok(early.length > 0);
    pager.reset();
    const seen = new Map<string, number>();
    while (!pager.done) for (const k of await pager.next()) seen.set(k.toString(), (seen.get(k.toString()) ?? 0) + 1);
    assert.equal(seen.size, 5000);
    assert.ok([...seen.values()].every((n) => n === 1), 'a key was seen twice after the reset');
  });

  it('a request made ahead that fails rejects the next read, and is never an unhandled rejection', async () => {
    const conn = await connect({}, undefined, db);
    let unhandled = 0;
    const onUnhandled = () => unhandled++;
    process.on('unhandledRejection', onUnhandled);
    try {
      const pager = new HashPager(conn, 'h', { count: 500, prefetch: true });
      await pager.next();
      await pager.next();
      // The request ahead is written but cannot be answered before this tick ends: cutting the
      // socket (no reconnect, no reply) fails it.
      cut(conn.client);
      await assert.rejects(pager.next(), /closed/i);
      // A failed request ahead that nobody reads must not surface anywhere.
      const other = await connect({}, undefined, db);
      const idle = new KeyPager(other, { count: 100, prefetch: true });
      await idle.next();
      await idle.next();
      cut(other.client);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(unhandled, 0);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
