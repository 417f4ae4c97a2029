import type Redis from 'ioredis';
import type { RedisConnection } from '../src/core/connection';
import { KeyTreeModel } from '../src/core/keyTree';
import { KeyScan } from '../src/core/keyScan';
import type { Figure } from './report';
import { alternate, figure, median, now, progress } from './report';

/*
 * Figure 1: the keyspace. Ours is the tree's path in plain Node: the KeyScan (COUNT 1000, one SCAN in
 * flight, each page into the KeyTreeModel as it arrives), as src/tree/loading.ts (loadKeyPage) runs it, then
 * the root's folders as the view asks for them (namespace grouping).
 * The baseline is a bare ioredis SCAN loop, COUNT 1000, doing nothing with the keys.
 * Both fetch every key (keys.onlyHashes off) with the same COUNT, so they ask Redis for the same work.
 */

export const KEY_COUNT = 1000;
const SEPARATOR = ':';

/** The tree's scan into a fresh model; `onPage` after each page. */
function treeScan(conn: RedisConnection, model: KeyTreeModel, onPage: () => void = () => undefined): KeyScan {
  return new KeyScan(conn, { count: KEY_COUNT, browsing: true }, (keys) => {
    model.addKeys(keys);
    onPage();
    return keys.length;
  });
}

/** What the root shows: its folders (with counts) and the keys directly in it. */
function showRoot(model: KeyTreeModel): number {
  const root = model.children('');
  return root.folders.length + root.keys.length;
}

/** Until the view shows the first page (the tree refreshes as soon as keys are in); the scan is then stopped. */
export async function oursFirstPage(conn: RedisConnection): Promise<number> {
  const t0 = now();
  const model = new KeyTreeModel(SEPARATOR);
  let shown = 0;
  let ms = 0;
  const scan = treeScan(conn, model, () => {
    if (shown) return;
    shown = showRoot(model);
    ms = now() - t0;
    scan.stop();
  });
  await scan.run(KEY_COUNT);
  if (shown === 0) throw new Error('the tree shows nothing');
  return ms;
}

/** Every page loaded ("Load more" until the end, a page of keys each), the root shown after each as the view refreshes it. Returns ms and the key count. */
export async function oursWhole(conn: RedisConnection): Promise<{ ms: number; keys: number }> {
  const t0 = now();
  const model = new KeyTreeModel(SEPARATOR);
  const scan = treeScan(conn, model);
  while (!scan.done) {
    await scan.run(KEY_COUNT);
    showRoot(model);
  }
  const ms = now() - t0;
  return { ms, keys: model.loadedCount };
}

/** The tree's scan alone, every page, nothing kept (what the whole-keyspace figure costs without the folders). */
export async function oursScanOnly(conn: RedisConnection): Promise<{ ms: number; keys: number }> {
  const t0 = now();
  let n = 0;
  const scan = new KeyScan(conn, { count: KEY_COUNT, browsing: true }, (keys) => {
    n += keys.length;
    return keys.length;
  });
  while (!scan.done) await scan.run(KEY_COUNT);
  return { ms: now() - t0, keys: n };
}

export async function bareFirstPage(client: Redis): Promise<number> {
  const t0 = now();
  await client.scanBuffer('0', 'COUNT', KEY_COUNT);
  return now() - t0;
}

export async function bareWhole(client: Redis): Promise<{ ms: number; keys: number }> {
  const t0 = now();
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await client.scanBuffer(cursor, 'COUNT', KEY_COUNT);
    cursor = next.toString();
    n += keys.length;
  } while (cursor !== '0');
  return { ms: now() - t0, keys: n };
}

type Load = () => Promise<{ ms: number; keys: number }>;

/** Whole-keyspace loads of ours and of a bare loop, alternated; fails when ours loaded fewer keys. `keys`: the bare loop's count. */
export async function wholeKeyspace(runs: number, ours: Load, bare: Load): Promise<Awaited<ReturnType<typeof alternate>> & { keys: number }> {
  let oursKeys = 0;
  let bareKeys = 0;
  const whole = await alternate(
    runs,
    async () => {
      const r = await ours();
      oursKeys = r.keys;
      return r.ms;
    },
    async () => {
      const r = await bare();
      bareKeys = r.keys;
      return r.ms;
    },
  );
  if (oursKeys < bareKeys * 0.99) throw new Error(`the tree loaded ${oursKeys} keys, the bare loop ${bareKeys}`);
  return { ...whole, keys: bareKeys };
}

export async function keyFigures(conn: RedisConnection, client: Redis, runs: { first: number; whole: number }): Promise<Figure[]> {
  progress(`keys: first page, ${runs.first} runs each`);
  // warm both paths (JIT, connection buffers) before timing
  for (let i = 0; i < 3; i++) {
    await oursFirstPage(conn);
    await bareFirstPage(client);
  }
  const first = await alternate(runs.first, () => oursFirstPage(conn), () => bareFirstPage(client), false);
  progress(`keys: whole keyspace, ${runs.whole} runs each`);
  const whole = await wholeKeyspace(runs.whole, () => oursWhole(conn), () => bareWhole(client));
  return [
    figure('keys: first page (tree path vs bare SCAN COUNT 1000)', median(first.ours), median(first.baseline), 'ms', '<= 1.5'),
    figure(`keys: whole keyspace, ${whole.keys.toLocaleString('en-US')} keys (tree path vs bare SCAN loop)`, median(whole.ours), median(whole.baseline), 'ms', '<= 1.15'),
    figure('keys: whole keyspace, CPU time of this process (tree path vs bare SCAN loop)', median(whole.oursCpu), median(whole.baselineCpu), 'ms cpu', '<= 1.3'),
  ];
}
