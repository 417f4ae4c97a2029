import { preview } from './codec';
import type { RedisConnection } from './connection';
import { RedisExplorerError, toExplorerError } from './errors';
import { fieldCount, getField } from './hashOps';
import { getTtl, keyType } from './keyOps';
import { HashPager } from './pagers';
import { RowStore, StoreFullError } from './rowStore';
import type { LoadState, StatusInfo } from '../shared/protocol';
import { sortByTtl } from './fieldTtlTable';
import { HashView } from './hashView';

/*
 * One open hash: loads it with HSCAN pages into a RowStore in the background; the table's view of it
 * (positions → rows, after filter and sort) is HashView's. No vscode here: the editor's panel and the
 * benchmark both use it.
 */

export const PAGE_COUNT = 1000;
/** HSCAN COUNT of the first pages: a screenful with margin */
export const FIRST_PAGE_COUNT = 200;
const STATUS_EVERY_MS = 100;

interface SessionEvents {
  status(status: StatusInfo): void;
  /** row contents changed (not positions) */
  invalidate(): void;
}

export interface Target {
  connection: string;
  db: number;
  key: Buffer;
}

export class HashSession extends HashView {
  gen = 0;
  load: LoadState = 'loading';
  total: number | null = null;
  match = '';
  message: string | undefined;
  exists = true;
  ttl = -1;
  /** the progress of a sort's TTL read */
  ttlRead: StatusInfo['ttlRead'];
  private pager: HashPager | undefined;
  private pageOptions: { count: number } | undefined;
  /** HLEN to size the store for, once the first page is in */
  private reserveTo = 0;
  private running: Promise<void> | undefined;
  /** this generation's TYPE/HLEN/TTL read (never rejects: a failure ends the load) */
  headerRead: Promise<void> = Promise.resolve();
  private stopAsked = false;
  /** ends a wait for the first screen early (the load was asked to stop) */
  private interrupt: (() => void) | undefined;
  private lastStatus = 0;
  private statusTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    readonly target: Target,
    private readonly connect: () => Promise<RedisConnection>,
    private readonly events: SessionEvents,
  ) {
    super();
  }

  get key(): Buffer {
    return this.target.key;
  }

  conn(): Promise<RedisConnection> {
    return this.connect();
  }

  /**
   * Starts a new generation: HSCAN pages into a new store in the background. Resolves after the first
   * page. TYPE/HLEN/TTL are read right after it (`headerRead`), so the first screen waits for one
   * round trip only. `firstShown`: the rest of the load waits after the first page until it resolves
   * (the editor: until the webview has drawn the first screen, which the load would compete with).
   * `afterChange`: it follows a change on the server, which a replica may not have yet: read on the master.
   */
  async start(match = this.match, firstShown?: Promise<void>, afterChange = false): Promise<void> {
    this.stopLoop();
    await this.running;
    this.gen++;
    this.match = match;
    // A store that never got a row is as good as new (the first start keeps the one made with the session).
    if (this.store.rowCount > 0) this.store = new RowStore();
    this.ttls.clear();
    this.pager = undefined;
    this.reserveTo = 0;
    this.message = undefined;
    this.load = 'loading';
    this.rebuildView();
    const gen = this.gen;
    // prefetch: Redis works on the next page while this one goes into the store.
    // The first pages are small so the first screen comes sooner; the loop then raises `count` (read per request).
    const options = { match: match || undefined, count: match ? PAGE_COUNT : FIRST_PAGE_COUNT, prefetch: true, browsing: !afterChange };
    let conn: RedisConnection;
    try {
      conn = await this.connect();
    } catch (err) {
      this.fail(err);
      return;
    }
    if (gen !== this.gen) return;
    this.pager = new HashPager(conn, this.key, options);
    this.pageOptions = options;
    const first = this.resume(firstShown);
    this.headerRead = this.readHeaderAfter(first, conn, gen);
    await first;
  }

  /** TYPE/HLEN/TTL once the first page is in and its caller had its turn; a failure ends the load. */
  private async readHeaderAfter(first: Promise<void>, conn: RedisConnection, gen: number): Promise<void> {
    await first;
    await nextTurn();
    if (gen !== this.gen || this.load === 'error') return;
    try {
      await this.readHeader(conn);
    } catch (err) {
      if (gen === this.gen) {
        this.stopLoop();
        this.fail(err);
      }
      return;
    }
    if (gen !== this.gen) return;
    this.reserveTo = this.total !== null && !this.match ? this.total : 0;
    this.emitStatus(true);
  }

  /** Continues loading where it stopped (same generation); resolves after the next page. */
  async resume(firstShown?: Promise<void>): Promise<void> {
    if (!this.pager || this.pager.done || this.running) return;
    this.stopAsked = false;
    this.load = 'loading';
    this.message = undefined;
    let firstPage: () => void = () => undefined;
    const first = new Promise<void>((r) => (firstPage = r));
    this.running = this.loop(this.gen, this.pager, () => firstPage(), firstShown).finally(() => {
      this.running = undefined;
      firstPage();
    });
    this.emitStatus(true);
    await first;
  }

  stopLoop(): void {
    if (!this.running) return;
    this.stopAsked = true;
    this.interrupt?.();
  }

  /** Waits for `p`, or less when the load is asked to stop meanwhile (stopLoop). */
  private async waitFor(p: Promise<void>): Promise<void> {
    await new Promise<void>((go) => {
      this.interrupt = go;
      p.then(go, go);
    });
    this.interrupt = undefined;
  }

  /** Resolves when the background load of this generation ended (done, stopped or failed) and its header was read. */
  async loaded(): Promise<void> {
    while (this.running) await this.running;
    await this.headerRead;
  }

  private async loop(gen: number, pager: HashPager, firstPage: () => void, firstShown?: Promise<void>): Promise<void> {
    let first = true;
    try {
      while (!pager.done && !this.stopAsked && gen === this.gen && !this.disposed) {
        const page = await pager.next();
        if (gen !== this.gen) return;
        if (this.pageOptions) this.pageOptions.count = PAGE_COUNT;
        // Sized for the whole hash only once the first page is shown: the first screen does not wait for it.
        if (this.reserveTo && this.store.rowCount > 0) {
          this.store.reserve(this.reserveTo);
          this.reserveTo = 0;
        }
        const before = this.store.rowCount;
        try {
          this.store.append(page.fields, page.values);
        } finally {
          this.afterAppend(before);
        }
        firstPage();
        this.emitStatus(false);
        // Between pages, whatever waits (a row request of the webview, a key typed) runs first: a page whose
        // reply is already in would otherwise follow at once. The first screen goes out before the next page
        // is asked for: its request, and Redis producing a big reply, would otherwise compete with it.
        await nextTurn();
        if (first) {
          first = false;
          // (a hash read whole in its first page is done now, without waiting)
          if (firstShown && !pager.done) await this.waitFor(firstShown);
        }
      }
      if (gen !== this.gen) return;
      // (a header that failed meanwhile has set 'error')
      if (this.load === 'loading') this.load = pager.done ? 'done' : 'stopped';
      if (pager.done) this.store.trim();
      // sorted by TTL: the rows loaded since the sort read their TTLs first
      if (this.sort?.by === 'ttl') void sortByTtl(this).catch((err: unknown) => this.ttlReadFailed(err));
      else if (this.sort) this.rebuildView();
    } catch (err) {
      if (gen !== this.gen) return;
      if (err instanceof StoreFullError) {
        this.load = 'stopped';
        this.message = `${err.message} Use a field pattern to load fewer fields.`;
        this.pager = undefined;
      } else {
        this.fail(await this.explained(err));
      }
    } finally {
      this.stopAsked = false;
      if (gen === this.gen) this.emitStatus(true);
    }
  }

  /** A sort's TTL read failed: the rows stay as they are; the status says why. */
  ttlReadFailed(err: unknown): void {
    this.message = `Could not read the field TTLs to sort by: ${toExplorerError(err).message}`;
    this.emitStatus(true);
  }

  private fail(err: unknown): void {
    this.load = 'error';
    this.message = toExplorerError(err).message;
    this.emitStatus(true);
  }

  /** HSCAN on a key of another type only says WRONGTYPE; TYPE tells which type it is. */
  private async explained(err: unknown): Promise<unknown> {
    if (!(err instanceof RedisExplorerError) || err.code !== 'WRONGTYPE') return err;
    try {
      await this.readHeader();
    } catch (typed) {
      return typed;
    }
    return err;
  }

  async readHeader(conn?: RedisConnection): Promise<void> {
    const c = conn ?? (await this.connect());
    // one round trip: the three go out together (HLEN of a key of another type fails; TYPE says why)
    const [type, n, ttl] = await Promise.all([keyType(c, this.key), fieldCount(c, this.key).catch(() => 0), getTtl(c, this.key)]);
    this.exists = type !== 'none';
    if (this.exists && type !== 'hash') throw new RedisExplorerError('WRONGTYPE', `Key "${preview(this.key, 60)}" is a ${type}, not a hash.`);
    this.total = this.exists ? n : 0;
    this.ttl = this.exists ? ttl : -2;
  }

  status(): StatusInfo {
    return {
      gen: this.gen,
      load: this.load,
      loaded: this.store.size,
      total: this.total,
      match: this.match,
      message: this.message,
      ...(this.ttlRead ? { ttlRead: { ...this.ttlRead } } : {}),
      view: { version: this.version, length: this.viewLength, filter: this.filter, sort: this.sort, ...(this.sort?.by === 'ttl' ? { ttlUnknown: this.ttlUnknown } : {}) },
    };
  }

  emitStatus(now: boolean): void {
    if (this.disposed) return;
    const due = Date.now() - this.lastStatus >= STATUS_EVERY_MS;
    if (now || due) {
      if (this.statusTimer) clearTimeout(this.statusTimer);
      this.statusTimer = undefined;
      this.lastStatus = Date.now();
      this.events.status(this.status());
    } else if (!this.statusTimer) {
      this.statusTimer = setTimeout(() => this.emitStatus(true), STATUS_EVERY_MS);
    }
  }

  // ---- keeping rows as the server has them ----

  checkGen(gen: number): void {
    if (gen !== this.gen) throw new RedisExplorerError('INVALID', 'The table was reloaded meanwhile; nothing was changed. Try again.');
  }

  liveRow(gen: number, id: number): number {
    this.checkGen(gen);
    if (id >= this.store.rowCount || this.store.isDeleted(id)) throw new RedisExplorerError('NOT_FOUND', 'That field is no longer in the table (deleted meanwhile?).');
    return id;
  }

  /** Puts the server's value of `field` into the store (null: the field is gone). Returns the row, or -1. */
  applyServerValue(field: Buffer, value: Buffer | null): number {
    if (value === null) {
      if (this.store.delete(field) >= 0) this.dropDeleted();
      return -1;
    }
    const { row, added } = this.store.set(field, value);
    if (added && this.rowsOfView) this.ensureInView(row);
    return row;
  }

  /** HGET each field and store what the server has: after a change made elsewhere, or a failed write. */
  async refetch(fields: Buffer[]): Promise<void> {
    const conn = await this.connect();
    const values = await Promise.all(fields.map((f) => getField(conn, this.key, f)));
    fields.forEach((f, i) => this.applyServerValue(f, values[i]));
    this.events.invalidate();
    this.emitStatus(true);
  }

  dispose(): void {
    this.disposed = true;
    this.stopLoop();
    if (this.statusTimer) clearTimeout(this.statusTimer);
  }
}

/** Lets callers waiting on a promise this code resolved run before it goes on (setImmediate). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
