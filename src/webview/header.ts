import type { CopyWhat, HeaderInfo, StatusInfo } from '../shared/protocol';
import { button, el, formatCount, formatTtl, setText } from './dom';

/* The top of the editor: key, counts, TTL, connection, loading progress, search inputs and row actions. */

export interface HeaderActions {
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
  private readonly pattern = el('input', { type: 'search', class: 'text-input', placeholder: 'Field pattern, e.g. user:*', title: 'Field pattern (HSCAN MATCH): loads only matching fields', 'aria-label': 'Field pattern' });
  private readonly lookupInput = el('input', { type: 'search', class: 'text-input', placeholder: 'Exact field name', title: 'Exact field lookup (HGET), instant on any size', 'aria-label': 'Exact field name' });
  private readonly filterInput = el('input', { type: 'search', class: 'text-input', placeholder: 'Filter loaded names and values', title: 'Substring filter over the loaded names and values', 'aria-label': 'Filter loaded names and values' });
  readonly note = el('div', { class: 'note', role: 'status', 'aria-live': 'polite' });
  private readonly writeButtons: HTMLButtonElement[] = [];
  private readonly fieldTtlButton: HTMLButtonElement;
  private ttlEditing = false;

  constructor(private readonly actions: HeaderActions) {
    this.ttlButton = button('TTL', { icon: 'watch', cls: 'link ttl', onClick: () => this.editTtl() });
    this.stopButton = button('Stop', { icon: 'debug-stop', cls: 'secondary small', onClick: () => actions.stop() });
    this.resumeButton = button('Resume', { icon: 'debug-continue', cls: 'secondary small', onClick: () => actions.resume() });
    const refresh = button('Refresh', { icon: 'refresh', iconOnly: true, cls: 'icon', onClick: () => actions.refresh() });
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
    this.fieldTtlButton = write(button('Set field TTL (T)', { icon: 'watch', iconOnly: true, cls: 'icon', onClick: () => actions.fieldTtl() }));
    this.fieldTtlButton.hidden = true;
    const tools = el(
      'div',
      { class: 'actions', role: 'toolbar', 'aria-label': 'Row actions' },
      write(button('Add field', { icon: 'add', iconOnly: true, cls: 'icon', onClick: () => actions.add() })),
      button('Edit value (Enter)', { icon: 'edit', iconOnly: true, cls: 'icon', onClick: () => actions.edit() }),
      write(button('Rename field (F2)', { icon: 'symbol-field', iconOnly: true, cls: 'icon', onClick: () => actions.rename() })),
      this.fieldTtlButton,
      write(button('Delete selected (Delete)', { icon: 'trash', iconOnly: true, cls: 'icon', onClick: () => actions.remove() })),
      button('Copy name', { icon: 'symbol-key', iconOnly: true, cls: 'icon', onClick: () => actions.copy('name') }),
      button('Copy value (Ctrl+C)', { icon: 'copy', iconOnly: true, cls: 'icon', onClick: () => actions.copy('value') }),
      button('Copy rows as JSON', { icon: 'json', iconOnly: true, cls: 'icon', onClick: () => actions.copy('row') }),
      button('Copy value decoded', { icon: 'symbol-string', iconOnly: true, cls: 'icon', onClick: () => actions.copy('decoded') }),
      button('Copy value as base64', { icon: 'file-binary', iconOnly: true, cls: 'icon', onClick: () => actions.copy('base64') }),
    );
    this.element = el(
      'header',
      { class: 'hdr' },
      el('div', { class: 'title-row' }, this.key, this.roBadge, this.goneBadge, this.count, this.ttlButton, this.conn, el('span', { class: 'grow' }), refresh),
      el('div', { class: 'status-row', role: 'status', 'aria-live': 'polite' }, this.progress, this.stopButton, this.resumeButton, el('div', { class: 'bar', 'aria-hidden': 'true' }, this.bar)),
      el(
        'div',
        { class: 'toolbar' },
        el('div', { class: 'search' }, this.withIcon('regex', this.pattern), this.withIcon('search', this.lookupInput), this.withIcon('filter', this.filterInput)),
        tools,
      ),
      this.note,
    );
  }

  private withIcon(name: string, input: HTMLInputElement): HTMLElement {
    return el('div', { class: 'input-wrap' }, el('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' }), input);
  }

  update(h: HeaderInfo): void {
    setText(this.key, h.key.text);
    this.key.title = h.key.text;
    this.roBadge.hidden = !h.readOnly;
    this.goneBadge.hidden = h.exists;
    setText(this.count, h.fieldCount === null ? '' : `${formatCount(h.fieldCount)} field${h.fieldCount === 1 ? '' : 's'}`);
    if (!this.ttlEditing) setText(this.ttlButton.lastChild as Element, `TTL: ${formatTtl(h.ttl)}`);
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
    else if (s.total !== null) text = `${loaded} of ${formatCount(s.total)} loaded`;
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
      if (e.key === 'Enter') done(true);
      else if (e.key === 'Escape') done(false);
    });
    input.addEventListener('blur', () => done(false));
    this.ttlButton.replaceWith(input);
    input.focus();
  }
}
