import { gzipSync } from 'node:zlib';
import Redis from 'ioredis';
import { RedisConnection } from '../src/core/connection';
import { decoders, ValueDecoding } from '../src/hashEditor/decoding';
import { HashSession } from '../src/core/hashSession';
import { startRedis } from '../test/support/redisServer';
import type { Figure } from './report';
import { alternate, figure, median, now, progress } from './report';
import { SCREEN_ROWS } from './fields';

/*
 * Figure 7: the first screen of a hash of 1,000 gzip'd JSON values vs the same hash stored as plain JSON, in
 * the same run, on a redis-server of its own. Both go the table's whole extension-side way: HSCAN first page
 * into the RowStore, the screen's rows, then each row's decoder and decoded preview (gunzip + JSON for one,
 * JSON for the other). The decoders module is loaded before the timed runs; its one-time load is reported apart.
 */

export const DECODED_FIGURE = { name: 'decoded: first screen, gzip JSON vs plain JSON', unit: 'ms', target: '<= 1.5' };
const FIELDS = 1000;

/** A session-like JSON record of about 1.5 KB. */
function record(i: number): string {
  return JSON.stringify({
    id: i,
    user: { name: `user ${i}`, email: `user${i}@example.com`, roles: ['reader', i % 3 ? 'writer' : 'admin'] },
    cart: Array.from({ length: 8 }, (_, j) => ({ sku: `SKU-${(i * 31 + j) % 9973}`, qty: 1 + ((i + j) % 4), price: ((i * 7 + j * 13) % 5000) / 100 })),
    visited: Array.from({ length: 12 }, (_, j) => `/catalog/${(i * 17 + j) % 701}/item/${(i + j * 29) % 3001}`),
    flags: { beta: i % 2 === 0, dark: i % 5 === 0 },
    updated: 1_700_000_000 + i * 37,
  });
}

async function firstScreen(conn: RedisConnection, key: string): Promise<number> {
  const t0 = now();
  const s = new HashSession({ connection: 'bench', db: 0, key: Buffer.from(key) }, async () => conn, { status: () => undefined, invalidate: () => undefined });
  const decoding = new ValueDecoding(s, () => []);
  await s.start();
  const rows = s.rows(0, SCREEN_ROWS);
  await decoding.decorate(rows);
  const ms = now() - t0;
  if (rows.length === 0 || (key.endsWith('gz') && rows[0].decoder !== 'gzip+json') || (key.endsWith('plain') && rows[0].decoder !== 'json')) {
    throw new Error(`rows of ${key} not decoded as expected (${rows[0]?.decoder ?? 'no row'})`);
  }
  s.dispose();
  await s.loaded();
  await conn.client.ping();
  return ms;
}

export async function decodedFigures(runs: number): Promise<Figure[]> {
  const server = await startRedis();
  let conn: RedisConnection | undefined;
  const admin = new Redis({ host: '127.0.0.1', port: server.port, lazyConnect: true });
  try {
    await admin.connect();
    const plain: Buffer[] = [];
    const gz: Buffer[] = [];
    for (let i = 0; i < FIELDS; i++) {
      const text = record(i);
      plain.push(Buffer.from(`f:${i}`), Buffer.from(text));
      gz.push(Buffer.from(`f:${i}`), gzipSync(text));
    }
    await admin.hset('bench:decoded:plain', ...plain);
    await admin.hset('bench:decoded:gz', ...gz);
    conn = await RedisConnection.open({ name: 'bench', host: '127.0.0.1', port: server.port }, { commandTimeoutMs: 60_000 });
    const t0 = now();
    await decoders();
    progress(`decoded: decoders module loaded in ${(now() - t0).toFixed(1)} ms (once per extension host); ${runs} runs each`);
    const c = conn;
    await firstScreen(c, 'bench:decoded:gz');
    await firstScreen(c, 'bench:decoded:plain');
    const r = await alternate(runs, () => firstScreen(c, 'bench:decoded:gz'), () => firstScreen(c, 'bench:decoded:plain'));
    return [figure(`${DECODED_FIGURE.name}: ${FIELDS.toLocaleString('en-US')} fields of ~1.5 KB, ${SCREEN_ROWS} rows decoded`, median(r.ours), median(r.baseline), 'ms', DECODED_FIGURE.target)];
  } finally {
    await conn?.close();
    admin.disconnect();
    await server.stop();
  }
}
