import type Redis from 'ioredis';
import type { RedisConnection } from '../src/core/connection';
import { KeyTreeModel } from '../src/core/keyTree';
import { KeyPager } from '../src/core/pagers';
import type { Figure } from './report';
import { alternate, figure, median, now, progress } from './report';

/*
 * Figure 1: the keyspace. Ours is the tree's path in plain Node: the SCAN loop of
 * src/tree/loading.ts (loadKeyPage: pages into the KeyTreeModel until a page of keys arrived),
 * then the root's folders as the view asks for them (namespace grouping). That loop lives next to
 * vscode-bound node classes, so it is restated here line for line with the same core classes.
 * (KeyPager with prefetch, as loading.ts makes it.)
 * The baseline is a bare ioredis SCAN loop, COUNT 1000, doing nothing with the keys.
 * Both fetch every key (keys.onlyHashes off) with the same COUNT, so they ask Redis for the same work.
 */

export const KEY_COUNT = 1000;
const SEPARATOR = ':';

/** loadKeyPage: pages until half a page of keys arrived (or the scan ended); SCAN COUNT n gives about n, so one round trip. */
async function loadKeyPage(pager: KeyPager, model: KeyTreeModel): Promise<void> {
  const minimum = Math.ceil(KEY_COUNT / 2);
  let got = 0;
  do {
    const keys = await pager.next();
    model.addKeys(keys);
    got += keys.length;
  } while (!pager.done && got < minimum);
}

/** What the root shows: its folders (with counts) and the keys directly in it. */
function showRoot(model: KeyTreeModel): number {
  const root = model.children('');
  return root.folders.length + root.keys.length;
}

export async function oursFirstPage(conn: RedisConnection): Promise<number> {
  const t0 = now();
  const model = new KeyTreeModel(SEPARATOR);
  const pager = new KeyPager(conn, { count: KEY_COUNT, prefetch: true });
  await loadKeyPage(pager, model);
  if (showRoot(model) === 0) throw new Error('the tree shows nothing');
  const ms = now() - t0;
  // A page asked ahead must not land in the next timed run.
  await conn.client.ping();
  return ms;
}

/** Every page loaded ("Load more" until the end), the root shown after each as the view refreshes it. Returns ms and the key count. */
export async function oursWhole(conn: RedisConnection): Promise<{ ms: number; keys: number }> {
  const t0 = now();
  const model = new KeyTreeModel(SEPARATOR);
  const pager = new KeyPager(conn, { count: KEY_COUNT, prefetch: true });
  while (!pager.done) {
    await loadKeyPage(pager, model);
    showRoot(model);
  }
  const ms = now() - t0;
  return { ms, keys: model.loadedCount };
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

export async function keyFigures(conn: RedisConnection, client: Redis, runs: { first: number; whole: number }): Promise<Figure[]> {
  progress(`keys: first page, ${runs.first} runs each`);
  // warm both paths (JIT, connection buffers) before timing
  for (let i = 0; i < 3; i++) {
    await oursFirstPage(conn);
    await bareFirstPage(client);
  }
  const first = await alternate(runs.first, () => oursFirstPage(conn), () => bareFirstPage(client), false);
  progress(`keys: whole keyspace, ${runs.whole} runs each`);
  let oursKeys = 0;
  let bareKeys = 0;
  const whole = await alternate(
    runs.whole,
    async () => {
      const r = await oursWhole(conn);
      oursKeys = r.keys;
      return r.ms;
    },
    async () => {
      const r = await bareWhole(client);
      bareKeys = r.keys;
      return r.ms;
    },
  );
  if (oursKeys < bareKeys * 0.99) throw new Error(`the tree loaded ${oursKeys} keys, the bare loop ${bareKeys}`);
  return [
    figure('keys: first page (tree path vs bare SCAN COUNT 1000)', median(first.ours), median(first.baseline), 'ms', '<= 1.5'),
    figure(`keys: whole keyspace, ${bareKeys.toLocaleString('en-US')} keys (tree path vs bare SCAN loop)`, median(whole.ours), median(whole.baseline), 'ms', '<= 1.15'),
  ];
}
