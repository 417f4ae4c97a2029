import type { ConnectionNode, FolderNode } from './nodes';
import { byteId } from './nodes';

/* Keys leaving a connection's loaded keys: what is dropped, and which rows then show other counts. */

/** Drops a key from the loaded model and its nodes; returns the folder path it left (undefined: it was not loaded). */
export function forgetKey(conn: ConnectionNode, key: Buffer): string | undefined {
  const s = conn.session;
  const id = byteId(key);
  s.meta.delete(id);
  s.keyNodes.delete(id);
  const path = s.model.removeKey(key);
  s.recall?.dropped(key);
  for (const [p, f] of s.folderNodes) {
    const folder = s.model.folder(p);
    if (!folder) s.folderNodes.delete(p);
    else f.keyCount = folder.keyCount;
  }
  return path;
}

/**
 * What to refresh when a key came or went under a folder path: the folder nodes shown for it and
 * for each folder above it, their key counts taken from the model, or the connection when none is shown.
 */
export function nodesForPath(conn: ConnectionNode, path: string): (ConnectionNode | FolderNode)[] {
  const { model, folderNodes } = conn.session;
  const out: FolderNode[] = [];
  for (let p: string | undefined = path; p; p = model.parentPath(p)) {
    const f = folderNodes.get(p);
    if (!f) continue;
    f.keyCount = model.folder(p)?.keyCount ?? f.keyCount;
    out.push(f);
  }
  return out.length ? out : [conn];
}

/** A key deleted: drops it; returns the folders still shown above it (their counts moved), none when it was not loaded. */
export function keyGone(conn: ConnectionNode, key: Buffer): (ConnectionNode | FolderNode)[] {
  const path = forgetKey(conn, key);
  return path === undefined ? [] : nodesForPath(conn, path);
}
