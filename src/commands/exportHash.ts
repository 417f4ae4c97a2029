import type { ExportFormat } from '../core/exportFormats';
import { EXPORT_FORMATS } from '../core/exportFormats';
import { exportHash as exportHashOp } from '../core/exporting';
import { nameForMessage } from '../core/codec';
import type { CommandSpec } from './command';
import { client, keyTarget } from './resolve';
import { required } from './target';
import { count, exportToUri, pickExportFormat, saveTarget, scriptedFormat, scriptedUri, withProgress } from './transferSupport';

const ID = 'redisHashExplorer.exportHash';

/**
 * Exports a hash to a file (JSON, NDJSON, CSV or Redis commands), streamed page by page with progress
 * and Cancel. Scripted: `{ connection, db?, key, path, format? }` resolves with `{ fields }`.
 */
export const exportHash: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await keyTarget(services, arg, ID, 'Export Hash', true);
    const conn = await client(services, t);
    let format: ExportFormat;
    const uri = t.plain ? scriptedUri(required(t.plain, 'path', ID)) : await saveTarget(services.prompts, 'Export Hash', nameForMessage(t.key), (format = await pickExportFormat(services.prompts, `Export "${nameForMessage(t.key)}" as`)));
    if (t.plain) format = scriptedFormat(t.plain.format, uri, EXPORT_FORMATS, ID);
    const r = await withProgress(services.prompts, t.scripted, `Exporting "${nameForMessage(t.key)}"`, (signal, report) =>
      exportToUri(uri, (sink) => exportHashOp(conn, t.key, format, sink, { signal, onProgress: (n) => report(`${count(n, 'field')} written`) })),
    );
    const file = uri.scheme === 'file' ? uri.fsPath : uri.toString();
    if (r.cancelled) services.prompts.inform(`Export of "${nameForMessage(t.key)}" cancelled after ${count(r.fields, 'field')}; no file was written.`);
    else if (!t.scripted) services.prompts.inform(`Exported ${count(r.fields, 'field')} of "${nameForMessage(t.key)}" (${conn.where}) to ${file}.`);
    return t.scripted ? { fields: r.fields } : undefined;
  },
};
