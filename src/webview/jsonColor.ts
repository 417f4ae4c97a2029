import { el } from './dom';

/** Above this, JSON is shown as plain text: colouring millions of tokens would hold the page. */
const MAX_COLOURED = 256 * 1024;
const TOKEN = /("(?:[^"\\]|\\.)*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([{}[\],])/g;

/** JSON text as spans (set as text, never HTML): keys, strings, numbers, literals, punctuation. */
export function colouredJson(text: string): HTMLElement {
  const pre = el('pre', { class: 'pane-text json' });
  if (text.length > MAX_COLOURED) {
    pre.textContent = text;
    return pre;
  }
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    const at = m.index ?? 0;
    if (at > last) pre.append(text.slice(last, at));
    const cls = m[1] !== undefined ? (m[2] !== undefined ? 'j-key' : 'j-str') : m[3] !== undefined ? 'j-lit' : m[4] !== undefined ? 'j-num' : 'j-punc';
    pre.append(el('span', { class: cls, text: m[1] !== undefined ? m[1] : m[0] }));
    if (m[2] !== undefined) pre.append(m[2]);
    last = at + m[0].length;
  }
  if (last < text.length) pre.append(text.slice(last));
  return pre;
}
