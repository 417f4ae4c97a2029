import type * as vscode from 'vscode';
import type { ConnectionPool } from '../connections/pool';
import { scanProgressText, withStorage } from './labels';
import type { ConnectionNode, TreeNode } from './nodes';
import type { KeyTreeState } from './state';

/**
 * The key tree as VS Code asks for it: connections → folders → keys → fields. A thin adapter: rows and
 * children come from the tree's state (state.ts), which owns loading and decides what to refresh.
 */
export class KeyTreeProvider implements vscode.TreeDataProvider<TreeNode> {
  readonly onDidChangeTreeData: vscode.Event<TreeNode | TreeNode[] | undefined>;

  constructor(readonly state: KeyTreeState) {
    this.onDidChangeTreeData = state.refreshes.onDidChange;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'connection':
        return withStorage(node.toTreeItem(this.state.pool.status(node.name), this.state.filterOf(node.name)), this.state.store.storage(node.name));
      case 'loadMore': {
        if (node.parent.kind !== 'connection') return node.toTreeItem(node.parent.fields.nodes.length);
        const s = node.parent.session;
        const p = s.scan?.progress();
        const item = node.toTreeItem(s.model.loadedCount, p && (s.stopped ? `stopped, ${scanProgressText(p)}` : scanProgressText(p)));
        if (s.scanFailure) item.tooltip = `The scan stopped: ${s.scanFailure}\nLoad more tries again from where it was.`;
        return item;
      }
      default:
        return node.toTreeItem();
    }
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  getChildren(node?: TreeNode): Promise<TreeNode[]> {
    return this.state.refreshes.fetching(node, () => this.state.children(node));
  }

  // The state's parts the extension-host tests reach through this object (their hook to the tree).

  get pool(): ConnectionPool {
    return this.state.pool;
  }

  connectionNode(name: string): ConnectionNode | undefined {
    return this.state.connectionNode(name);
  }

  filterOf(name: string): string | undefined {
    return this.state.filterOf(name);
  }

  retry(name: string): Promise<void> {
    return this.state.retry(name);
  }
}
