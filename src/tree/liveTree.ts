import * as vscode from 'vscode';
import { toExplorerError } from '../core/errors';
import type { WatchEvent } from '../core/watch';
import type { LiveUpdates, LiveWatch } from '../connections/live';
import { log } from '../log';
import type { TreeContext } from './context';
import { applyChange } from './treeChanges';
import type { KeyNode, TreeNode } from './nodes';
import { byteId } from './nodes';

/** Fields polled per expanded key at most (what a tree shows; HLEN catches the rest coming and going). */
const POLLED_FIELDS = 500;

/**
 * Every expanded hash key in the tree follows the server: changed fields update in place, new ones appear,
 * deleted or expired ones go, a deleted key leaves the tree. Collapsing it stops following it.
 */
export function followExpandedKeys(view: vscode.TreeView<TreeNode>, tree: TreeContext, live: LiveUpdates): vscode.Disposable {
  const watches = new Map<string, { watch: LiveWatch; connection: string; db: number; key: Buffer }>();

  const stop = (id: string) => {
    watches.get(id)?.watch.dispose();
    watches.delete(id);
  };

  /** The node now shown for the key (a refresh may have made a new one), if still expanded and loaded. */
  const nodeOf = (connection: string, db: number, key: Buffer): KeyNode | undefined => {
    const conn = tree.connectionNode(connection);
    if (!conn || conn.session.db !== db) return undefined;
    return conn.session.keyNodes.get(byteId(key));
  };

  const follow = async (id: string, e: WatchEvent) => {
    const w = watches.get(id);
    if (!w) return;
    const node = nodeOf(w.connection, w.db, w.key);
    if (!node) return stop(id);
    if (e.kind === 'deleted') {
      await applyChange(tree, { kind: 'keyDeleted', connection: w.connection, db: w.db, key: w.key });
      return stop(id);
    }
    const loaded = node.fields.nodes.map((f) => f.field);
    await applyChange(tree, { kind: 'fields', connection: w.connection, db: w.db, key: w.key, fields: loaded });
    const after = nodeOf(w.connection, w.db, w.key);
    if (!after) return stop(id);
    // Fields that came (or went) beyond those loaded: with the whole hash loaded, read it again (the node keeps its place).
    const count = after.meta?.fields;
    if (after.fields.pager?.done && count !== undefined && count !== after.fields.nodes.length) {
      after.resetFields(true);
      tree.fire(after);
    }
    w.watch.update({ fields: after.fields.nodes.slice(0, POLLED_FIELDS).map((f) => f.field) });
  };

  const subs = [
    view.onDidExpandElement(({ element }) => {
      if (element.kind !== 'key' || !element.isHash) return;
      const connection = element.conn.name;
      const db = element.conn.session.db;
      const id = element.id;
      stop(id);
      const key = element.key;
      const watch = live.watch({ connection, db, key }, (e) => {
        follow(id, e).catch((err: unknown) => log.warn(`tree: following a change of a key failed: ${toExplorerError(err).message}`));
      }, { fields: element.fields.nodes.slice(0, POLLED_FIELDS).map((f) => f.field) });
      watches.set(id, { watch, connection, db, key });
    }),
    view.onDidCollapseElement(({ element }) => {
      if (element.kind === 'key') stop(element.id);
    }),
  ];
  return new vscode.Disposable(() => {
    for (const s of subs) s.dispose();
    for (const id of [...watches.keys()]) stop(id);
  });
}
