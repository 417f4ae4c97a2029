import type * as vscode from 'vscode';
import type { BulkResult, FieldSource } from '../core/bulkFields';
import { countMatching, deleteFieldsBulk, setFieldsTtlBulk } from '../core/bulkFields';
import type { RedisConnection } from '../core/connection';
import { RedisExplorerError } from '../core/errors';
import type { ExportFormat } from '../core/exportFormats';
import { exportFields } from '../core/exporting';
import { parseFieldTtl } from '../core/fieldTtl';
import { fieldTtlUnsupported, getServerInfo } from '../core/serverInfo';
import { nameForMessage } from '../core/codec';
import { orCancel } from './cancel';
import type { KeyTarget } from './resolve';
import { count, exportToUri, withProgress } from './transferSupport';
import type { PromptLayer } from './prompts';

/*
 * Bulk actions on fields of one hash, shared by the deleteFields / setFieldsTtl / exportFields commands and
 * the hash editor's selection: count (a pattern is counted on the server first), confirm naming the count
 * (typing the key's name for a destructive action on more than 1,000 fields), run in batches under a
 * progress notification with Cancel, and say what was done, also when stopped.
 */

/** Destructive actions on more fields than this ask the user to type the key's name. */
const TYPED_CONFIRM_OVER = 1000;

export interface BulkJob {
  conn: RedisConnection;
  key: Buffer;
  source: FieldSource;
  /** a scripted call: asks nothing, shows no progress */
  scripted: boolean;
  /** how the job asks and shows progress */
  prompts: PromptLayer;
  /** after each batch (the editor drops deleted rows, re-reads TTLs) */
  onBatch?(fields: Buffer[]): void;
}

/** What the job names, for messages: "3 selected fields", "12,345 fields matching user:*". */
export function sourceLabel(source: FieldSource, n: number): string {
  return 'fields' in source ? `${count(n, 'selected field')}` : `${count(n, 'field')} matching ${source.match}`;
}

/** How many fields the job names: the selection's size, or counted on the server with progress; undefined when cancelled. */
async function countJob(job: BulkJob): Promise<number | undefined> {
  if ('fields' in job.source) return job.source.fields.length;
  const match = job.source.match;
  const r = await withProgress(job.prompts, job.scripted, `Counting the fields of "${nameForMessage(job.key)}" matching ${match}`, (signal, report) =>
    countMatching(job.conn, job.key, match, { signal, onProgress: (n) => report(`${count(n, 'field')} so far`) }),
  );
  return r.cancelled ? undefined : r.count;
}

/** Asks before acting on `n` fields; above 1,000 a destructive action wants the key's name typed. */
async function confirmJob(job: BulkJob, n: number, question: string, button: string, destructive: boolean): Promise<boolean> {
  if (job.scripted) return true;
  const name = nameForMessage(job.key);
  if (destructive && n > TYPED_CONFIRM_OVER) {
    const typed = await job.prompts.input({ title: question, prompt: `This cannot be undone. Type the key's name, "${name}", to go on`, validateInput: (v) => (v === name ? undefined : "Type the key's name exactly") });
    return typed === name;
  }
  return (await job.prompts.ask(question, destructive ? 'This cannot be undone.' : undefined, button)) === button;
}

/** Counted, nothing there: said (not an error) and nothing is done. */
function nothingThere(job: BulkJob, verb: string): undefined {
  const what = 'fields' in job.source ? 'No field is selected' : `No field of "${nameForMessage(job.key)}" matches ${job.source.match}`;
  if (!job.scripted) job.prompts.inform(`${what}; nothing was ${verb}.`);
  return undefined;
}

interface BulkOutcome extends BulkResult {
  /** fields the job named when it was counted */
  total: number;
}

/** Deletes the job's fields (HDEL in batches); undefined when the user declined or nothing matched. */
export async function runDelete(job: BulkJob): Promise<BulkOutcome | undefined> {
  job.conn.assertWritable();
  const total = await countJob(job);
  if (total === undefined) return undefined;
  if (total === 0) return nothingThere(job, 'deleted');
  const key = `"${nameForMessage(job.key)}" (${job.conn.where})`;
  if (!(await confirmJob(job, total, `Delete ${sourceLabel(job.source, total)} from ${key}?`, 'Delete', true))) return undefined;
  const r = await withProgress(job.prompts, job.scripted, `Deleting fields of "${nameForMessage(job.key)}"`, (signal, report) =>
    deleteFieldsBulk(job.conn, job.key, job.source, { signal, onBatch: job.onBatch, onProgress: (n) => report(`${count(n, 'field')} deleted`) }),
  );
  if (!job.scripted) {
    job.prompts.inform(
      r.cancelled ? `Deleted ${r.done.toLocaleString('en-US')} of ${count(total, 'field')} from ${key}; stopped. The rest are still there.` : `Deleted ${count(r.done, 'field')} from ${key}.`,
    );
  }
  return { ...r, total };
}

/** A field TTL typed in, in seconds (> 0: removing is its own action). */
async function askSeconds(prompts: PromptLayer, n: number): Promise<number> {
  const check = (v: string): string | undefined => {
    const r = parseFieldTtl(v);
    return 'error' in r ? r.error : r.seconds > 0 ? undefined : 'A TTL greater than 0 seconds (Remove TTLs is its own action).';
  };
  const text = orCancel(await prompts.input({ title: `TTL for ${count(n, 'field')}`, prompt: 'Seconds until each field expires', validateInput: check }));
  const r = parseFieldTtl(text);
  if ('error' in r || r.seconds <= 0) throw new RedisExplorerError('INVALID', `"${text}" is not a TTL in seconds; nothing was changed.`);
  return r.seconds;
}

/**
 * Sets the job's field TTLs to `seconds` (asked when undefined), or removes them for 0 or -1; servers with field
 * TTLs only (refused before anything is sent elsewhere). Setting a TTL makes fields go, so it confirms like a delete.
 */
export async function runFieldTtl(job: BulkJob, seconds: number | undefined): Promise<BulkOutcome | undefined> {
  job.conn.assertWritable();
  const info = await getServerInfo(job.conn);
  if (!info.capabilities.fieldTtl) throw new RedisExplorerError('INVALID', fieldTtlUnsupported(info));
  const total = await countJob(job);
  if (total === undefined) return undefined;
  const remove = seconds !== undefined && seconds <= 0;
  if (total === 0) return nothingThere(job, 'changed');
  const secs = remove ? 0 : (seconds ?? (await askSeconds(job.prompts, total)));
  const key = `"${nameForMessage(job.key)}" (${job.conn.where})`;
  const question = remove ? `Remove the TTL of ${sourceLabel(job.source, total)} of ${key}?` : `Set a TTL of ${secs.toLocaleString('en-US')} s on ${sourceLabel(job.source, total)} of ${key}?`;
  if (!(await confirmJob(job, total, question, remove ? 'Remove TTLs' : 'Set TTLs', !remove))) return undefined;
  const r = await withProgress(job.prompts, job.scripted, `${remove ? 'Removing' : 'Setting'} field TTLs of "${nameForMessage(job.key)}"`, (signal, report) =>
    setFieldsTtlBulk(job.conn, job.key, job.source, secs, { signal, onBatch: job.onBatch, onProgress: (n) => report(`${count(n, 'field')} done`) }),
  );
  if (!job.scripted) {
    const did = remove ? 'Removed the TTL of' : `Set a TTL of ${secs.toLocaleString('en-US')} s on`;
    job.prompts.inform(r.cancelled ? `${did} ${r.done.toLocaleString('en-US')} of ${count(total, 'field')} of ${key}; stopped.` : `${did} ${count(r.done, 'field')} of ${key}.`);
  }
  return { ...r, total };
}

/** Exports the job's fields to `uri` (streamed; a cancelled export leaves no file). */
export async function runExport(job: BulkJob, uri: vscode.Uri, format: ExportFormat): Promise<{ fields: number; cancelled: boolean }> {
  const selection = 'fields' in job.source ? { fields: job.source.fields } : { match: job.source.match };
  const r = await withProgress(job.prompts, job.scripted, `Exporting fields of "${nameForMessage(job.key)}"`, (signal, report) =>
    exportToUri(uri, (sink) => exportFields(job.conn, job.key, selection, format, sink, { signal, onProgress: (n) => report(`${count(n, 'field')} written`) })),
  );
  if (!job.scripted) {
    const file = uri.scheme === 'file' ? uri.fsPath : uri.toString();
    job.prompts.inform(r.cancelled ? `Export of "${nameForMessage(job.key)}" cancelled after ${count(r.fields, 'field')}; no file was written.` : `Exported ${count(r.fields, 'field')} of "${nameForMessage(job.key)}" (${job.conn.where}) to ${file}.`);
  }
  return { fields: r.fields, cancelled: r.cancelled };
}

/** The fields a command acts on: a scripted `fields` list or `match` (exactly one), else a pattern typed in. */
export async function fieldSource(prompts: PromptLayer, t: KeyTarget, commandId: string, title: string): Promise<FieldSource> {
  if (t.plain) {
    const { fields, match } = t.plain;
    if ((fields === undefined) === (match === undefined)) throw new RedisExplorerError('INVALID', `${commandId} needs either "fields" (a list of names) or "match" (a pattern); nothing was done.`);
    if (match !== undefined) return { match };
    return { fields: (fields ?? []).map((f) => Buffer.from(f, 'utf8')) };
  }
  const match = orCancel(
    await prompts.input({ title, prompt: `Fields of "${nameForMessage(t.key)}" matching this pattern (* and ? are wildcards, e.g. user:*)`, validateInput: (v) => (v ? undefined : 'A pattern is needed') }),
  );
  return { match };
}
