import type { IdSet } from '../shared/idSet';
import type { RowDto, SortBy } from '../shared/protocol';

/** What the table asks its page to do (main.ts gives it): the row actions its keys and clicks lead to. */
export interface GridActions {
  edit(position: number, row: RowDto): void;
  rename(position: number, row: RowDto): void;
  deleteSelection(): void;
  copyValues(): void;
  sort(by: SortBy): void;
  /** set, change or remove the field TTL of a row (T, double-click on its TTL) */
  editTtl(position: number, row: RowDto): void;
  selectionChanged(): void;
  /** Insert */
  add(): void;
  /** the row menu (right-click, Shift+F10, the context-menu key) at a point of the page */
  menu(position: number, at: { x: number; y: number }): void;
  /** Ctrl+A: every row of the view */
  selectAll(): void;
  /** the row ids at view positions [start, end), for a range over rows this page has not fetched */
  rangeIds(start: number, end: number): Promise<IdSet | undefined>;
  /** after a row is drawn: marks of its own (live updates: a highlight, "changed on the server") */
  decorate?(rowEl: HTMLElement, row: RowDto | undefined): void;
}


/** What the table's keyboard handling reads and does (grid.ts gives it). */
export interface KeyGrid {
  /** position of the focused row, -1 none */
  cursor(): number;
  length(): number;
  /** rows a PageUp/PageDown moves by */
  pageRows(): number;
  ttlShown(): boolean;
  hasSelection(): boolean;
  moveCursor(pos: number, extend: boolean, toggle: boolean): void;
  clearSelection(): void;
  rowAtCursor(): RowDto | undefined;
  menuAtCursor(): void;
}

/** The table's keys: arrows and pages move the cursor (Shift extends), Space toggles, and the row actions. */
export function onGridKey(e: KeyboardEvent, g: KeyGrid, actions: GridActions): void {
  const page = g.pageRows();
  const cursor = g.cursor();
  const move = (to: number) => {
    e.preventDefault();
    g.moveCursor(to, e.shiftKey, false);
  };
  switch (e.key) {
    case 'ArrowDown':
      return move(cursor + 1);
    case 'ArrowUp':
      return move(cursor - 1);
    case 'PageDown':
      return move(cursor + page);
    case 'PageUp':
      return move(cursor - page);
    case 'Home':
      return move(0);
    case 'End':
      return move(g.length() - 1);
    case ' ':
      e.preventDefault();
      return g.moveCursor(cursor, false, true);
    case 'a':
    case 'A':
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey) {
        e.preventDefault();
        actions.selectAll();
      }
      return;
    case 'Escape':
      if (g.hasSelection()) {
        e.preventDefault();
        g.clearSelection();
      }
      return;
    case 'Enter':
    case 'F2': {
      const r = g.rowAtCursor();
      if (!r || r.id < 0) return;
      e.preventDefault();
      if (e.key === 'Enter') actions.edit(cursor, r);
      else actions.rename(cursor, r);
      return;
    }
    case 'Delete':
      e.preventDefault();
      actions.deleteSelection();
      return;
    case 'Insert':
      e.preventDefault();
      actions.add();
      return;
    case 'ContextMenu':
    case 'F10':
      if (e.key === 'F10' && !e.shiftKey) return;
      e.preventDefault();
      e.stopPropagation();
      return g.menuAtCursor();
    case 't':
    case 'T': {
      const r = g.rowAtCursor();
      if (!g.ttlShown() || !r || r.id < 0 || e.ctrlKey || e.metaKey || e.altKey) return;
      e.preventDefault();
      actions.editTtl(cursor, r);
      return;
    }
    case 'c':
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        actions.copyValues();
      }
      return;
  }
}
