import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { RedisConnection } from './connection';
import { RedisExplorerError } from './errors';
import type { ExportFormat, ExportRow, Formatter } from './exportFormats';
import { formatter } from './exportFormats';
import { fieldTtls } from './fieldTtl';
import { getFields } from './hashOps';
import { getTtl, keyType } from './keyOps';
import { HashPager, KeyPager } from './pagers';
import type { RedisKey } from './pagers';
import { prefixPattern, startsWith } from './prefix';
import { getServerInfo, knownCapabilities } from './serverInfo';

/*
 * Exports stream: one HSCAN page is read, formatted and written before the next is asked for (the next
 * is already on its way), so memory stays flat whatever the hash's size. A cancelled export stops
 * between pages; the file sink then removes what it wrote.
 */

/** Where an export's text goes, chunk by chunk; `write` resolves when the chunk may be dropped. */
export interface Sink {
  write(chunk: string): Promise<void>;
}

export interface RunControl {
  signal?: AbortSignal;
  /** called after each page or batch with the running count; the run waits for a returned promise */
  onProgress?(done: number): void | Promise<void>;
}

export interface ExportResult {
  /** fields written (all keys together) */
  fields: number;
  /** keys written (1 for one hash, 0 when it did not exist) */
  keys: number;
  /** keys under a folder left out because they are not hashes */
  skippedKeys: number;
  cancelled: boolean;
}

/** Which fields of a hash: all, those matching an HSCAN MATCH pattern, or a list (e.g. a table's selection). */
interface FieldSelection {
  match?: string;
  fields?: Buffer[];
}

const PAGE = 1000;

async function hasFieldTtls(conn: RedisConnection): Promise<boolean> {
  return (knownCapabilities(conn) ?? (await getServerInfo(conn)).capabilities).fieldTtl;
}

/** Rows of one page, with field TTLs where the server has them (HTTL in the same batches). */
async function toRows(conn: RedisConnection, key: RedisKey, fields: Buffer[], values: Buffer[], ttls: boolean): Promise<ExportRow[]> {
  const t = ttls && fields.length ? await fieldTtls(conn, key, fields) : [];
  const rows: ExportRow[] = new Array(fields.length);
  for (let i = 0; i < fields.length; i++) rows[i] = { field: fields[i], value: values[i], ttl: t[i] ?? 0 };
  return rows;
}

/** Writes one hash's fields (all, by pattern or by name) through `fmt`; returns how many it wrote. */
async function writeHash(conn: RedisConnection, key: Buffer, selection: FieldSelection, fmt: Formatter, sink: Sink, ttls: boolean, control: RunControl, base: number): Promise<{ fields: number; cancelled: boolean }> {
  let written = 0;
  const emit = async (rows: ExportRow[]) => {
    if (rows.length) await sink.write(fmt.rows(key, rows));
    written += rows.length;
    await control.onProgress?.(base + written);
  };
  await sink.write(fmt.beginKey(key));
  if (selection.fields) {
    for (let i = 0; i < selection.fields.length; i += PAGE) {
      if (control.signal?.aborted) return { fields: written, cancelled: true };
      const names = selection.fields.slice(i, i + PAGE);
      const values = await getFields(conn, key, names);
      const present = names.filter((_, j) => values[j] !== null);
      await emit(await toRows(conn, key, present, values.filter((v): v is Buffer => v !== null), ttls));
    }
  } else {
    const pager = new HashPager(conn, key, { count: PAGE, match: selection.match, prefetch: true });
    while (!pager.done) {
      if (control.signal?.aborted) return { fields: written, cancelled: true };
      const page = await pager.next();
      await emit(await toRows(conn, key, page.fields, page.values, ttls));
    }
  }
  // The key's TTL is read last: a hash that expired meanwhile is written without one.
  await sink.write(fmt.endKey(key, Math.max(0, await getTtl(conn, key))));
  return { fields: written, cancelled: false };
}

function checkType(type: string, key: Buffer): void {
  if (type !== 'hash' && type !== 'none') {
    throw new RedisExplorerError('WRONGTYPE', `Key "${key.toString('utf8').slice(0, 80)}" is a ${type}, not a hash; nothing was exported.`);
  }
}

/**
 * Exports fields of one hash: every field, those matching `selection.match`, or the named `selection.fields`
 * (absent ones are left out). The entry point a view's selection calls.
 */
export async function exportFields(conn: RedisConnection, key: Buffer, selection: FieldSelection, format: ExportFormat, sink: Sink, control: RunControl = {}): Promise<ExportResult> {
  const type = await keyType(conn, key);
  checkType(type, key);
  if (type === 'none') throw new RedisExplorerError('NOT_FOUND', `Key "${key.toString('utf8').slice(0, 80)}" does not exist; nothing was exported.`);
  const fmt = formatter(format);
  const ttls = await hasFieldTtls(conn);
  await sink.write(fmt.begin());
  const r = await writeHash(conn, key, selection, fmt, sink, ttls, control, 0);
  if (r.cancelled) return { fields: r.fields, keys: 1, skippedKeys: 0, cancelled: true };
  await sink.write(fmt.end());
  return { fields: r.fields, keys: 1, skippedKeys: 0, cancelled: false };
}

export function exportHash(conn: RedisConnection, key: Buffer, format: ExportFormat, sink: Sink, control: RunControl = {}): Promise<ExportResult> {
  return exportFields(conn, key, {}, format, sink, control);
}

/**
 * Exports every hash whose name starts with `prefix` (a tree folder): SCAN with a MATCH on the prefix,
 * each key's fields with HSCAN. Keys that are not hashes are counted, not written. A key SCAN returns
 * twice is written once.
 */
export async function exportFolder(conn: RedisConnection, prefix: Buffer, format: ExportFormat, sink: Sink, control: RunControl = {}): Promise<ExportResult> {
  const fmt = formatter(format, true);
  const ttls = await hasFieldTtls(conn);
  const seen = new Set<string>();
  const pager = new KeyPager(conn, { match: prefixPattern(prefix), count: PAGE });
  const result: ExportResult = { fields: 0, keys: 0, skippedKeys: 0, cancelled: false };
  await sink.write(fmt.begin());
  while (!pager.done) {
    if (control.signal?.aborted) return { ...result, cancelled: true };
    for (const key of await pager.next()) {
      const id = key.toString('latin1');
      if (!startsWith(key, prefix) || seen.has(id)) continue;
      seen.add(id);
      const type = await keyType(conn, key);
      if (type === 'none') continue;
      if (type !== 'hash') {
        result.skippedKeys++;
        continue;
      }
      const r = await writeHash(conn, key, {}, fmt, sink, ttls, {}, result.fields);
      result.fields += r.fields;
      result.keys++;
      await control.onProgress?.(result.keys);
      if (control.signal?.aborted) return { ...result, cancelled: true };
    }
  }
  await sink.write(fmt.end());
  return result;
}

/** A sink that gathers text up to `maxBytes` (the clipboard); beyond that it fails with TOO_BIG. */
export class TextSink implements Sink {
  private parts: string[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes = Number.POSITIVE_INFINITY) {}

  async write(chunk: string): Promise<void> {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) throw new RedisExplorerError('INVALID', `The text would be over ${Math.round(this.maxBytes / 1e6)} MB; nothing was copied.`);
    if (chunk) this.parts.push(chunk);
  }

  text(): string {
    return this.parts.join('');
  }
}

/**
 * A file written through a temporary name beside it and renamed into place on `commit()`, so a
 * cancelled or failed export never leaves a half-written file (nor touches one already there).
 * Writes wait for the stream to drain: memory holds about one page of text.
 */
export class FileSink implements Sink {
  private readonly temp: string;
  private readonly stream;
  private failed: Error | undefined;

  constructor(private readonly path: string) {
    this.temp = `${path}.${process.pid}.${Date.now()}.partial`;
    this.stream = createWriteStream(this.temp);
    this.stream.on('error', (err) => (this.failed = err));
  }

  async write(chunk: string): Promise<void> {
    if (this.failed) throw this.fileError(this.failed);
    if (!chunk) return;
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.stream.off('drain', done).off('error', done);
          resolve();
        };
        this.stream.on('drain', done).on('error', done);
      });
    }
    if (this.failed) throw this.fileError(this.failed);
  }

  async commit(): Promise<void> {
    await this.close();
    if (this.failed) throw this.fileError(this.failed);
    await rename(this.temp, this.path);
  }

  async discard(): Promise<void> {
    await this.close().catch(() => undefined);
    await rm(this.temp, { force: true });
  }

  private close(): Promise<void> {
    if (this.stream.closed) return Promise.resolve();
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }

  private fileError(err: Error): RedisExplorerError {
    return new RedisExplorerError('INVALID', `Could not write ${this.path}; the export stopped and no file was left.`, err);
  }
}
