import type { RedisConnection } from './connection';
import { RedisExplorerError } from './errors';
import type { RedisKey } from './pagers';
import { UNCONFIRMED } from './topology';

/*
 * A write whose answer never came (a timeout, a connection lost meanwhile) may or may not have been applied.
 * Where the outcome can be read back, it is: on the same client, so the read is queued behind the write and
 * sees its effect (after a timeout), or after reconnecting (after a lost connection, the server has handled
 * what it received). Then the caller is told which: applied (the write succeeded after all) or not.
 */

type Outcome = 'applied' | 'not-applied' | 'unknown';

/** How long to wait for the server to answer the check (it may still be paused or restarting). */
const CHECK_WAIT_MS = 5000;

/**
 * Called with the error of a write: resolves when the check shows the write was applied; otherwise throws
 * a message that says whether it was not applied or may still be (when the check itself got no answer).
 */
export async function settle(conn: RedisConnection, err: unknown, what: string, check: () => Promise<Outcome>): Promise<void> {
  if (!(err instanceof RedisExplorerError) || err.written !== 'maybe') throw err;
  // On the master it may well be; what is unknown is whether it survives a failover: reading it back cannot tell.
  if (err.detail === UNCONFIRMED) throw err;
  let outcome: Outcome = 'unknown';
  try {
    if (await conn.whenReady(CHECK_WAIT_MS)) outcome = await check();
  } catch {
    // no answer to the check either: the outcome stays unknown
  }
  if (outcome === 'applied') return;
  const happened = err.code === 'TIMEOUT' ? `The server ${conn.where} did not answer in time` : `The connection to ${conn.where} was lost before it answered`;
  if (outcome === 'not-applied') {
    throw new RedisExplorerError(err.code, `${happened}; checked afterwards: the ${what} was not applied, nothing was written.`, err.detail, 'no');
  }
  throw new RedisExplorerError(err.code, `${happened}; the ${what} may still be applied (it could not be checked).`, err.detail, 'maybe');
}

/** A field rename: applied when the new name holds the value and the old name is gone. */
export function fieldRenamed(conn: RedisConnection, key: RedisKey, from: Buffer, to: Buffer): () => Promise<Outcome> {
  return async () => {
    const [a, b] = await conn.run((c) => Promise.all([c.hexists(key, from), c.hexists(key, to)]));
    if (a === 0 && b === 1) return 'applied';
    if (a === 1 && b === 0) return 'not-applied';
    return 'unknown';
  };
}

/** A key rename (RENAMENX): applied when the new key exists and the old one is gone. */
export function keyRenamed(conn: RedisConnection, from: RedisKey, to: RedisKey): () => Promise<Outcome> {
  return async () => {
    const [a, b] = await conn.run((c) => Promise.all([c.exists(from), c.exists(to)]));
    if (a === 0 && b === 1) return 'applied';
    if (a === 1 && b === 0) return 'not-applied';
    return 'unknown';
  };
}

/** A compare-and-set: applied when the field holds the new value, not applied when it still holds the old one. */
export function fieldSet(conn: RedisConnection, key: RedisKey, field: Buffer, expected: Buffer | null, value: Buffer): () => Promise<Outcome> {
  return async () => {
    const now = await conn.run((c) => c.hgetBuffer(key, field));
    if (now !== null && now.equals(value)) return 'applied';
    if (expected === null ? now === null : now !== null && now.equals(expected)) return 'not-applied';
    return 'unknown';
  };
}
