import { runDelete, runExport, runFieldTtl, sourceLabel } from '../commands/bulkSupport';
import type { BulkJob } from '../commands/bulkSupport';
import { Cancelled } from '../commands/cancel';
import { countMatching } from '../core/bulkFields';
import type { FieldSource } from '../core/bulkFields';
import { RedisExplorerError } from '../core/errors';
import { fieldTtlUnsupported } from '../core/serverInfo';
import { nameForMessage } from '../core/codec';
import { IdSet } from '../shared/idSet';
import type { Handlers } from '../shared/protocol';
import { count, pickExportFormat, saveTarget, withProgress } from '../commands/transferSupport';
import type { EditorHost } from './host';

/*
 * The editor's selection and bulk actions. The webview holds the selection as row ids (stable within a
 * store generation, so it survives sorting, filtering and rows arriving) or as a pattern over the whole
 * hash; the actions run in the extension through the same code as the deleteFields / setFieldsTtl /
 * exportFields commands: confirmation naming the count, batches, progress with Cancel.
 */

type BulkHandlers = Pick<Handlers, 'selectRange' | 'countMatch' | 'bulk'>;

export function bulkHandlers(p: EditorHost): BulkHandlers {
  const s = p.session;

  /** The selected rows' field names (rows deleted meanwhile left out); refused for another generation. */
  const selectedFields = (gen: number, ids: string): Buffer[] => {
    if (gen !== s.gen) throw new RedisExplorerError('INVALID', 'The table was reloaded since these rows were selected; select them again. Nothing was changed.');
    const out: Buffer[] = [];
    for (const id of IdSet.fromBase64(ids).ids()) {
      if (id >= s.store.rowCount) break;
      if (!s.store.isDeleted(id)) out.push(Buffer.from(s.store.fieldAt(id)));
    }
    return out;
  };

  const sourceOf = (gen: number, ids: string | undefined, match: string | undefined): FieldSource => {
    if ((ids === undefined) === (match === undefined)) throw new RedisExplorerError('INVALID', 'A bulk action needs either selected rows or a pattern; nothing was changed.');
    return match !== undefined ? { match } : { fields: selectedFields(gen, ids ?? '') };
  };

  /** After a run (also a stopped one): the table drops deleted rows and shows TTLs and the header anew. */
  const refreshed = async (deleted: Buffer[]): Promise<void> => {
    for (const f of deleted) s.store.delete(f);
    if (deleted.length) s.dropDeleted();
    s.emitStatus(true);
    p.postEvent({ type: 'invalidate' });
    p.keyChanged();
    await p.refreshHeader();
  };

  return {
    async selectRange({ version, start, end }) {
      if (version !== s.version) return null;
      const ids = new IdSet();
      const last = Math.min(end, s.viewLength);
      for (let pos = start; pos < last; pos++) {
        const row = s.rowAt(pos);
        if (row >= 0 && !s.store.isDeleted(row)) ids.add(row);
      }
      return { ids: ids.toBase64(), count: ids.size };
    },
    async countMatch({ match }) {
      const conn = await s.conn();
      const r = await withProgress(p.prompts, false, `Counting the fields of "${nameForMessage(s.key)}" matching ${match}`, (signal, report) =>
        countMatching(conn, s.key, match, { signal, onProgress: (n) => report(`${count(n, 'field')} so far`) }),
      );
      return r.cancelled ? null : { count: r.count };
    },
    async bulk({ action, gen, ids, match }) {
      const conn = await s.conn();
      const source = sourceOf(gen, ids, match);
      const deleted: Buffer[] = [];
      const job: BulkJob = { conn, key: s.key, source, scripted: false, prompts: p.prompts, onBatch: action === 'delete' ? (batch) => deleted.push(...batch) : undefined };
      if (action === 'export') {
        const format = await pickExportFormat(p.prompts, `Export fields of "${nameForMessage(s.key)}" as`).catch(cancelledAsNull);
        const what = 'fields' in source ? sourceLabel(source, source.fields.length) : `the fields matching ${source.match}`;
        const uri = format && (await saveTarget(p.prompts, `Export ${what} of "${nameForMessage(s.key)}"`, nameForMessage(s.key), format).catch(cancelledAsNull));
        if (!format || !uri) return null;
        const r = await runExport(job, uri, format);
        return { done: r.fields, total: r.fields, cancelled: r.cancelled };
      }
      conn.assertWritable();
      if (action !== 'delete' && !p.header?.fieldTtl) throw new RedisExplorerError('INVALID', fieldTtlUnsupported(p.serverInfo()));
      try {
        const r = action === 'delete' ? await runDelete(job) : await runFieldTtl(job, action === 'removeTtl' ? 0 : undefined).catch(cancelledAsNull);
        return r ? { done: r.done, total: r.total, cancelled: r.cancelled } : null;
      } finally {
        await refreshed(deleted);
      }
    },
  };
}

/** A prompt the user dismissed (Escape) is no error: the action simply did not run. */
function cancelledAsNull(err: unknown): null {
  if (err instanceof Cancelled) return null;
  throw err;
}
