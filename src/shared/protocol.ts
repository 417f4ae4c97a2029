/*
 * Messages between the hash editor webview and the extension. Both sides import this file, so it has
 * no vscode and no DOM. The webview asks (requests paired with replies by id); the extension answers and
 * pushes events (snapshots of header and loading status, "rows changed"). The extension validates every
 * incoming message before it acts on it (src/hashEditor/validate.ts).
 */

import type { DecodedValue } from './decoded';
import type { LiveInfo } from './live';

/** A name or value as shown: text when the bytes are UTF-8, else escaped (\xNN, \\). */
export interface DisplayValue {
  text: string;
  utf8: boolean;
}

/** 'ttl': soonest expiry first, then fields without a TTL (servers with field TTLs only) */
export type SortBy = 'field' | 'value' | 'ttl';

export interface SortSpec {
  by: SortBy;
  descending: boolean;
}

/** One table row as the webview shows it: one-line previews, never the raw bytes. */
export interface RowDto {
  /** row number in the extension's store; stable while `gen` is */
  id: number;
  field: string;
  fieldBinary: boolean;
  value: string;
  valueBinary: boolean;
  /** full byte length of the value on the server */
  length: number;
  /** only a prefix of the value is held (it is over 64 KB); the full value is fetched on demand */
  truncated: boolean;
  /**
   * field TTL in seconds as the server said when the row was fetched (-1: none, -2: the field is gone),
   * only when the server has field TTLs; the webview counts it down from when the reply arrived
   */
  ttl?: number;
  /** the decoder chain of the value when it is not plain text (e.g. "gzip+json") */
  decoder?: string;
  /** a one-line preview of the decoded value */
  decoded?: string;
}

export interface HeaderInfo {
  connection: string;
  db: number;
  key: DisplayValue;
  /** the key's bytes, base64: what the webview saves with setState so a reload can restore the editor */
  keyBase64: string;
  readOnly: boolean;
  /** server supports field TTLs (HTTL, Redis 7.4+): show the TTL column */
  fieldTtl: boolean;
  /** key TTL in seconds, -1 none, -2 the key does not exist */
  ttl: number;
  exists: boolean;
  fieldCount: number | null;
}

export type LoadState = 'loading' | 'done' | 'stopped' | 'error';

interface ViewInfo {
  /** changes whenever positions change (sort, filter, delete); rows of an older version are dropped */
  version: number;
  length: number;
  filter: string;
  sort: SortSpec | null;
  /** sorted by TTL: rows of the view whose TTL was not read yet (loaded after the sort; they come last) */
  ttlUnknown?: number;
}

export interface StatusInfo {
  /** store generation: a refresh or a new pattern starts a new one and row ids of older ones are refused */
  gen: number;
  load: LoadState;
  /** fields held (live rows) */
  loaded: number;
  /** HLEN when loading started */
  total: number | null;
  /** HSCAN MATCH pattern, '' for all fields */
  match: string;
  message?: string;
  /** TTLs being read for a sort by TTL (HTTL in batches over the loaded fields) */
  ttlRead?: { done: number; total: number };
  view: ViewInfo;
}

export interface CellDetail {
  field: DisplayValue;
  value: DisplayValue;
  length: number;
  /** `value` holds only a prefix */
  truncated: boolean;
}

export type WriteResult =
  | { status: 'ok' }
  /** the new bytes equal the old ones: nothing was written */
  | { status: 'noop' }
  /** the server's value differs from what the row showed; `resolve` with the token overwrites it */
  | { status: 'conflict'; token: number; current: DisplayValue | null; length: number; truncated: boolean }
  /** add: the field exists; `resolve` with the token overwrites it */
  | { status: 'exists'; token: number; current: DisplayValue; length: number; truncated: boolean };

/** value: raw (UTF-8 text, else escaped bytes); decoded: as the value pane decodes it; base64: the raw bytes */
export type CopyWhat = 'name' | 'value' | 'row' | 'decoded' | 'base64';

/** Bulk actions on the selected fields or on every field matching a pattern (asked, confirmed and shown in VS Code). */
export type BulkAction = 'delete' | 'setTtl' | 'removeTtl' | 'export';

/** What a bulk action did; null when the user declined (or nothing matched) */
type BulkReply = { done: number; total: number; cancelled: boolean } | null;

/** What the webview can ask, with the reply each request gets. */
export interface Requests {
  rows: { params: { version: number; start: number; count: number }; result: { version: number; start: number; rows: RowDto[] } | null };
  /**
   * Where the row `id` is in the current view, with the status that view goes with and the rows `span` either side of
   * it (a view re-sorted as rows arrive: the row under the pointer keeps its place, drawn at once). -1: not in it.
   */
  locate: { params: { gen: number; id: number; span: number }; result: { status: StatusInfo; position: number; rows: { version: number; start: number; rows: RowDto[] } | null } };
  query: { params: { match: string; filter: string; sort: SortSpec | null }; result: StatusInfo };
  load: { params: { action: 'stop' | 'resume' | 'refresh' }; result: StatusInfo };
  lookup: { params: { field: DisplayValue }; result: { found: false } | { found: true; position: number; row: RowDto } };
  detail: { params: { gen: number; id: number; full: boolean }; result: CellDetail };
  edit: { params: { gen: number; id: number; value: DisplayValue }; result: WriteResult };
  resolve: { params: { token: number; value: DisplayValue }; result: WriteResult };
  /** `ttl`: seconds for the new field (servers with field TTLs; 0 or absent: none) */
  add: { params: { field: DisplayValue; value: DisplayValue; ttl?: number }; result: WriteResult };
  rename: { params: { gen: number; id: number; newName: DisplayValue }; result: WriteResult };
  delete: { params: { gen: number; ids: number[] }; result: { deleted: number; cancelled: boolean } };
  copy: { params: { gen: number; ids: number[]; what: CopyWhat }; result: { copied: number } };
  openValue: { params: { gen: number; id: number }; result: null };
  setTtl: { params: { ttl: number }; result: WriteResult };
  /** a field's TTL: seconds > 0 sets it, 0 or -1 removes it; resolves with the TTL the row has now */
  setFieldTtl: { params: { gen: number; id: number; ttl: number }; result: { ttl: number } };
  /** the whole value decoded for the value pane; `decoder` chooses one for this field (kept while the editor is open) */
  decode: { params: { gen: number; id: number; decoder?: string }; result: DecodedValue };
  /** saves edited decoded text: re-encoded, compare-and-set against the raw bytes the `decode` with this token showed */
  saveDecoded: { params: { token: number; text: string }; result: WriteResult };
  /** the row the user is editing in the table (null: none): live updates leave it as the user saw it */
  editing: { params: { gen: number; id: number | null }; result: null };
  /** the row ids at view positions [start, end) as an IdSet in base64 (Shift+click over rows not fetched, Select all loaded) */
  selectRange: { params: { version: number; start: number; end: number }; result: { ids: string; count: number } | null };
  /** counts the fields of the whole hash matching a pattern (HSCAN MATCH on the server, progress and Cancel); null: cancelled */
  countMatch: { params: { match: string }; result: { count: number } | null };
  /** a bulk action on rows (`ids`: an IdSet in base64, of store generation `gen`) or on the pattern `match` */
  bulk: { params: { action: BulkAction; gen: number; ids?: string; match?: string }; result: BulkReply };
  /** live updates: pause or resume in this editor, recreate a key deleted on the server from the table, close */
  live: { params: { action: 'pause' | 'resume' | 'recreate' | 'close' }; result: LiveInfo };
}

export type Method = keyof Requests;

export type HostEvent =
  /** `rows`: the first rows of the view, so the first screen needs no request of its own */
  | { type: 'init'; header: HeaderInfo; status: StatusInfo; rows?: { version: number; start: number; rows: RowDto[] } }
  | { type: 'header'; header: HeaderInfo }
  | { type: 'status'; status: StatusInfo }
  /** row contents changed: ask again for the rows on screen */
  | { type: 'invalidate' }
  /** live updates: the mode; rows that changed on the server (`held`: the row being edited, left as it was); the key is gone */
  | { type: 'live'; info: LiveInfo; changed: number[]; held: number[]; deleted: boolean }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string };

export type RequestMessage = { [M in Method]: { kind: 'request'; id: number; method: M; params: Requests[M]['params'] } }[Method];
export type ReplyMessage = { kind: 'reply'; id: number; ok: true; result: unknown } | { kind: 'reply'; id: number; ok: false; error: string };

/** webview → extension; `drawn`: the first screen is on screen (the extension holds the rest of the load until then) */
export type WebviewMessage = { kind: 'ready' } | { kind: 'drawn' } | RequestMessage;
/** extension → webview */
export type HostMessage = { kind: 'event'; event: HostEvent } | ReplyMessage;

/** What the webview keeps with setState; the panel serializer restores an editor from it after a reload. */
export interface PersistedState {
  connection: string;
  db: number;
  /** the key's bytes, base64 */
  key: string;
}

// ---- the request/reply pairing both sides use ----

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/** Sends requests and settles each promise when the reply with its id arrives. */
export class RequestClient {
  private nextId: number;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly send: (msg: RequestMessage) => void,
    firstId = 1,
  ) {
    this.nextId = firstId;
  }

  request<M extends Method>(method: M, params: Requests[M]['params']): Promise<Requests[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ kind: 'request', id, method, params } as RequestMessage);
    });
  }

  /** Settles the request a reply answers; false when the reply is not for this client. */
  handleReply(msg: ReplyMessage): boolean {
    const p = this.pending.get(msg.id);
    if (!p) return false;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error));
    return true;
  }

  rejectAll(reason: string): void {
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
  }
}

export type Handlers = { [M in Method]: (params: Requests[M]['params']) => Promise<Requests[M]['result']> };

/** Runs the handler a request names and posts its reply; a failure becomes `{ ok: false, error }` with a message fit to show. */
export async function serveRequest(handlers: Handlers, msg: RequestMessage, reply: (msg: ReplyMessage) => void, describe: (err: unknown) => string): Promise<void> {
  try {
    const handler = handlers[msg.method] as (params: unknown) => Promise<unknown>;
    const result = await handler(msg.params);
    reply({ kind: 'reply', id: msg.id, ok: true, result });
  } catch (err) {
    reply({ kind: 'reply', id: msg.id, ok: false, error: describe(err) });
  }
}
