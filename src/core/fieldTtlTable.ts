import { keyType } from './keyOps';
import type { RedisConnection } from './connection';
import { fieldTtls } from './fieldTtl';
import type { RowStore } from './rowStore';
import type { RowDto, SortSpec, StatusInfo } from '../shared/protocol';

/*
 * The field TTLs the editor has read (servers with field TTLs only; nothing here runs elsewhere).
 * One deadline per row (ms since the epoch) in a Float64Array: 8 bytes a row, allocated on first use.
 * NaN: not read yet; Infinity: no TTL. Every TTL runs down at the same rate, so deadlines read at
 * different times still sort right, and an edit can tell "expired" from "deleted" by the deadline.
 */

/** HTTL answers in whole seconds: a deadline within this much of now may already have passed on the server. */
const EXPIRY_SLACK_MS = 1500;
/** fields per HTTL of a sort's read: one bounded command each, a few in flight */
const READ_BATCH = 1000;
const READS_IN_FLIGHT = 4;

export class FieldTtlTable {
  private deadlines: Float64Array | null = null;
  /** bumped by clear() and by each sort's read, so an older read stops and drops what it got */
  private seq = 0;

  /** A new generation of rows (row numbers mean other fields now). */
  clear(): void {
    this.deadlines = null;
    this.seq++;
  }

  /** Stops a sort's read that is still running. */
  cancel(): void {
    this.seq++;
  }

  /** What HTTL said for `row` when the reply came (`at`): seconds, -1 none; -2 (gone) forgets the row. */
  record(row: number, ttl: number, at = Date.now()): void {
    const d = this.grow(row);
    d[row] = ttl >= 0 ? at + ttl * 1000 : ttl === -1 ? Infinity : NaN;
  }

  /** ms since the epoch; Infinity no TTL; NaN not read. */
  deadline(row: number): number {
    const d = this.deadlines;
    return d && row < d.length ? d[row] : NaN;
  }

  /** Whether `row` had a TTL that has run out by now (or nearly: HTTL rounds to seconds). */
  expired(row: number, now = Date.now()): boolean {
    const d = this.deadline(row);
    return Number.isFinite(d) && d <= now + EXPIRY_SLACK_MS;
  }

  /**
   * Sorts view rows by deadline in place: ascending puts the soonest expiry first and fields without a
   * TTL after them; descending the reverse. Rows not read yet come last either way. Returns their count.
   */
  sort(ids: Int32Array, descending: boolean): number {
    const known: number[] = [];
    const unknown: number[] = [];
    for (const row of ids) (Number.isNaN(this.deadline(row)) ? unknown : known).push(row);
    const keys = new Float64Array(known.length);
    known.forEach((row, i) => (keys[i] = this.deadline(row)));
    const order = new Uint32Array(known.length).map((_, i) => i);
    const sign = descending ? -1 : 1;
    // Infinity - Infinity is NaN: equal deadlines (both "no TTL") fall back to row order
    order.sort((a, b) => (keys[a] === keys[b] ? known[a] - known[b] : sign * (keys[a] < keys[b] ? -1 : 1)));
    let n = 0;
    for (const i of order) ids[n++] = known[i];
    for (const row of unknown) ids[n++] = row;
    return unknown.length;
  }

  /** Rows of `rows` whose TTL was not read. */
  unread(rows: Iterable<number>): number[] {
    const out: number[] = [];
    for (const row of rows) if (Number.isNaN(this.deadline(row))) out.push(row);
    return out;
  }

  /**
   * Reads the TTLs of `rows` with HTTL in bounded batches, a few in flight. Resolves with the rows whose
   * field is gone (-2), or null when a newer sort, a new generation or cancel() took over.
   */
  async read(conn: RedisConnection, key: Buffer, store: RowStore, rows: number[], progress: (done: number) => void): Promise<number[] | null> {
    const seq = ++this.seq;
    const gone: number[] = [];
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < rows.length && seq === this.seq) {
        const batch = rows.slice(next, next + READ_BATCH).filter((row) => !store.isDeleted(row));
        next += READ_BATCH;
        // copies: the store may move its bytes while the command waits to be written
        const ttls = await fieldTtls(conn, key, batch.map((row) => Buffer.from(store.fieldAt(row))));
        if (seq !== this.seq) return;
        const at = Date.now();
        batch.forEach((row, i) => {
          if (ttls[i] === -2) gone.push(row);
          this.record(row, ttls[i] ?? NaN, at);
        });
        done = Math.min(rows.length, done + READ_BATCH);
        progress(done);
      }
    };
    await Promise.all(Array.from({ length: READS_IN_FLIGHT }, worker));
    return seq === this.seq ? gone : null;
  }

  private grow(row: number): Float64Array {
    let d = this.deadlines;
    if (!d || row >= d.length) {
      const bigger = new Float64Array(Math.max(1024, row + 1, (d?.length ?? 0) * 2)).fill(NaN);
      if (d) bigger.set(d);
      this.deadlines = d = bigger;
    }
    return d;
  }
}

/**
 * What the TTL reads below use of the editor's session (hashSession.ts, which holds this table in its view):
 * named here, so this file does not import the session back.
 */
interface TtlReadSession {
  readonly key: Buffer;
  readonly store: RowStore;
  readonly ttls: FieldTtlTable;
  readonly gen: number;
  readonly filter: string;
  readonly sort: SortSpec | null;
  /** the progress of a sort's TTL read */
  ttlRead: StatusInfo['ttlRead'];
  conn(): Promise<RedisConnection>;
  dropDeleted(): void;
  rebuildView(): void;
  emitStatus(now: boolean): void;
}

/**
 * The TTLs of the rows on screen (one HTTL), into the rows and the table. Rows whose field is gone
 * (expired) are taken out of the store, so the next rows the webview asks for no longer have them.
 */
export async function addRowTtls(s: TtlReadSession, rows: RowDto[]): Promise<void> {
  const live = rows.filter((r) => r.id >= 0);
  if (live.length === 0) return;
  const store = s.store;
  const gen = s.gen;
  const fields = live.map((r) => Buffer.from(store.fieldAt(r.id)));
  const conn = await s.conn();
  const ttls = await fieldTtls(conn, s.key, fields);
  if (gen !== s.gen) return;
  // every field "gone": the key itself may be gone (deleted or expired); then the table keeps its rows
  // (the live status offers to recreate the key from them), without TTLs
  if (ttls.every((t) => t === -2) && (await keyType(conn, s.key)) === 'none') return;
  const at = Date.now();
  let gone = 0;
  live.forEach((r, i) => {
    const ttl = Number.isFinite(ttls[i]) ? ttls[i] : -1;
    r.ttl = ttl;
    s.ttls.record(r.id, ttl, at);
    if (ttl === -2 && s.store.delete(fields[i]) >= 0) gone++;
  });
  if (gone > 0) {
    s.dropDeleted();
    s.emitStatus(true);
  }
}

/**
 * Sorting by TTL: reads the TTLs the table lacks for the loaded rows (progress in the status), then sorts.
 * Resolves false when something newer took over (another query, a reload).
 */
export async function sortByTtl(s: TtlReadSession): Promise<boolean> {
  const store = s.store;
  const unread = s.ttls.unread(store.view({ filter: s.filter || undefined }));
  if (unread.length > 0) {
    const progress = { done: 0, total: unread.length };
    s.ttlRead = progress;
    s.emitStatus(true);
    let gone: number[] | null;
    try {
      gone = await s.ttls.read(await s.conn(), s.key, store, unread, (done) => {
        progress.done = done;
        s.emitStatus(false);
      });
    } finally {
      if (s.ttlRead === progress) s.ttlRead = undefined;
    }
    if (gone === null || store !== s.store) return false;
    for (const row of gone) store.deleteRow(row);
    if (gone.length > 0 && s.sort?.by !== 'ttl') s.dropDeleted();
  }
  if (s.sort?.by !== 'ttl') return false;
  s.rebuildView();
  s.emitStatus(true);
  return true;
}
