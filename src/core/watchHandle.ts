import type { WatchNode } from './watchNode';
import type { KeyRead } from './watchRead';

/*
 * One view's watch of a key (a handle), and what a re-read of the key means for it: the digests it saw last
 * are compared with the new ones, so a change is told once, and never absorbed by a view that changed what
 * it shows (scrolled) just after it.
 */

export type WatchEvent =
  /** the key changed; for a fields-only watch, `fields` are the watched fields whose value changed */
  | { kind: 'changed'; key: Buffer; fields?: Buffer[] }
  /** the key is gone (`type` 'none') or no longer a hash */
  | { kind: 'deleted'; key: Buffer; type: string }
  /** events may have been missed (a reconnect, a resume): re-read everything shown */
  | { kind: 'resync'; key: Buffer };

export interface WatchSpec {
  /** fields the view shows: polled for changes, and the only ones that matter when `fieldsOnly` */
  fields?: Array<string | Buffer>;
  /** report only changes of `fields` (a value document) */
  fieldsOnly?: boolean;
}

export interface WatchStatus {
  state: 'live' | 'polling' | 'paused' | 'off' | 'connecting' | 'reconnecting';
  /** "live", "polling every 5 s", "paused", … */
  label: string;
  /** when what is shown was last known to match the server (ms since the epoch) */
  inStepAt?: number;
  /** why a better mode was not used */
  detail?: string;
}

export interface KeyWatch {
  readonly key: Buffer;
  update(spec: WatchSpec): void;
  pause(): void;
  /** resumes and sends a 'resync' (changes made meanwhile were not reported) */
  resume(): void;
  readonly paused: boolean;
  dispose(): void;
}

export type Reason = 'event' | 'resync';

export interface Handle extends KeyWatch {
  paused: boolean;
  fields: Buffer[];
  fieldsOnly: boolean;
  listener: (e: WatchEvent) => void;
  /** not read since it was added: a change between the view's own read and the first read here would be missed */
  fresh: boolean;
  lastType?: string;
  /** type, expiry and length as last read (polling) */
  keyHead?: string;
  fieldDigests: Map<string, string>;
}

export interface Watched {
  key: Buffer;
  handles: Set<Handle>;
  node: WatchNode | undefined;
}

export const toBuf = (b: string | Buffer): Buffer => (typeof b === 'string' ? Buffer.from(b) : b);

/** A new handle; `hooks` tell the watcher that it wants a read, was resumed, or is gone. */
export function newHandle(key: Buffer, spec: WatchSpec, listener: (e: WatchEvent) => void, hooks: { changed(): void; resumed(): void; disposed(): void }): Handle {
  const handle: Handle = {
    key,
    fields: (spec.fields ?? []).map(toBuf),
    fieldsOnly: spec.fieldsOnly === true,
    listener,
    fresh: true,
    fieldDigests: new Map(),
    paused: false,
    update: (s: WatchSpec) => {
      handle.fields = (s.fields ?? handle.fields).map(toBuf);
      if (s.fieldsOnly !== undefined) handle.fieldsOnly = s.fieldsOnly;
      hooks.changed();
    },
    pause: () => {
      handle.paused = true;
    },
    resume: () => {
      if (!handle.paused) return;
      handle.paused = false;
      hooks.changed();
      hooks.resumed();
    },
    dispose: () => hooks.disposed(),
  };
  return handle;
}

/** Takes a read of the handle's key; returns the event it means for the view, if any. */
export function takeRead(h: Handle, key: Buffer, read: KeyRead, reasons: Set<Reason>, polling: boolean): WatchEvent | undefined {
  const before = { type: h.lastType, head: h.keyHead, fields: h.fieldDigests };
  h.lastType = read.type;
  h.keyHead = [read.type, read.expireAt, read.length].join('|');
  h.fieldDigests = new Map(h.fields.map((f) => [f.toString('latin1'), read.fields.get(f.toString('latin1')) ?? '-']));
  const fresh = h.fresh;
  h.fresh = false;
  if (h.paused) return undefined;
  if (reasons.has('resync')) return { kind: 'resync', key };
  const deleted: WatchEvent = { kind: 'deleted', key, type: read.type };
  // First read of a new view, which also starts tracking the key: it re-reads once, so a change made
  // between its own read and this one is not lost (later changes are events).
  if (fresh) return read.type !== 'hash' ? deleted : { kind: 'changed', key, ...(h.fieldsOnly ? { fields: h.fields } : {}) };
  // fields whose value (polling: or TTL) differs from the last read; a field not read before has nothing to compare with
  const changed = h.fields.filter((f) => {
    const was = before.fields.get(f.toString('latin1'));
    return was !== undefined && was !== h.fieldDigests.get(f.toString('latin1'));
  });
  if (polling) {
    // every read compares, whatever asked for it: a read after the view scrolled sees a change made just before
    if (read.type !== 'hash') return before.type !== read.type ? deleted : undefined;
    if (h.fieldsOnly) return changed.length ? { kind: 'changed', key, fields: changed } : undefined;
    return changed.length || (before.head !== undefined && before.head !== h.keyHead) ? { kind: 'changed', key } : undefined;
  }
  if (!reasons.has('event')) return undefined;
  if (read.type !== 'hash') return deleted;
  if (h.fieldsOnly) return changed.length ? { kind: 'changed', key, fields: changed } : undefined;
  return { kind: 'changed', key };
}

export function fieldsOf(w: Watched, polling: boolean): Buffer[] {
  const seen = new Map<string, Buffer>();
  for (const h of w.handles) if (polling || h.fieldsOnly) for (const f of h.fields) seen.set(f.toString('latin1'), f);
  return [...seen.values()];
}
