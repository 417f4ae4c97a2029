import type { CopyWhat, DisplayValue, HeaderInfo, HostEvent, HostMessage, PersistedState, RowDto, SortBy, StatusInfo, WriteResult } from '../shared/protocol';
import { RequestClient } from '../shared/protocol';
import { Dialog } from './dialog';
import { el, formatCount } from './dom';
import type { EditorContext } from './editors';
import { addField, editValue, looksLikeJson, renameField } from './editors';
import { editFieldTtl } from './fieldTtlEditor';
import { Grid } from './grid';
import { Header } from './header';
import { RowCache } from './rowCache';
import { ValuePane } from './valuePane';

/*
 * The hash editor page. It holds no Redis data of its own beyond the rows on screen: it says `ready`,
 * gets the header and loading status, and asks the extension for the rows it shows.
 */

interface VsCodeApi {
  postMessage(msg: unknown): void;
  setState(state: PersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
const rpc = new RequestClient((m) => api.postMessage(m));
const dialog = new Dialog();
let header: HeaderInfo | undefined;
let status: StatusInfo | undefined;
let noteTimer = 0;

const readOnly = () => header?.readOnly !== false || header.exists === false;
const fieldTtl = () => header?.fieldTtl === true;
const gen = () => status?.gen ?? 0;

function notify(message: string, level: 'info' | 'error' = 'info'): void {
  const note = headerView.note;
  note.textContent = message;
  note.className = `note ${level}`;
  note.setAttribute('role', level === 'error' ? 'alert' : 'status');
  clearTimeout(noteTimer);
  if (level === 'info') noteTimer = window.setTimeout(() => (note.textContent = ''), 8000);
}

function failed(err: unknown): void {
  notify(err instanceof Error ? err.message : String(err), 'error');
}

const ctx: EditorContext = {
  rpc,
  dialog,
  gen,
  readOnly,
  fieldTtl,
  notify,
  reveal: (field) => void lookup(field),
};

async function lookup(field: DisplayValue): Promise<void> {
  const r = await rpc.request('lookup', { field });
  if (!r.found) return notify(`No field named "${field.text}" in this hash.`);
  grid.select(r.position);
  grid.focus();
}

function query(changes: { match?: string; filter?: string; sort?: StatusInfo['view']['sort'] }): void {
  if (!status) return;
  const v = status.view;
  rpc.request('query', { match: changes.match ?? status.match, filter: changes.filter ?? v.filter, sort: changes.sort === undefined ? v.sort : changes.sort }).catch(failed);
}

/** Enter on a row: short single-line text is edited in the cell, anything else in the dialog. */
async function edit(pos: number, row: RowDto): Promise<void> {
  const g = gen();
  const d = await rpc.request('detail', { gen: g, id: row.id, full: false });
  const rowEl = grid.rowElement(pos);
  const cell = rowEl?.querySelector<HTMLElement>('.cell.value');
  const simple = !readOnly() && !d.truncated && d.value.utf8 && !d.value.text.includes('\n') && d.value.text.length <= 200 && !looksLikeJson(d.value.text);
  if (!simple || !cell) return editValue(ctx, row);
  const input = el('input', { type: 'text', class: 'inline-edit text-input', 'aria-label': `Value of ${d.field.text}`, spellcheck: 'false' });
  input.value = d.value.text;
  grid.pinned = pos;
  cell.classList.add('editing');
  cell.append(input);
  let open = true;
  const finish = () => {
    if (!open) return;
    open = false;
    input.remove();
    cell.classList.remove('editing');
    grid.pinned = -1;
    grid.schedule();
    grid.focus();
  };
  const save = async () => {
    const mine = { text: input.value, utf8: true };
    let r: WriteResult;
    try {
      r = await rpc.request('edit', { gen: g, id: row.id, value: mine });
    } catch (err) {
      finish();
      return failed(err);
    }
    finish();
    if (r.status === 'ok') notify('Saved the value.');
    else if (r.status === 'noop') notify('No change: the value is the same, nothing was written.');
    else await editValue(ctx, row, mine, r);
  };
  input.addEventListener('keydown', (e) => {
    e.stopPropagation();
    if (e.key === 'Enter') {
      e.preventDefault();
      void save();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      finish();
    }
  });
  input.addEventListener('blur', () => setTimeout(finish, 0));
  input.focus();
  input.select();
}

const cache = new RowCache(rpc, () => grid.schedule(), failed);
const grid = new Grid(cache, {
  edit: (pos, row) => void edit(pos, row).catch(failed),
  rename: (_pos, row) => {
    if (!readOnly()) void renameField(ctx, row).catch(failed);
  },
  deleteSelection: () => void removeSelected().catch(failed),
  copyValues: () => void copy('value'),
  editTtl: (pos, row) => {
    if (fieldTtl()) editFieldTtl(ctx, grid, pos, row, cache.receivedAt(pos));
  },
  sort: (by: SortBy) => {
    const s = status?.view.sort;
    query({ sort: s?.by !== by ? { by, descending: false } : s.descending ? null : { by, descending: true } });
  },
  selectionChanged: () => pane.show(grid.rowAtCursor()),
});

const pane = new ValuePane({
  rpc,
  gen,
  notify,
  conflict: async () => notify('The value changed on the server since the pane showed it; nothing was written. The pane shows the new value: edit it again.', 'error'),
});

async function removeSelected(): Promise<void> {
  if (readOnly()) return;
  const ids = grid.selectedIds();
  if (ids.length === 0) return;
  const r = await rpc.request('delete', { gen: gen(), ids });
  if (!r.cancelled) notify(`Deleted ${formatCount(r.deleted)} field${r.deleted === 1 ? '' : 's'}.`);
  grid.resetSelection();
  grid.focus();
}

async function copy(what: CopyWhat): Promise<void> {
  const ids = grid.selectedIds();
  if (ids.length === 0) return;
  try {
    const r = await rpc.request('copy', { gen: gen(), ids, what });
    const label = { row: 'as JSON', name: 'the name', value: 'the value', decoded: 'the decoded value', base64: 'the value as base64' }[what];
    notify(`Copied ${label}${r.copied > 1 ? ` of ${formatCount(r.copied)} rows` : ''}.`);
  } catch (err) {
    failed(err);
  }
}

const headerView = new Header({
  refresh: () => rpc.request('load', { action: 'refresh' }).catch(failed),
  stop: () => rpc.request('load', { action: 'stop' }).catch(failed),
  resume: () => rpc.request('load', { action: 'resume' }).catch(failed),
  setTtl: (ttl) => rpc.request('setTtl', { ttl }).then(() => notify(ttl > 0 ? `TTL set to ${ttl} s.` : 'TTL removed.'), failed),
  match: (pattern) => query({ match: pattern }),
  lookup: (text) => void lookup({ text, utf8: true }).catch(failed),
  filter: (text) => query({ filter: text }),
  add: () => {
    if (!readOnly()) addField(ctx);
  },
  edit: () => {
    const r = grid.rowAtCursor();
    if (r && r.id >= 0) void edit(grid.cursor, r).catch(failed);
  },
  rename: () => {
    const r = grid.rowAtCursor();
    if (r && r.id >= 0 && !readOnly()) void renameField(ctx, r).catch(failed);
  },
  remove: () => void removeSelected().catch(failed),
  copy: (what) => void copy(what),
  fieldTtl: () => {
    const r = grid.rowAtCursor();
    if (r && r.id >= 0 && fieldTtl()) editFieldTtl(ctx, grid, grid.cursor, r, cache.receivedAt(grid.cursor));
  },
});

const viewNote = el('div', { class: 'view-note', role: 'status' });
const empty = el('div', { class: 'empty' });
document.getElementById('app')?.append(headerView.element, viewNote, el('div', { class: 'table-wrap' }, grid.element, empty), pane.element);

function applyHeader(h: HeaderInfo): void {
  header = h;
  headerView.update(h);
  grid.setTtlColumn(h.fieldTtl);
  api.setState({ connection: h.connection, db: h.db, key: h.keyBase64 });
}

function applyStatus(s: StatusInfo): void {
  const newView = !status || status.gen !== s.gen || status.view.version !== s.view.version;
  status = s;
  headerView.status(s);
  cache.reset(s.view.version, s.view.length);
  grid.setLength(s.view.length);
  grid.setSort(s.view.sort);
  if (newView) grid.resetSelection();
  viewNote.textContent = viewNoteText(s);
  empty.textContent = s.view.length > 0 || s.load === 'loading' ? '' : s.view.filter || s.match ? 'No field matches.' : header?.exists === false ? 'This key does not exist.' : 'No fields.';
}

/** What the view covers when it is not simply every field: a sort or filter over part of the hash, TTLs still being read. */
function viewNoteText(s: StatusInfo): string {
  const partial = s.load !== 'done' || s.match !== '';
  const sort = s.view.sort;
  if (s.ttlRead) return `Reading field TTLs to sort by: ${formatCount(s.ttlRead.done)} of ${formatCount(s.ttlRead.total)}…`;
  if (sort?.by === 'ttl') {
    const order = sort.descending ? 'fields without a TTL first, then the latest expiry' : 'soonest expiry first, fields without a TTL after';
    const unknown = s.view.ttlUnknown ? ` ${formatCount(s.view.ttlUnknown)} fields loaded since are last until their TTLs are read.` : '';
    return `Sorted by TTL (${order})${partial ? ` over the ${formatCount(s.view.length)} fields loaded so far` : ''}.${unknown}`;
  }
  if (sort && partial) return `Sorted by ${sort.by} over the ${formatCount(s.view.length)} fields loaded so far: not all fields are loaded.`;
  return s.view.filter && partial ? 'The filter covers the fields loaded so far.' : '';
}

function onEvent(e: HostEvent): void {
  switch (e.type) {
    case 'init':
      applyHeader(e.header);
      applyStatus(e.status);
      grid.focus();
      break;
    case 'header':
      applyHeader(e.header);
      break;
    case 'status':
      applyStatus(e.status);
      break;
    case 'invalidate':
      cache.invalidate();
      grid.schedule();
      pane.refresh();
      break;
    case 'notice':
      notify(e.message, e.level === 'error' ? 'error' : 'info');
      break;
  }
}

window.addEventListener('message', (ev: MessageEvent<HostMessage>) => {
  const msg = ev.data;
  if (!msg || typeof msg !== 'object') return;
  if (msg.kind === 'reply') rpc.handleReply(msg);
  else if (msg.kind === 'event') onEvent(msg.event);
});

api.postMessage({ kind: 'ready' });
