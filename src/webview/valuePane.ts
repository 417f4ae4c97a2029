import type { DecodedValue, TreeNode } from '../shared/decoded';
import { DECODER_CHOICES } from '../shared/decoded';
import type { RequestClient, RowDto, WriteResult } from '../shared/protocol';
import { formatBytes, formatTtl } from '../shared/format';
import { button, el, setText } from './dom';
import { colouredJson } from './jsonColor';

/*
 * The value pane under the table: the selected row's whole value, decoded in the extension host (this page
 * only renders): JSON coloured, structures as a tree, binary as a hex dump, text with its lines. Editing
 * the decoded form saves it re-encoded; where that cannot give the same bytes back, the pane says why.
 */

interface PaneContext {
  rpc: RequestClient;
  gen(): number;
  notify(message: string, level?: 'info' | 'error'): void;
  /** a save met a conflict: the table's conflict dialog takes over */
  conflict(row: RowDto, r: WriteResult): Promise<void>;
}

const TREE_OPEN_LEVELS = 2;

export class ValuePane {
  readonly element: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly info = el('span', { class: 'pane-info' });
  private readonly notes = el('div', { class: 'pane-notes', role: 'status' });
  private readonly body = el('div', { class: 'pane-body' });
  private readonly editButton: HTMLButtonElement;
  private readonly saveButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private row: RowDto | undefined;
  private value: DecodedValue | undefined;
  private editor: HTMLTextAreaElement | undefined;
  /** bumps with every show: a slower earlier reply is dropped */
  private seq = 0;

  constructor(private readonly ctx: PaneContext) {
    this.select = el('select', { class: 'pane-decoder', 'aria-label': 'Decoder', title: 'Decoder for this field' });
    for (const c of DECODER_CHOICES) this.select.append(el('option', { value: c, text: c === 'auto' ? 'auto (detect)' : c }));
    this.select.addEventListener('change', () => void this.load(this.select.value));
    this.editButton = button('Edit', { icon: 'edit', onClick: () => this.startEdit() });
    this.saveButton = button('Save', { icon: 'save', onClick: () => void this.save() });
    this.cancelButton = button('Cancel', { onClick: () => this.render() });
    const bar = el('div', { class: 'pane-bar' }, el('label', { text: 'Decoder ' }, this.select), this.info, this.editButton, this.saveButton, this.cancelButton);
    this.element = el('section', { class: 'value-pane', 'aria-label': 'Value' }, bar, this.notes, this.body);
    this.element.hidden = true;
  }

  /** Shows a row (or hides the pane for none); the same row again keeps an edit in progress. */
  show(row: RowDto | undefined): void {
    if (row && this.row && row.id === this.row.id && this.editor) return;
    this.row = row && row.id >= 0 ? row : undefined;
    this.element.hidden = !this.row;
    if (this.row) void this.load(undefined);
  }

  /** The row's value changed on the server or by an edit: decode it again (not while editing). */
  refresh(): void {
    if (this.row && !this.editor) void this.load(undefined);
  }

  private async load(decoder: string | undefined): Promise<void> {
    const row = this.row;
    if (!row) return;
    const seq = ++this.seq;
    setText(this.info, 'Decoding…');
    try {
      const v = await this.ctx.rpc.request('decode', { gen: this.ctx.gen(), id: row.id, ...(decoder !== undefined ? { decoder } : {}) });
      if (seq !== this.seq) return;
      this.value = v;
      this.editor = undefined;
      this.render();
    } catch (err) {
      if (seq !== this.seq) return;
      this.value = undefined;
      setText(this.info, '');
      this.body.replaceChildren(el('div', { class: 'pane-error', text: err instanceof Error ? err.message : String(err) }));
    }
  }

  private render(): void {
    const v = this.value;
    this.editor = undefined;
    if (!v) return;
    this.select.value = v.detected ? 'auto' : (DECODER_CHOICES as readonly string[]).includes(v.decoder) ? v.decoder : 'auto';
    const size = v.size !== v.rawLength ? `${formatBytes(v.size)} decoded from ${formatBytes(v.rawLength)}` : formatBytes(v.rawLength);
    const ttl = v.ttl !== undefined ? ` · TTL ${formatTtl(v.ttl)}` : '';
    const lines = v.kind === 'text' ? ` · ${v.text.split('\n').length} lines` : '';
    setText(this.info, `${v.decoder}${v.detected ? ' (detected)' : ''} · ${size}${lines}${ttl}${v.editable ? '' : ' · read-only'}`);
    this.info.title = v.readOnlyReason ?? '';
    const notes = [...v.notes, ...(v.editable || !v.readOnlyReason ? [] : [v.readOnlyReason])];
    this.notes.replaceChildren(...notes.map((n) => el('div', { text: n })));
    this.editButton.hidden = !v.editable;
    this.saveButton.hidden = true;
    this.cancelButton.hidden = true;
    if (v.kind === 'json') this.body.replaceChildren(colouredJson(v.text));
    else if (v.kind === 'tree' && v.tree) this.body.replaceChildren(treeView(v.tree, 0));
    else this.body.replaceChildren(el('pre', { class: `pane-text ${v.kind}`, text: v.text }));
  }

  private startEdit(): void {
    const v = this.value;
    if (!v?.editable) return;
    const area = el('textarea', { class: 'pane-editor', spellcheck: 'false', 'aria-label': `Decoded value (${v.decoder})` });
    area.value = v.text;
    area.addEventListener('keydown', (e) => {
      e.stopPropagation();
      if (e.key === 's' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void this.save();
      } else if (e.key === 'Escape') this.render();
    });
    this.editor = area;
    this.body.replaceChildren(area);
    this.editButton.hidden = true;
    this.saveButton.hidden = false;
    this.cancelButton.hidden = false;
    area.focus();
  }

  private async save(): Promise<void> {
    const v = this.value;
    const row = this.row;
    if (!v || !row || !this.editor) return;
    let r: WriteResult;
    try {
      r = await this.ctx.rpc.request('saveDecoded', { token: v.token, text: this.editor.value });
    } catch (err) {
      return this.ctx.notify(err instanceof Error ? err.message : String(err), 'error');
    }
    if (r.status === 'ok') this.ctx.notify(`Saved, re-encoded as ${v.decoder}.`);
    else if (r.status === 'noop') this.ctx.notify('No change: the value is the same, nothing was written.');
    else {
      this.editor = undefined;
      await this.ctx.conflict(row, r);
    }
    this.editor = undefined;
    await this.load(undefined);
  }
}

function treeView(n: TreeNode, depth: number): HTMLElement {
  const label = (n.k !== undefined ? `${n.k}: ` : '') + (n.c ? `${n.t} (${n.c.length + (n.more ?? 0)})` : '');
  if (!n.c) {
    return el('div', { class: 'tree-leaf' }, el('span', { class: 'tree-key', text: n.k !== undefined ? `${n.k}: ` : '' }), el('span', { class: `tree-val t-${n.t}`, text: n.v ?? '' }));
  }
  const d = el('details', { class: 'tree-node', open: depth < TREE_OPEN_LEVELS });
  d.append(el('summary', { text: label }));
  for (const c of n.c) d.append(treeView(c, depth + 1));
  if (n.more) d.append(el('div', { class: 'tree-more', text: `… ${n.more} more not shown` }));
  return d;
}
