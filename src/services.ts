import type * as vscode from 'vscode';
import type { ChangeBus } from './connections/changes';
import type { ConnectionStore } from './connections/connectionStore';
import type { LiveUpdates } from './connections/live';
import type { ConnectionPool } from './connections/pool';
import type { PromptLayer } from './commands/prompts';
import type { TreeNode } from './tree/nodes';
import type { KeyTreeState } from './tree/state';

/** What the views share. Built once in activate(). */
export interface BaseServices {
  context: vscode.ExtensionContext;
  store: ConnectionStore;
  pool: ConnectionPool;
  changes: ChangeBus;
  /** the Redis view's tree (filters, paging, refresh) */
  tree: KeyTreeState;
  /** the Redis view itself (to reveal a node) */
  treeView: vscode.TreeView<TreeNode>;
  /** live updates: changes made on the server by anyone reach the open views */
  live: LiveUpdates;
  /** every question a command or view asks (input boxes, picks, modal questions, dialogs, progress) */
  prompts: PromptLayer;
}
