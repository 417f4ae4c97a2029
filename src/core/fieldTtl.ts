import type { RedisConnection } from './connection';
import { RedisExplorerError } from './errors';
import type { RedisKey } from './pagers';
import { maxFieldTtlSeconds } from '../shared/fieldTtl';

/*
 * Hash-field TTLs (HEXPIRE and friends: Redis 7.4+, Redis 8, Valkey 9). Callers check
 * `ServerInfo.capabilities.fieldTtl` first to hide the feature; the errors here are the last guard.
 */

type Bytes = string | Buffer;

export { maxFieldTtlSeconds, parseFieldTtlText as parseFieldTtl } from '../shared/fieldTtl';

function show(b: Bytes): string {
  const s = Buffer.isBuffer(b) ? b.toString('utf8') : b;
  return s.length > 60 ? s.slice(0, 60) + '…' : s;
}

/** Refuses what is not a TTL a field can get (a whole number of seconds, > 0, within the server's limit). */
export function checkFieldTtl(seconds: number): void {
  if (typeof seconds !== 'number' || !Number.isInteger(seconds)) {
    throw new RedisExplorerError('INVALID', 'A field TTL must be a whole number of seconds; nothing was changed.');
  }
  if (seconds <= 0) throw new RedisExplorerError('INVALID', 'A field TTL must be greater than 0 seconds (0 or -1 removes it); nothing was changed.');
  const max = maxFieldTtlSeconds();
  if (seconds > max) {
    throw new RedisExplorerError('INVALID', `A field TTL can be at most ${max.toLocaleString('en-US')} seconds; nothing was changed.`);
  }
}

function unsupported(err: unknown, where: string): never {
  if (err instanceof Error && /unknown command|unknown subcommand/i.test(err.message)) {
    throw new RedisExplorerError('INVALID', `The server at ${where} has no field TTLs (they need Redis 7.4 or later, or Valkey 9); nothing was changed.`);
  }
  throw err;
}

async function call(conn: RedisConnection, args: Array<string | number | Buffer>): Promise<number[]> {
  try {
    const reply = await conn.run((c) => c.call(...(args as [string, ...Array<string | number | Buffer>])) as Promise<unknown>);
    return Array.isArray(reply) ? reply.map(Number) : [];
  } catch (err) {
    return unsupported(err, conn.where);
  }
}

/** HTTL names at most this many fields, so one command never blocks the server long. */
const TTL_BATCH = 1000;

/** Remaining seconds per field: -1 no TTL, -2 no such field (HTTL; one round trip per 1,000 fields). */
export async function fieldTtls(conn: RedisConnection, key: RedisKey, fields: Bytes[]): Promise<number[]> {
  if (fields.length <= TTL_BATCH) return fields.length === 0 ? [] : call(conn, ['HTTL', key, 'FIELDS', fields.length, ...fields]);
  const out: number[] = [];
  for (let i = 0; i < fields.length; i += TTL_BATCH) out.push(...(await fieldTtls(conn, key, fields.slice(i, i + TTL_BATCH))));
  return out;
}

/** Sets one field's TTL; refuses a field (or key) that does not exist. */
export async function setFieldTtl(conn: RedisConnection, key: RedisKey, field: Bytes, seconds: number): Promise<void> {
  conn.assertWritable();
  checkFieldTtl(seconds);
  const [r] = await call(conn, ['HEXPIRE', key, seconds, 'FIELDS', 1, field]);
  if (r === -2) throw new RedisExplorerError('NOT_FOUND', `Field "${show(field)}" does not exist in "${show(key)}"; nothing was changed.`);
  if (r !== 1) throw new RedisExplorerError('UNKNOWN', `The server did not set the TTL of field "${show(field)}" (reply ${r}).`);
}

/**
 * One HEXPIRE (seconds > 0) or HPERSIST (seconds <= 0) over a batch of fields, atomic on the server;
 * returns how many fields it changed (HEXPIRE: TTL set; HPERSIST: a TTL removed). Absent fields are skipped.
 */
export async function setFieldTtls(conn: RedisConnection, key: RedisKey, fields: Bytes[], seconds: number): Promise<number> {
  conn.assertWritable();
  if (seconds > 0) checkFieldTtl(seconds);
  if (fields.length === 0) return 0;
  const reply = await call(conn, seconds > 0 ? ['HEXPIRE', key, seconds, 'FIELDS', fields.length, ...fields] : ['HPERSIST', key, 'FIELDS', fields.length, ...fields]);
  return reply.filter((r) => r === 1).length;
}

/** Removes one field's TTL (resolves when it had none); refuses a field (or key) that does not exist. */
export async function removeFieldTtl(conn: RedisConnection, key: RedisKey, field: Bytes): Promise<void> {
  conn.assertWritable();
  const [r] = await call(conn, ['HPERSIST', key, 'FIELDS', 1, field]);
  if (r === -2) throw new RedisExplorerError('NOT_FOUND', `Field "${show(field)}" does not exist in "${show(key)}"; nothing was changed.`);
}
