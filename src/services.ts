import type * as vscode from 'vscode';
import type { ChangeBus } from './connections/changes';
import type { ConnectionStore } from './connections/connectionStore';
import type { LiveUpdates } from './connections/live';
import type { ConnectionPool } from './connections/pool';
import type { TreeNode } from './tree/nodes';
import type { KeyTreeProvider } from './tree/provider';

/** What commands, the tree and the hash editor share. Built once in activate(). */
export interface Services {
  context: vscode.ExtensionContext;
  store: ConnectionStore;
  pool: ConnectionPool;
  changes: ChangeBus;
  /** the Redis view's tree (filters, paging, refresh) */
  tree: KeyTreeProvider;
  /** the Redis view itself (to reveal a node) */
  treeView: vscode.TreeView<TreeNode>;
  /** live updates: changes made on the server by anyone reach the open views */
  live: LiveUpdates;
}
