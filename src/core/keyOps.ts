import type { RedisConnection } from './connection';
import { RedisExplorerError } from './errors';
import type { RedisKey } from './pagers';

function show(k: RedisKey): string {
  const s = Buffer.isBuffer(k) ? k.toString('utf8') : k;
  return s.length > 80 ? s.slice(0, 80) + '…' : s;
}

/** 'hash', 'string', ..., or 'none' when the key does not exist. */
export async function keyType(conn: RedisConnection, key: RedisKey): Promise<string> {
  return conn.run((c) => c.type(key));
}

export async function keyExists(conn: RedisConnection, key: RedisKey): Promise<boolean> {
  return (await conn.run((c) => c.exists(key))) === 1;
}

/**
 * TYPE of many keys in one round trip (a pipeline; on a cluster all sent at once, as `keyFacts`): 'none' for a
 * key that does not exist, undefined where the type could not be read.
 */
export async function keyTypes(conn: RedisConnection, keys: RedisKey[]): Promise<Array<string | undefined>> {
  if (keys.length === 0) return [];
  if (conn.isCluster) {
    const settled = await conn.run((c) => Promise.allSettled(keys.map((k) => c.type(k))));
    return settled.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
  }
  const replies = await conn.run(async (c) => {
    const p = c.pipeline();
    for (const k of keys) p.type(k);
    return (await p.exec()) ?? [];
  });
  return keys.map((_, i) => {
    const [err, type] = replies[i] ?? [];
    return !err && typeof type === 'string' ? type : undefined;
  });
}

/** What the tree shows of a key: its type ('none': gone), TTL in ms (-1 none) and, for a hash, its field count. */
interface KeyFacts {
  type: string;
  pttl: number;
  fields?: number;
}

/**
 * TYPE, PTTL and HLEN of many keys in one round trip (a pipeline). A key whose facts could not be
 * read gives undefined; HLEN of a key that is not a hash fails inside the pipeline only and is left out.
 */
export async function keyFacts(conn: RedisConnection, keys: RedisKey[]): Promise<Array<KeyFacts | undefined>> {
  if (keys.length === 0) return [];
  if (conn.isCluster) return clusterKeyFacts(conn, keys);
  const replies = await conn.run(async (c) => {
    const p = c.pipeline();
    for (const k of keys) p.type(k).pttl(k).hlen(k);
    return (await p.exec()) ?? [];
  });
  return keys.map((_, i) => {
    const [typeErr, type] = replies[i * 3] ?? [];
    const [, pttl] = replies[i * 3 + 1] ?? [];
    const [hlenErr, hlen] = replies[i * 3 + 2] ?? [];
    if (typeErr || typeof type !== 'string') return undefined;
    const facts: KeyFacts = { type, pttl: typeof pttl === 'number' ? pttl : -1 };
    if (type === 'hash' && !hlenErr && typeof hlen === 'number') facts.fields = hlen;
    return facts;
  });
}

/**
 * A cluster's keys live on many nodes and a pipeline must not span slots: each command is sent on its own,
 * all at once, so they are in flight together on each node's connection (about one round trip, as a pipeline).
 */
async function clusterKeyFacts(conn: RedisConnection, keys: RedisKey[]): Promise<Array<KeyFacts | undefined>> {
  const settled = await conn.run((c) => Promise.all(keys.map((k) => Promise.allSettled([c.type(k), c.pttl(k), c.hlen(k)]))));
  return settled.map(([type, pttl, hlen]) => {
    if (type.status !== 'fulfilled') return undefined;
    const facts: KeyFacts = { type: type.value, pttl: pttl.status === 'fulfilled' ? pttl.value : -1 };
    if (type.value === 'hash' && hlen.status === 'fulfilled') facts.fields = hlen.value;
    return facts;
  });
}

/** Seconds to live: -1 when the key has no TTL, -2 when it does not exist. */
export async function getTtl(conn: RedisConnection, key: RedisKey): Promise<number> {
  return conn.run((c) => c.ttl(key));
}

export async function setTtl(conn: RedisConnection, key: RedisKey, seconds: number): Promise<void> {
  conn.assertWritable();
  if (!Number.isInteger(seconds) || seconds <= 0) throw new RedisExplorerError('INVALID', 'A TTL must be a whole number of seconds greater than 0.');
  const ok = await conn.run((c) => c.expire(key, seconds));
  if (ok !== 1) throw new RedisExplorerError('NOT_FOUND', `Key "${show(key)}" no longer exists.`);
}

/** Removes the TTL. Resolves when the key exists (with or without a TTL). */
export async function removeTtl(conn: RedisConnection, key: RedisKey): Promise<void> {
  conn.assertWritable();
  const removed = await conn.run((c) => c.persist(key));
  if (removed !== 1 && !(await keyExists(conn, key))) throw new RedisExplorerError('NOT_FOUND', `Key "${show(key)}" no longer exists.`);
}

/** RENAMENX: never overwrites an existing key. */
export async function renameKey(conn: RedisConnection, key: RedisKey, newKey: RedisKey): Promise<void> {
  conn.assertWritable();
  let ok: number;
  try {
    ok = await conn.run((c) => c.renamenx(key, newKey));
  } catch (err) {
    if (err instanceof RedisExplorerError && /no such key/i.test(err.message)) {
      throw new RedisExplorerError('NOT_FOUND', `Key "${show(key)}" no longer exists.`);
    }
    // Refused rather than done as copy-then-delete: that would not be atomic, and a failure between the two
    // would leave two keys (or, done the other way round, none).
    if (err instanceof RedisExplorerError && /CROSSSLOT/.test(err.message)) {
      throw new RedisExplorerError(
        'INVALID',
        `"${show(key)}" and "${show(newKey)}" are in different hash slots of the cluster (${conn.where}): Redis cannot rename a key across slots. Nothing was renamed. A name with the same hash tag ({…}) stays in one slot.`,
        err,
      );
    }
    throw err;
  }
  if (ok !== 1) throw new RedisExplorerError('EXISTS', `Key "${show(newKey)}" already exists; nothing was renamed.`);
}

/** UNLINK: frees memory in the background, so deleting a big hash does not block the server. */
export async function deleteKeys(conn: RedisConnection, keys: RedisKey[]): Promise<number> {
  conn.assertWritable();
  if (keys.length === 0) return 0;
  return conn.run((c) => c.unlink(...keys));
}

/** MEMORY USAGE in bytes, or null where the server does not allow it. */
export async function memoryUsage(conn: RedisConnection, key: RedisKey): Promise<number | null> {
  try {
    const n = await conn.run((c) => c.call('MEMORY', 'USAGE', key, 'SAMPLES', '5') as Promise<number | null>);
    return typeof n === 'number' ? n : null;
  } catch {
    return null;
  }
}
