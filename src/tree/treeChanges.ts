import type { HashChange } from '../connections/changes';
import { matchesGlob } from '../core/glob';
import type { TreeContext } from './context';
import { loadMeta, reloadFields } from './loading';
import type { ConnectionNode, TreeNode } from './nodes';
import { byteId } from './nodes';
import { keyGone, nodesForPath } from './sessionKeys';

/**
 * Applies a write (from a command, the hash editor, a save of a value document) to the tree and
 * refreshes only what it touched: a field row, a key row, or the folder a key appeared in or left.
 * Nothing is loaded for parts of the tree nobody opened.
 */
export async function applyChange(tree: TreeContext, change: HashChange): Promise<void> {
  const conn = tree.connectionNode(change.connection);
  if (!conn || conn.session.db !== change.db || !conn.session.started) return;
  const s = conn.session;
  switch (change.kind) {
    case 'fields':
    case 'key': {
      const node = s.keyNodes.get(byteId(change.key));
      if (!node) return;
      const client = await tree.pool.get(conn.name, s.db);
      const fire: TreeNode[] = [];
      let structural = false;
      if (change.kind === 'fields' && node.fields.pager) {
        const r = await reloadFields(node, client, change.fields, tree.hasFieldTtl(conn.name));
        structural = r.structural;
        fire.push(...r.changed);
      }
      const before = node.meta;
      const gone = await loadMeta(s, client, [node.key], true);
      if (gone.length) return tree.fire(keyGone(conn, node.key));
      const after = node.meta;
      const metaChanged = JSON.stringify(before) !== JSON.stringify(after);
      if (change.kind === 'key' && !node.fields.pager) structural = false;
      // The key row itself (its description, or its children when fields came or went).
      if (structural || metaChanged || change.kind === 'key') fire.unshift(node);
      if (change.kind === 'key' && node.fields.pager && before?.type !== after?.type) node.resetFields(true);
      if (fire.length) tree.fire(dedupe(fire));
      return;
    }
    case 'keyDeleted':
      return tree.fire(keyGone(conn, change.key));
    case 'keyAdded':
      return keyAppeared(tree, conn, change.key);
    case 'keyRenamed': {
      const fire: TreeNode[] = keyGone(conn, change.key);
      fire.push(...addIfShown(tree, conn, change.newKey));
      if (fire.length) tree.fire(dedupe(fire));
      return;
    }
  }
}

function keyAppeared(tree: TreeContext, conn: ConnectionNode, key: Buffer): void {
  const nodes = addIfShown(tree, conn, key);
  if (nodes.length) tree.fire(nodes);
}

/** Adds a key the active filter would show; returns the nodes to refresh. */
function addIfShown(tree: TreeContext, conn: ConnectionNode, key: Buffer): TreeNode[] {
  const filter = tree.filterOf(conn.name);
  if (filter && !matchesGlob(filter, key)) return [];
  const path = conn.session.model.addKeyNow(key);
  // Its metadata (type, TTL, field count) is read when the folder shows it.
  conn.session.meta.delete(byteId(key));
  return nodesForPath(conn, path);
}

function dedupe(nodes: TreeNode[]): TreeNode[] {
  return [...new Set(nodes)];
}
