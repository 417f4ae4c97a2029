import type { CopyWhat, HeaderInfo, StatusInfo } from '../shared/protocol';
import { formatTtl } from '../shared/format';
import { button, el, formatCount, icon, setText } from './dom';

/* The top of the editor: key, counts, TTL, connection, loading progress, search inputs and row actions. */

interface HeaderActions {
  refresh(): void;
  stop(): void;
  resume(): void;
  setTtl(ttl: number): void;
  match(pattern: string): void;
  lookup(field: string): void;
  filter(text: string): void;
  add(): void;
  edit(): void;
  rename(): void;
  remove(): void;
  copy(what: CopyWhat): void;
  /** set, change or remove the selected field's TTL */
  fieldTtl(): void;
  /** the copy choices, as a menu under the Copy button */
  copyMenu(at: { x: number; y: number }): void;
  /** the row menu under the Actions button */
  rowMenu(at: { x: number; y: number }): void;
  /** the Selection menu: select all loaded, by pattern, and the bulk actions */
  selectionMenu(at: { x: number; y: number }): void;
}

/** A search box whose name says what it does (the visible label is its first word or two). */
function searchBox(name: string, placeholder: string, title: string): HTMLInputElement {
  return el('input', { type: 'search', class: 'text-input', placeholder, title, 'aria-label': name, spellcheck: 'false' });
}

/** Where a menu opened from a button goes: under it. */
function below(b: HTMLElement): { x: number; y: number } {
  const r = b.getBoundingClientRect();
  return { x: r.left, y: r.bottom + 2 };
}

/** A toolbar button that opens a menu under itself (with a chevron). */
function menuButton(label: string, iconName: string, title: string, open: (at: { x: number; y: number }) => void): HTMLButtonElement {
  const b: HTMLButtonElement = button(label, { icon: iconName, cls: 'tool', title, onClick: () => open(below(b)) });
  b.setAttribute('aria-haspopup', 'menu');
  b.append(icon('chevron-down'));
  return b;
}

export class Header {
  readonly element: HTMLElement;
  private readonly key = el('h1', { class: 'key' });
  private readonly roBadge = el('span', { class: 'badge ro', text: 'read-only', title: 'This connection is read-only: writes are disabled.' });
  private readonly goneBadge = el('span', { class: 'badge gone', text: 'key deleted' });
  private readonly count = el('span', { class: 'meta count' });
  private readonly ttlButton: HTMLButtonElement;
  private readonly conn = el('span', { class: 'meta conn' });
  private readonly progress = el('span', { class: 'progress-text' });
  private readonly bar = el('div', { class: 'bar-fill' });
  private readonly stopButton: HTMLButtonElement;
  private readonly resumeButton: HTMLButtonElement;
  private readonly pattern = searchBox('Load fields matching a pattern', 'e.g. user:*', 'Loads only the fields whose names match this pattern (HSCAN MATCH; * and ? are wildcards). Enter applies it.');
  private readonly lookupInput = searchBox('Go to field', 'exact field name', 'Jumps to the field with exactly this name (HGET: instant on a hash of any size). Enter goes.');
  private readonly filterInput = searchBox('Filter loaded fields', 'text in names or values', 'Shows only the loaded fields whose name or value contains this text.');
  readonly note = el('div', { class: 'note', role: 'status', 'aria-live': 'polite' });
  private readonly selected = el('span', { class: 'meta selection-count', role: 'status', 'aria-live': 'polite' });
  private readonly writeButtons: HTMLButtonElement[] = [];
  private readonly fieldTtlButton: HTMLButtonElement;
  private ttlEditing = false;
  private failed = false;

  constructor(private readonly actions: HeaderActions) {
    this.ttlButton = button('TTL', { icon: 'watch', cls: 'link ttl', onClick: () => this.editTtl() });
    this.stopButton = button('Stop', { icon: 'debug-stop', cls: 'secondary small', onClick: () => actions.stop() });
    // after a failure "Try again" starts over: the cursor of a page that failed is not trusted
    this.resumeButton = button('Resume', { icon: 'debug-continue', cls: 'secondary small', onClick: () => (this.failed ? actions.refresh() : actions.resume()) });
    const refresh = button('Refresh', { icon: 'refresh', iconOnly: true, cls: 'icon', title: 'Refresh: load the hash again from the server', onClick: () => actions.refresh() });
    const onEnter = (input: HTMLInputElement, run: (v: string) => void) =>
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          run(input.value);
        }
      });
    onEnter(this.pattern, (v) => actions.match(v));
    onEnter(this.lookupInput, (v) => v && actions.lookup(v));
    let timer = 0;
    this.filterInput.addEventListener('input', () => {
      clearTimeout(timer);
      timer = window.setTimeout(() => actions.filter(this.filterInput.value), 200);
    });
    const write = (b: HTMLButtonElement) => {
      this.writeButtons.push(b);
      return b;
    };
    // shown only where the server has field TTLs (update())
    this.fieldTtlButton = write(button('TTL', { icon: 'watch', cls: 'tool', title: "Set the selected field's TTL (T)", onClick: () => actions.fieldTtl() }));
    this.fieldTtlButton.setAttribute('aria-label', 'Field TTL');
    this.fieldTtlButton.hidden = true;
    const copy = menuButton('Copy', 'copy', 'Copy the name, value, rows as JSON, decoded value or base64 (Ctrl+C copies the value)', (at) => actions.copyMenu(at));
    const more: HTMLButtonElement = button('Actions', { icon: 'ellipsis', cls: 'tool', title: "Everything you can do with the selected row (Shift+F10, or right-click the row)", onClick: () => actions.rowMenu(below(more)) });
    more.setAttribute('aria-haspopup', 'menu');
    const sel = menuButton('Selection', 'checklist', 'Select all loaded (Ctrl+A) or every field matching a pattern; delete, export or set the TTL of the selection', (at) => actions.selectionMenu(at));
    const tools = el(
      'div',
      { class: 'actions', role: 'toolbar', 'aria-label': 'Row actions' },
      write(button('Add', { icon: 'add', cls: 'tool', title: 'Add a field (Insert)', onClick: () => actions.add() })),
      button('Edit', { icon: 'edit', cls: 'tool', title: 'Edit the selected value (Enter, or double-click it)', onClick: () => actions.edit() }),
      write(button('Rename', { icon: 'rename', cls: 'tool', title: 'Rename the selected field (F2, or double-click its name)', onClick: () => actions.rename() })),
      this.fieldTtlButton,
      write(button('Delete', { icon: 'trash', cls: 'tool', title: 'Delete the selected fields (Delete); asks first', onClick: () => actions.remove() })),
      copy,
      more,
      sel,
      this.selected,
    );
    for (const [b, name] of [
      [tools.children[0], 'Add field'],
      [tools.children[1], 'Edit value'],
      [tools.children[2], 'Rename field'],
      [tools.children[4], 'Delete selected fields'],
    ] as const) b.setAttribute('aria-label', name);
    this.element = el(
      'header',
      { class: 'hdr' },
      el('div', { class: 'title-row' }, this.key, this.roBadge, this.goneBadge, this.count, this.ttlButton, this.conn, el('span', { class: 'grow' }), refresh),
      el('div', { class: 'status-row', role: 'status', 'aria-live': 'polite' }, this.progress, this.stopButton, this.resumeButton, el('div', { class: 'bar', 'aria-hidden': 'true' }, this.bar)),
      el(
        'div',
        { class: 'toolbar' },
        el('div', { class: 'search' }, this.labelled('Pattern', this.pattern), this.labelled('Go to', this.lookupInput), this.labelled('Filter', this.filterInput)),
        tools,
      ),
      this.note,
    );
  }

  /** Puts a part of the title row after the connection (the live-updates status). */
  place(part: HTMLElement): void {
    this.conn.after(part);
  }

  /** A search box with a visible word before it (the box's own aria-label says the whole of it). */
  private labelled(text: string, input: HTMLInputElement): HTMLElement {
    return el('label', { class: 'input-wrap' }, el('span', { class: 'input-label', text, 'aria-hidden': 'true' }), input);
  }

  /** What is selected, beside the Selection button ("" hides it). */
  selection(text: string): void {
    setText(this.selected, text);
  }

  update(h: HeaderInfo): void {
    setText(this.key, h.key.text);
    this.key.title = h.key.text;
    this.roBadge.hidden = !h.readOnly;
    this.goneBadge.hidden = h.exists;
    setText(this.count, h.fieldCount === null ? '' : `${formatCount(h.fieldCount)} field${h.fieldCount === 1 ? '' : 's'}`);
    if (!this.ttlEditing) setText(this.ttlButton.lastChild as Element, `TTL: ${h.exists ? formatTtl(h.ttl) : '—'}`);
    this.ttlButton.disabled = h.readOnly || !h.exists;
    setText(this.conn, `${h.connection} · db ${h.db}`);
    for (const b of this.writeButtons) b.disabled = h.readOnly || !h.exists;
    this.fieldTtlButton.hidden = !h.fieldTtl;
    this.currentTtl = h.ttl;
  }

  private currentTtl = -1;

  status(s: StatusInfo): void {
    const loaded = formatCount(s.loaded);
    let text: string;
    if (s.match) text = `${loaded} field${s.loaded === 1 ? '' : 's'} matching ${s.match}`;
    // fewer on the server than the table holds once loaded (the key deleted, the table keeping its rows): no "3 of 0"
    else if (s.total !== null && !(s.load === 'done' && s.total < s.loaded)) text = `${loaded} of ${formatCount(s.total)} loaded`;
    else text = `${loaded} loaded`;
    if (s.load === 'loading') text += ' — loading…';
    else if (s.load === 'stopped') text += ' — stopped';
    else if (s.load === 'error') text += ' — loading failed';
    if (s.message) text += `: ${s.message}`;
    if (s.view.filter) text += ` · ${formatCount(s.view.length)} shown by the filter`;
    setText(this.progress, text);
    this.progress.classList.toggle('error', s.load === 'error');
    this.stopButton.hidden = s.load !== 'loading';
    this.resumeButton.hidden = !(s.load === 'stopped' || s.load === 'error');
    this.failed = s.load === 'error';
    setText(this.resumeButton.lastChild as Element, this.failed ? 'Try again' : 'Resume');
    // the count read before a load that failed is no longer known to be true
    this.count.hidden = s.load === 'error';
    const pct = s.load === 'done' ? 100 : s.total ? Math.min(100, (100 * s.loaded) / s.total) : 0;
    this.bar.style.width = `${pct}%`;
    this.bar.parentElement?.classList.toggle('active', s.load === 'loading');
    if (this.pattern !== document.activeElement) this.pattern.value = s.match;
  }

  private editTtl(): void {
    if (this.ttlEditing) return;
    this.ttlEditing = true;
    const input = el('input', { type: 'number', min: 0, class: 'text-input ttl-input', 'aria-label': 'TTL in seconds (empty or 0: no TTL)' });
    input.value = this.currentTtl > 0 ? String(this.currentTtl) : '';
    const done = (save: boolean) => {
      if (!this.ttlEditing) return;
      this.ttlEditing = false;
      input.replaceWith(this.ttlButton);
      if (save) this.actions.setTtl(input.value.trim() === '' ? 0 : Math.floor(Number(input.value)));
      this.ttlButton.focus();
    };
    input.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== 'Escape') return;
      // the key must not go on to the TTL button that takes the focus back: Enter would open this box again
      e.preventDefault();
      done(e.key === 'Enter');
    });
    input.addEventListener('blur', () => done(false));
    this.ttlButton.replaceWith(input);
    input.focus();
  }
}
