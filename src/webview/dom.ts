/* Tiny DOM helpers. Text always goes in as textContent: Redis data is never parsed as HTML. */

type Attrs = Record<string, string | number | boolean | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else if (k === 'text') e.textContent = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) e.append(c);
  return e;
}

/** A codicon (decorative). */
export function icon(name: string): HTMLElement {
  return el('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

/** A button with an icon and/or a label; icon-only buttons get the label as aria-label and title. */
export function button(label: string, opts: { icon?: string; iconOnly?: boolean; cls?: string; onClick?: (ev: MouseEvent) => void; title?: string } = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', class: `btn ${opts.cls ?? ''}`.trim(), title: opts.title ?? (opts.iconOnly ? label : undefined) });
  if (opts.icon) b.append(icon(opts.icon));
  if (opts.iconOnly) b.setAttribute('aria-label', label);
  else b.append(el('span', { text: label }));
  if (opts.onClick) b.addEventListener('click', opts.onClick);
  return b;
}

export function setText(e: Element, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

