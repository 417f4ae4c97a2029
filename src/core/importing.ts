import { nameForMessage } from './codec';
import type { RedisConnection } from './connection';
import { RedisExplorerError, toExplorerError } from './errors';
import type { RunControl } from './exporting';
import type { ChunkSource, ImportFormat, ImportRow } from './importFormats';
import { readRows } from './importFormats';
import { keyType } from './keyOps';
import { fieldTtlUnsupported, getServerInfo } from './serverInfo';

/*
 * Importing into one hash, in two passes over the input. The first reads it all and writes nothing: bad
 * input anywhere (a syntax error on the last line, a field twice) is refused before one field is
 * written, and it counts what exists already. The second writes in batches, each one Lua script, so a
 * batch is all written or not at all: Cancel stops between batches, never inside one. A field that
 * exists keeps its TTL unless the input gives one (a plain HSET would clear it).
 */

export type ImportPolicy = 'skip' | 'overwrite' | 'compareAndSet';
export const IMPORT_POLICIES: readonly ImportPolicy[] = ['skip', 'overwrite', 'compareAndSet'];

interface ImportPreview {
  rows: number;
  /** the first rows, for a person to check */
  first: ImportRow[];
  /** rows whose field exists in the hash now; undefined when not counted */
  conflicts: number | undefined;
  /** rows that give a field TTL */
  ttls: number;
  keyExists: boolean;
  /** SHA-1 of each existing field's value when the preview read it (the compare-and-set snapshot) */
  snapshot: Map<string, string> | undefined;
  cancelled: boolean;
}

export interface ImportReport {
  /** rows read and sent (written, skipped or failed) */
  done: number;
  added: number;
  overwritten: number;
  skipped: number;
  /** up to 100 fields that were not written, with why */
  failed: Array<{ field: Buffer; why: string }>;
  failedCount: number;
  cancelled: boolean;
  /** why the import stopped before the end (the key deleted meanwhile, ...) */
  stopped?: string;
}

const BATCH_ROWS = 1000;
const BATCH_BYTES = 4 << 20;

// Per field: its value's SHA-1, or '' when absent (one script per page of names).
const DIGESTS = `
local out = {}
for i = 1, #ARGV do
  local v = redis.call('HGET', KEYS[1], ARGV[i])
  if v then out[i] = redis.sha1hex(v) else out[i] = '' end
end
return out`;

// ARGV: key must exist ('1'|'0'), then field, value pairs. Only where the server has no field TTLs.
const WRITE_ALL = `
if ARGV[1] == '1' and redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local n = #ARGV - 1
local added = redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return {added, n / 2 - added, 0}`;

// ARGV: policy ('s' skip, 'o' overwrite, 'c' compare-and-set), field TTLs ('1'|'0'), key must exist,
// then per row: field, value, TTL in seconds ('0': keep the field's own), expected SHA-1 ('' absent).
// Returns {added, overwritten, skipped, field, why, field, why, ...}; why 1 changed, 2 added, 3 deleted since the preview.
const WRITE = `
local key, policy, ttls = KEYS[1], ARGV[1], ARGV[2]
if ARGV[3] == '1' and redis.call('EXISTS', key) == 0 then return {-1} end
local out = {0, 0, 0}
for i = 4, #ARGV, 4 do
  local f, v, ttl, want = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local write, why = true, 0
  if policy == 's' then
    write = redis.call('HEXISTS', key, f) == 0
  elseif policy == 'c' then
    local cur = redis.call('HGET', key, f)
    if want == '' then
      if cur then write, why = false, 2 end
    elseif not cur then write, why = false, 3
    elseif redis.sha1hex(cur) ~= want then write, why = false, 1 end
  end
  if write then
    local at = nil
    if ttls == '1' and ttl == '0' then
      local r = redis.call('HPEXPIRETIME', key, 'FIELDS', 1, f)
      if type(r) == 'table' and r[1] > 0 then at = r[1] end
    end
    if redis.call('HSET', key, f, v) == 1 then out[1] = out[1] + 1 else out[2] = out[2] + 1 end
    if ttl ~= '0' then redis.call('HEXPIRE', key, ttl, 'FIELDS', 1, f)
    elseif at then redis.call('HPEXPIREAT', key, at, 'FIELDS', 1, f) end
  elseif why == 0 then out[3] = out[3] + 1
  else out[#out + 1] = f; out[#out + 1] = why end
end
return out`;

const WHY: Record<number, string> = { 1: 'changed on the server since the preview', 2: 'added on the server since the preview', 3: 'deleted on the server since the preview' };

/** The key must be a hash or absent; read-only connections are refused before anything is read. */
async function checkTarget(conn: RedisConnection, key: Buffer): Promise<boolean> {
  conn.assertWritable();
  const type = await keyType(conn, key);
  if (type !== 'hash' && type !== 'none') throw new RedisExplorerError('WRONGTYPE', `Key "${nameForMessage(key)}" is a ${type}, not a hash; nothing was imported.`);
  return type === 'hash';
}

/**
 * The first pass: reads and checks the whole input, writes nothing. `conflicts` counts the fields that
 * exist now; `snapshot` keeps a digest of their values for a compare-and-set import.
 */
export async function previewImport(conn: RedisConnection, key: Buffer, source: ChunkSource, format: ImportFormat, options: { conflicts?: boolean; snapshot?: boolean } = {}, control: RunControl = {}): Promise<ImportPreview> {
  const keyExists = await checkTarget(conn, key);
  const info = await getServerInfo(conn);
  const wantDigests = (options.conflicts || options.snapshot) && keyExists;
  const preview: ImportPreview = { rows: 0, first: [], conflicts: wantDigests || !keyExists ? 0 : undefined, ttls: 0, keyExists, snapshot: options.snapshot ? new Map() : undefined, cancelled: false };
  for await (const page of readRows(source, format)) {
    if (control.signal?.aborted) return { ...preview, cancelled: true };
    for (const row of page) {
      if (preview.first.length < 5) preview.first.push(row);
      if (row.ttl > 0) preview.ttls++;
    }
    preview.rows += page.length;
    if (wantDigests) {
      for (let i = 0; i < page.length; i += BATCH_ROWS) {
        const names = page.slice(i, i + BATCH_ROWS).map((r) => r.field);
        const digests = (await conn.run((c) => c.eval(DIGESTS, 1, key, ...names))) as string[];
        digests.forEach((d, j) => {
          if (d === '') return;
          preview.conflicts = (preview.conflicts ?? 0) + 1;
          preview.snapshot?.set(names[j].toString('latin1'), d);
        });
      }
    }
    await control.onProgress?.(preview.rows);
  }
  if (preview.ttls > 0 && !info.capabilities.fieldTtl) {
    throw new RedisExplorerError('INVALID', `The input gives ${preview.ttls.toLocaleString('en-US')} fields a TTL, and ${fieldTtlUnsupported(info).replace('Nothing was changed.', 'nothing was imported.')}`);
  }
  return preview;
}

/** The second pass: writes the input by `policy`, in batches; reports what it did. */
export async function applyImport(conn: RedisConnection, key: Buffer, source: ChunkSource, format: ImportFormat, policy: ImportPolicy, preview: ImportPreview, control: RunControl = {}): Promise<ImportReport> {
  conn.assertWritable();
  if (policy === 'compareAndSet' && !preview.snapshot) throw new RedisExplorerError('INVALID', 'A compare-and-set import needs the snapshot its preview took; nothing was imported.');
  const ttls = (await getServerInfo(conn)).capabilities.fieldTtl;
  const report: ImportReport = { done: 0, added: 0, overwritten: 0, skipped: 0, failed: [], failedCount: 0, cancelled: false };
  let existed = preview.keyExists;
  let pending: Promise<void> | undefined;

  const send = async (batch: ImportRow[]): Promise<void> => {
    const mustExist = existed || report.added > 0 ? '1' : '0';
    const fast = !ttls && policy === 'overwrite' && batch.every((r) => r.ttl === 0);
    const args: Array<string | Buffer> = fast ? [mustExist] : [policy === 'skip' ? 's' : policy === 'overwrite' ? 'o' : 'c', ttls ? '1' : '0', mustExist];
    for (const r of batch) {
      args.push(r.field, r.value);
      if (!fast) args.push(String(r.ttl), preview.snapshot?.get(r.field.toString('latin1')) ?? '');
    }
    let reply: unknown[];
    try {
      reply = (await conn.run((c) => c.callBuffer('EVAL', fast ? WRITE_ALL : WRITE, 1, key, ...args) as Promise<unknown>)) as unknown[];
    } catch (err) {
      const e = toExplorerError(err, conn.where, 'write');
      report.stopped = `${e.message.replace(/\.?$/, '.')} The batch of ${batch.length.toLocaleString('en-US')} fields starting on line ${batch[0].line} was not imported (each batch is written whole or not at all).`;
      return;
    }
    if (Number(reply[0]) === -1) {
      report.stopped = `Key "${nameForMessage(key)}" was deleted during the import; the fields from line ${batch[0].line} on were not imported.`;
      return;
    }
    report.done += batch.length;
    report.added += Number(reply[0]);
    report.overwritten += Number(reply[1]);
    report.skipped += Number(reply[2]);
    for (let i = 3; i + 1 < reply.length; i += 2) {
      report.failedCount++;
      if (report.failed.length < 100) report.failed.push({ field: reply[i] as Buffer, why: WHY[Number(reply[i + 1])] ?? 'not written' });
    }
    if (report.added > 0) existed = true;
    await control.onProgress?.(report.done);
  };

  // One batch on the wire while the next is read: the reading and Redis's work overlap.
  const flush = async (batch: ImportRow[]): Promise<boolean> => {
    if (pending) await pending;
    pending = undefined;
    if (report.stopped) return false;
    if (control.signal?.aborted) {
      report.cancelled = true;
      return false;
    }
    pending = send(batch);
    return true;
  };

  let batch: ImportRow[] = [];
  let bytes = 0;
  // The first pass checked the input whole; this one only reads it again.
  outer: for await (const page of readRows(source, format, false)) {
    for (const row of page) {
      batch.push(row);
      bytes += row.field.length + row.value.length;
      if (batch.length >= BATCH_ROWS || bytes >= BATCH_BYTES) {
        if (!(await flush(batch))) break outer;
        batch = [];
        bytes = 0;
      }
    }
  }
  if (!report.stopped && !report.cancelled && batch.length) await flush(batch);
  if (pending) await pending;
  return report;
}

/** Both passes, for a call that asks nothing (a script): `compareAndSet` compares with the values at the first pass. */
export async function importHash(conn: RedisConnection, key: Buffer, source: ChunkSource, format: ImportFormat, policy: ImportPolicy, control: RunControl = {}): Promise<ImportReport> {
  const preview = await previewImport(conn, key, source, format, { snapshot: policy === 'compareAndSet' }, { signal: control.signal });
  if (preview.cancelled) return { done: 0, added: 0, overwritten: 0, skipped: 0, failed: [], failedCount: 0, cancelled: true };
  return applyImport(conn, key, source, format, policy, preview, control);
}

/** One line a person reads: what the import did. */
export function describeReport(report: ImportReport, key: Buffer, where: string): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const parts = [`${n(report.added)} added`, `${n(report.overwritten)} overwritten`, `${n(report.skipped)} skipped (existing)`];
  if (report.failedCount) parts.push(`${n(report.failedCount)} not written (${report.failed[0] ? `e.g. "${nameForMessage(report.failed[0].field)}": ${report.failed[0].why}` : 'changed meanwhile'})`);
  const head = report.cancelled ? `Import into "${nameForMessage(key)}" on ${where} cancelled after ${n(report.done)} fields` : report.stopped ? `Import into "${nameForMessage(key)}" on ${where} stopped after ${n(report.done)} fields` : `Imported into "${nameForMessage(key)}" on ${where}`;
  return `${head}: ${parts.join(', ')}.${report.stopped ? ` ${report.stopped}` : ''}`;
}
