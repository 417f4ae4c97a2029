import type Redis from 'ioredis';
import type { RedisConnection } from '../src/core/connection';
import { KeyScan, MAX_SCAN_COUNT } from '../src/core/keyScan';
import { KeyTreeModel } from '../src/core/keyTree';
import type { Figure } from './report';
import { alternate, figure, median, now, progress } from './report';

/*
 * A keyspace where hashes are rare: 1,000,000 keys of which 4 are hashes (db 2), and the same shape in
 * 100 keys (db 3) for the workbench figure (bench/workbenchTree.mjs). The figure here: time to the first
 * hash key through the tree's core path (KeyScan with SCAN TYPE hash, COUNT from the default page size,
 * each page into the KeyTreeModel and the root shown once a key is in) vs a bare ioredis SCAN TYPE hash loop
 * that stops at the first hash it meets, with the COUNT our scan grows to (the fastest fixed COUNT it uses).
 */

export const SPARSE = { db: 2, smallDb: 3, keys: 1_000_000, smallKeys: 100 } as const;
/** the 4 hashes, in both databases */
export const SPARSE_HASHES = ['config:app', 'config:flags', 'session:admin', 'session:ops'];
/** the tree's default keys.pageSize, the COUNT its scan starts with */
const PAGE = 500;

export const SPARSE_FIGURE = {
  name: `sparse: first hash key among 1,000,000 keys (4 hashes), tree's scan vs bare SCAN TYPE hash COUNT ${MAX_SCAN_COUNT} loop`,
  unit: 'ms',
  target: '<= 1.3',
};

/** Strings by DEBUG POPULATE (the server runs with --enable-debug-command local), then the 4 hashes. */
export async function seedSparse(client: Redis): Promise<void> {
  for (const [db, n] of [
    [SPARSE.db, SPARSE.keys],
    [SPARSE.smallDb, SPARSE.smallKeys],
  ]) {
    await client.select(db);
    await client.flushdb();
    await client.call('DEBUG', 'POPULATE', String(n - SPARSE_HASHES.length), 'cache', '16');
    for (const h of SPARSE_HASHES) await client.hset(h, 'owner', 'bench', 'updated', '2026-11-30');
    if ((await client.dbsize()) !== n) throw new Error(`db ${db} holds ${await client.dbsize()} keys, expected ${n}`);
  }
  await client.select(0);
}

async function oursFirstHash(conn: RedisConnection): Promise<number> {
  const t0 = now();
  const model = new KeyTreeModel(':');
  let shown = 0;
  let first: (() => void) | undefined;
  const found = new Promise<void>((r) => (first = r));
  const scan = new KeyScan(conn, { type: 'hash', count: PAGE }, (keys) => {
    model.addKeys(keys);
    if (keys.length && !shown) {
      const root = model.children('');
      shown = root.folders.length + root.keys.length;
      first?.();
    }
    return keys.length;
  });
  const run = scan.run(PAGE);
  await Promise.race([found, run]);
  const ms = now() - t0;
  // the background scan is stopped before the next run is timed
  scan.stop();
  await run;
  if (!shown) throw new Error('the tree path found no hash');
  return ms;
}

async function bareFirstHash(client: Redis): Promise<number> {
  const t0 = now();
  let cursor = '0';
  let found = 0;
  do {
    const [next, keys] = await client.scanBuffer(cursor, 'COUNT', MAX_SCAN_COUNT, 'TYPE', 'hash');
    found = keys.length;
    cursor = next.toString();
  } while (!found && cursor !== '0');
  const ms = now() - t0;
  if (!found) throw new Error('the bare loop found no hash');
  return ms;
}

/** `conn` and `client` on db 2. */
export async function sparseFigures(conn: RedisConnection, client: Redis, runs: number): Promise<Figure[]> {
  progress(`sparse: first hash among ${SPARSE.keys.toLocaleString('en-US')} keys, ${runs} runs each`);
  for (let i = 0; i < 3; i++) {
    await oursFirstHash(conn);
    await bareFirstHash(client);
  }
  const r = await alternate(runs, () => oursFirstHash(conn), () => bareFirstHash(client), false);
  return [figure(SPARSE_FIGURE.name, median(r.ours), median(r.baseline), SPARSE_FIGURE.unit, SPARSE_FIGURE.target)];
}
