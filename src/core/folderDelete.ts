import type { RedisConnection } from './connection';
import type { RunControl } from './exporting';
import { deleteKeys } from './keyOps';
import { KeyPager } from './pagers';
import { prefixPattern, startsWith } from './prefix';

/*
 * Deleting a tree folder: every key whose name starts with the folder's prefix (of one type when the
 * tree shows only hashes), found with SCAN MATCH and removed with UNLINK in batches of at most 1,000
 * names, so no single command blocks the server. Cancel stops between batches.
 */

interface FolderOptions {
  /** SCAN TYPE, e.g. 'hash': only keys of that type (what the tree shows) */
  type?: string;
}

interface FolderDeleteResult {
  deleted: number;
  cancelled: boolean;
}

const BATCH = 1000;

function pager(conn: RedisConnection, prefix: Buffer, options: FolderOptions): KeyPager {
  return new KeyPager(conn, { match: prefixPattern(prefix), type: options.type, count: BATCH, prefetch: true });
}

/** How many keys are under the prefix now (a whole SCAN; a key SCAN returns twice is counted once). */
export async function countFolder(conn: RedisConnection, prefix: Buffer, options: FolderOptions = {}, control: RunControl = {}): Promise<{ count: number; cancelled: boolean }> {
  const seen = new Set<string>();
  const p = pager(conn, prefix, options);
  while (!p.done) {
    if (control.signal?.aborted) return { count: seen.size, cancelled: true };
    for (const k of await p.next()) if (startsWith(k, prefix)) seen.add(k.toString('latin1'));
    await control.onProgress?.(seen.size);
  }
  return { count: seen.size, cancelled: false };
}

/** UNLINKs every key under the prefix; `deleted` is what the server removed (a key gone meanwhile is not counted). */
export async function deleteFolder(conn: RedisConnection, prefix: Buffer, options: FolderOptions = {}, control: RunControl = {}): Promise<FolderDeleteResult> {
  conn.assertWritable();
  const p = pager(conn, prefix, options);
  let deleted = 0;
  let batch: Buffer[] = [];
  const flush = async () => {
    if (batch.length) deleted += await deleteKeys(conn, batch);
    batch = [];
    await control.onProgress?.(deleted);
  };
  while (!p.done) {
    if (control.signal?.aborted) return { deleted, cancelled: true };
    for (const k of await p.next()) {
      if (!startsWith(k, prefix)) continue;
      batch.push(k);
      if (batch.length >= BATCH) {
        await flush();
        if (control.signal?.aborted) return { deleted, cancelled: true };
      }
    }
  }
  await flush();
  return { deleted, cancelled: false };
}
