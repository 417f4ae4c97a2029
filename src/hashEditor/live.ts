import { toExplorerError } from '../core/errors';
import { getFields } from '../core/hashOps';
import { HashPager } from '../core/pagers';
import type { WatchEvent } from '../core/watch';
import type { LiveUpdates, LiveWatch } from '../connections/live';
import { log } from '../log';
import type { LiveInfo } from '../shared/live';
import type { HashSession } from '../core/hashSession';

/** Visible rows re-read per change at most (a screenful with margin). */
const VISIBLE_MAX = 200;
/** Up to this many fields, fields that came or went beyond the screen are found with a fresh HSCAN. */
const FULL_SYNC_MAX = 20_000;

interface LiveHost {
  readonly session: HashSession;
  /** re-reads TYPE/HLEN/TTL and posts the header */
  refreshHeader(reread?: boolean): Promise<void>;
  /** rows whose value changed on the server (`held`: a row being edited, left as the user saw it) */
  postLive(info: LiveInfo, changed: number[], held: number[]): void;
}

/**
 * Keeps one open hash editor in step with the server: after a change it re-reads the header and the
 * visible rows (not the whole hash), takes fields that came or went (a fresh HSCAN for hashes up to
 * FULL_SYNC_MAX fields), and leaves a row being edited as the user saw it (its save meets the conflict
 * check against that value).
 */
export class EditorLive {
  private readonly watch: LiveWatch;
  private start = 0;
  private count = 0;
  private readonly held = new Set<number>();
  /** held rows the server changed meanwhile: read again once the user lets go of them */
  private readonly stale = new Set<number>();
  private running: Promise<void> | undefined;
  private again: WatchEvent['kind'] | undefined;
  private disposed = false;

  constructor(
    private readonly host: LiveHost,
    private readonly live: LiveUpdates,
    target: { connection: string; db: number; key: Buffer },
  ) {
    this.watch = live.watch(target, (e) => this.onEvent(e));
  }

  info(): LiveInfo {
    const s = this.watch.status();
    return { state: s.state, label: s.label, inStepAt: s.inStepAt, detail: s.detail, pausedHere: this.watch.paused, pausedEverywhere: this.live.paused };
  }

  /** The rows the webview asked for last (what is on screen). */
  visible(start: number, count: number): void {
    this.start = start;
    this.count = Math.min(count, VISIBLE_MAX);
    this.watch.update({ fields: this.visibleRows().map((r) => Buffer.from(this.host.session.store.fieldAt(r))) });
  }

  /** The row the user is editing in the table (null: none): it is not changed under them. */
  editing(id: number | null): void {
    const released = [...this.held].some((row) => row !== id && this.stale.has(row));
    this.held.clear();
    this.stale.clear();
    if (id !== null) this.held.add(id);
    // a row let go of that changed meanwhile shows the server's value now (not while paused)
    if (released && !this.watch.paused && !this.live.paused) this.onEvent({ kind: 'changed', key: this.watch.key });
  }

  setPaused(paused: boolean): void {
    if (paused) this.watch.pause();
    else this.watch.resume();
  }

  /** Resolves once the sync under way (if any) is done. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  dispose(): void {
    this.disposed = true;
    this.watch.dispose();
  }

  private onEvent(e: WatchEvent): void {
    // paused here: nothing more is taken (a sync queued before the pause included; resuming re-reads)
    if (this.disposed || this.watch.paused) return;
    // one sync at a time; events meanwhile make one more (a 'resync' wins)
    if (this.running) {
      this.again = this.again === 'resync' || e.kind === 'resync' ? 'resync' : e.kind;
      return;
    }
    this.running = this.sync(e.kind)
      .catch((err: unknown) => log.warn(`hash editor: following a change on the server failed: ${toExplorerError(err).message}`))
      .finally(() => {
        this.running = undefined;
        const next = this.again;
        this.again = undefined;
        if (next && !this.disposed) this.onEvent({ kind: next, key: this.watch.key } as WatchEvent);
      });
  }

  private visibleRows(): number[] {
    const s = this.host.session;
    const rows: number[] = [];
    for (let p = this.start; p < this.start + this.count; p++) {
      const row = s.rowAt(p);
      if (row >= 0 && !s.store.isDeleted(row)) rows.push(row);
    }
    return rows;
  }

  private async sync(kind: WatchEvent['kind']): Promise<void> {
    const s = this.host.session;
    if (s.load === 'error') return this.host.refreshHeader(true);
    await this.host.refreshHeader(true);
    if (!s.exists || kind === 'deleted') {
      this.host.postLive(this.info(), [], []);
      return;
    }
    const conn = await s.conn();
    const changed: number[] = [];
    const held: number[] = [];
    const take = (field: Buffer, value: Buffer | null, row: number) => {
      if (row >= 0 && this.held.has(row)) {
        if (!sameAs(s, row, value)) {
          held.push(row);
          this.stale.add(row);
        }
        return;
      }
      if (row >= 0 && sameAs(s, row, value)) return;
      const at = s.applyServerValue(field, value);
      if (at >= 0) changed.push(at);
    };
    const rows = this.visibleRows();
    const gen = s.gen;
    const fields = rows.map((r) => Buffer.from(s.store.fieldAt(r)));
    const values = fields.length ? await getFields(conn, s.key, fields) : [];
    if (gen !== s.gen || this.watch.paused) return;
    // fields gone: the key may be gone as a whole (deleted after the header was read): then the table keeps its rows
    if (values.some((v) => v === null)) {
      await this.host.refreshHeader(true);
      if (!s.exists) {
        this.host.postLive(this.info(), [], []);
        return;
      }
    }
    fields.forEach((f, i) => take(f, values[i], rows[i]));
    // Fields that came or went elsewhere in the hash: HLEN says so; a small hash loaded whole is read again.
    const whole = s.load === 'done' && !s.match;
    if (whole && s.total !== null && (s.total !== s.store.size || kind === 'resync') && s.total <= FULL_SYNC_MAX) {
      const seen = new Set<string>();
      const pager = new HashPager(conn, s.key, { count: 1000 });
      while (!pager.done) {
        const page = await pager.next();
        if (gen !== s.gen) return;
        page.fields.forEach((f, i) => {
          seen.add(f.toString('latin1'));
          take(f, page.values[i], s.store.indexOf(f));
        });
      }
      // nothing at all: the key was deleted after its header was read (the table keeps its rows)
      if (seen.size === 0) {
        await this.host.refreshHeader(true);
        if (!s.exists) return this.host.postLive(this.info(), changed, held);
      }
      for (let row = 0; row < s.store.rowCount; row++) {
        if (s.store.isDeleted(row) || this.held.has(row)) continue;
        const f = Buffer.from(s.store.fieldAt(row));
        if (!seen.has(f.toString('latin1'))) s.applyServerValue(f, null);
      }
    }
    if (s.sort) s.rebuildView();
    s.emitStatus(true);
    this.host.postLive(this.info(), changed, held);
  }
}

/** Whether the row already shows `value` (a row held as a prefix: same length and prefix). */
function sameAs(s: HashSession, row: number, value: Buffer | null): boolean {
  if (value === null) return false;
  const shown = s.store.valueAt(row);
  if (s.store.isTruncated(row)) return s.store.valueLengthAt(row) === value.length && value.subarray(0, shown.length).equals(shown);
  return shown.equals(value);
}
