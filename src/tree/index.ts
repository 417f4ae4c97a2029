import * as vscode from 'vscode';
import type { ChangeBus } from '../connections/changes';
import type { ConnectionStore } from '../connections/connectionStore';
import type { ConnectionPool } from '../connections/pool';
import type { TreeNode } from './nodes';
import { KeyTreeProvider } from './provider';

export const VIEW_ID = 'redisHashExplorer.keys';
export const FILTER_CONTEXT_KEY = 'redisHashExplorer.filterActive';

export interface KeyTreeView extends vscode.Disposable {
  provider: KeyTreeProvider;
  view: vscode.TreeView<TreeNode>;
}

/** The Redis view: multi-select, collapse-all, its description naming an active key filter. */
export function createKeyTree(store: ConnectionStore, pool: ConnectionPool, changes: ChangeBus): KeyTreeView {
  const provider = new KeyTreeProvider(store, pool, changes);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: provider, canSelectMany: true, showCollapseAll: true });
  const showFilters = () => {
    const filters = [...provider.activeFilters()];
    view.description = filters.length === 0 ? undefined : filters.length === 1 ? `filter: ${filters[0][1]}` : `${filters.length} filters`;
    void vscode.commands.executeCommand('setContext', FILTER_CONTEXT_KEY, filters.length > 0);
  };
  const sub = provider.onDidChangeFilters(showFilters);
  showFilters();
  return {
    provider,
    view,
    dispose: () => {
      sub.dispose();
      view.dispose();
      provider.dispose();
    },
  };
}
