import type { RedisConnection } from './connection';
import { RedisExplorerError } from './errors';
import { checkFieldTtl } from './fieldTtl';
import { knownCapabilities } from './serverInfo';
import type { RedisKey } from './pagers';

/*
 * Hash writes. The multi-step ones are Lua scripts so they are atomic on the server:
 * a rename never leaves both names or neither, a compare-and-set never overwrites a value
 * that changed since the user saw it. Lua strings are byte strings, so binary values pass unchanged.
 */

/*
 * A plain HSET over a field clears that field's TTL (Redis 7.4+), so every script that writes an
 * existing field reads its expiry first and restores it after the write, in the same atomic step.
 * `ttls` ('0' where the server is known to lack field TTLs) spares such servers the unknown command;
 * where it is not known, redis.pcall keeps the script harmless.
 */
const KEEP_TTL = `
local function expiryOf(key, field, ttls)
  if ttls == '0' then return nil end
  local r = redis.pcall('HPEXPIRETIME', key, 'FIELDS', 1, field)
  if type(r) == 'table' and type(r[1]) == 'number' and r[1] > 0 then return r[1] end
  return nil
end
local function restore(key, field, at)
  if at then redis.call('HPEXPIREAT', key, at, 'FIELDS', 1, field) end
end
`;

const RENAME_FIELD = `${KEEP_TTL}
if redis.call('EXISTS', KEYS[1]) == 0 then return {err='NOT_FOUND key'} end
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return {err='NOT_FOUND field'} end
if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1 then return {err='EXISTS field'} end
local at = expiryOf(KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[1], ARGV[2], v)
redis.call('HDEL', KEYS[1], ARGV[1])
restore(KEYS[1], ARGV[2], at)
return 1`;

// ARGV: field, new value, 'present'|'absent'|'any', expected value (when present), ttls flag.
const COMPARE_AND_SET = `${KEEP_TTL}
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local same
if ARGV[3] == 'any' then same = true
elseif ARGV[3] == 'absent' then same = (cur == false) else same = (cur == ARGV[4]) end
if not same then
  if cur == false then return {0} end
  return {0, cur}
end
local at = nil
if cur then at = expiryOf(KEYS[1], ARGV[1], ARGV[5]) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
restore(KEYS[1], ARGV[1], at)
return {1}`;

// ARGV: field, value, key must exist ('1'|'0'), TTL in seconds ('0': none).
const ADD_FIELD = `
if ARGV[3] == '1' and redis.call('EXISTS', KEYS[1]) == 0 then return {err='NOT_FOUND key'} end
if ARGV[4] ~= '0' and redis.pcall('HTTL', KEYS[1], 'FIELDS', 1, ARGV[1]).err then return {err='NO_FIELD_TTL'} end
local added = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
if added == 1 and ARGV[4] ~= '0' then redis.call('HEXPIRE', KEYS[1], ARGV[4], 'FIELDS', 1, ARGV[1]) end
return added`;

const CREATE_HASH = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {err='EXISTS key'} end
return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])`;

type Bytes = string | Buffer;

/** '0' where the server is known to have no field TTLs, '1' otherwise (the keep-TTL scripts' ARGV). */
function ttlsFlag(conn: RedisConnection): string {
  return knownCapabilities(conn)?.fieldTtl === false ? '0' : '1';
}

function show(b: Bytes): string {
  const s = Buffer.isBuffer(b) ? b.toString('utf8') : b;
  return s.length > 60 ? s.slice(0, 60) + '…' : s;
}

/** Maps the `{err='NOT_FOUND key'}` replies of the scripts above to clear errors. */
function scriptError(err: unknown, key: RedisKey, field?: Bytes, newField?: Bytes): never {
  const msg = err instanceof Error ? err.message : String(err);
  if (msg.includes('NOT_FOUND key')) throw new RedisExplorerError('NOT_FOUND', `Key "${show(key)}" no longer exists (deleted meanwhile?).`);
  if (msg.includes('NOT_FOUND field')) throw new RedisExplorerError('NOT_FOUND', `Field "${show(field ?? '')}" no longer exists in "${show(key)}".`);
  if (msg.includes('EXISTS field')) throw new RedisExplorerError('EXISTS', `Field "${show(newField ?? '')}" already exists in "${show(key)}".`);
  if (msg.includes('NO_FIELD_TTL')) throw new RedisExplorerError('INVALID', 'This server has no field TTLs (they need Redis 7.4 or later, or Valkey 9); nothing was written.');
  if (msg.includes('EXISTS key')) throw new RedisExplorerError('EXISTS', `Key "${show(key)}" already exists.`);
  throw err;
}

/** HGET: exact lookup of one field, instant on any hash size. null when absent. */
export async function getField(conn: RedisConnection, key: RedisKey, field: Bytes): Promise<Buffer | null> {
  return conn.run((c) => c.hgetBuffer(key, field));
}

/** HMGET: several fields in one round trip; null for each that is absent. */
export async function getFields(conn: RedisConnection, key: RedisKey, fields: Bytes[]): Promise<Array<Buffer | null>> {
  if (fields.length === 0) return [];
  return conn.run((c) => c.hmgetBuffer(key, ...fields));
}

export async function fieldExists(conn: RedisConnection, key: RedisKey, field: Bytes): Promise<boolean> {
  return (await conn.run((c) => c.hexists(key, field))) === 1;
}

export async function fieldCount(conn: RedisConnection, key: RedisKey): Promise<number> {
  return conn.run((c) => c.hlen(key));
}

/** HSTRLEN: a value's size without fetching it. */
export async function valueLength(conn: RedisConnection, key: RedisKey, field: Bytes): Promise<number> {
  return conn.run((c) => c.hstrlen(key, field));
}

/** Writes a value whatever the field holds (the user chose to overwrite); an existing field keeps its TTL. */
export async function setField(conn: RedisConnection, key: RedisKey, field: Bytes, value: Bytes): Promise<void> {
  conn.assertWritable();
  await conn.run((c) => c.eval(COMPARE_AND_SET, 1, key, field, value, 'any', '', ttlsFlag(conn)));
}

/**
 * Adds a field only if absent. With `keyMustExist` (the default) it also refuses to recreate
 * a hash that was deleted meanwhile. `ttlSeconds` gives the new field a TTL in the same atomic
 * step (servers with field TTLs only: check `capabilities.fieldTtl` first).
 */
export async function addField(conn: RedisConnection, key: RedisKey, field: Bytes, value: Bytes, keyMustExist = true, ttlSeconds = 0): Promise<void> {
  conn.assertWritable();
  if (ttlSeconds !== 0) checkFieldTtl(ttlSeconds);
  let added: unknown;
  try {
    added = await conn.run((c) => c.eval(ADD_FIELD, 1, key, field, value, keyMustExist ? '1' : '0', String(ttlSeconds)));
  } catch (err) {
    scriptError(err, key, field);
  }
  if (added !== 1) throw new RedisExplorerError('EXISTS', `Field "${show(field)}" already exists in "${show(key)}".`);
}

/** Creates a new hash with one field; refuses when the key exists. */
export async function createHash(conn: RedisConnection, key: RedisKey, field: Bytes, value: Bytes): Promise<void> {
  conn.assertWritable();
  try {
    await conn.run((c) => c.eval(CREATE_HASH, 1, key, field, value));
  } catch (err) {
    scriptError(err, key);
  }
}

export async function deleteFields(conn: RedisConnection, key: RedisKey, fields: Bytes[]): Promise<number> {
  conn.assertWritable();
  if (fields.length === 0) return 0;
  let removed = 0;
  // Bounded batches keep one command from blocking the server on a huge selection.
  for (let i = 0; i < fields.length; i += 1000) {
    const batch = fields.slice(i, i + 1000);
    removed += await conn.run((c) => c.hdel(key, ...batch));
  }
  return removed;
}

/** Renames a field atomically; fails if the new name exists or the old one is gone. */
export async function renameField(conn: RedisConnection, key: RedisKey, field: Bytes, newField: Bytes): Promise<void> {
  conn.assertWritable();
  if (Buffer.from(field).equals(Buffer.from(newField))) return;
  try {
    await conn.run((c) => c.eval(RENAME_FIELD, 1, key, field, newField, ttlsFlag(conn)));
  } catch (err) {
    scriptError(err, key, field, newField);
  }
}

export type CasResult = { ok: true } | { ok: false; current: Buffer | null };

/**
 * Writes `value` only if the field still holds `expected` (null: the field must be absent).
 * On a conflict nothing is written and the server's current value is returned.
 */
export async function compareAndSet(conn: RedisConnection, key: RedisKey, field: Bytes, expected: Bytes | null, value: Bytes): Promise<CasResult> {
  conn.assertWritable();
  const reply = (await conn.run((c) =>
    c.callBuffer('EVAL', COMPARE_AND_SET, 1, key, field, value, expected === null ? 'absent' : 'present', expected ?? '', ttlsFlag(conn)) as Promise<unknown>,
  )) as unknown[];
  if (Number(reply[0]) === 1) return { ok: true };
  const cur = reply[1];
  return { ok: false, current: Buffer.isBuffer(cur) ? cur : null };
}

/** compareAndSet that throws a CONFLICT error carrying the current value, for callers that just report. */
export async function setFieldIfUnchanged(conn: RedisConnection, key: RedisKey, field: Bytes, expected: Bytes | null, value: Bytes): Promise<void> {
  const r = await compareAndSet(conn, key, field, expected, value);
  if (!r.ok) {
    throw new RedisExplorerError(
      'CONFLICT',
      r.current === null
        ? `Field "${show(field)}" was deleted on the server since it was shown; nothing was written.`
        : `Field "${show(field)}" changed on the server since it was shown; nothing was written.`,
      { current: r.current },
    );
  }
}
