import { parseFieldTtlText } from '../shared/fieldTtl';
import { formatTtl } from '../shared/format';
import type { RowDto } from '../shared/protocol';
import { el } from './dom';
import type { EditorContext } from './editors';
import type { Grid } from './grid';
import { remainingSeconds } from './ttlColumn';

/*
 * T on a row (or a double-click on its TTL): the field's TTL is asked for in its cell. Enter saves, Escape
 * cancels; empty, 0 or -1 removes the TTL. The text is checked here with the rules the extension applies
 * again, so a typo gets its message before anything is sent.
 */

export function editFieldTtl(ctx: EditorContext, grid: Grid, pos: number, row: RowDto, receivedAt: number): void {
  if (ctx.readOnly()) return ctx.notify('Read-only: field TTLs cannot be changed here.');
  const cell = grid.rowElement(pos)?.querySelector<HTMLElement>('.cell.ttl');
  if (!cell || cell.classList.contains('editing')) return;
  const gen = ctx.gen();
  const left = remainingSeconds(row, receivedAt);
  const input = el('input', {
    type: 'text',
    inputmode: 'numeric',
    class: 'inline-edit text-input ttl-edit',
    placeholder: 'seconds',
    title: 'Seconds; empty, 0 or -1 removes the TTL. Enter saves, Escape cancels.',
    'aria-label': `TTL of ${row.field} in seconds (empty, 0 or -1 removes it)`,
    spellcheck: 'false',
  });
  input.value = left > 0 ? String(left) : '';
  const finish = grid.editInCell(pos, cell, input);
  let busy = false;

  const save = async () => {
    const parsed = parseFieldTtlText(input.value);
    if ('error' in parsed) {
      input.setAttribute('aria-invalid', 'true');
      ctx.notify(parsed.error, 'error');
      return;
    }
    busy = true;
    try {
      const r = await ctx.rpc.request('setFieldTtl', { gen, id: row.id, ttl: parsed.seconds });
      finish();
      ctx.notify(r.ttl > 0 ? `TTL of "${row.field}" set to ${formatTtl(r.ttl)}.` : `TTL of "${row.field}" removed.`);
    } catch (err) {
      finish();
      ctx.notify(err instanceof Error ? err.message : String(err), 'error');
    } finally {
      busy = false;
    }
  };
  input.addEventListener('keydown', (e) => {
    e.stopPropagation();
    if (e.key === 'Enter') {
      e.preventDefault();
      if (!busy) void save();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      finish();
    }
  });
  input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
  input.addEventListener('blur', () =>
    setTimeout(() => {
      if (!busy) finish();
    }, 0),
  );
  input.focus();
  input.select();
}
