import type { RowDto, WriteResult } from '../shared/protocol';
import { looksLikeJson } from '../shared/format';
import { el } from './dom';
import type { EditorContext } from './editors';
import { editValue } from './editors';
import type { Grid } from './grid';

/*
 * Editing a row's value from the table: in the cell when it is short single-line text, else in the value
 * dialog (editors.ts). Either way the write is compare-and-set on the extension's side.
 */

interface RowEditHost {
  ctx: EditorContext;
  grid: Grid;
  /** the row whose value is being edited now (null: none); the cell editor ends the editing only if it is its own */
  editedId(): number | null;
  failed(err: unknown): void;
}

/** Enter on a row: short single-line text is edited in the cell, anything else in the dialog. */
export async function editRow(host: RowEditHost, pos: number, row: RowDto): Promise<void> {
  const { ctx, grid, failed } = host;
  const { rpc, notify } = ctx;
  const g = ctx.gen();
  const d = await rpc.request('detail', { gen: g, id: row.id, full: false });
  const rowEl = grid.rowElement(pos);
  const cell = rowEl?.querySelector<HTMLElement>('.cell.value');
  const simple = !ctx.readOnly() && !d.truncated && d.value.utf8 && !d.value.text.includes('\n') && d.value.text.length <= 200 && !looksLikeJson(d.value.text);
  if (!simple || !cell) return editValue(ctx, row);
  const input = el('input', { type: 'text', class: 'inline-edit text-input', 'aria-label': `Value of ${d.field.text}`, spellcheck: 'false' });
  input.value = d.value.text;
  const close = grid.editInCell(pos, cell, input);
  ctx.editing(row.id);
  const finish = () => {
    close();
    if (host.editedId() === row.id) ctx.editing(null);
  };

  const save = async () => {
    const mine = { text: input.value, utf8: true };
    let r: WriteResult;
    try {
      r = await rpc.request('edit', { gen: g, id: row.id, value: mine });
    } catch (err) {
      finish();
      return failed(err);
    }
    finish();
    if (r.status === 'ok') notify('Saved the value.');
    else if (r.status === 'noop') notify('No change: the value is the same, nothing was written.');
    else await editValue(ctx, row, mine, r);
  };
  input.addEventListener('keydown', (e) => {
    e.stopPropagation();
    if (e.key === 'Enter') {
      e.preventDefault();
      void save();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      finish();
    }
  });
  input.addEventListener('blur', () => setTimeout(finish, 0));
  input.focus();
  input.select();
}
