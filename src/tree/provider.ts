import * as vscode from 'vscode';
import { toExplorerError } from '../core/errors';
import type { RedisConnection } from '../core/connection';
import type { ConnectionProfile } from '../core/profile';
import type { ChangeBus } from '../connections/changes';
import type { ConnectionStore } from '../connections/connectionStore';
import type { ConnectionPool } from '../connections/pool';
import { log } from '../log';
import { applyChange } from './treeChanges';
import type { TreeSettings } from './loading';
import { loadFieldPage, loadKeyPage, loadMeta } from './loading';
import type { TreeNode } from './nodes';
import { ConnectionNode, ConnectionSession, FolderNode, KeyNode, MessageNode, byteId } from './nodes';

const SECTION = 'redisHashExplorer';

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
      changes.onDidChange((c) => {
        applyChange(this, c).catch((err: unknown) => log.warn(`tree refresh after a change failed: ${toExplorerError(err).message}`));
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (['keys.separator', 'keys.onlyHashes'].some((s) => e.affectsConfiguration(`${SECTION}.${s}`))) this.resetAll();
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
    };
  }

  /** Refreshes nodes (and their subtrees); undefined refreshes everything. */
  fire(nodes: TreeNode | TreeNode[] | undefined): void {
    this.changed.fire(nodes);
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
        return node.toTreeItem(this.pool.status(node.name), this.filters.get(node.name));
      case 'loadMore':
        return node.toTreeItem(node.parent.kind === 'connection' ? node.parent.session.model.loadedCount : node.parent.fields.nodes.length);
      default:
        return node.toTreeItem();
    }
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    try {
      if (!node) return this.rootChildren();
      switch (node.kind) {
        case 'connection':
          return await this.connectionChildren(node);
        case 'folder':
          return await this.containerChildren(node.conn, node);
        case 'key':
          return await this.keyChildren(node);
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

  private async connectionChildren(node: ConnectionNode): Promise<TreeNode[]> {
    const s = node.session;
    if (s.error) return [this.errorNode(node)];
    let conn: RedisConnection;
    try {
      conn = await this.pool.get(node.name, s.db);
    } catch (err) {
      s.error = toExplorerError(err).message;
      return [this.errorNode(node)];
    }
    if (!s.started) await loadKeyPage(s, conn, this.settings(), this.filters.get(node.name));
    return this.containerChildren(node, node, conn);
  }

  private errorNode(node: ConnectionNode): MessageNode {
    return new MessageNode(node, 'error', node.session.error ?? 'Not connected', 'error', {
      command: 'redisHashExplorer.retryConnection',
      title: 'Retry',
      arguments: [node],
    });
  }

  /** Folders first, then keys; the connection adds "Load more…" while the scan is not done. */
  private async containerChildren(conn: ConnectionNode, container: ConnectionNode | FolderNode, client?: RedisConnection): Promise<TreeNode[]> {
    const s = conn.session;
    const path = container.kind === 'folder' ? container.path : '';
    const redis = client ?? (await this.pool.get(conn.name, s.db));
    const onlyHashes = this.settings().onlyHashes;
    let { folders, keys } = s.model.children(path);
    const gone = await loadMeta(s, redis, keys);
    if (gone.length) {
      for (const k of gone) this.forgetKey(conn, k);
      ({ folders, keys } = s.model.children(path));
    }
    const out: TreeNode[] = [];
    for (const f of folders) {
      let fn = s.folderNodes.get(f.path);
      if (!fn) {
        fn = new FolderNode(conn, container, f.path, f.name, f.keyCount);
        s.folderNodes.set(f.path, fn);
      }
      fn.keyCount = f.keyCount;
      out.push(fn);
    }
    for (const k of keys) {
      const id = byteId(k);
      const meta = s.meta.get(id);
      if (onlyHashes && meta && meta.type !== 'hash') continue;
      let kn = s.keyNodes.get(id);
      if (!kn) {
        kn = new KeyNode(conn, container, k);
        s.keyNodes.set(id, kn);
      }
      kn.parent = container;
      out.push(kn);
    }
    if (container.kind === 'connection') {
      if (s.pager && !s.pager.done) out.push(conn.loadMore);
      else if (out.length === 0) {
        const filter = this.filters.get(conn.name);
        const what = onlyHashes ? 'hash keys' : 'keys';
        out.push(new MessageNode(conn, 'empty', filter ? `No ${what} match "${filter}"` : `No ${what} in db${s.db}`, 'info'));
      }
    }
    return out;
  }

  private async keyChildren(node: KeyNode): Promise<TreeNode[]> {
    if (!node.isHash) return [];
    const s = node.conn.session;
    const conn = await this.pool.get(node.conn.name, s.db);
    const list = node.fields;
    if (!list.pager) await loadFieldPage(node, conn, this.settings());
    if (list.nodes.length === 0 && list.pager?.done) {
      if ((await conn.run((c) => c.exists(node.key))) === 0) {
        // Deleted meanwhile: drop it from its folder, which refreshes.
        setTimeout(() => this.keyDeleted(node.conn, node.key), 0);
        return [new MessageNode(node, 'gone', 'This key no longer exists', 'warning')];
      }
      return [new MessageNode(node, 'empty', 'No fields', 'info')];
    }
    return list.pager?.done ? [...list.nodes] : [...list.nodes, node.loadMore];
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
          await loadKeyPage(parent.session, conn, this.settings(), this.filters.get(parent.name));
        } else {
          const conn = await this.pool.get(parent.conn.name, parent.conn.session.db);
          await loadFieldPage(parent, conn, this.settings());
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

  /** Drops a key from the loaded model and refreshes the deepest folder still shown above it. */
  keyDeleted(conn: ConnectionNode, key: Buffer): void {
    const path = conn.session.model.removeKey(key);
    this.forgetKey(conn, key);
    if (path !== undefined) this.fire(this.nodeForPath(conn, path));
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

  /** The node showing a folder path, or the nearest ancestor that has one. */
  nodeForPath(conn: ConnectionNode, path: string): ConnectionNode | FolderNode {
    let p: string | undefined = path;
    while (p) {
      const f = conn.session.folderNodes.get(p);
      if (f) return f;
      p = conn.session.model.parentPath(p);
    }
    return conn;
  }

  // --- connection list and state -------------------------------------------------------------

  private readConnections(): void {
    const { profiles, problems } = this.store.read();
    this.problems = problems;
    const settings = this.settings();
    const next: ConnectionNode[] = [];
    for (const p of profiles) {
      const old = this.byName.get(p.name);
      next.push(old && sameProfile(old.profile, p) ? old : this.newNode(p, settings.separator));
    }
    this.byName.clear();
    for (const n of next) this.byName.set(n.name, n);
    for (const name of [...this.filters.keys()]) if (!this.byName.has(name)) this.filters.delete(name);
    this.roots = next;
  }

  private newNode(p: ConnectionProfile, separator: string, db?: number): ConnectionNode {
    const theDb = db ?? this.pool.selectedDb(p.name);
    return new ConnectionNode(p, new ConnectionSession(theDb, p.separator ?? separator), ++this.generation);
  }

  /** A fresh node (new id: shown collapsed, nothing loaded) in place of the old one. */
  private replaceNode(name: string, db?: number): void {
    const old = this.byName.get(name);
    if (!old) return;
    const node = this.newNode(old.profile, this.settings().separator, db);
    this.byName.set(name, node);
    this.roots = this.roots.map((n) => (n === old ? node : n));
    this.fire(undefined);
  }

  private resetAll(): void {
    for (const n of this.roots) this.replaceNodeQuietly(n);
    this.fire(undefined);
  }

  private replaceNodeQuietly(old: ConnectionNode): void {
    const node = new ConnectionNode(old.profile, new ConnectionSession(old.session.db, old.profile.separator ?? this.settings().separator), old.generation);
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
    this.fire(node);
  }
}

function sameProfile(a: ConnectionProfile, b: ConnectionProfile): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
