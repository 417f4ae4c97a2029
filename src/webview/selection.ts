import { IdSet } from '../shared/idSet';
import type { BulkAction, RequestClient, StatusInfo } from '../shared/protocol';
import type { Dialog } from './dialog';
import { el, formatCount } from './dom';
import type { Grid } from './grid';
import type { MenuEntry } from './menu';

/*
 * The table's selection beyond one row: Select all loaded, every field of the hash matching a pattern
 * (counted on the server first), and the bulk actions on either. The actions run in the extension (VS Code
 * asks, confirms with the count and shows progress with Cancel); this page says the outcome.
 */

export interface SelectionContext {
  rpc: RequestClient;
  dialog: Dialog;
  grid: () => Grid;
  status: () => StatusInfo | undefined;
  readOnly: () => boolean;
  fieldTtl: () => boolean;
  notify(message: string, level?: 'info' | 'error'): void;
  failed(err: unknown): void;
}

const fields = (n: number) => `${formatCount(n)} field${n === 1 ? '' : 's'}`;

/** What the toolbar says about the selection: "12 selected", "12,345 fields match user:*", or nothing. */
export function selectionText(grid: Grid): string {
  if (grid.pattern) return `${fields(grid.pattern.count)} match ${grid.pattern.match}`;
  return grid.selected.size > 0 ? `${formatCount(grid.selected.size)} selected` : '';
}

/** The row ids at view positions [start, end), from the extension (rows this page has not fetched). */
export async function rangeIds(ctx: SelectionContext, start: number, end: number): Promise<IdSet | undefined> {
  const s = ctx.status();
  if (!s) return undefined;
  const r = await ctx.rpc.request('selectRange', { version: s.view.version, start, end });
  return r ? IdSet.fromBase64(r.ids) : undefined;
}

/** Ctrl+A: every row of the view (the filter's rows when filtered), loaded so far. */
export async function selectAllLoaded(ctx: SelectionContext): Promise<void> {
  const s = ctx.status();
  if (!s || s.view.length === 0) return;
  const ids = await rangeIds(ctx, 0, s.view.length);
  if (ids) ctx.grid().setSelection(ids);
}

/** Asks for a pattern, counts its fields over the whole hash on the server, and selects them as a pattern. */
function selectByPattern(ctx: SelectionContext): void {
  const input = el('input', { type: 'text', class: 'text-input', 'aria-label': 'Field pattern', placeholder: 'e.g. user:*', spellcheck: 'false' });
  input.value = ctx.grid().pattern?.match ?? ctx.status()?.match ?? '';
  const note = el('p', { class: 'dialog-note', text: 'Every field of the whole hash whose name matches (* and ? are wildcards), loaded or not. They are counted on the server (HSCAN MATCH) first.' });
  const run = async () => {
    const match = input.value;
    if (!match) throw new Error('Enter a pattern.');
    const r = await ctx.rpc.request('countMatch', { match });
    ctx.dialog.close();
    if (!r) return;
    ctx.grid().setSelection(null, { match, count: r.count });
    ctx.notify(r.count === 0 ? `No field matches ${match}.` : `${fields(r.count)} match ${match}: the actions in the Selection menu apply to them.`);
  };
  ctx.dialog.open('Select fields matching a pattern', [note, input], [{ label: 'Count and select', primary: true, icon: 'search', run }, { label: 'Cancel', run: () => ctx.dialog.close() }], { focus: input });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void run().catch((err: unknown) => ctx.failed(err));
    }
  });
}

/** Runs a bulk action on the pattern, the selected rows, or the cursor row; says what was done. */
export async function runBulk(ctx: SelectionContext, action: BulkAction): Promise<void> {
  const grid = ctx.grid();
  const gen = ctx.status()?.gen ?? 0;
  let params: { action: BulkAction; gen: number; ids?: string; match?: string };
  if (grid.pattern) params = { action, gen, match: grid.pattern.match };
  else {
    const ids = new IdSet();
    for (const id of grid.selectedIds()) ids.add(id);
    if (ids.size === 0) return;
    params = { action, gen, ids: ids.toBase64() };
  }
  const r = await ctx.rpc.request('bulk', params);
  grid.focus();
  if (!r) return;
  const did = { delete: 'Deleted', setTtl: 'Set the TTL of', removeTtl: 'Removed the TTL of', export: 'Exported' }[action];
  ctx.notify(r.cancelled ? `${did} ${formatCount(r.done)} of ${fields(r.total)}; stopped.` : `${did} ${fields(r.done)}.`);
  if (action === 'delete' && !r.cancelled) grid.resetSelection();
}

/** The Selection menu: ways to select, then what to do with the selection. */
export function selectionMenu(ctx: SelectionContext): MenuEntry[] {
  const grid = ctx.grid();
  const any = grid.pattern !== null || grid.selectedIds().length > 0;
  const ro = ctx.readOnly();
  const act = (action: BulkAction) => () => void runBulk(ctx, action).catch((err: unknown) => ctx.failed(err));
  const what = grid.pattern ? `${fields(grid.pattern.count)} matching` : 'selected';
  return [
    { label: 'Select all loaded', keys: 'Ctrl+A', icon: 'check-all', run: () => void selectAllLoaded(ctx).catch((err: unknown) => ctx.failed(err)) },
    { label: 'Select fields matching a pattern…', icon: 'search', run: () => selectByPattern(ctx) },
    { label: 'Clear selection', keys: 'Escape', icon: 'clear-all', disabled: grid.selected.size === 0 && !grid.pattern, run: () => grid.resetSelection() },
    null,
    { label: `Delete ${what}…`, keys: 'Delete', icon: 'trash', disabled: !any || ro, run: act('delete') },
    ...(ctx.fieldTtl()
      ? [
          { label: `Set TTL of ${what}…`, icon: 'watch', disabled: !any || ro, run: act('setTtl') },
          { label: `Remove TTL of ${what}…`, icon: 'circle-slash', disabled: !any || ro, run: act('removeTtl') },
        ]
      : []),
    { label: `Export ${what}…`, icon: 'export', disabled: !any, run: act('export') },
  ];
}
