import type { CopyWhat, DisplayValue, HeaderInfo, HostEvent, HostMessage, PersistedState, RowDto, SortBy, StatusInfo } from '../shared/protocol';
import { RequestClient } from '../shared/protocol';
import { formatTtl } from '../shared/format';
import { Dialog } from './dialog';
import { button, el, formatCount } from './dom';
import type { EditorContext } from './editors';
import { addField, editValue, renameField } from './editors';
import { editFieldTtl } from './fieldTtlEditor';
import { Grid } from './grid';
import { Header } from './header';
import { editRow } from './inlineEdit';
import { loadIconFont } from './icons';
import { LiveView } from './live';
import { showMenu } from './menu';
import type { MenuEntry } from './menu';
import { RowCache } from './rowCache';
import type { SelectionContext } from './selection';
import { rangeIds, runBulk, selectAllLoaded, selectionMenu, selectionText } from './selection';
import { ValuePane } from './valuePane';
import { emptyText, viewNoteText } from './viewNote';

/*
 * The hash editor page. It holds no Redis data of its own beyond the rows on screen: it says `ready`,
 * gets the header and loading status, and asks the extension for the rows it shows.
 */

interface VsCodeApi {
  postMessage(msg: unknown): void;
  setState(state: PersistedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

loadIconFont();
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
  editing: (id) => editing(id),
  reveal: (field) => void lookup(field).catch(failed),
  editExisting: (field) =>
    void lookup(field)
      .then((row) => row && editValue(ctx, row))
      .catch(failed),
};

/** Tells the extension which row is being edited (live updates leave it as the user saw it); null: none. */
let editedId: number | null = null;
function editing(id: number | null): void {
  const before = editedId;
  editedId = id;
  if (before !== null && before !== id) live.released(before);
  if (before !== id) rpc.request('editing', { gen: gen(), id }).catch(() => undefined);
}

/** Selects a field's row (HGET, any size) and gives the table the focus; resolves with the row, if found. */
async function lookup(field: DisplayValue): Promise<RowDto | undefined> {
  const r = await rpc.request('lookup', { field });
  if (!r.found) {
    notify(`No field named "${field.text}" in this hash.`);
    return undefined;
  }
  grid.select(r.position);
  grid.focus();
  return r.row;
}

// Ctrl+A in a text box selects its text here. Let through, the workbench would answer with a "select all"
// of its own a moment later, selecting what was typed since, so the next key replaced it (keys looked lost).
document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement;
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'a' && (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement)) e.stopPropagation();
});

function query(changes: { match?: string; filter?: string; sort?: StatusInfo['view']['sort'] }): void {
  if (!status) return;
  const v = status.view;
  rpc.request('query', { match: changes.match ?? status.match, filter: changes.filter ?? v.filter, sort: changes.sort === undefined ? v.sort : changes.sort }).catch(failed);
}

/** Enter on a row (inlineEdit.ts): the value edited in the cell or in the dialog. */
function edit(pos: number, row: RowDto): Promise<void> {
  return editRow({ ctx, grid, editedId: () => editedId, failed }, pos, row);
}

const sel: SelectionContext = { rpc, dialog, grid: () => grid, status: () => status, readOnly, fieldTtl, notify, failed };
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
  selectionChanged: () => {
    pane.show(grid.rowAtCursor());
    headerView.selection(selectionText(grid));
  },
  selectAll: () => void selectAllLoaded(sel).catch(failed),
  rangeIds: (start, end) => rangeIds(sel, start, end).catch((err: unknown) => (failed(err), undefined)),
  add: () => {
    if (!readOnly()) addField(ctx);
  },
  menu: (_pos, at) => rowMenu(at),
  decorate: (rowEl, row) => live.decorate(rowEl, row),
});

const live = new LiveView({
  rpc,
  connectionReadOnly: () => header?.readOnly !== false,
  notify,
  redraw: () => grid.schedule(),
  editedRow: () => {
    const pos = grid.pinned;
    const element = pos >= 0 ? grid.rowElement(pos) : undefined;
    return element && { element, row: cache.get(pos) };
  },
});

/** Everything that can be done with the cursor row (or the selection), with the keys that do it. */
function rowMenu(at: { x: number; y: number }): void {
  const row = grid.rowAtCursor();
  const has = row !== undefined && row.id >= 0;
  const ro = readOnly();
  const entries: MenuEntry[] = [
    { label: 'Edit value', keys: 'Enter', icon: 'edit', disabled: !has, run: () => row && void edit(grid.cursor, row).catch(failed) },
    { label: 'Rename field', keys: 'F2', icon: 'rename', disabled: !has || ro, run: () => row && void renameField(ctx, row).catch(failed) },
    ...(fieldTtl() ? [{ label: 'Set field TTL', keys: 'T', icon: 'watch', disabled: !has || ro, run: () => row && editFieldTtl(ctx, grid, grid.cursor, row, cache.receivedAt(grid.cursor)) }] : []),
    { label: 'Open in editor tab', icon: 'go-to-file', disabled: !has, run: () => row && void rpc.request('openValue', { gen: gen(), id: row.id }).catch(failed) },
    null,
    ...copyEntries(has),
    null,
    { label: 'Add field…', keys: 'Insert', icon: 'add', disabled: ro, run: () => addField(ctx) },
    { label: 'Delete', keys: 'Delete', icon: 'trash', disabled: !has || ro, run: () => void removeSelected().catch(failed) },
  ];
  showMenu('Row actions', entries, at);
}

function copyEntries(enabled: boolean): MenuEntry[] {
  const item = (label: string, what: CopyWhat, keys?: string): MenuEntry => ({ label, keys, disabled: !enabled, run: () => void copy(what) });
  return [item('Copy name', 'name'), item('Copy value', 'value', 'Ctrl+C'), item('Copy as JSON', 'row'), item('Copy decoded value', 'decoded'), item('Copy as base64', 'base64')];
}

const pane = new ValuePane({
  rpc,
  gen,
  notify,
  conflict: async () => notify('The value changed on the server since the pane showed it; nothing was written. The pane shows the new value: edit it again.', 'error'),
});

async function removeSelected(): Promise<void> {
  if (readOnly()) return;
  // many rows or a pattern: batches, a confirmation with the count, progress with Cancel
  if (grid.pattern || grid.selected.size > 1) return runBulk(sel, 'delete');
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
  setTtl: (ttl) => rpc.request('setTtl', { ttl }).then(() => notify(ttl > 0 ? `TTL set to ${formatTtl(ttl)}.` : 'TTL removed.'), failed),
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
  copyMenu: (at) => {
    const r = grid.rowAtCursor();
    showMenu('Copy', copyEntries(r !== undefined && r.id >= 0), at);
  },
  rowMenu,
  selectionMenu: (at) => showMenu('Selection', selectionMenu(sel), at),
});

const viewNote = el('div', { class: 'view-note', role: 'status' });
const empty = el('div', { class: 'empty' });
// a load that failed before any row came: said as a failure, with what to do (not as an empty hash)
const failureText = el('p', { class: 'failure-text' });
const failure = el(
  'div',
  { class: 'load-failure', role: 'alert' },
  el('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }),
  failureText,
  button('Try again', { icon: 'refresh', cls: 'primary', onClick: () => void rpc.request('load', { action: 'refresh' }).catch(failed) }),
);
failure.hidden = true;
headerView.place(live.element);
document.getElementById('app')?.append(headerView.element, live.deletedBar, viewNote, el('div', { class: 'table-wrap' }, grid.element, empty, failure), pane.element);

function applyHeader(h: HeaderInfo): void {
  header = h;
  headerView.update(h);
  grid.setTtlColumn(h.fieldTtl);
  showEmpty();
  api.setState({ connection: h.connection, db: h.db, key: h.keyBase64 });
}

/** A status; `located`: rows of its view that came with it, and a row to put back where it was on screen. */
function applyStatus(s: StatusInfo, located?: { rows: RowDto[]; start: number; position: number; y: number }): void {
  const newGen = !status || status.gen !== s.gen;
  const newView = newGen || status?.view.version !== s.view.version;
  status = s;
  headerView.status(s);
  cache.reset(s.view.version, s.view.length);
  if (located) cache.seed(s.view.version, located.start, located.rows);
  grid.setLength(s.view.length, located);
  grid.setSort(s.view.sort);
  // a new generation means other fields under the same row ids; a new view of the same rows keeps the selection
  if (newGen) grid.resetSelection();
  else if (newView) grid.viewChanged();
  viewNote.textContent = viewNoteText(s);
  const failedEmpty = s.load === 'error' && s.view.length === 0;
  failure.hidden = !failedEmpty;
  if (failedEmpty) {
    const where = header ? `${header.key.text} from ${header.connection} (db ${header.db})` : 'this hash';
    failureText.textContent = `Could not load the fields of ${where}${s.message ? `: ${s.message}` : '.'} Nothing was written. Check that the server is reachable, then try again.`;
  }
  showEmpty();
}

/** rows either side of a located row that come with its place (more than a screen) */
const LOCATE_SPAN = 200;
/** a `locate` is out: statuses that come meanwhile are older than its reply's and are dropped */
let locating = false;

/**
 * A status. When the same rows were put in another order under the user (a sorted view re-sorted as rows arrive,
 * rows deleted), the row under the pointer keeps its place: its new position comes with the status and rows of
 * that view in one reply, applied together, so the screen shows neither another row nor placeholders meanwhile.
 */
function onStatus(s: StatusInfo): void {
  if (locating) return;
  const prev = status;
  const reordered = prev && prev.gen === s.gen && prev.view.version !== s.view.version && prev.view.filter === s.view.filter && JSON.stringify(prev.view.sort) === JSON.stringify(s.view.sort);
  const anchor = reordered ? grid.anchorRow() : undefined;
  if (!anchor) return applyStatus(s);
  locating = true;
  rpc.request('locate', { gen: s.gen, id: anchor.id, span: LOCATE_SPAN }).then(
    (r) => {
      locating = false;
      const rows = r.rows?.version === r.status.view.version ? r.rows : null;
      applyStatus(r.status, rows && r.position >= 0 ? { rows: rows.rows, start: rows.start, position: r.position, y: anchor.y } : undefined);
    },
    (err: unknown) => {
      locating = false;
      applyStatus(s);
      failed(err);
    },
  );
}

/** The line in an empty table: why it is empty (a header may say the key is gone after the status came). */
function showEmpty(): void {
  const s = status;
  if (!s) return;
  empty.textContent = emptyText(s, header?.exists !== false);
}

function onEvent(e: HostEvent): void {
  switch (e.type) {
    case 'init':
      applyHeader(e.header);
      applyStatus(e.status);
      if (e.rows) cache.seed(e.rows.version, e.rows.start, e.rows.rows);
      grid.flush();
      grid.focus();
      // once painted (the frame after this one), the extension goes on with the rest of the load
      requestAnimationFrame(() => setTimeout(() => api.postMessage({ kind: 'drawn' }), 0));
      break;
    case 'header':
      applyHeader(e.header);
      break;
    case 'status':
      onStatus(e.status);
      break;
    case 'invalidate':
      cache.invalidate();
      grid.schedule();
      pane.refresh();
      break;
    case 'live':
      live.apply(e);
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

// The first screen's data, when the page came with it (src/hashEditor/html.ts): drawn now, before the load event.
const firstScreen = document.body.dataset.firstScreen;
if (firstScreen) {
  delete document.body.dataset.firstScreen;
  onEvent(JSON.parse(firstScreen) as HostEvent);
}
api.postMessage({ kind: 'ready' });
