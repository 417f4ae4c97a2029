import type { IdSet } from '../shared/idSet';
import type { RowDto, SortBy, SortSpec } from '../shared/protocol';
import { formatBytes } from '../shared/format';
import { el, setText } from './dom';
import type { RowCache } from './rowCache';
import type { PatternSelection } from './rowSelection';
import { RowSelection } from './rowSelection';
import type { GridActions, KeyGrid } from './gridKeys';
import { onGridKey } from './gridKeys';
import { makeResizable } from './gridResize';
import { VerticalScroll } from './scroller';
import { ttlCell } from './ttlColumn';

/*
 * The table: a fixed-row-height virtual grid. The DOM holds only the rows on screen plus a small margin;
 * a spacer gives the scrollbar its length (scaled past a few million pixels: scroller.ts). ARIA grid semantics:
 * aria-rowcount is the whole view.
 */

const ROW_HEIGHT = 24;
const OVERSCAN = 8;

export class Grid {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly headers: Record<SortBy, HTMLElement>;
  private readonly scroll: VerticalScroll;
  /** the pointer's height over the table body (px from its top), -1 when it is elsewhere */
  private pointerY = -1;
  private length = 0;
  private showTtl = false;
  /** the TTL countdown, running while the column is shown */
  private ticker = 0;
  private readonly rowEls = new Map<number, HTMLElement>();
  private readonly pool: HTMLElement[] = [];
  private frame = 0;
  /** position of the focused row, -1 none */
  cursor = -1;
  private readonly selection: RowSelection;
  /** a row being edited in place is left alone by rendering */
  pinned = -1;

  constructor(
    private readonly cache: RowCache,
    private readonly actions: GridActions,
  ) {
    this.selection = new RowSelection(cache, (start, end) => actions.rangeIds(start, end), () => this.cursor, () => {
      actions.selectionChanged();
      this.schedule();
    });
    this.headers = { field: this.headerCell('Field', 'field'), value: this.headerCell('Value', 'value'), ttl: this.headerCell('TTL', 'ttl') };
    this.headers.ttl.title = 'Field TTL: time left. Sort: soonest first. T on a row sets it.';
    const headerRow = el('div', { class: 'row header-row', role: 'row', 'aria-rowindex': 1 }, this.headers.field, this.headers.value, this.headers.ttl);
    this.spacer = el('div', { class: 'spacer', role: 'presentation' });
    this.body = el('div', { class: 'grid-body', role: 'rowgroup', tabindex: 0, 'aria-label': 'Fields' }, this.spacer);
    this.element = el(
      'div',
      { class: 'grid', role: 'grid', 'aria-label': 'Hash fields', 'aria-multiselectable': 'true', 'aria-rowcount': 1, 'aria-colcount': 2 },
      el('div', { class: 'grid-header', role: 'rowgroup' }, headerRow),
      this.body,
    );
    this.scroll = new VerticalScroll(this.body, this.spacer, ROW_HEIGHT);
    this.body.addEventListener('scroll', () => {
      this.scroll.onScroll();
      this.schedule();
    });
    this.body.addEventListener('pointermove', (e) => (this.pointerY = e.clientY - this.body.getBoundingClientRect().top));
    this.body.addEventListener('pointerleave', () => (this.pointerY = -1));
    const keys: KeyGrid = {
      cursor: () => this.cursor,
      length: () => this.length,
      pageRows: () => Math.max(1, Math.floor(this.body.clientHeight / ROW_HEIGHT) - 1),
      ttlShown: () => this.showTtl,
      hasSelection: () => this.selected.size > 0 || this.pattern !== null,
      moveCursor: (pos, extend, toggle) => this.moveCursor(pos, extend, toggle),
      clearSelection: () => {
        this.resetSelection();
        this.schedule();
      },
      rowAtCursor: () => this.rowAtCursor(),
      menuAtCursor: () => this.menuAtCursor(),
    };
    this.body.addEventListener('keydown', (e) => onGridKey(e, keys, actions));
    this.body.addEventListener('click', (e) => this.onClick(e));
    this.body.addEventListener('dblclick', (e) => this.onDoubleClick(e));
    this.body.addEventListener('contextmenu', (e) => this.onContextMenu(e));
    // the value pane opening under the table shrinks it: a cursor row that was in view stays in view (one that
    // was not is not scrolled to: a line above the table coming or going must not move the table away)
    let height = 0;
    new ResizeObserver(() => {
      const top = this.scroll.offset;
      const shown = this.cursor >= 0 && this.cursor * ROW_HEIGHT >= top && (this.cursor + 1) * ROW_HEIGHT <= top + height;
      height = this.body.clientHeight;
      this.scroll.resized();
      if (shown) this.keepInView(this.cursor);
      this.flush();
    }).observe(this.body);
    this.setTtlColumn(false);
  }

  /**
   * Puts an editor (`input`) into a cell of the row at `pos`, keeping that row as it is while the table
   * refreshes around it. Returns the function that takes it out again (once; later calls do nothing).
   */
  editInCell(pos: number, cell: HTMLElement, input: HTMLElement): () => void {
    this.pinned = pos;
    cell.classList.add('editing');
    cell.append(input);
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      input.remove();
      cell.classList.remove('editing');
      this.pinned = -1;
      this.schedule();
      this.focus();
    };
  }

  focus(): void {
    this.body.focus();
  }

  /** The view's length; `place`: a row to put `y` px below the screen's top (an anchor's new place, see anchorRow). */
  setLength(length: number, place?: { position: number; y: number }): void {
    this.length = length;
    this.element.setAttribute('aria-rowcount', String(length + 1));
    this.scroll.setLength(length);
    if (place) this.scroll.scrollTo(place.position * ROW_HEIGHT - place.y);
    if (this.cursor >= length) this.cursor = length - 1;
    // now, not next frame: scrollTop may have moved to keep the rows in place, and rows drawn for the old one
    // would be off by that much until then
    this.flush();
  }

  setTtlColumn(show: boolean): void {
    this.showTtl = show;
    this.headers.ttl.hidden = !show;
    this.element.classList.toggle('with-ttl', show);
    this.element.setAttribute('aria-colcount', show ? '3' : '2');
    if (show && !this.ticker) this.ticker = window.setInterval(() => this.tick(), 1000);
    if (!show && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = 0;
    }
    this.schedule();
  }

  /** Once a second: the TTL cells on screen count down; a TTL that ran out has its rows asked for again. */
  private tick(): void {
    const now = Date.now();
    let due = false;
    for (const [pos, rowEl] of this.rowEls) {
      if (pos === this.pinned) continue;
      due = this.fillTtl(rowEl.children[2] as HTMLElement, pos, now) || due;
    }
    if (due) {
      this.cache.invalidate();
      this.schedule();
    }
  }

  /** Writes a row's TTL cell; true when its TTL ran out and the row should be fetched again. */
  private fillTtl(cell: HTMLElement, pos: number, now: number): boolean {
    const c = ttlCell(this.cache.get(pos), this.cache.receivedAt(pos), now);
    setText(cell.firstChild as Element, c.text);
    if (cell.dataset.state !== c.state) cell.dataset.state = c.state;
    return c.due;
  }

  setSort(sort: SortSpec | null): void {
    for (const by of ['field', 'value', 'ttl'] as const) {
      const h = this.headers[by];
      const on = sort?.by === by;
      h.setAttribute('aria-sort', on ? (sort.descending ? 'descending' : 'ascending') : 'none');
      const ic = h.querySelector('.sort-icon');
      if (ic) ic.className = `sort-icon codicon ${on ? (sort.descending ? 'codicon-arrow-down' : 'codicon-arrow-up') : ''}`;
    }
  }

  /** A new store generation (refresh, pattern): row ids mean other fields now. */
  resetSelection(): void {
    this.selection.clear();
    this.selection.anchor = this.cursor;
    this.actions.selectionChanged();
  }

  /** Sorted, filtered or rows arrived: positions moved, the selected rows (by id) stay selected. */
  viewChanged(): void {
    this.selection.anchor = this.cursor;
    this.schedule();
  }

  /** Replaces the selection with these rows (Select all loaded) or with a pattern over the whole hash. */
  setSelection(ids: IdSet | null, pattern: PatternSelection | null = null): void {
    this.selection.set(ids, pattern);
    this.actions.selectionChanged();
    this.schedule();
  }

  rowAtCursor(): RowDto | undefined {
    return this.cursor >= 0 ? this.cache.get(this.cursor) : undefined;
  }

  /** the selected rows by row id (a field's identity in this store generation), not by position */
  get selected(): IdSet {
    return this.selection.ids;
  }

  /** or every field matching a pattern */
  get pattern(): PatternSelection | null {
    return this.selection.pattern;
  }

  /** Row ids of the selection (the cursor row when nothing is selected). */
  selectedIds(): number[] {
    if (this.selected.size > 0) return [...this.selected.ids()];
    const r = this.rowAtCursor();
    return r && r.id >= 0 ? [r.id] : [];
  }

  /** Moves the cursor to `position`, selects it alone and scrolls it into view. */
  select(position: number): void {
    this.moveCursor(position, false, false);
  }

  /** The element of the row at `position` if it is rendered. */
  rowElement(position: number): HTMLElement | undefined {
    return this.rowEls.get(position);
  }

  /** Renders at once instead of on the next frame (the first screen, whose rows came with init). */
  flush(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.render();
  }

  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private headerCell(label: string, by: SortBy): HTMLElement {
    const resizer = el('div', { class: 'resizer', role: 'separator', 'aria-orientation': 'vertical', 'aria-label': `Resize ${label} column`, tabindex: 0 });
    const cell = el(
      'div',
      { class: `cell ${by}`, role: 'columnheader', 'aria-sort': 'none' },
      el('button', { type: 'button', class: 'sort-button', title: `Sort by ${label.toLowerCase()}` }, el('span', { text: label }), el('span', { class: 'sort-icon codicon', 'aria-hidden': 'true' })),
    );
    cell.querySelector('button')?.addEventListener('click', () => this.actions.sort(by));
    if (by === 'field') {
      cell.append(resizer);
      makeResizable(resizer, this.element, () => this.headers.field.getBoundingClientRect().width);
    }
    return cell;
  }

  /**
   * The row that should stay where it is on screen when positions change under it (a sorted view re-sorted as
   * rows arrive): the one under the pointer, else the top one; with its distance from the screen's top.
   */
  anchorRow(): { position: number; id: number; y: number } | undefined {
    const y = this.pointerY >= 0 ? this.pointerY : 0;
    const position = Math.floor((this.scroll.offset + y) / ROW_HEIGHT);
    const row = this.cache.get(position);
    return row && row.id >= 0 ? { position, id: row.id, y: position * ROW_HEIGHT - this.scroll.offset } : undefined;
  }

  private render(): void {
    const vh = this.body.clientHeight;
    const top = this.scroll.offset;
    const st = this.body.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.length, Math.ceil((top + vh) / ROW_HEIGHT) + OVERSCAN);
    this.cache.want(first, last);
    for (const [pos, rowEl] of this.rowEls) {
      if (pos >= first && pos < last) continue;
      if (pos === this.pinned) continue;
      this.rowEls.delete(pos);
      rowEl.remove();
      this.pool.push(rowEl);
    }
    for (let pos = first; pos < last; pos++) {
      let rowEl = this.rowEls.get(pos);
      if (!rowEl) {
        rowEl = this.pool.pop() ?? this.newRow();
        this.rowEls.set(pos, rowEl);
        this.spacer.append(rowEl);
      }
      rowEl.style.transform = `translateY(${st + pos * ROW_HEIGHT - top}px)`;
      if (pos !== this.pinned) this.fill(rowEl, pos);
    }
    this.body.setAttribute('aria-activedescendant', this.cursor >= 0 && this.rowEls.has(this.cursor) ? `row-${this.cursor}` : '');
  }

  private newRow(): HTMLElement {
    const cell = (cls: string) => el('div', { class: `cell ${cls}`, role: 'gridcell' }, el('span', { class: 'txt' }), el('span', { class: 'meta' }));
    return el('div', { class: 'row', role: 'row' }, cell('field'), cell('value'), cell('ttl'));
  }

  private fill(rowEl: HTMLElement, pos: number): void {
    const r = this.cache.get(pos);
    rowEl.id = `row-${pos}`;
    rowEl.dataset.pos = String(pos);
    rowEl.setAttribute('aria-rowindex', String(pos + 2));
    const selected = this.selection.shows(r, pos);
    rowEl.setAttribute('aria-selected', String(selected));
    rowEl.classList.toggle('selected', selected);
    rowEl.classList.toggle('cursor', pos === this.cursor);
    rowEl.classList.toggle('loading', !r);
    const [fieldCell, valueCell, ttlEl] = Array.from(rowEl.children) as HTMLElement[];
    setText(fieldCell.firstChild as Element, r ? r.field : '…');
    setText(fieldCell.lastChild as Element, r?.fieldBinary ? 'bytes' : '');
    fieldCell.classList.toggle('binary', r?.fieldBinary === true);
    // a decoded value shows its decoded preview and its decoder (e.g. gzip+json)
    setText(valueCell.firstChild as Element, r ? (r.decoded ?? r.value) : '');
    setText(valueCell.lastChild as Element, r?.truncated ? `${formatBytes(r.length)}, partly loaded` : r?.decoder ?? (r?.valueBinary ? 'bytes' : ''));
    valueCell.classList.toggle('binary', r?.valueBinary === true);
    valueCell.classList.toggle('truncated', r?.truncated === true);
    ttlEl.hidden = !this.showTtl;
    if (this.showTtl) this.fillTtl(ttlEl, pos, Date.now());
    this.actions.decorate?.(rowEl, r);
  }

  private moveCursor(pos: number, extend: boolean, toggle: boolean): void {
    if (this.length === 0) return;
    pos = Math.max(0, Math.min(this.length - 1, pos));
    this.selection.move(pos, extend, toggle);
    this.cursor = pos;
    this.keepInView(pos);
    this.actions.selectionChanged();
    this.schedule();
  }

  private keepInView(pos: number): void {
    const top = this.scroll.offset;
    const vh = this.body.clientHeight;
    if (pos * ROW_HEIGHT < top) this.scroll.scrollTo(pos * ROW_HEIGHT);
    else if ((pos + 1) * ROW_HEIGHT > top + vh) this.scroll.scrollTo((pos + 1) * ROW_HEIGHT - vh);
  }

  private positionOf(e: MouseEvent): number {
    const rowEl = (e.target as HTMLElement).closest('.row') as HTMLElement | null;
    return rowEl?.dataset.pos ? Number(rowEl.dataset.pos) : -1;
  }

  private onClick(e: MouseEvent): void {
    if ((e.target as HTMLElement).closest('.inline-edit')) return;
    const pos = this.positionOf(e);
    if (pos < 0) return;
    this.moveCursor(pos, e.shiftKey, e.ctrlKey || e.metaKey);
    this.body.focus();
  }

  /** The row menu for the cursor row (the first row when there is none yet), under that row. */
  menuAtCursor(): void {
    if (this.length === 0) return;
    if (this.cursor < 0) this.moveCursor(0, false, false);
    const rowEl = this.rowEls.get(this.cursor);
    const box = (rowEl ?? this.body).getBoundingClientRect();
    this.actions.menu(this.cursor, { x: box.left + 24, y: rowEl ? box.bottom : box.top });
  }

  private onContextMenu(e: MouseEvent): void {
    // ours, not the workbench's (which would offer only Cut/Copy/Paste)
    e.preventDefault();
    const pos = this.positionOf(e);
    if (pos < 0) return;
    const r = this.cache.get(pos);
    if (!this.selection.shows(r, pos)) this.moveCursor(pos, false, false);
    this.body.focus();
    this.actions.menu(pos, { x: e.clientX, y: e.clientY });
  }

  private onDoubleClick(e: MouseEvent): void {
    const pos = this.positionOf(e);
    const r = pos >= 0 ? this.cache.get(pos) : undefined;
    if (!r || r.id < 0 || (e.target as HTMLElement).closest('.inline-edit')) return;
    if ((e.target as HTMLElement).closest('.cell.field')) this.actions.rename(pos, r);
    else if ((e.target as HTMLElement).closest('.cell.ttl')) this.actions.editTtl(pos, r);
    else this.actions.edit(pos, r);
  }
}
