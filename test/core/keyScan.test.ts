import * as assert from 'node:assert/strict';
import { KeyScan, tableFraction } from '../../src/core/keyScan';
import type { ScanProgress } from '../../src/core/keyScan';
import { admin, commandCounts, connect } from './hooks';

/*
 * The tree's key scan against a real server: 20,000 strings and one hash placed (by name) where a SCAN of
 * COUNT 100 meets it on its third page. Page positions are the server's own: the same table, the same COUNT,
 * the same cursors, so the page that meets the hash is known before the scan under test starts.
 */

const DB = 13;
const STRINGS = 20_000;
const COUNT = 100;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The pages of a bare SCAN COUNT 100 over the database, as key names. */
async function barePages(): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor = '0';
  do {
    const [next, keys] = await admin().scan(cursor, 'COUNT', COUNT);
    pages.push(keys);
    cursor = next;
  } while (cursor !== '0');
  return pages;
}

describe('key scan (first keys as found, progress, stop, resume)', () => {
  /** the hash, and the page (0-based) of a bare SCAN COUNT 100 that meets it */
  let hash = '';
  let hashPage = -1;
  let pageCount = 0;

  before(async function () {
    this.timeout(60_000);
    await admin().select(DB);
    await admin().flushdb();
    for (let i = 0; i < STRINGS; i += 1000) {
      const args: string[] = [];
      for (let j = i; j < i + 1000; j++) args.push(`s:${j}`, 'v');
      await admin().mset(...args);
    }
    // let the server finish growing its table, so every scan below walks the same buckets
    await sleep(300);
    const pages = await barePages();
    // a key met on the third page becomes the one hash (same name, same bucket)
    hashPage = 2;
    hash = pages[hashPage][0];
    await admin().del(hash);
    await admin().hset(hash, 'f', 'v');
    pageCount = (await barePages()).length;
    assert.ok(pageCount > 100, `a scan of COUNT ${COUNT} takes many pages (${pageCount})`);
  });

  after(async () => {
    await admin().flushdb();
    await admin().select(0);
  });

  it('hands over the one hash among 20,000 strings from the SCAN that met it, long before the scan ends', async () => {
    const conn = await connect({}, undefined, DB);
    let pages = 0;
    let reportedAt = -1;
    let progressThen: ScanProgress | undefined;
    const found: string[] = [];
    const scan = new KeyScan(conn, { type: 'hash', count: COUNT, maxCount: COUNT }, (keys) => {
      pages++;
      if (keys.length && reportedAt < 0) {
        reportedAt = pages;
        progressThen = scan.progress();
      }
      found.push(...keys.map((k) => k.toString()));
      return keys.length;
    });
    const before = await commandCounts();
    await scan.run(500);
    const after = await commandCounts();
    assert.deepEqual(found, [hash]);
    assert.equal(reportedAt, hashPage + 1, 'reported from the page that met it');
    assert.equal(progressThen?.done, false, 'while the scan was still running');
    assert.equal(progressThen?.running, true);
    assert.equal(pages, pageCount, 'the scan went on to the end (one hash is less than the page asked for)');
    assert.equal((after.scan ?? 0) - (before.scan ?? 0), pageCount, 'one SCAN per page, nothing asked ahead');
    assert.equal(scan.done, true);
  });

  it('counts its progress: scanned of about DBSIZE keys, never backwards, exact at the end', async () => {
    const conn = await connect({}, undefined, DB);
    const seen: ScanProgress[] = [];
    const scan = new KeyScan(conn, { count: COUNT, maxCount: COUNT }, (keys) => keys.length);
    scan.onProgress(() => seen.push(scan.progress()));
    await scan.run(Number.MAX_SAFE_INTEGER);
    const total = STRINGS;
    const withTotal = seen.filter((p) => p.total !== undefined);
    assert.ok(withTotal.length > pageCount / 2, 'DBSIZE is known early on');
    assert.ok(withTotal.every((p) => p.total === total), 'about DBSIZE keys');
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].scanned >= seen[i - 1].scanned, 'never backwards');
    assert.ok(seen.every((p) => p.scanned <= total));
    // halfway through the pages, about half the keys were looked at (the cursor's reversed bits)
    const mid = withTotal[Math.floor(withTotal.length / 2)];
    assert.ok(mid.scanned > total * 0.3 && mid.scanned < total * 0.7, `halfway: scanned ${mid.scanned} of ${total}`);
    assert.ok(seen.filter((p) => !p.done).every((p) => p.scanned < total), 'not all scanned before the end');
    const last = scan.progress();
    assert.deepEqual([last.scanned, last.total, last.found, last.done, last.running], [total, total, total, true, false]);
  });

  it('stop sends no SCAN after the one in flight; run continues from the cursor, no key twice, none missed', async () => {
    const conn = await connect({}, undefined, DB);
    const counts = new Map<string, number>();
    let pages = 0;
    const scan = new KeyScan(conn, { count: COUNT, maxCount: COUNT }, (keys) => {
      pages++;
      for (const k of keys) counts.set(k.toString(), (counts.get(k.toString()) ?? 0) + 1);
      // stopped from inside a page: the request of the next page is not sent
      if (pages === 5 || pages === 40) scan.stop();
      return keys.length;
    });
    const before = await commandCounts();
    await scan.run(Number.MAX_SAFE_INTEGER);
    assert.equal(pages, 5);
    assert.equal(scan.running, false);
    assert.equal(scan.done, false);
    const atStop = await commandCounts();
    assert.equal((atStop.scan ?? 0) - (before.scan ?? 0), 5, 'five pages, five SCANs');
    await sleep(300);
    assert.equal((await commandCounts()).scan, atStop.scan, 'nothing sent after the stop');
    // a page's worth (as "Load more…" asks): pauses once 1,000 keys were kept
    await scan.run(1000);
    assert.ok(pages > 5 && pages < 40, `paused after about 10 more pages (at ${pages})`);
    await scan.run(Number.MAX_SAFE_INTEGER);
    assert.equal(pages, 40, 'stopped again');
    await scan.run(Number.MAX_SAFE_INTEGER);
    assert.equal(scan.done, true);
    const after = await commandCounts();
    assert.equal(counts.size, STRINGS, 'every key (the hash is one of them)');
    assert.ok([...counts.values()].every((n) => n === 1), 'no key twice');
    assert.equal(pages, pageCount, 'the same pages as one scan from start to end');
    assert.equal((after.scan ?? 0) - (before.scan ?? 0), pageCount, 'no SCAN repeated or started over');
  });

  it('asks for more per SCAN while pages come back sparse, up to its limit; a MATCH filter still holds', async () => {
    const conn = await connect({}, undefined, DB);
    let pages = 0;
    const found: string[] = [];
    const scan = new KeyScan(conn, { type: 'hash', count: COUNT, maxCount: 1600 }, (keys) => {
      pages++;
      found.push(...keys.map((k) => k.toString()));
      return keys.length;
    });
    await scan.run(10);
    assert.deepEqual(found, [hash]);
    assert.ok(pages < STRINGS / 1600 + 6, `COUNT grew: ${pages} pages where COUNT ${COUNT} takes ${pageCount}`);

    const matched: string[] = [];
    const filtered = new KeyScan(conn, { match: 's:1999*', count: COUNT }, (keys) => {
      matched.push(...keys.map((k) => k.toString()));
      return keys.length;
    });
    await filtered.run(1000);
    assert.deepEqual(matched.sort(), ['s:1999', ...Array.from({ length: 10 }, (_, i) => `s:1999${i}`)].filter((k) => k !== hash).sort());
  });

  it('reads a SCAN cursor as the part of the table visited', () => {
    assert.equal(tableFraction('0'), 0);
    // a table of 2 buckets after its first: cursor 1; of 4 after three: cursor 3 (binary 11 reversed)
    assert.equal(tableFraction('1'), 0.5);
    assert.equal(tableFraction('3'), 0.75);
    // the first bucket of a table of 2^64
    assert.equal(tableFraction(String(1n << 63n)), 2 ** -64);
    assert.equal(tableFraction('not a number'), 0);
  });
});
