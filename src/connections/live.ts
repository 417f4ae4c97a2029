import * as vscode from 'vscode';
import { toExplorerError } from '../core/errors';
import { HashWatcher } from '../core/watch';
import type { KeyWatch, LiveSetting, WatchEvent, WatchSpec, WatchStatus } from '../core/watch';
import { log } from '../log';
import type { ConnectionPool } from './pool';

/*
 * Live updates for the views: one HashWatcher per connection and database, shared by every open editor,
 * value document and expanded tree key. Settings: redisHashExplorer.live.mode (auto, polling, off) and
 * live.pollSeconds; a global pause (commands) and a per-view pause (the handle).
 */

interface LiveTarget {
  connection: string;
  db: number;
  key: Buffer;
}

/** One view's watch: events for its key, the status of its connection, pause/resume of this view alone. */
export interface LiveWatch extends vscode.Disposable {
  readonly key: Buffer;
  update(spec: WatchSpec): void;
  pause(): void;
  resume(): void;
  readonly paused: boolean;
  status(): WatchStatus;
}

const ALLOWED = 'redisHashExplorer.live.allowNotifications';

function liveSettings(): { mode: LiveSetting; pollMs: number } {
  const c = vscode.workspace.getConfiguration('redisHashExplorer.live');
  const mode = c.get<string>('mode');
  const seconds = Number(c.get<number>('pollSeconds'));
  return {
    mode: mode === 'polling' || mode === 'off' ? mode : 'auto',
    pollMs: Math.round(Math.min(3600, Math.max(1, Number.isFinite(seconds) ? seconds : 5)) * 1000),
  };
}

export class LiveUpdates implements vscode.Disposable {
  private readonly watchers = new Map<string, Promise<HashWatcher>>();
  private readonly statusEmitter = new vscode.EventEmitter<{ connection: string; db: number }>();
  /** a connection's status changed (mode, link, paused) */
  readonly onDidChangeStatus = this.statusEmitter.event;
  private readonly pausedEmitter = new vscode.EventEmitter<boolean>();
  readonly onDidChangePaused = this.pausedEmitter.event;
  private readonly statuses = new Map<string, WatchStatus>();
  private readonly asked = new Set<string>();
  private readonly watching = new Set<Watching>();
  private globallyPaused = false;
  private configuring: Promise<void> = Promise.resolve();
  private readonly subscriptions: vscode.Disposable[];
  /** tests and the benchmark shorten the coalescing interval */
  tuning: { minIntervalMs?: number } = {};

  constructor(
    private readonly pool: ConnectionPool,
    private readonly memento: vscode.Memento,
  ) {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((e) => {
        // one after another: two settings changed together must not restart the watchers twice at once
        if (e.affectsConfiguration('redisHashExplorer.live')) this.configuring = this.configuring.then(() => this.reconfigure()).catch(() => undefined);
      }),
      // A connection closed or edited: its watch links go with it; views still open follow it once it is back.
      pool.onDidChangeState((name) => {
        const state = pool.status(name).state;
        if (state === 'idle') void this.drop(name);
        else if (state === 'connected') this.reattach(name);
      }),
      // Edited while a client with the new settings is already open (no idle state between): the watch links,
      // opened with the old ones, go now and the views follow the connection where it now points.
      pool.onDidCloseStale((name) => void this.drop(name).then(() => this.reattach(name))),
    ];
  }

  get paused(): boolean {
    return this.globallyPaused;
  }

  /** Pauses every view (the watch connections close) or resumes them all (each re-reads what it shows). */
  async setPaused(paused: boolean): Promise<void> {
    if (paused === this.globallyPaused) return;
    this.globallyPaused = paused;
    for (const pending of this.watchers.values()) {
      const w = await pending.catch(() => undefined);
      if (!w) continue;
      if (paused) await w.pause();
      else w.resume();
    }
    this.pausedEmitter.fire(paused);
  }

  status(connection: string, db: number): WatchStatus {
    if (liveSettings().mode === 'off') return { state: 'off', label: 'off' };
    if (this.globallyPaused) return { state: 'paused', label: 'paused' };
    return this.statuses.get(id(connection, db)) ?? { state: 'connecting', label: 'connecting…' };
  }

  /** Follows a key for one view. Events come coalesced; after 'resync' the view re-reads all it shows. */
  watch(target: LiveTarget, listener: (e: WatchEvent) => void, spec: WatchSpec = {}): LiveWatch {
    const rec: Watching = { target, listener, spec, paused: false, handle: undefined, disposed: false };
    this.watching.add(rec);
    this.attach(rec);
    return {
      key: target.key,
      update: (s) => {
        rec.spec = { ...rec.spec, ...s };
        rec.handle?.update(s);
      },
      pause: () => {
        rec.paused = true;
        rec.handle?.pause();
      },
      resume: () => {
        rec.paused = false;
        rec.handle?.resume();
      },
      get paused() {
        return rec.paused;
      },
      status: () => (rec.paused ? { state: 'paused', label: 'paused' } : this.status(target.connection, target.db)),
      dispose: () => {
        rec.disposed = true;
        this.watching.delete(rec);
        rec.handle?.dispose();
      },
    };
  }

  private reattach(connection: string): void {
    for (const rec of this.watching) if (rec.target.connection === connection && !rec.handle) this.attach(rec);
  }

  /** Puts a view on its connection's watcher (again, after the connection was closed and reopened). */
  private attach(rec: Watching): void {
    const { connection, db } = rec.target;
    void this.watcher(connection, db).then(
      (w) => {
        if (rec.disposed || rec.handle) return;
        rec.handle = w.watch(rec.target.key, rec.listener, rec.spec);
        if (rec.paused) rec.handle.pause();
      },
      (err: unknown) => log.warn(`[${connection}] live updates unavailable: ${toExplorerError(err).message}`),
    );
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    for (const pending of this.watchers.values()) void pending.then((w) => w.close(), () => undefined);
    this.watchers.clear();
    this.statusEmitter.dispose();
    this.pausedEmitter.dispose();
  }

  private watcher(connection: string, db: number): Promise<HashWatcher> {
    const key = id(connection, db);
    let pending = this.watchers.get(key);
    if (!pending) {
      pending = this.open(connection, db);
      this.watchers.set(key, pending);
      pending.catch(() => this.watchers.get(key) === pending && this.watchers.delete(key));
    }
    return pending;
  }

  private async open(connection: string, db: number): Promise<HashWatcher> {
    const conn = await this.pool.get(connection, db);
    const settings = liveSettings();
    const w = new HashWatcher(conn, {
      mode: settings.mode,
      pollMs: settings.pollMs,
      allowConfig: this.memento.get<string[]>(ALLOWED, []).includes(connection),
      // through SSH, the watch links share the connection's tunnel
      connect: await this.pool.openOptions(connection),
      fieldTtl: this.pool.status(connection).info?.capabilities.fieldTtl === true,
      log: (m) => log.info(`[${connection}] ${m}`),
      ...this.tuning,
    });
    w.onStatus((s) => {
      this.statuses.set(id(connection, db), s);
      this.statusEmitter.fire({ connection, db });
      if (s.state === 'polling' && /Keyspace notifications are off/.test(s.detail ?? '')) void this.offerNotifications(connection, w);
    });
    if (this.globallyPaused) await w.pause();
    return w;
  }

  /** Tracking refused and notifications off: ask once per connection whether to turn them on (CONFIG SET). */
  private async offerNotifications(connection: string, w: HashWatcher): Promise<void> {
    if (this.asked.has(connection) || liveSettings().mode !== 'auto') return;
    this.asked.add(connection);
    const turnOn = 'Turn On';
    const pick = await vscode.window.showInformationMessage(
      `Live updates on "${connection}": the server does not allow CLIENT TRACKING for this user and keyspace notifications are off, so open hashes are polled every ${liveSettings().pollMs / 1000} s. Turn keyspace notifications on (CONFIG SET notify-keyspace-events, adds K, g, h, x; a server setting for every client)?`,
      turnOn,
      'Keep Polling',
    );
    if (pick !== turnOn) return;
    await this.memento.update(ALLOWED, [...new Set([...this.memento.get<string[]>(ALLOWED, []), connection])]);
    await w.configure({ allowConfig: true });
  }

  private async reconfigure(): Promise<void> {
    const s = liveSettings();
    for (const pending of this.watchers.values()) {
      const w = await pending.catch(() => undefined);
      await w?.configure({ mode: s.mode, pollMs: s.pollMs });
    }
    for (const key of this.watchers.keys()) {
      const [connection, db] = key.split('\u0000');
      this.statusEmitter.fire({ connection, db: Number(db) });
    }
  }

  private async drop(connection: string): Promise<void> {
    for (const rec of this.watching) {
      if (rec.target.connection !== connection) continue;
      rec.handle?.dispose();
      rec.handle = undefined;
    }
    // Taken out at once: a watcher opened while these close (the connection back already) is not theirs to close.
    const going = [...this.watchers].filter(([key]) => key.startsWith(`${connection}\u0000`));
    for (const [key] of going) {
      this.watchers.delete(key);
      this.statuses.delete(key);
    }
    await Promise.all(going.map(([, pending]) => pending.then((w) => w.close(), () => undefined)));
  }
}

interface Watching {
  target: LiveTarget;
  listener: (e: WatchEvent) => void;
  spec: WatchSpec;
  paused: boolean;
  handle: KeyWatch | undefined;
  disposed: boolean;
}

function id(connection: string, db: number): string {
  return `${connection}\u0000${db}`;
}
