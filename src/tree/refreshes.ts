import * as vscode from 'vscode';
import type { TreeNode } from './nodes';

const ROOT = Symbol('root');

/**
 * The tree's refreshes: what the view is told to fetch again. A node whose children are being fetched is
 * refreshed once that fetch is done: VS Code registers each fetch's children by id and rejects ids a
 * concurrent fetch of the same node already registered.
 */
export class TreeRefreshes implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChange = this.changed.event;
  /** nodes (ROOT: the root) whose children are being fetched, and those to refresh once they are */
  private readonly inFlight = new Map<TreeNode | typeof ROOT, number>();
  private readonly deferred = new Set<TreeNode | typeof ROOT>();

  /** Refreshes nodes (and their subtrees); undefined refreshes everything. */
  fire(nodes: TreeNode | TreeNode[] | undefined): void {
    if (nodes === undefined) {
      if (this.inFlight.has(ROOT)) this.deferred.add(ROOT);
      else this.changed.fire(undefined);
      return;
    }
    const now = (Array.isArray(nodes) ? nodes : [nodes]).filter((n) => {
      if (!this.inFlight.has(n)) return true;
      this.deferred.add(n);
      return false;
    });
    if (now.length) this.changed.fire(now.length === 1 ? now[0] : now);
  }

  /** Runs a fetch of a node's children (undefined: the root's), holding back that node's refreshes meanwhile. */
  async fetching<T>(node: TreeNode | undefined, fetch: () => Promise<T>): Promise<T> {
    const k = node ?? ROOT;
    this.inFlight.set(k, (this.inFlight.get(k) ?? 0) + 1);
    try {
      return await fetch();
    } finally {
      const left = (this.inFlight.get(k) ?? 1) - 1;
      if (left > 0) this.inFlight.set(k, left);
      else {
        this.inFlight.delete(k);
        if (this.deferred.delete(k)) setTimeout(() => this.fire(k === ROOT ? undefined : k), 0);
      }
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
