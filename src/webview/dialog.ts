import { button, el } from './dom';

/*
 * One modal dialog at a time, drawn in the page (window.confirm and friends are blocked in webviews).
 * Escape closes it, Ctrl+Enter runs the primary button, focus returns to where it was.
 */

export interface DialogButton {
  label: string;
  primary?: boolean;
  icon?: string;
  run(): void | Promise<void>;
}

export class Dialog {
  private backdrop: HTMLElement | undefined;
  private errorLine: HTMLElement | undefined;
  private restoreFocus: HTMLElement | null = null;
  private primary: (() => void) | undefined;
  private onClose: (() => void) | undefined;

  get isOpen(): boolean {
    return this.backdrop !== undefined;
  }

  open(title: string, content: Array<Node | string>, buttons: DialogButton[], opts: { focus?: HTMLElement; onClose?: () => void; wide?: boolean } = {}): void {
    this.close();
    this.restoreFocus = document.activeElement as HTMLElement | null;
    this.onClose = opts.onClose;
    const titleId = 'dialog-title';
    this.errorLine = el('div', { class: 'dialog-error', role: 'alert' });
    const bar = el('div', { class: 'dialog-buttons' });
    const box = el(
      'div',
      { class: `dialog${opts.wide ? ' wide' : ''}`, role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId },
      el('h2', { id: titleId, class: 'dialog-title', text: title }),
      el('div', { class: 'dialog-content' }, ...content),
      this.errorLine,
      bar,
    );
    this.setButtons(bar, buttons);
    this.backdrop = el('div', { class: 'dialog-backdrop' }, box);
    this.backdrop.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        this.close();
      } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && this.primary) {
        e.preventDefault();
        this.primary();
      } else if (e.key === 'Tab') {
        this.trapTab(e, box);
      }
    });
    document.body.append(this.backdrop);
    (opts.focus ?? (box.querySelector('textarea, input, button') as HTMLElement | null))?.focus();
  }

  /** Replaces the buttons (e.g. a conflict offers Overwrite / Reload instead of Save). */
  buttons(buttons: DialogButton[]): void {
    const bar = this.backdrop?.querySelector('.dialog-buttons');
    if (bar) this.setButtons(bar as HTMLElement, buttons);
  }

  error(message: string): void {
    if (this.errorLine) this.errorLine.textContent = message;
  }

  close(): void {
    if (!this.backdrop) return;
    this.backdrop.remove();
    this.backdrop = undefined;
    this.primary = undefined;
    const cb = this.onClose;
    this.onClose = undefined;
    cb?.();
    this.restoreFocus?.focus();
  }

  private setButtons(bar: HTMLElement, buttons: DialogButton[]): void {
    bar.replaceChildren();
    this.primary = undefined;
    for (const b of buttons) {
      const btn = button(b.label, { icon: b.icon, cls: b.primary ? 'primary' : 'secondary' });
      const run = () => {
        if (btn.disabled) return;
        this.error('');
        const busy = b.run();
        if (busy instanceof Promise) {
          for (const x of Array.from(bar.querySelectorAll('button'))) x.disabled = true;
          void busy
            .catch((err: unknown) => this.error(err instanceof Error ? err.message : String(err)))
            .finally(() => {
              for (const x of Array.from(bar.querySelectorAll('button'))) x.disabled = false;
            });
        }
      };
      btn.addEventListener('click', run);
      if (b.primary) this.primary = run;
      bar.append(btn);
    }
  }

  private trapTab(e: KeyboardEvent, box: HTMLElement): void {
    const focusable = Array.from(box.querySelectorAll<HTMLElement>('button:not([disabled]), textarea, input, [tabindex="0"]'));
    if (focusable.length === 0) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }
}
