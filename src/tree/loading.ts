import type { RedisConnection } from '../core/connection';
import { fieldTtls } from '../core/fieldTtl';
import { getFields } from '../core/hashOps';
import { keyFacts } from '../core/keyOps';
import { KeyScan } from '../core/keyScan';
import { HashPager } from '../core/pagers';
import type { NameOrder } from '../core/keyTree';
import type { KeyMeta } from './labels';
import type { ConnectionSession, KeyNode } from './nodes';
import { FieldNode, byteId } from './nodes';

/*
 * The Redis side of the tree: SCAN pages into the key model, one pipeline of TYPE/TTL/HLEN for the
 * keys a folder shows, HSCAN pages of fields. Never KEYS, never HGETALL.
 */

export interface TreeSettings {
  keyPageSize: number;
  fieldPageSize: number;
  separator: string;
  onlyHashes: boolean;
  /** how key and folder names sort */
  order: NameOrder;
}

/** What a running key scan tells the view: keys arrived (the first ones, or more), progress moved. */
interface ScanEvents {
  keys(): void;
  progress(): void;
}

/**
 * Scans for the next page of keys (`keyPageSize` kept, unless the keyspace ends or the scan is stopped),
 * handing each SCAN page to the key model as it arrives and telling `events`; resolves when the scan pauses.
 * Nothing happens for a page that arrives after a reset of the session. Before Redis 6 (no SCAN TYPE) every
 * type is scanned and the folders drop what is not a hash once its type is read.
 */
export function loadKeyPage(session: ConnectionSession, conn: RedisConnection, settings: TreeSettings, filter: string | undefined, scanType = true, events?: ScanEvents): Promise<void> {
  if (session.loading) return session.loading;
  const epoch = session.epoch;
  if (session.scan && session.scanConn !== conn) {
    // The scan's client was closed and replaced (the pool gave another): its cursor is no use on stale
    // keys; scan again from the start (the model drops keys it already has).
    session.scan = undefined;
  }
  if (!session.scan) {
    const type = settings.onlyHashes && scanType ? 'hash' : undefined;
    const scan = new KeyScan(conn, { match: filter, type, count: settings.keyPageSize, browsing: true }, (keys) => {
      if (epoch !== session.epoch) return false;
      // (keys shown from the memory of the last time are not added twice)
      const fresh = session.recall ? session.recall.scanned(keys) : keys;
      session.model.addKeys(fresh);
      if (fresh.length) session.scanEvents?.keys();
      return keys.length;
    });
    scan.onProgress(() => {
      if (epoch === session.epoch) session.scanEvents?.progress();
    });
    session.scan = scan;
    session.scanConn = conn;
  }
  session.scanEvents = events;
  session.stopped = false;
  const loading = session.scan.run(settings.keyPageSize).finally(() => {
    if (session.loading === loading) session.loading = undefined;
  });
  session.loading = loading;
  return loading;
}

/**
 * Type, TTL and field count of the keys a folder shows and that have none yet: one pipeline
 * (one round trip) for all of them. Returns the keys that no longer exist.
 */
export async function loadMeta(session: ConnectionSession, conn: RedisConnection, keys: Buffer[], force = false): Promise<Buffer[]> {
  const missing = force ? keys : keys.filter((k) => !session.meta.has(byteId(k)));
  if (missing.length === 0) return [];
  const epoch = session.epoch;
  const facts = await keyFacts(conn, missing);
  if (epoch !== session.epoch) return [];
  const gone: Buffer[] = [];
  const now = Date.now();
  facts.forEach((f, i) => {
    if (!f) return;
    if (f.type === 'none') {
      gone.push(missing[i]);
      session.meta.delete(byteId(missing[i]));
      return;
    }
    const meta: KeyMeta = { type: f.type };
    if (f.fields !== undefined) meta.fields = f.fields;
    if (f.pttl >= 0) meta.expiresAt = now + f.pttl;
    session.meta.set(byteId(missing[i]), meta);
  });
  return gone;
}

/**
 * Loads the next HSCAN page of a hash key's fields (at least `fieldPageSize`, unless the hash ends).
 * `fieldTtl`: the server has field TTLs; the page's TTLs are read too (HTTL, one more round trip).
 */
export function loadFieldPage(node: KeyNode, conn: RedisConnection, settings: TreeSettings, fieldTtl = false): Promise<void> {
  const list = node.fields;
  if (list.loading) return list.loading;
  const run = async () => {
    if (!list.pager || list.pagerConn !== conn) {
      // (a pager of a client that was closed and replaced starts over; the index keeps each field once)
      list.pager = new HashPager(conn, node.key, { count: settings.fieldPageSize, browsing: !list.afterChange });
      list.pagerConn = conn;
    }
    const page = await list.pager.nextAtLeast(settings.fieldPageSize);
    const expiries = fieldTtl ? expiriesOf(await fieldTtls(conn, node.key, page.fields)) : undefined;
    if (node.fields !== list) return;
    for (let i = 0; i < page.fields.length; i++) {
      const id = byteId(page.fields[i]);
      let f = list.index.get(id);
      // HSCAN may return a field twice: keep one node, with the newer value.
      if (f) f.value = page.values[i];
      else {
        f = new FieldNode(node, page.fields[i], page.values[i]);
        list.index.set(id, f);
        list.nodes.push(f);
      }
      if (expiries) f.expiresAt = expiries[i];
    }
  };
  const loading = run().finally(() => {
    if (list.loading === loading) list.loading = undefined;
  });
  list.loading = loading;
  return loading;
}

/**
 * Re-reads the given fields of a loaded hash (one HMGET): updates values, adds new fields at the end,
 * removes deleted ones. Returns the field nodes whose value changed and whether fields came or went.
 */
export async function reloadFields(node: KeyNode, conn: RedisConnection, fields: Buffer[], fieldTtl = false): Promise<{ changed: FieldNode[]; structural: boolean }> {
  const list = node.fields;
  const unique = [...new Map(fields.map((f) => [byteId(f), f])).values()];
  if (unique.length === 0) return { changed: [], structural: false };
  // Both go out at once: one round trip, as before field TTLs.
  const [values, ttls] = await Promise.all([getFields(conn, node.key, unique), fieldTtl ? fieldTtls(conn, node.key, unique) : undefined]);
  const expiries = ttls && expiriesOf(ttls);
  if (node.fields !== list) return { changed: [], structural: false };
  const changed: FieldNode[] = [];
  let structural = false;
  unique.forEach((field, i) => {
    const id = byteId(field);
    const value = values[i];
    const existing = list.index.get(id);
    if (value === null) {
      if (existing) {
        list.index.delete(id);
        list.nodes.splice(list.nodes.indexOf(existing), 1);
        structural = true;
      }
    } else if (existing) {
      const expiresAt = expiries ? expiries[i] : existing.expiresAt;
      if (!existing.value.equals(value) || expiresAt !== existing.expiresAt) {
        existing.value = value;
        existing.expiresAt = expiresAt;
        changed.push(existing);
      }
    } else {
      const f = new FieldNode(node, field, value);
      if (expiries) f.expiresAt = expiries[i];
      list.index.set(id, f);
      list.nodes.push(f);
      structural = true;
    }
  });
  return { changed, structural };
}

/** HTTL replies as expiry times: null for no TTL (or a field gone since), ms since epoch otherwise. */
function expiriesOf(ttls: number[], now = Date.now()): Array<number | null> {
  return ttls.map((t) => (t >= 0 ? now + t * 1000 : null));
}
