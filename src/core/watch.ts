import type { ConnectOptions } from './connection';
import { RedisConnection } from './connection';
import { toExplorerError } from './errors';
import { keySlot } from './slot';
import type { NodeMode } from './watchNode';
import { WatchNode, keyId } from './watchNode';
import type { Handle, KeyWatch, Reason, Watched, WatchEvent, WatchSpec, WatchStatus } from './watchHandle';
import { fieldsOf, newHandle, takeRead, toBuf } from './watchHandle';
import type { KeyRead, ReadAsk } from './watchRead';
import { readKeys } from './watchRead';

/*
 * Live views of hashes: hears of changes made by anyone on the server and tells each open view, coalesced
 * and bounded, so a hash written thousands of times a second costs a few re-reads a second. Views re-read
 * what they show themselves; events never carry values. Modes, best first: CLIENT TRACKING (no server
 * configuration), keyspace notifications (when on, or allowed to be turned on), polling of what is shown.
 */

export type { KeyWatch, WatchEvent, WatchSpec, WatchStatus } from './watchHandle';

export type LiveSetting = 'auto' | 'polling' | 'off';

export interface WatcherOptions {
  mode?: LiveSetting;
  /** polling interval (default 5000) */
  pollMs?: number;
  /** may turn on keyspace notifications (CONFIG SET) when tracking is refused and they are off */
  allowConfig?: boolean;
  /** password and timeouts of the watch connections (the same as the view's connection) */
  connect?: ConnectOptions;
  /** at most one re-read of a key (and one event to its views) per this many ms (default 200) */
  minIntervalMs?: number;
  /** keys re-read per round at most (default 20): bounds re-reads per second over many keys */
  maxKeysPerRound?: number;
  /** how often a live link is checked with PING (default 5000) */
  healthMs?: number;
  /** the server has field TTLs: polling notices a changed field TTL too */
  fieldTtl?: boolean;
  log?: (message: string) => void;
  /** opens a watch link (default RedisConnection.open) */
  open?: (profile: RedisConnection['profile'], options: ConnectOptions) => Promise<RedisConnection>;
}

export class HashWatcher {
  private readonly keys = new Map<string, Watched>();
  private readonly nodes = new Map<string, WatchNode>();
  private readonly inStep = new Map<WatchNode, number>();
  private readonly dirty = new Map<string, Set<Reason>>();
  private readonly statusListeners = new Set<(s: WatchStatus) => void>();
  private options: Required<Omit<WatcherOptions, 'log' | 'open'>> & Pick<WatcherOptions, 'log' | 'open'>;
  private globallyPaused = false;
  private closed = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing = false;
  private lastFlush = 0;
  private pollTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private lastLabel = '';
  /** re-reads sent (keys read), for the benchmark and the tests */
  reads = 0;

  constructor(
    private readonly conn: RedisConnection,
    options: WatcherOptions = {},
  ) {
    this.options = {
      mode: options.mode ?? 'auto',
      pollMs: options.pollMs ?? 5000,
      allowConfig: options.allowConfig ?? false,
      connect: options.connect ?? {},
      minIntervalMs: options.minIntervalMs ?? 200,
      maxKeysPerRound: options.maxKeysPerRound ?? 20,
      healthMs: options.healthMs ?? 5000,
      fieldTtl: options.fieldTtl ?? false,
      log: options.log,
      open: options.open,
    };
  }

  /** Follows `key` for one view; the listener gets its events until dispose(). */
  watch(key: string | Buffer, listener: (e: WatchEvent) => void, spec: WatchSpec = {}): KeyWatch {
    if (this.closed) throw new Error('watcher closed');
    const bytes = toBuf(key);
    const id = keyId(bytes);
    let w = this.keys.get(id);
    if (!w) {
      w = { key: bytes, handles: new Set(), node: undefined };
      this.keys.set(id, w);
    }
    const watched = w;
    const handle = newHandle(bytes, spec, listener, {
      changed: () => this.mark(id, undefined),
      resumed: () => queueMicrotask(() => this.emit(handle, { kind: 'resync', key: bytes })),
      disposed: () => {
        watched.handles.delete(handle);
        if (watched.handles.size === 0) this.unwatch(id);
      },
    });
    w.handles.add(handle);
    if (!w.node) this.assign(id, w);
    else this.mark(id, undefined);
    return handle;
  }

  onStatus(listener: (s: WatchStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  get paused(): boolean {
    return this.globallyPaused;
  }

  /** Stops hearing of changes everywhere (the watch connections close); resume() re-reads everything shown. */
  async pause(): Promise<void> {
    if (this.globallyPaused) return;
    this.globallyPaused = true;
    await this.stopNodes();
    this.emitStatus();
  }

  resume(): void {
    if (!this.globallyPaused) return;
    this.globallyPaused = false;
    for (const [id, w] of this.keys) this.assign(id, w);
    this.emitStatus();
  }

  /** New settings: a new mode restarts the watch connections (views get a 'resync'). */
  async configure(options: Partial<WatcherOptions>): Promise<void> {
    const restart = (options.mode !== undefined && options.mode !== this.options.mode) || (options.allowConfig !== undefined && options.allowConfig !== this.options.allowConfig);
    this.options = { ...this.options, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
    if (restart && !this.globallyPaused) {
      await this.stopNodes();
      for (const [id, w] of this.keys) this.assign(id, w);
    }
    this.armTimers();
    this.emitStatus();
  }

  status(): WatchStatus {
    if (this.options.mode === 'off') return { state: 'off', label: 'off' };
    if (this.globallyPaused) return { state: 'paused', label: 'paused' };
    const nodes = [...this.nodes.values()];
    const detail = nodes.map((n) => n.fallback).find((d) => d);
    if (nodes.some((n) => n.down)) {
      const state = nodes.some((n) => n.down && n.mode !== undefined) ? 'reconnecting' : 'connecting';
      return { state, label: state === 'reconnecting' ? 'reconnecting…' : 'connecting…', inStepAt: this.inStepAt(), detail };
    }
    if (nodes.some((n) => n.mode === 'polling')) {
      return { state: 'polling', label: `polling every ${formatSeconds(this.options.pollMs)}`, inStepAt: this.inStepAt(), detail };
    }
    return { state: 'live', label: 'live', inStepAt: this.inStepAt(), detail };
  }

  /** The modes of the nodes now watching (one per server; several on a cluster). */
  modes(): NodeMode[] {
    return [...this.nodes.values()].map((n) => n.mode).filter((m): m is NodeMode => m !== undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.keys.clear();
    this.dirty.clear();
    this.statusListeners.clear();
    await this.stopNodes();
  }

  private inStepAt(): number | undefined {
    let min: number | undefined;
    for (const n of this.nodes.values()) {
      const t = this.inStep.get(n);
      if (t === undefined) return undefined;
      min = min === undefined ? t : Math.min(min, t);
    }
    return min;
  }

  private async stopNodes(): Promise<void> {
    clearTimeout(this.flushTimer);
    clearInterval(this.pollTimer);
    clearInterval(this.healthTimer);
    this.flushTimer = this.pollTimer = this.healthTimer = undefined;
    const nodes = [...this.nodes.values()];
    this.nodes.clear();
    this.inStep.clear();
    for (const w of this.keys.values()) w.node = undefined;
    await Promise.all(nodes.map((n) => n.stop()));
  }

  /** Puts a key on the node that owns it (on a cluster, the master of its slot). */
  private assign(id: string, w: Watched): void {
    if (this.options.mode === 'off' || this.globallyPaused || this.closed) return;
    const target = this.ownerOf(w.key);
    if (!target) {
      w.node = undefined;
      return;
    }
    let node = this.nodes.get(target.where);
    if (!node) {
      const created: WatchNode = new WatchNode(
        target.profile,
        this.conn.db,
        { polling: this.options.mode === 'polling', allowConfig: this.options.allowConfig, connect: this.options.connect, open: this.options.open },
        {
          dirty: (ids) => this.nodeDirty(created, ids, 'event'),
          resync: () => this.nodeDirty(created, undefined, 'resync'),
          status: () => {
            if (created.down) this.inStep.delete(created);
            this.emitStatus();
            this.schedule();
          },
          log: (m) => this.options.log?.(m),
        },
        () => this.keysOf(created),
      );
      node = created;
      this.nodes.set(target.where, node);
      w.node = node;
      node.start();
      this.armTimers();
      this.emitStatus();
      return;
    }
    w.node = node;
    node.keysChanged();
    this.mark(id, undefined);
  }

  private ownerOf(key: Buffer): { where: string; profile: RedisConnection['profile'] } | undefined {
    if (!this.conn.isCluster) return { where: this.conn.where, profile: this.conn.profile };
    const master = this.conn.masterOfSlot(keySlot(key));
    if (!master) return undefined;
    const where = RedisConnection.nodeKey(master);
    return { where, profile: { ...this.conn.profile, kind: 'standalone', host: master.options.host ?? '127.0.0.1', port: master.options.port ?? 6379 } };
  }

  private keysOf(node: WatchNode): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (const [id, w] of this.keys) if (w.node === node) out.set(id, w.key);
    return out;
  }

  private unwatch(id: string): void {
    const w = this.keys.get(id);
    this.keys.delete(id);
    this.dirty.delete(id);
    const node = w?.node;
    if (!node) return;
    if ([...this.keys.values()].some((o) => o.node === node)) return node.keysChanged();
    // Nothing left to watch there: close its connections.
    for (const [where, n] of this.nodes) if (n === node) this.nodes.delete(where);
    this.inStep.delete(node);
    void node.stop();
    this.emitStatus();
  }

  private nodeDirty(node: WatchNode, ids: string[] | undefined, reason: Reason): void {
    for (const id of ids ?? this.keysOf(node).keys()) if (this.keys.get(id)?.node === node) this.mark(id, reason);
  }

  private mark(id: string, reason: Reason | undefined): void {
    let reasons = this.dirty.get(id);
    if (!reasons) this.dirty.set(id, (reasons = new Set()));
    if (reason) reasons.add(reason);
    this.schedule();
  }

  /** One round at a time, at most every minIntervalMs: a busy key costs a few reads a second, whatever its write rate. */
  private schedule(): void {
    if (this.flushTimer || this.flushing || this.closed || !this.readyDirty().length) return;
    const wait = Math.max(0, this.lastFlush + this.options.minIntervalMs - Date.now());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, wait);
  }

  private readyDirty(): string[] {
    const out: string[] = [];
    for (const id of this.dirty.keys()) {
      const node = this.keys.get(id)?.node;
      if (node && !node.down) out.push(id);
      if (out.length >= this.options.maxKeysPerRound) break;
    }
    return out;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    this.lastFlush = Date.now();
    const byNode = new Map<WatchNode, Array<{ id: string; w: Watched; reasons: Set<Reason> }>>();
    for (const id of this.readyDirty()) {
      const w = this.keys.get(id);
      const reasons = this.dirty.get(id) ?? new Set<Reason>();
      this.dirty.delete(id);
      if (!w?.node) continue;
      const list = byNode.get(w.node) ?? [];
      list.push({ id, w, reasons });
      byNode.set(w.node, list);
    }
    await Promise.all(
      [...byNode].map(async ([node, items]) => {
        const polling = node.mode === 'polling';
        const asks: ReadAsk[] = items.map(({ w }) => ({ key: w.key, fields: fieldsOf(w, polling), polling, fieldTtl: this.options.fieldTtl }));
        try {
          this.reads += asks.length;
          const reads = await node.run((c) => readKeys(c, asks));
          items.forEach((item, i) => this.apply(item.w, reads[i], item.reasons, polling));
        } catch (err) {
          // Not read: try again once the link is back (a reconnect re-reads everything anyway).
          for (const { id, reasons } of items) for (const r of reasons) this.mark(id, r);
          this.options.log?.(`watch: re-read failed on ${node.where}: ${toExplorerError(err, node.where).message}`);
          void node.ping();
        }
        if (![...this.dirty.keys()].some((id) => this.keys.get(id)?.node === node) && !node.down) this.inStep.set(node, Date.now());
      }),
    );
    this.flushing = false;
    this.emitStatusIfChanged();
    this.schedule();
  }

  private apply(w: Watched, read: KeyRead, reasons: Set<Reason>, polling: boolean): void {
    for (const h of w.handles) {
      const e = takeRead(h, w.key, read, reasons, polling);
      if (e) this.emit(h, e);
    }
  }

  private emit(h: Handle, e: WatchEvent): void {
    if (h.paused || this.closed) return;
    try {
      h.listener(e);
    } catch (err) {
      this.options.log?.(`watch: a view failed to take an event: ${String(err)}`);
    }
  }

  private armTimers(): void {
    clearInterval(this.pollTimer);
    clearInterval(this.healthTimer);
    if (this.closed || this.globallyPaused || this.options.mode === 'off') return;
    this.pollTimer = setInterval(() => {
      for (const node of this.nodes.values()) if (node.mode === 'polling' && !node.down) this.nodeDirty(node, undefined, 'event');
    }, this.options.pollMs);
    this.healthTimer = setInterval(() => void this.health(), this.options.healthMs);
    this.pollTimer.unref?.();
    this.healthTimer.unref?.();
  }

  /** PINGs live links (so "in step" means something), and on a cluster moves keys whose slot changed owner. */
  private async health(): Promise<void> {
    for (const node of this.nodes.values()) {
      if (node.mode === 'polling') continue;
      const ok = await node.ping();
      if (ok && ![...this.dirty.keys()].some((id) => this.keys.get(id)?.node === node)) this.inStep.set(node, Date.now());
    }
    if (this.conn.isCluster) {
      for (const [id, w] of this.keys) {
        const owner = this.ownerOf(w.key);
        if (owner?.where !== (w.node ? [...this.nodes].find(([, n]) => n === w.node)?.[0] : undefined)) {
          const old = w.node;
          this.assign(id, w);
          if (old !== w.node) this.mark(id, 'resync');
        }
      }
    }
    this.emitStatusIfChanged();
  }

  /** At most one status a second while only "in step" moves (a busy hash must not flood the views). */
  private emitStatusIfChanged(): void {
    if (statusLabel(this.status()) !== this.lastLabel) this.emitStatus();
  }

  private emitStatus(): void {
    const s = this.status();
    this.lastLabel = statusLabel(s);
    for (const l of this.statusListeners) l(s);
  }
}

function statusLabel(s: WatchStatus): string {
  return `${s.state}|${s.label}|${s.detail ?? ''}|${s.inStepAt === undefined ? '' : Math.floor(s.inStepAt / 1000)}`;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
