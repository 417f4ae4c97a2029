import { el, icon } from './dom';

/*
 * A small menu drawn in the page: the row's context menu (right-click, Shift+F10, the context-menu key, the
 * toolbar's Actions button) and the Copy button's list. WAI-ARIA menu pattern: arrows, Home/End, a letter
 * jumps to the next item starting with it, Enter or Space runs, Escape or Tab closes; focus goes back where it was.
 */

interface MenuItem {
  label: string;
  /** the shortcut shown beside the label, e.g. "F2" */
  keys?: string;
  icon?: string;
  disabled?: boolean;
  run(): void;
}

/** null items draw a separator */
export type MenuEntry = MenuItem | null;

let open: { close(restore: boolean): void } | undefined;

/** Opens a menu at a point of the page (clamped to the window); the first enabled item has the focus. */
export function showMenu(label: string, entries: MenuEntry[], at: { x: number; y: number }): void {
  open?.close(false);
  const restore = document.activeElement as HTMLElement | null;
  const items: HTMLElement[] = [];
  const menu = el('div', { class: 'menu', role: 'menu', 'aria-label': label });
  for (const entry of entries) {
    if (!entry) {
      menu.append(el('div', { class: 'menu-separator', role: 'separator' }));
      continue;
    }
    const item = el(
      'div',
      { class: 'menu-item', role: 'menuitem', tabindex: -1, 'aria-disabled': entry.disabled ? 'true' : undefined },
      entry.icon ? icon(entry.icon) : el('span', { class: 'codicon codicon-blank', 'aria-hidden': 'true' }),
      el('span', { class: 'menu-label', text: entry.label }),
      el('span', { class: 'menu-keys', text: entry.keys ?? '' }),
    );
    if (entry.keys) item.setAttribute('aria-keyshortcuts', entry.keys.replace(/Ctrl/g, 'Control'));
    const run = () => {
      if (entry.disabled) return;
      close(true);
      entry.run();
    };
    item.addEventListener('click', run);
    item.addEventListener('pointermove', () => item.focus());
    items.push(item);
    menu.append(item);
  }
  const enabled = () => items.filter((i) => i.getAttribute('aria-disabled') !== 'true');
  const move = (delta: number | 'first' | 'last') => {
    const list = enabled();
    if (list.length === 0) return;
    const at = list.indexOf(document.activeElement as HTMLElement);
    const next = delta === 'first' ? 0 : delta === 'last' ? list.length - 1 : (at + delta + list.length) % list.length;
    list[next].focus();
  };
  menu.addEventListener('keydown', (e) => {
    // the workbench must not act on keys meant for the menu
    e.stopPropagation();
    const k = e.key;
    if (k === 'ArrowDown' || k === 'ArrowUp' || k === 'Home' || k === 'End') {
      e.preventDefault();
      move(k === 'ArrowDown' ? 1 : k === 'ArrowUp' ? -1 : k === 'Home' ? 'first' : 'last');
    } else if (k === 'Enter' || k === ' ') {
      e.preventDefault();
      (document.activeElement as HTMLElement | null)?.click();
    } else if (k === 'Escape' || k === 'Tab' || (k === 'F10' && e.shiftKey) || k === 'ContextMenu') {
      e.preventDefault();
      close(true);
    } else if (k.length === 1 && /\S/.test(k)) {
      const list = enabled();
      const from = list.indexOf(document.activeElement as HTMLElement);
      for (let i = 1; i <= list.length; i++) {
        const cand = list[(from + i) % list.length];
        if (cand.textContent?.toLowerCase().startsWith(k.toLowerCase())) return cand.focus();
      }
    }
  });
  const outside = (e: Event) => {
    if (!menu.contains(e.target as Node)) close(false);
  };
  function close(restoreFocus: boolean): void {
    if (open !== handle) return;
    open = undefined;
    document.removeEventListener('pointerdown', outside, true);
    window.removeEventListener('blur', onBlur);
    menu.remove();
    if (restoreFocus) restore?.focus();
  }
  const onBlur = () => close(false);
  const handle = { close };
  open = handle;
  document.body.append(menu);
  const box = menu.getBoundingClientRect();
  menu.style.left = `${Math.max(0, Math.min(at.x, window.innerWidth - box.width - 4))}px`;
  menu.style.top = `${Math.max(0, at.y + box.height > window.innerHeight ? at.y - box.height : at.y)}px`;
  document.addEventListener('pointerdown', outside, true);
  window.addEventListener('blur', onBlur);
  move('first');
}
