import type { CellDetail, DisplayValue, RequestClient, RowDto, WriteResult } from '../shared/protocol';
import type { Dialog, DialogButton } from './dialog';
import { parseFieldTtlText } from '../shared/fieldTtl';
import { formatBytes, looksLikeJson } from '../shared/format';
import { el } from './dom';

/*
 * The edit, add and rename dialogs. Each write is compare-and-set on the extension's side; a conflict
 * shows the server's value and offers Overwrite (still compare-and-set, against what is shown now) or Reload.
 */

export interface EditorContext {
  rpc: RequestClient;
  dialog: Dialog;
  gen(): number;
  readOnly(): boolean;
  /** the server has field TTLs */
  fieldTtl(): boolean;
  notify(message: string, level?: 'info' | 'error'): void;
  /** the row whose value is being edited (live updates leave it as the user saw it); null: the editing ended */
  editing(id: number | null): void;
  /** select a field's row after it was added */
  reveal(field: DisplayValue): void;
  /** select a field's row and open its value editor (an add that found the field already there) */
  editExisting(field: DisplayValue): void;
}

function describeWrite(r: WriteResult, what: string): string {
  return r.status === 'noop' ? `No change: ${what} is the same, nothing was written.` : `Saved ${what}.`;
}

/** A box showing the server's value after a conflict. */
function serverValueBox(current: DisplayValue | null, length: number, truncated: boolean): HTMLElement {
  const box = el('div', { class: 'conflict', role: 'alert' });
  if (current === null) {
    box.append(el('p', { text: 'This field was deleted on the server since it was shown. Overwrite creates it again with your value.' }));
    return box;
  }
  box.append(
    el('p', { text: `This value changed on the server since it was shown. The server now has (${formatBytes(length)}${truncated ? ', first 64 KB shown' : ''}${current.utf8 ? '' : ', escaped bytes'}):` }),
    el('pre', { class: 'server-value', text: current.text }),
  );
  return box;
}

/** An add found the name taken: what is there, and that nothing was written. */
function existsBox(field: DisplayValue, current: DisplayValue, length: number, truncated: boolean): HTMLElement {
  return el(
    'div',
    { class: 'conflict exists', role: 'alert' },
    el('p', { text: `A field named "${field.text}" already exists in this hash; nothing was written. Its value (${formatBytes(length)}${truncated ? ', first 64 KB shown' : ''}${current.utf8 ? '' : ', escaped bytes'}):` }),
    el('pre', { class: 'server-value', text: current.text }),
  );
}

/** After a write: close on success, or turn the dialog into Overwrite / Reload (or Cancel) on a conflict. */
function handleWrite(
  ctx: EditorContext,
  r: WriteResult,
  what: string,
  mine: () => DisplayValue,
  content: HTMLElement,
  reload: () => Promise<void>,
  onDone?: () => void,
  existing?: DisplayValue,
): void {
  if (r.status === 'ok' || r.status === 'noop') {
    ctx.dialog.close();
    ctx.notify(describeWrite(r, what));
    onDone?.();
    return;
  }
  content.querySelector('.conflict')?.remove();
  if (r.status === 'exists' && existing) {
    // nothing changed on the server: the name is taken. Say so, and offer the field itself
    content.prepend(existsBox(existing, r.current, r.length, r.truncated));
    ctx.dialog.buttons([
      {
        label: 'Edit its value',
        primary: true,
        icon: 'edit',
        run: () => {
          ctx.dialog.close();
          ctx.editExisting(existing);
        },
      },
      {
        label: 'Show it',
        icon: 'eye',
        run: () => {
          ctx.dialog.close();
          ctx.reveal(existing);
        },
      },
      { label: 'Cancel', run: () => ctx.dialog.close() },
    ]);
    return;
  }
  content.prepend(serverValueBox(r.current, r.length, r.truncated));
  const overwrite: DialogButton = {
    label: r.status === 'exists' ? 'Overwrite' : 'Overwrite with mine',
    primary: true,
    icon: 'save',
    run: async () => handleWrite(ctx, await ctx.rpc.request('resolve', { token: r.token, value: mine() }), what, mine, content, reload, onDone),
  };
  const other: DialogButton =
    r.status === 'exists' ? { label: 'Cancel', run: () => ctx.dialog.close() } : { label: 'Reload (discard mine)', icon: 'refresh', run: reload };
  ctx.dialog.buttons([overwrite, other]);
}

/** The multi-line value editor, with a JSON view (format, minify, validation) when the value looks like JSON. */
export async function editValue(ctx: EditorContext, row: RowDto, initial?: DisplayValue, conflict?: WriteResult): Promise<void> {
  const gen = ctx.gen();
  let detail: CellDetail = await ctx.rpc.request('detail', { gen, id: row.id, full: false });
  const info = el('p', { class: 'dialog-info' });
  const area = el('textarea', { class: 'value-editor', spellcheck: 'false', 'aria-label': 'Value' });
  const jsonStatus = el('span', { class: 'json-status', role: 'status' });
  const jsonBar = el('div', { class: 'json-bar' });
  const content = el('div', {}, info, jsonBar, area);
  const readOnly = ctx.readOnly();

  const checkJson = () => {
    try {
      JSON.parse(area.value);
      jsonStatus.textContent = 'Valid JSON';
      jsonStatus.className = 'json-status ok';
    } catch (err) {
      jsonStatus.textContent = `Not valid JSON: ${(err as Error).message}`;
      jsonStatus.className = 'json-status bad';
    }
  };
  const reformat = (indent: number | undefined) => {
    try {
      area.value = JSON.stringify(JSON.parse(area.value), null, indent);
      checkJson();
    } catch {
      checkJson();
    }
  };
  const jsonButton = (label: string, indent: number | undefined) => {
    const b = el('button', { type: 'button', class: 'btn secondary small', text: label });
    b.addEventListener('click', () => reformat(indent));
    return b;
  };
  jsonBar.append(jsonButton('Format JSON', 2), jsonButton('Minify JSON', undefined), jsonStatus);
  area.addEventListener('input', () => {
    if (!jsonBar.hidden) checkJson();
  });

  const show = (d: CellDetail, text?: DisplayValue) => {
    detail = d;
    area.value = text?.text ?? d.value.text;
    area.readOnly = readOnly || d.truncated;
    const notes = [formatBytes(d.length)];
    if (!d.value.utf8) notes.push('not UTF-8: bytes are shown as \\xNN escapes and \\\\ is a backslash');
    if (d.truncated) notes.push('only the first 64 KB are loaded; show all to edit');
    if (readOnly) notes.push('read-only connection');
    info.textContent = notes.join(' · ');
    jsonBar.hidden = !(d.value.utf8 && !d.truncated && looksLikeJson(area.value));
    if (!jsonBar.hidden) checkJson();
    ctx.dialog.buttons(buttons());
  };
  const mine = (): DisplayValue => ({ text: area.value, utf8: detail.value.utf8 });
  const reload = async () => {
    content.querySelector('.conflict')?.remove();
    show(await ctx.rpc.request('detail', { gen, id: row.id, full: !detail.truncated && detail.length > 64 * 1024 }));
  };
  const buttons = (): DialogButton[] => {
    const list: DialogButton[] = [];
    if (!readOnly && !detail.truncated) {
      list.push({
        label: 'Save',
        primary: true,
        icon: 'save',
        run: async () => handleWrite(ctx, await ctx.rpc.request('edit', { gen, id: row.id, value: mine() }), 'the value', mine, content, reload),
      });
    }
    if (detail.truncated) list.push({ label: 'Show all', icon: 'unfold', run: async () => show(await ctx.rpc.request('detail', { gen, id: row.id, full: true })) });
    list.push({ label: 'Open in editor', icon: 'go-to-file', run: async () => void (await ctx.rpc.request('openValue', { gen, id: row.id })) });
    list.push({ label: readOnly ? 'Close' : 'Cancel', run: () => ctx.dialog.close() });
    return list;
  };
  const onClose = readOnly ? undefined : () => ctx.editing(null);
  ctx.dialog.open(`${readOnly ? 'Value of' : 'Edit value of'} ${detail.field.text}`, [content], buttons(), { focus: area, wide: true, onClose });
  if (!readOnly) ctx.editing(row.id);
  show(detail, initial);
  if (conflict) handleWrite(ctx, conflict, 'the value', mine, content, reload);
}

/** Adds a field; an existing name writes nothing: the dialog says so and offers that field to edit or show. */
export function addField(ctx: EditorContext): void {
  const name = el('input', { type: 'text', class: 'text-input', 'aria-label': 'Field name', spellcheck: 'false' });
  const value = el('textarea', { class: 'value-editor', 'aria-label': 'Value', spellcheck: 'false' });
  const escaped = el('input', { type: 'checkbox', id: 'add-escaped' });
  const ttl = el('input', { type: 'text', inputmode: 'numeric', id: 'add-ttl', class: 'text-input ttl-input', placeholder: 'none', spellcheck: 'false' });
  const withTtl = ctx.fieldTtl();
  const content = el(
    'div',
    {},
    el('label', { class: 'field-label', text: 'Name' }),
    name,
    el('label', { class: 'field-label', text: 'Value' }),
    value,
    el('div', { class: 'check' }, escaped, el('label', { for: 'add-escaped', text: 'Name and value are escaped bytes (\\xNN, \\\\)' })),
    ...(withTtl ? [el('label', { class: 'field-label', for: 'add-ttl', text: 'TTL in seconds (optional)' }), ttl] : []),
  );
  name.id = 'add-name';
  const mine = (): DisplayValue => ({ text: value.value, utf8: !escaped.checked });
  const fieldOf = (): DisplayValue => ({ text: name.value, utf8: !escaped.checked });
  ctx.dialog.open(
    'Add field',
    [content],
    [
      {
        label: 'Add',
        primary: true,
        icon: 'add',
        run: async () => {
          if (!name.value && !escaped.checked) throw new Error('Enter a field name.');
          const field = fieldOf();
          const parsed = withTtl ? parseFieldTtlText(ttl.value) : { seconds: 0 };
          if ('error' in parsed) {
            ttl.setAttribute('aria-invalid', 'true');
            ttl.focus();
            throw new Error(`TTL: ${parsed.error}`);
          }
          ttl.removeAttribute('aria-invalid');
          const r = await ctx.rpc.request('add', { field, value: mine(), ...(parsed.seconds > 0 ? { ttl: parsed.seconds } : {}) });
          handleWrite(ctx, r, `field "${field.text}"`, mine, content, async () => undefined, () => ctx.reveal(field), field);
        },
      },
      { label: 'Cancel', run: () => ctx.dialog.close() },
    ],
    { focus: name, wide: true },
  );
}

export async function renameField(ctx: EditorContext, row: RowDto): Promise<void> {
  const gen = ctx.gen();
  const detail = await ctx.rpc.request('detail', { gen, id: row.id, full: false });
  const input = el('input', { type: 'text', class: 'text-input', 'aria-label': 'New name', spellcheck: 'false' });
  input.value = detail.field.text;
  const note = detail.field.utf8 ? [] : [el('p', { class: 'dialog-info', text: 'Not UTF-8: bytes are shown as \\xNN escapes.' })];
  const run = async () => {
    const newName = { text: input.value, utf8: detail.field.utf8 };
    const r = await ctx.rpc.request('rename', { gen, id: row.id, newName });
    ctx.dialog.close();
    ctx.notify(r.status === 'noop' ? 'Same name: nothing was renamed.' : `Renamed to "${input.value}".`);
    // the row may have moved (a sort by name): the cursor follows it
    if (r.status === 'ok') ctx.reveal(newName);
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.ctrlKey) {
      e.preventDefault();
      void run().catch((err: Error) => ctx.dialog.error(err.message));
    }
  });
  ctx.dialog.open(`Rename field ${detail.field.text}`, [...note, input], [{ label: 'Rename', primary: true, icon: 'edit', run }, { label: 'Cancel', run: () => ctx.dialog.close() }], {
    focus: input,
  });
  input.select();
}
