import * as vscode from 'vscode';
import { toExplorerError } from '../core/errors';
import type { ChangeBus } from '../connections/changes';
import type { ConnectionStore } from '../connections/connectionStore';
import type { ConnectionPool } from '../connections/pool';
import { log } from '../log';
import { connectionChildren, containerChildren, keyChildren } from './children';
import { ConnectionList } from './connectionList';
import type { TreeContext } from './context';
import { KeyFilters } from './filters';
import type { TreeSettings } from './loading';
import { loadFieldPage } from './loading';
import type { ConnectionNode, KeyNode, TreeNode } from './nodes';
import { MessageNode, byteId } from './nodes';
import { TreeRefreshes } from './refreshes';
import type { KeyMemory } from './recall';
import { scanKeys } from './scanning';
import { applyChange } from './treeChanges';

const SECTION = 'redisHashExplorer';

/**
 * The key tree's state and its one owner: the connection list, each connection's loaded keys and scan, the key
 * filters, the refreshes. Commands act on it (load more, refresh, retry, filter); writes reach it through the
 * change bus; the view reads it through the provider (provider.ts), a thin adapter.
 */
export class KeyTreeState implements TreeContext, vscode.Disposable {
  readonly refreshes = new TreeRefreshes();
  readonly filters = new KeyFilters();
  /** fires when a connection's key filter is set or cleared */
  readonly onDidChangeFilters = this.filters.onDidChange;
  private readonly connections: ConnectionList;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    readonly store: ConnectionStore,
    readonly pool: ConnectionPool,
    changes: ChangeBus,
    readonly memory: KeyMemory,
  ) {
    this.connections = new ConnectionList(store, pool, () => this.settings());
    this.subscriptions.push(
      store.onDidChange(() => {
        // a connection removed or edited: what it showed is not remembered
        for (const name of this.connections.read()) this.memory.forget(name);
        this.fire(undefined);
        this.filters.keepOnly((name) => this.connections.get(name) !== undefined);
      }),
      pool.onDidChangeState((name) => this.onConnectionState(name)),
      // Back after a lost connection (a restart may have emptied the server): read again what is shown.
      pool.onDidReconnect(({ name, db }) => {
        const node = this.connections.get(name);
        if (node && node.session.db === db && (node.session.started || node.session.error)) this.refresh(node);
      }),
      changes.onDidChange((c) =>
        applyChange(this, c).catch((err: unknown) => log.warn(`tree refresh after a change failed: ${toExplorerError(err).message}`)),
      ),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (['keys.separator', 'keys.onlyHashes', 'sortOrder'].some((s) => e.affectsConfiguration(`${SECTION}.${s}`))) this.resetAll();
      }),
    );
  }

  dispose(): void {
    this.subscriptions.forEach((d) => d.dispose());
    this.refreshes.dispose();
    this.filters.dispose();
  }

  settings(): TreeSettings {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    return {
      keyPageSize: Math.max(1, cfg.get<number>('keys.pageSize', 500)),
      fieldPageSize: Math.max(1, cfg.get<number>('fields.pageSize', 200)),
      separator: cfg.get<string>('keys.separator', ':'),
      onlyHashes: cfg.get<boolean>('keys.onlyHashes', true),
      order: cfg.get<string>('sortOrder', 'natural') === 'bytes' ? 'bytes' : 'natural',
    };
  }

  fire(nodes: TreeNode | TreeNode[] | undefined): void {
    this.refreshes.fire(nodes);
  }

  /** SCAN … TYPE needs Redis 6; unknown counts as able (the first INFO may have been refused). */
  scansByType(name: string): boolean {
    return this.pool.status(name).info?.capabilities.scanType !== false;
  }

  /** Field TTLs (Redis 7.4+): the tree reads them with field pages; unknown counts as none. */
  hasFieldTtl(name: string): boolean {
    return this.pool.status(name).info?.capabilities.fieldTtl === true;
  }

  connectionNode(name: string): ConnectionNode | undefined {
    return this.connections.get(name);
  }

  connectionNodes(): readonly ConnectionNode[] {
    return this.connections.all();
  }

  filterOf(name: string): string | undefined {
    return this.filters.of(name);
  }

  activeFilters(): ReadonlyMap<string, string> {
    return this.filters.all();
  }

  /** Sets or clears a connection's key filter; the connection scans again. */
  setFilter(name: string, pattern: string | undefined): void {
    this.filters.set(name, pattern);
    const node = this.connections.get(name);
    if (!node) return;
    node.session.reset();
    this.fire(node);
  }

  /** A node's children (the root's: the connections, then problems in the settings); a failure becomes an error row. */
  async children(node?: TreeNode): Promise<TreeNode[]> {
    try {
      if (!node) {
        const problems = this.connections.problems.map((p, i) => new MessageNode(undefined, `problem${i}`, p, 'warning', { command: 'workbench.action.openSettingsJson', title: 'Open Settings' }));
        return [...this.connections.all(), ...problems];
      }
      switch (node.kind) {
        case 'connection':
          return await connectionChildren(this, node);
        case 'folder':
          return await containerChildren(this, node.conn, node);
        case 'key':
          return await keyChildren(this, node);
        default:
          return [];
      }
    } catch (err) {
      const e = toExplorerError(err);
      log.error(`loading the tree failed: ${e.message}`);
      return [new MessageNode(node, 'error', e.message, 'error')];
    }
  }

  /** Fetches the next page under a connection (keys) or a hash key (fields), then refreshes just that subtree. */
  async loadMore(parent: ConnectionNode | KeyNode): Promise<void> {
    const more = parent.loadMore;
    more.loading = true;
    this.fire(more);
    try {
      await vscode.window.withProgress({ location: { viewId: 'redisHashExplorer.keys' } }, async () => {
        if (parent.kind === 'connection') {
          const conn = await this.pool.get(parent.name, parent.session.db);
          const run = scanKeys(this, parent, conn, false);
          // the scan's progress row takes the place of "Load more…" while it runs
          this.fire(parent);
          await run;
        } else {
          const conn = await this.pool.get(parent.conn.name, parent.conn.session.db);
          await loadFieldPage(parent, conn, this.settings(), this.hasFieldTtl(parent.conn.name));
        }
      });
    } finally {
      more.loading = false;
      this.fire(parent);
    }
  }

  /** Refresh: a connection rescans, a folder re-checks its keys, a key reloads its fields; nothing: everything. */
  refresh(node?: TreeNode): void {
    if (!node) {
      this.memory.forgetAll();
      return this.resetAll();
    }
    switch (node.kind) {
      case 'connection':
        // read again from the server alone: nothing from the memory of the last time
        this.memory.forget(node.name, node.session.db);
        node.session.reset();
        this.fire(node);
        return;
      case 'folder': {
        const { keys } = node.conn.session.model.children(node.path);
        for (const k of keys) node.conn.session.meta.delete(byteId(k));
        this.fire(node);
        return;
      }
      case 'key':
        node.conn.session.meta.delete(node.keyId);
        node.resetFields();
        this.fire(node);
        return;
      case 'field':
        return this.refresh(node.parent);
      default:
        if (node.parent) this.refresh(node.parent);
    }
  }

  /** Clears a failure and connects again. Rejects with the reason when it fails again. */
  async retry(name: string): Promise<void> {
    const node = this.connections.get(name);
    if (!node) throw toExplorerError(new Error(`No connection named "${name}".`));
    node.session.reset();
    this.fire(node);
    try {
      await this.pool.get(name, node.session.db);
    } catch (err) {
      node.session.error = toExplorerError(err).message;
      this.fire(node);
      throw err;
    }
  }

  /** Settings that change how keys are grouped or shown: every connection starts over, keeping its place. */
  private resetAll(): void {
    for (const n of this.connections.all()) this.connections.renew(n.name, n.session.db, true);
    this.fire(undefined);
  }

  private onConnectionState(name: string): void {
    const node = this.connections.get(name);
    if (!node) return;
    const status = this.pool.status(name);
    const db = this.pool.selectedDb(name);
    // another database, or disconnected: a fresh node (new id, shown collapsed, nothing loaded)
    if (db !== node.session.db || (status.state === 'idle' && (node.session.started || node.session.error))) {
      this.connections.renew(name, db);
      return this.fire(undefined);
    }
    if (status.state === 'failed' && status.error && node.session.started) node.session.error = status.error;
    // While the tree opens this connection, open() refreshes it once the first page is in. VS Code
    // coalesces a tree's refreshes over 200 ms (leading edge first): refreshing for "connecting" and
    // "connected" too held that last refresh, the one with the keys, back by up to 200 ms.
    if (node.session.opening && (status.state === 'connecting' || status.state === 'connected')) return;
    this.fire(node);
  }
}
