import type { RedisConnection } from './connection';
import type { RunControl } from './exporting';
import { checkFieldTtl, setFieldTtls } from './fieldTtl';
import { fieldCount } from './hashOps';
import type { RedisKey } from './pagers';
import { HashPager } from './pagers';
import { getServerInfo, knownCapabilities } from './serverInfo';

/*
 * Bulk work on the fields of one hash: a named selection (a table's selected rows) or every field
 * matching an HSCAN MATCH pattern, found on the server without loading values (NOVALUES where the
 * server has it). Each batch is one command of at most BULK_BATCH fields (HDEL, HEXPIRE, HPERSIST):
 * atomic on the server, and short enough not to block it. Cancel stops between batches, so a stopped run
 * has done whole batches only, and says how many fields that was.
 */

export const BULK_BATCH = 1000;

/** Which fields: these names, or every field matching the pattern at the time of the run. */
export type FieldSource = { fields: Buffer[] } | { match: string };

export interface BulkResult {
  /** fields the server changed (deleted, TTL set or removed); absent ones are not counted */
  done: number;
  /** fields named to the server (selected, or found by the pattern) */
  seen: number;
  cancelled: boolean;
}

interface BulkControl extends RunControl {
  /** after each batch: the names it sent, none of which is in the hash now (deletes) or each has the new TTL */
  onBatch?(fields: Buffer[]): void;
}

async function noValues(conn: RedisConnection): Promise<boolean> {
  return (knownCapabilities(conn) ?? (await getServerInfo(conn)).capabilities).hscanNoValues;
}

/** The source's field names in batches of at most BULK_BATCH. */
async function* batches(conn: RedisConnection, key: RedisKey, source: FieldSource): AsyncGenerator<Buffer[]> {
  if ('fields' in source) {
    for (let i = 0; i < source.fields.length; i += BULK_BATCH) yield source.fields.slice(i, i + BULK_BATCH);
    return;
  }
  const pager = new HashPager(conn, key, { match: source.match, count: BULK_BATCH, noValues: await noValues(conn), prefetch: true });
  let pending: Buffer[] = [];
  while (!pager.done) {
    pending.push(...(await pager.next()).fields);
    while (pending.length >= BULK_BATCH) {
      yield pending.slice(0, BULK_BATCH);
      pending = pending.slice(BULK_BATCH);
    }
  }
  if (pending.length) yield pending;
}

/**
 * How many fields match `match` now: HLEN for "*", else a whole HSCAN MATCH (names only), each name
 * counted once (HSCAN may return a name twice while the hash is being resized).
 */
export async function countMatching(conn: RedisConnection, key: RedisKey, match: string, control: RunControl = {}): Promise<{ count: number; cancelled: boolean }> {
  if (match === '*') return { count: await fieldCount(conn, key), cancelled: false };
  const seen = new Set<string>();
  const pager = new HashPager(conn, key, { match, count: BULK_BATCH, noValues: await noValues(conn), prefetch: true });
  while (!pager.done) {
    if (control.signal?.aborted) return { count: seen.size, cancelled: true };
    for (const f of (await pager.next()).fields) seen.add(f.toString('latin1'));
    await control.onProgress?.(seen.size);
  }
  return { count: seen.size, cancelled: false };
}

async function run(conn: RedisConnection, key: RedisKey, source: FieldSource, control: BulkControl, write: (batch: Buffer[]) => Promise<number>): Promise<BulkResult> {
  conn.assertWritable();
  const r: BulkResult = { done: 0, seen: 0, cancelled: false };
  for await (const batch of batches(conn, key, source)) {
    if (control.signal?.aborted) return { ...r, cancelled: true };
    r.done += await write(batch);
    r.seen += batch.length;
    control.onBatch?.(batch);
    await control.onProgress?.(r.done);
  }
  return r;
}

/** Deletes the fields (HDEL per batch); `done` is what the server removed. */
export function deleteFieldsBulk(conn: RedisConnection, key: RedisKey, source: FieldSource, control: BulkControl = {}): Promise<BulkResult> {
  return run(conn, key, source, control, (batch) => conn.run((c) => c.hdel(key, ...batch)));
}

/**
 * Sets the fields' TTL to `seconds` (HEXPIRE per batch), or removes it when `seconds` is 0 or -1
 * (HPERSIST). Servers with field TTLs only: callers check `capabilities.fieldTtl` first.
 */
export async function setFieldsTtlBulk(conn: RedisConnection, key: RedisKey, source: FieldSource, seconds: number, control: BulkControl = {}): Promise<BulkResult> {
  conn.assertWritable();
  if (seconds > 0) checkFieldTtl(seconds);
  return run(conn, key, source, control, (batch) => setFieldTtls(conn, key, batch, seconds));
}
