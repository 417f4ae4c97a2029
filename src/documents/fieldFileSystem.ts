import { isUtf8 } from 'node:buffer';
import * as vscode from 'vscode';
import { escapeBytes, unescapeBytes } from '../core/codec';
import { fieldExists, getField, valueLength } from '../core/hashOps';
import { toExplorerError } from '../core/errors';
import type { HashChange } from '../connections/changes';
import { decoders } from '../hashEditor/decoding';
import type { BaseServices } from '../services';
import { isDecoderChain } from '../shared/decoded';
import { looksLikeJson } from '../shared/format';
import { bytesText } from '../tree/labels';
import type { FieldRef } from '../commands/conflict';
import { writeIfUnchanged } from '../commands/conflict';

/**
 * Long field values open as real text documents: `redis-hash:/<connection>/db<n>/<key>/<field>?…`.
 * Reading fetches the value (HGET); saving writes it back with compare-and-set against what the
 * document was loaded with, so VS Code's own save (Ctrl+S, auto-save, Save All) is the write.
 * Values that are not UTF-8 are shown escaped (\xNN) and unescaped on save, so no byte changes
 * unless the user changed it.
 */
const FIELD_SCHEME = 'redis-hash';

/** A value detected as this chain opens decoded (compressed or binary-encoded); plain text, JSON and raw bytes open as they are. */
export function opensDecoded(chain: string): boolean {
  return !['raw', 'text', 'json', 'hex'].includes(chain);
}

/**
 * One open value. `base` is what the editor shows (the compare-and-set's expected value), `mtime`
 * its version. VS Code reads stat and content in parallel and keeps the content only when the
 * version moved, so a read returns `base` unless the entry is stale; it becomes stale together with
 * a version bump and a change event, when the editor should show the server's value.
 */
interface OpenValue {
  uri: vscode.Uri;
  ref: FieldRef;
  escaped: boolean;
  base: Buffer | null;
  mtime: number;
  size: number;
  /** the next read fetches the server's value */
  stale: boolean;
  /** a save answered "Reload": after VS Code's post-save stat, move the version so it re-reads */
  reloadAfterStat: boolean;
  /** opened decoded with this chain (e.g. "gzip+json"): shown decoded, saved re-encoded */
  decoder?: string;
  /** the chain's encoder for `base` (absent: this decoded form cannot be written back, `readOnly` says why) */
  encode?: (text: string) => Buffer;
  readOnly?: string;
  /** follows the field on the server while the document is open (live updates) */
  live?: vscode.Disposable;
}

function hex(b: Buffer): string {
  return b.toString('hex');
}

function pathSafe(buf: Buffer): string {
  const t = bytesText(buf).replace(/[/\\]/g, '∕');
  return t.length > 60 ? `${t.slice(0, 60)}…` : t || '(empty)';
}

export function fieldUri(ref: FieldRef, escaped: boolean, decoder?: string): vscode.Uri {
  const query = new URLSearchParams({ c: ref.connection, d: String(ref.db), k: hex(ref.key), f: hex(ref.field), e: escaped ? '1' : '0', ...(decoder ? { x: decoder } : {}) });
  return vscode.Uri.from({
    scheme: FIELD_SCHEME,
    path: `/${pathSafe(Buffer.from(ref.connection))}/db${ref.db}/${pathSafe(ref.key)}/${pathSafe(ref.field)}`,
    query: query.toString(),
  });
}

/** The same field opened through differently encoded URIs is one entry. */
function entryKey(uri: vscode.Uri): string {
  const q = new URLSearchParams(uri.query);
  return ['c', 'd', 'k', 'f', 'e', 'x'].map((p) => q.get(p) ?? '').join('\u0000');
}

function parse(uri: vscode.Uri): { ref: FieldRef; escaped: boolean; decoder?: string } {
  const q = new URLSearchParams(uri.query);
  const c = q.get('c');
  const d = Number(q.get('d'));
  const k = q.get('k');
  const f = q.get('f');
  if (!c || !Number.isInteger(d) || k === null || f === null) throw vscode.FileSystemError.FileNotFound(uri);
  const x = q.get('x');
  return { ref: { connection: c, db: d, key: Buffer.from(k, 'hex'), field: Buffer.from(f, 'hex') }, escaped: q.get('e') === '1', ...(x && isDecoderChain(x) ? { decoder: x } : {}) };
}

export class FieldFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly open = new Map<string, OpenValue>();
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly services: BaseServices) {
    this.subscriptions = [
      services.changes.onDidChange((c) => this.onChange(c)),
      // Nothing is told of writes made while the connection was down: re-read what is open on it.
      services.pool.onDidReconnect(({ name, db }) => this.recheck((r) => r.connection === name && r.db === db)),
      // A closed document forgets its entry: opening it again reads the server's value.
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme !== FIELD_SCHEME) return;
        this.open.get(entryKey(d.uri))?.live?.dispose();
        this.open.delete(entryKey(d.uri));
      }),
    ];
  }

  dispose(): void {
    for (const entry of this.open.values()) entry.live?.dispose();
    this.subscriptions.forEach((d) => d.dispose());
    this.emitter.dispose();
  }

  /**
   * Opens a field's value in a text editor; JSON values get the JSON language. A compressed or binary-encoded
   * value (gzip, MessagePack, …) opens decoded and saves re-encoded.
   */
  async show(ref: FieldRef, value: Buffer): Promise<vscode.TextEditor> {
    const decoded = await (await decoders()).decode(value, 'auto', { noEncoder: true });
    const decoder = opensDecoded(decoded.chain) ? decoded.chain : undefined;
    const uri = fieldUri(ref, !decoder && !isUtf8(value), decoder);
    const doc = await vscode.workspace.openTextDocument(uri);
    const asJson = decoder ? ['json', 'msgpack', 'php', 'pickle', 'protobuf'].includes(decoded.format) : looksLikeJson(value);
    if (doc.languageId === 'plaintext' && asJson) await vscode.languages.setTextDocumentLanguage(doc, 'json');
    return vscode.window.showTextDocument(doc, { preview: false });
  }

  /**
   * VS Code watches an open document: its field is followed on the server (live updates), so a clean document
   * shows a change made elsewhere and a dirty one meets VS Code's own "changed on disk" flow when saved.
   * The entry follows from its first read on (whether or not VS Code asks to watch) until its document closes.
   */
  watch(uri: vscode.Uri): vscode.Disposable {
    const entry = this.open.get(entryKey(uri));
    if (entry) this.follow(entry);
    return new vscode.Disposable(() => undefined);
  }

  private follow(entry: OpenValue): void {
    if (entry.live) return;
    const { connection, db, key, field } = entry.ref;
    entry.live = this.services.live.watch({ connection, db, key }, () => this.onServerChange(entry), { fields: [field], fieldsOnly: true });
  }

  /** The field changed (or may have: a reconnect) on the server: a new version when its value moved; gone: deleted. */
  private onServerChange(entry: OpenValue): void {
    const r = entry.ref;
    void this.services.pool.get(r.connection, r.db).then(
      (conn) =>
        getField(conn, r.key, r.field).then((v) => {
          // (not read yet: its first read gets the server's value anyway)
          if (this.open.get(entryKey(entry.uri)) !== entry || entry.base === null) return;
          if (v === null) {
            if (entry.stale) return;
            entry.stale = true;
            entry.mtime = Math.max(Date.now(), entry.mtime + 1);
            this.emitter.fire([{ type: vscode.FileChangeType.Deleted, uri: entry.uri }]);
          } else if (entry.stale || !v.equals(entry.base)) this.invalidate(entry);
        }),
      () => undefined,
    );
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const decoded = parse(uri).decoder !== undefined;
    // a decoded document's size is its decoded text's: VS Code checks it did not move between read and save
    const entry = await this.load(uri, decoded);
    if (decoded && entry.base) await this.decoded(entry, entry.base);
    const readOnly = this.services.store.has(entry.ref.connection) && this.services.store.get(entry.ref.connection).readOnly === true;
    const stat: vscode.FileStat = { type: vscode.FileType.File, ctime: 0, mtime: entry.mtime, size: entry.size, permissions: readOnly ? vscode.FilePermission.Readonly : undefined };
    if (entry.reloadAfterStat) {
      entry.reloadAfterStat = false;
      setTimeout(() => this.invalidate(entry), 100);
    }
    return stat;
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const entry = await this.load(uri, true);
    const base = entry.base ?? Buffer.alloc(0);
    if (entry.decoder) return this.decoded(entry, base);
    return entry.escaped ? Buffer.from(escapeBytes(base), 'utf8') : base;
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const entry = await this.load(uri, true);
    let value: Buffer;
    try {
      if (entry.decoder && !entry.encode) throw new Error(`${entry.readOnly ?? 'this decoded form cannot be written back.'} Nothing was written.`);
      value = entry.encode ? entry.encode(Buffer.from(content).toString('utf8')) : entry.escaped ? unescapeBytes(Buffer.from(content).toString('utf8')) : Buffer.from(content);
    } catch (err) {
      throw vscode.FileSystemError.Unavailable(`Not saved: ${(err as Error).message}`);
    }
    let outcome;
    try {
      const conn = await this.services.pool.get(entry.ref.connection, entry.ref.db);
      outcome = await writeIfUnchanged(this.services, conn, entry.ref, entry.base, value);
    } catch (err) {
      throw vscode.FileSystemError.Unavailable(`Not saved: ${toExplorerError(err).message}`);
    }
    if (outcome === 'cancelled') throw vscode.FileSystemError.Unavailable('Not saved: the value changed on the server.');
    if (outcome === 'written') {
      entry.base = value;
      entry.size = content.byteLength;
      entry.mtime = Math.max(Date.now(), entry.mtime + 1);
    } else {
      // Nothing written, but VS Code now believes the file holds what it saved: once it has read
      // the stat that follows a save, move the version so it re-reads the server's value.
      entry.reloadAfterStat = true;
    }
  }

  /** The decoded text of `base`; its encoder (when the round trip gives the same bytes) goes with the entry. */
  private async decoded(entry: OpenValue, base: Buffer): Promise<Uint8Array> {
    const d = await (await decoders()).decode(base, entry.decoder ?? 'auto');
    entry.encode = d.editable ? d.encode : undefined;
    entry.readOnly = d.readOnlyReason ?? (d.chain !== entry.decoder ? `The value is no longer ${entry.decoder}: ${d.notes.join(' ')}` : undefined);
    if (d.chain !== entry.decoder) entry.encode = undefined;
    const text = Buffer.from(d.view.text, 'utf8');
    entry.size = text.length;
    return text;
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions('Redis values have no folders.');
  }

  delete(): void {
    throw vscode.FileSystemError.NoPermissions('Delete the field from the Redis view.');
  }

  rename(): void {
    throw vscode.FileSystemError.NoPermissions('Rename the field from the Redis view.');
  }

  /**
   * The entry of a URI, created before any await (VS Code calls stat and readFile concurrently).
   * `withValue`: make sure `base` is loaded (the first read, or the first read after `invalidate`).
   */
  private async load(uri: vscode.Uri, withValue: boolean): Promise<OpenValue> {
    const { ref, escaped, decoder } = parse(uri);
    const id = entryKey(uri);
    let entry = this.open.get(id);
    if (!entry) {
      entry = { uri, ref, escaped, base: null, mtime: Date.now(), size: 0, stale: true, reloadAfterStat: false, decoder };
      this.open.set(id, entry);
      this.follow(entry);
    }
    if (!entry.stale || (!withValue && entry.base !== null)) return entry;
    let conn;
    try {
      conn = await this.services.pool.get(ref.connection, ref.db);
    } catch (err) {
      throw vscode.FileSystemError.Unavailable(toExplorerError(err).message);
    }
    if (withValue) {
      const value = await getField(conn, ref.key, ref.field);
      if (value === null) throw vscode.FileSystemError.FileNotFound(uri);
      entry.base = value;
      entry.stale = false;
      entry.size = escaped ? Buffer.byteLength(escapeBytes(value)) : value.length;
    } else if (entry.base === null) {
      if (!(await fieldExists(conn, ref.key, ref.field))) {
        this.open.delete(id);
        throw vscode.FileSystemError.FileNotFound(uri);
      }
      entry.size = await valueLength(conn, ref.key, ref.field);
    }
    return entry;
  }

  /** The editor should show the server's value: a new version, fetched on VS Code's next read. */
  private invalidate(entry: OpenValue): void {
    entry.stale = true;
    entry.mtime = Math.max(Date.now(), entry.mtime + 1);
    this.emitter.fire([{ type: vscode.FileChangeType.Changed, uri: entry.uri }]);
  }

  /**
   * A write elsewhere (tree, hash editor) to a field that is open: an editor without unsaved edits
   * shows the new value; one with unsaved edits keeps them, and its save meets the conflict check.
   */
  private onChange(c: HashChange): void {
    if (c.kind !== 'fields') return;
    this.recheck((r) => r.connection === c.connection && r.db === c.db && r.key.equals(c.key) && c.fields.some((f) => f.equals(r.field)));
  }

  /** Open values `which` selects: an editor without unsaved edits shows the server's value if it moved. */
  private recheck(which: (r: FieldRef) => boolean): void {
    for (const entry of this.open.values()) {
      const r = entry.ref;
      if (!which(r)) continue;
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === FIELD_SCHEME && entryKey(d.uri) === entryKey(entry.uri));
      if (!doc || doc.isDirty) continue;
      void this.services.pool.get(r.connection, r.db).then(
        (conn) =>
          getField(conn, r.key, r.field).then((v) => {
            if (v && entry.base && !v.equals(entry.base) && !entry.stale) this.invalidate(entry);
          }),
        () => undefined,
      );
    }
  }
}

/** Registers the `redis-hash:` file system; disposing the result unregisters it and closes its watches. */
export function registerFieldFileSystem(fs: FieldFileSystem): vscode.Disposable {
  const reg = vscode.workspace.registerFileSystemProvider(FIELD_SCHEME, fs, { isCaseSensitive: true });
  return new vscode.Disposable(() => {
    reg.dispose();
    fs.dispose();
  });
}
