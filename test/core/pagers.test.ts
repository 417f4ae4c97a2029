import * as assert from 'node:assert/strict';
import { HashPager, KeyPager, fillPage } from '../../src/core/pagers';
import { admin, commandCounts, connect } from './hooks';

async function seedKeys(n: number, prefix: string): Promise<void> {
  for (let i = 0; i < n; i += 5000) {
    const p = admin().pipeline();
    for (let j = i; j < Math.min(n, i + 5000); j++) {
      if (j % 2 === 0) p.hset(`${prefix}:h:${j}`, 'f', String(j));
      else p.set(`${prefix}:s:${j}`, String(j));
    }
    await p.exec();
  }
}

describe('pagers', () => {
  const db = 5;
  before(async function () {
    this.timeout(120000);
    await admin().select(db);
    await admin().flushdb();
    await seedKeys(100_000, 'ks');
    // a 100,000-field hash
    for (let i = 0; i < 100_000; i += 10_000) {
      const args: string[] = [];
      for (let j = i; j < i + 10_000; j++) args.push(`field:${j}`, `value-${j}`);
      await admin().hset('big', ...args);
    }
    await admin().hset('bin', Buffer.from([0xff, 0x00, 0x01]), Buffer.from([0xde, 0xad, 0xbe, 0xef]));
  });
  after(async () => {
    await admin().flushdb();
    await admin().select(0);
  });

  it('pages through a keyspace of 100,000+ keys with SCAN, every key exactly once', async () => {
    const conn = await connect({}, undefined, db);
    const before = await commandCounts();
    const pager = new KeyPager(conn, { count: 1000 });
    const seen = new Map<string, number>();
    let pages = 0;
    while (!pager.done) {
      for (const k of await pager.next()) seen.set(k.toString(), (seen.get(k.toString()) ?? 0) + 1);
      pages++;
    }
    const after = await commandCounts();
    assert.equal(seen.size, 100_002);
    assert.ok([...seen.values()].every((c) => c === 1), 'a key was seen more than once');
    assert.ok(pages > 50, `expected many pages, got ${pages}`);
    assert.equal((after.scan ?? 0) - (before.scan ?? 0), pages, 'one SCAN per page');
    assert.equal(after.keys, before.keys, 'KEYS must never be sent');
  });

  it('fillPage: one SCAN when a page brings enough, more when MATCH is sparse, none after take says stop', async () => {
    const conn = await connect({}, undefined, db);
    const scans = async () => (await commandCounts()).scan ?? 0;
    let before = await scans();
    let kept = 0;
    assert.equal(await fillPage(new KeyPager(conn, { count: 1000 }), 500, (keys) => (kept += keys.length, keys.length)), true);
    assert.ok(kept >= 500, `${kept} keys`);
    assert.equal((await scans()) - before, 1);

    before = await scans();
    const sparse = new KeyPager(conn, { match: 'ks:s:9999*', count: 1000 });
    kept = 0;
    await fillPage(sparse, 3, (keys) => (kept += keys.length, keys.length));
    assert.ok(kept >= 3, `${kept} keys`);
    assert.ok((await scans()) - before > 1, 'a sparse MATCH needs several SCANs');

    before = await scans();
    const timed = new KeyPager(conn, { match: 'no-such-key*', count: 10 });
    assert.equal(await fillPage(timed, 1, (keys) => keys.length, 30), true);
    assert.equal(timed.done, false, 'the time budget ended the page before the scan ended');
    const sent = (await scans()) - before;
    assert.ok(sent >= 1, `${sent} SCANs`);

    before = await scans();
    let calls = 0;
    assert.equal(await fillPage(new KeyPager(conn, { match: 'no-such-key*', count: 10 }), 1, () => (calls++, false)), false);
    assert.equal(calls, 1);
    assert.equal((await scans()) - before, 1, 'no SCAN after take said stop');
  });

  it('filters by SCAN TYPE and MATCH', async () => {
    const conn = await connect({}, undefined, db);
    const hashes = new KeyPager(conn, { type: 'hash', count: 1000 });
    let n = 0;
    while (!hashes.done) n += (await hashes.next()).length;
    assert.equal(n, 50_000 + 2);
    const match = new KeyPager(conn, { match: 'ks:s:1234*', count: 1000 });
    const got = (await match.nextAtLeast(1_000_000)).map(String).sort();
    // odd numbers are string keys: 12341, 12343, ... 12349
    assert.deepEqual(got, ['ks:s:12341', 'ks:s:12343', 'ks:s:12345', 'ks:s:12347', 'ks:s:12349']);
  });

  it('pages through a 100,000-field hash with HSCAN, every field exactly once, binary-safe', async () => {
    const conn = await connect({}, undefined, db);
    const before = await commandCounts();
    const pager = new HashPager(conn, 'big', { count: 500 });
    const seen = new Map<string, string>();
    let pages = 0;
    while (!pager.done) {
      const page = await pager.next();
      pages++;
      page.fields.forEach((f, i) => {
        assert.ok(!seen.has(f.toString()), `field ${f.toString()} seen twice`);
        seen.set(f.toString(), page.values[i].toString());
      });
    }
    const after = await commandCounts();
    assert.equal(seen.size, 100_000);
    assert.equal(seen.get('field:4242'), 'value-4242');
    assert.equal((after.hscan ?? 0) - (before.hscan ?? 0), pages);
    for (const forbidden of ['hgetall', 'hkeys', 'hvals', 'keys']) assert.equal(after[forbidden], before[forbidden], `${forbidden} must never be sent`);

    const bin = await new HashPager(conn, Buffer.from('bin')).next();
    assert.deepEqual([...bin.fields[0]], [0xff, 0x00, 0x01]);
    assert.deepEqual([...bin.values[0]], [0xde, 0xad, 0xbe, 0xef]);
  });

  it('HSCAN MATCH narrows fields server-side', async () => {
    const conn = await connect({}, undefined, db);
    const page = await new HashPager(conn, 'big', { match: 'field:9999*', count: 1000 }).nextAtLeast(1_000_000);
    assert.deepEqual(page.fields.map(String).sort(), ['field:9999', 'field:99990', 'field:99991', 'field:99992', 'field:99993', 'field:99994', 'field:99995', 'field:99996', 'field:99997', 'field:99998', 'field:99999']);
  });

  it('a hash deleted meanwhile ends the scan with nothing', async () => {
    const conn = await connect({}, undefined, db);
    const page = await new HashPager(conn, 'no-such-hash').next();
    assert.equal(page.fields.length, 0);
  });
});
