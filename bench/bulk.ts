import Redis from 'ioredis';
import { deleteFieldsBulk } from '../src/core/bulkFields';
import { RedisConnection } from '../src/core/connection';
import { startRedis } from '../test/support/redisServer';
import type { Figure } from './report';
import { alternate, collect, figure, median, now, progress } from './report';

/*
 * Bulk delete by pattern, on a redis-server of its own: a hash of 100,000 fields matching "user:*" among
 * 100,000 that do not, re-seeded before each run. Ours is the core path the editor and deleteFields run
 * after the confirmation (HSCAN MATCH, HDEL per batch of at most 1,000); the baseline is a bare ioredis
 * HSCAN MATCH + HDEL loop. Alternating, medians. The count before the confirmation is not part of it.
 */

export const BULK_FIGURES = [{ name: 'bulk delete: 100,000 fields selected by pattern (deleteFieldsBulk vs bare HSCAN MATCH + HDEL loop)', unit: 'ms', target: '<= 1.3' }];

const MATCHING = 100_000;
const KEY = 'bench:bulk';

async function seed(client: Redis, prefix: string): Promise<void> {
  for (let i = 0; i < MATCHING; i += 10_000) {
    const args: string[] = [];
    for (let j = i; j < i + 10_000; j++) args.push(`${prefix}${j}`, `value-${j}`);
    await client.hset(KEY, ...args);
  }
}

async function bareDelete(client: Redis): Promise<number> {
  const t0 = now();
  let cursor = '0';
  do {
    const [next, flat] = await client.hscanBuffer(KEY, cursor, 'MATCH', 'user:*', 'COUNT', 1000);
    cursor = next.toString();
    const names: Buffer[] = [];
    for (let i = 0; i < flat.length; i += 2) names.push(flat[i]);
    if (names.length) await client.hdel(KEY, ...names);
  } while (cursor !== '0');
  return now() - t0;
}

export async function bulkFigures(runs: number): Promise<Figure[]> {
  progress('bulk: starting redis-server');
  const server = await startRedis();
  const client = new Redis({ host: '127.0.0.1', port: server.port, lazyConnect: true });
  let conn: RedisConnection | undefined;
  try {
    await client.connect();
    await seed(client, 'other:');
    conn = await RedisConnection.open({ name: 'bench', host: '127.0.0.1', port: server.port, db: 0 }, { commandTimeoutMs: 120_000 });
    const k = conn;
    const check = async (what: string) => {
      if ((await client.hlen(KEY)) !== MATCHING) throw new Error(`${what} left ${(await client.hlen(KEY)) - MATCHING} matching fields`);
    };
    progress('bulk: delete by pattern');
    const r = await alternate(
      runs,
      async () => {
        await seed(client, 'user:');
        await collect();
        const t0 = now();
        const res = await deleteFieldsBulk(k, Buffer.from(KEY), { match: 'user:*' });
        const ms = now() - t0;
        if (res.done !== MATCHING) throw new Error(`deleted ${res.done} fields`);
        await check('ours');
        return ms;
      },
      async () => {
        await seed(client, 'user:');
        await collect();
        const ms = await bareDelete(client);
        await check('the bare loop');
        return ms;
      },
    );
    return [figure(BULK_FIGURES[0].name, median(r.ours), median(r.baseline), 'ms', BULK_FIGURES[0].target)];
  } finally {
    await conn?.close();
    client.disconnect();
    await server.stop();
  }
}
