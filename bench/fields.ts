import type Redis from 'ioredis';
import type { RedisConnection } from '../src/core/connection';
import { FIRST_PAGE_COUNT, HashSession, PAGE_COUNT } from '../src/core/hashSession';
import type { Figure } from './report';
import { alternate, figure, median, now, progress } from './report';
import { SHAPES, bigHashRow } from './seed';

/*
 * Figures 2-4: a hash. Ours is the editor's extension-side path, src/core/hashSession.ts (no
 * vscode in it): TYPE/HLEN/TTL, then HSCAN pages (core HashPager) into the RowStore in the
 * background; `start()` resolves once the first page is in the store, `loaded()` when all is.
 * The baseline is a bare ioredis HSCAN loop asking what the editor asks: its first page with the
 * editor's first-page COUNT, then its steady COUNT; and HGETALL, which is what the tools users have
 * today do before they show anything.
 */

/** Rows the table asks for when it first draws (a tall screen plus overscan). */
export const SCREEN_ROWS = 100;

const quiet = { status: () => undefined, invalidate: () => undefined };

function session(conn: RedisConnection, key: string): HashSession {
  return new HashSession({ connection: 'bench', db: SHAPES.keyspaceDb, key: Buffer.from(key) }, async () => conn, quiet);
}

/** Opens the editor's session; resolves with ms until the first page is in the store. Stops the rest of the load. */
async function oursFirstPage(conn: RedisConnection, key: string, screen = 0): Promise<number> {
  const t0 = now();
  const s = session(conn, key);
  await s.start();
  if (s.store.size === 0) throw new Error(`no row of ${key} loaded`);
  // The first screen as the webview gets it: one-line previews (truncated display of big values).
  if (screen > 0 && s.rows(0, screen).length === 0) throw new Error('no row for the first screen');
  const ms = now() - t0;
  s.dispose();
  await s.loaded();
  // A page asked ahead must not land in the next timed run.
  await conn.client.ping();
  return ms;
}

async function oursWhole(conn: RedisConnection, key: string): Promise<{ ms: number; rows: number }> {
  const t0 = now();
  const s = session(conn, key);
  await s.start();
  await s.loaded();
  const ms = now() - t0;
  if (s.load !== 'done') throw new Error(`loading ended as ${s.load}: ${s.message ?? ''}`);
  const rows = s.store.size;
  s.dispose();
  return { ms, rows };
}

async function bareFirstPage(client: Redis, key: string): Promise<number> {
  const t0 = now();
  await client.hscanBuffer(key, '0', 'COUNT', FIRST_PAGE_COUNT);
  return now() - t0;
}

async function bareWhole(client: Redis, key: string): Promise<{ ms: number; rows: number }> {
  const t0 = now();
  let cursor = '0';
  let n = 0;
  let count = FIRST_PAGE_COUNT;
  do {
    const [next, flat] = await client.hscanBuffer(key, cursor, 'COUNT', count);
    count = PAGE_COUNT;
    cursor = next.toString();
    n += flat.length >> 1;
  } while (cursor !== '0');
  return { ms: now() - t0, rows: n };
}

async function hgetall(client: Redis, key: string): Promise<number> {
  const t0 = now();
  const all = await client.hgetallBuffer(key);
  const ms = now() - t0;
  if (Object.keys(all).length === 0) throw new Error('HGETALL returned nothing');
  return ms;
}

export async function fieldFigures(conn: RedisConnection, client: Redis, runs: { first: number; whole: number; hgetall: number }): Promise<Figure[]> {
  const key = SHAPES.bigHash;
  progress(`fields: first page, ${runs.first} runs each`);
  for (let i = 0; i < 3; i++) {
    await oursFirstPage(conn, key);
    await bareFirstPage(client, key);
  }
  const first = await alternate(runs.first, () => oursFirstPage(conn, key), () => bareFirstPage(client, key), false);
  progress(`fields: whole hash, ${runs.whole} runs each`);
  const whole = await wholeHash(conn, client, runs.whole);
  progress(`fields: first usable row vs HGETALL, ${runs.hgetall} runs each`);
  const usable = await alternate(runs.hgetall, () => oursFirstPage(conn, key), () => hgetall(client, key));
  const n = SHAPES.bigHashFields.toLocaleString('en-US');
  return [
    figure(`fields: first page of the ${n}-field hash (editor path vs bare HSCAN COUNT ${FIRST_PAGE_COUNT})`, median(first.ours), median(first.baseline), 'ms', '<= 1.5'),
    figure(`fields: whole ${n}-field hash (editor path vs bare HSCAN loop)`, median(whole.ours), median(whole.baseline), 'ms', '<= 1.15'),
    figure(`fields: whole ${n}-field hash, CPU time of this process (editor path vs bare HSCAN loop)`, median(whole.oursCpu), median(whole.baselineCpu), 'ms cpu', '<= 1.3'),
    figure(`fields: first usable row of the ${n}-field hash vs HGETALL (times sooner)`, median(usable.ours), median(usable.baseline), 'ms', '>= 100', true),
  ];
}

/** The editor's whole load of the 1,000,000-field hash and the bare HSCAN loop, alternating; checks both saw every field. */
async function wholeHash(conn: RedisConnection, client: Redis, runs: number): Promise<Awaited<ReturnType<typeof alternate>>> {
  const key = SHAPES.bigHash;
  const counts = { ours: 0, bare: 0 };
  const whole = await alternate(
    runs,
    async () => {
      const r = await oursWhole(conn, key);
      counts.ours = r.rows;
      return r.ms;
    },
    async () => {
      const r = await bareWhole(client, key);
      counts.bare = r.rows;
      return r.ms;
    },
  );
  if (counts.ours !== SHAPES.bigHashFields) throw new Error(`the editor loaded ${counts.ours} fields, expected ${SHAPES.bigHashFields}`);
  if (counts.bare < SHAPES.bigHashFields) throw new Error(`the bare HSCAN loop saw ${counts.bare} fields, expected ${SHAPES.bigHashFields}`);
  return whole;
}

/**
 * The whole-hash figure on another server (`server`, e.g. "Redis 8.0.2"), seeded with the same
 * 1,000,000-field hash (seedBigHash): the same two paths as fieldFigures' whole-hash line.
 */
export async function wholeHashFigure(conn: RedisConnection, client: Redis, runs: number, server: string): Promise<Figure> {
  progress(`fields on ${server}: whole hash, ${runs} runs each`);
  await oursWhole(conn, SHAPES.bigHash);
  await bareWhole(client, SHAPES.bigHash);
  const whole = await wholeHash(conn, client, runs);
  const n = SHAPES.bigHashFields.toLocaleString('en-US');
  return figure(`fields: whole ${n}-field hash on ${server} (editor path vs bare HSCAN loop)`, median(whole.ours), median(whole.baseline), 'ms', '<= 1.15');
}

function heapBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function settle(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run node with --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return heapBytes();
}

/** Bytes of the names and values of the 1,000,000-field hash, from the seed's own generator. */
function rawBytes(): number {
  let n = 0;
  for (let i = 0; i < SHAPES.bigHashFields; i++) {
    const [f, v] = bigHashRow(i);
    n += Buffer.byteLength(f) + Buffer.byteLength(v);
  }
  return n;
}

/** Opens a hash in the editor's session, loads all of it and closes it (nothing of it stays reachable). */
async function openAndClose(conn: RedisConnection, key: string): Promise<void> {
  const s = session(conn, key);
  await s.start();
  await s.loaded();
  s.dispose();
}

export async function memoryFigures(conn: RedisConnection): Promise<Figure[]> {
  progress('memory: the editor holding the whole 1,000,000-field hash');
  const raw = rawBytes();
  // One open and close of another hash of the same shape first (50,000 fields: many pages, sizing,
  // trimming): code compiled and caches filled once are not what closing the editor must give back.
  // (Measured: after the first 1,000,000-field open and close the heap stays flat over further ones.)
  await openAndClose(conn, SHAPES.warmHash);
  const before = await settle();
  let s: HashSession | undefined = session(conn, SHAPES.bigHash);
  await s.start();
  await s.loaded();
  const rows = s.store.size;
  if (rows !== SHAPES.bigHashFields) throw new Error(`loaded ${rows} fields`);
  const held = s.store.bytesHeld();
  const loaded = await settle();
  // Closing the editor: the panel disposes its session and drops it.
  s.dispose();
  s = undefined;
  const after = await settle();
  progress(`memory: before ${mb(before)}, loaded ${mb(loaded)}, after close ${mb(after)}; store ${mb(held)}, raw ${mb(raw)}`);
  return [
    figure('memory: row store bytes per loaded field vs raw name+value bytes', held / rows, raw / rows, 'bytes', '<= 1.5'),
    figure('memory: process heap+arrayBuffers growth per loaded field vs raw bytes', (loaded - before) / rows, raw / rows, 'bytes', '<= 1.5'),
    figure('memory: heap+arrayBuffers after closing the editor vs before opening', after / 1048576, before / 1048576, 'MB', '<= 1.1'),
  ];
}

function mb(n: number): string {
  return `${(n / 1048576).toFixed(1)} MB`;
}

export async function bigValueFigures(conn: RedisConnection, client: Redis, runs: number): Promise<Figure[]> {
  const key = SHAPES.bigValues;
  progress(`big values: first screen, ${runs} runs each`);
  await oursFirstPage(conn, key, SCREEN_ROWS);
  await bareFirstPage(client, key);
  const r = await alternate(runs, () => oursFirstPage(conn, key, SCREEN_ROWS), () => bareFirstPage(client, key));
  return [
    figure(
      `big values: first screen of the ${SHAPES.bigValuesFields.toLocaleString('en-US')} x 100 KB hash (editor path vs bare HSCAN COUNT ${FIRST_PAGE_COUNT})`,
      median(r.ours),
      median(r.baseline),
      'ms',
      '<= 1.5',
    ),
  ];
}
