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

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatTtl(ttl: number): string {
  if (ttl === -1) return 'no TTL';
  if (ttl < 0) return '—';
  if (ttl < 120) return `${ttl} s`;
  if (ttl < 7200) return `${Math.round(ttl / 60)} min`;
  if (ttl < 172800) return `${Math.round(ttl / 3600)} h`;
  return `${Math.round(ttl / 86400)} d`;
}
