import * as vscode from 'vscode';
import type { ChangeBus } from '../connections/changes';
import type { ConnectionStore } from '../connections/connectionStore';
import type { ConnectionPool } from '../connections/pool';
import type { TreeNode } from './nodes';
import { KeyTreeProvider } from './provider';
import type { KeyMemory } from './recall';
import { stopScan } from './scanning';
import { KeyTreeState } from './state';

const VIEW_ID = 'redisHashExplorer.keys';
const FILTER_CONTEXT_KEY = 'redisHashExplorer.filterActive';

interface KeyTreeView extends vscode.Disposable {
  /** what is loaded and shown; commands act on it */
  state: KeyTreeState;
  provider: KeyTreeProvider;
  view: vscode.TreeView<TreeNode>;
}

/** The Redis view: multi-select, collapse-all, its description naming an active key filter. */
export function createKeyTree(store: ConnectionStore, pool: ConnectionPool, changes: ChangeBus, memory: KeyMemory): KeyTreeView {
  const state = new KeyTreeState(store, pool, changes, memory);
  const provider = new KeyTreeProvider(state);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: provider, canSelectMany: true, showCollapseAll: true });
  const showFilters = () => {
    const filters = [...state.activeFilters()];
    view.description = filters.length === 0 ? undefined : filters.length === 1 ? 'filtered' : `${filters.length} filters`;
    void vscode.commands.executeCommand('setContext', FILTER_CONTEXT_KEY, filters.length > 0);
    showMessage();
  };
  // Long texts (a key filter, why a connection failed) at the top of the view, where they wrap: rows are cut at the sidebar's edge
  const showMessage = () => {
    const lines = [...state.activeFilters()].map(([name, pattern]) => `Key filter on ${name}: ${pattern}`);
    for (const c of state.connectionNodes()) if (c.session.error) lines.push(`${c.name}: ${c.session.error}`);
    lines.push(...store.read().problems);
    // (the message is plain text on one paragraph: newlines would not show)
    const message = lines.length > 0 ? lines.join(' · ') : undefined;
    if (view.message !== message) view.message = message;
  };
  const sub = vscode.Disposable.from(
    state.onDidChangeFilters(showFilters),
    provider.onDidChangeTreeData(showMessage),
    // a collapsed connection shows nothing: its scan stops (keys found stay; "Load more…" continues it)
    view.onDidCollapseElement(({ element }) => {
      if (element.kind === 'connection') void stopScan(state, element);
    }),
  );
  showFilters();
  return {
    state,
    provider,
    view,
    dispose: () => {
      sub.dispose();
      view.dispose();
      state.dispose();
    },
  };
}
