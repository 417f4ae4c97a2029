import { isUtf8 } from 'node:buffer';
import { preview } from './codec';
import { isUtf8Prefix, tablePreview } from './display';
import { FieldTtlTable } from './fieldTtlTable';
import { RowStore } from './rowStore';
import type { RowDto, SortSpec } from '../shared/protocol';

/*
 * The table's view of an open hash: positions → rows of its RowStore, after filter and sort, and the
 * rows as the webview gets them. HashSession adds the loading; this part sends no command.
 */
export class HashView {
  store = new RowStore();
  /** field TTLs read so far (servers with field TTLs) */
  readonly ttls = new FieldTtlTable();
  /** rows sorted by TTL whose TTL is not read yet (they come last) */
  protected ttlUnknown = 0;
  filter = '';
  sort: SortSpec | null = null;
  /** numbers in names and values sort by value (the `sortOrder` setting) */
  natural = true;
  /** null = identity over rows (no filter, no sort, no tombstones) */
  protected rowsOfView: Int32Array | null = null;
  private viewLen = 0;
  version = 0;
  private sortedAt = 0;
  private sortCost = 0;

  get viewLength(): number {
    return this.rowsOfView ? this.viewLen : this.store.rowCount;
  }

  /** The row shown at `position`, or -1. */
  rowAt(position: number): number {
    if (position < 0 || position >= this.viewLength) return -1;
    return this.rowsOfView ? this.rowsOfView[position] : position;
  }

  positionOf(row: number): number {
    if (!this.rowsOfView) return row < this.store.rowCount ? row : -1;
    return this.rowsOfView.subarray(0, this.viewLen).indexOf(row);
  }

  setQuery(filter: string, sort: SortSpec | null): void {
    this.filter = filter;
    this.sort = sort;
    this.rebuildView();
  }

  /** Rebuilds positions from the store (after a query change, a delete, or to re-sort newly loaded rows). */
  rebuildView(): void {
    const s = this.store;
    if (!this.filter && !this.sort && s.rowCount === s.size) {
      this.rowsOfView = null;
    } else {
      const started = Date.now();
      const by = this.sort?.by;
      this.rowsOfView = s.view({ filter: this.filter || undefined, sortBy: by === 'ttl' ? undefined : by, descending: this.sort?.descending, natural: this.natural });
      if (by === 'ttl') this.ttlUnknown = this.ttls.sort(this.rowsOfView, this.sort?.descending === true);
      this.viewLen = this.rowsOfView.length;
      this.sortedAt = Date.now();
      this.sortCost = this.sortedAt - started;
    }
    this.version++;
  }

  /** Takes deleted rows out of the view; the others keep their order (no re-sort). */
  dropDeleted(): void {
    if (!this.rowsOfView) {
      this.rowsOfView = this.store.view();
      this.viewLen = this.rowsOfView.length;
    } else {
      let n = 0;
      for (let i = 0; i < this.viewLen; i++) {
        const row = this.rowsOfView[i];
        if (!this.store.isDeleted(row)) this.rowsOfView[n++] = row;
      }
      this.viewLen = n;
    }
    this.version++;
  }

  /** Shows `row` at the end of the view if it is not in it (a row the user just added or looked up). */
  ensureInView(row: number): number {
    const at = this.positionOf(row);
    if (at >= 0) return at;
    this.push(Int32Array.of(row));
    return this.viewLen - 1;
  }

  private push(rows: Int32Array): void {
    if (!this.rowsOfView) {
      this.rowsOfView = this.store.view();
      this.viewLen = this.rowsOfView.length;
    }
    if (this.viewLen + rows.length > this.rowsOfView.length) {
      const grown = new Int32Array(Math.max(1024, Math.ceil((this.viewLen + rows.length) * 1.5)));
      grown.set(this.rowsOfView.subarray(0, this.viewLen));
      this.rowsOfView = grown;
    }
    this.rowsOfView.set(rows, this.viewLen);
    this.viewLen += rows.length;
  }

  /** Adds the rows appended from `before` on to the view (or re-sorts it, not too often). */
  protected afterAppend(before: number): void {
    if (!this.rowsOfView || this.store.rowCount === before) return;
    if (this.sort) {
      // Re-sorting on every page would cost O(n log n) each time: re-sort at most every few sort-durations.
      if (this.store.rowCount < 50_000 || Date.now() - this.sortedAt > Math.max(1000, this.sortCost * 5)) this.rebuildView();
      return;
    }
    this.push(this.store.view({ filter: this.filter || undefined, fromRow: before }));
  }

  // ---- rows for the webview ----

  rows(start: number, count: number): RowDto[] {
    const out: RowDto[] = [];
    const end = Math.min(this.viewLength, start + count);
    for (let p = start; p < end; p++) {
      const row = this.rowAt(p);
      if (row >= 0 && !this.store.isDeleted(row)) out.push(this.dto(row));
      else out.push({ id: -1, field: '', fieldBinary: false, value: '(deleted)', valueBinary: false, length: 0, truncated: false });
    }
    return out;
  }

  dto(row: number): RowDto {
    const s = this.store;
    const field = s.fieldAt(row);
    const value = s.valueAt(row);
    const truncated = s.isTruncated(row);
    return {
      id: row,
      field: preview(field, 500),
      fieldBinary: !isUtf8(field),
      value: tablePreview(value, 500),
      valueBinary: !(truncated ? isUtf8Prefix(value) : isUtf8(value)),
      length: s.valueLengthAt(row),
      truncated,
    };
  }
}
