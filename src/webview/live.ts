import type { LiveInfo } from '../shared/live';
import { liveText } from '../shared/live';
import type { HostEvent, RequestClient, RowDto } from '../shared/protocol';
import { button, el, setText } from './dom';

/*
 * Live updates in the table: the header's mode and "in step" line with Pause/Resume for this editor, a
 * brief highlight on rows that changed on the server, a "changed on the server" marker on the row being
 * edited (never changed under the user), and a bar when the key was deleted on the server.
 */

/** How long a changed row stays highlighted (the CSS fades it out over the same time). */
const FLASH_MS = 1500;

type LiveEvent = Extract<HostEvent, { type: 'live' }>;

interface LiveViewHost {
  rpc: RequestClient;
  /** the connection is read-only (Recreate is a write) */
  connectionReadOnly(): boolean;
  notify(message: string, level?: 'info' | 'error'): void;
  /** draw the rows on screen again (highlights and markers come and go) */
  redraw(): void;
  /** the element of the row being edited in place, if any (it is not redrawn while edited) */
  editedRow(): { element: HTMLElement; row: RowDto | undefined } | undefined;
}

export class LiveView {
  /** the header's part: mode, when last in step, Pause/Resume */
  readonly element: HTMLElement;
  /** the bar under the header when the key was deleted on the server */
  readonly deletedBar: HTMLElement;
  private readonly text = el('span', { class: 'live-text' });
  private readonly dot = el('span', { class: 'live-dot', 'aria-hidden': 'true' });
  private readonly toggle: HTMLButtonElement;
  private readonly recreate: HTMLButtonElement;
  private info: LiveInfo | undefined;
  /** row id → when its highlight ends */
  private readonly flashing = new Map<number, number>();
  /** rows being edited that changed on the server meanwhile */
  private readonly held = new Set<number>();
  private flashTimer = 0;
  private ticker = 0;

  constructor(private readonly host: LiveViewHost) {
    this.toggle = button('Pause', { icon: 'debug-pause', cls: 'secondary small live-toggle', onClick: () => this.pauseOrResume() });
    this.element = el('span', { class: 'live', role: 'status', 'aria-live': 'polite' }, this.dot, this.text, this.toggle);
    this.element.hidden = true;
    this.recreate = button('Recreate', { icon: 'history', cls: 'primary small', title: 'Write the key again with the fields this table holds', onClick: () => this.act('recreate') });
    this.deletedBar = el(
      'div',
      { class: 'deleted-bar', role: 'alert' },
      el('span', { class: 'codicon codicon-warning', 'aria-hidden': 'true' }),
      el('span', { class: 'deleted-text', text: 'This key was deleted on the server. The table still shows what it held; nothing was written.' }),
      this.recreate,
      button('Close', { icon: 'close', cls: 'secondary small', title: 'Close this editor', onClick: () => this.act('close') }),
    );
    this.deletedBar.hidden = true;
  }

  apply(e: LiveEvent): void {
    this.showInfo(e.info);
    const until = Date.now() + FLASH_MS;
    for (const id of e.changed) {
      this.flashing.set(id, until);
      this.held.delete(id);
    }
    const edited = this.host.editedRow();
    for (const id of e.held) {
      if (!this.held.has(id)) this.host.notify('This row changed on the server while you edit it: what you started from is kept; saving asks which value to keep.');
      this.held.add(id);
    }
    if (edited) this.decorate(edited.element, edited.row);
    if (e.changed.length) this.scheduleFlashEnd();
    this.deletedBar.hidden = !e.deleted;
    this.recreate.disabled = this.host.connectionReadOnly();
    this.host.redraw();
  }

  /** The editing of a row ended: its marker goes (the extension re-reads it). */
  released(id: number): void {
    if (this.held.delete(id)) this.host.redraw();
  }

  /** Called for every row the table draws: the highlight and the marker. */
  decorate(rowEl: HTMLElement, row: RowDto | undefined): void {
    const now = Date.now();
    const flash = row !== undefined && (this.flashing.get(row.id) ?? 0) > now;
    const held = row !== undefined && this.held.has(row.id);
    rowEl.classList.toggle('live-changed', flash);
    rowEl.classList.toggle('live-held', held);
    const fieldCell = rowEl.firstElementChild as HTMLElement | null;
    if (!fieldCell) return;
    let marker = fieldCell.querySelector<HTMLElement>('.live-marker');
    if (!held) {
      if (marker) marker.hidden = true;
      return;
    }
    if (!marker) {
      marker = el('span', { class: 'live-marker', title: 'The value changed on the server since you started editing; saving asks which to keep' }, el('span', { class: 'codicon codicon-cloud', 'aria-hidden': 'true' }), el('span', { text: 'changed on the server' }));
      // between the name and its tag: the table writes those two as the cell's first and last child
      fieldCell.insertBefore(marker, fieldCell.lastChild);
    }
    marker.hidden = false;
  }

  private showInfo(info: LiveInfo): void {
    this.info = info;
    this.element.hidden = false;
    this.element.dataset.state = info.state;
    this.element.title = info.detail ?? '';
    this.paint();
    const paused = info.pausedHere || info.pausedEverywhere;
    setText(this.toggle.lastChild as Element, paused ? 'Resume' : 'Pause');
    (this.toggle.firstChild as HTMLElement).className = `codicon codicon-${paused ? 'debug-continue' : 'debug-pause'}`;
    this.toggle.setAttribute('aria-label', paused ? 'Resume live updates in this editor' : 'Pause live updates in this editor');
    // paused for every view (the global command): resumed there, not here
    this.toggle.disabled = info.state === 'off' || (info.pausedEverywhere && !info.pausedHere);
    this.toggle.title = info.pausedEverywhere ? 'Live updates are paused for every view (Redis: Resume Live Updates)' : paused ? 'Resume: re-read what is shown and follow the server again' : 'Pause: keep the table as it is while the server changes';
    // "in step N s ago" counts while polling or paused
    const counting = info.state !== 'live' && info.state !== 'off' && info.inStepAt !== undefined;
    if (counting && !this.ticker) this.ticker = window.setInterval(() => this.paint(), 1000);
    if (!counting && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = 0;
    }
  }

  private paint(): void {
    if (!this.info) return;
    setText(this.text, this.info.state === 'off' ? 'Live updates off' : liveText(this.info));
  }

  private pauseOrResume(): void {
    const paused = this.info ? this.info.pausedHere || this.info.pausedEverywhere : false;
    this.act(paused ? 'resume' : 'pause');
  }

  private act(action: 'pause' | 'resume' | 'recreate' | 'close'): void {
    this.host.rpc.request('live', { action }).then(
      (info) => {
        this.showInfo(info);
        if (action === 'recreate') this.host.notify('Recreated the key from the table.');
      },
      (err: Error) => this.host.notify(err.message, 'error'),
    );
  }

  private scheduleFlashEnd(): void {
    clearTimeout(this.flashTimer);
    const next = Math.min(...this.flashing.values());
    this.flashTimer = window.setTimeout(
      () => {
        const now = Date.now();
        for (const [id, until] of this.flashing) if (until <= now) this.flashing.delete(id);
        if (this.flashing.size) this.scheduleFlashEnd();
        this.host.redraw();
      },
      Math.max(0, next - Date.now()) + 20,
    );
  }
}
