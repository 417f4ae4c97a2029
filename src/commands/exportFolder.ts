import type { ExportFormat } from '../core/exportFormats';
import { EXPORT_FORMATS } from '../core/exportFormats';
import { exportFolder as exportFolderOp } from '../core/exporting';
import { nameForMessage } from '../core/codec';
import type { CommandSpec } from './command';
import { client } from './resolve';
import { required } from './target';
import { count, exportToUri, folderTarget, pickExportFormat, saveTarget, scriptedFormat, scriptedUri, withProgress } from './transferSupport';

const ID = 'redisHashExplorer.exportFolder';

/**
 * Exports every hash under a tree folder (its key prefix) to one file, streamed, with progress and Cancel.
 * Keys that are not hashes are left out and counted. Scripted: `{ connection, db?, prefix, path, format? }`
 * resolves with `{ keys, fields, skippedKeys }`.
 */
export const exportFolder: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await folderTarget(services, arg, ID, 'Export Folder');
    const conn = await client(services, t);
    const name = nameForMessage(t.prefix);
    let format: ExportFormat;
    const uri = t.plain ? scriptedUri(required(t.plain, 'path', ID)) : await saveTarget(services.prompts, 'Export Folder', name, (format = await pickExportFormat(services.prompts, `Export the keys under "${name}" as`)));
    if (t.plain) format = scriptedFormat(t.plain.format, uri, EXPORT_FORMATS, ID);
    const r = await withProgress(services.prompts, t.scripted, `Exporting the keys under "${name}"`, (signal, report) =>
      exportToUri(uri, (sink) => exportFolderOp(conn, t.prefix, format, sink, { signal, onProgress: (n) => report(`${count(n, 'key')} written`) })),
    );
    const skipped = r.skippedKeys ? ` (${count(r.skippedKeys, 'key')} that ${r.skippedKeys === 1 ? 'is' : 'are'} not a hash left out)` : '';
    if (r.cancelled) services.prompts.inform(`Export of "${name}" cancelled after ${count(r.keys, 'key')}; no file was written.`);
    else if (!t.scripted) services.prompts.inform(`Exported ${count(r.keys, 'key')} under "${name}" (${count(r.fields, 'field')}, ${conn.where})${skipped} to ${uri.scheme === 'file' ? uri.fsPath : uri.toString()}.`);
    return t.scripted ? { keys: r.keys, fields: r.fields, skippedKeys: r.skippedKeys } : undefined;
  },
};
