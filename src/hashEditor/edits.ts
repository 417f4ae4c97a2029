import { fromDisplay, preview } from '../core/codec';
import { RedisExplorerError } from '../core/errors';
import { removeFieldTtl, setFieldTtl } from '../core/fieldTtl';
import { addField, compareAndSet, deleteFields, getField, renameField } from '../core/hashOps';
import { removeTtl, setTtl } from '../core/keyOps';
import { fieldRenamed, fieldSet, settle } from '../core/settle';
import type { CellDetail, DisplayValue, RowDto, WriteResult } from '../shared/protocol';
import type { HashSession } from '../core/hashSession';
import { displayOf } from '../core/display';

/*
 * Writes from the table. Each one is compare-and-set against the bytes the row showed (the store has them;
 * for a value held only as a prefix, the full value fetched when the user chose "show all"). A conflict
 * puts the server's value into the row and returns a token: resolving it overwrites that value, still
 * compare-and-set. A failed write re-reads the field so the row shows what the server has.
 */

interface PendingWrite {
  field: Buffer;
  /** the server value the user was shown with the conflict (null: absent) */
  expected: Buffer | null;
  /** add with a TTL that met an existing field: the overwrite gives the field this TTL too */
  ttl?: number;
}

const MAX_TOKENS = 100;
const MAX_FULL_VALUES = 3;

export class HashEdits {
  private readonly tokens = new Map<number, PendingWrite>();
  private nextToken = 1;
  /** full values fetched for rows held as a prefix, by row (few: each may be many MB) */
  private readonly fullValues = new Map<number, { gen: number; value: Buffer }>();

  constructor(
    private readonly s: HashSession,
    /** a write succeeded: tell the rest of the extension which fields changed */
    private readonly written: (fields: Buffer[]) => void,
  ) {}

  async detail(gen: number, id: number, full: boolean): Promise<CellDetail> {
    const row = this.s.liveRow(gen, id);
    const st = this.s.store;
    const field = Buffer.from(st.fieldAt(row));
    if (st.isTruncated(row) && full) {
      const value = await this.fullValue(gen, row);
      return { field: displayOf(field, false), value: displayOf(value, false), length: value.length, truncated: false };
    }
    const truncated = st.isTruncated(row);
    return { field: displayOf(field, false), value: displayOf(st.valueAt(row), truncated), length: st.valueLengthAt(row), truncated };
  }

  /** The whole value of a row: from the store, or HGET when only a prefix is held. */
  async fullValue(gen: number, id: number): Promise<Buffer> {
    const row = this.s.liveRow(gen, id);
    const st = this.s.store;
    if (!st.isTruncated(row)) return Buffer.from(st.valueAt(row));
    const field = Buffer.from(st.fieldAt(row));
    const value = await getField(await this.s.conn(), this.s.key, field);
    if (value === null) {
      this.s.applyServerValue(field, null);
      throw new RedisExplorerError('NOT_FOUND', 'That field was deleted on the server meanwhile.');
    }
    this.s.applyServerValue(field, value);
    this.fullValues.delete(row);
    this.fullValues.set(row, { gen, value });
    if (this.fullValues.size > MAX_FULL_VALUES) this.fullValues.delete(this.fullValues.keys().next().value as number);
    return value;
  }

  async edit(gen: number, id: number, value: DisplayValue): Promise<WriteResult> {
    const row = this.s.liveRow(gen, id);
    const st = this.s.store;
    const field = Buffer.from(st.fieldAt(row));
    let expected: Buffer;
    if (st.isTruncated(row)) {
      const full = this.fullValues.get(row);
      if (!full || full.gen !== gen) throw new RedisExplorerError('INVALID', 'Load the whole value ("Show all") before editing it.');
      expected = full.value;
    } else {
      expected = Buffer.from(st.valueAt(row));
    }
    const next = bytesOf(value, 'value');
    if (next.equals(expected)) return { status: 'noop' };
    return this.write(field, expected, next);
  }

  async resolve(token: number, value: DisplayValue): Promise<WriteResult> {
    const pending = this.tokens.get(token);
    if (!pending) throw new RedisExplorerError('INVALID', 'That choice is no longer valid; reload and edit again.');
    this.tokens.delete(token);
    const next = bytesOf(value, 'value');
    const ttl = pending.ttl ?? 0;
    const same = pending.expected !== null && next.equals(pending.expected);
    if (same && ttl <= 0) return { status: 'noop' };
    const r: WriteResult = same ? { status: 'ok' } : await this.write(pending.field, pending.expected, next);
    if (r.status === 'ok' && ttl > 0) await this.ttlAfterOverwrite(pending.field, ttl);
    return r;
  }

  /** Adds a field (with a TTL when `ttl` > 0, in the same atomic step); an existing name gets a token to overwrite it. */
  async add(fieldText: DisplayValue, valueText: DisplayValue, ttl = 0): Promise<WriteResult> {
    const field = bytesOf(fieldText, 'field name');
    const value = bytesOf(valueText, 'value');
    const conn = await this.s.conn();
    try {
      await addField(conn, this.s.key, field, value, true, ttl > 0 ? ttl : 0);
    } catch (err) {
      if (!(err instanceof RedisExplorerError && err.code === 'EXISTS')) throw err;
      const current = await getField(conn, this.s.key, field);
      this.s.applyServerValue(field, current);
      if (current === null) return this.add(fieldText, valueText, ttl);
      return { status: 'exists', token: this.remember({ field, expected: current, ttl }), ...boundedServerValue(current, this.s.store.maxValueLength) };
    }
    const row = this.s.applyServerValue(field, value);
    this.s.ensureInView(row);
    if (ttl > 0) this.s.ttls.record(row, ttl);
    this.written([field]);
    return { status: 'ok' };
  }

  /**
   * Sets (seconds > 0) or removes (0, -1) the TTL of a row's field; resolves with the TTL the field has now.
   * A field that is gone meanwhile leaves the table.
   */
  async setFieldTtl(gen: number, id: number, ttl: number): Promise<{ ttl: number }> {
    const row = this.s.liveRow(gen, id);
    const field = Buffer.from(this.s.store.fieldAt(row));
    const conn = await this.s.conn();
    try {
      if (ttl > 0) await setFieldTtl(conn, this.s.key, field, ttl);
      else await removeFieldTtl(conn, this.s.key, field);
    } catch (err) {
      if (!(err instanceof RedisExplorerError && err.code === 'NOT_FOUND')) throw err;
      throw this.gone(row, field);
    }
    const now = ttl > 0 ? ttl : -1;
    this.s.ttls.record(row, now);
    this.written([field]);
    return { ttl: now };
  }

  /** The field of `row` is not on the server: the row leaves the table, and the error says why. */
  private gone(row: number, field: Buffer, what = 'nothing was changed'): RedisExplorerError {
    const expired = this.s.ttls.expired(row);
    this.s.applyServerValue(field, null);
    return new RedisExplorerError(
      'NOT_FOUND',
      expired
        ? `Field "${preview(field, 60)}" expired on the server (its TTL ran out); ${what}.`
        : `Field "${preview(field, 60)}" no longer exists on the server (deleted meanwhile?); ${what}.`,
    );
  }

  /** The value was overwritten; the TTL typed with the add goes on the field too (a second step). */
  private async ttlAfterOverwrite(field: Buffer, ttl: number): Promise<void> {
    try {
      await setFieldTtl(await this.s.conn(), this.s.key, field, ttl);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new RedisExplorerError('UNKNOWN', `The value of "${preview(field, 60)}" was written, but its TTL was not set: ${why}`);
    }
    const row = this.s.store.indexOf(field);
    if (row >= 0) this.s.ttls.record(row, ttl);
  }

  async rename(gen: number, id: number, newName: DisplayValue): Promise<WriteResult> {
    const row = this.s.liveRow(gen, id);
    const field = Buffer.from(this.s.store.fieldAt(row));
    const to = bytesOf(newName, 'field name');
    if (to.equals(field)) return { status: 'noop' };
    const conn = await this.s.conn();
    try {
      // An answer lost to a timeout or a dropped connection is checked: a rename that was applied succeeds.
      await renameField(conn, this.s.key, field, to).catch((err: unknown) => settle(conn, err, 'rename', fieldRenamed(conn, this.s.key, field, to)));
    } catch (err) {
      if (err instanceof RedisExplorerError && err.code === 'NOT_FOUND' && this.s.ttls.expired(row)) throw this.gone(row, field, 'nothing was renamed');
      await this.s.refetch([field, to]).catch(() => undefined);
      throw err;
    }
    if (this.s.store.indexOf(to) >= 0) this.s.store.delete(to);
    this.s.store.rename(field, to);
    // the value that moved is the server's: read it so the row shows exactly that
    this.s.applyServerValue(to, await getField(conn, this.s.key, to));
    this.written([field, to]);
    return { status: 'ok' };
  }

  /** Deletes the rows' fields after `confirm` agreed; returns how many the server removed. */
  async delete(gen: number, ids: number[], confirm: (names: Buffer[]) => Promise<boolean>): Promise<{ deleted: number; cancelled: boolean }> {
    this.s.checkGen(gen);
    const st = this.s.store;
    const fields = [...new Set(ids)].filter((id) => id < st.rowCount && !st.isDeleted(id)).map((id) => Buffer.from(st.fieldAt(id)));
    if (fields.length === 0) throw new RedisExplorerError('NOT_FOUND', 'Those fields are no longer in the table.');
    const conn = await this.s.conn();
    conn.assertWritable();
    if (!(await confirm(fields))) return { deleted: 0, cancelled: true };
    let deleted: number;
    try {
      deleted = await deleteFields(conn, this.s.key, fields);
    } catch (err) {
      await this.s.refetch(fields).catch(() => undefined);
      throw err;
    }
    for (const f of fields) st.delete(f);
    this.s.dropDeleted();
    this.written(fields);
    return { deleted, cancelled: false };
  }

  /** HGET: exact lookup on a hash of any size. The row is shown (added at the end when it was not loaded). */
  async lookup(fieldText: DisplayValue): Promise<{ found: false } | { found: true; position: number; row: RowDto }> {
    const field = bytesOf(fieldText, 'field name');
    const value = await getField(await this.s.conn(), this.s.key, field);
    const row = this.s.applyServerValue(field, value);
    if (row < 0) return { found: false };
    return { found: true, position: this.s.ensureInView(row), row: this.s.dto(row) };
  }

  async setTtl(ttl: number): Promise<WriteResult> {
    const conn = await this.s.conn();
    if (ttl > 0) await setTtl(conn, this.s.key, ttl);
    else await removeTtl(conn, this.s.key);
    await this.s.readHeader(conn);
    return { status: 'ok' };
  }

  /** Compare-and-set of `next` against `expected` (bytes the user saw, e.g. under a decoded form). */
  writeBytes(field: Buffer, expected: Buffer, next: Buffer): Promise<WriteResult> {
    return this.write(field, expected, next);
  }

  /** Compare-and-set of one field; on a conflict the row takes the server's value and a token is returned. */
  private async write(field: Buffer, expected: Buffer | null, next: Buffer): Promise<WriteResult> {
    const conn = await this.s.conn();
    let r: Awaited<ReturnType<typeof compareAndSet>>;
    try {
      r = await compareAndSet(conn, this.s.key, field, expected, next).catch(async (err: unknown) => {
        await settle(conn, err, 'change', fieldSet(conn, this.s.key, field, expected, next));
        return { ok: true } as const;
      });
    } catch (err) {
      await this.s.refetch([field]).catch(() => undefined);
      throw err;
    }
    if (!r.ok) {
      // absent now, and its TTL had run out: it expired (not a conflict to resolve)
      const row = this.s.store.indexOf(field);
      if (r.current === null && expected !== null && row >= 0 && this.s.ttls.expired(row)) throw this.gone(row, field, 'nothing was written');
      this.s.applyServerValue(field, r.current);
      const token = this.remember({ field, expected: r.current });
      if (r.current === null) return { status: 'conflict', token, current: null, length: 0, truncated: false };
      return { status: 'conflict', token, ...boundedServerValue(r.current, this.s.store.maxValueLength) };
    }
    const row = this.s.applyServerValue(field, next);
    if (this.s.store.isTruncated(row)) this.fullValues.set(row, { gen: this.s.gen, value: next });
    else this.fullValues.delete(row);
    this.written([field]);
    return { status: 'ok' };
  }

  private remember(p: PendingWrite): number {
    const token = this.nextToken++;
    this.tokens.set(token, p);
    if (this.tokens.size > MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value as number);
    return token;
  }
}

function bytesOf(d: DisplayValue, what: string): Buffer {
  try {
    return fromDisplay(d);
  } catch (err) {
    throw new RedisExplorerError('INVALID', `The ${what} is not valid: ${(err as Error).message} Nothing was written.`);
  }
}

function boundedServerValue(value: Buffer, max: number): { current: DisplayValue; length: number; truncated: boolean } {
  const truncated = value.length > max;
  return { current: displayOf(truncated ? value.subarray(0, max) : value, truncated), length: value.length, truncated };
}
