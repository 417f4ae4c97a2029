import * as vscode from 'vscode';
import { preview } from '../core/codec';
import type { RedisConnection } from '../core/connection';
import type { KeyScan } from '../core/keyScan';
import type { HashPager } from '../core/pagers';
import { KeyTreeModel, type NameOrder } from '../core/keyTree';
import type { ConnectionProfile } from '../core/profile';
import { describeServer } from '../core/serverInfo';
import { describeProfile } from '../core/profile';
import type { ConnectionStatus } from '../connections/pool';
import type { KeyMeta } from './labels';
import { byteId } from './labels';
import type { Recollection } from './recall';
import {
  LOAD_MORE_CONTEXT,
  SCAN_CONTEXT,
  bytesLabel,
  connectionContext,
  fieldContext,
  fieldTooltip,
  folderContext,
  keyContext,
  keyDescription,
  keyTooltip,
  scanProgressText,
  shortAddress,
  shortMessage,
} from './labels';

/*
 * Tree nodes: plain classes with a `parent`, a path-like `id` that stays the same across refreshes
 * (so VS Code keeps expanded folders expanded and the viewport still), and the state their children
 * are built from. Loading lives in the tree state (state.ts); nodes only describe themselves.
 */

export type TreeNode = ConnectionNode | FolderNode | KeyNode | FieldNode | LoadMoreNode | ScanNode | MessageNode;

export { byteId } from './labels';

function idPart(s: string): string {
  return encodeURIComponent(s);
}

/** What one connection shows in one database: the keys loaded so far and their metadata. */
export class ConnectionSession {
  model: KeyTreeModel;
  /** the key scan: runs in the background, pauses after a page of keys, continues on "Load more" */
  scan: KeyScan | undefined;
  /** the client the scan uses: a scan of a client that was closed is never reused */
  scanConn: RedisConnection | undefined;
  /** what the running scan tells (the view's refreshes) */
  scanEvents: { keys(): void; progress(): void } | undefined;
  /** the user stopped the scan (before it had its page) */
  stopped = false;
  /** rows were shown while the scan ran (its progress row, "+" counts): its end must refresh them */
  shownWhileScanning = false;
  /** why the scan stopped by itself after the first keys (shown on "Load more…", which tries again) */
  scanFailure: string | undefined;
  /** the first keys are in (or the scan paused or ended without any) */
  started = false;
  /** the scan's run under way, until it pauses */
  loading: Promise<void> | undefined;
  /** the background connect and first page, while running */
  opening: Promise<void> | undefined;
  /** why the last connect failed; shown as a node until Retry */
  error: string | undefined;
  /** the hash keys remembered from the last time and those to remember (recall.ts) */
  recall: Recollection | undefined;
  /** bumped on every reset, so a page that arrives after one is dropped */
  epoch = 0;
  readonly meta = new Map<string, KeyMeta>();
  readonly folderNodes = new Map<string, FolderNode>();
  readonly keyNodes = new Map<string, KeyNode>();

  constructor(
    readonly db: number,
    readonly separator: string,
    readonly order: NameOrder = 'natural',
  ) {
    this.model = new KeyTreeModel(separator, order);
  }

  /** Every key was scanned: counts are final. */
  get complete(): boolean {
    return this.scan?.done === true;
  }

  reset(): void {
    this.epoch++;
    this.model = new KeyTreeModel(this.separator, this.order);
    this.scan?.stop();
    this.scan = undefined;
    this.scanConn = undefined;
    this.scanEvents = undefined;
    this.stopped = false;
    this.shownWhileScanning = false;
    this.scanFailure = undefined;
    this.started = false;
    this.loading = undefined;
    this.opening = undefined;
    this.error = undefined;
    this.recall = undefined;
    this.meta.clear();
    // Node objects are kept: the same id keeps the same object, and its expanded state.
    for (const k of this.keyNodes.values()) k.resetFields();
  }
}

export class ConnectionNode {
  readonly kind = 'connection';
  readonly parent = undefined;
  readonly id: string;
  readonly loadMore: LoadMoreNode;
  /** the row that shows a running scan's progress and stops it */
  readonly scanning: ScanNode;

  constructor(
    readonly profile: ConnectionProfile,
    readonly session: ConnectionSession,
    readonly generation: number,
  ) {
    this.id = `c:${idPart(profile.name)}#${generation}`;
    this.loadMore = new LoadMoreNode(this);
    this.scanning = new ScanNode(this);
  }

  get name(): string {
    return this.profile.name;
  }

  get readOnly(): boolean {
    return this.profile.readOnly === true;
  }

  toTreeItem(status: ConnectionStatus, filter: string | undefined): vscode.TreeItem {
    const state = this.session.error ? 'failed' : status.state;
    const item = new vscode.TreeItem(`${this.name}${this.readOnly ? ' [read-only]' : ''}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    // short enough for a normal sidebar: the whole address and the filter are in the tooltip and the view's message
    const parts = [`db${this.session.db}`];
    if (filter) parts.push('filtered');
    else if (state === 'connected' || state === 'idle') parts.push(shortAddress(describeProfile(this.profile).replace(/^rediss?:\/\//, '')));
    if (state === 'failed') parts.push('failed');
    if (state === 'connecting') parts.push('connecting…');
    if (state === 'reconnecting') parts.push(status.sshLost ? 'SSH lost · reconnecting…' : 'reconnecting…');
    item.description = parts.join(' · ');
    const tip = [`${this.name} — ${describeProfile(this.profile)} db${this.session.db}`, `state: ${state}`];
    if (status.info) tip.push(`${describeServer(status.info)} (${status.info.mode})${status.info.capabilities.fieldTtl ? ', field TTLs' : ''}`);
    if (this.session.error ?? status.error) tip.push(`error: ${this.session.error ?? status.error}`);
    if (this.profile.ssh) tip.push(`through SSH ${this.profile.ssh.username}@${this.profile.ssh.host}:${this.profile.ssh.port ?? 22}`);
    if (this.readOnly) tip.push('read-only: writes are disabled');
    if (this.profile.readFromReplicas) tip.push('browses from replicas: keys and field pages may show a recent write a moment later');
    if (this.profile.kind === 'cluster') tip.push('database selection: not available, a cluster has only database 0');
    if (filter) tip.push(`key filter: ${filter}`);
    item.tooltip = tip.join('\n');
    item.iconPath =
      state === 'failed'
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
        : state === 'connecting' || state === 'reconnecting'
          ? new vscode.ThemeIcon('loading~spin')
          : state === 'connected'
            ? new vscode.ThemeIcon(this.readOnly ? 'lock' : 'database')
            : new vscode.ThemeIcon('debug-disconnect');
    // '.sshLost': the row offers Retry (a new SSH connection now) while its clients wait to reconnect
    item.contextValue = connectionContext(state, this.readOnly, filter !== undefined, this.profile.kind === 'cluster') + (state === 'reconnecting' && status.sshLost ? '.sshLost' : '');
    return item;
  }
}

export class FolderNode {
  readonly kind = 'folder';
  readonly id: string;

  constructor(
    readonly conn: ConnectionNode,
    readonly parent: ConnectionNode | FolderNode,
    readonly path: string,
    public name: string,
    public keyCount: number,
  ) {
    this.id = `${conn.id}/${conn.session.db}/f:${idPart(path)}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.name === '' ? '(empty)' : this.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    // "12+ keys": more may come while the keyspace is not scanned to its end
    const final = this.conn.session.complete;
    item.description = `${this.keyCount.toLocaleString('en-US')}${final ? '' : '+'} ${this.keyCount === 1 && final ? 'key' : 'keys'}`;
    item.tooltip = `${bytesLabel(Buffer.from(this.path, 'latin1'), 300)}*\n${this.keyCount.toLocaleString('en-US')} loaded${final ? '' : ' so far (the keyspace is not scanned to its end)'}`;
    item.iconPath = vscode.ThemeIcon.Folder;
    item.contextValue = folderContext(this.conn.readOnly);
    return item;
  }
}

/** The fields of a hash key loaded so far, in the order HSCAN gave them, each once. */
class FieldList {
  pager: HashPager | undefined;
  /** the client the pager reads with */
  pagerConn: RedisConnection | undefined;
  readonly nodes: FieldNode[] = [];
  readonly index = new Map<string, FieldNode>();
  loading: Promise<void> | undefined;
  epoch = 0;
  /** read again after a change on the server, which a replica may not have yet: on the master */
  afterChange = false;
}

const TYPE_ICONS: Record<string, string> = {
  hash: 'symbol-object',
  string: 'symbol-string',
  list: 'list-flat',
  set: 'symbol-array',
  zset: 'list-ordered',
  stream: 'pulse',
};

export class KeyNode {
  readonly kind = 'key';
  readonly id: string;
  readonly keyId: string;
  fields = new FieldList();
  readonly loadMore: LoadMoreNode;

  constructor(
    readonly conn: ConnectionNode,
    public parent: ConnectionNode | FolderNode,
    readonly key: Buffer,
  ) {
    this.keyId = byteId(key);
    this.id = `${conn.id}/${conn.session.db}/k:${idPart(this.keyId)}`;
    this.loadMore = new LoadMoreNode(this);
  }

  get meta(): KeyMeta | undefined {
    return this.conn.session.meta.get(this.keyId);
  }

  get isHash(): boolean {
    return (this.meta?.type ?? 'hash') === 'hash';
  }

  resetFields(afterChange = false): void {
    this.fields.epoch++;
    this.fields = new FieldList();
    this.fields.afterChange = afterChange;
  }

  /** The label: the key without its folder's prefix. */
  label(): string {
    const folderLen = this.parent.kind === 'folder' ? this.parent.path.length : 0;
    const rest = this.key.subarray(folderLen);
    return rest.length ? bytesLabel(rest, 200) : '(empty)';
  }

  toTreeItem(): vscode.TreeItem {
    const meta = this.meta;
    const item = new vscode.TreeItem(this.label(), this.isHash ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = keyDescription(meta);
    item.tooltip = keyTooltip(this.key, meta);
    item.iconPath = new vscode.ThemeIcon(TYPE_ICONS[meta?.type ?? 'hash'] ?? 'symbol-misc');
    item.contextValue = keyContext(this.isHash, this.conn.readOnly);
    return item;
  }
}

export class FieldNode {
  readonly kind = 'field';
  readonly id: string;
  /** when the field expires (ms since epoch), null without a TTL; undefined where the server has no field TTLs */
  expiresAt?: number | null;

  constructor(
    readonly parent: KeyNode,
    readonly field: Buffer,
    /** the value as shown: an edit from this node compares against it */
    public value: Buffer,
  ) {
    this.id = `${parent.id}/v:${idPart(byteId(field))}`;
  }

  get conn(): ConnectionNode {
    return this.parent.conn;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.field.length ? bytesLabel(this.field, 120) : '(empty)', vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = preview(this.value, 60);
    item.tooltip = fieldTooltip(this.field, this.value, this.expiresAt);
    item.iconPath = new vscode.ThemeIcon('symbol-field');
    item.contextValue = fieldContext(this.conn.readOnly, this.expiresAt !== undefined);
    return item;
  }
}

/** "Load more…": the next SCAN page under a connection, or the next HSCAN page under a hash key. */
class LoadMoreNode {
  readonly kind = 'loadMore';
  readonly id: string;
  loading = false;

  constructor(readonly parent: ConnectionNode | KeyNode) {
    this.id = `${parent.id}/more`;
  }

  /** `scanned`: how far a connection's scan got ("scanned 120,000 of about 1,000,000 keys"), for keys. */
  toTreeItem(loaded: number, scanned?: string): vscode.TreeItem {
    const item = new vscode.TreeItem(this.loading ? 'Loading…' : 'Load more…', vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = [`${loaded.toLocaleString('en-US')} loaded`, scanned].filter(Boolean).join(' · ');
    if (scanned) item.tooltip = `${item.description}\nLoad more continues the scan from where it paused.`;
    item.iconPath = new vscode.ThemeIcon(this.loading ? 'loading~spin' : 'ellipsis');
    item.contextValue = LOAD_MORE_CONTEXT;
    item.command = { command: 'redisHashExplorer.loadMore', title: 'Load More', arguments: [this] };
    return item;
  }
}

/**
 * A connection's scan while it runs in the background: how far it got, and a way to stop it (the row's
 * own command, so Enter on it stops, and an inline button). "Load more…" takes its place once it pauses.
 */
class ScanNode {
  readonly kind = 'scan';
  readonly id: string;

  constructor(readonly parent: ConnectionNode) {
    this.id = `${parent.id}/scan`;
  }

  toTreeItem(): vscode.TreeItem {
    const s = this.parent.session;
    const p = s.scan?.progress();
    const found = s.model.loadedCount;
    const item = new vscode.TreeItem(found ? 'Scanning for more keys…' : 'Scanning keys…', vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = p ? scanProgressText(p) : '';
    item.tooltip = `${item.description}\n${found.toLocaleString('en-US')} found so far. Select to stop the scan; "Load more…" then continues from where it stopped.`;
    item.iconPath = new vscode.ThemeIcon('loading~spin');
    item.contextValue = SCAN_CONTEXT;
    item.command = { command: 'redisHashExplorer.stopScan', title: 'Stop Scan', arguments: [this] };
    return item;
  }
}

/** A line of information: a connection error (with Retry), "no keys", a settings problem. */
export class MessageNode {
  readonly kind = 'message';
  readonly id: string;

  constructor(
    readonly parent: TreeNode | undefined,
    readonly name: string,
    readonly text: string,
    readonly icon: string,
    readonly command?: vscode.Command,
  ) {
    this.id = `${parent?.id ?? ''}/m:${name}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(shortMessage(this.text), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.tooltip = this.text;
    item.iconPath = new vscode.ThemeIcon(this.icon, this.icon === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
    item.contextValue = `message.${this.name}`;
    if (this.command) item.command = this.command;
    return item;
  }
}
