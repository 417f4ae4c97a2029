import * as vscode from 'vscode';
import { toExplorerError } from '../core/errors';
import { sameProfile, type ConnectionProfile } from '../core/profile';
import type { ChangeBus } from '../connections/changes';
import type { ConnectionStore } from '../connections/connectionStore';
import type { ConnectionPool } from '../connections/pool';
import { log } from '../log';
import { applyChange } from './treeChanges';
import { scanProgressText, withStorage } from './labels';
import type { TreeSettings } from './loading';
import { containerChildren, keyChildren } from './children';
import { loadFieldPage } from './loading';
import { scanKeys } from './scanning';
import type { TreeNode } from './nodes';
import type { FolderNode, KeyNode } from './nodes';
import { ConnectionNode, ConnectionSession, MessageNode, byteId } from './nodes';

const SECTION = 'redisHashExplorer';
const ROOT = Symbol('root');

/**
 * The key tree: connections → folders → keys → fields. Children are built from what was loaded
 * (SCAN/HSCAN pages), node objects are reused by id, and a change refreshes only the node it touched.
 */
export class KeyTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly filtersChanged = new vscode.EventEmitter<void>();
  /** fires when a connection's key filter is set or cleared */
  readonly onDidChangeFilters = this.filtersChanged.event;
  private roots: ConnectionNode[] = [];
  private problems: string[] = [];
  private readonly byName = new Map<string, ConnectionNode>();
  private readonly filters = new Map<string, string>();
  private generation = 0;
  /** nodes (ROOT: the root) whose children are being fetched, and those to refresh once they are */
  private readonly inFlight = new Map<TreeNode | typeof ROOT, number>();
  private readonly deferred = new Set<TreeNode | typeof ROOT>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    readonly store: ConnectionStore,
    readonly pool: ConnectionPool,
    changes: ChangeBus,
  ) {
    this.readConnections();
    this.subscriptions.push(
      store.onDidChange(() => {
        this.readConnections();
        this.fire(undefined);
        this.filtersChanged.fire();
      }),
      pool.onDidChangeState((name) => this.onConnectionState(name)),
      // Back after a lost connection (a restart may have emptied the server): read again what is shown.
      pool.onDidReconnect(({ name, db }) => {
        const node = this.byName.get(name);
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
    this.changed.dispose();
    this.filtersChanged.dispose();
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

  /**
   * Refreshes nodes (and their subtrees); undefined refreshes everything. A node whose children are
   * being fetched is refreshed once that fetch is done: VS Code registers each fetch's children by id
   * and rejects ids a concurrent fetch of the same node already registered.
   */
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

  /** SCAN … TYPE needs Redis 6; unknown counts as able (the first INFO may have been refused). */
  scansByType(name: string): boolean {
    return this.pool.status(name).info?.capabilities.scanType !== false;
  }

  /** Field TTLs (Redis 7.4+): the tree reads them with field pages; unknown counts as none. */
  hasFieldTtl(name: string): boolean {
    return this.pool.status(name).info?.capabilities.fieldTtl === true;
  }

  connectionNode(name: string): ConnectionNode | undefined {
    return this.byName.get(name);
  }

  connectionNodes(): readonly ConnectionNode[] {
    return this.roots;
  }

  // --- filters -------------------------------------------------------------------------------

  filterOf(name: string): string | undefined {
    return this.filters.get(name);
  }

  activeFilters(): ReadonlyMap<string, string> {
    return this.filters;
  }

  setFilter(name: string, pattern: string | undefined): void {
    if (pattern) this.filters.set(name, pattern);
    else this.filters.delete(name);
    const node = this.byName.get(name);
    if (node) {
      node.session.reset();
      this.fire(node);
    }
    this.filtersChanged.fire();
  }

  // --- TreeDataProvider ----------------------------------------------------------------------

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'connection':
        return withStorage(node.toTreeItem(this.pool.status(node.name), this.filters.get(node.name)), this.store.storage(node.name));
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

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    const k = node ?? ROOT;
    this.inFlight.set(k, (this.inFlight.get(k) ?? 0) + 1);
    try {
      return await this.fetchChildren(node);
    } finally {
      const left = (this.inFlight.get(k) ?? 1) - 1;
      if (left > 0) this.inFlight.set(k, left);
      else {
        this.inFlight.delete(k);
        if (this.deferred.delete(k)) setTimeout(() => this.fire(k === ROOT ? undefined : k), 0);
      }
    }
  }

  private async fetchChildren(node?: TreeNode): Promise<TreeNode[]> {
    try {
      if (!node) return this.rootChildren();
      switch (node.kind) {
        case 'connection':
          return await this.connectionChildren(node);
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

  // --- children ------------------------------------------------------------------------------

  private rootChildren(): TreeNode[] {
    const problems = this.problems.map((p, i) => new MessageNode(undefined, `problem${i}`, p, 'warning', { command: 'workbench.action.openSettingsJson', title: 'Open Settings' }));
    return [...this.roots, ...problems];
  }

  /**
   * Until the first page of keys is in, a connection shows "Connecting…" and connects in the
   * background, then refreshes itself: all its refreshes happen before a key row exists that the
   * user could expand (a refresh racing an expand would drop the expanded row's children).
   */
  private async connectionChildren(node: ConnectionNode): Promise<TreeNode[]> {
    const s = node.session;
    if (s.error) return [this.errorNode(node)];
    if (!s.started) {
      this.open(node);
      const text = this.pool.status(node.name).state === 'connected' ? 'Loading keys…' : 'Connecting…';
      return [new MessageNode(node, 'connecting', text, 'loading~spin')];
    }
    return containerChildren(this, node, node, await this.pool.get(node.name, s.db));
  }

  /**
   * Connects and starts the key scan, then refreshes the connection as soon as the first keys are in (the scan
   * goes on in the background: scanning.ts); a failure before then becomes its error row.
   */
  private open(node: ConnectionNode): void {
    const s = node.session;
    if (s.opening) return;
    const epoch = s.epoch;
    // Begun on the next microtask, so `opening` is set by the time the pool reports "connecting".
    s.opening = Promise.resolve().then(async () => {
      try {
        const conn = await this.pool.get(node.name, s.db);
        await scanKeys(this, node, conn, true);
      } catch (err) {
        if (epoch === s.epoch) s.error = toExplorerError(err).message;
      } finally {
        if (epoch === s.epoch) s.opening = undefined;
        this.fire(node);
      }
    });
  }

  /** Resolves once a connection opened by the tree has its first keys (or failed). */
  async opened(node: ConnectionNode): Promise<void> {
    await node.session.opening;
  }

  private errorNode(node: ConnectionNode): MessageNode {
    return new MessageNode(node, 'error', node.session.error ?? 'Not connected', 'error', {
      command: 'redisHashExplorer.retryConnection',
      title: 'Retry',
      arguments: [node],
    });
  }

  // --- actions (commands call these) ---------------------------------------------------------

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
    if (!node) return this.resetAll();
    switch (node.kind) {
      case 'connection':
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
    const node = this.byName.get(name);
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

  /** Drops a key from the loaded model and refreshes the folders still shown above it (their counts moved). */
  keyDeleted(conn: ConnectionNode, key: Buffer): void {
    const path = conn.session.model.removeKey(key);
    this.forgetKey(conn, key);
    if (path !== undefined) this.fire(this.nodesForPath(conn, path));
  }

  forgetKey(conn: ConnectionNode, key: Buffer): void {
    const id = byteId(key);
    conn.session.meta.delete(id);
    conn.session.keyNodes.delete(id);
    conn.session.model.removeKey(key);
    for (const [path, f] of conn.session.folderNodes) {
      if (!conn.session.model.folder(path)) conn.session.folderNodes.delete(path);
      else f.keyCount = conn.session.model.folder(path)?.keyCount ?? f.keyCount;
    }
  }

  /**
   * What to refresh when a key came or went under a folder path: the folder nodes shown for it and
   * for each folder above it, their key counts taken from the model, or the connection when none is shown.
   */
  nodesForPath(conn: ConnectionNode, path: string): (ConnectionNode | FolderNode)[] {
    const { model, folderNodes } = conn.session;
    const out: FolderNode[] = [];
    for (let p: string | undefined = path; p; p = model.parentPath(p)) {
      const f = folderNodes.get(p);
      if (!f) continue;
      f.keyCount = model.folder(p)?.keyCount ?? f.keyCount;
      out.push(f);
    }
    return out.length ? out : [conn];
  }

  // --- connection list and state -------------------------------------------------------------

  private readConnections(): void {
    const { profiles, problems } = this.store.read();
    this.problems = problems;
    const settings = this.settings();
    const next: ConnectionNode[] = [];
    for (const p of profiles) {
      const old = this.byName.get(p.name);
      next.push(old && sameProfile(old.profile, p) ? old : this.newNode(p, settings));
    }
    for (const old of this.byName.values()) if (!next.includes(old)) old.session.scan?.stop();
    this.byName.clear();
    for (const n of next) this.byName.set(n.name, n);
    for (const name of [...this.filters.keys()]) if (!this.byName.has(name)) this.filters.delete(name);
    this.roots = next;
  }

  private newNode(p: ConnectionProfile, settings: TreeSettings, db?: number): ConnectionNode {
    const theDb = db ?? this.pool.selectedDb(p.name);
    return new ConnectionNode(p, new ConnectionSession(theDb, p.separator ?? settings.separator, settings.order), ++this.generation);
  }

  /** A fresh node (new id: shown collapsed, nothing loaded) in place of the old one. */
  private replaceNode(name: string, db?: number): void {
    const old = this.byName.get(name);
    if (!old) return;
    const node = this.newNode(old.profile, this.settings(), db);
    old.session.scan?.stop();
    this.byName.set(name, node);
    this.roots = this.roots.map((n) => (n === old ? node : n));
    this.fire(undefined);
  }

  private resetAll(): void {
    for (const n of this.roots) this.replaceNodeQuietly(n);
    this.fire(undefined);
  }

  private replaceNodeQuietly(old: ConnectionNode): void {
    const settings = this.settings();
    const session = new ConnectionSession(old.session.db, old.profile.separator ?? settings.separator, settings.order);
    const node = new ConnectionNode(old.profile, session, old.generation);
    old.session.scan?.stop();
    this.byName.set(old.name, node);
    this.roots = this.roots.map((n) => (n === old ? node : n));
  }

  private onConnectionState(name: string): void {
    const node = this.byName.get(name);
    if (!node) return;
    const status = this.pool.status(name);
    const db = this.pool.selectedDb(name);
    if (db !== node.session.db) return this.replaceNode(name, db);
    if (status.state === 'idle' && (node.session.started || node.session.error)) return this.replaceNode(name);
    if (status.state === 'failed' && status.error && node.session.started) node.session.error = status.error;
    // While the tree opens this connection, open() refreshes it once the first page is in. VS Code
    // coalesces a tree's refreshes over 200 ms (leading edge first): refreshing for "connecting" and
    // "connected" too held that last refresh, the one with the keys, back by up to 200 ms.
    if (node.session.opening && (status.state === 'connecting' || status.state === 'connected')) return;
    this.fire(node);
  }
}
