import type { RedisConnection } from '../core/connection';
import { toExplorerError } from '../core/errors';
import { describeProfile } from '../core/profile';
import { keyExists } from '../core/keyOps';
import type { KeyScan } from '../core/keyScan';
import type { TreeContext } from './context';
import { loadFieldPage, loadMeta } from './loading';
import type { ConnectionNode, TreeNode } from './nodes';
import { FolderNode, KeyNode, MessageNode, byteId } from './nodes';
import { Recollection } from './recall';
import { scanKeys } from './scanning';
import { forgetKey, keyGone } from './sessionKeys';

/* Children of connections, folders and hash keys, built from what was loaded; node objects are reused by id. */

/**
 * Until the first page of keys is in, a connection shows "Connecting…" and connects in the
 * background, then refreshes itself: all its refreshes happen before a key row exists that the
 * user could expand (a refresh racing an expand would drop the expanded row's children).
 */
export async function connectionChildren(tree: TreeContext, node: ConnectionNode): Promise<TreeNode[]> {
  const s = node.session;
  if (s.error) return [errorNode(node)];
  if (!s.started) {
    open(tree, node);
    const text = tree.pool.status(node.name).state === 'connected' ? 'Loading keys…' : 'Connecting…';
    return [new MessageNode(node, 'connecting', text, 'loading~spin')];
  }
  return containerChildren(tree, node, node, await tree.pool.get(node.name, s.db));
}

/**
 * Connects and starts the key scan, then refreshes the connection as soon as the first keys are in (the scan
 * goes on in the background: scanning.ts); a failure before then becomes its error row.
 */
function open(tree: TreeContext, node: ConnectionNode): void {
  const s = node.session;
  if (s.opening) return;
  const epoch = s.epoch;
  // Begun on the next microtask, so `opening` is set by the time the pool reports "connecting".
  s.opening = Promise.resolve().then(async () => {
    try {
      const conn = await tree.pool.get(node.name, s.db);
      // the keys remembered from the last time, when still hashes, show before the scan's first keys
      const remembered = showRemembered(tree, node, conn);
      await Promise.race([remembered, scanKeys(tree, node, conn, true)]);
    } catch (err) {
      if (epoch === s.epoch) s.error = toExplorerError(err).message;
    } finally {
      if (epoch === s.epoch) s.opening = undefined;
      tree.fire(node);
    }
  });
}

/**
 * Starts the session's recollection and checks its remembered names on `conn` (the TYPE pipeline goes out now,
 * ahead of the scan's first SCAN). Resolves once some are shown as the connection's first keys; never when none
 * are (the scan's first keys then open the connection, as without a memory).
 */
function showRemembered(tree: TreeContext, node: ConnectionNode, conn: RedisConnection): Promise<void> {
  const s = node.session;
  const epoch = s.epoch;
  const { onlyHashes } = tree.settings();
  const slot = { connection: node.name, db: s.db, filter: tree.filterOf(node.name), where: describeProfile(node.profile) };
  const recall = new Recollection(tree.memory, slot, !onlyHashes || tree.scansByType(node.name));
  s.recall = recall;
  return new Promise((resolve) => {
    void recall.check(conn, recall.remembered(), onlyHashes).then(async (keys) => {
      if (epoch !== s.epoch || s.error || keys.length === 0) return;
      // (the scan's first keys came first, as on a cluster: it may have met some of these already)
      const fresh = s.started ? keys.filter((k) => !s.model.has(k)) : keys;
      recall.showed(fresh);
      s.model.addKeys(fresh);
      if (s.started) {
        if (fresh.length) tree.fire(node);
        return;
      }
      // The scan's first SCAN went out right behind the TYPE pipeline, its reply a moment away: shown with it, a
      // keyspace that ends there is shown final, in one refresh (no progress row to take away a moment later).
      await firstPage(s.scan);
      if (epoch !== s.epoch || s.error) return;
      s.started = true;
      resolve();
    });
  });
}

/** Resolves once the scan has handed over a page (at once when it has, or is not running). */
function firstPage(scan: KeyScan | undefined): Promise<void> {
  if (!scan?.running || scan.pages > 0) return Promise.resolve();
  // (on the next turn: a scan that ends with this page has ended by then)
  return new Promise((resolve) => scan.onProgress(() => setImmediate(resolve)));
}

function errorNode(node: ConnectionNode): MessageNode {
  return new MessageNode(node, 'error', node.session.error ?? 'Not connected', 'error', {
    command: 'redisHashExplorer.retryConnection',
    title: 'Retry',
    arguments: [node],
  });
}

/** Folders first, then keys; the connection adds "Load more…" while the scan is not done. */
export async function containerChildren(tree: TreeContext, conn: ConnectionNode, container: ConnectionNode | FolderNode, client?: RedisConnection): Promise<TreeNode[]> {
  const s = conn.session;
  const path = container.kind === 'folder' ? container.path : '';
  const redis = client ?? (await tree.pool.get(conn.name, s.db));
  const onlyHashes = tree.settings().onlyHashes;
  let { folders, keys } = s.model.children(path);
  const gone = await loadMeta(s, redis, keys);
  if (gone.length) {
    for (const k of gone) forgetKey(conn, k);
    ({ folders, keys } = s.model.children(path));
  }
  if (s.scan?.running) s.shownWhileScanning = true;
  const out: TreeNode[] = [];
  for (const f of folders) {
    let fn = s.folderNodes.get(f.path);
    if (!fn) {
      fn = new FolderNode(conn, container, f.path, f.name, f.keyCount);
      s.folderNodes.set(f.path, fn);
    }
    fn.keyCount = f.keyCount;
    out.push(fn);
  }
  for (const k of keys) {
    const id = byteId(k);
    const meta = s.meta.get(id);
    if (onlyHashes && meta && meta.type !== 'hash') continue;
    let kn = s.keyNodes.get(id);
    if (!kn) {
      kn = new KeyNode(conn, container, k);
      s.keyNodes.set(id, kn);
    }
    kn.parent = container;
    out.push(kn);
  }
  if (container.kind === 'connection') {
    // while the scan runs: its progress and Stop; paused before the end: "Load more…"
    if (s.scan?.running) out.push(conn.scanning);
    else if (s.scan && !s.scan.done) out.push(conn.loadMore);
    else if (out.length === 0) {
      const filter = tree.filterOf(conn.name);
      const what = onlyHashes ? 'hash keys' : 'keys';
      out.push(new MessageNode(conn, 'empty', filter ? `No ${what} match "${filter}"` : `No ${what} in db${s.db}`, 'info'));
    }
  }
  return out;
}

export async function keyChildren(tree: TreeContext, node: KeyNode): Promise<TreeNode[]> {
  if (!node.isHash) return [];
  const s = node.conn.session;
  const conn = await tree.pool.get(node.conn.name, s.db);
  const list = node.fields;
  if (!list.pager) await loadFieldPage(node, conn, tree.settings(), tree.hasFieldTtl(node.conn.name));
  if (list.nodes.length === 0 && list.pager?.done) {
    if (!(await keyExists(conn, node.key))) {
      // Deleted meanwhile: drop it from its folder, which refreshes.
      setTimeout(() => tree.fire(keyGone(node.conn, node.key)), 0);
      return [new MessageNode(node, 'gone', 'This key no longer exists', 'warning')];
    }
    return [new MessageNode(node, 'empty', 'No fields', 'info')];
  }
  return list.pager?.done ? [...list.nodes] : [...list.nodes, node.loadMore];
}

