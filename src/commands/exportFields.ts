import type * as vscode from 'vscode';
import type { ExportFormat } from '../core/exportFormats';
import { EXPORT_FORMATS } from '../core/exportFormats';
import { nameForMessage } from '../core/codec';
import type { CommandSpec } from './command';
import { fieldSource, runExport } from './bulkSupport';
import { client, keyTarget } from './resolve';
import { required } from './target';
import { pickExportFormat, saveTarget, scriptedFormat, scriptedUri } from './transferSupport';

const ID = 'redisHashExplorer.exportFields';

/**
 * Exports some fields of a hash (every field matching a pattern, or named ones) in the formats of exportHash,
 * streamed with progress and Cancel. Scripted: `{ connection, db?, key, match | fields, path, format? }`
 * resolves with `{ fields }`.
 */
export const exportFields: CommandSpec = {
  id: ID,
  async run(services, arg) {
    const t = await keyTarget(services, arg, ID, 'Export Fields', true);
    const conn = await client(services, t);
    const source = await fieldSource(services.prompts, t, ID, 'Export Fields');
    let uri: vscode.Uri;
    let format: ExportFormat;
    if (t.plain) {
      uri = scriptedUri(required(t.plain, 'path', ID));
      format = scriptedFormat(t.plain.format, uri, EXPORT_FORMATS, ID);
    } else {
      format = await pickExportFormat(services.prompts, `Export fields of "${nameForMessage(t.key)}" as`);
      uri = await saveTarget(services.prompts, 'Export Fields', nameForMessage(t.key), format);
    }
    const r = await runExport({ conn, key: t.key, source, scripted: t.scripted, prompts: services.prompts }, uri, format);
    return t.scripted ? { fields: r.fields } : undefined;
  },
};
