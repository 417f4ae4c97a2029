import { globMatches } from '../shared/glob';
import { IdSet } from '../shared/idSet';
import type { RowDto } from '../shared/protocol';
import type { RowCache } from './rowCache';

/*
 * What the table has selected: rows by row id (a field's identity in this store generation, so a sort, a
 * filter or rows arriving change nothing), or every field of the hash matching a pattern. Clicks and keys
 * change it through `move`; the grid draws it through `shows`.
 */

const utf8 = new TextEncoder();

/** Every field of the whole hash matching a pattern, counted on the server (not rows of the table). */
export interface PatternSelection {
  match: string;
  count: number;
}

export class RowSelection {
  readonly ids = new IdSet();
  /** or: the pattern's fields (exclusive with `ids`); loaded rows that match show as selected */
  pattern: PatternSelection | null = null;
  private patternBytes = new Uint8Array(0);
  /** the position a Shift range starts from */
  anchor = -1;

  constructor(
    private readonly cache: RowCache,
    /** the row ids at view positions [start, end), for a range over rows this page has not fetched */
    private readonly rangeIds: (start: number, end: number) => Promise<IdSet | undefined>,
    /** the cursor's position now (a range that came late is dropped when it moved) */
    private readonly cursor: () => number,
    private readonly changed: () => void,
  ) {}

  clear(): void {
    this.ids.clear();
    this.pattern = null;
  }

  /** Replaces the selection with these rows or with a pattern. */
  set(ids: IdSet | null, pattern: PatternSelection | null): void {
    this.ids.clear();
    if (ids) this.ids.addAll(ids);
    this.pattern = pattern;
    this.patternBytes = utf8.encode(pattern?.match ?? '');
  }

  /** Whether the row at `pos` shows as selected: chosen, among the pattern's fields, or the cursor row of no selection. */
  shows(r: RowDto | undefined, pos: number): boolean {
    if (!r) return false;
    if (this.ids.has(r.id) || this.matches(r)) return true;
    return this.ids.size === 0 && !this.pattern && pos === this.cursor();
  }

  /** A loaded row among the pattern's fields (a name shown escaped is not its bytes: left unmarked). */
  private matches(r: RowDto): boolean {
    return this.pattern !== null && r.id >= 0 && !r.fieldBinary && globMatches(this.patternBytes, utf8.encode(r.field));
  }

  /** The cursor goes to `pos`: Shift extends a range from the anchor, Ctrl/Cmd adds or removes the row, else it is the only one. */
  move(pos: number, extend: boolean, toggle: boolean): void {
    this.pattern = null;
    if (extend && this.anchor >= 0) {
      this.ids.clear();
      const [a, b] = this.anchor < pos ? [this.anchor, pos] : [pos, this.anchor];
      let missing = false;
      for (let p = a; p <= b; p++) {
        const rr = this.cache.get(p);
        if (rr && rr.id >= 0) this.ids.add(rr.id);
        else missing = true;
      }
      if (missing) this.fillRange(a, b + 1, pos);
      return;
    }
    if (toggle) {
      const r = this.cache.get(pos);
      if (r && r.id >= 0) {
        const cursor = this.cursor();
        if (this.ids.size === 0 && cursor >= 0) {
          const cur = this.cache.get(cursor);
          if (cur && cur.id >= 0) this.ids.add(cur.id);
        }
        if (this.ids.has(r.id)) this.ids.delete(r.id);
        else this.ids.add(r.id);
      }
    } else {
      this.ids.clear();
    }
    this.anchor = pos;
  }

  /** A Shift range over rows not fetched here: their ids come from the extension, if the range is still the one asked for. */
  private fillRange(start: number, end: number, cursor: number): void {
    const anchor = this.anchor;
    void this.rangeIds(start, end).then((ids) => {
      if (!ids || this.anchor !== anchor || this.cursor() !== cursor) return;
      this.ids.addAll(ids);
      this.changed();
    });
  }
}
